//===- Raise.cpp - Recognize sinter ops in linalg graphs ------------------===//
//
// Raises ordinary linalg IR on tensors into sinter ops. Each pattern checks
// the full semantics of what it replaces (maps, iterator kinds, the payload
// and the initial values) and leaves anything it does not recognize alone.
//
//===----------------------------------------------------------------------===//
#include "PayloadEval.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/SmallBitVector.h"
#include <cmath>
#include <cstring>

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERRAISE
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {

/// Looks through an extension cast (extf/extsi) to the value it widens.
/// Sets `isUnsigned` when the cast is an unsigned integer extension.
Value stripExtension(Value v, bool &isUnsigned) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return v;
  if (isa<arith::ExtFOp, arith::ExtSIOp>(def))
    return def->getOperand(0);
  if (isa<arith::ExtUIOp>(def)) {
    isUnsigned = true;
    return def->getOperand(0);
  }
  return v;
}

/// True if `block` computes `out + cast(in0) * cast(in1)` (either order of
/// the operands of the add and the mul) with signed or float casts.
bool isMulAddBody(Block &block) {
  if (block.getNumArguments() != 3)
    return false;
  auto yield = dyn_cast<linalg::YieldOp>(block.getTerminator());
  if (!yield || yield.getNumOperands() != 1)
    return false;
  Operation *add = yield.getOperand(0).getDefiningOp();
  if (!add || !isa<arith::AddFOp, arith::AddIOp>(add))
    return false;
  Value out = block.getArgument(2);
  Value prod;
  if (add->getOperand(0) == out)
    prod = add->getOperand(1);
  else if (add->getOperand(1) == out)
    prod = add->getOperand(0);
  else
    return false;
  Operation *mul = prod.getDefiningOp();
  if (!mul || !isa<arith::MulFOp, arith::MulIOp>(mul) ||
      mul->getBlock() != &block)
    return false;
  bool isUnsigned = false;
  Value x = stripExtension(mul->getOperand(0), isUnsigned);
  Value y = stripExtension(mul->getOperand(1), isUnsigned);
  if (isUnsigned)
    return false;
  Value in0 = block.getArgument(0), in1 = block.getArgument(1);
  return (x == in0 && y == in1) || (x == in1 && y == in0);
}

/// The loop positions of `map`'s results, if they are all plain dims.
std::optional<SmallVector<unsigned>> resultDims(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d)
      return std::nullopt;
    dims.push_back(d.getPosition());
  }
  return dims;
}

/// Classifies an operand's layout: `lead` batch dims in order, then the two
/// given dims in either order. Returns whether they are swapped.
std::optional<bool> matchLayout(ArrayRef<unsigned> dims,
                                ArrayRef<unsigned> batch, unsigned first,
                                unsigned second) {
  if (dims.size() != batch.size() + 2 ||
      !llvm::equal(dims.take_front(batch.size()), batch))
    return std::nullopt;
  unsigned a = dims[batch.size()], b = dims[batch.size() + 1];
  if (a == first && b == second)
    return false;
  if (a == second && b == first)
    return true;
  return std::nullopt;
}

/// If `v` is a transpose whose last two dimensions come out swapped,
/// returns what is left once that swap folds into a GEMM operand's
/// transpose flag: its input when the swap is all it does, or (a head
/// transpose and a K^T in one, as in perm [1, 2, 0]) a transpose of its
/// input by the permutation without the swap, built with `b`.
Value foldableTranspose(OpBuilder &b, Value v) {
  auto t = v.getDefiningOp<linalg::TransposeOp>();
  if (!t)
    return {};
  ArrayRef<int64_t> perm = t.getPermutation();
  int64_t r = perm.size();
  if (r < 2 || perm[r - 2] < perm[r - 1])
    return {};
  SmallVector<int64_t> rest(perm);
  std::swap(rest[r - 2], rest[r - 1]);
  if (llvm::equal(rest, llvm::seq<int64_t>(0, r)))
    return t.getInput();
  auto inT = cast<RankedTensorType>(t.getInput().getType());
  SmallVector<int64_t> shape;
  for (int64_t d : rest)
    shape.push_back(inT.getDimSize(d));
  Value init =
      tensor::EmptyOp::create(b, t.getLoc(), shape, inT.getElementType());
  return linalg::TransposeOp::create(b, t.getLoc(), t.getInput(), init, rest)
      ->getResult(0);
}

/// If `v` broadcasts a 2-D tensor along leading (batch) dims, returns it.
Value foldableBatchBroadcast(Value v) {
  auto bcast = v.getDefiningOp<linalg::BroadcastOp>();
  if (!bcast)
    return {};
  auto inT = cast<RankedTensorType>(bcast.getInput().getType());
  if (inT.getRank() != 2)
    return {};
  ArrayRef<int64_t> dims = bcast.getDimensions();
  for (auto [i, d] : llvm::enumerate(dims))
    if (d != static_cast<int64_t>(i))
      return {};
  return bcast.getInput();
}

/// True if `v` is known to be all zeros (a zero fill or a zero splat).
bool isZeroTensor(Value v) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.value(), m_AnyZeroFloat()) ||
           matchPattern(fill.value(), m_Zero());
  return matchPattern(v, m_AnyZeroFloat()) || matchPattern(v, m_Zero());
}

bool isFloatGemmType(Type t) {
  return isa<Float16Type, BFloat16Type, Float32Type>(t);
}

