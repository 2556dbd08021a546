// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --convert-sinter-to-gpu | FileCheck %s

// kv.gather: one thread per 16-byte chunk (8 bf16) of the result: 3 x 2 x
// 70 x 8 = 3360 threads in blocks of 256. Tokens past the sequence's length
// are zeros and never read the block table.
// CHECK-LABEL: func.func @gather
// CHECK-SAME:    sinter.gpu.block = array<i64: 256, 1, 1>
// CHECK-SAME:    sinter.gpu.grid = array<i64: 14, 1, 1>
// CHECK-LABEL: gpu.func @gather(
// CHECK-SAME:    %[[CACHE:arg0]]: memref<40x16x2x64xbf16>, %[[TABLE:arg1]]: memref<3x5xi32>, %[[LENS:arg2]]: memref<3xi32>, %[[OUT:arg3]]: memref<3x2x70x64xbf16>
// CHECK:         %[[LEN:.*]] = memref.load %[[LENS]]
// CHECK:         %[[VALID:.*]] = arith.cmpi slt, %{{.*}}, %{{.*}} : index
// CHECK:         scf.if %[[VALID]] -> (vector<8xbf16>)
// CHECK:           memref.load %[[TABLE]]
// CHECK:           arith.minsi %{{.*}}, %c39
// CHECK:           vector.load %[[CACHE]]{{.*}} {alignment = 16 : i64} : memref<40x16x2x64xbf16>, vector<8xbf16>
// CHECK:         } else {
// CHECK:           arith.constant dense<0.000000e+00> : vector<8xbf16>
// CHECK:         vector.store %{{.*}}, %[[OUT]]{{.*}} {alignment = 16 : i64}
func.func @gather(%cache: tensor<40x16x2x64xbf16>, %bt: tensor<3x5xi32>, %lens: tensor<3xi32>) -> tensor<3x2x70x64xbf16> {
  %o = tensor.empty() : tensor<3x2x70x64xbf16>
  %r = sinter.kv.gather ins(%cache, %bt, %lens : tensor<40x16x2x64xbf16>, tensor<3x5xi32>, tensor<3xi32>) outs(%o : tensor<3x2x70x64xbf16>) -> tensor<3x2x70x64xbf16>
  return %r : tensor<3x2x70x64xbf16>
}

// -----

// kv.append: copy, last writer, scatter, in stream order, sharing a flag per
// token. The copy is skipped when the result is the cache itself.
// CHECK-LABEL: func.func @append
// CHECK-SAME:    sinter.gpu.grid = array<i64: 40, 1, 1>
// CHECK-SAME:    sinter.gpu.next_kernels = [{block = array<i64: 256, 1, 1>, grid = array<i64: 1, 1, 1>, kernel = "append_last_writer", shared_bytes = 0 : i64}, {block = array<i64: 256, 1, 1>, grid = array<i64: 1, 1, 1>, kernel = "append_scatter", shared_bytes = 0 : i64}]
// CHECK-SAME:    sinter.gpu.workspace_bytes = 20 : i64
// CHECK-LABEL: gpu.func @append(
// CHECK-SAME:    %[[CACHE:arg2]]: memref<40x16x2x64xf16>, %[[OUT:arg3]]: memref<40x16x2x64xf16>, %{{.*}}: memref<5xf32>
// CHECK:         %[[P0:.*]] = memref.extract_aligned_pointer_as_index %[[CACHE]]
// CHECK:         %[[P1:.*]] = memref.extract_aligned_pointer_as_index %[[OUT]]
// CHECK:         %[[DISTINCT:.*]] = arith.cmpi ne
// CHECK:         %[[GO:.*]] = arith.andi %{{.*}}, %[[DISTINCT]]
// CHECK:         scf.if %[[GO]]
// CHECK:           vector.load %[[CACHE]]
// CHECK:           vector.store %{{.*}}, %[[OUT]]
// Slots that are negative, past the 640-slot cache, or named again by a later
// token are not written.
// CHECK-LABEL: gpu.func @append_last_writer(
// CHECK:         arith.cmpi sge
// CHECK:         arith.cmpi slt, %{{.*}}, %c640
// CHECK:         scf.for
// CHECK:           arith.cmpi ne
// CHECK:         memref.store
// CHECK-LABEL: gpu.func @append_scatter(
// CHECK:         arith.cmpf one
// CHECK:         scf.if
// CHECK:           arith.divui %{{.*}}, %c16
// CHECK:           arith.remui %{{.*}}, %c16
// CHECK:           vector.store
func.func @append(%k: tensor<5x2x64xf16>, %slots: tensor<5xi64>, %cache: tensor<40x16x2x64xf16>) -> tensor<40x16x2x64xf16> {
  %r = sinter.kv.append ins(%k, %slots : tensor<5x2x64xf16>, tensor<5xi64>) outs(%cache : tensor<40x16x2x64xf16>) -> tensor<40x16x2x64xf16>
  return %r : tensor<40x16x2x64xf16>
}

