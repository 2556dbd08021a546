// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @rotary(%x: tensor<1x2x16x64xf16>, %c: tensor<16x33xf32>) {
  // expected-error @+1 {{rotary dimension 66 (2 * cos.shape[1]) exceeds the feature dimension 64}}
  %0 = sinter.rope ins(%x, %c, %c : tensor<1x2x16x64xf16>, tensor<16x33xf32>, tensor<16x33xf32>) outs(%x : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @positions(%x: tensor<1x2x16x64xf16>, %c: tensor<8x32xf32>) {
  // expected-error @+1 {{cos/sin have 8 positions but input dimension 2 has size 16}}
  %0 = sinter.rope ins(%x, %c, %c : tensor<1x2x16x64xf16>, tensor<8x32xf32>, tensor<8x32xf32>) outs(%x : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @seq_dim(%x: tensor<1x2x16x64xf16>, %c: tensor<16x32xf32>) {
  // expected-error @+1 {{seq_dim 3 must name a dimension other than the last}}
  %0 = sinter.rope ins(%x, %c, %c : tensor<1x2x16x64xf16>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%x : tensor<1x2x16x64xf16>) {seq_dim = 3 : i64} -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @tables(%x: tensor<1x2x16x64xf16>, %c: tensor<16x32xf32>, %s: tensor<16x32xf16>) {
  // expected-error @+1 {{cos and sin must have the same type, got 'tensor<16x32xf32>' and 'tensor<16x32xf16>'}}
  %0 = sinter.rope ins(%x, %c, %s : tensor<1x2x16x64xf16>, tensor<16x32xf32>, tensor<16x32xf16>) outs(%x : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @bad_mode(%x: tensor<1x2x16x64xf16>, %c: tensor<16x32xf32>) {
  // expected-error @+2 {{expected ::mlir::sinter::RopeMode to be one of: half, interleaved}}
  // expected-error @+1 {{failed to parse Sinter_RopeModeAttr parameter 'value'}}
  %0 = sinter.rope ins(%x, %c, %c : tensor<1x2x16x64xf16>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%x : tensor<1x2x16x64xf16>) {mode = #sinter.rope_mode<quarter>} -> tensor<1x2x16x64xf16>
  return
}