/// linalg contractions (named matmul / batch_matmul, their transposed
/// forms, or a generic with a multiply-add payload) -> sinter.gemm. A
/// non-zero initial value becomes an epilogue add.
struct RaiseContraction : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
        op.getNumDpsInits() != 1 || op->getNumResults() != 1)
      return rewriter.notifyMatchFailure(op, "not a 2-input tensor op");
    FailureOr<linalg::ContractionDimensions> cd =
        linalg::inferContractionDims(op);
    if (failed(cd) || cd->m.size() != 1 || cd->n.size() != 1 ||
        cd->k.size() != 1)
      return rewriter.notifyMatchFailure(op, "not a single m/n/k contraction");
    if (!isMulAddBody(*op.getBlock()))
      return rewriter.notifyMatchFailure(op, "payload is not a multiply-add");
    // inferContractionDims names m after input 0; the output's row and
    // column dims decide which input is A.
    unsigned k = cd->k[0];
    ArrayRef<unsigned> batch = cd->batch;
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    auto outDims = resultDims(maps[2]);
    if (!outDims || outDims->size() != batch.size() + 2 ||
        !llvm::equal(ArrayRef(*outDims).take_front(batch.size()), batch))
      return rewriter.notifyMatchFailure(op, "output is not [batch.., m, n]");
    unsigned m = (*outDims)[batch.size()], n = (*outDims)[batch.size() + 1];
    if (!((m == cd->m[0] && n == cd->n[0]) || (m == cd->n[0] && n == cd->m[0])))
      return rewriter.notifyMatchFailure(op, "output is not [batch.., m, n]");

    Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
    auto lhsDims = resultDims(maps[0]), rhsDims = resultDims(maps[1]);
    if (!lhsDims || !rhsDims)
      return failure();
    if (!llvm::is_contained(*lhsDims, m)) {
      std::swap(lhs, rhs);
      std::swap(lhsDims, rhsDims);
    }
    std::optional<bool> transA = matchLayout(*lhsDims, batch, m, k);
    std::optional<bool> transB = matchLayout(*rhsDims, batch, k, n);
    if (!transB)
      transB = matchLayout(*rhsDims, {}, k, n);
    if (!transA || !transB)
      return rewriter.notifyMatchFailure(op, "unsupported operand layout");

    Type aE = getElementTypeOrSelf(lhs.getType());
    Type bE = getElementTypeOrSelf(rhs.getType());
    Type outE = getElementTypeOrSelf(op->getResult(0).getType());
    Type acc;
    if (aE == bE && isFloatGemmType(aE) && isFloatGemmType(outE))
      acc = rewriter.getF32Type();
    else if (aE.isSignlessInteger(8) && bE.isSignlessInteger(8) &&
             outE.isSignlessInteger(32))
      acc = rewriter.getI32Type();
    else
      return rewriter.notifyMatchFailure(op, "unsupported element types");

    // Fold explicit transposes of the last two dims and batch broadcasts of
    // shared weights into the operands.
    if (Value t = foldableTranspose(rewriter, lhs)) {
      lhs = t;
      transA = !*transA;
    }
    if (Value bc = foldableBatchBroadcast(rhs); bc && !batch.empty()) {
      rhs = bc;
    }
    if (Value t = foldableTranspose(rewriter, rhs)) {
      rhs = t;
      transB = !*transB;
    }

    Location loc = op.getLoc();
    Value init = op.getDpsInits()[0];
    Type resultType = op->getResult(0).getType();
    SmallVector<Value> epilogueInputs;
    SmallVector<Attribute> epilogueMaps;
    Value gemmInit = init;
    if (auto fill = init.getDefiningOp<linalg::FillOp>();
        fill && isZeroTensor(init))
      gemmInit = fill.getOutputs()[0];
    else if (!isZeroTensor(init)) {
      // out = init + A.B: the initial value is a residual in the epilogue.
      epilogueInputs.push_back(init);
      epilogueMaps.push_back(AffineMapAttr::get(
          AffineMap::getMultiDimIdentityMap(batch.size() + 2, getContext())));
    }
    auto gemm =
        GemmOp::create(rewriter, loc, TypeRange{resultType}, lhs, rhs, Value(),
                       Value(), epilogueInputs, ValueRange{gemmInit}, *transA,
                       *transB, acc, false, rewriter.getArrayAttr(epilogueMaps),
                       WeightQuantAttr(), rewriter.getArrayAttr({}));
    if (!epilogueInputs.empty()) {
      Block *block = rewriter.createBlock(&gemm.getEpilogue(), {}, {acc, outE},
                                          {loc, loc});
      Value accV = block->getArgument(0), c = block->getArgument(1);
      Value sum;
      if (isa<FloatType>(acc)) {
        Value cWide = c;
        if (outE != acc)
          cWide = arith::ExtFOp::create(rewriter, loc, acc, c);
        sum = arith::AddFOp::create(rewriter, loc, accV, cWide);
        if (outE != acc)
          sum = arith::TruncFOp::create(rewriter, loc, outE, sum);
      } else {
        sum = arith::AddIOp::create(rewriter, loc, accV, c);
      }
      YieldOp::create(rewriter, loc, sum);
    }
    rewriter.replaceOp(op, gemm.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Reductions and elementwise payloads
//===----------------------------------------------------------------------===//

/// Deterministic, well-spread sample values for payload checks.
double sampleValue(int i, int j) {
  static const double kVals[] = {0.75, -1.5, 2.25,  0.3, -0.6, 1.1, 3.7,  -2.9,
                                 0.05, 1.9,  -0.35, 2.6, -3.3, 0.9, 1.45, -0.8};
  return kVals[(i * 7 + j * 3) % 16];
}

enum class RedKind { Sum, SumSq, Max };

/// A reduction of one tensor along one dimension into an initial value.
struct RowReduction {
  linalg::LinalgOp op;
  Value input;
  unsigned dim;
  RedKind kind;
  double scale = 1.0; // sum / sum_sq of scale * v
};

/// Matches `v` as a single-input reduction over exactly one dim whose
/// result keeps the other dims in order, starting from the combiner's
/// identity, with combiner acc + c*v, acc + c*v*v or max(acc, v).
std::optional<RowReduction> matchRowReduction(Value v) {
  auto op = v.getDefiningOp<linalg::LinalgOp>();
  if (!op || op.getNumDpsInputs() != 1 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || op->getNumResults() != 1)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps[0].isIdentity())
    return std::nullopt;
  SmallVector<unsigned> red;
  op.getReductionDims(red);
  unsigned dim = red[0];
  AffineMap want =
      AffineMap::getMultiDimIdentityMap(maps[0].getNumDims(), v.getContext())
          .dropResult(dim);
  if (maps[1] != want)
    return std::nullopt;
  auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
  FloatAttr init;
  if (!fill || !matchPattern(fill.value(), m_Constant(&init)))
    return std::nullopt;
  Block &body = *op.getBlock();
  RowReduction r{op, op.getDpsInputs()[0], dim, RedKind::Sum};
  std::optional<double> c = evaluatePayload(body, {1.0, 0.0});
  if (!c)
    return std::nullopt;
  auto sample = [](int i) {
    return SmallVector<double>{sampleValue(i, 0), sampleValue(i, 1)};
  };
  double initV = init.getValueAsDouble();
  if (initV == 0.0 && payloadMatches(body, sample, [&](ArrayRef<double> a) {
        return a[1] + *c * a[0];
      })) {
    r.kind = RedKind::Sum;
    r.scale = *c;
    return r;
  }
  if (initV == 0.0 && payloadMatches(body, sample, [&](ArrayRef<double> a) {
        return a[1] + *c * a[0] * a[0];
      })) {
    r.kind = RedKind::SumSq;
    r.scale = *c;
    return r;
  }
  if (std::isinf(initV) && initV < 0 &&
      payloadMatches(body, sample,
                     [](ArrayRef<double> a) { return std::max(a[0], a[1]); })) {
    r.kind = RedKind::Max;
    return r;
  }
  return std::nullopt;
}

/// An all-parallel generic with one result written through the identity.
bool isElementwiseGeneric(linalg::GenericOp g) {
  return g && g.hasPureTensorSemantics() && g.getNumResults() == 1 &&
         g.getNumParallelLoops() == g.getNumLoops() &&
         g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity();
}

/// softmax(x, d) spelled as exp(x - max) / sum(exp(x - max)) or
/// exp(x) / sum(exp(x)) with linalg reductions -> sinter.softmax.
struct RaiseSoftmax : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp div,
                                PatternRewriter &rewriter) const override {
    if (!isElementwiseGeneric(div) || div.getNumDpsInputs() != 2)
      return failure();
    Value e = div.getDpsInputs()[0], s = div.getDpsInputs()[1];
    if (!div.getIndexingMapsArray()[0].isIdentity())
      return failure();
    std::optional<RowReduction> sum = matchRowReduction(s);
    if (!sum || sum->kind != RedKind::Sum || sum->scale != 1.0 ||
        sum->input != e ||
        div.getIndexingMapsArray()[1] != sum->op.getIndexingMapsArray()[1])
      return failure();
    if (!payloadMatches(
            *div.getBody(),
            [](int i) {
              return SmallVector<double>{std::fabs(sampleValue(i, 0)),
                                         1.0 + std::fabs(sampleValue(i, 1)),
                                         0.0};
            },
            [](ArrayRef<double> a) { return a[0] / a[1]; }))
      return failure();
    auto expOp = e.getDefiningOp<linalg::GenericOp>();
    if (!isElementwiseGeneric(expOp) ||
        !llvm::all_of(e.getUsers(),
                      [&](Operation *u) { return u == div || u == sum->op; }))
      return failure();
    Value x = expOp.getDpsInputs()[0];
    if (!expOp.getIndexingMapsArray()[0].isIdentity())
      return failure();
    Block &body = *expOp.getBody();
    if (expOp.getNumDpsInputs() == 1) {
      if (!payloadMatches(
              body,
              [](int i) {
                return SmallVector<double>{sampleValue(i, 0), 0.0};
              },
              [](ArrayRef<double> a) { return std::exp(a[0]); }))
        return failure();
    } else if (expOp.getNumDpsInputs() == 2) {
      std::optional<RowReduction> mx =
          matchRowReduction(expOp.getDpsInputs()[1]);
      if (!mx || mx->kind != RedKind::Max || mx->input != x ||
          mx->dim != sum->dim ||
          expOp.getIndexingMapsArray()[1] != mx->op.getIndexingMapsArray()[1])
        return failure();
      if (!payloadMatches(
              body,
              [](int i) {
                return SmallVector<double>{sampleValue(i, 0), sampleValue(i, 1),
                                           0.0};
              },
              [](ArrayRef<double> a) { return std::exp(a[0] - a[1]); }))
        return failure();
    } else {
      return failure();
    }
    auto xT = dyn_cast<RankedTensorType>(x.getType());
    if (!xT || !isFloatGemmType(xT.getElementType()) ||
        !isFloatGemmType(getElementTypeOrSelf(div.getResult(0).getType())))
      return failure();
    rewriter.replaceOpWithNewOp<SoftmaxOp>(
        div, div.getResult(0).getType(), x, div.getDpsInits()[0],
        rewriter.getI64IntegerAttr(sum->dim));
    return success();
  }
};

