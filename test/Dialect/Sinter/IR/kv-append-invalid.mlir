// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @update_rank(%k: tensor<3x64xf16>, %s: tensor<3xi64>, %c: tensor<32x16x2x64xf16>) {
  // expected-error @+1 {{update must be a 3-D tensor [T, H, D], got 'tensor<3x64xf16>'}}
  %r = sinter.kv.append ins(%k, %s : tensor<3x64xf16>, tensor<3xi64>) outs(%c : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
  return
}

// -----

func.func @slots(%k: tensor<3x2x64xf16>, %s: tensor<4xi64>, %c: tensor<32x16x2x64xf16>) {
  // expected-error @+1 {{slots has shape [4] but expected [3] (dimension 0 differs)}}
  %r = sinter.kv.append ins(%k, %s : tensor<3x2x64xf16>, tensor<4xi64>) outs(%c : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
  return
}

// -----

func.func @heads(%k: tensor<3x4x64xf16>, %s: tensor<3xi64>, %c: tensor<32x16x2x64xf16>) {
  // expected-error @+1 {{update has shape [3, 4, 64] but expected [3, 2, 64] (dimension 1 differs)}}
  %r = sinter.kv.append ins(%k, %s : tensor<3x4x64xf16>, tensor<3xi64>) outs(%c : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
  return
}

// -----

func.func @dtype(%k: tensor<3x2x64xf32>, %s: tensor<3xi64>, %c: tensor<32x16x2x64xf16>) {
  // expected-error @+1 {{update and cache element types differ ('f32' vs 'f16')}}
  %r = sinter.kv.append ins(%k, %s : tensor<3x2x64xf32>, tensor<3xi64>) outs(%c : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
  return
}

// -----

func.func @result(%k: tensor<3x2x64xf16>, %s: tensor<3xi64>, %c: tensor<32x16x2x64xf16>) {
  // expected-error @+1 {{failed to verify that all of {cache, result} have same type}}
  %r = sinter.kv.append ins(%k, %s : tensor<3x2x64xf16>, tensor<3xi64>) outs(%c : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf32>
  return
}
