//===- Passes.td - NVIDIA GPU backend passes ----------------*- tablegen -*-===//
#ifndef SINTER_BACKEND_GPU_PASSES_TD
#define SINTER_BACKEND_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSinterToGPU : Pass<"convert-sinter-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Outline each exported function's sinter op into GPU kernels";
  let description = [{
    For every public function whose body is one `sinter.gemm`,
    `sinter.attention` or `sinter.paged_attention` on the function's
    arguments (after the graph pipeline has fused what it can into it), adds
    `gpu.func` kernels to the `gpu.module @sinter_kernels` and records how
    to launch them on the function: `sinter.gpu.grid`, `sinter.gpu.block`
    and `sinter.gpu.shared_bytes` for the kernel named like the function;
    for functions that run several kernels, `sinter.gpu.next_kernels` (the
    later launches, in order) and `sinter.gpu.workspace_bytes` (f32 scratch
    passed to every kernel after the results). Kernel parameters are the
    function's arguments then its results, as static row-major memrefs
    (bare pointers once lowered); kernels that use TMA also take the
    descriptors listed in `sinter.gpu.tensor_maps` (which the launch code
    encodes), by value after the rest.

    The machine is the module's `sinter.target` (required, of kind `gpu`):
    its `config.chip` (`sm_90a`, `sm_80`) picks the kernel forms, its cores
    (SMs) and `smem` level size the split-KV decode grids.

    * **GEMM, f16/bf16, A [M, K] and B [N, K] or [K, N], sm_90a**: a
      persistent, warp-specialized Hopper kernel. One block per SM walks
      its output tiles (grouped by 1024 rows for L2 reuse); a producer
      warpgroup fills a 4-stage ring of 128-byte-swizzled tiles by TMA,
      handing stages over with mbarriers; two consumer warpgroups (with
      most of the registers, `setmaxnreg`) run `wgmma.mma_async` m64n256k16
      from shared-memory descriptors (a [K, N] B read N-major), one group in
      flight, and the epilogue on the accumulators. Cooperative schedule
      (the default): both consumers share each 128 x 256 tile. Ping-pong
      schedule (`gemm-schedule=pingpong`): each consumer owns whole
      64 x 256 tiles and one's epilogue runs under the other's mainloop,
      the mainloops ordered by named barriers.
      A single output whose rows are a multiple of 16 bytes is stored
      through swizzled staging boxes and TMA; others from registers. Needs
      rows of A and B that are a multiple of 16 bytes, no batch dimensions,
      no quantized or pairwise B, no reductions and no row sums of squares.
    * **GEMM, f16/bf16, other layouts or targets**: tensor cores through
      `mma.sync` m16n8k16 (f32 accumulators), 128 x 128 x 64 block tiles
      over 8 warps, `ldmatrix` fragments (`.trans` for a [k][n] B), the
      next k block's global loads in flight while the current one
      computes.
    * **GEMM, f32, and i8 x i8 (i32 accumulators)**: a shared-memory tiled
      SIMT kernel, 64 x 64 tiles, 4 x 4 multiply-adds per thread.
    * The GEMM kernels handle transposed operands, batch dimensions (with
      broadcast operands) and ragged edges, and apply the epilogue region to
      each accumulator before the single store. On the mma.sync kernel,
      int8 and int4 weights (W8A16 / W4A16: per-channel or grouped scales,
      zero points; int4 takes a byte per element) are dequantized in
      registers as B is staged. A pairwise B (gate and up side by side)
      is tiled so that each thread holds both accumulators of its outputs;
      `a_row_sum_sq` sums the squares of the A elements a thread stages,
      then across the row's threads, into shared memory. Epilogue
      reductions (`sum`, `max`, `sum_sq` along m or n; mma.sync and SIMT)
      fold each thread's elements, then the lanes sharing a row or column,
      into the reduction outputs atomically, after a first kernel sets
      them to the identity.
    * **Attention, [B, H, S, D] with D = Dv in {64, 128}, sm_90a**: a
      FlashAttention-3 style kernel. A producer warpgroup loads Q and a
      2-stage ring of K/V tiles (128 keys) by TMA; two consumer warpgroups
      (64 query rows each) compute S = Q K^T and O += P V with wgmma, the
      online softmax on the accumulators, P through a swizzled shared tile.
      Masks, GQA/MQA, softcap and the log-sum-exp as below.
    * **Attention** (f16/bf16; causal, sliding-window or no mask; GQA/MQA,
      softcap, `bshd` layout, the log-sum-exp), otherwise: a
      FlashAttention-2 kernel.
      Q fragments stay in registers; K/V tiles are staged by `cp.async`; the
      online softmax runs on the accumulator fragments with quad shuffles
      and `ex2`; P stays in registers for the PV product. Masks bound the
      key loop, so hidden blocks are never loaded.
    * **Paged attention** (decode and chunked prefill, at most 16 query rows
      per KV head): split-KV (FlashDecoding). One warp per (split, KV head,
      sequence) reads its pages in place through the block table; a combine
      kernel merges the splits by their log-sum-exps. The split count fills
      the target's SMs once, given the blocks their shared memory holds.
    * **KV cache**: `kv.gather` through the block table, `kv.append` (copy
      unless the result is the cache itself, then the last writer of each
      slot scatters its row), one thread per 16-byte chunk; `kv.quantize`
      to int8 or fp8 e4m3 (sm_90a) with per-token scales (a warp per row)
      or per-channel scales (a thread per channel); `kv.evict` (every
      policy) with a block per (sequence, head): classification, ranking of
      the candidates, a scan of the keep flags and the copy of the kept
      rows, the head's state in shared memory.

    Functions this cannot compile get an error naming the function and the
    reason (several ops, quantized weights with f32 activations, non-f32
    reduction results, dynamic shapes, attention biases or fused RoPE,
    unsupported head dimensions or dtypes, fp8 on sm_80, an evicted head
    whose state exceeds shared memory).

    Example:
    ```mlir
    func.func @f(%a: tensor<100x70xf32>, %b: tensor<70x50xf32>) -> tensor<100x50xf32>
    // becomes, next to it:
    gpu.module @sinter_kernels {
      gpu.func @f(%a: memref<100x70xf32>, %b: memref<70x50xf32>,
                  %out: memref<100x50xf32>) workgroup(...) kernel { ... }
    }
    // and @f gets {sinter.gpu.grid = array<i64: 1, 2, 1>,
    //              sinter.gpu.block = array<i64: 256, 1, 1>, ...}
    ```
  }];
  let options = [
    Option<"gemmSchedule", "gemm-schedule", "std::string", "\"auto\"",
           "Hopper GEMM schedule: cooperative (two consumer warpgroups share "
           "each 128 x 256 tile), pingpong (each owns 64 x 256 tiles, one's "
           "epilogue under the other's mainloop; measured slower so far) or "
           "auto (cooperative)">
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::arith::ArithDialect"];
}

