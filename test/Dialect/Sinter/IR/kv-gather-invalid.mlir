// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @too_long(%c: tensor<32x16x2x64xf16>, %bt: tensor<2x4xi32>, %l: tensor<2xi32>, %g: tensor<2x2x65x64xf16>) {
  // expected-error @+1 {{output length 65 exceeds what the block table can address (4 blocks of 16)}}
  %r = sinter.kv.gather ins(%c, %bt, %l : tensor<32x16x2x64xf16>, tensor<2x4xi32>, tensor<2xi32>) outs(%g : tensor<2x2x65x64xf16>) -> tensor<2x2x65x64xf16>
  return
}

// -----

func.func @lens(%c: tensor<32x16x2x64xf16>, %bt: tensor<2x4xi32>, %l: tensor<3xi32>, %g: tensor<2x2x64x64xf16>) {
  // expected-error @+1 {{seq_lens has shape [3] but expected [2] (dimension 0 differs)}}
  %r = sinter.kv.gather ins(%c, %bt, %l : tensor<32x16x2x64xf16>, tensor<2x4xi32>, tensor<3xi32>) outs(%g : tensor<2x2x64x64xf16>) -> tensor<2x2x64x64xf16>
  return
}

// -----

func.func @heads(%c: tensor<32x16x2x64xf16>, %bt: tensor<2x4xi32>, %l: tensor<2xi32>, %g: tensor<2x4x64x64xf16>) {
  // expected-error @+1 {{output has shape [2, 4, 64, 64] but expected [2, 2, 64, 64] (dimension 1 differs)}}
  %r = sinter.kv.gather ins(%c, %bt, %l : tensor<32x16x2x64xf16>, tensor<2x4xi32>, tensor<2xi32>) outs(%g : tensor<2x4x64x64xf16>) -> tensor<2x4x64x64xf16>
  return
}

// -----

func.func @dtype(%c: tensor<32x16x2x64xf16>, %bt: tensor<2x4xi32>, %l: tensor<2xi32>, %g: tensor<2x2x64x64xbf16>) {
  // expected-error @+1 {{output and cache element types differ}}
  %r = sinter.kv.gather ins(%c, %bt, %l : tensor<32x16x2x64xf16>, tensor<2x4xi32>, tensor<2xi32>) outs(%g : tensor<2x2x64x64xbf16>) -> tensor<2x2x64x64xbf16>
  return
}
