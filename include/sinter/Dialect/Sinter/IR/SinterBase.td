//===- SinterBase.td - Sinter dialect, enums and attributes -*- tablegen -*-===//
#ifndef SINTER_BASE_TD
#define SINTER_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

def Sinter_Dialect : Dialect {
  let name = "sinter";
  let cppNamespace = "::mlir::sinter";
  let summary = "Attention, GEMM-plus-epilogue and KV-cache programs for transformer workloads";
  let description = [{
    The `sinter` dialect describes the compute-heavy and the memory-bound work
    of transformer models at a level where fusion and tiling decisions are
    easy to make and to check:

    * `sinter.gemm`: a (batched) matrix product whose accumulator flows
      through an *epilogue* region (bias, activations, residual adds,
      scaling, quantization), optionally with extra row/column reductions of
      the epilogue's values and a quantized weight operand (int8 per-channel,
      int4 grouped with zero points).
    * `sinter.attention` / `sinter.paged_attention`: scaled dot-product
      attention with causal / sliding-window / additive-bias masks, GQA/MQA,
      logit softcapping, and a form that reads K/V from a paged cache.
    * `sinter.kv.*`: KV-cache management (append, gather, eviction,
      quantization, magnitude pruning).
    * Memory-bound ops that fusion absorbs: `sinter.rms_norm`,
      `sinter.layer_norm`, `sinter.softmax`, `sinter.rope`.
    * `#sinter.target<...>`: the one description of the hardware that every
      pass reads.

    All ops work on ranked tensors in destination-passing style: every
    result has a matching `outs` operand that names where it is written.
    Unless an op's description says otherwise, the *contents* of an `outs`
    operand are not read. `--sinter-decompose` gives every op its executable
    reference semantics in plain linalg/tensor/arith/math/scf IR.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

class Sinter_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Sinter_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Sinter_MaskKind : I32EnumAttr<"MaskKind", "attention mask kind", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"causal", 1>,
    I32EnumAttrCase<"sliding_window", 2>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}
def Sinter_MaskKindAttr : EnumAttr<Sinter_Dialect, Sinter_MaskKind, "mask"> {
  let assemblyFormat = "`<` $value `>`";
}

def Sinter_AttentionLayout : I32EnumAttr<"AttentionLayout", "attention operand layout", [
    I32EnumAttrCase<"bhsd", 0>,
    I32EnumAttrCase<"bshd", 1>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}
def Sinter_AttentionLayoutAttr : EnumAttr<Sinter_Dialect, Sinter_AttentionLayout, "layout"> {
  let assemblyFormat = "`<` $value `>`";
}

def Sinter_ReductionKind : I32EnumAttr<"ReductionKind", "reduction combiner", [
    I32EnumAttrCase<"sum", 0>,
    I32EnumAttrCase<"max", 1>,
    I32EnumAttrCase<"sum_sq", 2>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}

def Sinter_GemmDim : I32EnumAttr<"GemmDim", "GEMM output dimension", [
    I32EnumAttrCase<"m", 0>,
    I32EnumAttrCase<"n", 1>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}

def Sinter_QuantScheme : I32EnumAttr<"QuantScheme", "weight quantization scheme", [
    I32EnumAttrCase<"per_channel", 0>,
    I32EnumAttrCase<"grouped", 1>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}

def Sinter_KVGranularity : I32EnumAttr<"KVGranularity", "KV-cache quantization scale granularity", [
    I32EnumAttrCase<"per_token", 0>,
    I32EnumAttrCase<"per_channel", 1>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}
def Sinter_KVGranularityAttr : EnumAttr<Sinter_Dialect, Sinter_KVGranularity, "granularity"> {
  let assemblyFormat = "`<` $value `>`";
}

def Sinter_EvictPolicy : I32EnumAttr<"EvictPolicy", "KV-cache eviction policy", [
    I32EnumAttrCase<"sink_window", 0>,
    I32EnumAttrCase<"heavy_hitter", 1>,
    I32EnumAttrCase<"retention", 2>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}
def Sinter_EvictPolicyAttr : EnumAttr<Sinter_Dialect, Sinter_EvictPolicy, "evict_policy"> {
  let assemblyFormat = "`<` $value `>`";
}

def Sinter_RopeMode : I32EnumAttr<"RopeMode", "rotary embedding pairing", [
    I32EnumAttrCase<"half", 0>,
    I32EnumAttrCase<"interleaved", 1>]> {
  let cppNamespace = "::mlir::sinter";
  let genSpecializedAttr = 0;
}
def Sinter_RopeModeAttr : EnumAttr<Sinter_Dialect, Sinter_RopeMode, "rope_mode"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Sinter_ReductionAttr : Sinter_Attr<"Reduction", "reduction"> {
  let summary = "An extra reduction result of a `sinter.gemm` epilogue";
  let description = [{
    Reduces one value yielded by the epilogue along the GEMM's `m` or `n`
    dimension with `sum`, `max` or `sum_sq` (sum of squares). Along `n` the
    result has shape `[batch..., M]` (one value per output row, e.g. the
    statistics of a following RMSNorm or softmax); along `m` it has shape
    `[batch..., N]`.

    Example: `#sinter.reduction<sum_sq, n>`
  }];
  let parameters = (ins EnumParameter<Sinter_ReductionKind>:$kind,
                        EnumParameter<Sinter_GemmDim>:$dim);
  let assemblyFormat = "`<` $kind `,` $dim `>`";
}

def Sinter_WeightQuantAttr : Sinter_Attr<"WeightQuant", "weight_quant"> {
  let summary = "How a quantized `sinter.gemm` B operand is dequantized";
  let description = [{
    `per_channel`: one scale per output column n (scales `[N]`).
    `grouped`: one scale per group of `group_size` consecutive k and per n
    (scales `[ceil(K / group_size), N]`), as in W4A16 schemes.
    The integer weights are read as signed unless `is_unsigned` is set; with
    zero points, `w = (q - zp) * scale`, otherwise `w = q * scale`.

    Example: `#sinter.weight_quant<scheme = grouped, group_size = 128, is_unsigned = true>`
  }];
  let parameters = (ins EnumParameter<Sinter_QuantScheme>:$scheme,
                        DefaultValuedParameter<"int64_t", "0">:$group_size,
                        DefaultValuedParameter<"bool", "false">:$is_unsigned);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Sinter_MemoryLevelAttr : Sinter_Attr<"MemoryLevel", "memory"> {
  let summary = "One level of a target's memory hierarchy";
  let description = [{
    `capacity` is in bytes, `bandwidth` in GB/s (10^9 bytes per second,
    aggregate over the whole chip), and `per_core` says whether the capacity
    is that of one core's private copy (shared memory, L1, scratchpads) or
    of the whole chip (HBM, L2).

    Example: `#sinter.memory<name = "smem", capacity = 232448, bandwidth = 33000, per_core = true>`
  }];
  let parameters = (ins StringRefParameter<>:$name, "int64_t":$capacity,
                        "int64_t":$bandwidth,
                        DefaultValuedParameter<"bool", "false">:$per_core);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Sinter_PeakComputeAttr : Sinter_Attr<"PeakCompute", "peak"> {
  let summary = "Peak throughput of one compute unit for one input type";
  let description = [{
    `gops` is the dense peak in 10^9 operations per second (a fused
    multiply-add counts as two) over the whole chip; `unit` names the unit
    that delivers it (`matrix` or `vector`).

    Example: `#sinter.peak<type = bf16, unit = "matrix", gops = 989000>`
  }];
  let parameters = (ins "::mlir::Type":$type, StringRefParameter<>:$unit,
                        "int64_t":$gops);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Sinter_TargetAttr : Sinter_Attr<"Target", "target"> {
  let summary = "The hardware description that tiling, fusion and backends read";
  let description = [{
    One description of a target: its kind (the backend that compiles for
    it: `gpu`, `cpu` or `npu`), the number of cores (SMs, CPU cores, AI
    cores), the memory levels from the largest (off-chip) to the smallest
    (registers / L0), the peak compute per input type, the matrix unit's
    native `[m, n, k]` tile, the vector unit's width in bytes, and an
    optional `config` dictionary with what only the backend reads: the
    instruction set it generates code for (`chip = "sm_90a"` for NVIDIA
    GPUs; `triple`, `cpu` and `features` for LLVM CPU targets) and, for the
    NPU, the simulator's fixed latencies. Each backend offers named presets
    (`nvidia-h100`, `nvidia-a100`, `x86-avx512`, `x86-avx2`,
    `aarch64-neon`, `npu-910`); `--sinter-attach-target=target=NAME` puts
    one on a module as the `sinter.target` attribute, and every later pass
    reads hardware facts from this attribute alone.

    Example:
    ```mlir
    #sinter.target<name = "tiny", kind = "cpu", cores = 2,
      levels = [#sinter.memory<name = "dram", capacity = 1073741824, bandwidth = 20>,
                #sinter.memory<name = "l1", capacity = 32768, bandwidth = 200, per_core = true>],
      peaks = [#sinter.peak<type = f32, unit = "vector", gops = 100>],
      matrix_shape = [8, 8, 1], vector_bytes = 32,
      config = {triple = "x86_64-unknown-linux-gnu", cpu = "x86-64-v3"}>
    ```
  }];
  let parameters = (ins StringRefParameter<>:$name, StringRefParameter<>:$kind,
                        "int64_t":$cores, "::mlir::ArrayAttr":$levels,
                        "::mlir::ArrayAttr":$peaks,
                        "::mlir::DenseI64ArrayAttr":$matrix_shape,
                        "int64_t":$vector_bytes,
                        OptionalParameter<"::mlir::DictionaryAttr">:$config);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The memory level called `name`, or null.
    MemoryLevelAttr getLevel(::llvm::StringRef name) const;
    /// Peak throughput in GOP/s for inputs of `type`, or 0 when unknown.
    int64_t getPeakGops(::mlir::Type type) const;
    /// The string `config` entry `key`, or empty.
    ::llvm::StringRef getConfigString(::llvm::StringRef key) const;
    /// The integer `config` entry `key`, or `fallback`.
    int64_t getConfigInt(::llvm::StringRef key, int64_t fallback) const;
  }];
}

#endif // SINTER_BASE_TD
