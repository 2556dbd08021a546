//===- SinterOps.td - Sinter operations --------------------*- tablegen -*-===//
#ifndef SINTER_OPS_TD
#define SINTER_OPS_TD

include "sinter/Dialect/Sinter/IR/SinterBase.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

class Sinter_Op<string mnemonic, list<Trait> traits = []>
    : Op<Sinter_Dialect, mnemonic, traits>;

// Every sinter op works on tensors in destination-passing style.
class Sinter_DPSOp<string mnemonic, list<Trait> traits = []>
    : Sinter_Op<mnemonic, !listconcat(traits, [Pure,
          DestinationStyleOpInterface])> {
  let hasVerifier = 1;
}

def Sinter_IntTensor : RankedTensorOf<[AnySignlessInteger, Index]>;

//===----------------------------------------------------------------------===//
// GEMM plus epilogue
//===----------------------------------------------------------------------===//

def Sinter_GemmOp : Sinter_DPSOp<"gemm", [AttrSizedOperandSegments, IsolatedFromAbove]> {
  let summary = "Matrix product whose accumulator flows through an epilogue";
  let description = [{
    Computes, for every batch index and output element `(m, n)`,
    `acc = sum_k A[.., m, k] * B[.., k, n]` in `acc_type` and passes `acc`,
    together with the elements of the `epilogue_ins` operands, through the
    `epilogue` region. The region yields one value per primary result and
    then one value per entry of `reductions`.

    * `A` is `[batch..., M, K]` (`[batch..., K, M]` with `transpose_a`);
      `B` is `[batch..., K, N]` or `[K, N]` shared by all batches
      (`[.., N, K]` with `transpose_b`).
    * `acc_type` is `f32` for f16/bf16/f32 inputs and `i32` for i8 inputs.
    * Each epilogue operand has an indexing map in `epilogue_maps`, a
      projection of the iteration space `(batch..., m, n)`:
      a bias is `(m, n) -> (n)`, a row scale `(m, n) -> (m)`, a residual
      `(m, n) -> (m, n)`.
    * Without an `epilogue` region the op has one result and no epilogue
      operands; the accumulator is converted to the result element type.
      Canonicalization removes epilogues that do only that.
    * `reductions` (`#sinter.reduction<kind, dim>`) add results that reduce
      the corresponding yielded value along `n` (shape `[batch..., M]`) or
      `m` (shape `[batch..., N]`), so row statistics of a following norm or
      softmax are produced while the tile is on chip. The reductions start
      from the combiner's identity; their `outs` contents are not read.
    * The epilogue is isolated from above: everything it reads arrives
      through its arguments or is computed inside it (constants included),
      so a backend can emit it as is into the kernel.
    * `pairwise` (gated units such as SwiGLU/GeGLU): B holds two weight
      matrices side by side along n (`[K, 2N]`, e.g. gate and up
      projections concatenated); the output is `[.., M, N]` and the
      epilogue (required) receives two accumulators, for columns `n` and
      `n + N`, before the epilogue operands' elements.
    * `a_row_sum_sq` gives the epilogue, after the accumulator(s), the sum
      over k of `A[.., m, k]^2` (f32) of its row: the statistics of an
      RMSNorm folded into this gemm come from the A tiles it streams anyway.
    * A quantized B (i8 or i4 with float A) carries `b_quant` and `scales`
      (and optionally `zero_points` of B's element type):
      `w[k, n] = (q[k, n] - zp) * scale`, with one scale per column
      (`per_channel`, scales `[N]`) or per `group_size` rows of k
      (`grouped`, scales `[ceil(K / group_size), N]`). B is then 2-D.

    Example: bias, GELU-free ReLU, and a row sum of squares for a following
    RMSNorm.
    ```mlir
    %y, %ss = sinter.gemm ins(%a, %b : tensor<16x64xbf16>, tensor<64x32xbf16>)
        epilogue_ins(%bias : tensor<32xf32>)
        outs(%y0, %ss0 : tensor<16x32xbf16>, tensor<16xf32>)
        {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>],
         reductions = [#sinter.reduction<sum_sq, n>]}
        -> tensor<16x32xbf16>, tensor<16xf32>
      epilogue {
      ^bb0(%acc: f32, %bv: f32):
        %s = arith.addf %acc, %bv : f32
        %zero = arith.constant 0.0 : f32
        %r = arith.maximumf %s, %zero : f32
        %t = arith.truncf %r : f32 to bf16
        sinter.yield %t, %r : bf16, f32
      }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$a, AnyRankedTensor:$b,
      Optional<AnyRankedTensor>:$b_scales,
      Optional<AnyRankedTensor>:$b_zero_points,
      Variadic<AnyRankedTensor>:$epilogue_inputs,
      Variadic<AnyRankedTensor>:$inits,
      UnitAttr:$transpose_a, UnitAttr:$transpose_b, TypeAttr:$acc_type,
      UnitAttr:$pairwise,
      DefaultValuedAttr<AffineMapArrayAttr, "{}">:$epilogue_maps,
      OptionalAttr<Sinter_WeightQuantAttr>:$b_quant,
      DefaultValuedAttr<TypedArrayAttrBase<Sinter_ReductionAttr,
          "array of reductions">, "{}">:$reductions,
      UnitAttr:$a_row_sum_sq);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region AnyRegion:$epilogue);
  let assemblyFormat = [{
    `ins` `(` $a `,` $b `:` type($a) `,` type($b) `)`
    (`scales` `(` $b_scales^ `:` type($b_scales) `)`)?
    (`zero_points` `(` $b_zero_points^ `:` type($b_zero_points) `)`)?
    (`epilogue_ins` `(` $epilogue_inputs^ `:` type($epilogue_inputs) `)`)?
    `outs` `(` $inits `:` type($inits) `)` attr-dict
    `->` type($results) (`epilogue` $epilogue^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitsMutable(); }
    /// Number of batch dimensions of the output.
    int64_t getNumBatchDims() {
      return ::llvm::cast<::mlir::RankedTensorType>(getA().getType()).getRank() - 2;
    }
    /// Number of accumulators the epilogue receives (2 when pairwise).
    unsigned getNumAccumulators() { return getPairwise() ? 2 : 1; }
    /// Epilogue arguments before the epilogue operands' elements: the
    /// accumulator(s), then the row sum of squares of A if requested.
    unsigned getNumLeadingEpilogueArgs() {
      return getNumAccumulators() + (getARowSumSq() ? 1 : 0);
    }
    ::llvm::SmallVector<::mlir::Type> getLeadingEpilogueArgTypes() {
      ::llvm::SmallVector<::mlir::Type> types(getNumAccumulators(), getAccType());
      if (getARowSumSq())
        types.push_back(::mlir::Float32Type::get(getContext()));
      return types;
    }
    /// Number of results that are outputs (not reductions).
    unsigned getNumPrimaryResults() { return getInits().size() - getReductions().size(); }
  }];
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
}

def Sinter_YieldOp : Sinter_Op<"yield", [Pure, Terminator, ReturnLike,
                                         HasParent<"GemmOp">]> {
  let summary = "Yields the epilogue's values";
  let description = [{
    Terminates a `sinter.gemm` epilogue: the primary results' elements
    first, then the values its `reductions` reduce.
  }];
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

defvar AttentionMaskAttrs = (ins
    OptionalAttr<F32Attr>:$scale,
    DefaultValuedAttr<Sinter_MaskKindAttr, "::mlir::sinter::MaskKind::none">:$mask,
    OptionalAttr<I64Attr>:$window,
    OptionalAttr<F32Attr>:$softcap);

def Sinter_AttentionOp : Sinter_DPSOp<"attention", [AttrSizedOperandSegments]> {
  let summary = "Scaled dot-product attention with masks, GQA and softcap";
  let description = [{
    `O = softmax(mask(softcap(scale * Q K^T) + bias)) V` for Q
    `[B, Hq, Sq, D]`, K `[B, Hkv, Skv, D]` and V `[B, Hkv, Skv, Dv]`, with
    `Hq` a multiple of `Hkv` (query head `h` reads K/V head
    `h / (Hq / Hkv)`: GQA, and MQA when `Hkv = 1`).

    * `scale` defaults to `1 / sqrt(D)`.
    * `softcap` (if set) maps a logit `x` to `softcap * tanh(x / softcap)`.
    * `bias` is an additive `[B|1, Hq|1, Sq|1, Skv]` tensor (size-1 dims
      broadcast: a key-padding mask is `[B, 1, 1, Skv]`).
    * `mask`: query `i` sits at position `p = i + query_offset`;
      `causal` lets it see keys `j <= p`; `sliding_window` keys
      `p - window < j <= p`.
    * Logits are computed, softmaxed and accumulated in f32. A query that
      sees no key gets a zero output row and a log-sum-exp of `-inf`.
    * An optional second result is the log-sum-exp `[B, Hq, Sq]` (f32) of
      the final logits, as needed to merge partial attention results.
    * `rope(cos, sin)` applies rotary embeddings to Q and K as they are
      read (as `sinter.rope` with `rope_mode`): key `j` uses table row `j`,
      query `i` row `i + query_offset`; the tables are `[P, R/2]` with
      `P` covering every position.
    * `layout = #sinter.layout<bshd>` takes Q, K, V and O as
      `[B, S, H, D]` (the token-major layout projections produce) instead
      of `[B, H, S, D]`; the bias and the log-sum-exp keep theirs.

    Canonicalization (static sequence lengths) relaxes masks that hide
    nothing: a sliding window at least as long as the last query position
    becomes `causal`, and a causal mask whose first query already sees every
    key becomes `none`; without a mask `query_offset` is dropped.

    Example:
    ```mlir
    %o = sinter.attention ins(%q, %k, %v : tensor<1x8x16x64xf16>,
        tensor<1x2x16x64xf16>, tensor<1x2x16x64xf16>)
        outs(%o0 : tensor<1x8x16x64xf16>) {mask = #sinter.mask<causal>}
        -> tensor<1x8x16x64xf16>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$query, AnyRankedTensor:$key,
      AnyRankedTensor:$value, Optional<AnyRankedTensor>:$bias,
      Optional<AnyRankedTensor>:$rope_cos, Optional<AnyRankedTensor>:$rope_sin,
      Variadic<AnyRankedTensor>:$inits), AttentionMaskAttrs,
      (ins DefaultValuedAttr<I64Attr, "0">:$query_offset,
           DefaultValuedAttr<Sinter_AttentionLayoutAttr,
               "::mlir::sinter::AttentionLayout::bhsd">:$layout,
           DefaultValuedAttr<Sinter_RopeModeAttr,
               "::mlir::sinter::RopeMode::half">:$rope_mode));
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key `,` $value `:` type($query) `,` type($key) `,` type($value) `)`
    (`bias` `(` $bias^ `:` type($bias) `)`)?
    (`rope` `(` $rope_cos^ `,` $rope_sin `:` type($rope_cos) `,` type($rope_sin) `)`)?
    `outs` `(` $inits `:` type($inits) `)` attr-dict `->` type($results)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitsMutable(); }
    /// Positions of the head and sequence dims of Q/K/V/O.
    unsigned getHeadDim() { return getLayout() == AttentionLayout::bshd ? 2 : 1; }
    unsigned getSeqDim() { return getLayout() == AttentionLayout::bshd ? 1 : 2; }
  }];
  let hasCanonicalizer = 1;
}

def Sinter_PagedAttentionOp : Sinter_DPSOp<"paged_attention"> {
  let summary = "Attention over K/V read from a paged block cache";
  let description = [{
    Like `sinter.attention`, but K and V live in block caches
    `[num_blocks, block_size, Hkv, D]`. Sequence `b` has `seq_lens[b]`
    tokens; token `t` is in block `block_table[b, t / block_size]` at slot
    `t % block_size`. The `Sq` queries of sequence `b` are its last `Sq`
    tokens (decode when `Sq = 1`, chunked prefill otherwise): query `i` sits
    at position `p = seq_lens[b] - Sq + i` and sees the keys `j < seq_lens[b]`
    allowed by `mask` (`causal`: `j <= p`; `sliding_window`:
    `p - window < j <= p`). Block-table entries past a sequence's length are
    never read.

    Example (decode, 4 sequences, blocks of 16 tokens):
    ```mlir
    %o = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens :
        tensor<4x8x1x64xf16>, tensor<128x16x2x64xf16>, tensor<128x16x2x64xf16>,
        tensor<4x32xi32>, tensor<4xi32>)
        outs(%o0 : tensor<4x8x1x64xf16>) {mask = #sinter.mask<causal>}
        -> tensor<4x8x1x64xf16>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$query, AnyRankedTensor:$key_cache,
      AnyRankedTensor:$value_cache, Sinter_IntTensor:$block_table,
      Sinter_IntTensor:$seq_lens, Variadic<AnyRankedTensor>:$inits),
      AttentionMaskAttrs);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    `ins` `(` $query `,` $key_cache `,` $value_cache `,` $block_table `,` $seq_lens `:`
        type($query) `,` type($key_cache) `,` type($value_cache) `,`
        type($block_table) `,` type($seq_lens) `)`
    `outs` `(` $inits `:` type($inits) `)` attr-dict `->` type($results)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitsMutable(); }
  }];
}

