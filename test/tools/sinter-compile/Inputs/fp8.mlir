// fp8 only inside: the exported signature is f16/f32.
func.func @q(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %q0 = tensor.empty() : tensor<4x8xf8E4M3FN>
  %s0 = tensor.empty() : tensor<4xf32>
  %q, %s = sinter.kv.quantize ins(%x : tensor<4x8xf16>) outs(%q0, %s0 : tensor<4x8xf8E4M3FN>, tensor<4xf32>) {granularity = #sinter.granularity<per_token>} -> tensor<4x8xf8E4M3FN>, tensor<4xf32>
  %y0 = tensor.empty() : tensor<4x8xf16>
  %y = sinter.kv.dequantize ins(%q, %s : tensor<4x8xf8E4M3FN>, tensor<4xf32>) outs(%y0 : tensor<4x8xf16>) {granularity = #sinter.granularity<per_token>} -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}