/// The named linalg.softmax -> sinter.softmax.
struct RaiseNamedSoftmax : OpRewritePattern<linalg::SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    auto inT = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!inT || op->getNumResults() != 1 ||
        !isFloatGemmType(inT.getElementType()) ||
        !isFloatGemmType(getElementTypeOrSelf(op.getOutput().getType())))
      return failure();
    rewriter.replaceOpWithNewOp<SoftmaxOp>(
        op, op->getResult(0).getType(), op.getInput(), op.getOutput(),
        rewriter.getI64IntegerAttr(op.getDimension()));
    return success();
  }
};

/// The input of `v` when `v` is only a widening of it (an elementwise
/// generic whose payload is one arith.extf): the f32 copy Hugging Face
/// makes before a norm's statistics. Null otherwise.
Value widenedFrom(Value v) {
  auto cast = v.getDefiningOp<linalg::GenericOp>();
  if (!cast || !isElementwiseGeneric(cast) || cast.getNumDpsInputs() != 1 ||
      !cast.getIndexingMapsArray()[0].isIdentity())
    return {};
  Block &body = *cast.getBody();
  auto ext = dyn_cast<arith::ExtFOp>(body.front());
  if (!ext || ext.getIn() != body.getArgument(0) ||
      body.getTerminator()->getOperand(0) != ext.getResult())
    return {};
  return cast.getDpsInputs()[0];
}

/// x / sqrt(mean(x^2) + eps) [* gamma] over the last dim -> sinter.rms_norm,
/// in any arrangement the payload interpreter agrees with (the operands in
/// any order; rsqrt, 1 / sqrt or a division by sqrt; the weight before or
/// after), and through Hugging Face's f32 upcast of an f16/bf16 x (the
/// statistics in f32, as sinter.rms_norm computes them).
struct RaiseRMSNorm : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp norm,
                                PatternRewriter &rewriter) const override {
    if (!isElementwiseGeneric(norm) || norm.getNumDpsInputs() < 2 ||
        norm.getNumDpsInputs() > 3)
      return failure();
    SmallVector<AffineMap> maps = norm.getIndexingMapsArray();
    unsigned rank = norm.getNumLoops();
    if (rank < 1)
      return failure();
    // The operands by role: the sum of squares (a row reduction), x (what
    // it reduces, read whole) and gamma (a row of the last dimension).
    unsigned numIn = norm.getNumDpsInputs();
    int xi = -1, ssi = -1, gi = -1;
    std::optional<RowReduction> ss;
    for (unsigned i = 0; i < numIn; ++i) {
      std::optional<RowReduction> r = matchRowReduction(norm.getDpsInputs()[i]);
      if (r && r->kind == RedKind::SumSq && r->dim == rank - 1 &&
          maps[i] == r->op.getIndexingMapsArray()[1] && ssi < 0) {
        ss = r;
        ssi = i;
      }
    }
    if (ssi < 0)
      return failure();
    AffineMap lastDim =
        AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, getContext()));
    for (unsigned i = 0; i < numIn; ++i) {
      if (int(i) == ssi)
        continue;
      if (maps[i].isIdentity() && norm.getDpsInputs()[i] == ss->input && xi < 0)
        xi = i;
      else if (maps[i] == lastDim && gi < 0)
        gi = i;
      else
        return failure();
    }
    if (xi < 0)
      return failure();
    Value x = norm.getDpsInputs()[xi];
    Value gamma = gi >= 0 ? norm.getDpsInputs()[gi] : Value();
    // Statistics of a widened f16/bf16 x: the norm takes x itself.
    Type outElem = getElementTypeOrSelf(norm.getResult(0).getType());
    Value source = x;
    if (Value narrow = widenedFrom(x);
        narrow && getElementTypeOrSelf(narrow.getType()) == outElem)
      source = narrow;
    auto xT = cast<RankedTensorType>(source.getType());
    int64_t n = xT.getShape().back();
    if (ShapedType::isDynamic(n) || !isFloatGemmType(xT.getElementType()) ||
        (gamma && !isFloatGemmType(getElementTypeOrSelf(gamma.getType()))))
      return failure();
    // mean = ss / (c * n); find eps where mean = 1 and x = gamma = 1.
    double meanScale = 1.0 / (ss->scale * double(n));
    auto args = [&](double xv, double ssv, double gv) {
      SmallVector<double> a(numIn + 1, 0.0);
      a[xi] = xv;
      a[ssi] = ssv;
      if (gi >= 0)
        a[gi] = gv;
      return a;
    };
    std::optional<double> f0 =
        evaluatePayload(*norm.getBody(), args(1.0, 1.0 / meanScale, 1.0));
    if (!f0 || *f0 <= 0)
      return failure();
    double eps = 1.0 / (*f0 * *f0) - 1.0;
    if (eps < -1e-6 || eps > 1.0)
      return failure();
    eps = std::max(eps, 0.0);
    bool hasGamma = bool(gamma);
    auto sample = [&](int i) {
      return args(sampleValue(i, 0),
                  (0.5 + std::fabs(sampleValue(i, 1))) / meanScale,
                  sampleValue(i, 2));
    };
    if (!payloadMatches(*norm.getBody(), sample, [&](ArrayRef<double> a) {
          double y = a[xi] / std::sqrt(a[ssi] * meanScale + eps);
          return hasGamma ? y * a[gi] : y;
        }))
      return failure();
    Location loc = norm.getLoc();
    if (!gamma) {
      auto gT = RankedTensorType::get({n}, xT.getElementType());
      gamma = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              gT, rewriter.getFloatAttr(xT.getElementType(), 1.0)));
    }
    rewriter.replaceOpWithNewOp<RMSNormOp>(
        norm, norm.getResult(0).getType(), source, gamma, norm.getDpsInits()[0],
        rewriter.getF32FloatAttr(float(eps)));
    return success();
  }
};

/// LayerNorm in two passes: s1 = sum(x) (or the mean), s2 = sum((x - mean)^2)
/// (or the variance), y = (x - mean) / sqrt(var + eps) [* gamma] [+ beta]
/// over the last dim -> sinter.layer_norm.
struct RaiseLayerNorm : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp norm,
                                PatternRewriter &rewriter) const override {
    if (!isElementwiseGeneric(norm) || norm.getNumDpsInputs() < 3 ||
        norm.getNumDpsInputs() > 5)
      return failure();
    unsigned rank = norm.getNumLoops();
    SmallVector<AffineMap> maps = norm.getIndexingMapsArray();
    if (rank < 1 || !maps[0].isIdentity())
      return failure();
    Value x = norm.getDpsInputs()[0];
    auto xT = cast<RankedTensorType>(x.getType());
    int64_t n = xT.getShape().back();
    if (ShapedType::isDynamic(n) || !isFloatGemmType(xT.getElementType()))
      return failure();
    // s1: a (scaled) sum of x over the last dim.
    std::optional<RowReduction> s1 = matchRowReduction(norm.getDpsInputs()[1]);
    if (!s1 || s1->kind != RedKind::Sum || s1->input != x ||
        s1->dim != rank - 1 || maps[1] != s1->op.getIndexingMapsArray()[1])
      return failure();
    double meanScale = 1.0 / (s1->scale * double(n));
    // s2: sum over the last dim of c2 * (v - s1 * meanScale)^2.
    auto s2op = norm.getDpsInputs()[2].getDefiningOp<linalg::LinalgOp>();
    if (!s2op || s2op.getNumDpsInputs() != 2 || s2op.getNumDpsInits() != 1 ||
        s2op.getNumReductionLoops() != 1 || s2op.getDpsInputs()[0] != x ||
        s2op.getDpsInputs()[1] != norm.getDpsInputs()[1] ||
        !s2op.getIndexingMapsArray()[0].isIdentity() ||
        s2op.getIndexingMapsArray()[1] != maps[1] ||
        s2op.getIndexingMapsArray()[2] != maps[1] ||
        !isZeroTensor(s2op.getDpsInits()[0]))
      return failure();
    Block &s2body = *s2op.getBlock();
    std::optional<double> c2 = evaluatePayload(s2body, {1.0, 0.0, 0.0});
    if (!c2 || *c2 <= 0)
      return failure();
    auto s2sample = [](int i) {
      return SmallVector<double>{sampleValue(i, 0), sampleValue(i, 1),
                                 sampleValue(i, 2)};
    };
    if (!payloadMatches(s2body, s2sample, [&](ArrayRef<double> a) {
          double d = a[0] - a[1] * meanScale;
          return a[2] + *c2 * d * d;
        }))
      return failure();
    double varScale = 1.0 / (*c2 * double(n));
    // Optional gamma and beta, read along the last dim.
    AffineMap lastMap =
        AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, getContext()));
    unsigned numParams = norm.getNumDpsInputs() - 3;
    for (unsigned i = 0; i < numParams; ++i)
      if (maps[3 + i] != lastMap)
        return failure();
    bool hasGamma = numParams >= 1, hasBeta = numParams == 2;
    auto args = [&](double xv, double mean, double var, double g, double b) {
      SmallVector<double> a{xv, mean / meanScale, var / varScale};
      if (hasGamma)
        a.push_back(g);
      if (hasBeta)
        a.push_back(b);
      a.push_back(0.0);
      return a;
    };
    std::optional<double> f0 =
        evaluatePayload(*norm.getBody(), args(1.0, 0.0, 1.0, 1.0, 0.0));
    if (!f0 || *f0 <= 0)
      return failure();
    double eps = 1.0 / (*f0 * *f0) - 1.0;
    if (eps < -1e-9 || eps > 1.0)
      return failure();
    eps = std::max(eps, 0.0);
    if (!payloadMatches(
            *norm.getBody(),
            [&](int i) {
              return args(sampleValue(i, 0), sampleValue(i, 1),
                          0.5 + std::fabs(sampleValue(i, 2)), sampleValue(i, 3),
                          sampleValue(i, 4));
            },
            [&](ArrayRef<double> a) {
              double mean = a[1] * meanScale, var = a[2] * varScale;
              double y = (a[0] - mean) / std::sqrt(var + eps);
              if (hasGamma)
                y *= a[3];
              if (hasBeta)
                y += a[4];
              return y;
            }))
      return failure();
    Location loc = norm.getLoc();
    auto pT = RankedTensorType::get({n}, xT.getElementType());
    auto constant = [&](double v) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(
              pT, rewriter.getFloatAttr(xT.getElementType(), v)));
    };
    Value gamma = hasGamma ? norm.getDpsInputs()[3] : constant(1.0);
    Value beta = hasBeta ? norm.getDpsInputs()[4] : constant(0.0);
    rewriter.replaceOpWithNewOp<LayerNormOp>(
        norm, norm.getResult(0).getType(), x, gamma, beta,
        norm.getDpsInits()[0], rewriter.getF32FloatAttr(float(eps)));
    return success();
  }
};

