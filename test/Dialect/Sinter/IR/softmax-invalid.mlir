// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @dim(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{dim 2 is out of range for a rank-2 input}}
  %0 = sinter.softmax ins(%x : tensor<8x64xf32>) outs(%x : tensor<8x64xf32>) {dim = 2 : i64} -> tensor<8x64xf32>
  return
}

// -----

func.func @shape(%x: tensor<8x64xf32>, %y: tensor<8x63xf32>) {
  // expected-error @+1 {{output has shape [8, 63] but expected [8, 64] (dimension 1 differs)}}
  %0 = sinter.softmax ins(%x : tensor<8x64xf32>) outs(%y : tensor<8x63xf32>) {dim = 1 : i64} -> tensor<8x63xf32>
  return
}

// -----

func.func @dtype(%x: tensor<8x64xi8>) {
  // expected-error @+1 {{input must have an f16, bf16 or f32 element type, got 'i8'}}
  %0 = sinter.softmax ins(%x : tensor<8x64xi8>) outs(%x : tensor<8x64xi8>) {dim = 1 : i64} -> tensor<8x64xi8>
  return
}

// -----

func.func @missing_dim(%x: tensor<8x64xf32>) {
  // expected-error @+1 {{requires attribute 'dim'}}
  %0 = sinter.softmax ins(%x : tensor<8x64xf32>) outs(%x : tensor<8x64xf32>) -> tensor<8x64xf32>
  return
}
