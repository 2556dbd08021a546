//===- CopiesToLinalg.cpp - memref.copy as linalg.copy --------------------===//
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "sinter/Backend/CPU/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERCOPIESTOLINALG
#include "sinter/Backend/CPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
struct CopiesToLinalgPass
    : public sinter::impl::SinterCopiesToLinalgBase<CopiesToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp c) { copies.push_back(c); });
    for (memref::CopyOp c : copies) {
      OpBuilder b(c);
      linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
      c.erase();
    }
  }
};
} // namespace
