//===- Tile.cpp - Apply the cost model's tiles ----------------------------===//
#include "Tiling.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/Diagnostics.h"
#include "sinter/Analysis/TilingModel.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/bit.h"
#include <limits>
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

/// Tiles `op` through its TilingInterface into an scf.forall with `sizes`
/// (0 keeps a dimension whole) and tags loops and tiles with `level`.
LogicalResult tileWithInterface(RewriterBase &rewriter, Operation *op,
                                ArrayRef<int64_t> sizes, StringRef level,
                                ArrayRef<int64_t> recordedSizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> r =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(r))
    return failure();
  Attribute levelAttr = rewriter.getStringAttr(level);
  for (LoopLikeOpInterface loop : r->loops)
    loop->setAttr(kMemoryLevelAttrName, levelAttr);
  for (Operation *tiled : r->tiledOps) {
    tiled->setAttr(kMemoryLevelAttrName, levelAttr);
    tiled->setAttr(kTileSizesAttrName,
                   rewriter.getDenseI64ArrayAttr(recordedSizes));
  }
  rewriter.replaceOp(op, r->replacements);
  return success();
}

/// GEMM output tiles of tileM x tileN (one batch index each); k stays whole
/// inside the tile, and a dimension an extra reduction reduces stays whole.
LogicalResult tileGemm(RewriterBase &rewriter, GemmOp op, const GemmTiling &g,
                       StringRef level) {
  int64_t nb = op.getNumBatchDims();
  int64_t tm = g.tileM, tn = g.tileN;
  for (Attribute a : op.getReductions())
    (cast<ReductionAttr>(a).getDim() == GemmDim::n ? tn : tm) = 0;
  SmallVector<int64_t> sizes(nb, 1);
  sizes.append({tm, tn, 0});
  return tileWithInterface(rewriter, op, sizes, level,
                           {g.tileM, g.tileN, g.tileK});
}

/// Tile sizes for a memory-bound op (pinned `sinter.tile_sizes` win): the
/// dimensions it needs whole stay whole, its last other dimension streams
/// as many slices as a quarter of the core level holds (input and output,
/// rounded down to a power of two; whole if it fits), every remaining
/// dimension is 1.
FailureOr<SmallVector<int64_t>> memoryBoundTileSizes(Operation *op,
                                                     const TargetTiers &tiers) {
  MemoryBoundTiling info = *getMemoryBoundTiling(op);
  auto domain = cast<RankedTensorType>(info.domain.getType());
  int64_t rank = domain.getRank();
  if (auto pin = op->getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName)) {
    if (pin.size() != rank)
      return op->emitOpError(kTileSizesAttrName)
                 << " must have " << rank << " entries, one per dimension",
             failure();
    for (int64_t d : info.whole)
      if (pin[d] != 0 && pin[d] < domain.getDimSize(d))
        return op->emitOpError("dimension ")
                   << d << " must stay whole (tile size 0), not " << pin[d],
               failure();
    return SmallVector<int64_t>(pin.asArrayRef());
  }
  SmallVector<int64_t> sizes(rank, 1);
  int64_t sliceBytes =
      2 * std::max<int64_t>(
              domain.getElementType().getIntOrFloatBitWidth() / 8, 1);
  for (int64_t d : info.whole) {
    sizes[d] = 0;
    sliceBytes *= domain.getDimSize(d);
  }
  for (int64_t d = rank - 1; d >= 0; --d) {
    if (sizes[d] == 0)
      continue;
    int64_t n = std::max<int64_t>(tiers.core.getCapacity() / 4 / sliceBytes, 1);
    n = llvm::bit_floor(uint64_t(n));
    // A tile that spans the dimension takes it whole (no one-trip loop).
    sizes[d] = n >= domain.getDimSize(d) ? 0 : n;
    break;
  }
  return sizes;
}

