//===- Tile.cpp - Apply the cost model's tiles ----------------------------===//
#include "Tiling.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/Diagnostics.h"
#include "sinter/Analysis/TilingModel.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/TilingInterfaceImpl.h"
#include "llvm/Support/FormatVariadic.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERTILE
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
std::string explain(const TilingCost &c) {
  return llvm::formatv("{0}; predicted off-chip {1} B (bound {2} B, ratio "
                       "{3:f3}), shared level {4} B, {5:f2} us",
                       c.schedule, c.offChipBytes, c.boundBytes, c.ratio(),
                       c.sharedBytes, c.seconds * 1e6)
      .str();
}

/// Tiles the output of `op` into scf.forall tiles of tileM x tileN (one
/// batch index each); k stays whole inside the tile, and a dimension an
/// extra reduction reduces stays whole too.
LogicalResult tileGemm(RewriterBase &rewriter, GemmOp op, const GemmTiling &g,
                       StringRef level) {
  int64_t nb = op.getNumBatchDims();
  int64_t tm = g.tileM, tn = g.tileN;
  for (Attribute a : op.getReductions())
    (cast<ReductionAttr>(a).getDim() == GemmDim::n ? tn : tm) = 0;
  SmallVector<OpFoldResult> sizes(nb, rewriter.getIndexAttr(1));
  sizes.append({rewriter.getIndexAttr(tm), rewriter.getIndexAttr(tn),
                rewriter.getIndexAttr(0)});
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> r = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(r))
    return failure();
  Attribute levelAttr = rewriter.getStringAttr(level);
  for (LoopLikeOpInterface loop : r->loops)
    loop->setAttr(kMemoryLevelAttrName, levelAttr);
  for (Operation *tiled : r->tiledOps) {
    tiled->setAttr(kMemoryLevelAttrName, levelAttr);
    tiled->setAttr(kTileSizesAttrName,
                   rewriter.getDenseI64ArrayAttr({g.tileM, g.tileN, g.tileK}));
  }
  rewriter.replaceOp(op, r->replacements);
  return success();
}

struct TilePass : public sinter::impl::SinterTileBase<TilePass> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    registerTilingInterfaceExternalModels(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr target = targetName.empty()
                            ? lookupTarget(module)
                            : getTargetPreset(&getContext(), targetName);
    if (!target) {
      module.emitError() << (targetName.empty()
                                 ? Twine("no sinter.target on the module; "
                                         "attach one or pass target=NAME")
                                 : "unknown target '" + targetName + "'");
      return signalPassFailure();
    }
    TargetTiers tiers = TargetTiers::get(target);
    if (!tiers.core) {
      module.emitError() << "target '" << target.getName()
                         << "' has no per-core memory level to tile for";
      return signalPassFailure();
    }
    StringRef level = tiers.core.getName();

    SmallVector<Operation *> work;
    // Ops a previous run tiled carry their memory level; leave them.
    module.walk([&](Operation *op) {
      if (isa<AttentionOp, GemmOp>(op) && !op->hasAttr(kMemoryLevelAttrName))
        work.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    for (Operation *op : work) {
      if (auto attn = dyn_cast<AttentionOp>(op)) {
        if (!AttentionProblem::get(attn))
          continue;
        FailureOr<AttentionTiling> a = chooseAttentionTiling(attn, target);
        if (failed(a)) {
          failedAny = true;
          continue;
        }
        if (remarks)
          attn.emitRemark() << "flash attention: " << a->blockQ
                            << " query tokens x " << attn.getQuery().getType()
                                   .getDimSize(attn.getHeadDim()) /
                                   cast<RankedTensorType>(
                                       attn.getKey().getType())
                                       .getDimSize(attn.getHeadDim())
                            << " heads per tile, key blocks of "
                            << a->blockKV << ", " << a->splits
                            << " KV split(s), " << a->steps
                            << " key blocks per KV head (" << a->maskedSteps
                            << " masked) in " << level
                            << (a->pinned ? " (pinned)" : "") << "; "
                            << explain(a->cost);
        if (failed(sinter::detail::tileAttention(rewriter, attn, a->blockQ,
                                         a->blockKV, a->splits, level))) {
          attn.emitError() << "could not be tiled";
          failedAny = true;
        }
        continue;
      }
      auto gemm = cast<GemmOp>(op);
      if (!GemmProblem::get(gemm))
        continue;
      FailureOr<GemmTiling> g = chooseGemmTiling(gemm, target);
      if (failed(g)) {
        failedAny = true;
        continue;
      }
      if (remarks)
        gemm.emitRemark() << "gemm tile " << g->tileM << "x" << g->tileN
                          << " with k step " << g->tileK << " in " << level
                          << (g->pinned ? " (pinned)" : "") << "; "
                          << explain(g->cost);
      if (failed(tileGemm(rewriter, gemm, *g, level))) {
        gemm.emitError() << "could not be tiled";
        failedAny = true;
      }
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
