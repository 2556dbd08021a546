// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @qtype(%x: tensor<4x8xf16>, %q: tensor<4x8xi16>, %s: tensor<4xf32>) {
  // expected-error @+1 {{quantized element type must be i8 or f8E4M3FN, got 'i16'}}
  %r:2 = sinter.kv.quantize ins(%x : tensor<4x8xf16>) outs(%q, %s : tensor<4x8xi16>, tensor<4xf32>) {granularity = #sinter.granularity<per_token>} -> tensor<4x8xi16>, tensor<4xf32>
  return
}

// -----

func.func @scale_shape(%x: tensor<4x8xf16>, %q: tensor<4x8xi8>, %s: tensor<4xf32>) {
  // expected-error @+1 {{scales has shape [4] but expected [8] (dimension 0 differs)}}
  %r:2 = sinter.kv.quantize ins(%x : tensor<4x8xf16>) outs(%q, %s : tensor<4x8xi8>, tensor<4xf32>) {granularity = #sinter.granularity<per_channel>} -> tensor<4x8xi8>, tensor<4xf32>
  return
}

// -----

func.func @scale_type(%x: tensor<4x8xf16>, %q: tensor<4x8xi8>, %s: tensor<4xf16>) {
  // expected-error @+1 {{scales must be f32, got 'f16'}}
  %r:2 = sinter.kv.quantize ins(%x : tensor<4x8xf16>) outs(%q, %s : tensor<4x8xi8>, tensor<4xf16>) {granularity = #sinter.granularity<per_token>} -> tensor<4x8xi8>, tensor<4xf16>
  return
}

// -----

func.func @rank(%x: tensor<8xf16>, %q: tensor<8xi8>, %s: tensor<f32>) {
  // expected-error @+1 {{expects a tensor of rank >= 2 ([..., S, D])}}
  %r:2 = sinter.kv.quantize ins(%x : tensor<8xf16>) outs(%q, %s : tensor<8xi8>, tensor<f32>) {granularity = #sinter.granularity<per_token>} -> tensor<8xi8>, tensor<f32>
  return
}

// -----

func.func @dequant_shape(%q: tensor<4x8xi8>, %s: tensor<4xf32>, %y: tensor<4x9xf16>) {
  // expected-error @+1 {{quantized tensor has shape [4, 8] but expected [4, 9] (dimension 1 differs)}}
  %r = sinter.kv.dequantize ins(%q, %s : tensor<4x8xi8>, tensor<4xf32>) outs(%y : tensor<4x9xf16>) {granularity = #sinter.granularity<per_token>} -> tensor<4x9xf16>
  return
}

// -----

func.func @dequant_out(%q: tensor<4x8xi8>, %s: tensor<4xf32>, %y: tensor<4x8xi32>) {
  // expected-error @+1 {{float tensor must have an f16, bf16 or f32 element type, got 'i32'}}
  %r = sinter.kv.dequantize ins(%q, %s : tensor<4x8xi8>, tensor<4xf32>) outs(%y : tensor<4x8xi32>) {granularity = #sinter.granularity<per_token>} -> tensor<4x8xi32>
  return
}

// -----

func.func @missing_granularity(%q: tensor<4x8xi8>, %s: tensor<4xf32>, %y: tensor<4x8xf16>) {
  // expected-error @+1 {{requires attribute 'granularity'}}
  %r = sinter.kv.dequantize ins(%q, %s : tensor<4x8xi8>, tensor<4xf32>) outs(%y : tensor<4x8xf16>) -> tensor<4x8xf16>
  return
}
