// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s --mlir-print-op-generic | sinter-opt | FileCheck %s

// CHECK-LABEL: func @plain
// CHECK: sinter.gemm ins(%{{.*}}, %{{.*}} : tensor<16x64xbf16>, tensor<64x32xbf16>) outs(%{{.*}} : tensor<16x32xbf16>) {acc_type = f32} -> tensor<16x32xbf16>
// CHECK-NOT: epilogue
func.func @plain(%a: tensor<16x64xbf16>, %b: tensor<64x32xbf16>, %c: tensor<16x32xbf16>) -> tensor<16x32xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<16x64xbf16>, tensor<64x32xbf16>) outs(%c : tensor<16x32xbf16>)
      {acc_type = f32} -> tensor<16x32xbf16>
  return %0 : tensor<16x32xbf16>
}

// CHECK-LABEL: func @epilogue_with_reduction
// CHECK: sinter.gemm
// CHECK-SAME: epilogue_ins(%{{.*}} : tensor<32xf32>)
// CHECK-SAME: reductions = [#sinter.reduction<sum_sq, n>]
// CHECK: epilogue {
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32):
// CHECK: sinter.yield %{{.*}}, %{{.*}} : bf16, f32
func.func @epilogue_with_reduction(%a: tensor<16x64xbf16>, %b: tensor<64x32xbf16>, %bias: tensor<32xf32>,
    %y0: tensor<16x32xbf16>, %ss0: tensor<16xf32>) -> (tensor<16x32xbf16>, tensor<16xf32>) {
  %y, %ss = sinter.gemm ins(%a, %b : tensor<16x64xbf16>, tensor<64x32xbf16>)
      epilogue_ins(%bias : tensor<32xf32>) outs(%y0, %ss0 : tensor<16x32xbf16>, tensor<16xf32>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>],
       reductions = [#sinter.reduction<sum_sq, n>]} -> tensor<16x32xbf16>, tensor<16xf32>
    epilogue {
    ^bb0(%acc: f32, %bv: f32):
      %s = arith.addf %acc, %bv : f32
      %t = arith.truncf %s : f32 to bf16
      sinter.yield %t, %s : bf16, f32
    }
  return %y, %ss : tensor<16x32xbf16>, tensor<16xf32>
}

// CHECK-LABEL: func @batched_transposed
// CHECK: sinter.gemm
// CHECK-SAME: transpose_a
// CHECK-SAME: transpose_b
func.func @batched_transposed(%a: tensor<4x64x16xf16>, %b: tensor<4x32x64xf16>, %c: tensor<4x16x32xf32>) -> tensor<4x16x32xf32> {
  %0 = sinter.gemm ins(%a, %b : tensor<4x64x16xf16>, tensor<4x32x64xf16>) outs(%c : tensor<4x16x32xf32>)
      {acc_type = f32, transpose_a, transpose_b} -> tensor<4x16x32xf32>
  return %0 : tensor<4x16x32xf32>
}

// CHECK-LABEL: func @w4a16
// CHECK: scales(%{{.*}} : tensor<4x32xf16>) zero_points(%{{.*}} : tensor<4x32xi4>)
// CHECK-SAME: b_quant = #sinter.weight_quant<scheme = grouped, group_size = 32, is_unsigned = true>
func.func @w4a16(%a: tensor<?x128xf16>, %q: tensor<128x32xi4>, %s: tensor<4x32xf16>, %z: tensor<4x32xi4>,
    %c: tensor<?x32xf16>) -> tensor<?x32xf16> {
  %0 = sinter.gemm ins(%a, %q : tensor<?x128xf16>, tensor<128x32xi4>) scales(%s : tensor<4x32xf16>)
      zero_points(%z : tensor<4x32xi4>) outs(%c : tensor<?x32xf16>)
      {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 32, is_unsigned = true>}
      -> tensor<?x32xf16>
  return %0 : tensor<?x32xf16>
}

// CHECK-LABEL: func @int8
// CHECK: {acc_type = i32}
func.func @int8(%a: tensor<8x16xi8>, %b: tensor<16x8xi8>, %c: tensor<8x8xi32>) -> tensor<8x8xi32> {
  %0 = sinter.gemm ins(%a, %b : tensor<8x16xi8>, tensor<16x8xi8>) outs(%c : tensor<8x8xi32>)
      {acc_type = i32} -> tensor<8x8xi32>
  return %0 : tensor<8x8xi32>
}

// CHECK-LABEL: func @pairwise_swiglu
// CHECK: sinter.gemm ins(%{{.*}}, %{{.*}} : tensor<8x64xbf16>, tensor<64x64xbf16>) outs(%{{.*}} : tensor<8x32xbf16>) {acc_type = f32, pairwise}
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32):
func.func @pairwise_swiglu(%x: tensor<8x64xbf16>, %w: tensor<64x64xbf16>, %o: tensor<8x32xbf16>) -> tensor<8x32xbf16> {
  %0 = sinter.gemm ins(%x, %w : tensor<8x64xbf16>, tensor<64x64xbf16>) outs(%o : tensor<8x32xbf16>)
      {acc_type = f32, pairwise} -> tensor<8x32xbf16> epilogue {
  ^bb0(%gate: f32, %up: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %gate : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %gate, %d : f32
    %y = arith.mulf %s, %up : f32
    %t = arith.truncf %y : f32 to bf16
    sinter.yield %t : bf16
  }
  return %0 : tensor<8x32xbf16>
}

// CHECK-LABEL: func @a_row_stats
// CHECK: {a_row_sum_sq, acc_type = f32}
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32):
func.func @a_row_stats(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32, a_row_sum_sq} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32, %ss: f32):
    %r = math.rsqrt %ss : f32
    %y = arith.mulf %x, %r : f32
    sinter.yield %y : f32
  }
  return %0 : tensor<4x8xf32>
}
