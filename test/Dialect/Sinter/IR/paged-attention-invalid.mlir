// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @cache_rank(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x2x64xf16>, %bt: tensor<4x32xi32>, %lens: tensor<4xi32>, %o: tensor<4x8x1x64xf16>) {
  // expected-error @+1 {{key_cache must be a 4-D tensor [num_blocks, block_size, Hkv, D]}}
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x2x64xf16>, tensor<128x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return
}

// -----

func.func @table_batch(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x16x2x64xf16>, %bt: tensor<3x32xi32>, %lens: tensor<4xi32>, %o: tensor<4x8x1x64xf16>) {
  // expected-error @+1 {{block_table has shape [3, 32] but expected [4, 32] (dimension 0 differs)}}
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>, tensor<128x16x2x64xf16>, tensor<3x32xi32>, tensor<4xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return
}

// -----

func.func @table_type(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x16x2x64xf16>, %bt: tensor<4x32xi16>, %lens: tensor<4xi32>, %o: tensor<4x8x1x64xf16>) {
  // expected-error @+1 {{block_table must have an i32, i64 or index element type, got 'i16'}}
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>, tensor<128x16x2x64xf16>, tensor<4x32xi16>, tensor<4xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return
}

// -----

func.func @float_table(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x16x2x64xf16>, %bt: tensor<4x32xf32>, %lens: tensor<4xi32>, %o: tensor<4x8x1x64xf16>) {
  // expected-error @+1 {{operand #3 must be ranked tensor of signless integer or index values}}
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>, tensor<128x16x2x64xf16>, tensor<4x32xf32>, tensor<4xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return
}

// -----

func.func @lens(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x16x2x64xf16>, %bt: tensor<4x32xi32>, %lens: tensor<5xi32>, %o: tensor<4x8x1x64xf16>) {
  // expected-error @+1 {{seq_lens has shape [5] but expected [4] (dimension 0 differs)}}
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>, tensor<128x16x2x64xf16>, tensor<4x32xi32>, tensor<5xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return
}

// -----

func.func @value_cache(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x16x2x64xf16>, %vc: tensor<128x8x2x64xf16>, %bt: tensor<4x32xi32>, %lens: tensor<4xi32>, %o: tensor<4x8x1x64xf16>) {
  // expected-error @+1 {{value_cache has shape [128, 8, 2, 64] but expected [128, 16, 2, 64] (dimension 1 differs)}}
  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>, tensor<128x8x2x64xf16>, tensor<4x32xi32>, tensor<4xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return
}

// -----

func.func @heads(%q: tensor<4x6x1x64xf16>, %kc: tensor<128x16x4x64xf16>, %bt: tensor<4x32xi32>, %lens: tensor<4xi32>, %o: tensor<4x6x1x64xf16>) {
  // expected-error @+1 {{the number of query heads (6) must be a multiple of the number of K/V heads (4)}}
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<4x6x1x64xf16>, tensor<128x16x4x64xf16>, tensor<128x16x4x64xf16>, tensor<4x32xi32>, tensor<4xi32>) outs(%o : tensor<4x6x1x64xf16>) -> tensor<4x6x1x64xf16>
  return
}

// -----

func.func @cache_dtype(%q: tensor<4x8x1x64xf16>, %kc: tensor<128x16x2x64xf32>, %bt: tensor<4x32xi32>, %lens: tensor<4xi32>, %o: tensor<4x8x1x64xf16>) {
  // expected-error @+1 {{query and K/V caches must share an element type}}
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<4x8x1x64xf16>, tensor<128x16x2x64xf32>, tensor<128x16x2x64xf32>, tensor<4x32xi32>, tensor<4xi32>) outs(%o : tensor<4x8x1x64xf16>) -> tensor<4x8x1x64xf16>
  return
}
