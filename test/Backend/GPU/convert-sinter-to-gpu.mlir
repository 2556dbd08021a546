// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --convert-sinter-to-gpu | FileCheck %s
// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --convert-sinter-to-gpu | FileCheck %s --check-prefix=LAUNCH

// One kernel per function, named after it, parameters = arguments then
// results as static memrefs; the launch is recorded on the function. bf16
// takes the tensor-core kernel: 128 x 128 block tiles (grid x over N / 128,
// y over M / 128, z over the batch), shared tiles of A as [m][k] and of B as
// [k][n], both rows padded by 8.
// CHECK: module attributes {gpu.container_module, sinter.target = #sinter.target<name = "nvidia-h100"
// CHECK-LABEL: func.func @bias_gelu_residual
// CHECK-SAME:    sinter.gpu.block = array<i64: 256, 1, 1>, sinter.gpu.grid = array<i64: 1, 1, 2>, sinter.gpu.shared_bytes = 0
// CHECK:         sinter.gemm
// CHECK:       gpu.module @sinter_kernels
// CHECK:         gpu.func @bias_gelu_residual(%[[A:.*]]: memref<2x67x33xbf16>, %[[B:.*]]: memref<33x90xbf16>, %[[BIAS:.*]]: memref<90xf32>, %[[R:.*]]: memref<2x67x90xbf16>, %[[OUT:.*]]: memref<2x67x90xbf16>)
// CHECK-SAME:      workgroup(%[[AT:.*]] : memref<128x72xbf16, #gpu.address_space<workgroup>>, %[[BT:.*]] : memref<64x136xbf16, #gpu.address_space<workgroup>>) kernel
// CHECK-SAME:      nvvm.maxntid = array<i32: 256, 1, 1>
// Block 0 is loaded into registers before the k loop (K = 33 is not a
// multiple of 8: guarded element loads; B is shared across the batch, no
// batch index).
// CHECK:           memref.load %[[A]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<2x67x33xbf16>
// CHECK:           memref.load %[[B]][%{{.*}}, %{{.*}}] : memref<33x90xbf16>
// CHECK:           scf.for {{.*}} step %c64
// CHECK:             vector.store {{.*}}, %[[AT]]
// CHECK:             vector.store {{.*}}, %[[BT]]
// CHECK:             gpu.barrier
// The next block's loads, then ldmatrix fragments ([k][n] B transposed) and
// the tensor-core products.
// CHECK:             memref.load %[[A]]
// CHECK:             nvvm.ldmatrix {{.*}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, num = 4 : i32
// CHECK:             nvvm.ldmatrix {{.*}} layout = #nvvm.mma_layout<col>, num = 4 : i32
// CHECK:             nvvm.mma.sync {{.*}} multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:             gpu.barrier
// Epilogue per accumulator element, inside the bounds, operands through
// their maps.
// CHECK:           scf.if
// CHECK:             memref.load %[[BIAS]][%{{.*}}] : memref<90xf32>
// CHECK:             memref.load %[[R]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<2x67x90xbf16>
// CHECK:             math.tanh
// CHECK:             arith.truncf
// CHECK:             memref.store {{.*}}, %[[OUT]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<2x67x90xbf16>
// CHECK:           gpu.return
func.func @bias_gelu_residual(%a: tensor<2x67x33xbf16>, %b: tensor<33x90xbf16>, %bias: tensor<90xf32>, %r: tensor<2x67x90xbf16>) -> tensor<2x67x90xbf16> {
  %o = tensor.empty() : tensor<2x67x90xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<2x67x33xbf16>, tensor<33x90xbf16>) epilogue_ins(%bias, %r : tensor<90xf32>, tensor<2x67x90xbf16>) outs(%o : tensor<2x67x90xbf16>) {acc_type = f32, epilogue_maps = [affine_map<(b, m, n) -> (n)>, affine_map<(b, m, n) -> (b, m, n)>]} -> tensor<2x67x90xbf16>
    epilogue {
    ^bb0(%acc: f32, %bv: f32, %rv: bf16):
      %x = arith.addf %acc, %bv : f32
      %t = math.tanh %x : f32
      %rf = arith.extf %rv : bf16 to f32
      %s = arith.addf %t, %rf : f32
      %o2 = arith.truncf %s : f32 to bf16
      sinter.yield %o2 : bf16
    }
  return %y : tensor<2x67x90xbf16>
}

