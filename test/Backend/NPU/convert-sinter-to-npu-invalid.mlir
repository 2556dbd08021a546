// RUN: sinter-opt --sinter-attach-target=target=npu-910 %s --split-input-file --convert-sinter-to-npu --verify-diagnostics

func.func @transposed(%a: tensor<32x64xf16>, %b: tensor<32x64xf16>) -> tensor<64x64xf32> {
  %o = tensor.empty() : tensor<64x64xf32>
  // expected-error @+1 {{NPU target: cannot compile the gemm in @transposed: a transposed A is not supported on the NPU yet}}
  %y = sinter.gemm ins(%a, %b : tensor<32x64xf16>, tensor<32x64xf16>) outs(%o : tensor<64x64xf32>) {acc_type = f32, transpose_a} -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

func.func @ragged_w4a16(%a: tensor<60x256xf16>, %q: tensor<256x64xi4>, %s: tensor<2x64xf16>) -> tensor<60x64xf16> {
  %o = tensor.empty() : tensor<60x64xf16>
  // expected-error @+1 {{with quantized weights, M, N and K must be multiples of the cube's 16 x 16 fractal on the NPU yet (got 60)}}
  %y = sinter.gemm ins(%a, %q : tensor<60x256xf16>, tensor<256x64xi4>) scales(%s : tensor<2x64xf16>) outs(%o : tensor<60x64xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 128>} -> tensor<60x64xf16>
  return %y : tensor<60x64xf16>
}

// -----

func.func @f32_operands(%a: tensor<64x32xf32>, %b: tensor<32x64xf32>) -> tensor<64x64xf32> {
  %o = tensor.empty() : tensor<64x64xf32>
  // expected-error @+1 {{operands must both be f16 or bf16, or f16/bf16 activations with int8/int4 weights}}
  %y = sinter.gemm ins(%a, %b : tensor<64x32xf32>, tensor<32x64xf32>) outs(%o : tensor<64x64xf32>) {acc_type = f32} -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

func.func @constant_dividend_in_epilogue(%a: tensor<64x32xf16>, %b: tensor<32x64xf16>) -> tensor<64x64xf32> {
  %o = tensor.empty() : tensor<64x64xf32>
  // expected-error @+1 {{the epilogue's 'arith.divf' has no vector-unit form with this constant}}
  %y = sinter.gemm ins(%a, %b : tensor<64x32xf16>, tensor<32x64xf16>) outs(%o : tensor<64x64xf32>) {acc_type = f32} -> tensor<64x64xf32>
    epilogue {
    ^bb0(%acc: f32):
      %c = arith.constant 0.5 : f32
      %s = arith.divf %c, %acc : f32
      sinter.yield %s : f32
    }
  return %y : tensor<64x64xf32>
}

// -----

func.func @no_vector_form(%a: tensor<64x32xf16>, %b: tensor<32x64xf16>) -> tensor<64x64xf32> {
  %o = tensor.empty() : tensor<64x64xf32>
  // expected-error @+1 {{the epilogue's 'math.erf' has no vector-unit form on the NPU yet}}
  %y = sinter.gemm ins(%a, %b : tensor<64x32xf16>, tensor<32x64xf16>) outs(%o : tensor<64x64xf32>) {acc_type = f32} -> tensor<64x64xf32>
    epilogue {
    ^bb0(%acc: f32):
      %s = math.erf %acc : f32
      sinter.yield %s : f32
    }
  return %y : tensor<64x64xf32>
}

// -----

func.func @row_first(%a: tensor<64x32xf16>, %b: tensor<32x64xf16>, %bias: tensor<64xf32>) -> tensor<64x64xf32> {
  %o = tensor.empty() : tensor<64x64xf32>
  // expected-error @+1 {{the epilogue's 'arith.subf' needs its first operand to cover the tile}}
  %y = sinter.gemm ins(%a, %b : tensor<64x32xf16>, tensor<32x64xf16>) epilogue_ins(%bias : tensor<64xf32>) outs(%o : tensor<64x64xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<64x64xf32>
    epilogue {
    ^bb0(%acc: f32, %bv: f32):
      %s = arith.subf %bv, %acc : f32
      sinter.yield %s : f32
    }
  return %y : tensor<64x64xf32>
}

// -----

// expected-error @+1 {{NPU target: function @two_ops has 'sinter.softmax'; only functions that fuse into one sinter.gemm, or are one sinter.attention, kv.append or kv.gather, compile for the NPU as single kernels}}
func.func @two_ops(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %o = tensor.empty() : tensor<64x64xf32>
  %y = sinter.softmax ins(%x : tensor<64x64xf32>) outs(%o : tensor<64x64xf32>) {dim = 1 : i64} -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

func.func @w4_f32_scales(%a: tensor<16x128xf16>, %q: tensor<128x128xi4>, %s: tensor<1x128xf32>) -> tensor<16x128xf16> {
  %o = tensor.empty() : tensor<16x128xf16>
  // expected-error @+1 {{the scales must have the activations' type (the vector unit dequantizes into the scales' type)}}
  %y = sinter.gemm ins(%a, %q : tensor<16x128xf16>, tensor<128x128xi4>) scales(%s : tensor<1x128xf32>) outs(%o : tensor<16x128xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 128>} -> tensor<16x128xf16>
  return %y : tensor<16x128xf16>
}

// -----

func.func @w4_zero_points(%a: tensor<16x128xf16>, %q: tensor<128x128xi4>, %s: tensor<128xf16>, %z: tensor<128xi4>) -> tensor<16x128xf16> {
  %o = tensor.empty() : tensor<16x128xf16>
  // expected-error @+1 {{zero points are not supported on the NPU yet}}
  %y = sinter.gemm ins(%a, %q : tensor<16x128xf16>, tensor<128x128xi4>) scales(%s : tensor<128xf16>) zero_points(%z : tensor<128xi4>) outs(%o : tensor<16x128xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = per_channel>} -> tensor<16x128xf16>
  return %y : tensor<16x128xf16>
}

// -----

func.func @w4_group_48(%a: tensor<16x128xf16>, %q: tensor<128x128xi4>, %s: tensor<3x128xf16>) -> tensor<16x128xf16> {
  %o = tensor.empty() : tensor<16x128xf16>
  // expected-error @+1 {{the group size (48) must divide the k block (128) or be a multiple of it}}
  %y = sinter.gemm ins(%a, %q : tensor<16x128xf16>, tensor<128x128xi4>) scales(%s : tensor<3x128xf16>) outs(%o : tensor<16x128xf16>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = 48>} -> tensor<16x128xf16>
  return %y : tensor<16x128xf16>
}

// -----

func.func @attn_lse(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x128x64xf16>, %v: tensor<1x2x128x64xf16>) -> (tensor<1x2x128x64xf16>, tensor<1x2x128xf32>) {
  %o = tensor.empty() : tensor<1x2x128x64xf16>
  %l = tensor.empty() : tensor<1x2x128xf32>
  // expected-error @+1 {{NPU target: cannot compile the attention in @attn_lse: biases, fused RoPE and the log-sum-exp are not supported on the NPU yet}}
  %r:2 = sinter.attention ins(%q, %k, %v : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>) outs(%o, %l : tensor<1x2x128x64xf16>, tensor<1x2x128xf32>) -> tensor<1x2x128x64xf16>, tensor<1x2x128xf32>
  return %r#0, %r#1 : tensor<1x2x128x64xf16>, tensor<1x2x128xf32>
}

// -----

func.func @attn_offset(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x256x64xf16>, %v: tensor<1x2x256x64xf16>) -> tensor<1x2x128x64xf16> {
  %o = tensor.empty() : tensor<1x2x128x64xf16>
  // expected-error @+1 {{a causal or sliding-window mask needs query and key blocks of one size and a query offset that is a non-negative multiple of it on the NPU yet}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x128x64xf16>, tensor<1x2x256x64xf16>, tensor<1x2x256x64xf16>) outs(%o : tensor<1x2x128x64xf16>) {mask = #sinter.mask<causal>, query_offset = 64} -> tensor<1x2x128x64xf16>
  return %r : tensor<1x2x128x64xf16>
}

// -----

func.func @batched_b(%a: tensor<2x32x64xf16>, %b: tensor<2x64x32xf16>) -> tensor<2x32x32xf32> {
  %o = tensor.empty() : tensor<2x32x32xf32>
  // expected-error @+1 {{batched GEMMs need one B shared by the batch on the NPU yet}}
  %y = sinter.gemm ins(%a, %b : tensor<2x32x64xf16>, tensor<2x64x32xf16>) outs(%o : tensor<2x32x32xf32>) {acc_type = f32} -> tensor<2x32x32xf32>
  return %y : tensor<2x32x32xf32>
}

// -----

func.func @batch_broadcast_operand(%a: tensor<2x32x64xf16>, %b: tensor<64x32xf16>, %r: tensor<32x32xf32>) -> tensor<2x32x32xf32> {
  %o = tensor.empty() : tensor<2x32x32xf32>
  // expected-error @+1 {{epilogue operand 2 is read through a map the NPU kernel does not take}}
  %y = sinter.gemm ins(%a, %b : tensor<2x32x64xf16>, tensor<64x32xf16>) epilogue_ins(%r : tensor<32x32xf32>) outs(%o : tensor<2x32x32xf32>) {acc_type = f32, epilogue_maps = [affine_map<(b, m, n) -> (m, n)>]} -> tensor<2x32x32xf32>
    epilogue {
    ^bb0(%acc: f32, %x: f32):
      %s = arith.addf %acc, %x : f32
      sinter.yield %s : f32
    }
  return %y : tensor<2x32x32xf32>
}

// -----

func.func @transposed_operand(%a: tensor<32x64xf16>, %b: tensor<64x32xf16>, %r: tensor<32x32xf32>) -> tensor<32x32xf32> {
  %o = tensor.empty() : tensor<32x32xf32>
  // expected-error @+1 {{epilogue operand 2 is read through a map the NPU kernel does not take}}
  %y = sinter.gemm ins(%a, %b : tensor<32x64xf16>, tensor<64x32xf16>) epilogue_ins(%r : tensor<32x32xf32>) outs(%o : tensor<32x32xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n, m)>]} -> tensor<32x32xf32>
    epilogue {
    ^bb0(%acc: f32, %x: f32):
      %s = arith.addf %acc, %x : f32
      sinter.yield %s : f32
    }
  return %y : tensor<32x32xf32>
}

// -----

func.func @decode_wide_group(%q: tensor<1x32x1x64xf16>, %k: tensor<1x1x128x64xf16>, %v: tensor<1x1x128x64xf16>) -> tensor<1x32x1x64xf16> {
  %o = tensor.empty() : tensor<1x32x1x64xf16>
  // expected-error @+1 {{a decode takes at most 16 query heads per KV head on the NPU yet (got 32)}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x32x1x64xf16>, tensor<1x1x128x64xf16>, tensor<1x1x128x64xf16>) outs(%o : tensor<1x32x1x64xf16>) -> tensor<1x32x1x64xf16>
  return %r : tensor<1x32x1x64xf16>
}

// -----

func.func @decode_masked(%q: tensor<1x4x1x64xf16>, %k: tensor<1x1x128x64xf16>, %v: tensor<1x1x128x64xf16>) -> tensor<1x4x1x64xf16> {
  %o = tensor.empty() : tensor<1x4x1x64xf16>
  // expected-error @+1 {{a decode sees every cached key (no mask) on the NPU}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x4x1x64xf16>, tensor<1x1x128x64xf16>, tensor<1x1x128x64xf16>) outs(%o : tensor<1x4x1x64xf16>) {mask = #sinter.mask<causal>, query_offset = 127} -> tensor<1x4x1x64xf16>
  return %r : tensor<1x4x1x64xf16>
}

// -----

func.func @gather_index_table(%c: tensor<8x16x2x64xf16>, %bt: tensor<2x3xindex>, %l: tensor<2xi32>) -> tensor<2x2x40x64xf16> {
  %o = tensor.empty() : tensor<2x2x40x64xf16>
  // expected-error @+1 {{NPU target: cannot compile the kv.gather in @gather_index_table: slots, block tables and lengths must be i32 or i64 on the NPU}}
  %g = sinter.kv.gather ins(%c, %bt, %l : tensor<8x16x2x64xf16>, tensor<2x3xindex>, tensor<2xi32>) outs(%o : tensor<2x2x40x64xf16>) -> tensor<2x2x40x64xf16>
  return %g : tensor<2x2x40x64xf16>
}

// -----

func.func @gather_too_big(%c: tensor<2x512x1x512xf32>, %bt: tensor<1x1xi32>, %l: tensor<1xi32>) -> tensor<1x1x512x512xf32> {
  %o = tensor.empty() : tensor<1x1x512x512xf32>
  // expected-error @+1 {{NPU target: cannot compile the kv.gather in @gather_too_big: two 512 x 512 blocks of the cache do not fit a quarter of the unified buffer}}
  %g = sinter.kv.gather ins(%c, %bt, %l : tensor<2x512x1x512xf32>, tensor<1x1xi32>, tensor<1xi32>) outs(%o : tensor<1x1x512x512xf32>) -> tensor<1x1x512x512xf32>
  return %g : tensor<1x1x512x512xf32>
}

// -----

func.func @append_dynamic(%u: tensor<?x2x64xf16>, %s: tensor<?xi32>, %c: tensor<8x16x2x64xf16>) -> tensor<8x16x2x64xf16> {
  // expected-error @+1 {{NPU target: cannot compile the kv.append in @append_dynamic: dynamic shapes are not supported}}
  %r = sinter.kv.append ins(%u, %s : tensor<?x2x64xf16>, tensor<?xi32>) outs(%c : tensor<8x16x2x64xf16>) -> tensor<8x16x2x64xf16>
  return %r : tensor<8x16x2x64xf16>
}
