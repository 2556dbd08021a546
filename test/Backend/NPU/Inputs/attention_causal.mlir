// Causal GQA attention named `kernel` (2 query heads per KV head), the
// form bench/npu/attention_driver.cpp runs: 3 query blocks of 128.
func.func @kernel(%q: tensor<1x4x384x64xf16>, %k: tensor<1x2x384x64xf16>, %v: tensor<1x2x384x64xf16>) -> tensor<1x4x384x64xf16> {
  %o = tensor.empty() : tensor<1x4x384x64xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x4x384x64xf16>, tensor<1x2x384x64xf16>, tensor<1x2x384x64xf16>) outs(%o : tensor<1x4x384x64xf16>) {mask = #sinter.mask<causal>} -> tensor<1x4x384x64xf16>
  return %r : tensor<1x4x384x64xf16>
}
