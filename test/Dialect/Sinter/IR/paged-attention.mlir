// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s --mlir-print-op-generic | sinter-opt | FileCheck %s

// CHECK-LABEL: func @decode
// CHECK: sinter.paged_attention ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>, tensor<128x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>)
// CHECK-SAME: outs(%{{.*}} : tensor<4x8x1x64xf16>)
func.func @decode(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x16x2x64xf16>, %vc: tensor<128x16x2x64xf16>,
    %bt: tensor<4x32xi32>, %lens: tensor<4xi32>, %o: tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16> {
  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>,
      tensor<128x16x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return %r : tensor<4x8x1x64xf16>
}

// CHECK-LABEL: func @chunked_prefill_window
// CHECK: mask = #sinter.mask<sliding_window>
// CHECK-SAME: window = 128
func.func @chunked_prefill_window(%q: tensor<2x4x32x64xbf16>, %kc: tensor<?x16x4x64xbf16>, %bt: tensor<2x?xi64>,
    %lens: tensor<2xindex>, %o: tensor<2x4x32x64xbf16>, %l: tensor<2x4x32xf32>) -> tensor<2x4x32x64xbf16> {
  %r:2 = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<2x4x32x64xbf16>, tensor<?x16x4x64xbf16>,
      tensor<?x16x4x64xbf16>, tensor<2x?xi64>, tensor<2xindex>) outs(%o, %l : tensor<2x4x32x64xbf16>, tensor<2x4x32xf32>)
      {mask = #sinter.mask<sliding_window>, window = 128 : i64} -> tensor<2x4x32x64xbf16>, tensor<2x4x32xf32>
  return %r#0 : tensor<2x4x32x64xbf16>
}
