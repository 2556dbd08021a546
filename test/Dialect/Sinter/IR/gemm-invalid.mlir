// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @rank(%a: tensor<16xf32>, %b: tensor<16x8xf32>, %c: tensor<16x8xf32>) {
  // expected-error @+1 {{operand A must have rank >= 2}}
  %0 = sinter.gemm ins(%a, %b : tensor<16xf32>, tensor<16x8xf32>) outs(%c : tensor<16x8xf32>) {acc_type = f32} -> tensor<16x8xf32>
  return
}

// -----

func.func @contraction(%a: tensor<4x16xf32>, %b: tensor<15x8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{contraction sizes differ: A has K = 16, B has K = 15}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<15x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  return
}

// -----

func.func @batch(%a: tensor<2x4x16xf32>, %b: tensor<3x16x8xf32>, %c: tensor<2x4x8xf32>) {
  // expected-error @+1 {{batch dimension 0 of A (2) and B (3) differ}}
  %0 = sinter.gemm ins(%a, %b : tensor<2x4x16xf32>, tensor<3x16x8xf32>) outs(%c : tensor<2x4x8xf32>) {acc_type = f32} -> tensor<2x4x8xf32>
  return
}

// -----

func.func @acc_type(%a: tensor<4x16xf16>, %b: tensor<16x8xf16>, %c: tensor<4x8xf16>) {
  // expected-error @+1 {{acc_type must be f32 for 'f16' inputs, got 'f16'}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf16>, tensor<16x8xf16>) outs(%c : tensor<4x8xf16>) {acc_type = f16} -> tensor<4x8xf16>
  return
}

// -----

func.func @int_acc(%a: tensor<4x16xi8>, %b: tensor<16x8xi8>, %c: tensor<4x8xi32>) {
  // expected-error @+1 {{acc_type must be i32 for i8 inputs}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xi8>, tensor<16x8xi8>) outs(%c : tensor<4x8xi32>) {acc_type = f32} -> tensor<4x8xi32>
  return
}

// -----

func.func @dtype(%a: tensor<4x16xf64>, %b: tensor<16x8xf64>, %c: tensor<4x8xf64>) {
  // expected-error @+1 {{unsupported element type for A: 'f64'}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf64>, tensor<16x8xf64>) outs(%c : tensor<4x8xf64>) {acc_type = f32} -> tensor<4x8xf64>
  return
}

// -----

func.func @mixed(%a: tensor<4x16xf16>, %b: tensor<16x8xbf16>, %c: tensor<4x8xf16>) {
  // expected-error @+1 {{operand B element type must match A's}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf16>, tensor<16x8xbf16>) outs(%c : tensor<4x8xf16>) {acc_type = f32} -> tensor<4x8xf16>
  return
}

// -----

func.func @quant_missing(%a: tensor<4x16xf16>, %b: tensor<16x8xi8>, %c: tensor<4x8xf16>) {
  // expected-error @+1 {{quantized B operand ('i8') requires a #sinter.weight_quant b_quant attribute and scales}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf16>, tensor<16x8xi8>) outs(%c : tensor<4x8xf16>) {acc_type = f32} -> tensor<4x8xf16>
  return
}

// -----

