// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-fuse --split-input-file | FileCheck %s

// x comes from a gemm: its row sum of squares becomes an extra reduction of
// that gemm; both consumers read x, scale gamma into their weights, and
// apply 1/rms in the epilogue. The norm is gone.
// CHECK-LABEL: func @from_gemm
// CHECK: %[[P:.*]]:2 = sinter.gemm ins(%arg0, %arg1 {{.*}} reductions = [#sinter.reduction<sum_sq, n>]
// CHECK: %[[W1:.*]] = linalg.generic {{.*}} ins(%arg3, %arg2 : tensor<16x8xf32>, tensor<16xf32>)
// CHECK: sinter.gemm ins(%[[P]]#0, %[[W1]] : tensor<4x16xf32>, tensor<16x8xf32>) epilogue_ins(%[[P]]#1 : tensor<4xf32>)
// CHECK: arith.constant 6.250000e-02 : f32
// CHECK: math.rsqrt
// CHECK: %[[W2:.*]] = linalg.generic {{.*}} ins(%arg4, %arg2 : tensor<8x16xf32>, tensor<16xf32>)
// CHECK: sinter.gemm ins(%[[P]]#0, %[[W2]] {{.*}} transpose_b
// CHECK-NOT: sinter.rms_norm
func.func @from_gemm(%a: tensor<4x32xf32>, %w0: tensor<32x16xf32>, %g: tensor<16xf32> {sinter.weight},
                     %w1: tensor<16x8xf32> {sinter.weight}, %w2: tensor<8x16xf32> {sinter.weight})
    -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x16xf32>
  %x = sinter.gemm ins(%a, %w0 : tensor<4x32xf32>, tensor<32x16xf32>) outs(%e : tensor<4x16xf32>) {acc_type = f32} -> tensor<4x16xf32>
  %y = sinter.rms_norm ins(%x, %g : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %eo = tensor.empty() : tensor<4x8xf32>
  %o1 = sinter.gemm ins(%y, %w1 : tensor<4x16xf32>, tensor<16x8xf32>) outs(%eo : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %o2 = sinter.gemm ins(%y, %w2 : tensor<4x16xf32>, tensor<8x16xf32>) outs(%eo : tensor<4x8xf32>) {acc_type = f32, transpose_b} -> tensor<4x8xf32>
  return %o1, %o2 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// x is a function argument: the consumer takes the statistics from the A
// rows it streams (a_row_sum_sq) and no separate pass over x remains.
// CHECK-LABEL: func @from_argument
// CHECK-NOT: linalg.generic {{.*}}"reduction"
// CHECK: sinter.gemm ins(%arg0, %{{.*}} : tensor<4x16xbf16>, tensor<16x8xbf16>) outs(%{{.*}} : tensor<4x8xbf16>) {a_row_sum_sq, acc_type = f32}
// CHECK: ^bb0(%[[ACC:.*]]: f32, %[[SS:.*]]: f32):
// CHECK: arith.mulf %[[SS]]
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @from_argument(%x: tensor<4x16xbf16>, %g: tensor<16xbf16> {sinter.weight}, %w: tensor<16x8xbf16> {sinter.weight}) -> tensor<4x8xbf16> {
  %e = tensor.empty() : tensor<4x16xbf16>
  %y = sinter.rms_norm ins(%x, %g : tensor<4x16xbf16>, tensor<16xbf16>) outs(%e : tensor<4x16xbf16>) -> tensor<4x16xbf16>
  %eo = tensor.empty() : tensor<4x8xbf16>
  %o = sinter.gemm ins(%y, %w : tensor<4x16xbf16>, tensor<16x8xbf16>) outs(%eo : tensor<4x8xbf16>) {acc_type = f32} -> tensor<4x8xbf16>
  return %o : tensor<4x8xbf16>
}

// -----

// Left alone: weights that change per call (no sinter.weight), and a norm
// whose output is also returned.
// CHECK-LABEL: func @left_alone
// CHECK-COUNT-2: sinter.rms_norm
func.func @left_alone(%x: tensor<4x16xf32>, %g: tensor<16xf32> {sinter.weight}, %w: tensor<16x8xf32>,
                      %wk: tensor<16x8xf32> {sinter.weight}) -> (tensor<4x8xf32>, tensor<4x16xf32>) {
  %e = tensor.empty() : tensor<4x16xf32>
  %y = sinter.rms_norm ins(%x, %g : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %eo = tensor.empty() : tensor<4x8xf32>
  %o = sinter.gemm ins(%y, %w : tensor<4x16xf32>, tensor<16x8xf32>) outs(%eo : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %y2 = sinter.rms_norm ins(%x, %g : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %o2 = sinter.gemm ins(%y2, %wk : tensor<4x16xf32>, tensor<16x8xf32>) outs(%eo : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %s = arith.addf %o, %o2 : tensor<4x8xf32>
  return %s, %y2 : tensor<4x8xf32>, tensor<4x16xf32>
}
