//===- ExplainTiling.cpp - Print the tiling cost model's choices ----------===//
#include "sinter/Analysis/TilingModel.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTEREXPLAINTILING
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
std::string describe(const GemmProblem &p) {
  std::string s = p.batch > 1 ? llvm::formatv("{0}x", p.batch).str() : "";
  s += llvm::formatv("{0}x{1}x{2}", p.m, p.n, p.k).str();
  return s;
}

std::string describe(const AttentionProblem &p) {
  std::string s = llvm::formatv("B{0} H{1}", p.batch, p.heads).str();
  if (p.kvHeads != p.heads)
    s += llvm::formatv("/{0}", p.kvHeads).str();
  s += llvm::formatv(" Sq{0} Skv{1} D{2}", p.sq, p.skv, p.d).str();
  if (p.mask == MaskKind::causal)
    s += " causal";
  else if (p.mask == MaskKind::sliding_window)
    s += llvm::formatv(" window{0}", p.window).str();
  return s;
}

struct ExplainTilingPass
    : public sinter::impl::SinterExplainTilingBase<ExplainTilingPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> resolved =
        requireTarget(module, "sinter-explain-tiling");
    if (failed(resolved))
      return signalPassFailure();
    TargetAttr target = *resolved;
    TargetTiers tiers = TargetTiers::get(target);
    llvm::raw_ostream &os = llvm::outs();
    os << "sinter tiling on " << target.getName() << " (off-chip "
       << tiers.offChip.getName() << ", shared "
       << (tiers.shared ? tiers.shared.getName() : "-") << ", core "
       << (tiers.core ? tiers.core.getName() : "-") << ")\n";
    os << llvm::format(
        "  %-9s %-6s %-34s %-13s %14s %14s %6s %14s %14s %6s %11s  %s\n", "op",
        "loc", "shape", "tile", "off-chip B", "bound B", "ratio",
        "to cores B", "bound B", "ratio", "time us", "schedule");
    bool failedAny = false;
    auto row = [&](Operation *op, StringRef shape, StringRef tile,
                   const TilingCost &c) {
      os << llvm::format(
          "  %-9s %-6s %-34s %-13s %14lld %14lld %6.3f %14lld %14lld %6.2f "
          "%11.2f  %s\n",
          op->getName().stripDialect().str().c_str(),
          getShortLocation(op->getLoc()).c_str(), shape.str().c_str(),
          tile.str().c_str(), (long long)c.offChipBytes,
          (long long)c.boundBytes, c.ratio(), (long long)c.sharedBytes,
          (long long)c.sharedBoundBytes, c.sharedRatio(), c.seconds * 1e6,
          c.schedule.c_str());
    };
    module.walk([&](Operation *op) {
      if (auto gemm = dyn_cast<GemmOp>(op)) {
        std::optional<GemmProblem> p = GemmProblem::get(gemm);
        if (!p)
          return;
        FailureOr<GemmTiling> g = chooseGemmTiling(gemm, target);
        if (failed(g)) {
          failedAny = true;
          return;
        }
        row(op, describe(*p),
            llvm::formatv("{0}x{1}x{2}{3}", g->tileM, g->tileN, g->tileK,
                          g->pinned ? " pin" : "")
                .str(),
            g->cost);
      } else if (auto attn = dyn_cast<AttentionOp>(op)) {
        std::optional<AttentionProblem> p = AttentionProblem::get(attn);
        if (!p)
          return;
        FailureOr<AttentionTiling> a = chooseAttentionTiling(attn, target);
        if (failed(a)) {
          failedAny = true;
          return;
        }
        row(op, describe(*p),
            llvm::formatv("{0}x{1}/{2}{3}", a->blockQ, a->blockKV, a->splits,
                          a->pinned ? " pin" : "")
                .str(),
            a->cost);
      }
    });
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
