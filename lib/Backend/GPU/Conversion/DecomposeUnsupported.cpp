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
    if (failed(decomposeUnsupportedOps(module, [&](Operation *op) {
          return gpu_kernels::unsupportedSinterOp(op, *gpu).empty();
        })))
      return signalPassFailure();
  }
};
} // namespace
