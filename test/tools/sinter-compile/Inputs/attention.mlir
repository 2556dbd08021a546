// A causal GQA attention with its log-sum-exp (test/tools/sinter-compile/gpu*.test).
func.func @causal_gqa(%q: tensor<2x8x100x64xbf16>, %k: tensor<2x2x100x64xbf16>, %v: tensor<2x2x100x64xbf16>) -> (tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>) {
  %o = tensor.empty() : tensor<2x8x100x64xbf16>
  %l = tensor.empty() : tensor<2x8x100xf32>
  %r:2 = sinter.attention ins(%q, %k, %v : tensor<2x8x100x64xbf16>, tensor<2x2x100x64xbf16>, tensor<2x2x100x64xbf16>)
      outs(%o, %l : tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>) {mask = #sinter.mask<causal>} -> tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
  return %r#0, %r#1 : tensor<2x8x100x64xbf16>, tensor<2x8x100xf32>
}
