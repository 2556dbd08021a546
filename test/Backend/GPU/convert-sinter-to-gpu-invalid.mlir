// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --convert-sinter-to-gpu -verify-diagnostics

// expected-error @+1 {{GPU target: function @two_ops has 'arith.addf', which the GPU backend has no kernel for}}
func.func @two_ops(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>, %s: f32) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
  %z = arith.addf %s, %s : f32
  return %y : tensor<8x8xf32>
}

// -----

// expected-error @+1 {{GPU target: function @no_gemm has no op to compile}}
func.func @no_gemm(%a: tensor<8x8xf32>) -> tensor<8x8xf32> {
  return %a : tensor<8x8xf32>
}

// -----

func.func @computed(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %t = tensor.empty() : tensor<8x8xf32>
  // expected-error @+1 {{GPU target: an operand of the gemm in @computed is not an argument of the function}}
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) epilogue_ins(%t : tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (m, n)>]} -> tensor<8x8xf32>
    epilogue {
    ^bb0(%acc: f32, %r: f32):
      %s = arith.addf %acc, %r : f32
      sinter.yield %s : f32
    }
  return %y : tensor<8x8xf32>
}

// -----

// expected-error @+1 {{GPU target: function @two_gemms needs more than one kernel (a second 'sinter.gemm'); partition it first (sinter-partition)}}
func.func @two_gemms(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
  %z = sinter.gemm ins(%y, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
  return %z : tensor<8x8xf32>
}

// -----

func.func @attn_f32(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x8x64xf32>, %v: tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  // expected-error @+1 {{GPU target: cannot compile the attention in @attn_f32: Q, K and V must all be f16 or all bf16}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>) outs(%o : tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}

// -----

func.func @attn_d72(%q: tensor<1x2x8x72xbf16>, %k: tensor<1x2x8x72xbf16>, %v: tensor<1x2x8x72xbf16>) -> tensor<1x2x8x72xbf16> {
  %o = tensor.empty() : tensor<1x2x8x72xbf16>
  // expected-error @+1 {{GPU target: cannot compile the attention in @attn_d72: head dimensions must be multiples of 16 up to 128 (got 72)}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x8x72xbf16>, tensor<1x2x8x72xbf16>, tensor<1x2x8x72xbf16>) outs(%o : tensor<1x2x8x72xbf16>) -> tensor<1x2x8x72xbf16>
  return %r : tensor<1x2x8x72xbf16>
}

// -----

func.func @attn_bias(%q: tensor<1x2x8x64xbf16>, %k: tensor<1x2x8x64xbf16>, %v: tensor<1x2x8x64xbf16>, %bias: tensor<1x1x8x8xf32>) -> tensor<1x2x8x64xbf16> {
  %o = tensor.empty() : tensor<1x2x8x64xbf16>
  // expected-error @+1 {{GPU target: cannot compile the attention in @attn_bias: an additive bias is not supported by the GPU attention kernel yet}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>, tensor<1x2x8x64xbf16>) bias(%bias : tensor<1x1x8x8xf32>) outs(%o : tensor<1x2x8x64xbf16>) -> tensor<1x2x8x64xbf16>
  return %r : tensor<1x2x8x64xbf16>
}

// -----

func.func @attn_d256(%q: tensor<1x2x8x256xf16>, %k: tensor<1x2x8x256xf16>, %v: tensor<1x2x8x256xf16>) -> tensor<1x2x8x256xf16> {
  %o = tensor.empty() : tensor<1x2x8x256xf16>
  // expected-error @+1 {{GPU target: cannot compile the attention in @attn_d256: head dimensions must be multiples of 16 up to 128 (got 256)}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x8x256xf16>, tensor<1x2x8x256xf16>, tensor<1x2x8x256xf16>) outs(%o : tensor<1x2x8x256xf16>) -> tensor<1x2x8x256xf16>
  return %r : tensor<1x2x8x256xf16>
}

// -----

func.func @paged_lse(%q: tensor<1x4x1x64xbf16>, %kc: tensor<8x16x1x64xbf16>, %vc: tensor<8x16x1x64xbf16>, %bt: tensor<1x8xi32>, %lens: tensor<1xi32>) -> (tensor<1x4x1x64xbf16>, tensor<1x4x1xf32>) {
  %o = tensor.empty() : tensor<1x4x1x64xbf16>
  %l = tensor.empty() : tensor<1x4x1xf32>
  // expected-error @+1 {{GPU target: cannot compile the paged_attention in @paged_lse: the paged kernel does not return the log-sum-exp yet}}
  %r:2 = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<1x4x1x64xbf16>, tensor<8x16x1x64xbf16>, tensor<8x16x1x64xbf16>, tensor<1x8xi32>, tensor<1xi32>) outs(%o, %l : tensor<1x4x1x64xbf16>, tensor<1x4x1xf32>) -> tensor<1x4x1x64xbf16>, tensor<1x4x1xf32>
  return %r#0, %r#1 : tensor<1x4x1x64xbf16>, tensor<1x4x1xf32>
}

// -----

func.func @paged_rows(%q: tensor<1x32x1x64xbf16>, %kc: tensor<8x16x1x64xbf16>, %vc: tensor<8x16x1x64xbf16>, %bt: tensor<1x8xi32>, %lens: tensor<1xi32>) -> tensor<1x32x1x64xbf16> {
  %o = tensor.empty() : tensor<1x32x1x64xbf16>
  // expected-error @+1 {{GPU target: cannot compile the paged_attention in @paged_rows: the paged kernel takes at most 16 query rows per KV head (Hq / Hkv x Sq = 32)}}
  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<1x32x1x64xbf16>, tensor<8x16x1x64xbf16>, tensor<8x16x1x64xbf16>, tensor<1x8xi32>, tensor<1xi32>) outs(%o : tensor<1x32x1x64xbf16>) -> tensor<1x32x1x64xbf16>
  return %r : tensor<1x32x1x64xbf16>
}

