//===- Fuse.cpp - Fuse memory-bound work into sinter.gemm epilogues -------===//
//
// Greedy, cost-driven fusion. Every decision compares the HBM bytes the
// fusion saves (the intermediate tensor is neither written nor read back)
// with what it costs on chip (the epilogue's operand tiles must fit in the
// target's innermost memory next to the accumulator tile), and can be
// explained with remarks.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sinter/Analysis/Traffic.h"
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

namespace {

/// "file:line:col" of a location (the callee's for inlined code), the
/// printed location otherwise.
std::string locStr(Location loc) {
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return locStr(call.getCallee());
  if (auto fused = dyn_cast<FusedLoc>(loc);
      fused && !fused.getLocations().empty())
    return locStr(fused.getLocations().front());
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto f = dyn_cast<FileLineColLoc>(loc))
    os << f.getFilename().getValue() << ":" << f.getLine() << ":"
       << f.getColumn();
  else
    os << loc;
  return s;
}

/// What one output tile's epilogue may keep on chip.
struct TileBudget {
  /// Bytes of on-chip storage one output tile's epilogue may use.
  int64_t onChipBudget = 0;
  /// Elements in one output tile.
  int64_t tileElements = 0;
};

/// Derives the on-chip budget from the module's `sinter.target` (sinter-fuse
/// requires one; without one the budget is empty): the innermost per-core
/// memory that can hold an f32 accumulator tile holds the epilogue's
/// operand tiles next to it.
TileBudget tileBudgetFor(Operation *op) {
  TileBudget o;
  TargetAttr target = lookupTarget(op);
  if (!target)
    return o;
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
/// Whether `v` is made from constants and weights ({sinter.weight}
/// arguments) alone: what is computed from it runs once, at load time (or
/// when the weights change), not on every call.
bool isConstantDerived(Value v) {
  SmallVector<Value> work{v};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value x = work.pop_back_val();
    if (!seen.insert(x).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(x)) {
      auto f = dyn_cast<FunctionOpInterface>(arg.getOwner()->getParentOp());
      if (!f || !f.getArgAttr(arg.getArgNumber(), kWeightArgAttrName))
        return false;
      continue;
    }
    Operation *def = x.getDefiningOp();
    if (def->getNumRegions() || !isMemoryEffectFree(def))
      return false;
    llvm::append_range(work, def->getOperands());
  }
  return true;
}

/// Whether concatenating `weights` (to fuse the GEMMs that read them) pays
/// off: free when they are constants or weights (it runs once), else only
/// when it saves more memory traffic (`savedBytes`) than the concatenation
/// moves (each weight read and written).
bool concatPays(ValueRange weights, int64_t savedBytes) {
  if (llvm::all_of(weights, isConstantDerived))
    return true;
  int64_t moved = 0;
  for (Value w : weights)
    moved += 2 * getTensorBytes(w.getType());
  return savedBytes > moved;
}

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

/// Emits `g`'s epilogue at the builder's position with its block arguments
/// bound to `args` (accumulators, then epilogue elements) and returns the
/// values it yields; without a region, the accumulator converted to the
/// primary result's element type.
SmallVector<Value> inlineEpilogue(OpBuilder &b, Location loc, GemmOp g,
                                  ValueRange args) {
  if (g.getEpilogue().empty()) {
    Value acc = args[0];
    Type elem = getElementTypeOrSelf(g.getResult(0).getType());
    if (acc.getType() == elem)
      return {acc};
    auto accF = cast<FloatType>(acc.getType());
    if (cast<FloatType>(elem).getWidth() < accF.getWidth())
      return {arith::TruncFOp::create(b, loc, elem, acc).getResult()};
    return {arith::ExtFOp::create(b, loc, elem, acc).getResult()};
  }
  Block &old = g.getEpilogue().front();
  IRMapping m;
  m.map(old.getArguments(), args.take_front(old.getNumArguments()));
  for (Operation &op : old.without_terminator())
    b.clone(op, m);
  return llvm::map_to_vector(old.getTerminator()->getOperands(),
                             [&](Value v) { return m.lookupOrDefault(v); });
}

/// Emits a linalg payload with the arguments already in `m`; constants it
/// captures from above are cloned in. Returns the first yielded value.
Value inlinePayload(OpBuilder &b, Block &body, IRMapping &m) {
  for (Operation &op : body.without_terminator())
    for (Value v : op.getOperands())
      if (v.getParentBlock() != &body && !m.contains(v))
        m.map(v, b.clone(*v.getDefiningOp())->getResult(0));
  for (Operation &op : body.without_terminator())
    b.clone(op, m);
  return m.lookupOrDefault(body.getTerminator()->getOperand(0));
}