/// The `seq_dim` attribute of a rope: none for the default (rank - 2).
IntegerAttr ropeSeqDimAttr(Builder &b, int64_t seqDim, int64_t rank) {
  return seqDim == rank - 2 ? IntegerAttr() : b.getI64IntegerAttr(seqDim);
}

/// Rotate-half RoPE as PyTorch exports it: y = x * cos + rotate_half(x) *
/// sin with full-width [S, D] tables whose two halves are equal (cat(f,
/// f)), and rotate_half(x) = concat(-x[..., D/2:], x[..., :D/2]) written as
/// two insert_slices -> sinter.rope with the half tables.
struct RaiseFullTableRope : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  /// x when `v` is concat(-x[..., h:], x[..., :h]) over the last dim.
  static Value rotatedHalfOf(Value v) {
    auto second = v.getDefiningOp<tensor::InsertSliceOp>();
    auto first = second
                     ? second.getDest().getDefiningOp<tensor::InsertSliceOp>()
                     : nullptr;
    if (!first || !first.getDest().getDefiningOp<tensor::EmptyOp>())
      return {};
    auto t = cast<RankedTensorType>(v.getType());
    int64_t r = t.getRank(), d = t.getShape().back();
    if (d % 2 || !second.hasUnitStride() || !first.hasUnitStride())
      return {};
    // Offsets 0 and d/2 on the last dim (either order), whole elsewhere.
    auto half = [&](tensor::InsertSliceOp ins) -> std::optional<int64_t> {
      ArrayRef<int64_t> off = ins.getStaticOffsets(),
                        size = ins.getStaticSizes();
      for (int64_t i = 0; i + 1 < r; ++i)
        if (off[i] != 0 || size[i] != t.getDimSize(i))
          return std::nullopt;
      if (size[r - 1] != d / 2 || (off[r - 1] != 0 && off[r - 1] != d / 2))
        return std::nullopt;
      return off[r - 1];
    };
    std::optional<int64_t> o1 = half(first), o2 = half(second);
    if (!o1 || !o2 || *o1 == *o2)
      return {};
    Value lowPart = *o1 == 0 ? first.getSource() : second.getSource();
    Value highPart = *o1 == 0 ? second.getSource() : first.getSource();
    // The low half is -x[..., h:], the high half x[..., :h].
    auto neg = lowPart.getDefiningOp<linalg::GenericOp>();
    if (!neg || !isElementwiseGeneric(neg) || neg.getNumDpsInputs() != 1 ||
        !neg.getIndexingMapsArray()[0].isIdentity() ||
        !payloadMatches(
            *neg.getBody(),
            [](int i) {
              return SmallVector<double>{sampleValue(i, 0), 0.0};
            },
            [](ArrayRef<double> a) { return -a[0]; }))
      return {};
    auto hi = neg.getDpsInputs()[0].getDefiningOp<tensor::ExtractSliceOp>();
    auto lo = highPart.getDefiningOp<tensor::ExtractSliceOp>();
    if (!hi || !lo || hi.getSource() != lo.getSource() ||
        hi.getStaticOffsets().back() != d / 2 ||
        lo.getStaticOffsets().back() != 0 || !hi.hasUnitStride() ||
        !lo.hasUnitStride())
      return {};
    for (auto sl : {hi, lo})
      for (int64_t i = 0; i + 1 < r; ++i)
        if (sl.getStaticOffsets()[i] != 0 ||
            sl.getStaticSizes()[i] != t.getDimSize(i))
          return {};
    return lo.getSource();
  }
  /// The first half of a constant [S, D] table whose halves are equal.
  static std::optional<DenseElementsAttr> halfTable(Value v) {
    ElementsAttr attr;
    if (!matchPattern(v, m_Constant(&attr)))
      return std::nullopt;
    auto t = cast<RankedTensorType>(attr.getType());
    if (t.getRank() != 2 || t.getDimSize(1) % 2 ||
        !isa<FloatType>(t.getElementType()))
      return std::nullopt;
    int64_t s = t.getDimSize(0), d = t.getDimSize(1);
    SmallVector<APFloat> vals;
    if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
      vals.assign(dense.getValues<APFloat>().begin(),
                  dense.getValues<APFloat>().end());
    } else if (auto res = dyn_cast<DenseResourceElementsAttr>(attr)) {
      // Imported weights are resources: f32, or 16-bit floats as their
      // bits (bf16/f16 tables).
      const AsmResourceBlob *blob = res.getRawHandle().getBlob();
      auto fty = cast<FloatType>(t.getElementType());
      unsigned width = fty.getWidth();
      if (!blob || (width != 32 && width != 16) ||
          int64_t(blob->getData().size()) != s * d * width / 8)
        return std::nullopt;
      ArrayRef<char> bytes = blob->getData();
      for (int64_t i = 0; i < s * d; ++i) {
        uint64_t bits = 0;
        std::memcpy(&bits, bytes.data() + i * width / 8, width / 8);
        vals.push_back(APFloat(fty.getFloatSemantics(), APInt(width, bits)));
      }
    } else {
      return std::nullopt;
    }
    SmallVector<APFloat> half;
    for (int64_t i = 0; i < s; ++i)
      for (int64_t j = 0; j < d / 2; ++j) {
        if (vals[i * d + j].compare(vals[i * d + j + d / 2]) !=
            APFloat::cmpEqual)
          return std::nullopt;
        half.push_back(vals[i * d + j]);
      }
    return DenseElementsAttr::get(
        RankedTensorType::get({s, d / 2}, t.getElementType()), half);
  }
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isElementwiseGeneric(op) || op.getNumDpsInputs() != 4 ||
        op.getNumResults() != 1)
      return failure();
    unsigned rank = op.getNumLoops();
    if (rank < 2)
      return failure();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    AffineMap table = AffineMap::get(rank, 0,
                                     {getAffineDimExpr(rank - 2, getContext()),
                                      getAffineDimExpr(rank - 1, getContext())},
                                     getContext());
    // Operand roles: x, the rotated x, and two tables.
    int xi = -1, ri = -1;
    SmallVector<int> tables;
    Value x;
    for (int i = 0; i < 4; ++i) {
      Value in = op.getDpsInputs()[i];
      if (maps[i] == table) {
        tables.push_back(i);
        continue;
      }
      if (!maps[i].isIdentity())
        return failure();
      if (Value src = rotatedHalfOf(in)) {
        ri = i;
        x = src;
      } else {
        xi = i;
      }
    }
    if (xi < 0 || ri < 0 || tables.size() != 2 || op.getDpsInputs()[xi] != x)
      return failure();
    // y = x * cos + rot * sin: which table is which.
    for (auto [ci, si] :
         {std::pair(tables[0], tables[1]), std::pair(tables[1], tables[0])}) {
      bool matches = payloadMatches(
          *op.getBody(),
          [](int i) {
            return SmallVector<double>{sampleValue(i, 0), sampleValue(i, 1),
                                       sampleValue(i, 2), sampleValue(i, 3),
                                       0.0};
          },
          [&](ArrayRef<double> a) { return a[xi] * a[ci] + a[ri] * a[si]; });
      if (!matches)
        continue;
      std::optional<DenseElementsAttr> cosH = halfTable(op.getDpsInputs()[ci]);
      std::optional<DenseElementsAttr> sinH = halfTable(op.getDpsInputs()[si]);
      if (!cosH || !sinH)
        return failure();
      Location loc = op.getLoc();
      Value cosV = arith::ConstantOp::create(rewriter, loc, *cosH);
      Value sinV = arith::ConstantOp::create(rewriter, loc, *sinH);
      auto rope =
          RopeOp::create(rewriter, loc, op.getResult(0).getType(), x, cosV,
                         sinV, op.getDpsInits()[0], RopeMode::half,
                         ropeSeqDimAttr(rewriter, rank - 2, rank));
      rewriter.replaceOp(op, rope.getResult());
      return success();
    }
    return failure();
  }
};

