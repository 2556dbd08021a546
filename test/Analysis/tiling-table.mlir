// The shapes of docs/tiling.md.
func.func @gemm_square(%a: tensor<4096x4096xbf16>, %b: tensor<4096x4096xbf16>, %c: tensor<4096x4096xbf16>) -> tensor<4096x4096xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) outs(%c : tensor<4096x4096xbf16>) {acc_type = f32} -> tensor<4096x4096xbf16>
  return %0 : tensor<4096x4096xbf16>
}
func.func @gemm_skinny(%a: tensor<16x4096xbf16>, %b: tensor<4096x4096xbf16>, %c: tensor<16x4096xbf16>) -> tensor<16x4096xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<16x4096xbf16>, tensor<4096x4096xbf16>) outs(%c : tensor<16x4096xbf16>) {acc_type = f32} -> tensor<16x4096xbf16>
  return %0 : tensor<16x4096xbf16>
}
func.func @gemm_wide(%a: tensor<128x8192xbf16>, %b: tensor<8192x8192xbf16>, %c: tensor<128x8192xbf16>) -> tensor<128x8192xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<128x8192xbf16>, tensor<8192x8192xbf16>) outs(%c : tensor<128x8192xbf16>) {acc_type = f32} -> tensor<128x8192xbf16>
  return %0 : tensor<128x8192xbf16>
}
func.func @attention(%q: tensor<4x16x4096x128xbf16>, %k: tensor<4x16x4096x128xbf16>, %v: tensor<4x16x4096x128xbf16>, %o: tensor<4x16x4096x128xbf16>) -> tensor<4x16x4096x128xbf16> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>) outs(%o : tensor<4x16x4096x128xbf16>) -> tensor<4x16x4096x128xbf16>
  return %0 : tensor<4x16x4096x128xbf16>
}
func.func @attention_causal(%q: tensor<4x16x4096x128xbf16>, %k: tensor<4x16x4096x128xbf16>, %v: tensor<4x16x4096x128xbf16>, %o: tensor<4x16x4096x128xbf16>) -> tensor<4x16x4096x128xbf16> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>, tensor<4x16x4096x128xbf16>) outs(%o : tensor<4x16x4096x128xbf16>) {mask = #sinter.mask<causal>} -> tensor<4x16x4096x128xbf16>
  return %0 : tensor<4x16x4096x128xbf16>
}
func.func @decode(%q: tensor<4x16x1x128xbf16>, %k: tensor<4x16x32768x128xbf16>, %v: tensor<4x16x32768x128xbf16>, %o: tensor<4x16x1x128xbf16>) -> tensor<4x16x1x128xbf16> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<4x16x1x128xbf16>, tensor<4x16x32768x128xbf16>, tensor<4x16x32768x128xbf16>) outs(%o : tensor<4x16x1x128xbf16>) -> tensor<4x16x1x128xbf16>
  return %0 : tensor<4x16x1x128xbf16>
}