/// Why a payload cannot move into an epilogue, or an empty string.
std::string payloadObstacle(Block &body) {
  std::string why;
  body.walk([&](Operation *op) {
    if (isa<linalg::IndexOp>(op) || op->getNumRegions() > 0)
      why = "the payload uses loop indices or regions";
    for (Value v : op->getOperands())
      if (why.empty() && v.getParentBlock() != &body &&
          !matchPattern(v, m_Constant()))
        why = "the payload reads non-constant values from above";
  });
  return why;
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
    // Find the producing gemm among the inputs. With several, prefer one
    // whose A no other gemm reads, so siblings sharing an A stay mergeable
    // (a LoRA update joins the low-rank gemm, not the base one).
    GemmOp gemm;
    for (OpOperand *in : generic.getDpsInputOperands()) {
      auto g = in->get().getDefiningOp<GemmOp>();
      if (!g)
        continue;
      bool sharesA = llvm::any_of(g.getA().getUsers(), [&](Operation *u) {
        return u != g && isa<GemmOp>(u);
      });
      if (!gemm || !sharesA)
        gemm = g;
      if (!sharesA)
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
    if (std::string why = payloadObstacle(*generic.getBody()); !why.empty())
      return explain(why);

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
    TileBudget costs = tileBudgetFor(gemm);
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
        gemm.getTransposeB(), gemm.getAccType(), gemm.getPairwise(),
        rewriter.getArrayAttr(maps), gemm.getBQuantAttr(), gemm.getReductions(),
        gemm.getARowSumSq());

    // Epilogue block: (leading args, old epilogue elements..., new ones...).
    unsigned numAcc = gemm.getNumLeadingEpilogueArgs();
    SmallVector<Type> argTypes = gemm.getLeadingEpilogueArgTypes();
    for (Value v : epilogueInputs)
      argTypes.push_back(getElementTypeOrSelf(v.getType()));
    SmallVector<Location> argLocs(argTypes.size(), loc);
    Block *block =
        rewriter.createBlock(&fused.getEpilogue(), {}, argTypes, argLocs);
    rewriter.setInsertionPointToStart(block);
    unsigned numOld = gemm.getEpilogueInputs().size();
    SmallVector<Value> yielded = inlineEpilogue(
        rewriter, loc, gemm, block->getArguments().take_front(numOld + numAcc));
    IRMapping m;
    for (OpOperand *in : generic.getDpsInputOperands())
      if (in->get() == produced)
        m.map(body.getArgument(in->getOperandNumber()), yielded[0]);
    for (auto [arg, i] :
         llvm::zip(newArgs, llvm::seq<unsigned>(0, newArgs.size())))
      m.map(arg, block->getArgument(numAcc + numOld + i));
    yielded[0] = inlinePayload(rewriter, body, m);
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

/// Builds the body of a gemm epilogue in `block` whose accumulators are
/// first multiplied by rsqrt(ss / k + eps), then runs `old`'s epilogue (or
/// the default conversion to `outElem`). `ss` is a block argument: the
/// last one, or the one right after the accumulators (`ssLeading`), in
/// which case `old`'s later arguments shift by one.
void buildRowScaledEpilogue(OpBuilder &b, Location loc, Block *block,
                            Region &old, Type outElem, int64_t k, float eps,
                            unsigned numAcc, bool ssLeading) {
  b.setInsertionPointToStart(block);
  Value ss =
      ssLeading ? block->getArgument(numAcc) : block->getArguments().back();
  Value invK = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f / k));
  Value epsV = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(eps));
  Value mean = arith::MulFOp::create(b, loc, ss, invK);
  Value r =
      math::RsqrtOp::create(b, loc, arith::AddFOp::create(b, loc, mean, epsV));
  SmallVector<Value> accs;
  for (unsigned i = 0; i < numAcc; ++i)
    accs.push_back(arith::MulFOp::create(b, loc, block->getArgument(i), r));
  Value acc = accs[0];
  if (old.empty()) {
    Value v = acc;
    if (outElem != acc.getType())
      v = arith::TruncFOp::create(b, loc, outElem, acc);
    YieldOp::create(b, loc, v);
    return;
  }
  Block &oldBlock = old.front();
  IRMapping m;
  for (unsigned i = 0; i < oldBlock.getNumArguments(); ++i)
    m.map(oldBlock.getArgument(i),
          i < numAcc ? accs[i] : block->getArgument(i + (ssLeading ? 1 : 0)));
  for (Operation &op : oldBlock)
    b.clone(op, m);
}

