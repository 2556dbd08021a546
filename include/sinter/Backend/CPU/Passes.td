//===- Passes.td - CPU backend passes ----------------------*- tablegen -*-===//
#ifndef SINTER_BACKEND_CPU_PASSES_TD
#define SINTER_BACKEND_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SinterMarkCExports : Pass<"sinter-mark-c-exports", "::mlir::ModuleOp"> {
  let summary = "Record the plain C signature of every public function";
  let description = [{
    Runs on bufferized IR whose results were turned into out-params. For
    every public function it records the memref type of each argument
    (`sinter.c_arg_types`) and whether the function writes it
    (`sinter.c_arg_written`), for `--sinter-export-c-interface` and the
    generated C header. A public function that still returns values, takes
    a dynamically shaped or strided buffer, or a module that computes in
    fp8 (not supported by the CPU backend yet) is an error naming the
    function and the reason.
  }];
}

def SinterExportCInterface : Pass<"sinter-export-c-interface", "::mlir::ModuleOp"> {
  let summary = "Give every marked function a plain C entry point";
  let description = [{
    On the LLVM dialect: each function `f` marked by
    `--sinter-mark-c-exports` becomes an internal `f.sinter_impl`, and a new
    `f(T *arg0, T *arg1, ...)` passes one pointer per buffer, with the
    static sizes and dense row-major strides, to it. Callers see no memref
    descriptors.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SinterCPUVectorizeGemm : Pass<"sinter-cpu-vectorize-gemm", "::mlir::ModuleOp"> {
  let summary = "Register-blocked vector micro-kernels for tiled GEMMs";
  let description = [{
    Rewrites every tiled `sinter.gemm` (one that carries
    `sinter.memory_level`, from `--sinter-tile`) into loops over blocks of
    6 rows x 4 vectors of the target (`vector_bytes` of the module's
    `sinter.target`, which the pass requires; 2 vectors where its `registers` level holds fewer than
    32 vectors, as on AVX2): the k loop keeps the accumulators in registers
    with one B row load and 6 broadcast-FMAs per step, k blocked by the
    target's L1 (see `k-block`) with the column loop outside, and the epilogue
    region is cloned with vector types so bias, scales, residuals and
    activations run on the accumulators before the single store. A
    B tile is packed into contiguous zero-padded panels first (once for
    the whole gemm when several rows of tiles share it; a transposed B is
    transposed and a quantized B dequantized on the way); the edges use
    masked loads and stores. int8 x int8 gemms accumulate in i32 vectors.
    Gemms with extra reductions, A-row statistics, other integer types or
    non-elementwise epilogues are left for the reference lowering.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::linalg::LinalgDialect"];
  let options = [
    Option<"kBlock", "k-block", "int64_t", "0",
           "Block k by this many rows (Goto's kc: f32 partial sums in a tile "
           "buffer between blocks, the epilogue after the last). 0 (default) "
           "derives kc from the target: a packed kc x NR panel of B fills at "
           "most 2/3 of the innermost per-core level; -1 keeps k whole">
  ];
}

def SinterCopiesToLinalg : Pass<"sinter-copies-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    `memref.copy` between buffers with layouts LLVM cannot copy with one
    memcpy lowers to a call into MLIR's C runner library. Generated objects
    must not depend on it, so copies become `linalg.copy`, which lowers to
    loops with everything else.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // SINTER_BACKEND_CPU_PASSES_TD
