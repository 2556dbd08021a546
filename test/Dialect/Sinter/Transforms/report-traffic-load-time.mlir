// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-report-traffic -o /dev/null | FileCheck %s

// A kernel that only reads weights (arguments marked sinter.weight) runs
// once at load time: it is listed, but not counted per call.
// CHECK: 0    load-time  linalg.generic
// CHECK: 1    gemm       sinter.gemm
// CHECK: kernels: 1 (1 gemm, 0 attention, 0 other), plus 1 load-time kernel(s) on weights, not counted per call
// Per call, only x and the scaled weights are read (the minimum still
// counts g, which the load-time kernel already folded in).
// CHECK: HBM bytes: 8192 (read 6144, written 2048)
// CHECK: compulsory minimum: 8320 (read 6272, written 2048)
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @f(%x: tensor<16x32xf32>, %w: tensor<32x32xf32> {sinter.weight}, %g: tensor<32xf32> {sinter.weight}) -> tensor<16x32xf32> {
  %e = tensor.empty() : tensor<32x32xf32>
  %ws = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w, %g : tensor<32x32xf32>, tensor<32xf32>) outs(%e : tensor<32x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<32x32xf32>
  %eo = tensor.empty() : tensor<16x32xf32>
  %y = sinter.gemm ins(%x, %ws : tensor<16x32xf32>, tensor<32x32xf32>) outs(%eo : tensor<16x32xf32>) {acc_type = f32} -> tensor<16x32xf32>
  return %y : tensor<16x32xf32>
}