/// RMSNorm(x) . W = diag(1/rms(x)) . x . (diag(gamma) . W): a norm whose
/// every user is the A operand of a gemm is folded away. gamma scales the
/// (load-time) weights, 1/rms becomes a row scale in each consumer's
/// epilogue, and the row sums of squares come from the gemm producing x as
/// an extra reduction (or from one reduction over x otherwise).
struct FoldRMSNormIntoGemms : OpRewritePattern<RMSNormOp> {
  FoldRMSNormIntoGemms(MLIRContext *ctx, bool remarks)
      : OpRewritePattern(ctx), remarks(remarks) {}

  LogicalResult matchAndRewrite(RMSNormOp norm,
                                PatternRewriter &rewriter) const override {
    Value y = norm.getResult(), x = norm.getInput(), gamma = norm.getGamma();
    auto xT = cast<RankedTensorType>(x.getType());
    int64_t k = xT.getShape().back();
    SmallVector<GemmOp> users;
    for (OpOperand &use : y.getUses()) {
      auto g = dyn_cast<GemmOp>(use.getOwner());
      if (!g || use.getOperandNumber() != 0 || g.getTransposeA() ||
          g.getBQuant() || g.getARowSumSq() || !g.getAccType().isF32() ||
          cast<RankedTensorType>(g.getB().getType()).getRank() != 2 ||
          !isLoadTimeValue(g.getB()))
        return failure();
      users.push_back(g);
    }
    if (users.empty() || ShapedType::isDynamic(k) || !isLoadTimeValue(gamma) ||
        !xT.hasStaticShape())
      return failure();
    Location loc = norm.getLoc();
    Type f32 = rewriter.getF32Type();
    int64_t rank = xT.getRank();
    MLIRContext *ctx = getContext();

    // Row sums of squares of x, [lead...] f32.
    SmallVector<int64_t> rowShape(xT.getShape().drop_back());
    auto rowT = RankedTensorType::get(rowShape, f32);
    Value ss;
    auto producer = x.getDefiningOp<GemmOp>();
    bool fromProducer = producer && producer.getNumPrimaryResults() == 1 &&
                        producer.getResult(0) == x &&
                        producer.getNumBatchDims() == rank - 2;
    if (fromProducer) {
      rewriter.setInsertionPoint(producer);
      Value zero =
          arith::ConstantOp::create(rewriter, loc, rewriter.getF32FloatAttr(0));
      Value ssInit =
          linalg::FillOp::create(
              rewriter, loc, ValueRange{zero},
              ValueRange{tensor::EmptyOp::create(rewriter, loc, rowShape, f32)})
              .getResult(0);
      // Add a sum_sq reduction along n of the stored output to the producer.
      SmallVector<Value> inits(producer.getInits());
      inits.push_back(ssInit);
      SmallVector<Type> types(producer.getResultTypes());
      types.push_back(rowT);
      SmallVector<Attribute> reds(producer.getReductions().getValue());
      reds.push_back(
          ReductionAttr::get(ctx, ReductionKind::sum_sq, GemmDim::n));
      auto p2 = GemmOp::create(
          rewriter, producer.getLoc(), types, producer.getA(), producer.getB(),
          producer.getBScales(), producer.getBZeroPoints(),
          producer.getEpilogueInputs(), inits, producer.getTransposeA(),
          producer.getTransposeB(), producer.getAccType(),
          producer.getPairwise(), producer.getEpilogueMaps(),
          producer.getBQuantAttr(), rewriter.getArrayAttr(reds),
          producer.getARowSumSq());
      SmallVector<Type> argTypes = producer.getLeadingEpilogueArgTypes();
      for (Value v : producer.getEpilogueInputs())
        argTypes.push_back(getElementTypeOrSelf(v.getType()));
      Block *block = rewriter.createBlock(
          &p2.getEpilogue(), {}, argTypes,
          SmallVector<Location>(argTypes.size(), producer.getLoc()));
      rewriter.setInsertionPointToStart(block);
      SmallVector<Value> yielded =
          inlineEpilogue(rewriter, loc, producer, block->getArguments());
      // The norm reads the stored (rounded) value: reduce that.
      Value stored = yielded[0];
      Value wide =
          stored.getType() == f32
              ? stored
              : arith::ExtFOp::create(rewriter, loc, f32, stored).getResult();
      yielded.push_back(wide);
      YieldOp::create(rewriter, loc, yielded);
      for (unsigned i = 0; i < producer.getNumResults(); ++i)
        rewriter.replaceAllUsesWith(producer.getResult(i), p2.getResult(i));
      rewriter.eraseOp(producer);
      x = p2.getResult(0);
      ss = p2.getResults().back();
    }
    // Otherwise each consumer takes the statistics from the A rows it
    // streams (a_row_sum_sq).

    float eps = norm.getEpsilon().convertToFloat();
    int64_t saved = getTensorBytes(y.getType()) * (1 + users.size());
    for (GemmOp g : users) {
      rewriter.setInsertionPoint(g);
      Location gl = g.getLoc();
      // W' = diag(gamma) . W along k (a load-time kernel).
      Value w = g.getB();
      auto wT = cast<RankedTensorType>(w.getType());
      unsigned kDim = g.getTransposeB() ? 1 : 0;
      Value wInit = tensor::EmptyOp::create(rewriter, gl, wT.getShape(),
                                            wT.getElementType());
      Value scaledW =
          linalg::GenericOp::create(
              rewriter, gl, TypeRange{wT}, ValueRange{w, gamma},
              ValueRange{wInit},
              {AffineMap::getMultiDimIdentityMap(2, ctx),
               AffineMap::get(2, 0, getAffineDimExpr(kDim, ctx)),
               AffineMap::getMultiDimIdentityMap(2, ctx)},
              SmallVector<utils::IteratorType>(2,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                Value wv = arith::ExtFOp::create(b, l, f32, a[0]);
                if (a[0].getType() == f32)
                  wv = a[0];
                Value gv =
                    a[1].getType() == f32
                        ? a[1]
                        : arith::ExtFOp::create(b, l, f32, a[1]).getResult();
                Value p = arith::MulFOp::create(b, l, wv, gv);
                if (a[0].getType() != f32)
                  p = arith::TruncFOp::create(b, l, a[0].getType(), p);
                linalg::YieldOp::create(b, l, p);
              })
              .getResult(0);
      SmallVector<Value> ins(g.getEpilogueInputs());
      SmallVector<Attribute> maps(g.getEpilogueMaps().getValue());
      if (ss) {
        ins.push_back(ss);
        int64_t nb = g.getNumBatchDims();
        maps.push_back(AffineMapAttr::get(
            AffineMap::getMultiDimIdentityMap(nb + 2, ctx).dropResult(nb + 1)));
      }
      auto g2 = GemmOp::create(
          rewriter, gl, g.getResultTypes(), x, scaledW, Value(), Value(), ins,
          g.getInits(), false, g.getTransposeB(), g.getAccType(),
          g.getPairwise(), rewriter.getArrayAttr(maps), WeightQuantAttr(),
          g.getReductions(), /*a_row_sum_sq=*/!ss);
      SmallVector<Type> argTypes = g2.getLeadingEpilogueArgTypes();
      for (Value v : ins)
        argTypes.push_back(getElementTypeOrSelf(v.getType()));
      Block *block =
          rewriter.createBlock(&g2.getEpilogue(), {}, argTypes,
                               SmallVector<Location>(argTypes.size(), gl));
      buildRowScaledEpilogue(rewriter, gl, block, g.getEpilogue(),
                             getElementTypeOrSelf(g.getResult(0).getType()), k,
                             eps, g.getNumAccumulators(), /*ssLeading=*/!ss);
      rewriter.replaceOp(g, g2.getResults());
      if (remarks)
        g2.emitRemark() << "folded sinter.rms_norm (" << locStr(norm.getLoc())
                        << ") into this gemm: gamma scales the weights, "
                           "1/rms is a row scale in the epilogue";
    }
    if (remarks)
      norm.emitRemark() << "re-expressed into " << users.size()
                        << " consuming gemm(s): saves " << saved
                        << " HBM bytes (the normalized tensor is neither "
                           "written nor read)";
    rewriter.eraseOp(norm);
    return success();
  }

