//===- Passes.td - NVIDIA GPU backend passes ----------------*- tablegen -*-===//
#ifndef SINTER_TARGET_GPU_PASSES_TD
#define SINTER_TARGET_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSinterToGPU : Pass<"convert-sinter-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Outline each exported function's sinter op into a GPU kernel";
  let description = [{
    For every public function whose body is one `sinter.gemm` on the
    function's arguments (after the graph pipeline has fused the epilogue
    into it), adds a `gpu.func` kernel of the same name to the
    `gpu.module @sinter_kernels` and records how to launch it on the
    function: `sinter.gpu.grid`, `sinter.gpu.block` and
    `sinter.gpu.shared_bytes`. Kernel parameters are the function's
    arguments then its results, as static row-major memrefs (bare pointers
    once lowered).

    The GEMM kernel is a shared-memory tiled SIMT kernel: 64 x 64 output
    tiles per block of 256 threads, k staged through shared memory 16 at a
    time, 4 x 4 f32 accumulators per thread, f32/f16/bf16 operands widened
    to f32, transposed operands and batch dimensions (B may be shared
    across the batch), ragged edges guarded. The epilogue region is cloned
    per element onto the accumulator before the single store, its operands
    read through their indexing maps.

    Functions this cannot compile get an error naming the function and the
    reason (several ops, quantized or pairwise GEMMs, reductions, dynamic
    shapes, other accumulator types).

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
    Option<"targetName", "target", "std::string", "\"nvidia-h100\"",
           "GPU target preset (its SM count sizes split-KV decode grids)">
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

#endif // SINTER_TARGET_GPU_PASSES_TD
