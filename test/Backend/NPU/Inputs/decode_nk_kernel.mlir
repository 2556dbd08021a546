// A decode-shaped GEMM named `kernel` with B stored [N, K]: A resident in
// L1, one tile per block.
func.func @kernel(%a: tensor<16x512xf16>, %b: tensor<384x512xf16>) -> tensor<16x384xf16> {
  %o = tensor.empty() : tensor<16x384xf16>
  %y = sinter.gemm ins(%a, %b : tensor<16x512xf16>, tensor<384x512xf16>) outs(%o : tensor<16x384xf16>) {acc_type = f32, transpose_b} -> tensor<16x384xf16>
  return %y : tensor<16x384xf16>
}