  bool remarks;
};

/// A gated unit, act = f(gate, up) with gate = A.Wg and up = A.Wu, becomes
/// one pairwise gemm over [Wg | Wu] whose epilogue computes f from the two
/// accumulators: A is read once and neither projection is written.
struct FusePairwise : OpRewritePattern<linalg::GenericOp> {
  FusePairwise(MLIRContext *ctx, bool remarks)
      : OpRewritePattern(ctx, /*benefit=*/2), remarks(remarks) {}

  LogicalResult matchAndRewrite(linalg::GenericOp generic,
                                PatternRewriter &rewriter) const override {
    if (!generic.hasPureTensorSemantics() || generic.getNumResults() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return failure();
    SmallVector<GemmOp> gemms;
    for (OpOperand *in : generic.getDpsInputOperands())
      if (auto g = in->get().getDefiningOp<GemmOp>();
          g && !llvm::is_contained(gemms, g))
        gemms.push_back(g);
    if (gemms.size() != 2)
      return failure();
    GemmOp g1 = gemms[0], g2 = gemms[1];
    for (GemmOp g : gemms)
      if (g.getPairwise() || g.getARowSumSq() || !g.getReductions().empty() ||
          g.getNumResults() != 1 || g.getB().getType().getRank() != 2 ||
          !llvm::all_of(g->getUsers(),
                        [&](Operation *u) { return u == generic; }))
        return failure();
    if (g1.getA() != g2.getA() || g1.getTransposeA() != g2.getTransposeA() ||
        g1.getTransposeB() != g2.getTransposeB() ||
        g1.getAccType() != g2.getAccType() ||
        g1.getB().getType() != g2.getB().getType() ||
        g1.getResult(0).getType() != g2.getResult(0).getType() ||
        g1.getEpilogueInputs() != g2.getEpilogueInputs() ||
        g1.getEpilogueMaps() != g2.getEpilogueMaps() ||
        !g1.getB().getType().hasStaticShape())
      return failure();
    // Quantized weights pair up when quantized alike.
    if (g1.getBQuantAttr() != g2.getBQuantAttr() ||
        (g1.getBScales() &&
         g1.getBScales().getType() != g2.getBScales().getType()) ||
        bool(g1.getBZeroPoints()) != bool(g2.getBZeroPoints()) ||
        (g1.getBZeroPoints() &&
         g1.getBZeroPoints().getType() != g2.getBZeroPoints().getType()))
      return failure();
    Block &body = *generic.getBody();
    for (OpOperand &operand : generic->getOpOperands()) {
      AffineMap map = generic.getMatchingIndexingMap(&operand);
      Value v = operand.get();
      bool fromGemm = v == g1.getResult(0) || v == g2.getResult(0);
      if ((fromGemm || generic.isDpsInit(&operand)) && !map.isIdentity())
        return failure();
      if (!map.isProjectedPermutation())
        return failure();
    }
    if (!payloadObstacle(body).empty())
      return failure();
    // Fusing saves writing and reading both projections.
    if (!concatPays({g1.getB(), g2.getB()},
                    4 * getTensorBytes(g1.getResult(0).getType())))
      return failure();

    // Order the gemms so the first reads the columns [0, N).
    rewriter.setInsertionPoint(generic);
    Location loc = generic.getLoc();
    unsigned nDimB = g1.getTransposeB() ? 0 : 1;
    Value concatB = tensor::ConcatOp::create(rewriter, loc, nDimB,
                                             ValueRange{g1.getB(), g2.getB()});
    // Scales and zero points are indexed by n last ([N] or [K/g, N]).
    auto concatLastDim = [&](Value a, Value b) -> Value {
      if (!a)
        return {};
      int64_t d = cast<RankedTensorType>(a.getType()).getRank() - 1;
      return tensor::ConcatOp::create(rewriter, loc, d, ValueRange{a, b});
    };
    Value scales = concatLastDim(g1.getBScales(), g2.getBScales());
    Value zeroPoints = concatLastDim(g1.getBZeroPoints(), g2.getBZeroPoints());
    SmallVector<Value> ins(g1.getEpilogueInputs());
    SmallVector<Attribute> maps(g1.getEpilogueMaps().getValue());
    SmallVector<BlockArgument> newArgs;
    for (OpOperand *in : generic.getDpsInputOperands()) {
      if (in->get() == g1.getResult(0) || in->get() == g2.getResult(0))
        continue;
      ins.push_back(in->get());
      maps.push_back(AffineMapAttr::get(generic.getMatchingIndexingMap(in)));
      newArgs.push_back(body.getArgument(in->getOperandNumber()));
    }
    OpOperand *init = generic.getDpsInitOperand(0);
    BlockArgument outArg = body.getArgument(init->getOperandNumber());
    if (!outArg.use_empty()) {
      ins.push_back(init->get());
      maps.push_back(AffineMapAttr::get(generic.getMatchingIndexingMap(init)));
      newArgs.push_back(outArg);
    }
    auto fused = GemmOp::create(
        rewriter, loc, TypeRange{generic.getResult(0).getType()}, g1.getA(),
        concatB, scales, zeroPoints, ins, ValueRange{init->get()},
        g1.getTransposeA(), g1.getTransposeB(), g1.getAccType(),
        /*pairwise=*/true, rewriter.getArrayAttr(maps), g1.getBQuantAttr(),
        rewriter.getArrayAttr({}));
    SmallVector<Type> argTypes(2, g1.getAccType());
    for (Value v : ins)
      argTypes.push_back(getElementTypeOrSelf(v.getType()));
    Block *block =
        rewriter.createBlock(&fused.getEpilogue(), {}, argTypes,
                             SmallVector<Location>(argTypes.size(), loc));
    rewriter.setInsertionPointToStart(block);
    unsigned numShared = g1.getEpilogueInputs().size();
    // Each half goes through its own gemm's epilogue first.
    auto half = [&](GemmOp g, Value acc) -> Value {
      SmallVector<Value> args{acc};
      llvm::append_range(args, block->getArguments().slice(2, numShared));
      return inlineEpilogue(rewriter, loc, g, args)[0];
    };
    Value v1 = half(g1, block->getArgument(0));
    Value v2 = half(g2, block->getArgument(1));
    IRMapping m;
    for (OpOperand *in : generic.getDpsInputOperands()) {
      if (in->get() == g1.getResult(0))
        m.map(body.getArgument(in->getOperandNumber()), v1);
      else if (in->get() == g2.getResult(0))
        m.map(body.getArgument(in->getOperandNumber()), v2);
    }
    for (auto [i, arg] : llvm::enumerate(newArgs))
      m.map(arg, block->getArgument(2 + numShared + i));
    YieldOp::create(rewriter, loc, inlinePayload(rewriter, body, m));
    int64_t saved = 4 * getTensorBytes(g1.getResult(0).getType()) +
                    getTensorBytes(g1.getA().getType());
    if (remarks)
      fused.emitRemark() << "fused the gated pair " << g1->getName() << " ("
                         << locStr(g1.getLoc()) << ") and " << g2->getName()
                         << " (" << locStr(g2.getLoc())
                         << ") into one pairwise gemm: saves " << saved
                         << " HBM bytes";
    rewriter.replaceOp(generic, fused.getResult(0));
    rewriter.eraseOp(g1);
    rewriter.eraseOp(g2);
    return success();
  }

  bool remarks;
};

/// Gemms that read the same A with the same epilogue (QKV projections, the
/// gate and up projections) become one gemm over weights concatenated
/// along n, so A is read once; each original result is a slice of the
/// combined one.
struct FuseSiblingGemms : OpRewritePattern<GemmOp> {
  FuseSiblingGemms(MLIRContext *ctx, bool remarks)
      : OpRewritePattern(ctx), remarks(remarks) {}