// f16 with both operands transposed: A ([k][m]) goes through guarded
// element loads, B ([n][k], K = 40 a multiple of 8) through 16-byte vector
// loads and is staged as [n][k], read by plain ldmatrix; no epilogue: the
// accumulator is converted to the output type.
// CHECK-LABEL: gpu.func @transposed(
// CHECK-SAME:    workgroup(%{{.*}} : memref<128x72xf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<128x72xf16, #gpu.address_space<workgroup>>)
// CHECK:         memref.load %{{.*}} : memref<40x30xf16>
// CHECK:         vector.load %{{.*}} {alignment = 16 : i64} : memref<20x40xf16>, vector<8xf16>
// CHECK:         nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK:         arith.truncf {{.*}} : f32 to f16
func.func @transposed(%a: tensor<40x30xf16>, %b: tensor<20x40xf16>) -> tensor<30x20xf16> {
  %o = tensor.empty() : tensor<30x20xf16>
  %y = sinter.gemm ins(%a, %b : tensor<40x30xf16>, tensor<20x40xf16>) outs(%o : tensor<30x20xf16>) {acc_type = f32, transpose_a, transpose_b} -> tensor<30x20xf16>
  return %y : tensor<30x20xf16>
}

// f32 keeps the SIMT kernel: 64 x 64 tiles, A staged k-major with a
// padding column, 16 x 16 FMAs per k step between barriers.
// LAUNCH-LABEL: func.func @simt_f32
// LAUNCH-SAME:    sinter.gpu.grid = array<i64: 1, 2, 1>
// CHECK-LABEL: gpu.func @simt_f32(
// CHECK-SAME:    workgroup(%[[AT:.*]] : memref<16x65xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x64xf32, #gpu.address_space<workgroup>>)
// CHECK:         scf.for {{.*}} -> (f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK:           memref.store {{.*}}, %[[AT]]
// CHECK:           gpu.barrier
// CHECK-COUNT-16:  llvm.intr.fma
// CHECK:           gpu.barrier
func.func @simt_f32(%a: tensor<100x70xf32>, %b: tensor<70x50xf32>) -> tensor<100x50xf32> {
  %o = tensor.empty() : tensor<100x50xf32>
  %y = sinter.gemm ins(%a, %b : tensor<100x70xf32>, tensor<70x50xf32>) outs(%o : tensor<100x50xf32>) {acc_type = f32} -> tensor<100x50xf32>
  return %y : tensor<100x50xf32>
}

// Private helpers are not kernels.
// CHECK-NOT: gpu.func @helper
func.func private @helper(%a: tensor<4x4xf32>) -> tensor<4x4xf32> {
  return %a : tensor<4x4xf32>
}

// W8A16: int8 weights with grouped scales and zero points take the mma.sync
// kernel (never wgmma); each staged element is dequantized in registers by
// the reference formula, (q - zp) * scale, and rounded to bf16.
// CHECK-LABEL: gpu.func @w8a16(
// CHECK-NOT:     nvvm.wgmma
// CHECK:         memref.load %{{.*}} : memref<64x96xi8>
// CHECK:         arith.divui %{{.*}}, %c32
// CHECK:         arith.sitofp {{.*}} : i8 to f32
// CHECK:         arith.subf
// CHECK:         arith.mulf
// CHECK:         arith.truncf {{.*}} : f32 to bf16
// CHECK:         nvvm.mma.sync
func.func @w8a16(%a: tensor<40x64xbf16>, %q: tensor<64x96xi8>, %s: tensor<2x96xf32>, %z: tensor<2x96xi8>) -> tensor<40x96xbf16> {
  %o = tensor.empty() : tensor<40x96xbf16>
  %y = sinter.gemm ins(%a, %q : tensor<40x64xbf16>, tensor<64x96xi8>) scales(%s : tensor<2x96xf32>) zero_points(%z : tensor<2x96xi8>) outs(%o : tensor<40x96xbf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 32>} -> tensor<40x96xbf16>
  return %y : tensor<40x96xbf16>
}

