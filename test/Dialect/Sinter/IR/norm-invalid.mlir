// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @gamma(%x: tensor<8x64xf32>, %g: tensor<32xf32>, %y: tensor<8x64xf32>) {
  // expected-error @+1 {{scale/shift has shape [32] but expected [64] (dimension 0 differs)}}
  %0 = sinter.rms_norm ins(%x, %g : tensor<8x64xf32>, tensor<32xf32>) outs(%y : tensor<8x64xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @dtype(%x: tensor<8x64xi32>, %g: tensor<64xf32>, %y: tensor<8x64xf32>) {
  // expected-error @+1 {{input must have an f16, bf16 or f32 element type, got 'i32'}}
  %0 = sinter.rms_norm ins(%x, %g : tensor<8x64xi32>, tensor<64xf32>) outs(%y : tensor<8x64xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @eps(%x: tensor<8x64xf32>, %g: tensor<64xf32>, %y: tensor<8x64xf32>) {
  // expected-error @+1 {{epsilon must be a non-negative finite number}}
  %0 = sinter.rms_norm ins(%x, %g : tensor<8x64xf32>, tensor<64xf32>) outs(%y : tensor<8x64xf32>) {epsilon = -1.0 : f32} -> tensor<8x64xf32>
  return
}

// -----

func.func @ln_shape(%x: tensor<8x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>, %y: tensor<8x32xf32>) {
  // expected-error @+1 {{output has shape [8, 32] but expected [8, 64] (dimension 1 differs)}}
  %0 = sinter.layer_norm ins(%x, %g, %b : tensor<8x64xf32>, tensor<64xf32>, tensor<64xf32>) outs(%y : tensor<8x32xf32>) -> tensor<8x32xf32>
  return
}

// -----

func.func @ln_beta(%x: tensor<8x64xf32>, %g: tensor<64xf32>, %b: tensor<64x1xf32>, %y: tensor<8x64xf32>) {
  // expected-error @+1 {{scale/shift must have rank 1 (shape [64]), got 'tensor<64x1xf32>'}}
  %0 = sinter.layer_norm ins(%x, %g, %b : tensor<8x64xf32>, tensor<64xf32>, tensor<64x1xf32>) outs(%y : tensor<8x64xf32>) -> tensor<8x64xf32>
  return
}