  static bool compatible(GemmOp a, GemmOp b) {
    if (a.getPairwise() || b.getPairwise() ||
        a.getARowSumSq() != b.getARowSumSq() ||
        a.getTransposeA() != b.getTransposeA() ||
        a.getTransposeB() != b.getTransposeB() ||
        a.getAccType() != b.getAccType() || b.getBQuant() ||
        !b.getReductions().empty() || b.getNumResults() != 1 ||
        b->getBlock() != a->getBlock() ||
        getElementTypeOrSelf(a.getResult(0).getType()) !=
            getElementTypeOrSelf(b.getResult(0).getType()) ||
        a.getB().getType().getRank() != 2 ||
        b.getB().getType().getRank() != 2 ||
        a.getEpilogueInputs() != b.getEpilogueInputs() ||
        a.getEpilogueMaps() != b.getEpilogueMaps())
      return false;
    auto aB = a.getB().getType(), bB = b.getB().getType();
    unsigned kDim = a.getTransposeB() ? 1 : 0;
    if (aB.getDimSize(kDim) != bB.getDimSize(kDim) || !aB.hasStaticShape() ||
        !bB.hasStaticShape())
      return false;
    if (a.getEpilogue().empty() != b.getEpilogue().empty())
      return false;
    return a.getEpilogue().empty() ||
           OperationEquivalence::isRegionEquivalentTo(
               &a.getEpilogue(), &b.getEpilogue(),
               OperationEquivalence::IgnoreLocations);
  }

