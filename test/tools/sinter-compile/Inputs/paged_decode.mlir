// Paged decode: split-KV and combine kernels (test/tools/sinter-compile/gpu.test).
func.func @decode(%q: tensor<3x8x1x64xbf16>, %kc: tensor<40x16x2x64xbf16>, %vc: tensor<40x16x2x64xbf16>, %bt: tensor<3x12xi32>, %lens: tensor<3xi32>) -> tensor<3x8x1x64xbf16> {
  %o = tensor.empty() : tensor<3x8x1x64xbf16>
  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<3x8x1x64xbf16>, tensor<40x16x2x64xbf16>, tensor<40x16x2x64xbf16>, tensor<3x12xi32>, tensor<3xi32>)
      outs(%o : tensor<3x8x1x64xbf16>) {mask = #sinter.mask<causal>} -> tensor<3x8x1x64xbf16>
  return %r : tensor<3x8x1x64xbf16>
}