// -----

// kv.quantize (int8, per token): one warp per row, 8 rows per block.
// CHECK-LABEL: func.func @quantize
// CHECK-SAME:    sinter.gpu.grid = array<i64: 18, 1, 1>
// CHECK-LABEL: gpu.func @quantize(
// CHECK:         scf.for
// CHECK:           math.absf
// CHECK:           arith.maxnumf
// CHECK:         gpu.shuffle  xor {{.*}}, %c1_i32
// CHECK:         gpu.shuffle  xor {{.*}}, %c16_i32
// CHECK:         arith.divf %{{.*}}, %cst
// CHECK:         scf.for
// CHECK:           math.roundeven
// CHECK:           arith.fptosi {{.*}} : f32 to i8
// CHECK:         arith.cmpi eq
// CHECK:         memref.store %{{.*}}, %arg2
func.func @quantize(%x: tensor<2x70x100xbf16>) -> (tensor<2x70x100xi8>, tensor<2x70xf32>) {
  %q0 = tensor.empty() : tensor<2x70x100xi8>
  %s0 = tensor.empty() : tensor<2x70xf32>
  %q, %s = sinter.kv.quantize ins(%x : tensor<2x70x100xbf16>) outs(%q0, %s0 : tensor<2x70x100xi8>, tensor<2x70xf32>) {granularity = #sinter.granularity<per_token>} -> tensor<2x70x100xi8>, tensor<2x70xf32>
  return %q, %s : tensor<2x70x100xi8>, tensor<2x70xf32>
}

// -----

// Per channel: one thread per (batch, channel), looping over the tokens
// (2 x 100 columns: one block); the scale is absmax / 127.
// CHECK-LABEL: func.func @quantize_channel
// CHECK-SAME:    sinter.gpu.grid = array<i64: 1, 1, 1>
// CHECK-LABEL: gpu.func @quantize_channel(
// CHECK:         scf.for %{{.*}} = %c0 to %c70 step %c1
// CHECK:           math.absf
// CHECK-NOT:     gpu.shuffle
// CHECK:         arith.constant 1.270000e+02 : f32
// CHECK:         scf.for %{{.*}} = %c0{{.*}} to %c70{{.*}} step %c1
// CHECK:           math.roundeven
// CHECK:           arith.fptosi {{.*}} : f32 to i8
// CHECK:         memref.store %{{.*}}, %arg2[%{{.*}}, %{{.*}}] : memref<2x100xf32>
func.func @quantize_channel(%x: tensor<2x70x100xbf16>) -> (tensor<2x70x100xi8>, tensor<2x100xf32>) {
  %q0 = tensor.empty() : tensor<2x70x100xi8>
  %s0 = tensor.empty() : tensor<2x100xf32>
  %q, %s = sinter.kv.quantize ins(%x : tensor<2x70x100xbf16>) outs(%q0, %s0 : tensor<2x70x100xi8>, tensor<2x100xf32>) {granularity = #sinter.granularity<per_channel>} -> tensor<2x70x100xi8>, tensor<2x100xf32>
  return %q, %s : tensor<2x70x100xi8>, tensor<2x100xf32>
}

// -----

// fp8 (e4m3): scale absmax / 448, cvt.rn.satfinite to e4m3 (the value in
// the pair's upper byte).
// CHECK-LABEL: gpu.func @quantize_fp8(
// CHECK:         arith.constant 4.480000e+02 : f32
// CHECK:         nvvm.convert.f32x2.to.f8x2 {{.*}} {rnd = #nvvm.fp_rnd_mode<rn>, sat = #nvvm.sat_mode<satfinite>} : i16(f8E4M3FN)
// CHECK:         arith.shrui
// CHECK:         arith.bitcast {{.*}} : i8 to f8E4M3FN
func.func @quantize_fp8(%x: tensor<3x64xf16>) -> (tensor<3x64xf8E4M3FN>, tensor<3xf32>) {
  %q0 = tensor.empty() : tensor<3x64xf8E4M3FN>
  %s0 = tensor.empty() : tensor<3xf32>
  %q, %s = sinter.kv.quantize ins(%x : tensor<3x64xf16>) outs(%q0, %s0 : tensor<3x64xf8E4M3FN>, tensor<3xf32>) {granularity = #sinter.granularity<per_token>} -> tensor<3x64xf8E4M3FN>, tensor<3xf32>
  return %q, %s : tensor<3x64xf8E4M3FN>, tensor<3xf32>
}

// -----

// kv.evict: one block per (sequence, head), dynamic shared memory for the
// head's scores, classes, keep flags (12 S bytes), slots (4 C), per-thread
// counts and two counters: 12 * 64 + 4 * 32 + 1024 + 8 = 1928 bytes.
// CHECK-LABEL: func.func @evict
// CHECK-SAME:    sinter.gpu.grid = array<i64: 4, 1, 1>
// CHECK-SAME:    sinter.gpu.shared_bytes = 1928
// CHECK-LABEL: gpu.func @evict(
// CHECK:         gpu.dynamic_shared_memory
// CHECK:         memref.view {{.*}} to memref<64xf32, #gpu.address_space<workgroup>>
// Classification: forced tokens counted atomically.
// CHECK:         scf.for
// CHECK:           memref.atomic_rmw addi
// CHECK:         gpu.barrier
// A candidate's rank: the candidates with a higher score, or an equal one
// earlier.
// CHECK:         scf.for
// CHECK:           scf.for
// CHECK:             arith.cmpf ogt
// CHECK:             arith.cmpf oeq
// CHECK:         gpu.barrier
// The scan of the keep flags, the positions (-1 past the count), the rows.
// CHECK:         scf.for
// CHECK:         gpu.barrier
// CHECK:         memref.store %{{.*}}, %arg7
// CHECK:         arith.constant -1 : i32
// CHECK:         memref.store %{{.*}}, %arg6
// CHECK:         vector.load %arg0
// CHECK:         vector.store %{{.*}}, %arg4
// CHECK:         vector.load %arg1
// CHECK:         vector.store %{{.*}}, %arg5
func.func @evict(%k: tensor<2x2x64x16xbf16>, %v: tensor<2x2x64x16xbf16>, %lens: tensor<2xi32>, %s: tensor<2x2x64xf32>) -> (tensor<2x2x32x16xbf16>, tensor<2x2x32x16xbf16>, tensor<2x2x32xi32>, tensor<2x2xi32>) {
  %k0 = tensor.empty() : tensor<2x2x32x16xbf16>
  %v0 = tensor.empty() : tensor<2x2x32x16xbf16>
  %p0 = tensor.empty() : tensor<2x2x32xi32>
  %n0 = tensor.empty() : tensor<2x2xi32>
  %r:4 = sinter.kv.evict ins(%k, %v, %lens : tensor<2x2x64x16xbf16>, tensor<2x2x64x16xbf16>, tensor<2xi32>) scores(%s : tensor<2x2x64xf32>) outs(%k0, %v0, %p0, %n0 : tensor<2x2x32x16xbf16>, tensor<2x2x32x16xbf16>, tensor<2x2x32xi32>, tensor<2x2xi32>) {policy = #sinter.evict_policy<heavy_hitter>, sinks = 4, window = 8} -> tensor<2x2x32x16xbf16>, tensor<2x2x32x16xbf16>, tensor<2x2x32xi32>, tensor<2x2xi32>
  return %r#0, %r#1, %r#2, %r#3 : tensor<2x2x32x16xbf16>, tensor<2x2x32x16xbf16>, tensor<2x2x32xi32>, tensor<2x2xi32>
}
