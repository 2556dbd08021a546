// A W4A16 decode-shaped GEMM: f16 activations, int4 weights with f16
// scales per 128 rows of k.
func.func @kernel(%a: tensor<16x512xf16>, %q: tensor<512x384xi4>, %s: tensor<4x384xf16>) -> tensor<16x384xf16> {
  %o = tensor.empty() : tensor<16x384xf16>
  %y = sinter.gemm ins(%a, %q : tensor<16x512xf16>, tensor<512x384xi4>) scales(%s : tensor<4x384xf16>) outs(%o : tensor<16x384xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 128>} -> tensor<16x384xf16>
  return %y : tensor<16x384xf16>
}