func.func @quant_on_float(%a: tensor<4x16xf16>, %b: tensor<16x8xf16>, %s: tensor<8xf16>, %c: tensor<4x8xf16>) {
  // expected-error @+1 {{b_quant, scales and zero_points are only valid with an integer B operand}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf16>, tensor<16x8xf16>) scales(%s : tensor<8xf16>) outs(%c : tensor<4x8xf16>)
      {acc_type = f32, b_quant = #sinter.weight_quant<scheme = per_channel>} -> tensor<4x8xf16>
  return
}

// -----

func.func @group_scales(%a: tensor<4x70xf16>, %b: tensor<70x8xi4>, %s: tensor<4x8xf16>, %c: tensor<4x8xf16>) {
  // expected-error @+1 {{scales has shape [4, 8] but expected [5, 8] (dimension 0 differs)}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x70xf16>, tensor<70x8xi4>) scales(%s : tensor<4x8xf16>) outs(%c : tensor<4x8xf16>)
      {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 16>} -> tensor<4x8xf16>
  return
}

// -----

func.func @group_size(%a: tensor<4x64xf16>, %b: tensor<64x8xi4>, %s: tensor<4x8xf16>, %c: tensor<4x8xf16>) {
  // expected-error @+1 {{grouped quantization needs a positive group_size, got 0}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x64xf16>, tensor<64x8xi4>) scales(%s : tensor<4x8xf16>) outs(%c : tensor<4x8xf16>)
      {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped>} -> tensor<4x8xf16>
  return
}

// -----

func.func @zero_point_type(%a: tensor<4x64xf16>, %b: tensor<64x8xi4>, %s: tensor<8xf16>, %z: tensor<8xi8>, %c: tensor<4x8xf16>) {
  // expected-error @+1 {{zero_points must have B's element type ('i4'), got 'i8'}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x64xf16>, tensor<64x8xi4>) scales(%s : tensor<8xf16>) zero_points(%z : tensor<8xi8>)
      outs(%c : tensor<4x8xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = per_channel>} -> tensor<4x8xf16>
  return
}

// -----

func.func @map_count(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %bias: tensor<8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{expected one epilogue map per epilogue operand (1), got 0}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) epilogue_ins(%bias : tensor<8xf32>) outs(%c : tensor<4x8xf32>)
      {acc_type = f32} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32, %y: f32):
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @map_projection(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %bias: tensor<8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{epilogue map #0 must be a projection of (batch..., m, n)}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) epilogue_ins(%bias : tensor<8xf32>) outs(%c : tensor<4x8xf32>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (m + n)>]} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32, %y: f32):
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @map_size(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %bias: tensor<7xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{epilogue operand #0 dimension 0 has size 7 but the iteration dimension it maps to has size 8}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) epilogue_ins(%bias : tensor<7xf32>) outs(%c : tensor<4x8xf32>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32, %y: f32):
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @output_shape(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x9xf32>) {
  // expected-error @+1 {{output #0 has shape [4, 9] but expected [4, 8] (dimension 1 differs)}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x9xf32>) {acc_type = f32} -> tensor<4x9xf32>
  return
}

// -----

func.func @reduction_shape(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>, %r: tensor<8xf32>) {
  // expected-error @+1 {{reduction result #0 has shape [8] but expected [4] (dimension 0 differs)}}
  %0:2 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c, %r : tensor<4x8xf32>, tensor<8xf32>)
      {acc_type = f32, reductions = [#sinter.reduction<sum, n>]} -> tensor<4x8xf32>, tensor<8xf32> epilogue {
  ^bb0(%x: f32):
    sinter.yield %x, %x : f32, f32
  }
  return
}

// -----

func.func @only_reductions(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %r: tensor<4xf32>) {
  // expected-error @+1 {{needs at least one output besides its 1 reduction result(s)}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%r : tensor<4xf32>)
      {acc_type = f32, reductions = [#sinter.reduction<sum, n>]} -> tensor<4xf32>
  return
}

// -----

func.func @region_args(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{epilogue region must have 1 arguments (1 accumulator(s), then one element per epilogue operand), got 2}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32, %y: f32):
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @region_arg_type(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{epilogue argument #0 must have type 'f32', got 'f16'}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f16):
    %y = arith.extf %x : f16 to f32
    sinter.yield %y : f32
  }
  return
}

// -----

func.func @yield_type(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xbf16>) {
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xbf16>) {acc_type = f32} -> tensor<4x8xbf16> epilogue {
  ^bb0(%x: f32):
    // expected-error @+1 {{operand #0 must have type 'bf16' (the element type of result #0), got 'f32'}}
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @yield_count(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) {
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32):
    // expected-error @+1 {{must yield 1 values (one per result, reductions last), got 2}}
    sinter.yield %x, %x : f32, f32
  }
  return
}

// -----

func.func @no_region_inputs(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %bias: tensor<8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{without an epilogue region the op must have exactly one result and no epilogue operands or reductions}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) epilogue_ins(%bias : tensor<8xf32>) outs(%c : tensor<4x8xf32>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<4x8xf32>
  return
}

// -----

func.func @no_region_int(%a: tensor<4x16xi8>, %b: tensor<16x8xi8>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{without an epilogue region an 'i32' accumulator cannot be stored as 'f32'}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xi8>, tensor<16x8xi8>) outs(%c : tensor<4x8xf32>) {acc_type = i32} -> tensor<4x8xf32>
  return
}

// -----

func.func @result_type(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{expected type of operand #2 ('tensor<4x8xf32>') to match type of corresponding result ('tensor<4x8xf16>')}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf16>
  return
}

// -----

func.func @yield_parent() {
  // expected-error @+1 {{expects parent op 'sinter.gemm'}}
  sinter.yield
}

// -----

func.func @captures(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>, %s: f32) {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32):
    // expected-error @+1 {{using value defined outside the region}}
    %y = arith.mulf %x, %s : f32
    sinter.yield %y : f32
  }
  return
}

// -----

func.func @pairwise_odd(%a: tensor<4x16xf32>, %b: tensor<16x7xf32>, %c: tensor<4x3xf32>) {
  // expected-error @+1 {{a pairwise B operand needs an even number of columns, got 7}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x7xf32>) outs(%c : tensor<4x3xf32>) {acc_type = f32, pairwise} -> tensor<4x3xf32> epilogue {
  ^bb0(%x: f32, %y: f32):
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @pairwise_no_region(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x4xf32>) {
  // expected-error @+1 {{a pairwise gemm needs an epilogue region that combines its two accumulators}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x4xf32>) {acc_type = f32, pairwise} -> tensor<4x4xf32>
  return
}

// -----

func.func @pairwise_args(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x4xf32>) {
  // expected-error @+1 {{epilogue region must have 2 arguments (2 accumulator(s), then one element per epilogue operand), got 1}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x4xf32>) {acc_type = f32, pairwise} -> tensor<4x4xf32> epilogue {
  ^bb0(%x: f32):
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @pairwise_output(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{output #0 has shape [4, 8] but expected [4, 4] (dimension 1 differs)}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32, pairwise} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32, %y: f32):
    sinter.yield %x : f32
  }
  return
}

// -----

func.func @a_stats_int(%a: tensor<4x16xi8>, %b: tensor<16x8xi8>, %c: tensor<4x8xi32>) {
  // expected-error @+1 {{a_row_sum_sq needs a float A operand}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xi8>, tensor<16x8xi8>) outs(%c : tensor<4x8xi32>) {acc_type = i32, a_row_sum_sq} -> tensor<4x8xi32> epilogue {
  ^bb0(%x: i32, %s: f32):
    sinter.yield %x : i32
  }
  return
}

// -----

func.func @a_stats_args(%a: tensor<4x16xf32>, %b: tensor<16x8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{epilogue region must have 2 arguments (1 accumulator(s), the row sum of squares of A, then one element per epilogue operand), got 1}}
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xf32>, tensor<16x8xf32>) outs(%c : tensor<4x8xf32>) {acc_type = f32, a_row_sum_sq} -> tensor<4x8xf32> epilogue {
  ^bb0(%x: f32):
    sinter.yield %x : f32
  }
  return
}
