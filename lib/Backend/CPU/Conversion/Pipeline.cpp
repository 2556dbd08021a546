//===- Pipeline.cpp - sinter IR to the LLVM dialect for CPUs --------------===//
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Backend/CPU/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_REGISTRATION
#include "sinter/Backend/CPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;

/// Tiling, vector micro-kernels for the GEMM tiles, the reference
/// decomposition for everything else, then bufferization with results as
/// caller-provided out-params.
static constexpr const char *kBufferize =
    "sinter-decompose,canonicalize,cse,sinter-approximate-math,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "allow-return-allocs-from-loops "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-results-to-out-params{hoist-static-allocs=true "
    "modify-public-functions=true}";

/// Outer tile loops run on OpenMP threads; temporaries are freed; the rest
/// lowers to LLVM. alloca scopes that scf-to-openmp adds are lowered before
/// the loops inside them become multi-block control flow. bf16 conversions
/// are expanded after the math lowering (which adds some) so objects need
/// no compiler-rt helpers.
static constexpr const char *kLower =
    "func.func(scf-forall-to-parallel),buffer-deallocation-pipeline,"
    "func.func(sinter-copies-to-linalg,convert-linalg-to-loops),convert-scf-to-openmp,canonicalize,"
    "expand-strided-metadata,lower-affine,convert-vector-to-llvm,"
    "finalize-memref-to-llvm,"
    "convert-scf-to-cf,convert-math-to-llvm,convert-math-to-libm,"
    "arith-expand{include-bf16},convert-func-to-llvm,convert-openmp-to-llvm,"
    "convert-arith-to-llvm,convert-cf-to-llvm,convert-index-to-llvm,"
    "reconcile-unrealized-casts";

void mlir::sinter::buildLowerToCPUPipeline(OpPassManager &pm,
                                           int64_t kBlock) {
  pm.addPass(createSinterTile());
  SinterCPUVectorizeGemmOptions vectorize;
  vectorize.kBlock = kBlock;
  pm.addPass(createSinterCPUVectorizeGemm(vectorize));
  if (failed(parsePassPipeline(kBufferize, pm)))
    llvm::report_fatal_error("invalid sinter CPU pipeline (bufferize)");
  pm.addPass(createSinterMarkCExports());
  if (failed(parsePassPipeline(kLower, pm)))
    llvm::report_fatal_error("invalid sinter CPU pipeline (lower)");
  pm.addPass(createSinterExportCInterface());
}

void mlir::sinter::registerCPUPasses() {
  registerSinterCPUPasses();
  PassPipelineRegistration<>(
      "sinter-lower-to-cpu",
      "Tile, decompose, bufferize (results as out-params), parallelize outer "
      "tiles with OpenMP and lower to the LLVM dialect with plain C entry "
      "points; the module needs a sinter.target",
      [](OpPassManager &pm) { buildLowerToCPUPipeline(pm); });
}
