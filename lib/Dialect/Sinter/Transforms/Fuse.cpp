//===- Fuse.cpp - Fuse memory-bound work into sinter.gemm epilogues -------===//
//
// Greedy, cost-driven fusion. Every decision compares the HBM bytes the
// fusion saves (the intermediate tensor is neither written nor read back)
// with what it costs on chip (the epilogue's operand tiles must fit in the
// target's innermost memory next to the accumulator tile), and can be
// explained with remarks.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERFUSE
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

int64_t mlir::sinter::getTensorBytes(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  int64_t bits = t.getElementType().getIntOrFloatBitWidth();
  return (t.getNumElements() * bits + 7) / 8;
}

TargetAttr mlir::sinter::lookupTarget(Operation *op) {
  for (Operation *p = op; p; p = p->getParentOp())
    if (auto t = p->getAttrOfType<TargetAttr>(kTargetAttrName))
      return t;
  return {};
}

namespace {

/// "file:line:col" for file locations, the printed location otherwise.
std::string locStr(Location loc) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto f = dyn_cast<FileLineColLoc>(loc))
    os << f.getFilename().getValue() << ":" << f.getLine() << ":"
       << f.getColumn();
  else
    os << loc;
  return s;
}

struct FusionOptions {
  bool remarks = false;
  /// Bytes of on-chip storage one output tile's epilogue may use.
  int64_t onChipBudget = 0;
  /// Elements in one output tile.
  int64_t tileElements = 0;
};

/// Derives the on-chip budget from the target (the module's
/// `sinter.target`, `nvidia-h100` if there is none): the innermost per-core
/// memory that can hold an f32 accumulator tile holds the epilogue's
/// operand tiles next to it.
FusionOptions optionsFor(Operation *op, bool remarks) {
  FusionOptions o;
  o.remarks = remarks;
  TargetAttr target = lookupTarget(op);
  if (!target)
    target = getTargetPreset(op->getContext(), "nvidia-h100");
  ArrayRef<int64_t> mma = target.getMatrixShape().asArrayRef();
  // A tile covers at least 16x16 outputs, more on wide matrix units.
  o.tileElements =
      std::max<int64_t>(mma[0], 16) * std::max<int64_t>(mma[1], 16);
  for (Attribute a : llvm::reverse(target.getLevels())) {
    auto level = cast<MemoryLevelAttr>(a);
    if (level.getCapacity() >= o.tileElements * 4) {
      o.onChipBudget = level.getCapacity();
      break;
    }
  }
  return o;
}

/// Element types whose per-element bytes count towards the tile budget.
int64_t elementBytes(Type t) {
  return (getElementTypeOrSelf(t).getIntOrFloatBitWidth() + 7) / 8;
}

/// Broadcasts spelled as a constant-0 map result over a size-1 dim (as
/// tosa-to-linalg writes them) become projections: the unit dims are
/// collapsed away and dropped from the map. Returns null if `map` has other
/// non-dim results.
bool isUnitBroadcastMap(Value v, AffineMap map) {
  auto t = cast<RankedTensorType>(v.getType());
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    auto c = dyn_cast<AffineConstantExpr>(e);
    if (!isa<AffineDimExpr>(e) &&
        !(c && c.getValue() == 0 && t.getDimSize(i) == 1))
      return false;
  }
  return true;
}

std::pair<Value, AffineMap> dropUnitBroadcastDims(OpBuilder &b, Location loc,
                                                  Value v, AffineMap map) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<bool> keep;
  SmallVector<AffineExpr> kept;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    if (isa<AffineDimExpr>(e)) {
      keep.push_back(true);
      kept.push_back(e);
    } else if (auto c = dyn_cast<AffineConstantExpr>(e);
               c && c.getValue() == 0 && t.getDimSize(i) == 1) {
      keep.push_back(false);
    } else {
      return {Value(), AffineMap()};
    }
  }
  if (llvm::all_of(keep, [](bool k) { return k; }))
    return {v, map};
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  SmallVector<int64_t> shape;
  for (auto [i, k] : llvm::enumerate(keep)) {
    pending.push_back(i);
    if (k) {
      groups.push_back(pending);
      pending.clear();
      shape.push_back(t.getDimSize(i));
    }
  }
  if (!pending.empty() && !groups.empty())
    llvm::append_range(groups.back(), pending);
  auto collapsedType = RankedTensorType::get(shape, t.getElementType());
  Value collapsed =
      tensor::CollapseShapeOp::create(b, loc, collapsedType, v, groups);
  return {collapsed,
          AffineMap::get(map.getNumDims(), 0, kept, map.getContext())};
}