/// Paged attention as two tiled gathers of the sequences' K/V, an additive
/// mask that encodes the lengths (and causal / window positions counted from
/// each sequence's end) and one sinter.attention, which then takes the
/// flash form. Only for static shapes.
LogicalResult pagedToFlash(RewriterBase &rewriter, PagedAttentionOp op) {
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto qT = cast<RankedTensorType>(op.getQuery().getType());
  auto kcT = cast<RankedTensorType>(op.getKeyCache().getType());
  auto vcT = cast<RankedTensorType>(op.getValueCache().getType());
  auto btT = cast<RankedTensorType>(op.getBlockTable().getType());
  int64_t B = qT.getDimSize(0), Sq = qT.getDimSize(2);
  int64_t S = btT.getDimSize(1) * kcT.getDimSize(1);
  auto gather = [&](Value cache, RankedTensorType t) -> Value {
    auto type = RankedTensorType::get({B, t.getDimSize(2), S, t.getDimSize(3)},
                                      t.getElementType());
    Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                         type.getElementType());
    return KVGatherOp::create(rewriter, loc, type, cache, op.getBlockTable(),
                              op.getSeqLens(), init);
  };
  Value k = gather(op.getKeyCache(), kcT), v = gather(op.getValueCache(), vcT);
  // bias[b, 0, i, j] = 0 where key j is visible to query i of sequence b.
  Type f32 = rewriter.getF32Type();
  Value biasInit =
      tensor::EmptyOp::create(rewriter, loc, ArrayRef<int64_t>{B, 1, Sq, S}, f32);
  MLIRContext *ctx = rewriter.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  MaskKind mask = op.getMask();
  std::optional<int64_t> window;
  if (auto w = op.getWindowAttr())
    window = w.getInt();
  Value bias =
      linalg::GenericOp::create(
          rewriter, loc, TypeRange{biasInit.getType()},
          ValueRange{op.getSeqLens()}, ValueRange{biasInit},
          ArrayRef<AffineMap>{AffineMap::get(4, 0, {d(0)}, ctx),
                              AffineMap::getMultiDimIdentityMap(4, ctx)},
          SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value len = arith::IndexCastOp::create(b, l, b.getIndexType(),
                                                   args[0]);
            Value i = linalg::IndexOp::create(b, l, 2);
            Value j = linalg::IndexOp::create(b, l, 3);
            Value visible = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::slt, j, len);
            Value pos = arith::AddIOp::create(
                b, l,
                arith::SubIOp::create(
                    b, l, len, arith::ConstantIndexOp::create(b, l, Sq)),
                i);
            if (mask != MaskKind::none)
              visible = arith::AndIOp::create(
                  b, l, visible,
                  arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle, j,
                                        pos));
            if (mask == MaskKind::sliding_window && window)
              visible = arith::AndIOp::create(
                  b, l, visible,
                  arith::CmpIOp::create(
                      b, l, arith::CmpIPredicate::slt,
                      arith::SubIOp::create(b, l, pos, j),
                      arith::ConstantIndexOp::create(b, l, *window)));
            Value zero =
                arith::ConstantOp::create(b, l, b.getF32FloatAttr(0.0f));
            Value ninf = arith::ConstantOp::create(
                b, l, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
            linalg::YieldOp::create(
                b, l, ValueRange{arith::SelectOp::create(b, l, visible, zero,
                                                         ninf)});
          })
          .getResult(0);
  auto attn = AttentionOp::create(
      rewriter, loc, op->getResultTypes(), op.getQuery(), k, v, bias, Value(),
      Value(), op.getInits(), op.getScaleAttr(), MaskKind::none, IntegerAttr(),
      op.getSoftcapAttr());
  if (auto pin = op->getAttr(kTileSizesAttrName))
    attn->setAttr(kTileSizesAttrName, pin);
  rewriter.replaceOp(op, attn->getResults());
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
    FailureOr<TargetAttr> resolved = requireTarget(module, "sinter-tile");
    if (failed(resolved))
      return signalPassFailure();
    TargetAttr target = *resolved;
    TargetTiers tiers = TargetTiers::get(target);
    if (!tiers.core) {
      module.emitError() << "target '" << target.getName()
                         << "' has no per-core memory level to tile for";
      return signalPassFailure();
    }
    StringRef level = tiers.core.getName();

    SmallVector<Operation *> work;
    IRRewriter pagedRewriter(&getContext());
    SmallVector<PagedAttentionOp> paged;
    module.walk([&](PagedAttentionOp op) { paged.push_back(op); });
    for (PagedAttentionOp op : paged) {
      if (remarks)
        op.emitRemark() << "paged attention: gathered K/V, lengths and "
                           "positions as an additive mask, flash form";
      // Dynamic shapes: the op is left alone (it still decomposes).
      if (failed(pagedToFlash(pagedRewriter, op)))
        continue;
    }

    // Ops a previous run tiled carry their memory level; leave them.
    module.walk([&](Operation *op) {
      if ((isa<AttentionOp, GemmOp>(op) || getMemoryBoundTiling(op)) &&
          !op->hasAttr(kMemoryLevelAttrName))
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
      if (!isa<GemmOp>(op)) {
        if (llvm::any_of(op->getOperandTypes(), [](Type t) {
              return !cast<RankedTensorType>(t).hasStaticShape();
            }))
          continue;
        FailureOr<SmallVector<int64_t>> sizes = memoryBoundTileSizes(op, tiers);
        if (failed(sizes)) {
          failedAny = true;
          continue;
        }
        if (remarks)
          op->emitRemark() << "tiles of " << llvm::join(llvm::map_range(*sizes,
                                               [](int64_t v) {
                                                 return v ? std::to_string(v)
                                                          : std::string("all");
                                               }),
                                               " x ")
                           << " in " << level;
        if (failed(tileWithInterface(rewriter, op, *sizes, level, *sizes))) {
          op->emitError() << "could not be tiled with sizes ["
                          << llvm::join(llvm::map_range(*sizes,
                                                        [](int64_t v) {
                                                          return std::to_string(
                                                              v);
                                                        }),
                                        ", ")
                          << "]";
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
