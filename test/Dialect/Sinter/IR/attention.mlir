// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s --mlir-print-op-generic | sinter-opt | FileCheck %s

// CHECK-LABEL: func @causal_gqa
// CHECK: sinter.attention ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x8x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<1x8x16x64xf16>, tensor<1x8x16xf32>)
// CHECK-SAME: mask = #sinter.mask<causal>
// CHECK-SAME: query_offset = 4
func.func @causal_gqa(%q: tensor<1x8x16x64xf16>, %k: tensor<1x2x16x64xf16>, %v: tensor<1x2x16x64xf16>,
    %o: tensor<1x8x16x64xf16>, %l: tensor<1x8x16xf32>) -> (tensor<1x8x16x64xf16>, tensor<1x8x16xf32>) {
  %r:2 = sinter.attention ins(%q, %k, %v : tensor<1x8x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>)
      outs(%o, %l : tensor<1x8x16x64xf16>, tensor<1x8x16xf32>) {mask = #sinter.mask<causal>, query_offset = 4 : i64}
      -> tensor<1x8x16x64xf16>, tensor<1x8x16xf32>
  return %r#0, %r#1 : tensor<1x8x16x64xf16>, tensor<1x8x16xf32>
}

// CHECK-LABEL: func @window_softcap_bias
// CHECK: bias(%{{.*}} : tensor<1x1x16x32xbf16>)
// CHECK-SAME: mask = #sinter.mask<sliding_window>
// CHECK-SAME: softcap = 5.000000e+01 : f32
// CHECK-SAME: window = 8 : i64
func.func @window_softcap_bias(%q: tensor<2x4x16x32xbf16>, %k: tensor<2x4x32x32xbf16>, %v: tensor<2x4x32x48xbf16>,
    %b: tensor<1x1x16x32xbf16>, %o: tensor<2x4x16x48xbf16>) -> tensor<2x4x16x48xbf16> {
  %r = sinter.attention ins(%q, %k, %v : tensor<2x4x16x32xbf16>, tensor<2x4x32x32xbf16>, tensor<2x4x32x48xbf16>)
      bias(%b : tensor<1x1x16x32xbf16>) outs(%o : tensor<2x4x16x48xbf16>)
      {mask = #sinter.mask<sliding_window>, window = 8 : i64, softcap = 50.0 : f32, scale = 0.125 : f32}
      -> tensor<2x4x16x48xbf16>
  return %r : tensor<2x4x16x48xbf16>
}

// CHECK-LABEL: func @dynamic_seq
// CHECK: sinter.attention
// CHECK-SAME: tensor<1x4x?x16xf32>
func.func @dynamic_seq(%q: tensor<1x4x?x16xf32>, %k: tensor<1x1x?x16xf32>, %o: tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32> {
  %r = sinter.attention ins(%q, %k, %k : tensor<1x4x?x16xf32>, tensor<1x1x?x16xf32>, tensor<1x1x?x16xf32>)
      outs(%o : tensor<1x4x?x16xf32>) -> tensor<1x4x?x16xf32>
  return %r : tensor<1x4x?x16xf32>
}

// CHECK-LABEL: func @token_major
// CHECK: sinter.attention {{.*}} {layout = #sinter.layout<bshd>, mask = #sinter.mask<causal>} -> tensor<1x16x8x64xf16>
func.func @token_major(%q: tensor<1x16x8x64xf16>, %k: tensor<1x16x2x64xf16>, %o: tensor<1x16x8x64xf16>) -> tensor<1x16x8x64xf16> {
  %r = sinter.attention ins(%q, %k, %k : tensor<1x16x8x64xf16>, tensor<1x16x2x64xf16>, tensor<1x16x2x64xf16>)
      outs(%o : tensor<1x16x8x64xf16>) {layout = #sinter.layout<bshd>, mask = #sinter.mask<causal>} -> tensor<1x16x8x64xf16>
  return %r : tensor<1x16x8x64xf16>
}

// CHECK-LABEL: func @with_rope
// CHECK: sinter.attention {{.*}} rope(%{{.*}}, %{{.*}} : tensor<16x32xf32>, tensor<16x32xf32>) outs({{.*}}) {rope_mode = #sinter.rope_mode<interleaved>}
func.func @with_rope(%q: tensor<1x8x16x64xf16>, %k: tensor<1x2x16x64xf16>, %c: tensor<16x32xf32>, %o: tensor<1x8x16x64xf16>) -> tensor<1x8x16x64xf16> {
  %r = sinter.attention ins(%q, %k, %k : tensor<1x8x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>)
      rope(%c, %c : tensor<16x32xf32>, tensor<16x32xf32>) outs(%o : tensor<1x8x16x64xf16>)
      {rope_mode = #sinter.rope_mode<interleaved>} -> tensor<1x8x16x64xf16>
  return %r : tensor<1x8x16x64xf16>
}
