// RUN: sinter-opt %s --sinter-raise --split-input-file | FileCheck %s

// int8 weights with per-column scales ([N, K] layout, transposed matmul).
// CHECK-LABEL: func @per_channel
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<4x16xf16>, tensor<8x16xi8>) scales(%arg2 : tensor<8xf16>)
// CHECK-SAME: b_quant = #sinter.weight_quant<scheme = per_channel>
// CHECK-SAME: transpose_b
// CHECK-NOT: linalg.generic
func.func @per_channel(%x: tensor<4x16xf16>, %q: tensor<8x16xi8>, %s: tensor<8xf16>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<8x16xf16>
  %w = linalg.generic {indexing_maps = [affine_map<(n, k) -> (n, k)>, affine_map<(n, k) -> (n)>, affine_map<(n, k) -> (n, k)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<8x16xi8>, tensor<8xf16>) outs(%e : tensor<8x16xf16>) {
  ^bb0(%qv: i8, %sv: f16, %o: f16):
    %f = arith.sitofp %qv : i8 to f16
    %m = arith.mulf %sv, %f : f16
    linalg.yield %m : f16
  } -> tensor<8x16xf16>
  %z = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<4x8xf32>
  %fo = linalg.fill ins(%z : f32) outs(%eo : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x16xf16>, tensor<8x16xf16>) outs(%fo : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Unsigned int4 with k-grouped scales and zero points.
// CHECK-LABEL: func @grouped
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<4x32xbf16>, tensor<32x8xi4>) scales(%arg2 : tensor<4x8xbf16>) zero_points(%arg3 : tensor<4x8xi4>)
// CHECK-SAME: b_quant = #sinter.weight_quant<scheme = grouped, group_size = 8, is_unsigned = true>
func.func @grouped(%x: tensor<4x32xbf16>, %q: tensor<32x8xi4>, %s: tensor<4x8xbf16>, %zp: tensor<4x8xi4>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<32x8xbf16>
  %w = linalg.generic {indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (k floordiv 8, n)>,
                                        affine_map<(k, n) -> (k floordiv 8, n)>, affine_map<(k, n) -> (k, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%q, %s, %zp : tensor<32x8xi4>, tensor<4x8xbf16>, tensor<4x8xi4>) outs(%e : tensor<32x8xbf16>) {
  ^bb0(%qv: i4, %sv: bf16, %zv: i4, %o: bf16):
    %qi = arith.extui %qv : i4 to i32
    %zi = arith.extui %zv : i4 to i32
    %d = arith.subi %qi, %zi : i32
    %df = arith.sitofp %d : i32 to f32
    %sf = arith.extf %sv : bf16 to f32
    %m = arith.mulf %df, %sf : f32
    %t = arith.truncf %m : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<32x8xbf16>
  %z = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<4x8xf32>
  %fo = linalg.fill ins(%z : f32) outs(%eo : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x32xbf16>, tensor<32x8xbf16>) outs(%fo : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Left alone: the dequantized weights are also returned, and a scale that
// is not a projection or group map (indexed by k alone).
// CHECK-LABEL: func @left_alone
// CHECK-NOT: b_quant
func.func @left_alone(%x: tensor<4x16xf16>, %q: tensor<16x8xi8>, %s: tensor<16xf16>) -> (tensor<4x8xf32>, tensor<16x8xf16>) {
  %e = tensor.empty() : tensor<16x8xf16>
  %w = linalg.generic {indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (k)>, affine_map<(k, n) -> (k, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%q, %s : tensor<16x8xi8>, tensor<16xf16>) outs(%e : tensor<16x8xf16>) {
  ^bb0(%qv: i8, %sv: f16, %o: f16):
    %f = arith.sitofp %qv : i8 to f16
    %m = arith.mulf %f, %sv : f16
    linalg.yield %m : f16
  } -> tensor<16x8xf16>
  %z = arith.constant 0.0 : f32
  %eo = tensor.empty() : tensor<4x8xf32>
  %fo = linalg.fill ins(%z : f32) outs(%eo : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x16xf16>, tensor<16x8xf16>) outs(%fo : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %y, %w : tensor<4x8xf32>, tensor<16x8xf16>
}