  LogicalResult matchAndRewrite(GemmOp root,
                                PatternRewriter &rewriter) const override {
    if (root.getBQuant() || !root.getReductions().empty() ||
        root.getNumResults() != 1 || root.getB().getType().getRank() != 2)
      return failure();
    int64_t nb = root.getNumBatchDims();
    // Epilogue operands indexed by n would change meaning.
    for (Attribute m : root.getEpilogueMaps())
      if (cast<AffineMapAttr>(m).getValue().isFunctionOfDim(nb + 1))
        return failure();
    SmallVector<GemmOp> group{root};
    for (Operation *user : root.getA().getUsers()) {
      auto g = dyn_cast<GemmOp>(user);
      if (!g || g == root || g.getA() != root.getA() || !compatible(root, g))
        continue;
      if (g->isBeforeInBlock(root))
        return failure(); // the earliest sibling is the root
      group.push_back(g);
    }
    if (group.size() < 2)
      return failure();
    // Fusing saves reading A again for each later sibling.
    SmallVector<Value> bs;
    for (GemmOp g : group)
      bs.push_back(g.getB());
    if (!concatPays(bs, int64_t(group.size() - 1) *
                            getTensorBytes(root.getA().getType())))
      return failure();
    // Program order: the combined weights and outputs follow the source.
    llvm::sort(group, [](GemmOp a, GemmOp b) { return a->isBeforeInBlock(b); });
    // Later siblings' weights must be available at the root: move their
    // producers (weight preprocessing) up if their own operands allow it.
    for (GemmOp g : llvm::drop_begin(group)) {
      Operation *def = g.getB().getDefiningOp();
      if (!def || def->isBeforeInBlock(root) ||
          def->getBlock() != root->getBlock())
        continue;
      for (Value v : def->getOperands()) {
        Operation *vd = v.getDefiningOp();
        if (vd &&
            (vd->getBlock() != root->getBlock() || !vd->isBeforeInBlock(root)))
          return failure();
      }
    }
    for (GemmOp g : llvm::drop_begin(group))
      if (Operation *def = g.getB().getDefiningOp();
          def && def->getBlock() == root->getBlock() &&
          !def->isBeforeInBlock(root))
        rewriter.moveOpBefore(def, root);

    Location loc = root.getLoc();
    rewriter.setInsertionPoint(root);
    unsigned nDimB = root.getTransposeB() ? 0 : 1;
    SmallVector<Value> weights;
    int64_t totalN = 0;
    SmallVector<int64_t> widths;
    for (GemmOp g : group) {
      weights.push_back(g.getB());
      widths.push_back(g.getB().getType().getDimSize(nDimB));
      totalN += widths.back();
    }
    Value concatB = tensor::ConcatOp::create(rewriter, loc, nDimB, weights);
    auto outT = cast<RankedTensorType>(root.getResult(0).getType());
    SmallVector<int64_t> shape(outT.getShape());
    shape.back() = totalN;
    for (int64_t d : shape)
      if (ShapedType::isDynamic(d))
        return failure();
    Value init =
        tensor::EmptyOp::create(rewriter, loc, shape, outT.getElementType());
    auto fused = GemmOp::create(
        rewriter, loc, TypeRange{init.getType()}, root.getA(), concatB, Value(),
        Value(), root.getEpilogueInputs(), ValueRange{init},
        root.getTransposeA(), root.getTransposeB(), root.getAccType(), false,
        root.getEpilogueMaps(), WeightQuantAttr(), root.getReductions(),
        root.getARowSumSq());
    if (!root.getEpilogue().empty()) {
      IRMapping m;
      root.getEpilogue().cloneInto(&fused.getEpilogue(), m);
    }
    int64_t offset = 0;
    int64_t aBytes = getTensorBytes(root.getA().getType());
    for (auto [g, width] : llvm::zip(group, widths)) {
      auto gT = cast<RankedTensorType>(g.getResult(0).getType());
      SmallVector<OpFoldResult> offsets(gT.getRank(), rewriter.getIndexAttr(0));
      offsets.back() = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes;
      for (int64_t d : gT.getShape())
        sizes.push_back(rewriter.getIndexAttr(d));
      SmallVector<OpFoldResult> strides(gT.getRank(), rewriter.getIndexAttr(1));
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc, gT, fused.getResult(0), offsets, sizes, strides);
      rewriter.replaceOp(g, slice);
      offset += width;
    }
    if (remarks)
      fused.emitRemark() << "fused " << group.size()
                         << " gemms that read the same A: saves "
                         << aBytes * int64_t(group.size() - 1)
                         << " HBM bytes (A read once)";
    return success();
  }

