//===- PlanWorkspace.cpp - Intermediates of a host program in one buffer --===//
//
// sinter-plan-workspace: see Passes.td. Lifetimes are intervals of program
// positions in the host program's block (straight-line code), extended
// through the views that read a result.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "sinter/Dialect/Sinter/IR/Target.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERPLANWORKSPACE
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr int64_t kAlignment = 256;

struct Interval {
  int64_t begin, end; // positions, inclusive
  int64_t offset, bytes;
};

struct PlanWorkspacePass
    : public sinter::impl::SinterPlanWorkspaceBase<PlanWorkspacePass> {
  void runOnOperation() override {
    for (auto f : getOperation().getOps<func::FuncOp>())
      if (f->hasAttr(kHostAttrName) && failed(plan(f)))
        return signalPassFailure();
  }

  LogicalResult plan(func::FuncOp f) {
    Block &block = f.getBody().front();
    llvm::DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = i;
    // The last position that reads `v`, through views of it.
    std::function<int64_t(Value)> lastUse = [&](Value v) {
      int64_t last = -1;
      for (Operation *user : v.getUsers()) {
        last = std::max(last, position.lookup(user));
        if (isHostView(user))
          last = std::max(last, lastUse(user->getResult(0)));
      }
      return last;
    };
    // Results that are (views of) what the function returns.
    llvm::DenseSet<Value> outputs;
    for (Value v : block.getTerminator()->getOperands()) {
      while (Operation *def = v.getDefiningOp()) {
        if (!isHostView(def))
          break;
        v = def->getOperand(0);
      }
      outputs.insert(v);
    }

    Builder b(f.getContext());
    SmallVector<Interval> placed;
    int64_t workspace = 0, persistent = 0, intermediates = 0;
    for (auto call : block.getOps<func::CallOp>()) {
      bool loadTime = call->hasAttr(kLoadTimeAttrName);
      SmallVector<int64_t> offsets;
      for (Value r : call.getResults()) {
        int64_t bytes = llvm::alignTo(getTensorBytes(r.getType()), kAlignment);
        if (outputs.contains(r) && !loadTime) {
          offsets.push_back(-1);
          continue;
        }
        intermediates += bytes;
        if (loadTime) {
          offsets.push_back(persistent);
          persistent += bytes;
          continue;
        }
        Interval iv{position.lookup(call),
                    std::max(position.lookup(call), lastUse(r)), 0, bytes};
        // First fit among the buffers live at the same time.
        SmallVector<std::pair<int64_t, int64_t>> busy;
        for (const Interval &p : placed)
          if (p.begin <= iv.end && iv.begin <= p.end)
            busy.push_back({p.offset, p.offset + p.bytes});
        llvm::sort(busy);
        for (auto [lo, hi] : busy) {
          if (iv.offset + bytes <= lo)
            break;
          iv.offset = std::max(iv.offset, hi);
        }
        placed.push_back(iv);
        workspace = std::max(workspace, iv.offset + bytes);
        offsets.push_back(iv.offset);
      }
      call->setAttr(kResultOffsetsAttrName, b.getDenseI64ArrayAttr(offsets));
    }
    f->setAttr(kWorkspaceBytesAttrName, b.getI64IntegerAttr(workspace));
    f->setAttr(kPersistentBytesAttrName, b.getI64IntegerAttr(persistent));
    f->setAttr(kIntermediateBytesAttrName, b.getI64IntegerAttr(intermediates));
    // The plan must fit the target's device memory (its outermost level).
    TargetAttr target = lookupTarget(f);
    if (!target || target.getLevels().empty())
      return success();
    auto memory = cast<MemoryLevelAttr>(target.getLevels()[0]);
    if (workspace + persistent <= memory.getCapacity())
      return success();
    // Name the largest intermediate: the first thing to shrink.
    func::CallOp largest;
    int64_t largestBytes = 0;
    for (auto call : block.getOps<func::CallOp>())
      for (Value r : call.getResults())
        if (!outputs.contains(r) &&
            getTensorBytes(r.getType()) > largestBytes) {
          largestBytes = getTensorBytes(r.getType());
          largest = call;
        }
    InFlightDiagnostic d = f.emitError()
                           << "sinter-plan-workspace: @" << f.getName()
                           << " needs " << workspace
                           << " bytes of workspace and " << persistent
                           << " bytes of load-time results, more than the "
                           << target.getName() << "'s " << memory.getName()
                           << " holds (" << memory.getCapacity() << " bytes)";
    if (largest)
      d << "; the largest intermediate is the result of @"
        << largest.getCallee() << " (" << largestBytes << " bytes)";
    return failure();
  }
};
} // namespace
