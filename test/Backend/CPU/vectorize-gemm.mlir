// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=x86-avx512 --sinter-tile --sinter-cpu-vectorize-gemm=k-block=-1 | FileCheck %s
// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=x86-avx512 --sinter-tile --sinter-cpu-vectorize-gemm | FileCheck %s --check-prefix=DEFAULT
// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=x86-avx2 --sinter-tile --sinter-cpu-vectorize-gemm | FileCheck %s --check-prefix=AVX2
// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=x86-avx512 --sinter-tile --sinter-cpu-vectorize-gemm=k-block=64 | FileCheck %s --check-prefix=KB

// A tiled gemm becomes: B packed once, panel by panel in parallel, before the
// tile loop (three rows of tiles share it), into
// [panels, K, 64] (zero-padded by masked vector copies; tiles start on panel
// boundaries), loops over 6-row x 64-column blocks (4 AVX-512 vectors), a k
// loop carrying 6 vector<64xf32> accumulators (one B load, 6 broadcast FMAs
// per step, 4 steps per iteration, then a remainder loop since 150 is not a
// multiple of 4), then the epilogue on vectors (bias read along n) and
// masked row stores. Here k is whole (k-block=-1).
// CHECK-LABEL: func.func @bias
// CHECK:         %[[PACK:.*]] = scf.forall (%[[P:.*]]) in (%{{.*}}) shared_outs({{.*}}) -> (tensor<?x150x64xf32>)
// CHECK:           %[[MASK:.*]] = vector.create_mask
// CHECK:           scf.for {{.*}} -> (tensor<150x64xf32>)
// CHECK:             vector.transfer_read {{.*}}, %[[MASK]] : tensor<150x70xf32>, vector<64xf32>
// CHECK:             vector.transfer_write {{.*}} {in_bounds = [true]} : vector<64xf32>, tensor<150x64xf32>
// CHECK:           tensor.parallel_insert_slice {{.*}}[%[[P]], 0, 0] [1, 150, 64]
// CHECK:         scf.forall
// CHECK:           scf.for {{.*}} step %c6{{.*}}
// CHECK:             scf.for {{.*}} step %c64{{.*}}
// CHECK:               scf.for {{.*}} step %c4{{[_0-9]*}} iter_args({{.*}}) -> (vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>)
// CHECK:                 vector.transfer_read %[[PACK]]{{.*}} {in_bounds = [true]} : tensor<?x150x64xf32>, vector<64xf32>
// CHECK-COUNT-24:        vector.fma
// CHECK:               scf.for {{.*}} step %c1{{[_0-9]*}} iter_args({{.*}}) -> (vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>, vector<64xf32>)
// CHECK-COUNT-6:         vector.fma
// CHECK:               scf.if
// CHECK:                 vector.transfer_read {{.*}} : tensor<?xf32>, vector<64xf32>
// CHECK:                 arith.addf {{.*}} : vector<64xf32>
// CHECK:                 vector.transfer_write
// CHECK-NOT:     sinter.gemm

// With k blocks of 64: f32 partial sums in slices of one buffer, a loop over
// k blocks that index into the pack with the column loop outside the row
// loop; the first block starts from zero, the last applies the epilogue.
// By default kc comes from the target's L1: 48 KiB * 2/3 over 64-float
// rows of 4 bytes = 128, so K = 150 takes two k blocks.
// DEFAULT-LABEL: func.func @bias
// DEFAULT:         scf.forall
// DEFAULT:           scf.for {{.*}} step %c128
// DEFAULT:             vector.fma {{.*}} : vector<64xf32>
// AVX2 has 16 vector registers: 6 x 2 vectors of 8 floats, kc = 32 KiB * 2/3
// over 64-byte rows = 336.
// AVX2-LABEL: func.func @bias
// AVX2:         tensor<?x150x16xf32>
// AVX2-NOT:     step %c336
// AVX2:         vector.fma {{.*}} : vector<16xf32>
// KB-LABEL: func.func @bias
// KB:         scf.forall {{.*}} -> (tensor<?x150x64xf32>)
// KB:         scf.forall
// KB:           tensor.empty({{.*}}) : tensor<1x?x?xf32>
// KB:           tensor.extract_slice
// KB:           scf.for {{.*}} step %c64
// KB:             scf.for {{.*}} step %c64
// KB:               scf.for {{.*}} step %c6
// KB:                 scf.if
// KB:                   scf.yield %cst
// KB:                 else
// KB:                   vector.transfer_read
// KB-NOT:         linalg.generic
// KB:               scf.if
// KB:                 arith.addf {{.*}} : vector<64xf32>
func.func @bias(%a: tensor<150x150xf32>, %b: tensor<150x70xf32>, %bias: tensor<70xf32>) -> tensor<150x70xf32> {
  %o = tensor.empty() : tensor<150x70xf32>
  %y = sinter.gemm ins(%a, %b : tensor<150x150xf32>, tensor<150x70xf32>) epilogue_ins(%bias : tensor<70xf32>) outs(%o : tensor<150x70xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>], sinter.tile_sizes = array<i64: 64, 64, 150>} -> tensor<150x70xf32>
    epilogue {
    ^bb0(%acc: f32, %bv: f32):
      %s = arith.addf %acc, %bv : f32
      sinter.yield %s : f32
    }
  return %y : tensor<150x70xf32>
}

