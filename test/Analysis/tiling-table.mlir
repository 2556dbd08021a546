// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-explain-tiling -o /dev/null | FileCheck %s --check-prefix=H100
// RUN: sinter-opt --sinter-attach-target=target=x86-avx512 %s --sinter-explain-tiling -o /dev/null | FileCheck %s --check-prefix=AVX512
// RUN: sinter-opt --sinter-attach-target=target=npu-910 %s --sinter-explain-tiling -o /dev/null | FileCheck %s --check-prefix=NPU
//
// The table of docs/tiling.md: predicted traffic against the lower bounds
// for the GEMM and attention shapes of issue 4 on three targets.
//
// H100: sinter tiling on nvidia-h100 (off-chip hbm, shared l2, core smem)
// H100: gemm 33:8 4096x4096x4096 128x256x64 100663296 100663296 1.000 1644167168 804521086 2.04 143.31 A panel of 4096 rows resident in l2
// H100-NEXT: gemm 37:8 16x4096x4096 64x64x256 33816576 33816576 1.000 42074112 33816576 1.24 20.82 A panel of 64 rows resident in l2
// H100-NEXT: gemm 41:8 128x8192x8192 64x128x256 138412032 138412032 1.000 404750336 138412032 2.92 42.61 A panel of 128 rows resident in l2
// H100-NEXT: attention 45:8 B4 H16 Sq4096 Skv4096 D128 128x64/1 268435456 268435456 1.000 4429185024 301401213 14.70 555.87 K/V of 6 head(s) resident in l2
// H100-NEXT: attention 49:8 B4 H16 Sq4096 Skv4096 D128 causal 128x64/1 268435456 268435456 1.000 2348810240 268435456 8.75 286.62 K/V of 6 head(s) resident in l2
// H100-NEXT: attention 53:8 B4 H16 Sq1 Skv32768 D128 1x128/2 1073906688 1073774592 1.000 1073906688 1073774592 1.00 330.59 K/V streamed once, 2 KV splits combined by LSE
//
// AVX512: sinter tiling on x86-avx512 (off-chip dram, shared l3, core l2)
// AVX512: gemm 33:8 4096x4096x4096 256x256x256 117440512 100663296 1.167 1107296256 268435456 4.12 22369.62 A panel of 3072 rows resident in l3
// AVX512-NEXT: gemm 37:8 16x4096x4096 16x256x256 33816576 33816576 1.000 35782656 33816576 1.06 338.17 A panel of 16 rows resident in l3
// AVX512-NEXT: gemm 41:8 128x8192x8192 128x256x256 138412032 138412032 1.000 203423744 138412032 1.47 2796.20 A panel of 128 rows resident in l3
// AVX512-NEXT: attention 45:8 B4 H16 Sq4096 Skv4096 D128 256x256/1 268435456 268435456 1.000 2281701376 268435456 8.50 89478.49 K/V of 2 head(s) resident in l3
// AVX512-NEXT: attention 49:8 B4 H16 Sq4096 Skv4096 D128 causal 128x128/1 268435456 268435456 1.000 2348810240 268435456 8.75 46137.34 K/V of 2 head(s) resident in l3
// AVX512-NEXT: attention 53:8 B4 H16 Sq1 Skv32768 D128 1x256/1 1073774592 1073774592 1.000 1073774592 1073774592 1.00 10737.75 K/V streamed once
//
// NPU: sinter tiling on npu-910 (off-chip hbm, shared l2, core l1)
// NPU: gemm 33:8 4096x4096x4096 256x256x256 117440512 100663296 1.167 1107296256 379625062 2.92 536.87 A panel of 3072 rows resident in l2
// NPU-NEXT: gemm 37:8 16x4096x4096 16x128x256 33816576 33816576 1.000 37879808 33816576 1.12 28.18 A panel of 16 rows resident in l2
// NPU-NEXT: gemm 41:8 128x8192x8192 128x256x256 138412032 138412032 1.000 203423744 138412032 1.47 115.34 A panel of 128 rows resident in l2
// NPU-NEXT: attention 45:8 B4 H16 Sq4096 Skv4096 D128 256x256/1 268435456 268435456 1.000 2281701376 268435456 8.50 2147.48 K/V of 3 head(s) resident in l2
// NPU-NEXT: attention 49:8 B4 H16 Sq4096 Skv4096 D128 causal 256x256/1 268435456 268435456 1.000 1275068416 268435456 4.75 1140.85 K/V of 3 head(s) resident in l2
// NPU-NEXT: attention 53:8 B4 H16 Sq1 Skv32768 D128 1x256/1 1073774592 1073774592 1.000 1073774592 1073774592 1.00 894.81 K/V streamed once
//
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

