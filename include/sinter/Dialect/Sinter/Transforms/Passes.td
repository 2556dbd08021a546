//===- Passes.td - Sinter passes ---------------------------*- tablegen -*-===//
#ifndef SINTER_TRANSFORMS_PASSES_TD
#define SINTER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SinterDecompose : Pass<"sinter-decompose"> {
  let summary = "Lower every sinter op to plain linalg/tensor/arith/math/scf IR";
  let description = [{
    Gives each sinter op its executable reference semantics: the result is
    plain upstream IR on tensors that any MLIR pipeline can bufferize, lower
    and run. The decomposition favours clarity over speed (attention is
    materialized, not flash-tiled; eviction and pruning rank with
    quadratic reductions); every optimized lowering is checked against it.

    Example:
    ```mlir
    %y = sinter.softmax ins(%x : tensor<4x8xf32>) outs(%i : tensor<4x8xf32>)
        {dim = 1 : i64} -> tensor<4x8xf32>
    ```
    becomes a max reduction, an exp/sum reduction and a division as
    `linalg.generic` ops.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SinterRaise : Pass<"sinter-raise"> {
  let summary = "Recognize sinter ops in linalg graphs";
  let description = [{
    Rewrites subgraphs of ordinary linalg IR on tensors into sinter ops:

    * contractions (`linalg.matmul`, `linalg.batch_matmul`, their forms with
      transposed indexing maps, or a `linalg.generic` with a multiply-add
      payload) become `sinter.gemm`; explicit `linalg.transpose`s of the
      last two dimensions fold into `transpose_a`/`transpose_b` (a
      transpose that also moves other dimensions, such as the [1, 2, 0]
      of a head transpose and K^T in one, leaves a transpose of the rest), a
      `linalg.broadcast` of shared weights across batch dims folds away,
      a transposed output swaps the operands, and a non-zero initial value
      becomes an epilogue add. Accumulation is promoted to f32 (i32 for i8
      inputs);
    * an elementwise dequantization of int8/int4 weights (per-column or
      k-grouped scales, optional zero points) feeding a gemm becomes the
      gemm's `b_quant` prologue;
    * softmax (named, or max-subtracted / plain `exp / sum(exp)`) becomes
      `sinter.softmax`; RMSNorm becomes `sinter.rms_norm` and two-pass
      LayerNorm `sinter.layer_norm`; rotate-half RoPE
      on slices, or as PyTorch exports it (x * cos + concat(-x2, x1) * sin
      with constant full-width tables of equal halves), becomes
      `sinter.rope`;
    * scores gemm -> scale / mask / softcap -> softmax -> PV gemm, with GQA
      spelled as a K/V head repeat (a broadcast and collapse of all heads,
      or per-head slices repeated and concatenated, as torch exports
      `repeat_interleave`), becomes `sinter.attention` (causal and
      sliding-window masks with a query offset are recognized; Q scaled by
      a constant before the scores gemm, as torch's multi-head attention
      does, folds into the scale).

    Payloads are recognized by evaluating them at sample points (masks over
    the whole index grid), so spellings do not matter.
    Run tosa through `tosa-to-linalg` first (the `sinter-graph-pipeline`
    does). Anything not recognized is left untouched.
  }];
  let dependentDialects = [
    "::mlir::sinter::SinterDialect",
    "::mlir::arith::ArithDialect"
  ];
}

def SinterFuse : Pass<"sinter-fuse"> {
  let summary = "Fuse memory-bound ops into sinter.gemm epilogues";
  let description = [{
    Greedy, cost-driven fusion of memory-bound work into the op that
    produces its input while the tile is still on chip:

    * an elementwise `linalg.generic` that is the only user of a
      `sinter.gemm` result moves into the gemm's epilogue; its other inputs
      (bias `(n)`, per-row/column scales, residuals, quantization
      parameters) become epilogue operands with their indexing maps;
    * a `sinter.rms_norm` whose every user is the A operand of a gemm with
      load-time weights is re-expressed:
      `RMSNorm(x) . W = diag(1/rms(x)) . x . (diag(gamma) . W)`. gamma
      scales the weights (a load-time kernel), `1/rms` becomes a row scale
      in each consumer's epilogue, and the row sums of squares come from
      the gemm that produces `x` as an extra `sum_sq` reduction (or from one
      reduction over `x`). Load-time values are constants and function
      arguments marked `sinter.weight`.

    An elementwise `linalg.generic` that reads a gemm's result through a
    `tensor.expand_shape` (a [batch * seq, d] product viewed as
    [batch, seq, d], as ONNX exports write MatMul + Add) is first
    collapsed onto the gemm's shape, the reshape moving after it, so that
    it fuses like any other epilogue.

    A fusion happens when it saves HBM traffic (the intermediate is neither
    written nor read back) and the accumulator tile plus one tile per
    epilogue operand fit in the target's innermost per-core memory that can
    hold the accumulator (`sinter.target` on the module, which the pass
    requires). With `remarks`, every decision is reported as an MLIR remark
    naming the ops, the decision and the HBM bytes saved.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", "false",
           "Explain every fusion decision with a remark">
  ];
  let dependentDialects = [
    "::mlir::sinter::SinterDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SinterReportTraffic : Pass<"sinter-report-traffic", "::mlir::ModuleOp"> {
  let summary = "Print HBM traffic, FLOPs and kernel counts per function";
  let description = [{
    Prints, for every function, one row per kernel (every op that is not a
    view, a constant, an empty tensor or a fill used only as a destination):
    bytes read from and written to the outermost memory level, FLOPs and
    the roofline time on the module's `sinter.target` (required); then the totals, the compulsory minimum (each argument and
    constant read once, each result written once), their ratio, and the
    number of GEMM, attention and other kernels. The IR is not changed.
  }];
}

def SinterAttachTarget : Pass<"sinter-attach-target", "::mlir::ModuleOp"> {
  let summary = "Attach a named #sinter.target preset to the module";
  let description = [{
    Sets the module's `sinter.target` attribute to one of the presets the
    backends offer (`x86-avx512`, `x86-avx2`, `aarch64-neon`,
    `nvidia-h100`, `nvidia-a100`, `npu-910`; `sinter-compile
    --list-targets`). Tiling, fusion and the backends read hardware facts
    from that attribute only; this pass is the one place a preset's name
    becomes a description. An existing description is replaced. There is
    no default: `target` must name a preset.
  }];
  let dependentDialects = ["::mlir::sinter::SinterDialect"];
  let options = [
    Option<"targetName", "target", "std::string", "\"\"",
           "Name of the target preset (required)">
  ];
}

def SinterDetachTarget : Pass<"sinter-detach-target", "::mlir::ModuleOp"> {
  let summary = "Remove the module's #sinter.target";
  let description = [{
    Drops the module's `sinter.target` attribute, for tools that do not
    load the sinter dialect (mlir-runner after `sinter-reference-to-llvm`,
    which ends with this pass).
  }];
}

def SinterExplainTiling : Pass<"sinter-explain-tiling", "::mlir::ModuleOp"> {
  let summary = "Print the tiling cost model's choice for every GEMM and attention";
  let description = [{
    Prints one row per `sinter.gemm` and `sinter.attention` with static
    shapes: the problem shape, the chosen (or pinned, `sinter.tile_sizes`)
    tile, how the shared on-chip level is used, the predicted off-chip
    bytes, the lower bound (the larger of the compulsory traffic and the
    pebble-game bound for the target's on-chip capacity), their ratio, the
    predicted bytes moved from the shared level into the cores with the
    same bound for one core's level (2MNK/sqrt(S) for GEMM, the
    FlashAttention I/O bound Sq*Skv*D*Dv/S per head), their ratio, and the
    roofline time. The target is the module's `sinter.target` (required).
    The IR is not changed.

    ```
    sinter-opt m.mlir --sinter-attach-target=target=npu-910 \
      --sinter-explain-tiling -o /dev/null
    ```
  }];
}

def SinterTile : Pass<"sinter-tile", "::mlir::ModuleOp"> {
  let summary = "Tile GEMMs and decompose attention into the flash form";
  let description = [{
    Applies the cost model's tiles (see `--sinter-explain-tiling`; pinned
    `sinter.tile_sizes` win) on the module's `sinter.target` (required):

    * `sinter.gemm` is tiled through its `TilingInterface` into an
      `scf.forall` over output tiles (batch, rows, columns); the epilogue
      and extra reduction results tile with the output (a reduction along a
      dimension keeps that dimension whole). The tiled gemm carries
      `sinter.memory_level` (the core level the tile lives in) and its
      K step as `sinter.tile_sizes`.
    * `sinter.attention` becomes the flash form: an `scf.forall` over
      (batch, KV head, query tile[, KV split]) whose query tile holds every
      head of the KV group (GQA shares each K/V tile), an inner `scf.for`
      over the key blocks the mask leaves visible, carrying the running max,
      running sum and rescaled accumulator (online softmax); the mask is
      evaluated only on blocks that straddle the causal diagonal or the
      window edge. With KV splits (flash-decoding) each split writes a
      partial output and log-sum-exp and a final combine merges them.

    * `sinter.paged_attention` (static shapes) becomes two `sinter.kv.gather`
      of the sequences' K/V, an additive mask that encodes the lengths and
      the causal / window positions counted from each sequence's end, and a
      `sinter.attention` in the flash form.
    * The KV-cache ops tile through their `TilingInterface` over the
      dimensions they keep independent: `sinter.kv.gather` one (sequence,
      head) per tile, `sinter.kv.append` one head, `sinter.kv.quantize` /
      `dequantize` one leading index with the tokens (per-token scales) or
      channels (per-channel scales) a quarter of the core level holds.
      `sinter.tile_sizes` (one entry per dimension, 0 = whole) pins them.

    With `remarks`, every decision is reported as a remark (tiles, schedule,
    predicted bytes, bound, time). Ops with dynamic shapes are left alone.
  }];
  let options = [
    Option<"remarks", "remarks", "bool", "false",
           "Explain every tiling decision with a remark">
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SinterPartition : Pass<"sinter-partition", "::mlir::ModuleOp"> {
  let summary = "Split each public function into kernels and a host program";
  let description = [{
    After the graph stage, makes every public function a host program of
    kernel calls: each kernel becomes a private function marked
    `sinter.kernel` (its kind: `gemm`, `attention`, `rms_norm`, ...,
    `generic`, `transpose`, `concat`, `copy`) and is called in order from
    the function. Every sinter op is one kernel, with what the graph stage
    fused into it; every other tensor op that computes (linalg ops,
    `tensor.concat`, `tensor.pad`, a strided `tensor.extract_slice`) is one
    too. What costs no kernel stays in the host program: views
    (`tensor.expand_shape`, `collapse_shape`, `cast`, an `extract_slice` of
    a contiguous range), constants, and `tensor.empty`; a `linalg.fill` used
    only as a destination, scalar constants and empty destinations are
    cloned into the kernels that use them. A kernel that reads only
    load-time values (constants, `sinter.weight` arguments, or values made
    from them) is called with `sinter.load_time`: it can run once when the
    model is loaded. A result that does not come out of a kernel whole (an
    argument, a constant, a slice, or a value returned twice) gets a `copy`
    kernel, so every result is written by exactly one kernel.

    With `read-slices-in-kernels`, a strided `extract_slice` that only
    kernels read is cloned into each of them instead of being a `copy`
    kernel of its own (for backends whose kernels read their operands
    through access maps, as the NPU's vector programs do).

    Backends that launch kernels one by one (the GPU and the NPU) run this
    after the graph stage; the CPU compiles whole functions.
  }];
  let options = [
    Option<"readSlicesInKernels", "read-slices-in-kernels", "bool", "false",
           "Clone strided slices read only by kernels into those kernels">
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SinterPlanWorkspace : Pass<"sinter-plan-workspace", "::mlir::ModuleOp"> {
  let summary = "Place a host program's intermediates in one workspace";
  let description = [{
    For every host program (a public function that `sinter-partition`
    made), gives each kernel result a place: the function's output buffer
    when the result (or a view of it) is returned, or else a byte offset in
    one workspace shared by the function's intermediates. An intermediate
    lives from its kernel to the last kernel that reads it or a view of
    it; intermediates that are not live at the same time share bytes
    (first fit in program order, 256-byte aligned). Load-time results get
    offsets in a separate, persistent area.

    Records on each call `sinter.result_offsets` (one per result: a byte
    offset, or -1 for an output buffer) and on the function
    `sinter.workspace_bytes`, `sinter.persistent_bytes` and
    `sinter.intermediate_bytes` (the sum of all intermediates, what a plan
    without reuse would take). With a `#sinter.target`, a plan whose
    workspace and load-time results exceed the target's outermost memory
    level (the device memory) is an error naming the function and the
    kernel with the largest intermediate.
  }];
}

def SinterApproximateMath : Pass<"sinter-approximate-math"> {
  let summary = "Polynomial approximations of transcendental functions";
  let description = [{
    Rewrites f32 `math.exp`, `expm1`, `log`, `log1p`, `log2`, `tanh`, `erf`,
    `sin`, `cos` and `atan` (scalar or vector) into polynomial
    approximations built from arith ops. Both backends run it: on CPUs,
    vectorized epilogues and softmax stay vectorized instead of calling
    libm once per lane; on GPUs, kernels need no libdevice (the CUDA
    toolkit's bitcode math library) to be compiled. Accuracy is a few ulp
    in f32 (MLIR's approximations), well within the tolerances of the
    reference comparisons.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect"];
}

#endif // SINTER_TRANSFORMS_PASSES_TD
