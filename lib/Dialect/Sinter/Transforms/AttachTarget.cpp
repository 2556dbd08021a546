//===- AttachTarget.cpp - Put a target preset on the module ---------------===//
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERATTACHTARGET
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
struct AttachTargetPass
    : public sinter::impl::SinterAttachTargetBase<AttachTargetPass> {
  using Base::Base;
  void runOnOperation() override {
    TargetAttr target = getTargetPreset(&getContext(), targetName);
    if (!target) {
      getOperation().emitError()
          << "unknown target '" << targetName
          << "'; known targets: " << llvm::join(getTargetPresetNames(), ", ");
      return signalPassFailure();
    }
    getOperation()->setAttr(kTargetAttrName, target);
  }
};
} // namespace
