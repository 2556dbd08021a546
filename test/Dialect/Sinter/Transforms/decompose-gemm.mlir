// RUN: sinter-opt %s --sinter-decompose | FileCheck %s

// The contraction is one reduction generic in the accumulator type; the
// epilogue is a parallel generic that reads the bias through its map.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[BIAS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1) -> (d0 floordiv 32, d1)>
// CHECK-LABEL: func @bias_relu
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[ACC:.*]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[ZERO]] : tensor<16x32xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BIAS]], #{{.*}}], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[ACC]], %{{.*}} : tensor<16x32xf32>, tensor<32xf32>)
// CHECK: arith.maximumf
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT: sinter.
func.func @bias_relu(%a: tensor<16x64xbf16>, %b: tensor<64x32xbf16>, %bias: tensor<32xf32>, %c: tensor<16x32xbf16>) -> tensor<16x32xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<16x64xbf16>, tensor<64x32xbf16>) epilogue_ins(%bias : tensor<32xf32>) outs(%c : tensor<16x32xbf16>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<16x32xbf16> epilogue {
  ^bb0(%acc: f32, %bv: f32):
    %s = arith.addf %acc, %bv : f32
    %z = arith.constant 0.0 : f32
    %r = arith.maximumf %s, %z : f32
    %t = arith.truncf %r : f32 to bf16
    sinter.yield %t : bf16
  }
  return %0 : tensor<16x32xbf16>
}

// Reductions re-evaluate the epilogue in a generic that reduces the
// requested dimension into an identity-filled init.
// CHECK-LABEL: func @row_sum_sq
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: %[[ID:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]{{.*}} outs(%[[ID]] : tensor<4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @row_sum_sq(%a: tensor<4x8xf32>, %b: tensor<8x6xf32>, %c: tensor<4x6xf32>, %r: tensor<4xf32>) -> (tensor<4x6xf32>, tensor<4xf32>) {
  %0:2 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x6xf32>) outs(%c, %r : tensor<4x6xf32>, tensor<4xf32>)
      {acc_type = f32, reductions = [#sinter.reduction<sum_sq, n>]} -> tensor<4x6xf32>, tensor<4xf32> epilogue {
  ^bb0(%acc: f32):
    sinter.yield %acc, %acc : f32, f32
  }
  return %0#0, %0#1 : tensor<4x6xf32>, tensor<4xf32>
}

// Grouped int4 weights are dequantized with a floordiv map on the scales.
// CHECK-LABEL: func @w4a16
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[G]], #[[G]], #{{.*}}]
// CHECK: arith.uitofp %{{.*}} : i4 to f32
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @w4a16(%a: tensor<3x64xf16>, %q: tensor<64x8xi4>, %s: tensor<2x8xf16>, %z: tensor<2x8xi4>, %c: tensor<3x8xf16>) -> tensor<3x8xf16> {
  %0 = sinter.gemm ins(%a, %q : tensor<3x64xf16>, tensor<64x8xi4>) scales(%s : tensor<2x8xf16>) zero_points(%z : tensor<2x8xi4>)
      outs(%c : tensor<3x8xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 32, is_unsigned = true>}
      -> tensor<3x8xf16>
  return %0 : tensor<3x8xf16>
}
