// Unmasked attention named `kernel` with softcapped logits (cap 1.5, low
// enough to change the result for inputs in [-1, 1) at D = 64).
func.func @kernel(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x256x64xf16>, %v: tensor<1x2x256x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = tensor.empty() : tensor<1x2x128x64xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x128x64xf16>, tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>) outs(%o : tensor<1x2x128x64xf16>) {softcap = 1.5 : f32} -> tensor<1x2x128x64xf16>
  return %r : tensor<1x2x128x64xf16>
}
