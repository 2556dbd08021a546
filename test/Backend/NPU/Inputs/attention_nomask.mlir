// Attention without a mask named `kernel`, D = 128, 2 query blocks.
func.func @kernel(%q: tensor<1x2x256x128xf16>, %k: tensor<1x2x256x128xf16>, %v: tensor<1x2x256x128xf16>) -> tensor<1x2x256x128xf16> {
  %o = tensor.empty() : tensor<1x2x256x128xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x256x128xf16>, tensor<1x2x256x128xf16>, tensor<1x2x256x128xf16>) outs(%o : tensor<1x2x256x128xf16>) -> tensor<1x2x256x128xf16>
  return %r : tensor<1x2x256x128xf16>
}
