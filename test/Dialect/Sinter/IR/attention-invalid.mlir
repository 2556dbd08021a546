// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @rank(%q: tensor<8x16x64xf16>, %k: tensor<1x2x16x64xf16>, %o: tensor<8x16x64xf16>) {
  // expected-error @+1 {{query must be a 4-D tensor [B, Hq, Sq, D], got 'tensor<8x16x64xf16>'}}
  %r = sinter.attention ins(%q, %k, %k : tensor<8x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<8x16x64xf16>) -> tensor<8x16x64xf16>
  return
}

// -----

func.func @heads(%q: tensor<1x8x16x64xf16>, %k: tensor<1x3x16x64xf16>, %o: tensor<1x8x16x64xf16>) {
  // expected-error @+1 {{the number of query heads (8) must be a multiple of the number of K/V heads (3)}}
  %r = sinter.attention ins(%q, %k, %k : tensor<1x8x16x64xf16>, tensor<1x3x16x64xf16>, tensor<1x3x16x64xf16>) outs(%o : tensor<1x8x16x64xf16>) -> tensor<1x8x16x64xf16>
  return
}

// -----

func.func @dynamic_heads(%q: tensor<1x?x16x64xf16>, %k: tensor<1x2x16x64xf16>, %o: tensor<1x?x16x64xf16>) {
  // expected-error @+1 {{query and K/V head counts must be static}}
  %r = sinter.attention ins(%q, %k, %k : tensor<1x?x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<1x?x16x64xf16>) -> tensor<1x?x16x64xf16>
  return
}

// -----

func.func @head_dim(%q: tensor<1x2x16x64xf16>, %k: tensor<1x2x16x32xf16>, %o: tensor<1x2x16x32xf16>) {
  // expected-error @+1 {{query head dimension (64) differs from the key head dimension (32)}}
  %r = sinter.attention ins(%q, %k, %k : tensor<1x2x16x64xf16>, tensor<1x2x16x32xf16>, tensor<1x2x16x32xf16>) outs(%o : tensor<1x2x16x32xf16>) -> tensor<1x2x16x32xf16>
  return
}

// -----

func.func @kv_len(%q: tensor<1x2x16x64xf16>, %k: tensor<1x2x16x64xf16>, %v: tensor<1x2x17x64xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{value has shape [1, 2, 17, 64] but expected [1, 2, 16, 64] (dimension 2 differs)}}
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x17x64xf16>) outs(%o : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @elem(%q: tensor<1x2x16x64xf16>, %k: tensor<1x2x16x64xbf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{query, key and value must share an element type}}
  %r = sinter.attention ins(%q, %k, %k : tensor<1x2x16x64xf16>, tensor<1x2x16x64xbf16>, tensor<1x2x16x64xbf16>) outs(%o : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @int_dtype(%q: tensor<1x2x16x64xi8>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{query must have an f16, bf16 or f32 element type, got 'i8'}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xi8>, tensor<1x2x16x64xi8>, tensor<1x2x16x64xi8>) outs(%o : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @output_shape(%q: tensor<1x2x16x64xf16>, %o: tensor<1x2x15x64xf16>) {
  // expected-error @+1 {{output has shape [1, 2, 15, 64] but expected [1, 2, 16, 64] (dimension 2 differs)}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<1x2x15x64xf16>) -> tensor<1x2x15x64xf16>
  return
}

// -----

func.func @lse_type(%q: tensor<1x2x16x64xf16>, %o: tensor<1x2x16x64xf16>, %l: tensor<1x2x16xf16>) {
  // expected-error @+1 {{log-sum-exp output must be f32, got 'f16'}}
  %r:2 = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o, %l : tensor<1x2x16x64xf16>, tensor<1x2x16xf16>) -> tensor<1x2x16x64xf16>, tensor<1x2x16xf16>
  return
}

// -----

func.func @bias_shape(%q: tensor<1x2x16x64xf16>, %b: tensor<1x2x16x8xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{bias has shape [1, 2, 16, 8] but expected [1, 2, 16, 16] (dimension 3 differs)}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) bias(%b : tensor<1x2x16x8xf16>) outs(%o : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

// A bias is shared by the queries (Sq = 1) or has one row per query.
func.func @bias_query_rows(%q: tensor<1x2x16x64xf16>, %b: tensor<1x2x7x16xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{bias has shape [1, 2, 7, 16] but expected [1, 2, 16, 16] (dimension 2 differs)}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) bias(%b : tensor<1x2x7x16xf16>) outs(%o : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @window_missing(%q: tensor<1x2x16x64xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{a sliding_window mask needs a positive 'window' attribute}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<1x2x16x64xf16>) {mask = #sinter.mask<sliding_window>} -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @window_unused(%q: tensor<1x2x16x64xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{'window' is only valid with a sliding_window mask}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<1x2x16x64xf16>) {mask = #sinter.mask<causal>, window = 4 : i64} -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @softcap(%q: tensor<1x2x16x64xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{softcap must be a positive finite number}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<1x2x16x64xf16>) {softcap = -1.0 : f32} -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @scale(%q: tensor<1x2x16x64xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{scale must be a finite non-zero number}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<1x2x16x64xf16>) {scale = 0.0 : f32} -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @outputs(%q: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{expects 1 or 2 outputs (O and optionally the log-sum-exp), got 0}}
  "sinter.attention"(%q, %q, %q) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0>}> : (tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) -> ()
  return
}

// -----

func.func @bad_mask(%q: tensor<1x2x16x64xf16>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+2 {{expected ::mlir::sinter::MaskKind to be one of: none, causal, sliding_window}}
  // expected-error @+1 {{failed to parse Sinter_MaskKindAttr parameter 'value'}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) outs(%o : tensor<1x2x16x64xf16>) {mask = #sinter.mask<diagonal>} -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @bshd_output(%q: tensor<1x16x8x64xf16>, %k: tensor<1x16x2x64xf16>, %o: tensor<1x8x16x64xf16>) {
  // expected-error @+1 {{output has shape [1, 8, 16, 64] but expected [1, 16, 8, 64] (dimension 1 differs)}}
  %r = sinter.attention ins(%q, %k, %k : tensor<1x16x8x64xf16>, tensor<1x16x2x64xf16>, tensor<1x16x2x64xf16>) outs(%o : tensor<1x8x16x64xf16>) {layout = #sinter.layout<bshd>} -> tensor<1x8x16x64xf16>
  return
}

// -----

func.func @rope_rows(%q: tensor<1x2x16x64xf16>, %c: tensor<8x32xf32>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{rope tables have 8 positions but keys reach 16 and queries 16}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) rope(%c, %c : tensor<8x32xf32>, tensor<8x32xf32>) outs(%o : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}

// -----

func.func @rope_width(%q: tensor<1x2x16x64xf16>, %c: tensor<16x40xf32>, %o: tensor<1x2x16x64xf16>) {
  // expected-error @+1 {{rope tables rotate 80 features but the head dimension is 64}}
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>) rope(%c, %c : tensor<16x40xf32>, tensor<16x40xf32>) outs(%o : tensor<1x2x16x64xf16>) -> tensor<1x2x16x64xf16>
  return
}
