//===- Decompose.cpp - Reference semantics of sinter ops ------------------===//
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERDECOMPOSE
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

void mlir::sinter::populateDecomposePatterns(RewritePatternSet &patterns) {}

namespace {
struct DecomposePass : public sinter::impl::SinterDecomposeBase<DecomposePass> {
  void runOnOperation() override {}
};
} // namespace
