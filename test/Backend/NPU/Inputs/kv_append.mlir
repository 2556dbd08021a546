// kv.append of 5 tokens into a [8, 16, 2, 64] f16 cache.
func.func @append(%u: tensor<5x2x64xf16>, %s: tensor<5xi64>, %c: tensor<8x16x2x64xf16>) -> tensor<8x16x2x64xf16> {
  %r = sinter.kv.append ins(%u, %s : tensor<5x2x64xf16>, tensor<5xi64>) outs(%c : tensor<8x16x2x64xf16>) -> tensor<8x16x2x64xf16>
  return %r : tensor<8x16x2x64xf16>
}