def SinterGPUDecomposeUnsupported : Pass<"sinter-gpu-decompose-unsupported", "::mlir::ModuleOp"> {
  let summary = "Decompose the sinter ops the GPU backend has no kernel for";
  let description = [{
    Rewrites every sinter op of a function body that no GPU kernel family
    takes (norms, softmax and RoPE on their own, attention with a bias or
    fused RoPE, f32 attention, ops with shapes or types a family refuses)
    into its reference decomposition, so that sinter-partition makes
    generic kernels of the pieces: nothing an imported model contains is
    refused for lack of a kernel. Needs a GPU `#sinter.target`. Ops with a
    kernel are left alone.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect"];
}

def SinterGPUTanhOnSFU : Pass<"sinter-gpu-tanh-on-sfu", "::mlir::ModuleOp"> {
  let summary = "f32 math.tanh on the special function unit";
  let description = [{
    Rewrites every f32 `math.tanh` as `1 - 2 / (1 + 2^(2 x log2 e))` with
    `ex2.approx` and an approximate reciprocal: a handful of instructions
    where the polynomial takes dozens, with an absolute error around 1e-7
    (GELU and softcap epilogues run it once per output element). Part of
    the GPU backend's lowering to PTX, before the NVVM conversion.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect"];
}

def SinterGPUTensorMapParams : Pass<"sinter-gpu-tensor-map-params", "::mlir::ModuleOp"> {
  let summary = "Pass TMA descriptors by value as grid constants";
  let description = [{
    On every `llvm.func` kernel with `sinter.tensor_map_args` (from
    convert-sinter-to-gpu), marks those parameters `byval` 128-byte arrays,
    64-byte aligned, `nvvm.grid_constant` (CUDA's `__grid_constant__
    CUtensorMap`): the kernel addresses the descriptor in place, as TMA
    requires. Runs after the NVVM lowering; the attribute is removed.
  }];
}

#endif // SINTER_BACKEND_GPU_PASSES_TD