  bool remarks;
};

/// RoPE on Q and K moves into the attention that reads them (applied as
/// Q/K tiles are loaded, as FlashInfer does): the rotated tensors are
/// neither written nor read back.
struct FuseRopeIntoAttention : OpRewritePattern<AttentionOp> {
  FuseRopeIntoAttention(MLIRContext *ctx, bool remarks)
      : OpRewritePattern(ctx), remarks(remarks) {}

  /// The rope producing `v` (directly or through a leading-unit-dim
  /// expand_shape) whose sequence dim lands on `seqDim` of the 4-D operand.
  static std::pair<RopeOp, tensor::ExpandShapeOp> ropeOf(Value v,
                                                         unsigned seqDim) {
    auto expand = v.getDefiningOp<tensor::ExpandShapeOp>();
    Value src = expand ? expand.getSrc() : v;
    auto rope = src.getDefiningOp<RopeOp>();
    if (!rope || !rope->hasOneUse() || (expand && !expand->hasOneUse()))
      return {};
    int64_t rank = cast<RankedTensorType>(src.getType()).getRank();
    if (rope.getSeqDimOrDefault() + (4 - rank) != int64_t(seqDim))
      return {};
    if (expand) {
      // Only leading unit dims may be added.
      auto groups = expand.getReassociationIndices();
      for (int64_t i = 1, e = groups.size(); i < e; ++i)
        if (groups[i].size() != 1)
          return {};
    }
    return {rope, expand};
  }