// -----

func.func @quant_f32(%a: tensor<8x64xf32>, %q: tensor<64x16xi8>, %s: tensor<16xf32>) -> tensor<8x16xf32> {
  %o = tensor.empty() : tensor<8x16xf32>
  // expected-error @+1 {{GPU target: cannot compile the gemm in @quant_f32: quantized B (int8/int4 weights) needs f16/bf16 activations on the GPU}}
  %y = sinter.gemm ins(%a, %q : tensor<8x64xf32>, tensor<64x16xi8>) scales(%s : tensor<16xf32>) outs(%o : tensor<8x16xf32>) {acc_type = f32, b_quant = #sinter.weight_quant<scheme = per_channel>} -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

func.func @f16_reduction(%a: tensor<8x8xbf16>, %b: tensor<8x8xbf16>) -> (tensor<8x8xbf16>, tensor<8xbf16>) {
  %o = tensor.empty() : tensor<8x8xbf16>
  %s0 = tensor.empty() : tensor<8xbf16>
  // expected-error @+1 {{GPU target: cannot compile the gemm in @f16_reduction: GEMM reduction results must be f32 on the GPU}}
  %y, %s = sinter.gemm ins(%a, %b : tensor<8x8xbf16>, tensor<8x8xbf16>) outs(%o, %s0 : tensor<8x8xbf16>, tensor<8xbf16>) {acc_type = f32, reductions = [#sinter.reduction<sum, n>]} -> tensor<8x8xbf16>, tensor<8xbf16>
    epilogue {
    ^bb0(%acc: f32):
      %t = arith.truncf %acc : f32 to bf16
      sinter.yield %t, %t : bf16, bf16
    }
  return %y, %s : tensor<8x8xbf16>, tensor<8xbf16>
}

// -----

func.func @evict_long(%k: tensor<1x1x20000x16xbf16>, %v: tensor<1x1x20000x16xbf16>, %lens: tensor<1xi32>) -> (tensor<1x1x32x16xbf16>, tensor<1x1x32x16xbf16>, tensor<1x1x32xi32>, tensor<1x1xi32>) {
  %k0 = tensor.empty() : tensor<1x1x32x16xbf16>
  %v0 = tensor.empty() : tensor<1x1x32x16xbf16>
  %p0 = tensor.empty() : tensor<1x1x32xi32>
  %n0 = tensor.empty() : tensor<1x1xi32>
  // expected-error @+1 {{GPU target: cannot compile the kv.evict in @evict_long: the evict kernel keeps a head's scores, classes and slots in shared memory: 241160 bytes for these shapes, the SM has 233472}}
  %r:4 = sinter.kv.evict ins(%k, %v, %lens : tensor<1x1x20000x16xbf16>, tensor<1x1x20000x16xbf16>, tensor<1xi32>) outs(%k0, %v0, %p0, %n0 : tensor<1x1x32x16xbf16>, tensor<1x1x32x16xbf16>, tensor<1x1x32xi32>, tensor<1x1xi32>) {policy = #sinter.evict_policy<sink_window>, sinks = 4, window = 8} -> tensor<1x1x32x16xbf16>, tensor<1x1x32x16xbf16>, tensor<1x1x32xi32>, tensor<1x1xi32>
  return %r#0, %r#1, %r#2, %r#3 : tensor<1x1x32x16xbf16>, tensor<1x1x32x16xbf16>, tensor<1x1x32xi32>, tensor<1x1xi32>
}
