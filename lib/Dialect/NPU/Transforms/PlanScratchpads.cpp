//===- PlanScratchpads.cpp - Place npu.alloc buffers by lifetime ----------===//
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "sinter/Dialect/NPU/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::sinter::npu {
#define GEN_PASS_DEF_NPUPLANSCRATCHPADS
#include "sinter/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace mlir::sinter::npu

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::npu;

int64_t mlir::sinter::npu::getBufferBytes(MemRefType type) {
  int64_t bits = type.getNumElements() * type.getElementTypeBitWidth();
  return llvm::divideCeil(bits, 8);
}

namespace {
constexpr int64_t kAlignment = 32;

/// One buffer: its op, where it lives in the body ([first, last] op
/// indices) and the bytes it takes.
struct Buffer {
  AllocOp op;
  MemorySpace space;
  int64_t first, last, bytes;
  int64_t offset = -1;
};

struct NPUPlanScratchpadsPass
    : public npu::impl::NPUPlanScratchpadsBase<NPUPlanScratchpadsPass> {
  using Base::Base;
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (f.isExternal())
      return;
    FailureOr<TargetAttr> target = requireTarget(f, "npu-plan-scratchpads");
    if (failed(target))
      return signalPassFailure();
    // Program order of the body's top-level ops; a nested op counts as its
    // top-level ancestor.
    Block &body = f.getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;
    auto topLevel = [&](Operation *op) {
      return position.lookup(body.findAncestorOpInBlock(*op));
    };
    SmallVector<Buffer> buffers;
    f.walk([&](AllocOp alloc) {
      Buffer buf{alloc, *getMemorySpace(alloc.getType()), topLevel(alloc),
                 topLevel(alloc), getBufferBytes(alloc.getType())};
      for (Operation *user : alloc->getUsers())
        buf.last = std::max(buf.last, topLevel(user));
      if (IntegerAttr pinned = alloc.getOffsetAttr())
        buf.offset = pinned.getInt();
      buffers.push_back(buf);
    });
    bool failedAny = false;
    for (MemorySpace space :
         {MemorySpace::l1, MemorySpace::l0a, MemorySpace::l0b, MemorySpace::l0c,
          MemorySpace::ub}) {
      // The target's memory levels carry the spaces' names.
      StringRef name = stringifyEnum(space);
      MemoryLevelAttr level = target->getLevel(name);
      if (!level) {
        for (Buffer &b : buffers)
          if (b.space == space) {
            b.op.emitOpError() << "target '" << target->getName()
                               << "' has no '" << name << "' memory level";
            failedAny = true;
            break;
          }
        continue;
      }
      int64_t capacity = level.getCapacity();
      SmallVector<Buffer *> placed;
      auto overlapsInTime = [](const Buffer &a, const Buffer &b) {
        return a.first <= b.last && b.first <= a.last;
      };
      // Pinned buffers first, then the rest in program order.
      SmallVector<Buffer *> order;
      for (Buffer &b : buffers)
        if (b.space == space && b.offset >= 0)
          order.push_back(&b);
      for (Buffer &b : buffers)
        if (b.space == space && b.offset < 0)
          order.push_back(&b);
      for (Buffer *b : order) {
        // Byte ranges that buffers live at the same time already take.
        SmallVector<std::pair<int64_t, int64_t>> taken;
        int64_t liveBytes = 0;
        for (Buffer *p : placed)
          if (overlapsInTime(*p, *b)) {
            taken.push_back({p->offset, p->offset + p->bytes});
            liveBytes += p->bytes;
          }
        llvm::sort(taken);
        if (b->offset >= 0) {
          for (auto [lo, hi] : taken)
            if (b->offset < hi && lo < b->offset + b->bytes) {
              b->op.emitOpError()
                  << "is pinned at offset " << b->offset << " of " << name
                  << ", where a buffer live at the same time already is (" << lo
                  << " to " << hi << ")";
              failedAny = true;
              break;
            }
        } else {
          int64_t at = 0;
          for (auto [lo, hi] : taken) {
            if (at + b->bytes <= lo)
              break;
            at = std::max<int64_t>(at, llvm::alignTo(hi, kAlignment));
          }
          b->offset = at;
        }
        if (b->offset + b->bytes > capacity) {
          b->op.emitOpError()
              << "needs " << b->bytes << " bytes of " << name << " at offset "
              << b->offset << ", but " << name << " holds " << capacity
              << " bytes on target '" << target->getName() << "' and "
              << liveBytes << " of them are taken by buffers live here";
          failedAny = true;
          continue;
        }
        placed.push_back(b);
        b->op.setOffsetAttr(
            IntegerAttr::get(IntegerType::get(&getContext(), 64), b->offset));
      }
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