/// Fuses an elementwise linalg.generic that consumes the only use of a
/// single-output sinter.gemm into the gemm's epilogue. Other inputs of the
/// generic become epilogue operands with the generic's indexing maps
/// (bias, scales, residuals); its payload is appended to the epilogue.
struct FuseElementwiseIntoEpilogue : OpRewritePattern<linalg::GenericOp> {
  FuseElementwiseIntoEpilogue(MLIRContext *ctx, bool remarks)
      : OpRewritePattern(ctx), remarks(remarks) {}

  LogicalResult matchAndRewrite(linalg::GenericOp generic,
                                PatternRewriter &rewriter) const override {
    if (!generic.hasPureTensorSemantics() || generic.getNumResults() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return failure();
    // Find the producing gemm among the inputs.
    GemmOp gemm;
    for (OpOperand *in : generic.getDpsInputOperands())
      if (auto g = in->get().getDefiningOp<GemmOp>()) {
        gemm = g;
        break;
      }
    if (!gemm)
      return failure();
    Value produced = gemm.getResult(0);
    auto explain = [&](const Twine &why) {
      if (remarks)
        generic.emitRemark()
            << "not fused into the epilogue of " << gemm->getName() << " ("
            << locStr(gemm.getLoc()) << "): " << why;
      return rewriter.notifyMatchFailure(generic, why);
    };
    if (gemm.getNumPrimaryResults() != 1)
      return explain("the gemm has several primary outputs");
    // Every use of the gemm output must be this generic, read elementwise.
    if (!llvm::all_of(produced.getUsers(),
                      [&](Operation *u) { return u == generic; }))
      return explain("the gemm output has other users");
    unsigned rank = cast<RankedTensorType>(produced.getType()).getRank();
    if (generic.getNumLoops() != rank)
      return explain("iteration space differs from the gemm output");
    for (OpOperand &opOperand : generic->getOpOperands()) {
      AffineMap map = generic.getMatchingIndexingMap(&opOperand);
      bool isProduced = opOperand.get() == produced;
      bool isOut = generic.isDpsInit(&opOperand);
      if ((isProduced || isOut) && !map.isIdentity())
        return explain("the gemm output or the result is not read/written "
                       "elementwise");
      if (!map.isProjectedPermutation() &&
          !isUnitBroadcastMap(opOperand.get(), map))
        return explain("an operand is not a projection of the output");
    }
    bool usesIndex = false, capturesValues = false;
    generic.getBody()->walk([&](Operation *op) {
      if (isa<linalg::IndexOp>(op) || op->getNumRegions() > 0)
        usesIndex = true;
      for (Value v : op->getOperands())
        if (v.getParentBlock() != generic.getBody() &&
            !matchPattern(v, m_Constant()))
          capturesValues = true;
    });
    if (usesIndex)
      return explain("the payload uses loop indices or regions");
    if (capturesValues)
      return explain("the payload reads non-constant values from above");

    // Collect the new epilogue operands: the generic's other inputs, and
    // its init if the payload reads it.
    Block &body = *generic.getBody();
    SmallVector<Value> newInputs;
    SmallVector<AffineMap> newMaps;
    SmallVector<BlockArgument> newArgs;
    for (OpOperand *in : generic.getDpsInputOperands()) {
      if (in->get() == produced)
        continue;
      newInputs.push_back(in->get());
      newMaps.push_back(generic.getMatchingIndexingMap(in));
      newArgs.push_back(body.getArgument(in->getOperandNumber()));
    }
    OpOperand *init = generic.getDpsInitOperand(0);
    BlockArgument outArg = body.getArgument(init->getOperandNumber());
    if (!outArg.use_empty()) {
      newInputs.push_back(init->get());
      newMaps.push_back(generic.getMatchingIndexingMap(init));
      newArgs.push_back(outArg);
    }

    // Cost: the accumulator tile plus one tile per epilogue operand must
    // fit on chip; the saving is the intermediate's write and read.
    FusionOptions costs = optionsFor(gemm, remarks);
    int64_t tileBytes = costs.tileElements * 4;
    for (Value v : gemm.getEpilogueInputs())
      tileBytes += costs.tileElements * elementBytes(v.getType());
    for (Value v : newInputs)
      tileBytes += costs.tileElements * elementBytes(v.getType());
    if (tileBytes > costs.onChipBudget)
      return explain("the epilogue's operand tiles (" + Twine(tileBytes) +
                     " B) exceed the on-chip budget (" +
                     Twine(costs.onChipBudget) + " B)");
    int64_t saved = 2 * getTensorBytes(produced.getType());

    // Build the fused gemm at the generic's position: all its operands
    // dominate it.
    rewriter.setInsertionPoint(generic);
    Location loc = generic.getLoc();
    for (auto [v, m] : llvm::zip(newInputs, newMaps))
      std::tie(v, m) = dropUnitBroadcastDims(rewriter, loc, v, m);
    SmallVector<Value> epilogueInputs(gemm.getEpilogueInputs());
    llvm::append_range(epilogueInputs, newInputs);
    SmallVector<Attribute> maps(gemm.getEpilogueMaps().getValue());
    for (AffineMap m : newMaps)
      maps.push_back(AffineMapAttr::get(m));
    SmallVector<Value> inits{init->get()};
    SmallVector<Type> resultTypes{generic.getResult(0).getType()};
    for (Value r : gemm.getInits().drop_front()) {
      inits.push_back(r);
      resultTypes.push_back(r.getType());
    }
    auto fused = GemmOp::create(
        rewriter, loc, resultTypes, gemm.getA(), gemm.getB(), gemm.getBScales(),
        gemm.getBZeroPoints(), epilogueInputs, inits, gemm.getTransposeA(),
        gemm.getTransposeB(), gemm.getAccType(), rewriter.getArrayAttr(maps),
        gemm.getBQuantAttr(), gemm.getReductions());

    // Epilogue block: (acc, old epilogue elements..., new elements...).
    SmallVector<Type> argTypes{gemm.getAccType()};
    for (Value v : epilogueInputs)
      argTypes.push_back(getElementTypeOrSelf(v.getType()));
    SmallVector<Location> argLocs(argTypes.size(), loc);
    Block *block =
        rewriter.createBlock(&fused.getEpilogue(), {}, argTypes, argLocs);
    rewriter.setInsertionPointToStart(block);
    unsigned numOld = gemm.getEpilogueInputs().size();
    SmallVector<Value> yielded;
    Type producedElem = getElementTypeOrSelf(produced.getType());
    if (gemm.getEpilogue().empty()) {
      Value acc = block->getArgument(0);
      Value v = acc;
      if (acc.getType() != producedElem)
        v = cast<FloatType>(producedElem).getWidth() <
                    cast<FloatType>(acc.getType()).getWidth()
                ? arith::TruncFOp::create(rewriter, loc, producedElem, acc)
                      .getResult()
                : arith::ExtFOp::create(rewriter, loc, producedElem, acc)
                      .getResult();
      yielded.push_back(v);
    } else {
      Block &old = gemm.getEpilogue().front();
      IRMapping m;
      m.map(old.getArguments(), block->getArguments().take_front(numOld + 1));
      for (Operation &op : old.without_terminator())
        rewriter.clone(op, m);
      for (Value v : old.getTerminator()->getOperands())
        yielded.push_back(m.lookupOrDefault(v));
    }
    IRMapping m;
    for (OpOperand *in : generic.getDpsInputOperands())
      if (in->get() == produced)
        m.map(body.getArgument(in->getOperandNumber()), yielded[0]);
    for (auto [arg, i] :
         llvm::zip(newArgs, llvm::seq<unsigned>(0, newArgs.size())))
      m.map(arg, block->getArgument(1 + numOld + i));
    // Constants the payload captures are cloned in: the epilogue reads
    // nothing from above.
    for (Operation &op : body.without_terminator())
      for (Value v : op.getOperands())
        if (v.getParentBlock() != &body && !m.contains(v))
          m.map(v, rewriter.clone(*v.getDefiningOp())->getResult(0));
    for (Operation &op : body.without_terminator())
      rewriter.clone(op, m);
    yielded[0] = m.lookupOrDefault(body.getTerminator()->getOperand(0));
    YieldOp::create(rewriter, loc, yielded);

    if (remarks)
      fused.emitRemark() << "fused " << generic->getName() << " ("
                         << locStr(generic.getLoc())
                         << ") into the epilogue of " << gemm->getName() << " ("
                         << locStr(gemm.getLoc()) << "): saves " << saved
                         << " HBM bytes (intermediate " << produced.getType()
                         << " not written or read)";
    rewriter.replaceOp(generic, fused.getResult(0));
    // The old gemm's reductions now come from the fused op.
    for (unsigned i = 1; i < gemm.getNumResults(); ++i)
      rewriter.replaceAllUsesWith(gemm.getResult(i), fused.getResult(i));
    rewriter.eraseOp(gemm);
    return success();
  }

  bool remarks;
};

struct FusePass : public sinter::impl::SinterFuseBase<FusePass> {
  using Base::Base;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFusePatterns(patterns, remarks);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::sinter::populateFusePatterns(RewritePatternSet &patterns,
                                        bool remarks) {
  patterns.add<FuseElementwiseIntoEpilogue>(patterns.getContext(), remarks);
}
