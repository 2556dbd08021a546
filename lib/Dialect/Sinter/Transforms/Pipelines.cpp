//===- Pipelines.cpp - Named sinter pipelines -----------------------------===//
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

using namespace mlir;

/// Reference execution on the host CPU: lower tosa, decompose sinter ops,
/// bufferize and lower everything to the LLVM dialect so mlir-runner (or
/// any JIT) can run it. Types LLVM cannot compute in (bf16, fp8) are
/// expanded or emulated.
static constexpr const char *kReferencePipeline =
    "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,"
    "tosa-to-tensor),"
    "sinter-decompose,canonicalize,cse,"
    "one-shot-bufferize{bufferize-function-boundaries allow-return-allocs-from-loops "
    "function-boundary-type-conversion=identity-layout-map},"
    "func.func(scf-forall-to-for,buffer-hoisting,convert-linalg-to-loops),"
    "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
    "arith-expand{include-bf16},convert-arith-to-apfloat,"
    "convert-math-to-llvm,convert-math-to-libm,"
    "finalize-memref-to-llvm,convert-func-to-llvm,convert-arith-to-llvm,"
    "convert-cf-to-llvm,convert-index-to-llvm,reconcile-unrealized-casts,"
    "sinter-detach-target";

/// Graph compilation: make the whole dataflow visible (inline helpers,
/// tosa -> linalg), raise into sinter ops, fuse, clean up.
static constexpr const char *kGraphFrontend =
    "inline,func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,"
    "tosa-to-tensor),canonicalize,cse,sinter-raise,"
    "func.func(linalg-fuse-elementwise-ops)";

namespace {
struct GraphPipelineOptions : public PassPipelineOptions<GraphPipelineOptions> {
  Option<bool> fusionRemarks{
      *this, "fusion-remarks",
      llvm::cl::desc("Explain every fusion decision with a remark"),
      llvm::cl::init(false)};
};
} // namespace

void mlir::sinter::registerSinterPipelines() {
  PassPipelineRegistration<GraphPipelineOptions>(
      "sinter-graph-pipeline",
      "Raise linalg/tosa graphs into sinter ops and fuse memory-bound work "
      "(inline, tosa-to-linalg, sinter-raise, sinter-fuse, canonicalize)",
      [](OpPassManager &pm, const GraphPipelineOptions &options) {
        if (failed(parsePassPipeline(kGraphFrontend, pm)))
          llvm::report_fatal_error("invalid sinter graph pipeline");
        SinterFuseOptions fuse;
        fuse.remarks = options.fusionRemarks;
        pm.addPass(createSinterFuse(fuse));
        pm.addPass(createCanonicalizerPass());
        pm.addPass(createCSEPass());
      });
  PassPipelineRegistration<>(
      "sinter-reference-to-llvm",
      "Lower tosa, decompose sinter ops and lower the module to the LLVM "
      "dialect for "
      "reference execution on the CPU (mlir-runner)",
      [](OpPassManager &pm) {
        if (failed(parsePassPipeline(kReferencePipeline, pm)))
          llvm::report_fatal_error("invalid sinter reference pipeline");
      });
}
