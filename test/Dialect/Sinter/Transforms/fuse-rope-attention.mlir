// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-fuse | FileCheck %s

// RoPE on token-major Q and K feeding attention is applied by the attention.
// CHECK-LABEL: func @rope_then_attention
// CHECK-NOT: sinter.rope
// CHECK: %[[Q:.*]] = tensor.expand_shape %arg0
// CHECK: %[[K:.*]] = tensor.expand_shape %arg1
// CHECK: sinter.attention ins(%[[Q]], %[[K]], %{{.*}}) rope(%arg3, %arg4 : tensor<5x4xf32>, tensor<5x4xf32>)
// CHECK-SAME: layout = #sinter.layout<bshd>
func.func @rope_then_attention(%q: tensor<5x4x8xf32>, %k: tensor<5x2x8xf32>, %v: tensor<1x5x2x8xf32>,
                               %cos: tensor<5x4xf32>, %sin: tensor<5x4xf32>) -> tensor<1x5x4x8xf32> {
  %eq = tensor.empty() : tensor<5x4x8xf32>
  %ek = tensor.empty() : tensor<5x2x8xf32>
  %qr = sinter.rope ins(%q, %cos, %sin : tensor<5x4x8xf32>, tensor<5x4xf32>, tensor<5x4xf32>) outs(%eq : tensor<5x4x8xf32>) {seq_dim = 0 : i64} -> tensor<5x4x8xf32>
  %kr = sinter.rope ins(%k, %cos, %sin : tensor<5x2x8xf32>, tensor<5x4xf32>, tensor<5x4xf32>) outs(%ek : tensor<5x2x8xf32>) {seq_dim = 0 : i64} -> tensor<5x2x8xf32>
  %q4 = tensor.expand_shape %qr [[0, 1], [2], [3]] output_shape [1, 5, 4, 8] : tensor<5x4x8xf32> into tensor<1x5x4x8xf32>
  %k4 = tensor.expand_shape %kr [[0, 1], [2], [3]] output_shape [1, 5, 2, 8] : tensor<5x2x8xf32> into tensor<1x5x2x8xf32>
  %o = tensor.empty() : tensor<1x5x4x8xf32>
  %r = sinter.attention ins(%q4, %k4, %v : tensor<1x5x4x8xf32>, tensor<1x5x2x8xf32>, tensor<1x5x2x8xf32>) outs(%o : tensor<1x5x4x8xf32>)
      {layout = #sinter.layout<bshd>, mask = #sinter.mask<causal>} -> tensor<1x5x4x8xf32>
  return %r : tensor<1x5x4x8xf32>
}
