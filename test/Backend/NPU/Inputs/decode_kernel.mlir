// A decode-shaped f16 GEMM (16 rows) named `kernel`: A fits in L1, so it
// is loaded once and stays there (decode-resident-a.test).
func.func @kernel(%a: tensor<16x512xf16>, %b: tensor<512x384xf16>) -> tensor<16x384xf16> {
  %o = tensor.empty() : tensor<16x384xf16>
  %y = sinter.gemm ins(%a, %b : tensor<16x512xf16>, tensor<512x384xf16>) outs(%o : tensor<16x384xf16>) {acc_type = f32} -> tensor<16x384xf16>
  return %y : tensor<16x384xf16>
}
