// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @reduction_kind(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>, %r: tensor<4xf32>) {
  // expected-error @+2 {{expected ::mlir::sinter::ReductionKind to be one of: sum, max, sum_sq}}
  // expected-error @+1 {{failed to parse Sinter_ReductionAttr parameter 'kind'}}
  %0:2 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c, %r : tensor<4x4xf32>, tensor<4xf32>) {acc_type = f32, reductions = [#sinter.reduction<mean, n>]} -> tensor<4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @reduction_dim(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>, %r: tensor<4xf32>) {
  // expected-error @+2 {{expected ::mlir::sinter::GemmDim to be one of: m, n}}
  // expected-error @+1 {{failed to parse Sinter_ReductionAttr parameter 'dim'}}
  %0:2 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c, %r : tensor<4x4xf32>, tensor<4xf32>) {acc_type = f32, reductions = [#sinter.reduction<sum, k>]} -> tensor<4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @reductions_type(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>, %r: tensor<4xf32>) {
  // expected-error @+1 {{attribute 'reductions' failed to satisfy constraint: array of reductions}}
  %0:2 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c, %r : tensor<4x4xf32>, tensor<4xf32>) {acc_type = f32, reductions = ["sum"]} -> tensor<4x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @quant_scheme(%a: tensor<4x8xf16>, %b: tensor<8x4xi8>, %s: tensor<4xf16>, %c: tensor<4x4xf16>) {
  // expected-error @+2 {{expected ::mlir::sinter::QuantScheme to be one of: per_channel, grouped}}
  // expected-error @+1 {{failed to parse Sinter_WeightQuantAttr parameter 'scheme'}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf16>, tensor<8x4xi8>) scales(%s : tensor<4xf16>) outs(%c : tensor<4x4xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = per_tensor>} -> tensor<4x4xf16>
  return
}

// -----

func.func @quant_missing_scheme(%a: tensor<4x8xf16>, %b: tensor<8x4xi8>, %s: tensor<4xf16>, %c: tensor<4x4xf16>) {
  // expected-error @+1 {{struct is missing required parameter: scheme}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf16>, tensor<8x4xi8>) scales(%s : tensor<4xf16>) outs(%c : tensor<4x4xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<group_size = 8>} -> tensor<4x4xf16>
  return
}

// -----

func.func @missing_acc_type(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>) {
  // expected-error @+1 {{requires attribute 'acc_type'}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @evict_policy(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+4 {{expected ::mlir::sinter::EvictPolicy to be one of: sink_window, heavy_hitter, retention}}
  // expected-error @+3 {{failed to parse Sinter_EvictPolicyAttr parameter 'value'}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<lru>} -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}