/// Rotate-half RoPE spelled on slices: the two halves of the last dim are
/// extracted, rotated by a two-result generic (x1 c - x2 s, x2 c + x1 s)
/// with cos/sin broadcast from [S, R/2], and inserted back into a fresh
/// tensor -> sinter.rope (half mode, full rotary dim).
struct RaiseSlicedRope : OpRewritePattern<tensor::InsertSliceOp> {
  using OpRewritePattern::OpRewritePattern;

  /// A slice covering dims [0, rank-1) fully and [off, off + len) of the
  /// last one, with unit strides.
  static bool isHalfSlice(ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes,
                          ArrayRef<OpFoldResult> strides, RankedTensorType full,
                          int64_t off, int64_t len) {
    int64_t rank = full.getRank();
    for (int64_t i = 0; i < rank; ++i) {
      std::optional<int64_t> o = getConstantIntValue(offsets[i]);
      std::optional<int64_t> st = getConstantIntValue(strides[i]);
      std::optional<int64_t> sz = getConstantIntValue(sizes[i]);
      if (!o || !st || *st != 1)
        return false;
      if (i == rank - 1) {
        if (*o != off || !sz || *sz != len)
          return false;
      } else if (*o != 0 ||
                 (sz && !full.isDynamicDim(i) && *sz != full.getDimSize(i))) {
        return false;
      }
    }
    return true;
  }

  LogicalResult matchAndRewrite(tensor::InsertSliceOp second,
                                PatternRewriter &rewriter) const override {
    auto first = second.getDest().getDefiningOp<tensor::InsertSliceOp>();
    if (!first || !first.getDest().getDefiningOp<tensor::EmptyOp>() ||
        !first->hasOneUse())
      return failure();
    auto fullT = cast<RankedTensorType>(second.getType());
    int64_t d = fullT.getShape().back();
    if (ShapedType::isDynamic(d) || d % 2)
      return failure();
    int64_t half = d / 2;
    if (!isHalfSlice(first.getMixedOffsets(), first.getMixedSizes(),
                     first.getMixedStrides(), fullT, 0, half) ||
        !isHalfSlice(second.getMixedOffsets(), second.getMixedSizes(),
                     second.getMixedStrides(), fullT, half, half))
      return failure();
    auto rot = first.getSource().getDefiningOp<linalg::GenericOp>();
    if (!rot || second.getSource().getDefiningOp() != rot.getOperation() ||
        rot.getNumResults() != 2 || rot.getNumDpsInputs() != 4 ||
        first.getSource() != rot.getResult(0) ||
        second.getSource() != rot.getResult(1) ||
        rot.getNumParallelLoops() != rot.getNumLoops())
      return failure();
    SmallVector<AffineMap> maps = rot.getIndexingMapsArray();
    unsigned rank = rot.getNumLoops();
    for (unsigned i : {0u, 1u, 4u, 5u})
      if (!maps[i].isIdentity())
        return failure();
    // cos/sin are [S, R/2] read at (seq, last).
    if (maps[2] != maps[3] || maps[2].getNumResults() != 2 ||
        !maps[2].isProjectedPermutation() ||
        maps[2].getDimPosition(1) != rank - 1 ||
        maps[2].getDimPosition(0) == rank - 1)
      return failure();
    int64_t seqDim = maps[2].getDimPosition(0);
    auto x1 = rot.getDpsInputs()[0].getDefiningOp<tensor::ExtractSliceOp>();
    auto x2 = rot.getDpsInputs()[1].getDefiningOp<tensor::ExtractSliceOp>();
    if (!x1 || !x2 || x1.getSource() != x2.getSource() ||
        x1.getSource().getType() != second.getType() ||
        !isHalfSlice(x1.getMixedOffsets(), x1.getMixedSizes(),
                     x1.getMixedStrides(), fullT, 0, half) ||
        !isHalfSlice(x2.getMixedOffsets(), x2.getMixedSizes(),
                     x2.getMixedStrides(), fullT, half, half))
      return failure();
    auto sample = [](int i) {
      return SmallVector<double>{sampleValue(i, 0),
                                 sampleValue(i, 1),
                                 sampleValue(i, 2),
                                 sampleValue(i, 3),
                                 0.0,
                                 0.0};
    };
    Block &body = *rot.getBody();
    if (!payloadMatches(
            body, sample,
            [](ArrayRef<double> a) { return a[0] * a[2] - a[1] * a[3]; }, 0) ||
        !payloadMatches(
            body, sample,
            [](ArrayRef<double> a) { return a[1] * a[2] + a[0] * a[3]; }, 1))
      return failure();
    Value cosT = rot.getDpsInputs()[2], sinT = rot.getDpsInputs()[3];
    if (cosT.getType() != sinT.getType() ||
        !isFloatGemmType(getElementTypeOrSelf(fullT)))
      return failure();
    auto rope = RopeOp::create(rewriter, second.getLoc(), fullT, x1.getSource(),
                               cosT, sinT, first.getDest(), RopeMode::half,
                               ropeSeqDimAttr(rewriter, seqDim, rank));
    rewriter.replaceOp(second, rope.getResult());
    return success();
  }
};