// Reductions along n and m: a first kernel (named like the function) sets
// the reduction outputs to the combiners' identities (0 for sum_sq, -inf
// for max); the GEMM kernel then folds each thread's elements, the lanes
// that share a row (quad shuffles 1, 2) or a column (shuffles 4, 8, 16),
// and adds or maxes into the outputs atomically.
// LAUNCH-LABEL: func.func @reductions
// LAUNCH-SAME:    sinter.gpu.grid = array<i64: 1, 1, 1>
// LAUNCH-SAME:    sinter.gpu.next_kernels = [{block = array<i64: 256, 1, 1>, grid = array<i64: 1, 1, 2>, kernel = "reductions_gemm", shared_bytes = 0 : i64}]
// CHECK-LABEL: gpu.func @reductions_gemm(
// CHECK:         nvvm.mma.sync
// CHECK:         arith.mulf
// CHECK:         gpu.shuffle  xor %{{.*}}, %c1_i32
// CHECK:         gpu.shuffle  xor %{{.*}}, %c2_i32
// CHECK:         memref.atomic_rmw addf %{{.*}}, %arg3
// CHECK:         arith.maximumf
// CHECK:         gpu.shuffle  xor %{{.*}}, %c16_i32
// CHECK:         memref.atomic_rmw maximumf %{{.*}}, %arg4
// CHECK-LABEL: gpu.func @reductions(
// CHECK:         arith.constant 0.000000e+00 : f32
// CHECK:         memref.store %{{.*}}, %arg3
// CHECK:         arith.constant 0xFF800000 : f32
// CHECK:         memref.store %{{.*}}, %arg4
func.func @reductions(%a: tensor<2x70x40xbf16>, %b: tensor<40x90xbf16>) -> (tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>) {
  %o = tensor.empty() : tensor<2x70x90xbf16>
  %s0 = tensor.empty() : tensor<2x70xf32>
  %m0 = tensor.empty() : tensor<2x90xf32>
  %y, %ss, %mx = sinter.gemm ins(%a, %b : tensor<2x70x40xbf16>, tensor<40x90xbf16>) outs(%o, %s0, %m0 : tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>) {acc_type = f32, reductions = [#sinter.reduction<sum_sq, n>, #sinter.reduction<max, m>]} -> tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>
    epilogue {
    ^bb0(%acc: f32):
      %t = arith.truncf %acc : f32 to bf16
      sinter.yield %t, %acc, %acc : bf16, f32, f32
    }
  return %y, %ss, %mx : tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>
}

// W4A16: int4 weights (one per byte in memory) take the same dequantizing
// loads: the element is sign-extended from 4 bits.
// CHECK-LABEL: gpu.func @w4a16(
// CHECK-NOT:     nvvm.wgmma
// CHECK:         memref.load %{{.*}} : memref<96x64xi4>
// CHECK:         arith.sitofp {{.*}} : i4 to f32
// CHECK:         arith.truncf {{.*}} : f32 to bf16
// CHECK:         nvvm.mma.sync
func.func @w4a16(%a: tensor<40x64xbf16>, %q: tensor<96x64xi4>, %s: tensor<2x96xf32>) -> tensor<40x96xbf16> {
  %o = tensor.empty() : tensor<40x96xbf16>
  %y = sinter.gemm ins(%a, %q : tensor<40x64xbf16>, tensor<96x64xi4>) scales(%s : tensor<2x96xf32>) outs(%o : tensor<40x96xbf16>) {acc_type = f32, transpose_b, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 32>} -> tensor<40x96xbf16>
  return %y : tensor<40x96xbf16>
}

// Pairwise (SwiGLU) on the tensor cores: a block covers 64 output columns,
// its B tile 64 columns of each half interleaved by 8 (grid x = 100 / 64);
// the epilogue receives the accumulators of n8 tiles 2i and 2i + 1. The
// row sums of squares of A are summed from the staged A registers
// (vector.reduction per 8-element chunk, then 3 shuffles among the 8
// threads of a row) into a third shared buffer the epilogue reads.
// LAUNCH-LABEL: func.func @swiglu_rms
// LAUNCH-SAME:    sinter.gpu.grid = array<i64: 2, 1, 1>
// CHECK-LABEL: gpu.func @swiglu_rms(
// CHECK-SAME:    workgroup(%{{.*}} : memref<128x72xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<64x136xbf16, #gpu.address_space<workgroup>>, %[[SS:.*]] : memref<128xf32, #gpu.address_space<workgroup>>)
// CHECK:         scf.for
// CHECK:           vector.reduction <add>
// CHECK:           nvvm.mma.sync
// CHECK:         gpu.shuffle  xor %{{.*}}, %c4_i32
// CHECK:         memref.store %{{.*}}, %[[SS]]
// CHECK:         gpu.barrier
// CHECK:         memref.load %[[SS]]
// CHECK:         math.exp
func.func @swiglu_rms(%a: tensor<40x64xbf16>, %b: tensor<64x200xbf16>) -> tensor<40x100xbf16> {
  %o = tensor.empty() : tensor<40x100xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<40x64xbf16>, tensor<64x200xbf16>) outs(%o : tensor<40x100xbf16>) {acc_type = f32, pairwise, a_row_sum_sq} -> tensor<40x100xbf16>
    epilogue {
    ^bb0(%g: f32, %u: f32, %ss: f32):
      %n = arith.negf %g : f32
      %e = math.exp %n : f32
      %one = arith.constant 1.0 : f32
      %d = arith.addf %one, %e : f32
      %s = arith.divf %g, %d : f32
      %p = arith.mulf %s, %u : f32
      %r = arith.mulf %p, %ss : f32
      %t = arith.truncf %r : f32 to bf16
      sinter.yield %t : bf16
    }
  return %y : tensor<40x100xbf16>
}

// i8 x i8 with i32 accumulators on the SIMT kernel: tiles staged as i32
// (sign-extended), multiply-adds in integers.
// CHECK-LABEL: gpu.func @int8(
// CHECK-SAME:    workgroup(%{{.*}} : memref<16x65xi32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x64xi32, #gpu.address_space<workgroup>>)
// CHECK:         arith.extsi {{.*}} : i8 to i32
// CHECK:         arith.muli
// CHECK:         arith.addi
// CHECK-NOT:     llvm.intr.fma
// CHECK:         gpu.return
func.func @int8(%a: tensor<30x40xi8>, %b: tensor<40x20xi8>) -> tensor<30x20xi32> {
  %o = tensor.empty() : tensor<30x20xi32>
  %y = sinter.gemm ins(%a, %b : tensor<30x40xi8>, tensor<40x20xi8>) outs(%o : tensor<30x20xi32>) {acc_type = i32} -> tensor<30x20xi32>
  return %y : tensor<30x20xi32>
}

// f32 reductions on the SIMT kernel: a thread's 4 elements of a row, the
// 16 lanes of the row (shuffles 1..8), one atomic per row and half warp.
// CHECK-LABEL: gpu.func @f32_rowsum_gemm(
// CHECK:         llvm.intr.fma
// CHECK:         gpu.shuffle  xor %{{.*}}, %c8_i32
// CHECK:         memref.atomic_rmw addf
func.func @f32_rowsum(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> (tensor<8x8xf32>, tensor<8xf32>) {
  %o = tensor.empty() : tensor<8x8xf32>
  %s0 = tensor.empty() : tensor<8xf32>
  %y, %s = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o, %s0 : tensor<8x8xf32>, tensor<8xf32>) {acc_type = f32, reductions = [#sinter.reduction<sum, n>]} -> tensor<8x8xf32>, tensor<8xf32>
    epilogue {
    ^bb0(%acc: f32):
      sinter.yield %acc, %acc : f32, f32
    }
  return %y, %s : tensor<8x8xf32>, tensor<8xf32>
}
