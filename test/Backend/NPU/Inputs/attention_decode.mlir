// A decode named `kernel`: one query per head, 4 query heads per KV head,
// 512 cached keys.
func.func @kernel(%q: tensor<2x8x1x128xf16>, %k: tensor<2x2x512x128xf16>, %v: tensor<2x2x512x128xf16>) -> tensor<2x8x1x128xf16> {
  %o = tensor.empty() : tensor<2x8x1x128xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<2x8x1x128xf16>, tensor<2x2x512x128xf16>, tensor<2x2x512x128xf16>) outs(%o : tensor<2x8x1x128xf16>) -> tensor<2x8x1x128xf16>
  return %r : tensor<2x8x1x128xf16>
}