/// A gemm whose B is dequantized by an elementwise generic,
/// w = (q - zp) * scale or q * scale with per-column or k-grouped scales,
/// reads the integer weights directly with `b_quant` (the dequantization
/// becomes the gemm's prologue).
struct RaiseDequantizedWeights : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp gemm,
                                PatternRewriter &rewriter) const override {
    if (gemm.getBQuant() || gemm.getB().getType().getRank() != 2)
      return failure();
    auto deq = gemm.getB().getDefiningOp<linalg::GenericOp>();
    if (!isElementwiseGeneric(deq) || !deq->hasOneUse() ||
        deq.getNumLoops() != 2 || deq.getNumDpsInputs() < 2 ||
        deq.getNumDpsInputs() > 3)
      return failure();
    SmallVector<AffineMap> maps = deq.getIndexingMapsArray();
    Value q = deq.getDpsInputs()[0], scales = deq.getDpsInputs()[1];
    Value zp = deq.getNumDpsInputs() == 3 ? deq.getDpsInputs()[2] : Value();
    Type qE = getElementTypeOrSelf(q.getType());
    if (!maps[0].isIdentity() ||
        !(qE.isSignlessInteger(4) || qE.isSignlessInteger(8)) ||
        !isFloatGemmType(getElementTypeOrSelf(scales.getType())) ||
        (zp &&
         (getElementTypeOrSelf(zp.getType()) != qE || maps[2] != maps[1])))
      return failure();
    unsigned kDim = gemm.getTransposeB() ? 1 : 0, nDim = 1 - kDim;
    MLIRContext *ctx = getContext();
    AffineExpr k = getAffineDimExpr(kDim, ctx), n = getAffineDimExpr(nDim, ctx);
    WeightQuantAttr quant;
    bool isUnsigned = false;
    deq.getBody()->walk([&](Operation *op) {
      if (isa<arith::UIToFPOp, arith::ExtUIOp>(op))
        isUnsigned = true;
    });
    if (maps[1] == AffineMap::get(2, 0, {n}, ctx)) {
      quant =
          WeightQuantAttr::get(ctx, QuantScheme::per_channel, 0, isUnsigned);
    } else if (maps[1].getNumResults() == 2 && maps[1].getResult(1) == n) {
      auto fd = dyn_cast<AffineBinaryOpExpr>(maps[1].getResult(0));
      auto g = fd ? dyn_cast<AffineConstantExpr>(fd.getRHS()) : nullptr;
      if (!fd || fd.getKind() != AffineExprKind::FloorDiv || fd.getLHS() != k ||
          !g || g.getValue() <= 0)
        return failure();
      quant = WeightQuantAttr::get(ctx, QuantScheme::grouped, g.getValue(),
                                   isUnsigned);
    } else {
      return failure();
    }
    // (q - zp) * s, q, zp sampled non-negative so unsigned reads agree.
    bool hasZp = bool(zp);
    auto sample = [&](int i) {
      SmallVector<double> a{double((i * 5) % 16),
                            0.25 + std::fabs(sampleValue(i, 1))};
      if (hasZp)
        a.push_back(double((i * 3) % 9));
      a.push_back(0.0);
      return a;
    };
    if (!payloadMatches(*deq.getBody(), sample, [&](ArrayRef<double> a) {
          return hasZp ? (a[0] - a[2]) * a[1] : a[0] * a[1];
        }))
      return failure();
    if (getElementTypeOrSelf(gemm.getA().getType()) !=
        getElementTypeOrSelf(deq.getResult(0).getType()))
      return failure();
    auto newGemm = GemmOp::create(
        rewriter, gemm.getLoc(), gemm.getResultTypes(), gemm.getA(), q, scales,
        zp, gemm.getEpilogueInputs(), gemm.getInits(), gemm.getTransposeA(),
        gemm.getTransposeB(), gemm.getAccType(), gemm.getPairwise(),
        gemm.getEpilogueMaps(), quant, gemm.getReductions(),
        gemm.getARowSumSq());
    rewriter.inlineRegionBefore(gemm.getEpilogue(), newGemm.getEpilogue(),
                                newGemm.getEpilogue().end());
    rewriter.replaceOp(gemm, newGemm.getResults());
    return success();
  }
};

/// rope(transpose(x)) -> transpose(rope(x)) when the transpose keeps the
/// feature dim last: RoPE works on any layout (seq_dim follows the
/// permutation), and the transposes then meet the attention that consumes
/// them, which reads the token-major layout directly.
struct SinkTransposeBelowRope : OpRewritePattern<RopeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RopeOp rope,
                                PatternRewriter &rewriter) const override {
    auto t = rope.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!t || !t->hasOneUse())
      return failure();
    ArrayRef<int64_t> perm = t.getPermutation();
    int64_t rank = perm.size();
    if (perm.back() != rank - 1)
      return failure();
    Value x = t.getInput();
    auto xT = cast<RankedTensorType>(x.getType());
    Location loc = rope.getLoc();
    Value init = tensor::EmptyOp::create(rewriter, loc, xT.getShape(),
                                         xT.getElementType());
    int64_t seqDim = perm[rope.getSeqDimOrDefault()];
    auto inner =
        RopeOp::create(rewriter, loc, xT, x, rope.getCos(), rope.getSin(), init,
                       rope.getMode(), ropeSeqDimAttr(rewriter, seqDim, rank));
    rewriter.replaceOpWithNewOp<linalg::TransposeOp>(rope, inner.getResult(),
                                                     rope.getInit(), perm);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

/// If `v` broadcasts x along dimension `d` only (a linalg.broadcast, or an
/// elementwise generic that copies x with `d` missing from its map),
/// returns x.
Value broadcastSource(Value v, int64_t d) {
  if (auto b = v.getDefiningOp<linalg::BroadcastOp>())
    return b.getDimensions().size() == 1 && b.getDimensions()[0] == d
               ? b.getInput()
               : Value();
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || !isElementwiseGeneric(g) || g.getNumDpsInputs() != 1 ||
      g.getNumResults() != 1)
    return {};
  AffineMap m = g.getIndexingMapsArray()[0];
  unsigned r = g.getNumLoops();
  if (m.getNumResults() != r - 1)
    return {};
  for (unsigned i = 0, k = 0; i < r; ++i) {
    if (i == d)
      continue;
    if (m.getResult(k++) != getAffineDimExpr(i, v.getContext()))
      return {};
  }
  Block &body = *g.getBody();
  if (cast<linalg::YieldOp>(body.getTerminator()).getOperand(0) !=
      body.getArgument(0))
    return {};
  return g.getDpsInputs()[0];
}

/// K/V heads repeated for GQA: `collapse_shape(broadcast(kv, dims = [g]))`
/// merging [Hkv, G] into the head dim `headDim`, or (torch's
/// repeat_interleave as exported) that repeat per head, the one-head slices
/// of kv concatenated with insert_slices. Returns kv and G.
std::pair<Value, int64_t> seeThroughHeadRepeat(Value v, unsigned headDim) {
  if (v.getDefiningOp<tensor::InsertSliceOp>()) {
    // The chain of inserts into an empty tensor, each one repeated head.
    Value cur = v, kv;
    int64_t g = 0;
    llvm::SmallDenseSet<int64_t> heads;
    while (auto ins = cur.getDefiningOp<tensor::InsertSliceOp>()) {
      auto [piece, gi] = seeThroughHeadRepeat(ins.getSource(), headDim);
      auto sl = piece.getDefiningOp<tensor::ExtractSliceOp>();
      if (gi <= 1 || (g && gi != g) || !sl || !sl.hasUnitStride() ||
          !ins.hasUnitStride() || (kv && sl.getSource() != kv))
        return {v, 1};
      g = gi;
      kv = sl.getSource();
      auto kvT = cast<RankedTensorType>(kv.getType());
      ArrayRef<int64_t> so = sl.getStaticOffsets(), ss = sl.getStaticSizes(),
                        io = ins.getStaticOffsets();
      for (int64_t d = 0; d < kvT.getRank(); ++d) {
        bool head = d == int64_t(headDim);
        if ((!head && (so[d] != 0 || ss[d] != kvT.getDimSize(d) || io[d])) ||
            (head && (ss[d] != 1 || ShapedType::isDynamic(so[d]) ||
                      io[d] != so[d] * g)))
          return {v, 1};
      }
      if (!heads.insert(so[headDim]).second)
        return {v, 1};
      cur = ins.getDest();
    }
    if (!cur.getDefiningOp<tensor::EmptyOp>() || !kv ||
        int64_t(heads.size()) !=
            cast<RankedTensorType>(kv.getType()).getDimSize(headDim))
      return {v, 1};
    return {kv, g};
  }
  auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse)
    return {v, 1};
  Value src = broadcastSource(collapse.getSrc(), headDim + 1);
  if (!src)
    return {v, 1};
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  for (auto [i, g] : llvm::enumerate(groups)) {
    ReassociationIndices want;
    if (i < headDim)
      want = {int64_t(i)};
    else if (i == headDim)
      want = {int64_t(i), int64_t(i) + 1};
    else
      want = {int64_t(i) + 1};
    if (g != want)
      return {v, 1};
  }
  auto outT = cast<RankedTensorType>(collapse.getSrc().getType());
  int64_t g = outT.getDimSize(headDim + 1);
  if (ShapedType::isDynamic(g))
    return {v, 1};
  return {src, g};
}

struct MaskInfo {
  float scale = 1.0f;
  std::optional<float> softcap;
  MaskKind kind = MaskKind::none;
  int64_t offset = 0, window = 0;
};

