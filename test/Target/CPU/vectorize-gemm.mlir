// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=x86-avx512 --sinter-tile --sinter-cpu-vectorize-gemm | FileCheck %s
// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=x86-avx512 --sinter-tile --sinter-cpu-vectorize-gemm=k-block=64 | FileCheck %s --check-prefix=KB

// A tiled gemm becomes: B packed once, panel by panel in parallel, before the
// tile loop (three rows of tiles share it), into
// [panels, K, 32] (zero-padded; tiles start on panel boundaries), loops over
// 6-row x 32-column blocks, a k loop carrying 6 vector<32xf32> accumulators
// (one B load, 6 broadcast FMAs per step), then the epilogue on vectors
// (bias read along n) and masked row stores.
// CHECK-LABEL: func.func @bias
// CHECK:         %[[PACK:.*]] = scf.forall (%[[P:.*]]) in (%{{.*}}) shared_outs({{.*}}) -> (tensor<?x150x32xf32>)
// CHECK:           linalg.generic {{.*}} outs(%{{.*}} : tensor<150x32xf32>)
// CHECK:           tensor.parallel_insert_slice {{.*}}[%[[P]], 0, 0] [1, 150, 32]
// CHECK:         scf.forall
// CHECK:           scf.for {{.*}} step %c6{{.*}}
// CHECK:             scf.for {{.*}} step %c32{{.*}}
// CHECK:               scf.for {{.*}} iter_args({{.*}}) -> (vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>, vector<32xf32>)
// CHECK:                 vector.transfer_read %[[PACK]]{{.*}} {in_bounds = [true]} : tensor<?x150x32xf32>, vector<32xf32>
// CHECK-COUNT-6:         vector.fma
// CHECK:               scf.if
// CHECK:                 vector.transfer_read {{.*}} : tensor<?xf32>, vector<32xf32>
// CHECK:                 arith.addf {{.*}} : vector<32xf32>
// CHECK:                 vector.transfer_write
// CHECK-NOT:     sinter.gemm

// With k blocks: an f32 partial-sum buffer and a loop over k blocks that
// index into the pack, then one epilogue pass.
// KB-LABEL: func.func @bias
// KB:         scf.forall {{.*}} -> (tensor<?x150x32xf32>)
// KB:         scf.forall
// KB:           linalg.fill {{.*}} -> tensor<?x?xf32>
// KB:           scf.for {{.*}} step %c64
// KB-NOT:         linalg.generic
// KB:           arith.addf {{.*}} : vector<32xf32>
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
// CHECK:           linalg.generic {{.*}} outs(%{{.*}} : tensor<?x128x32xf32>)
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
// CHECK:         scf.for {{.*}} -> (vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>, vector<32xi32>)
// CHECK:           arith.extsi {{.*}} : vector<32xi8> to vector<32xi32>
// CHECK:           arith.muli {{.*}} : vector<32xi32>
// CHECK:           arith.addi {{.*}} : vector<32xi32>
func.func @int8(%a: tensor<40x70xi8>, %b: tensor<70x50xi8>) -> tensor<40x50xi32> {
  %o = tensor.empty() : tensor<40x50xi32>
  %y = sinter.gemm ins(%a, %b : tensor<40x70xi8>, tensor<70x50xi8>) outs(%o : tensor<40x50xi32>) {acc_type = i32} -> tensor<40x50xi32>
  return %y : tensor<40x50xi32>
}
