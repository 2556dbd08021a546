// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-tile=remarks=true -verify-diagnostics -o /dev/null

func.func @gemm(%a: tensor<4096x4096xbf16>, %b: tensor<4096x4096xbf16>, %c: tensor<4096x4096xbf16>) -> tensor<4096x4096xbf16> {
  // expected-remark @below {{gemm tile 128x256 with k step 64 in smem; A panel of 4096 rows resident in l2; predicted off-chip 100663296 B (bound 100663296 B, ratio 1.000)}}
  %0 = sinter.gemm ins(%a, %b : tensor<4096x4096xbf16>, tensor<4096x4096xbf16>) outs(%c : tensor<4096x4096xbf16>) {acc_type = f32} -> tensor<4096x4096xbf16>
  return %0 : tensor<4096x4096xbf16>
}

func.func @attention(%q: tensor<1x32x2048x128xbf16>, %k: tensor<1x8x2048x128xbf16>, %v: tensor<1x8x2048x128xbf16>, %o: tensor<1x32x2048x128xbf16>) -> tensor<1x32x2048x128xbf16> {
  // expected-remark @below {{flash attention: 32 query tokens x 4 heads per tile, key blocks of 64, 1 KV split(s), 1056 key blocks per KV head (64 masked) in smem; K/V of 4 head(s) resident in l2}}
  %0 = sinter.attention ins(%q, %k, %v : tensor<1x32x2048x128xbf16>, tensor<1x8x2048x128xbf16>, tensor<1x8x2048x128xbf16>) outs(%o : tensor<1x32x2048x128xbf16>) {mask = #sinter.mask<causal>} -> tensor<1x32x2048x128xbf16>
  return %0 : tensor<1x32x2048x128xbf16>
}

func.func @norm(%x: tensor<2048x4096xbf16>, %g: tensor<4096xbf16>, %o: tensor<2048x4096xbf16>) -> tensor<2048x4096xbf16> {
  // expected-remark @below {{tiles of 2 x all in smem}}
  %0 = sinter.rms_norm ins(%x, %g : tensor<2048x4096xbf16>, tensor<4096xbf16>) outs(%o : tensor<2048x4096xbf16>) -> tensor<2048x4096xbf16>
  return %0 : tensor<2048x4096xbf16>
}