/// Recognizes `select(visible(i, j), x * scale, -big)` (any spelling) over
/// the last two loops of an elementwise generic by evaluating it on the whole
/// [Sq, Skv] index grid, then classifies the visible set as none / causal /
/// sliding window with a query offset.
std::optional<MaskInfo> analyzeMask(linalg::GenericOp g, int64_t sq,
                                    int64_t skv) {
  if (sq * skv > (int64_t(1) << 24))
    return std::nullopt;
  Block &body = *g.getBody();
  unsigned rank = g.getNumLoops();
  SmallVector<int64_t> idx(rank, 0);
  auto eval = [&](double x, int64_t i, int64_t j) -> std::optional<double> {
    idx[rank - 2] = i;
    idx[rank - 1] = j;
    return evaluatePayload(body, {x, 0.0}, idx);
  };
  MaskInfo info;
  std::optional<double> maskedValue;
  SmallVector<int64_t> lo(sq, -1), hi(sq, -1);
  for (int64_t i = 0; i < sq; ++i) {
    for (int64_t j = 0; j < skv; ++j) {
      std::optional<double> y = eval(1.0, i, j);
      if (!y)
        return std::nullopt;
      bool masked = *y <= -1e9;
      if (masked) {
        if (maskedValue && *maskedValue != *y)
          return std::nullopt;
        maskedValue = *y;
        if (lo[i] >= 0 && hi[i] < 0)
          hi[i] = j - 1;
        continue;
      }
      if (lo[i] < 0)
        lo[i] = j;
      else if (hi[i] >= 0)
        return std::nullopt; // visible set is not contiguous
    }
    if (lo[i] >= 0 && hi[i] < 0)
      hi[i] = skv - 1;
  }
  // Scale, and linearity in x at a visible position.
  int64_t vi = -1;
  for (int64_t i = 0; i < sq && vi < 0; ++i)
    if (lo[i] >= 0)
      vi = i;
  if (vi < 0)
    return std::nullopt;
  // Visible logits are scale * x, or cap * tanh(scale * x / cap) with a
  // softcap: the slope at 0 gives the scale, the limit for large x the cap.
  std::optional<double> tiny = eval(1e-6, vi, lo[vi]);
  std::optional<double> huge = eval(1e6, vi, lo[vi]);
  if (!tiny || !huge)
    return std::nullopt;
  info.scale = float(*tiny / 1e-6);
  if (std::fabs(*huge - 1e6 * info.scale) > 1e-3 * std::fabs(1e6 * info.scale))
    info.softcap = float(std::fabs(*huge));
  for (double x : {-2.5, 0.75, 3.0, 17.0}) {
    std::optional<double> y = eval(x, vi, lo[vi]);
    double want = x * info.scale;
    if (info.softcap)
      want = *info.softcap * std::tanh(want / *info.softcap);
    if (!y || std::fabs(*y - want) > 1e-5 * std::fabs(want) + 1e-9)
      return std::nullopt;
  }
  // A finite fill only equals -inf when no row is fully masked.
  bool anyEmpty = llvm::is_contained(lo, -1);
  if (maskedValue && !std::isinf(*maskedValue) && anyEmpty)
    return std::nullopt;
  // Classify: none, causal (hi = i + off) or sliding (lo = i + off - W + 1).
  auto expected = [&](MaskInfo m, int64_t i) -> std::pair<int64_t, int64_t> {
    int64_t h =
        m.kind == MaskKind::none ? skv - 1 : std::min(i + m.offset, skv - 1);
    int64_t l = m.kind == MaskKind::sliding_window
                    ? std::max<int64_t>(0, i + m.offset - m.window + 1)
                    : 0;
    if (h < l || h < 0)
      return {-1, -1};
    return {l, h};
  };
  auto fits = [&](MaskInfo m) {
    for (int64_t i = 0; i < sq; ++i)
      if (expected(m, i) != std::make_pair(lo[i], hi[i]))
        return false;
    return true;
  };
  if (fits(info))
    return info;
  // The offset follows from the last row's last visible key.
  info.kind = MaskKind::causal;
  info.offset = hi[sq - 1] >= 0 ? hi[sq - 1] - (sq - 1) : -sq;
  if (hi[sq - 1] == skv - 1) {
    for (int64_t i = 0; i < sq; ++i)
      if (hi[i] >= 0 && hi[i] < skv - 1) {
        info.offset = hi[i] - i;
        break;
      }
  }
  if (fits(info))
    return info;
  info.kind = MaskKind::sliding_window;
  if (lo[sq - 1] >= 0)
    info.window = sq - 1 + info.offset - lo[sq - 1] + 1;
  if (info.window >= 1 && fits(info))
    return info;
  return std::nullopt;
}

/// Reshapes a [batch..., S, D] operand with nb <= 2 batch dims to
/// [B, H, S, D] by adding leading unit dims.
Value toFourD(PatternRewriter &rewriter, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t missing = 4 - t.getRank();
  if (missing == 0)
    return v;
  SmallVector<int64_t> shape(missing, 1);
  llvm::append_range(shape, t.getShape());
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < t.getRank(); ++i) {
    if (i == 0) {
      ReassociationIndices g;
      for (int64_t j = 0; j <= missing; ++j)
        g.push_back(j);
      groups.push_back(g);
    } else {
      groups.push_back({i + missing});
    }
  }
  return tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get(shape, t.getElementType()), v,
      groups);
}