// -----

// Left for the reference lowering: an extra reduction.
// CHECK-LABEL: func.func @reduction
// CHECK:         sinter.gemm
// CHECK-NOT:     vector.fma
func.func @reduction(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>) -> (tensor<64x64xf32>, tensor<64xf32>) {
  %o = tensor.empty() : tensor<64x64xf32>
  %s = tensor.empty() : tensor<64xf32>
  %y:2 = sinter.gemm ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%o, %s : tensor<64x64xf32>, tensor<64xf32>) {acc_type = f32, reductions = [#sinter.reduction<sum, n>]} -> tensor<64x64xf32>, tensor<64xf32>
    epilogue {
    ^bb0(%acc: f32):
      sinter.yield %acc, %acc : f32, f32
    }
  return %y#0, %y#1 : tensor<64x64xf32>, tensor<64xf32>
}

// -----

// W4A16: the pack dequantizes (unsigned int4 minus its zero point, times the
// group's scale) into f32 panels; the micro-kernel is the float one.
// CHECK-LABEL: func.func @w4a16
// CHECK:         scf.forall
// CHECK:           linalg.generic {{.*}} outs(%{{.*}} : tensor<?x128x64xf32>)
// CHECK:             arith.divsi {{.*}}, %c32
// CHECK:             arith.uitofp {{.*}} : i4 to f32
// CHECK:             arith.subf
// CHECK:             arith.mulf
// CHECK-COUNT-6:   vector.fma
func.func @w4a16(%a: tensor<64x128xbf16>, %q: tensor<96x128xi4>, %s: tensor<4x96xbf16>, %z: tensor<4x96xi4>) -> tensor<64x96xf32> {
  %o = tensor.empty() : tensor<64x96xf32>
  %y = sinter.gemm ins(%a, %q : tensor<64x128xbf16>, tensor<96x128xi4>) scales(%s : tensor<4x96xbf16>) zero_points(%z : tensor<4x96xi4>) outs(%o : tensor<64x96xf32>) {acc_type = f32, transpose_b, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 32, is_unsigned = true>} -> tensor<64x96xf32>
  return %y : tensor<64x96xf32>
}

// -----

// int8 x int8 -> i32: widened vectors, integer multiply-adds, i32
// accumulators.
// CHECK-LABEL: func.func @int8
// CHECK:         scf.for {{.*}} -> (vector<64xi32>, vector<64xi32>, vector<64xi32>, vector<64xi32>, vector<64xi32>, vector<64xi32>)
// CHECK:           arith.extsi {{.*}} : vector<64xi8> to vector<64xi32>
// CHECK:           arith.muli {{.*}} : vector<64xi32>
// CHECK:           arith.addi {{.*}} : vector<64xi32>
func.func @int8(%a: tensor<40x70xi8>, %b: tensor<70x50xi8>) -> tensor<40x50xi32> {
  %o = tensor.empty() : tensor<40x50xi32>
  %y = sinter.gemm ins(%a, %b : tensor<40x70xi8>, tensor<70x50xi8>) outs(%o : tensor<40x50xi32>) {acc_type = i32} -> tensor<40x50xi32>
  return %y : tensor<40x50xi32>
}
