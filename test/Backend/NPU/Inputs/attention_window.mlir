// Sliding-window attention named `kernel`: each query sees its last 200
// keys (a window that does not align with the 128-key blocks).
func.func @kernel(%q: tensor<1x2x512x64xf16>, %k: tensor<1x2x512x64xf16>, %v: tensor<1x2x512x64xf16>) -> tensor<1x2x512x64xf16> {
  %o = tensor.empty() : tensor<1x2x512x64xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x512x64xf16>, tensor<1x2x512x64xf16>, tensor<1x2x512x64xf16>) outs(%o : tensor<1x2x512x64xf16>) {mask = #sinter.mask<sliding_window>, window = 200} -> tensor<1x2x512x64xf16>
  return %r : tensor<1x2x512x64xf16>
}
