//===- DecomposeUnsupported.cpp - Sinter ops without an NPU kernel --------===//
//
// sinter-npu-decompose-unsupported: see Passes.td.
//
//===----------------------------------------------------------------------===//
#include "NPUKernels.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "sinter/Backend/NPU/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERNPUDECOMPOSEUNSUPPORTED
#include "sinter/Backend/NPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
struct DecomposeUnsupportedPass
    : public sinter::impl::SinterNPUDecomposeUnsupportedBase<
          DecomposeUnsupportedPass> {
  void runOnOperation() override {
    if (failed(decomposeUnsupportedOps(getOperation(), [](Operation *op) {
          return npu::unsupportedSinterOp(op).empty();
        })))
      signalPassFailure();
  }
};
} // namespace