  LogicalResult matchAndRewrite(AttentionOp attn,
                                PatternRewriter &rewriter) const override {
    if (attn.getRopeCos() || attn.getQueryOffsetAttr().getInt() != 0)
      return failure();
    auto [qRope, qExpand] = ropeOf(attn.getQuery(), attn.getSeqDim());
    auto [kRope, kExpand] = ropeOf(attn.getKey(), attn.getSeqDim());
    if (!qRope || !kRope || qRope.getCos() != kRope.getCos() ||
        qRope.getSin() != kRope.getSin() || qRope.getMode() != kRope.getMode())
      return failure();
    Location loc = attn.getLoc();
    auto unrotated = [&](RopeOp rope, tensor::ExpandShapeOp expand) -> Value {
      if (!expand)
        return rope.getInput();
      return tensor::ExpandShapeOp::create(
          rewriter, loc, expand.getResultType(), rope.getInput(),
          expand.getReassociationIndices(), expand.getMixedOutputShape());
    };
    Value q = unrotated(qRope, qExpand), k = unrotated(kRope, kExpand);
    int64_t saved =
        2 * (getTensorBytes(qRope.getType()) + getTensorBytes(kRope.getType()));
    auto fused = AttentionOp::create(
        rewriter, loc, attn.getResultTypes(), q, k, attn.getValue(),
        attn.getBias(), qRope.getCos(), qRope.getSin(), attn.getInits(),
        attn.getScaleAttr(), attn.getMaskAttr(), attn.getWindowAttr(),
        attn.getSoftcapAttr(), attn.getQueryOffsetAttr(), attn.getLayoutAttr(),
        RopeModeAttr::get(getContext(), qRope.getMode()));
    if (remarks)
      fused.emitRemark() << "fused the rotary embeddings of Q and K into "
                            "the attention: saves "
                         << saved << " HBM bytes";
    rewriter.replaceOp(attn, fused.getResults());
    return success();
  }

  bool remarks;
};

struct FusePass : public sinter::impl::SinterFuseBase<FusePass> {
  using Base::Base;
  void runOnOperation() override {
    if (failed(requireTarget(getOperation(), "sinter-fuse")))
      return signalPassFailure();
    // Epilogues first, so that a norm sees the final producer of its input
    // (and can take its statistics from that gemm), then everything.
    RewritePatternSet epilogues(&getContext());
    epilogues.add<FusePairwise, FuseElementwiseIntoEpilogue>(&getContext(),
                                                             remarks);
    // An elementwise op on a gemm's result seen through an expand_shape
    // (the [batch * seq, d] product reshaped to [batch, seq, d], as ONNX
    // exports write MatMul + Add) runs on the gemm's own shape instead, and
    // the reshape moves after it, where the epilogue patterns find it.
    linalg::populateFoldReshapeOpsByCollapsingPatterns(
        epilogues, [](OpOperand *operand) {
          auto expand = operand->get().getDefiningOp<tensor::ExpandShapeOp>();
          auto generic = dyn_cast<linalg::GenericOp>(operand->getOwner());
          return expand && expand.getSrc().getDefiningOp<GemmOp>() && generic &&
                 generic.getNumParallelLoops() == generic.getNumLoops();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(epilogues))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateFusePatterns(patterns, remarks);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::sinter::populateFusePatterns(RewritePatternSet &patterns,
                                        bool remarks) {
  patterns.add<FusePairwise, FuseElementwiseIntoEpilogue, FoldRMSNormIntoGemms,
               FuseSiblingGemms, FuseRopeIntoAttention>(patterns.getContext(),
                                                        remarks);
}
