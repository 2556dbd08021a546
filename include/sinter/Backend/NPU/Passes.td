//===- Passes.td - NPU backend passes ----------------------*- tablegen -*-===//
#ifndef SINTER_BACKEND_NPU_PASSES_TD
#define SINTER_BACKEND_NPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SinterNPUDecomposeUnsupported : Pass<"sinter-npu-decompose-unsupported", "::mlir::ModuleOp"> {
  let summary = "Decompose the sinter ops the NPU backend has no kernel for";
  let description = [{
    Rewrites every sinter op of a function body that no NPU kernel family
    takes (norms, softmax and RoPE on their own, f32 GEMMs, pairwise and
    reducing GEMMs, epilogues without a vector-unit form, attention with a
    bias, the bshd layout or shapes its kernel refuses, paged attention and
    the KV-cache ops other than append and gather) into its reference
    decomposition, so that sinter-partition makes vector-unit kernels
    (`npu.vgeneric`) of the pieces: nothing an imported model contains is
    refused for lack of a kernel. Attention with fused RoPE loses only its
    RoPE. Ops with a kernel are left alone.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def ConvertSinterToNPU : Pass<"convert-sinter-to-npu", "::mlir::ModuleOp"> {
  let summary = "Rewrite sinter ops and the kernels of host programs as NPU kernels";
  let description = [{
    The kernels of host programs (`sinter-partition`) become NPU kernels of
    the same names in the nested module `@sinter_npu_kernels`, taking the
    kernel function's arguments and then its results as global memrefs of
    their shapes; the host programs keep calling the tensor forms, which
    the artifact writer turns into launches. A kernel of a sinter op takes
    its kernel family below; every other kernel (elementwise and broadcast
    maps, reductions, transposes, casts, fills, slices, concatenations,
    gathers, and the decomposed sinter ops) becomes `npu.vgeneric` ops on
    the vector unit, reading every operand through its views (reshapes and
    slices compose into the access maps, no copies).

    Public functions that are not host programs are converted in place.
    Each whose body is one `sinter.gemm` on its
    arguments into an NPU kernel in the `npu` dialect: tensors become
    memrefs in global memory, results become trailing output arguments,
    and rank-1 epilogue operands become [1, N] rows or [M, 1] columns.

    The kernel walks 128 x 128 output tiles (smaller divisors of M and N
    when those are multiples of 16 but not of 128; 128 or the whole
    dimension rounded up to 16 otherwise, the last tile ragged: its copies
    in pad it with zeros, its store crops it), split over the cores by
    `npu.core_id`, in blocks of 2 x 2 tiles where M and N allow (each k
    block's A rows and B columns come into L1 once for the four
    accumulators in L0C). Per tile, k blocks of up to 128 come in by DMA (MTE2)
    into L1 in the cube's `nz` format, move to L0A/L0B (MTE1) and are
    multiplied into the L0C accumulator (`npu.mmad`); the fixpipe brings
    the accumulator to the unified buffer, the vector unit runs the
    epilogue, MTE3 stores the tile. Flags hand every buffer from its
    producer pipe to its consumer and back before it is refilled.

    Quantized weights (W8A16 / W4A16, the cube/vector hand-off): per k
    block, MTE2 brings B's int8/int4 codes and their scales into the
    unified buffer, the vector unit dequantizes them (`npu.vdequant`, in
    the scales' type) and MTE3 moves the weights into L1 in `nz` format,
    both buffer sets flagged like the others; the cube then multiplies as
    for f16 weights. Scales per column or per group of k rows (a group
    that divides the k block or is a multiple of it), of the activations'
    type, without zero points.

    `sinter.attention` ([B, H, S, D], f16/bf16, D up to 128, any sequence
    lengths (a ragged last block is padded, its padded keys masked by
    `npu.vmask`'s `columns`); no mask, causal or a sliding window; softcap)
    becomes
    FlashAttention on
    the cube and the vector unit: a core takes (batch, head, query block)
    items, longest first; Q stays in L0A; per key block K is copied
    transposed into L0B (`transpose` on the l1 -> l0b DMA), S = Q K^T is
    scaled (`npu.vscalar`), softcapped (`tanh` between two scalar ops)
    and, on the causal diagonal (and, for a sliding window, its lower
    edge), masked
    (`npu.vmask`), the online softmax runs on the vector unit, P returns
    through L1 to L0A as f16, and O = O alpha + P V is kept in f32 in the
    unified buffer; K/V blocks stream through a three-slot ring in L1. A
    decode (one query per head) takes the query heads of a KV head (up to
    16) as the rows of one item. The kernel's Q, K, V and O are the
    flattened [rows, D] tiles.

    `sinter.kv.append` and `sinter.kv.gather` (static shapes; slots,
    block tables and lengths i32/i64) become DMA programs: the scalar
    unit reads slots, table entries and lengths (`npu.read_index`) and the
    rows move global -> UB -> global through two buffers. kv.append: cores
    own the cache's blocks round-robin, copy theirs into the result unless
    it is the cache (`npu.same_buffer`: in place), then write the tokens
    landing in them in token order (the later of two wins); negative and
    out-of-range slots are skipped. kv.gather: (sequence, head, block)
    items read the block's valid rows of the head (strided in the cache),
    zero-padded past the sequence's end.

    Supported so far: f16/bf16 A [batch..., M, K] and B [K, N] or [N, K]
    (the latter copied transposed into L0B; int8/int4 B as above, [K, N];
    a B shared by the batch, whose dimensions fold into M; no transposed
    A), any M, N and K (multiples of 16 with quantized weights),
    f32 accumulation, and epilogues of `arith.addf/subf/mulf/divf/maximumf/
    minimumf` (with tiles, rows or columns of the epilogue operands),
    `arith.negf`, `math.exp/log/tanh/sqrt/rsqrt/absf` and float casts;
    epilogue operands are output tiles (every dimension in order), rows
    (n) or columns (the batch dimensions and m).
    Anything else is an error naming what is in the way.
  }];
  let dependentDialects = ["::mlir::sinter::npu::NPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::math::MathDialect"];
}

#endif // SINTER_BACKEND_NPU_PASSES_TD