//===----------------------------------------------------------------------===//
// KV-cache management
//===----------------------------------------------------------------------===//

def Sinter_KVAppendOp : Sinter_DPSOp<"kv.append",
    [AllTypesMatch<["cache", "result"]>]> {
  let summary = "Writes new K or V rows into a paged cache";
  let description = [{
    For every token `t` of `update` `[T, H, D]` with `slots[t] >= 0`, writes
    `update[t]` to `cache[slots[t] / block_size, slots[t] % block_size]` of
    the block cache `[num_blocks, block_size, H, D]`. Negative slots mark
    padding tokens and are skipped; if two tokens name the same slot the
    later one wins. Unlike other sinter ops, the `outs` cache is read: every
    slot not written keeps its contents, so one-shot bufferization can
    update the cache in place.

    Example:
    ```mlir
    %c = sinter.kv.append ins(%k, %slots : tensor<3x2x64xf16>, tensor<3xi64>)
        outs(%cache : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$update, Sinter_IntTensor:$slots,
                       AnyRankedTensor:$cache);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $update `,` $slots `:` type($update) `,` type($slots) `)`
    `outs` `(` $cache `:` type($cache) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getCacheMutable(); }
  }];
}

def Sinter_KVGatherOp : Sinter_DPSOp<"kv.gather",
    [AllTypesMatch<["init", "result"]>]> {
  let summary = "Reads sequences out of a paged cache into a contiguous tensor";
  let description = [{
    `result[b, h, s, :] = cache[block_table[b, s / block_size],
    s % block_size, h, :]` for `s < seq_lens[b]` and zero past the sequence's
    end, for a block cache `[num_blocks, block_size, H, D]`, a block table
    `[B, max_blocks]` and a result `[B, H, S, D]` with
    `S <= max_blocks * block_size`.

    Example:
    ```mlir
    %k = sinter.kv.gather ins(%cache, %bt, %lens : tensor<32x16x2x64xf16>,
        tensor<2x4xi32>, tensor<2xi32>) outs(%k0 : tensor<2x2x64x64xf16>)
        -> tensor<2x2x64x64xf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$cache, Sinter_IntTensor:$block_table,
                       Sinter_IntTensor:$seq_lens, AnyRankedTensor:$init);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $cache `,` $block_table `,` $seq_lens `:` type($cache) `,`
        type($block_table) `,` type($seq_lens) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Sinter_KVEvictOp : Sinter_DPSOp<"kv.evict"> {
  let summary = "Chooses which cached tokens to keep and compacts the cache";
  let description = [{
    For K `[B, H, S, D]`, V `[B, H, S, Dv]` caches holding `seq_lens[b]`
    valid tokens, keeps at most `C` tokens per (sequence, head) and writes
    the compacted caches `[B, H, C, D]` / `[B, H, C, Dv]`, the kept
    positions `[B, H, C]` (ascending, `-1` past the end) and the number kept
    `[B, H]`.

    Tokens `p < sinks` (attention sinks) and `p >= seq_lens[b] - window`
    (recent window) are always kept. The other valid tokens are candidates:
    * `sink_window` (StreamingLLM): candidates are dropped.
    * `heavy_hitter` (H2O): the candidates with the highest `scores` fill
      the remaining budget.
    * `retention`: a candidate's retention is
      `scores * decay^(seq_lens[b] - 1 - p)`; those with retention
      `>= threshold` are kept, the highest first while budget remains.
    Ties go to the earlier position. `scores` is `[B, H, S]` or `[B, 1, S]`
    (shared by all heads) and is required by `heavy_hitter` and `retention`.
    Slots past the kept count are zero.

    Example:
    ```mlir
    %k2, %v2, %kept, %n = sinter.kv.evict
        ins(%k, %v, %lens : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
        scores(%s : tensor<1x2x64xf32>)
        outs(%k0, %v0, %p0, %n0 : tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>,
             tensor<1x2x32xi32>, tensor<1x2xi32>)
        {policy = #sinter.evict_policy<heavy_hitter>, sinks = 4, window = 8}
        -> tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32xi32>, tensor<1x2xi32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$key, AnyRankedTensor:$value,
      Sinter_IntTensor:$seq_lens, Optional<AnyRankedTensor>:$scores,
      AnyRankedTensor:$key_init, AnyRankedTensor:$value_init,
      Sinter_IntTensor:$kept_init, Sinter_IntTensor:$count_init,
      Sinter_EvictPolicyAttr:$policy,
      DefaultValuedAttr<I64Attr, "0">:$sinks,
      DefaultValuedAttr<I64Attr, "0">:$window,
      OptionalAttr<F32Attr>:$decay, OptionalAttr<F32Attr>:$threshold);
  let results = (outs AnyRankedTensor:$key_result, AnyRankedTensor:$value_result,
                      Sinter_IntTensor:$kept, Sinter_IntTensor:$count);
  let assemblyFormat = [{
    `ins` `(` $key `,` $value `,` $seq_lens `:` type($key) `,` type($value) `,` type($seq_lens) `)`
    (`scores` `(` $scores^ `:` type($scores) `)`)?
    `outs` `(` $key_init `,` $value_init `,` $kept_init `,` $count_init `:`
        type($key_init) `,` type($value_init) `,` type($kept_init) `,` type($count_init) `)`
    attr-dict `->` type($key_result) `,` type($value_result) `,` type($kept) `,` type($count)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      auto segs = getODSOperandIndexAndLength(4);
      return ::mlir::MutableOperandRange(getOperation(), segs.first, 4);
    }
  }];
}

def Sinter_KVQuantizeOp : Sinter_DPSOp<"kv.quantize"> {
  let summary = "Quantizes K/V to int8 or fp8-e4m3 with per-token or per-channel scales";
  let description = [{
    For an input `[..., S, D]`, computes one scale per token (`per_token`,
    scales `[..., S]`, the absolute maximum over D) or per channel
    (`per_channel`, scales `[..., D]`, over S): `scale = absmax / qmax`
    (`qmax` is 127 for i8 and 448 for f8E4M3FN; an all-zero group gets
    scale 1), and `q = x / scale`, rounded to nearest-even and clamped for
    i8, converted for fp8. Scales are f32.

    Example:
    ```mlir
    %q, %s = sinter.kv.quantize ins(%k : tensor<2x64x128xf16>)
        outs(%q0, %s0 : tensor<2x64x128xi8>, tensor<2x64xf32>)
        {granularity = #sinter.granularity<per_token>}
        -> tensor<2x64x128xi8>, tensor<2x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$q_init,
                       AnyRankedTensor:$scales_init,
                       Sinter_KVGranularityAttr:$granularity);
  let results = (outs AnyRankedTensor:$q, AnyRankedTensor:$scales);
  let assemblyFormat = [{
    `ins` `(` $input `:` type($input) `)`
    `outs` `(` $q_init `,` $scales_init `:` type($q_init) `,` type($scales_init) `)`
    attr-dict `->` type($q) `,` type($scales)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return ::mlir::MutableOperandRange(getOperation(), 1, 2);
    }
  }];
}

def Sinter_KVDequantizeOp : Sinter_DPSOp<"kv.dequantize",
    [AllTypesMatch<["init", "result"]>]> {
  let summary = "Expands a quantized K/V cache back to floats";
  let description = [{
    `result = float(q) * scale`, the inverse of `sinter.kv.quantize` with
    the same `granularity`.

    Example:
    ```mlir
    %k = sinter.kv.dequantize ins(%q, %s : tensor<2x64x128xi8>, tensor<2x64xf32>)
        outs(%k0 : tensor<2x64x128xf16>) {granularity = #sinter.granularity<per_token>}
        -> tensor<2x64x128xf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$q, AnyRankedTensor:$scales,
                       AnyRankedTensor:$init,
                       Sinter_KVGranularityAttr:$granularity);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $q `,` $scales `:` type($q) `,` type($scales) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Sinter_KVPruneOp : Sinter_DPSOp<"kv.prune"> {
  let summary = "Per-token magnitude pruning into a bitmap-sparse form";
  let description = [{
    Keeps, in every row `[..., D]` of the input, the `K` elements of largest
    magnitude (ties to the lower index), where `K` is the last dimension of
    the `values` result. `values` holds the kept elements in ascending index
    order; `bitmap` `[..., ceil(D / 8)]` (i8) has bit `d % 8` of byte
    `d / 8` set for each kept `d`. `sinter.kv.densify` expands it back.

    Example:
    ```mlir
    %vals, %bits = sinter.kv.prune ins(%k : tensor<64x128xf16>)
        outs(%v0, %b0 : tensor<64x32xf16>, tensor<64x16xi8>)
        -> tensor<64x32xf16>, tensor<64x16xi8>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$values_init,
                       AnyRankedTensor:$bitmap_init);
  let results = (outs AnyRankedTensor:$values, AnyRankedTensor:$bitmap);
  let assemblyFormat = [{
    `ins` `(` $input `:` type($input) `)`
    `outs` `(` $values_init `,` $bitmap_init `:` type($values_init) `,` type($bitmap_init) `)`
    attr-dict `->` type($values) `,` type($bitmap)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return ::mlir::MutableOperandRange(getOperation(), 1, 2);
    }
  }];
}

def Sinter_KVDensifyOp : Sinter_DPSOp<"kv.densify",
    [AllTypesMatch<["init", "result"]>]> {
  let summary = "Dense expansion of a bitmap-sparse (pruned) cache";
  let description = [{
    `result[..., d] = values[..., rank(d)]` if bit `d` of the row's bitmap
    is set (`rank(d)` counts the set bits before `d`), else zero.
    `densify(prune(x))` folds to `x` when pruning keeps every element.

    Example:
    ```mlir
    %k = sinter.kv.densify ins(%vals, %bits : tensor<64x32xf16>, tensor<64x16xi8>)
        outs(%k0 : tensor<64x128xf16>) -> tensor<64x128xf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$values, AnyRankedTensor:$bitmap,
                       AnyRankedTensor:$init);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $values `,` $bitmap `:` type($values) `,` type($bitmap) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Memory-bound ops
//===----------------------------------------------------------------------===//

def Sinter_RMSNormOp : Sinter_DPSOp<"rms_norm",
    [AllTypesMatch<["init", "result"]>]> {
  let summary = "RMS normalization over the last dimension";
  let description = [{
    `y = x / sqrt(mean(x^2) + epsilon) * gamma` over the last dimension `N`
    (`gamma` is `[N]`), computed in f32.

    Example:
    ```mlir
    %y = sinter.rms_norm ins(%x, %g : tensor<8x4096xbf16>, tensor<4096xbf16>)
        outs(%y0 : tensor<8x4096xbf16>) {epsilon = 1.0e-05 : f32} -> tensor<8x4096xbf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$gamma,
                       AnyRankedTensor:$init,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $gamma `:` type($input) `,` type($gamma) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Sinter_LayerNormOp : Sinter_DPSOp<"layer_norm",
    [AllTypesMatch<["init", "result"]>]> {
  let summary = "Layer normalization over the last dimension";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * gamma + beta` over the last
    dimension (biased variance), computed in f32.

    Example:
    ```mlir
    %y = sinter.layer_norm ins(%x, %g, %b : tensor<8x768xf32>, tensor<768xf32>, tensor<768xf32>)
        outs(%y0 : tensor<8x768xf32>) -> tensor<8x768xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$gamma,
                       AnyRankedTensor:$beta, AnyRankedTensor:$init,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $gamma `,` $beta `:` type($input) `,` type($gamma) `,` type($beta) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
}

def Sinter_SoftmaxOp : Sinter_DPSOp<"softmax",
    [AllTypesMatch<["init", "result"]>]> {
  let summary = "Numerically stable softmax along one dimension";
  let description = [{
    `y = exp(x - max(x)) / sum(exp(x - max(x)))` along `dim`, in f32.

    Example:
    ```mlir
    %y = sinter.softmax ins(%x : tensor<4x128xf32>) outs(%y0 : tensor<4x128xf32>)
        {dim = 1 : i64} -> tensor<4x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$init,
                       I64Attr:$dim);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $input `:` type($input) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
  }];
  let hasFolder = 0;
}

def Sinter_RopeOp : Sinter_DPSOp<"rope", [AllTypesMatch<["init", "result"]>]> {
  let summary = "Rotary position embedding";
  let description = [{
    Rotates pairs of the first `R = 2 * cos.shape[1]` features of every
    `[..., D]` row of `input` by the angles whose cosines and sines are
    `cos` / `sin` `[S, R / 2]`, indexed by the input's `seq_dim` (default:
    the second-to-last dimension). `half` pairs feature `i` with
    `i + R/2` (GPT-NeoX / LLaMA), `interleaved` pairs `2i` with `2i + 1`
    (GPT-J). Features `>= R` pass through unchanged.

    Example:
    ```mlir
    %y = sinter.rope ins(%x, %cos, %sin : tensor<1x8x16x64xf16>, tensor<16x32xf32>, tensor<16x32xf32>)
        outs(%y0 : tensor<1x8x16x64xf16>) {mode = #sinter.rope_mode<half>}
        -> tensor<1x8x16x64xf16>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$cos,
      AnyRankedTensor:$sin, AnyRankedTensor:$init,
      DefaultValuedAttr<Sinter_RopeModeAttr, "::mlir::sinter::RopeMode::half">:$mode,
      OptionalAttr<I64Attr>:$seq_dim);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    `ins` `(` $input `,` $cos `,` $sin `:` type($input) `,` type($cos) `,` type($sin) `)`
    `outs` `(` $init `:` type($init) `)` attr-dict `->` type($result)
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getInitMutable(); }
    /// The input dimension that indexes cos/sin.
    int64_t getSeqDimOrDefault() {
      if (auto d = getSeqDim()) return *d;
      return ::llvm::cast<::mlir::RankedTensorType>(getInput().getType()).getRank() - 2;
    }
  }];
}

#endif // SINTER_OPS_TD
