//===- AttachTarget.cpp - Put a target preset on the module (or drop it) --===//
#include "sinter/Dialect/Sinter/IR/Target.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERATTACHTARGET
#define GEN_PASS_DEF_SINTERDETACHTARGET
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
struct AttachTargetPass
    : public sinter::impl::SinterAttachTargetBase<AttachTargetPass> {
  using Base::Base;
  void runOnOperation() override {
    if (targetName.empty()) {
      getOperation().emitError()
          << "sinter-attach-target needs target=NAME; known targets: "
          << llvm::join(getTargetPresetNames(), ", ");
      return signalPassFailure();
    }
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

struct DetachTargetPass
    : public sinter::impl::SinterDetachTargetBase<DetachTargetPass> {
  void runOnOperation() override {
    getOperation()->removeAttr(kTargetAttrName);
  }
};
} // namespace
