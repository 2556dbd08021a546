//===- DecomposeUnsupported.cpp - Sinter ops without a GPU kernel ---------===//
//
// sinter-gpu-decompose-unsupported: see Passes.td.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sinter/Backend/GPU/Passes.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERGPUDECOMPOSEUNSUPPORTED
#include "sinter/Backend/GPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
struct DecomposeUnsupportedPass
    : public sinter::impl::SinterGPUDecomposeUnsupportedBase<
          DecomposeUnsupportedPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<gpu_kernels::GPUResources> gpu = gpu_kernels::getGPUResources(
        module, "sinter-gpu-decompose-unsupported");
    if (failed(gpu))
      return signalPassFailure();
    RewritePatternSet set(&getContext());
    populateDecomposePatterns(set);
    FrozenRewritePatternSet patterns(std::move(set));
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    // A decomposition may make sinter ops of its own; those the backend
    // cannot run go in the next round.
    bool decomposed = false;
    for (int round = 0; round < 4; ++round) {
      SmallVector<Operation *> unsupported;
      module.walk([&](func::FuncOp f) {
        if (f.isExternal())
          return;
        for (Operation &op : f.getBody().getOps())
          if (isa<SinterDialect>(op.getDialect()) &&
              !gpu_kernels::unsupportedSinterOp(&op, *gpu).empty())
            unsupported.push_back(&op);
      });
      if (unsupported.empty())
        break;
      decomposed = true;
      if (failed(applyOpPatternsGreedily(unsupported, patterns, config)))
        return signalPassFailure();
    }
    if (!decomposed)
      return;
    // The decompositions ask for sizes (tensor.dim) that are static here.
    RewritePatternSet dims(&getContext());
    tensor::DimOp::getCanonicalizationPatterns(dims, &getContext());
    if (failed(applyPatternsGreedily(module, std::move(dims))))
      return signalPassFailure();
  }
};
} // namespace
