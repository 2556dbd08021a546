// kv.gather of 2 sequences of up to 40 tokens from a [8, 16, 2, 64] f16
// cache.
func.func @gather(%c: tensor<8x16x2x64xf16>, %bt: tensor<2x3xi32>, %l: tensor<2xi32>) -> tensor<2x2x40x64xf16> {
  %o = tensor.empty() : tensor<2x2x40x64xf16>
  %g = sinter.kv.gather ins(%c, %bt, %l : tensor<8x16x2x64xf16>, tensor<2x3xi32>, tensor<2xi32>) outs(%o : tensor<2x2x40x64xf16>) -> tensor<2x2x40x64xf16>
  return %g : tensor<2x2x40x64xf16>
}