/// softmax(mask(scale * Q K^T)) V, with the scores and the output computed
/// by sinter.gemm (after contraction raising) and GQA spelled as a head
/// repeat of K/V -> sinter.attention.
struct RaiseAttention : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  static bool isPlain(GemmOp g) {
    return g.getEpilogue().empty() && !g.getBQuant() && !g.getPairwise() &&
           g.getReductions().empty() && !g.getTransposeA() &&
           g.getAccType().isF32();
  }
  LogicalResult matchAndRewrite(GemmOp pv,
                                PatternRewriter &rewriter) const override {
    if (!isPlain(pv) || pv.getTransposeB())
      return failure();
    int64_t nb = pv.getNumBatchDims();
    if (nb > 2)
      return failure();
    auto softmax = pv.getA().getDefiningOp<SoftmaxOp>();
    if (!softmax || !softmax->hasOneUse() ||
        int64_t(softmax.getDim()) != nb + 1)
      return failure();
    Value logits = softmax.getInput();
    linalg::GenericOp maskOp;
    // An additive bias (a constant with no structure the importer found, or
    // a runtime argument): scale * x + b with b broadcast over some of the
    // scores' dimensions.
    Value bias;
    AffineMap biasMap;
    std::optional<float> biasScale;
    if ((maskOp = logits.getDefiningOp<linalg::GenericOp>())) {
      if (!isElementwiseGeneric(maskOp) || !maskOp->hasOneUse())
        return failure();
      SmallVector<AffineMap> maps = maskOp.getIndexingMapsArray();
      if (maskOp.getNumDpsInputs() == 2) {
        int si = -1;
        for (int i = 0; i < 2; ++i)
          if (maps[i].isIdentity() &&
              maskOp.getDpsInputs()[i].getDefiningOp<GemmOp>())
            si = i;
        int bi = 1 - si;
        if (si < 0 || !maps[bi].isProjectedPermutation() ||
            !llvm::is_sorted(maps[bi].getResults(),
                             [](AffineExpr a, AffineExpr b) {
                               return cast<AffineDimExpr>(a).getPosition() <
                                      cast<AffineDimExpr>(b).getPosition();
                             }))
          return failure();
        auto args = [&](double x, double b) {
          SmallVector<double> a(3, 0.0);
          a[si] = x;
          a[bi] = b;
          return a;
        };
        std::optional<double> zero =
            evaluatePayload(*maskOp.getBody(), args(0, 0));
        std::optional<double> one =
            evaluatePayload(*maskOp.getBody(), args(1, 0));
        if (!zero || !one || std::fabs(*zero) > 1e-12)
          return failure();
        double c = *one;
        if (!payloadMatches(
                *maskOp.getBody(),
                [&](int i) {
                  return args(sampleValue(i, 0), sampleValue(i, 1));
                },
                [&](ArrayRef<double> a) { return c * a[si] + a[bi]; }))
          return failure();
        bias = maskOp.getDpsInputs()[bi];
        biasMap = maps[bi];
        biasScale = float(c);
        logits = maskOp.getDpsInputs()[si];
        maskOp = nullptr;
      } else {
        if (maskOp.getNumDpsInputs() != 1 || !maps[0].isIdentity())
          return failure();
        logits = maskOp.getDpsInputs()[0];
      }
    }
    auto qk = logits.getDefiningOp<GemmOp>();
    if (!qk || !isPlain(qk) || !qk.getTransposeB() || !qk->hasOneUse() ||
        qk.getNumBatchDims() != nb)
      return failure();
    auto sT = cast<RankedTensorType>(logits.getType());
    int64_t sq = sT.getDimSize(nb), skv = sT.getDimSize(nb + 1);
    if (!sT.hasStaticShape())
      return failure();
    MaskInfo mask;
    if (maskOp) {
      std::optional<MaskInfo> m = analyzeMask(maskOp, sq, skv);
      if (!m)
        return failure();
      mask = *m;
    }
    if (biasScale)
      mask.scale = *biasScale;
    if (bias && !isFloatGemmType(getElementTypeOrSelf(bias.getType())) &&
        !getElementTypeOrSelf(bias.getType()).isF32())
      return failure();
    unsigned headDim = nb == 0 ? 0 : nb - 1;
    auto [k, gk] = nb ? seeThroughHeadRepeat(qk.getB(), headDim)
                      : std::pair<Value, int64_t>{qk.getB(), 1};
    auto [v, gv] = nb ? seeThroughHeadRepeat(pv.getB(), headDim)
                      : std::pair<Value, int64_t>{pv.getB(), 1};
    if (gk != gv)
      return failure();
    Value q = qk.getA();
    Type e = getElementTypeOrSelf(q.getType());
    // Q scaled by a constant before Q K^T (torch's multi-head attention
    // scales q by 1 / sqrt(d)): the factor joins the attention's scale.
    if (auto pre = q.getDefiningOp<linalg::GenericOp>();
        pre && isElementwiseGeneric(pre) && pre.getNumDpsInputs() == 1 &&
        pre.getIndexingMapsArray()[0].isIdentity() && pre->hasOneUse() &&
        getElementTypeOrSelf(pre.getDpsInputs()[0].getType()) == e) {
      std::optional<double> c = evaluatePayload(*pre.getBody(), {1.0, 0.0});
      if (c && *c != 0 &&
          payloadMatches(
              *pre.getBody(),
              [](int i) {
                return SmallVector<double>{sampleValue(i, 0), 0.0};
              },
              [&](ArrayRef<double> a) { return a[0] * *c; })) {
        q = pre.getDpsInputs()[0];
        mask.scale *= *c;
      }
    }
    if (getElementTypeOrSelf(k.getType()) != e ||
        getElementTypeOrSelf(v.getType()) != e || !isFloatGemmType(e))
      return failure();
    // B operands without batch dims (shared weights) are not attention.
    if (cast<RankedTensorType>(k.getType()).getRank() != nb + 2 ||
        cast<RankedTensorType>(v.getType()).getRank() != nb + 2)
      return failure();

    // Operands transposed from token-major [.., S, H, D] are read in that
    // layout directly.
    auto tokenMajor = [&](Value t) -> Value {
      auto tr = t.getDefiningOp<linalg::TransposeOp>();
      if (!tr || nb == 0)
        return {};
      ArrayRef<int64_t> perm = tr.getPermutation();
      for (int64_t i = 0, e = perm.size(); i < e; ++i) {
        int64_t want = i == nb - 1 ? nb : i == nb ? nb - 1 : i;
        if (perm[i] != want)
          return {};
      }
      return tr.getInput();
    };
    Value qT = tokenMajor(q), kT = tokenMajor(k), vT = tokenMajor(v);
    bool bshd = qT && kT && vT;
    if (bshd) {
      q = qT;
      k = kT;
      v = vT;
    }
    Location loc = pv.getLoc();
    Value q4 = toFourD(rewriter, loc, q), k4 = toFourD(rewriter, loc, k),
          v4 = toFourD(rewriter, loc, v);
    auto outT = cast<RankedTensorType>(pv.getResult(0).getType());
    auto q4T = cast<RankedTensorType>(q4.getType());
    auto v4T = cast<RankedTensorType>(v4.getType());
    auto o4T = RankedTensorType::get({q4T.getDimSize(0), q4T.getDimSize(1),
                                      q4T.getDimSize(2), v4T.getDimSize(3)},
                                     outT.getElementType());
    // In token-major form the output is [.., S, H, Dv] too.
    SmallVector<int64_t> outShape(outT.getShape());
    if (bshd)
      std::swap(outShape[nb - 1], outShape[nb]);
    auto outTokT = RankedTensorType::get(outShape, outT.getElementType());
    Value init = tensor::EmptyOp::create(rewriter, loc, o4T.getShape(),
                                         o4T.getElementType());
    // The bias as [B|1, H|1, Sq|1, Skv]: the scores' dimensions it does not
    // vary along are 1 for batch, heads and queries (a key-padding mask
    // stays one row per sequence), materialized for the keys.
    Value bias4;
    if (bias) {
      int64_t missing = 4 - (nb + 2);
      SmallVector<int64_t> shape;
      SmallVector<AffineExpr> reads;
      llvm::SmallBitVector used(nb + 2);
      for (AffineExpr e : biasMap.getResults())
        used.set(cast<AffineDimExpr>(e).getPosition());
      for (int64_t o = 0; o < 4; ++o) {
        int64_t d = o - missing;
        shape.push_back(d < 0                           ? 1
                        : (used.test(d) || d == nb + 1) ? sT.getDimSize(d)
                                                        : 1);
      }
      for (AffineExpr e : biasMap.getResults())
        reads.push_back(getAffineDimExpr(
            cast<AffineDimExpr>(e).getPosition() + missing, getContext()));
      Type be = getElementTypeOrSelf(bias.getType());
      Value empty = tensor::EmptyOp::create(rewriter, loc, shape, be);
      auto copy = linalg::GenericOp::create(
          rewriter, loc, TypeRange{empty.getType()}, ValueRange{bias},
          ValueRange{empty},
          ArrayRef<AffineMap>{
              AffineMap::get(4, 0, reads, getContext()),
              AffineMap::getMultiDimIdentityMap(4, getContext())},
          SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, args[0]);
          });
      bias4 = copy.getResult(0);
    }
    auto attn = AttentionOp::create(
        rewriter, loc, TypeRange{o4T}, q4, k4, v4, /*bias=*/bias4,
        /*rope_cos=*/Value(), /*rope_sin=*/Value(), ValueRange{init},
        rewriter.getF32FloatAttr(mask.scale), mask.kind,
        mask.kind == MaskKind::sliding_window
            ? rewriter.getI64IntegerAttr(mask.window)
            : IntegerAttr(),
        mask.softcap ? rewriter.getF32FloatAttr(*mask.softcap) : FloatAttr(),
        uint64_t(mask.offset),
        bshd ? AttentionLayout::bshd : AttentionLayout::bhsd, RopeMode::half);
    Value out = attn.getResult(0);
    if (outT.getRank() != 4) {
      SmallVector<ReassociationIndices> groups;
      int64_t missing = 4 - outT.getRank();
      ReassociationIndices first;
      for (int64_t j = 0; j <= missing; ++j)
        first.push_back(j);
      groups.push_back(first);
      for (int64_t i = 1; i < outT.getRank(); ++i)
        groups.push_back({i + missing});
      out =
          tensor::CollapseShapeOp::create(rewriter, loc, outTokT, out, groups);
    }
    if (bshd) {
      SmallVector<int64_t> perm =
          llvm::to_vector(llvm::seq<int64_t>(0, outT.getRank()));
      std::swap(perm[nb - 1], perm[nb]);
      Value e = tensor::EmptyOp::create(rewriter, loc, outT.getShape(),
                                        outT.getElementType());
      out = linalg::TransposeOp::create(rewriter, loc, out, e, perm)
                .getResult()[0];
    }
    rewriter.replaceOp(pv, out);
    return success();
  }
};

struct RaisePass : public sinter::impl::SinterRaiseBase<RaisePass> {
  void runOnOperation() override {
    // Attention is recognized last, once its operands have their final
    // form (RoPE raised, layout transposes sunk below it).
    RewritePatternSet operands(&getContext());
    operands.add<RaiseContraction, RaiseSoftmax, RaiseNamedSoftmax,
                 RaiseRMSNorm, RaiseLayerNorm, RaiseSlicedRope,
                 RaiseFullTableRope, SinkTransposeBelowRope>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(operands))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateRaisePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void mlir::sinter::populateRaisePatterns(RewritePatternSet &patterns) {
  patterns.add<RaiseContraction, RaiseSoftmax, RaiseNamedSoftmax, RaiseRMSNorm,
               RaiseLayerNorm, RaiseSlicedRope, RaiseFullTableRope,
               SinkTransposeBelowRope, RaiseAttention, RaiseDequantizedWeights>(
      patterns.getContext());
}
