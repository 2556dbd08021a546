//===- Decompose.cpp - Reference semantics of sinter ops ------------------===//
//
// Rewrites every sinter op into plain linalg/tensor/arith/math/scf IR on
// tensors. This is the dialect's executable specification: it is written to
// be obviously right, not fast, and every optimized lowering is tested
// against it.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "Emitter.h"
#include <cmath>

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERDECOMPOSE
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;
using utils::IteratorType;

using namespace mlir::sinter::detail;

namespace {
//===----------------------------------------------------------------------===//
// sinter.gemm
//===----------------------------------------------------------------------===//

/// Dequantizes a 2-D quantized B operand to f32.
Value dequantizeWeights(Emitter &e, GemmOp op) {
  WeightQuantAttr quant = *op.getBQuant();
  bool tB = op.getTransposeB();
  unsigned kDim = tB ? 1 : 0, nDim = tB ? 0 : 1;
  AffineExpr k = getAffineDimExpr(kDim, e.ctx()),
             n = getAffineDimExpr(nDim, e.ctx());
  AffineMap scaleMap =
      quant.getScheme() == QuantScheme::per_channel
          ? AffineMap::get(2, 0, {n}, e.ctx())
          : AffineMap::get(2, 0, {k.floorDiv(quant.getGroupSize()), n},
                           e.ctx());
  SmallVector<Value> ins{op.getB(), op.getBScales()};
  SmallVector<AffineMap> maps{e.identity(2), scaleMap};
  if (Value zp = op.getBZeroPoints()) {
    ins.push_back(zp);
    maps.push_back(scaleMap);
  }
  maps.push_back(e.identity(2));
  Value init = e.empty(e.sizes(op.getB()), e.f32Type());
  return e.generic1(ins, init, maps, iters(2), [&](ValueRange args) {
    return buildDequantizedWeight(e.b, e.loc, quant, args[0], args[1],
                                  args.size() == 4 ? args[2] : Value());
  });
}

LogicalResult decompose(GemmOp op, RewriterBase &rewriter,
                        bool keepContraction = false) {
  Emitter e{rewriter, op.getLoc()};
  auto aT = tensorType(op.getA()), bT = tensorType(op.getB());
  int64_t nb = op.getNumBatchDims();
  unsigned n3 = nb + 3;
  int64_t mL = nb, nL = nb + 1, kL = nb + 2;
  Type acc = op.getAccType();

  Value bOperand = op.getB();
  if (op.getBQuant() && !keepContraction)
    bOperand = dequantizeWeights(e, op);

  // acc[batch, m, n] = sum_k A * B.
  SmallVector<int64_t> aDims, bDims, cDims;
  for (int64_t i = 0; i < nb; ++i) {
    aDims.push_back(i);
    cDims.push_back(i);
    if (bT.getRank() > 2)
      bDims.push_back(i);
  }
  llvm::append_range(aDims, op.getTransposeA() ? SmallVector<int64_t>{kL, mL}
                                               : SmallVector<int64_t>{mL, kL});
  llvm::append_range(bDims, op.getTransposeB() ? SmallVector<int64_t>{nL, kL}
                                               : SmallVector<int64_t>{kL, nL});
  cDims.append({mL, nL});
  SmallVector<OpFoldResult> aSizes = e.sizes(op.getA()),
                            bSizes = e.sizes(op.getB());
  SmallVector<OpFoldResult> accShape(aSizes.begin(), aSizes.begin() + nb);
  accShape.push_back(aSizes[nb + (op.getTransposeA() ? 1 : 0)]);
  accShape.push_back(bSizes[bT.getRank() - 2 + (op.getTransposeB() ? 0 : 1)]);
  Value accT;
  if (keepContraction) {
    // The contraction stays a sinter.gemm of its own (no epilogue, the
    // accumulator type out); what followed it is decomposed below.
    SmallVector<int64_t> staticShape;
    for (OpFoldResult d : accShape)
      staticShape.push_back(getConstantIntValue(d).value_or(ShapedType::kDynamic));
    if (ShapedType::isDynamicShape(staticShape))
      return failure();
    Value empty = tensor::EmptyOp::create(rewriter, op.getLoc(), staticShape, acc);
    auto plain = GemmOp::create(
        rewriter, op.getLoc(), TypeRange{empty.getType()}, op.getA(),
        op.getB(), op.getBScales(), op.getBZeroPoints(), ValueRange{},
        ValueRange{empty}, op.getTransposeA(), op.getTransposeB(), acc,
        /*pairwise=*/false, rewriter.getArrayAttr({}), op.getBQuantAttr(),
        rewriter.getArrayAttr({}), /*a_row_sum_sq=*/false);
    accT = plain.getResult(0);
  } else {
    Value accInit = e.filled(accShape, acc, 0);
    accT = e.generic1({op.getA(), bOperand}, accInit,
                      {e.map(n3, aDims), e.map(n3, bDims), e.map(n3, cDims)},
                      iters(n3, {kL}), [&](ValueRange args) {
                        return e.add(args[2], e.mul(e.convert(args[0], acc),
                                                    e.convert(args[1], acc)));
                      });
  }

  // Epilogue over (batch, m, n).
  unsigned n2 = nb + 2;
  unsigned numPrimary = op.getNumPrimaryResults();
  // A pairwise gemm's epilogue reads the two column halves of the
  // accumulator at once.
  SmallVector<Value> ins;
  SmallVector<AffineMap> inMaps;
  if (op.getPairwise()) {
    SmallVector<OpFoldResult> sizes = e.sizes(accT);
    OpFoldResult half;
    if (std::optional<int64_t> n = getConstantIntValue(sizes.back()))
      half = rewriter.getIndexAttr(*n / 2);
    else
      half = arith::DivUIOp::create(
                 e.b, e.loc,
                 getValueOrCreateConstantIndexOp(e.b, e.loc, sizes.back()),
                 e.idx(2))
                 .getResult();
    sizes.back() = half;
    SmallVector<OpFoldResult> offsets(n2, rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> strides(n2, rewriter.getIndexAttr(1));
    ins.push_back(tensor::ExtractSliceOp::create(e.b, e.loc, accT, offsets,
                                                 sizes, strides));
    offsets.back() = half;
    ins.push_back(tensor::ExtractSliceOp::create(e.b, e.loc, accT, offsets,
                                                 sizes, strides));
    inMaps.append(2, e.identity(n2));
  } else {
    ins.push_back(accT);
    inMaps.push_back(e.identity(n2));
  }
  if (op.getARowSumSq()) {
    // Row sums of squares of A, read by the epilogue through (batch, m).
    SmallVector<OpFoldResult> rows(accShape.begin(), accShape.end() - 1);
    unsigned na = aT.getRank();
    SmallVector<int64_t> rowDims;
    for (int64_t i = 0; i < nb; ++i)
      rowDims.push_back(i);
    rowDims.push_back(op.getTransposeA() ? nb + 1 : nb);
    Value aSS = e.generic1({op.getA()}, e.filled(rows, e.f32Type(), 0),
                           {e.identity(na), e.map(na, rowDims)},
                           iters(na, {op.getTransposeA() ? nb : nb + 1}),
                           [&](ValueRange a) {
                             Value v = e.toF32(a[0]);
                             return e.add(a[1], e.mul(v, v));
                           });
    ins.push_back(aSS);
    inMaps.push_back(e.dropping(n2, nb + 1));
  }
  llvm::append_range(ins, op.getEpilogueInputs());
  for (Attribute m : op.getEpilogueMaps())
    inMaps.push_back(cast<AffineMapAttr>(m).getValue());
  SmallVector<Value> replacements;
  Region &region = op.getEpilogue();

  SmallVector<Value> primaryInits(op.getInits().take_front(numPrimary));
  SmallVector<AffineMap> maps(inMaps);
  maps.append(numPrimary, e.identity(n2));
  // Without an epilogue or a conversion, into a destination of its own,
  // the accumulator is the result (no copy of it).
  if (region.empty() && ins.size() == 1 && numPrimary == 1 &&
      tensorType(primaryInits[0]).getElementType() == acc &&
      primaryInits[0].getDefiningOp<tensor::EmptyOp>())
    replacements = {accT};
  else
    replacements =
      e.generic(ins, primaryInits, maps, iters(n2),
                [&](ValueRange args) -> SmallVector<Value> {
                  if (region.empty())
                    return {e.convert(
                        args[0], tensorType(primaryInits[0]).getElementType())};
                  SmallVector<Value> yielded =
                      inlineRegion(e.b, region, args.take_front(ins.size()));
                  yielded.resize(numPrimary);
                  return yielded;
                });

  // Each reduction re-evaluates the epilogue and folds the yielded value.
  ArrayAttr reductions = op.getReductions();
  for (unsigned i = 0, e2 = reductions.size(); i < e2; ++i) {
    auto red = cast<ReductionAttr>(reductions[i]);
    Value init = op.getInits()[numPrimary + i];
    Type elem = tensorType(init).getElementType();
    unsigned reduced = red.getDim() == GemmDim::n ? nL : mL;
    double identity = red.getKind() == ReductionKind::max ? -INFINITY : 0.0;
    if (red.getKind() == ReductionKind::max && !isa<FloatType>(elem))
      identity = static_cast<double>(
          APInt::getSignedMinValue(elem.getIntOrFloatBitWidth())
              .getSExtValue());
    Value filledInit = e.fill(init, e.cst(elem, identity));
    SmallVector<AffineMap> redMaps(inMaps);
    redMaps.push_back(e.dropping(n2, reduced));
    replacements.push_back(e.generic1(
        ins, filledInit, redMaps, iters(n2, {reduced}), [&](ValueRange args) {
          Value v = inlineRegion(e.b, region,
                                 args.take_front(ins.size()))[numPrimary + i];
          Value accum = args.back();
          switch (red.getKind()) {
          case ReductionKind::sum:
            return e.add(accum, v);
          case ReductionKind::max:
            return e.max(accum, v);
          case ReductionKind::sum_sq:
            return e.add(accum, e.mul(v, v));
          }
          llvm_unreachable("unknown reduction kind");
        }));
  }
  rewriter.replaceOp(op, replacements);
  return success();
}

//===----------------------------------------------------------------------===//
// KV-cache gather (shared with paged attention)
//===----------------------------------------------------------------------===//

Value buildGather(Emitter &e, Value cache, Value blockTable, Value seqLens,
                  Value init) {
  Value blockSize = e.dim(cache, 1), numBlocks = e.dim(cache, 0);
  Value maxBlocks = e.dim(blockTable, 1);
  Type elem = tensorType(cache).getElementType();
  return e.generic1(
      {seqLens}, init, {e.map(4, {0}), e.identity(4)}, iters(4),
      [&](ValueRange args) {
        Value bI = e.index(0), hI = e.index(1), sI = e.index(2),
              dI = e.index(3);
        Value len = e.toIndex(args[0]);
        Value valid = e.cmpi(arith::CmpIPredicate::slt, sI, len);
        Value blockPos = e.clampIndex(
            arith::DivUIOp::create(e.b, e.loc, sI, blockSize), e.idx(0),
            arith::SubIOp::create(e.b, e.loc, maxBlocks, e.idx(1)));
        Value offset = arith::RemUIOp::create(e.b, e.loc, sI, blockSize);
        Value block = e.toIndex(tensor::ExtractOp::create(
            e.b, e.loc, blockTable, ValueRange{bI, blockPos}));
        // Entries past the sequence end may be garbage: never read through
        // them, and keep every read in bounds.
        block = e.select(valid, block, e.idx(0));
        block = e.clampIndex(
            block, e.idx(0),
            arith::SubIOp::create(e.b, e.loc, numBlocks, e.idx(1)));
        Value v = tensor::ExtractOp::create(e.b, e.loc, cache,
                                            ValueRange{block, offset, hI, dI});
        return e.select(valid, v, e.zero(elem));
      });
}

LogicalResult decompose(KVGatherOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  rewriter.replaceOp(op, buildGather(e, op.getCache(), op.getBlockTable(),
                                     op.getSeqLens(), op.getInit()));
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

struct AttentionSpec {
  Value query, key, value, bias, seqLens;
  ValueRange inits;
  MaskKind mask = MaskKind::none;
  std::optional<int64_t> window;
  int64_t queryOffset = 0;
  std::optional<float> scale, softcap;
  /// Q/K/V/O are [B, S, H, D] instead of [B, H, S, D].
  bool bshd = false;
};

/// Materialized attention on contiguous K/V `[B, Hkv, Skv, D]`. With
/// `seqLens`, keys past a sequence's length are invalid and query positions
/// are counted from the end of the sequence (paged form).
SmallVector<Value> buildAttention(Emitter &e, const AttentionSpec &s) {
  auto qT = tensorType(s.query), kT = tensorType(s.key);
  unsigned hIdx = s.bshd ? 2 : 1, sIdx = s.bshd ? 1 : 2;
  int64_t group = qT.getDimSize(hIdx) / kT.getDimSize(hIdx);
  MLIRContext *ctx = e.ctx();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineExpr kvHead = d(1).floorDiv(group);
  // Maps of Q/K/V/O are written for [B, H, S, D]; token-major operands
  // read the same loops with head and sequence swapped.
  auto operandMap = [&](unsigned numDims, SmallVector<AffineExpr> exprs) {
    if (s.bshd)
      std::swap(exprs[1], exprs[2]);
    return AffineMap::get(numDims, 0, exprs, ctx);
  };
  // The default scale 1/sqrt(D) is folded for a static head dimension and
  // computed at run time for a dynamic one.
  Value scale;
  int64_t headDim = qT.getShape().back();
  if (s.scale)
    scale = e.f(*s.scale);
  else if (!ShapedType::isDynamic(headDim))
    scale = e.f(1.0 / std::sqrt(static_cast<double>(headDim)));
  else
    scale = math::RsqrtOp::create(e.b, e.loc,
                                  e.toF32(e.dim(s.query, qT.getRank() - 1)));

  SmallVector<OpFoldResult> qSizes = e.sizes(s.query), kSizes = e.sizes(s.key),
                            vSizes = e.sizes(s.value);
  SmallVector<OpFoldResult> logitShape{qSizes[0], qSizes[hIdx], qSizes[sIdx],
                                       kSizes[sIdx]};
  SmallVector<OpFoldResult> rowShape{qSizes[0], qSizes[hIdx], qSizes[sIdx]};

  // S[b, h, i, j] = sum_d Q[b, h, i, d] * K[b, h / G, j, d].
  Value sT =
      e.generic1({s.query, s.key}, e.filled(logitShape, e.f32Type(), 0),
                 {operandMap(5, {d(0), d(1), d(2), d(4)}),
                  operandMap(5, {d(0), kvHead, d(3), d(4)}),
                  AffineMap::get(5, 0, {d(0), d(1), d(2), d(3)}, ctx)},
                 iters(5, {4}), [&](ValueRange a) {
                   return e.add(a[2], e.mul(e.toF32(a[0]), e.toF32(a[1])));
                 });

  // Scale, softcap, bias and mask.
  SmallVector<Value> ins{sT};
  SmallVector<AffineMap> maps{e.identity(4)};
  if (s.bias) {
    auto bT = tensorType(s.bias);
    ins.push_back(s.bias);
    maps.push_back(e.map(4, {bT.getDimSize(0) == 1 ? -1 : 0,
                             bT.getDimSize(1) == 1 ? -1 : 1,
                             bT.getDimSize(2) == 1 ? -1 : 2, 3}));
  }
  if (s.seqLens) {
    ins.push_back(s.seqLens);
    maps.push_back(e.map(4, {0}));
  }
  maps.push_back(e.identity(4));
  Value numQueries = e.dim(s.query, sIdx);
  Value logits = e.generic1(
      ins, e.empty(logitShape, e.f32Type()), maps, iters(4), [&](ValueRange a) {
        Value x = e.mul(a[0], scale);
        if (s.softcap) {
          Value cap = e.f(*s.softcap);
          x = e.mul(cap, math::TanhOp::create(e.b, e.loc, e.div(x, cap)));
        }
        unsigned next = 1;
        if (s.bias)
          x = e.add(x, e.toF32(a[next++]));
        Value i = e.index(2), j = e.index(3);
        Value visible = arith::ConstantIntOp::create(e.b, e.loc, 1, 1);
        Value pos;
        if (s.seqLens) {
          Value len = e.toIndex(a[next++]);
          visible = e.cmpi(arith::CmpIPredicate::slt, j, len);
          pos = e.add(e.sub(len, numQueries), i);
        } else {
          pos = e.add(i, e.idx(s.queryOffset));
        }
        if (s.mask != MaskKind::none)
          visible = e.andi(visible, e.cmpi(arith::CmpIPredicate::sle, j, pos));
        // pos - window < j, written so a huge window cannot overflow.
        if (s.mask == MaskKind::sliding_window)
          visible = e.andi(visible, e.cmpi(arith::CmpIPredicate::slt,
                                           e.sub(pos, j), e.idx(*s.window)));
        return e.select(visible, x, e.negInf());
      });

  // Row max, exponentials, row sum.
  AffineMap rowMap = e.map(4, {0, 1, 2});
  Value rowMax = e.generic1({logits}, e.filled(rowShape, e.f32Type(), -INFINITY),
                            {e.identity(4), rowMap}, iters(4, {3}),
                            [&](ValueRange a) { return e.max(a[1], a[0]); });
  auto safeMax = [&](Value m) {
    return e.select(e.cmpf(arith::CmpFPredicate::OEQ, m, e.negInf()), e.f(0),
                    m);
  };
  Value probs = e.generic1(
      {logits, rowMax}, e.empty(logitShape, e.f32Type()),
      {e.identity(4), rowMap, e.identity(4)}, iters(4), [&](ValueRange a) {
        return math::ExpOp::create(e.b, e.loc, e.sub(a[0], safeMax(a[1])));
      });
  Value rowSum = e.generic1({probs}, e.filled(rowShape, e.f32Type(), 0),
                            {e.identity(4), rowMap}, iters(4, {3}),
                            [&](ValueRange a) { return e.add(a[1], a[0]); });

  // O[b, h, i, c] = sum_j P[b, h, i, j] * V[b, h / G, j, c] / rowSum.
  SmallVector<OpFoldResult> outShape{qSizes[0], qSizes[hIdx], qSizes[sIdx],
                                     vSizes[3]};
  Value oAcc = e.generic1({probs, s.value}, e.filled(outShape, e.f32Type(), 0),
                          {AffineMap::get(5, 0, {d(0), d(1), d(2), d(4)}, ctx),
                           operandMap(5, {d(0), kvHead, d(4), d(3)}),
                           AffineMap::get(5, 0, {d(0), d(1), d(2), d(3)}, ctx)},
                          iters(5, {4}), [&](ValueRange a) {
                            return e.add(a[2], e.mul(a[0], e.toF32(a[1])));
                          });
  Type outElem = tensorType(s.inits[0]).getElementType();
  SmallVector<Value> results;
  results.push_back(e.generic1(
      {oAcc, rowSum}, s.inits[0],
      {e.identity(4), rowMap, operandMap(4, {d(0), d(1), d(2), d(3)})},
      iters(4), [&](ValueRange a) {
        Value has = e.cmpf(arith::CmpFPredicate::OGT, a[1], e.f(0));
        return e.convert(e.select(has, e.div(a[0], a[1]), e.f(0)), outElem);
      }));
  if (s.inits.size() == 2) {
    results.push_back(e.generic1(
        {rowMax, rowSum}, s.inits[1],
        {e.identity(3), e.identity(3), e.identity(3)}, iters(3),
        [&](ValueRange a) {
          Value has = e.cmpf(arith::CmpFPredicate::OGT, a[1], e.f(0));
          Value lse =
              e.add(safeMax(a[0]), math::LogOp::create(e.b, e.loc, a[1]));
          return e.select(has, lse, e.negInf());
        }));
  }
  return results;
}

std::optional<float> optFloat(std::optional<APFloat> v) {
  if (!v)
    return std::nullopt;
  return v->convertToFloat();
}
std::optional<int64_t> optInt(IntegerAttr a) {
  if (!a)
    return std::nullopt;
  return a.getInt();
}

/// The mask, scale and softcap shared by both attention forms.
template <typename OpT> AttentionSpec maskSpec(OpT op) {
  AttentionSpec s;
  s.query = op.getQuery();
  s.inits = op.getInits();
  s.mask = op.getMask();
  s.window = optInt(op.getWindowAttr());
  s.scale = optFloat(op.getScale());
  s.softcap = optFloat(op.getSoftcap());
  return s;
}

LogicalResult decompose(AttentionOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  AttentionSpec s = maskSpec(op);
  s.key = op.getKey();
  s.value = op.getValue();
  s.bias = op.getBias();
  s.queryOffset = op.getQueryOffsetAttr().getInt();
  s.bshd = op.getLayout() == AttentionLayout::bshd;
  if (Value cos = op.getRopeCos()) {
    // Rotate Q (rows i + query_offset) and K (rows j) as they are read.
    bool interleaved = op.getRopeMode() == RopeMode::interleaved;
    int64_t seq = op.getSeqDim();
    auto rotate = [&](Value t, int64_t offset) {
      Value init = e.empty(e.sizes(t), tensorType(t).getElementType());
      return buildRope(e, t, cos, op.getRopeSin(), init, seq, interleaved,
                       offset);
    };
    s.query = rotate(s.query, s.queryOffset);
    s.key = rotate(s.key, 0);
  }
  rewriter.replaceOp(op, buildAttention(e, s));
  return success();
}

LogicalResult decompose(PagedAttentionOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  // Gather each sequence's K/V into [B, Hkv, max_blocks * block_size, D].
  auto gathered = [&](Value cache) {
    SmallVector<OpFoldResult> c = e.sizes(cache);
    SmallVector<OpFoldResult> bt = e.sizes(op.getBlockTable());
    Value maxTokens = arith::MulIOp::create(
        e.b, e.loc, getValueOrCreateConstantIndexOp(e.b, e.loc, bt[1]),
        getValueOrCreateConstantIndexOp(e.b, e.loc, c[1]));
    Value init = e.empty({bt[0], c[2], getAsOpFoldResult(maxTokens), c[3]},
                         tensorType(cache).getElementType());
    return buildGather(e, cache, op.getBlockTable(), op.getSeqLens(), init);
  };
  AttentionSpec s = maskSpec(op);
  s.key = gathered(op.getKeyCache());
  s.value = gathered(op.getValueCache());
  s.seqLens = op.getSeqLens();
  rewriter.replaceOp(op, buildAttention(e, s));
  return success();
}

//===----------------------------------------------------------------------===//
// KV-cache append / evict / quantize / prune
//===----------------------------------------------------------------------===//

LogicalResult decompose(KVAppendOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  Value cache = op.getCache(), update = op.getUpdate();
  SmallVector<OpFoldResult> u = e.sizes(update);
  Value blockSize = e.dim(cache, 1);
  Value capacity =
      arith::MulIOp::create(e.b, e.loc, e.dim(cache, 0), blockSize);
  Value numTokens = e.dim(update, 0);
  OpFoldResult one = rewriter.getIndexAttr(1), zero = rewriter.getIndexAttr(0);
  auto loop = scf::ForOp::create(
      rewriter, e.loc, e.idx(0), numTokens, e.idx(1), ValueRange{cache},
      [&](OpBuilder &b, Location loc, Value t, ValueRange iter) {
        Emitter l{b, loc};
        Value slot = l.toIndex(
            tensor::ExtractOp::create(b, loc, op.getSlots(), ValueRange{t}));
        // Padding (negative) and out-of-range slots are skipped.
        Value inRange =
            l.andi(l.cmpi(arith::CmpIPredicate::sge, slot, l.idx(0)),
                   l.cmpi(arith::CmpIPredicate::slt, slot, capacity));
        auto ifOp = scf::IfOp::create(
            b, loc, inRange,
            [&](OpBuilder &tb, Location tl) {
              Value block = arith::DivUIOp::create(tb, tl, slot, blockSize);
              Value offset = arith::RemUIOp::create(tb, tl, slot, blockSize);
              auto rowType = RankedTensorType::get(
                  tensorType(update).getShape().drop_front(),
                  tensorType(update).getElementType());
              Value row = tensor::ExtractSliceOp::create(
                  tb, tl, rowType, update,
                  SmallVector<OpFoldResult>{t, zero, zero},
                  SmallVector<OpFoldResult>{one, u[1], u[2]},
                  SmallVector<OpFoldResult>{one, one, one});
              Value written = tensor::InsertSliceOp::create(
                  tb, tl, row, iter[0],
                  SmallVector<OpFoldResult>{block, offset, zero, zero},
                  SmallVector<OpFoldResult>{one, one, u[1], u[2]},
                  SmallVector<OpFoldResult>{one, one, one, one});
              scf::YieldOp::create(tb, tl, written);
            },
            [&](OpBuilder &eb, Location el) {
              scf::YieldOp::create(eb, el, iter[0]);
            });
        scf::YieldOp::create(b, loc, ifOp.getResults());
      });
  rewriter.replaceOp(op, loop.getResults());
  return success();
}

LogicalResult decompose(KVEvictOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  SmallVector<OpFoldResult> k = e.sizes(op.getKey());
  SmallVector<OpFoldResult> tokShape{k[0], k[1], k[2]}, headShape{k[0], k[1]};
  int64_t sinks = op.getSinksAttr().getInt(),
          window = op.getWindowAttr().getInt();
  EvictPolicy policy = op.getPolicy();
  Type i32 = e.i32();
  enum : int64_t { kDrop = 0, kCandidate = 1, kForced = 2 };

  // Classify each token and compute its candidate score.
  SmallVector<Value> ins{op.getSeqLens()};
  SmallVector<AffineMap> maps{e.map(3, {0})};
  if (Value scores = op.getScores()) {
    ins.push_back(scores);
    maps.push_back(
        e.map(3, {0, tensorType(scores).getDimSize(1) == 1 ? -1 : 1, 2}));
  }
  maps.append(2, e.identity(3));
  SmallVector<Value> classified = e.generic(
      ins, {e.empty(tokShape, i32), e.empty(tokShape, e.f32Type())}, maps, iters(3),
      [&](ValueRange a) -> SmallVector<Value> {
        Value p = e.index(2), len = e.toIndex(a[0]);
        Value valid = e.cmpi(arith::CmpIPredicate::slt, p, len);
        Value forced = e.andi(
            valid, e.ori(e.cmpi(arith::CmpIPredicate::slt, p, e.idx(sinks)),
                         e.cmpi(arith::CmpIPredicate::sle, e.sub(len, p),
                                e.idx(window))));
        Value candidate = arith::ConstantIntOp::create(e.b, e.loc, 0, 1);
        Value score = e.f(0);
        if (policy != EvictPolicy::sink_window) {
          score = e.toF32(a[1]);
          candidate = e.andi(valid, e.notI1(forced));
          if (policy == EvictPolicy::retention) {
            Value age = e.toF32(e.sub(e.sub(len, e.idx(1)), p));
            Value decay = math::PowFOp::create(
                e.b, e.loc, e.f(op.getDecay()->convertToFloat()), age);
            score = e.mul(score, decay);
            candidate = e.andi(
                candidate, e.cmpf(arith::CmpFPredicate::OGE, score,
                                  e.f(op.getThreshold()->convertToFloat())));
          }
        }
        Value cls = e.select(
            forced, e.cst(i32, kForced),
            e.select(candidate, e.cst(i32, kCandidate), e.cst(i32, kDrop)));
        return {cls, score};
      });
  Value cls = classified[0], score = classified[1];
  auto isCls = [&](Value c, int64_t v) {
    return e.cmpi(arith::CmpIPredicate::eq, c, e.cst(i32, v));
  };
  auto count = [&](Value c) {
    return e.select(c, e.cst(i32, 1), e.cst(i32, 0));
  };

  // Number of forced tokens per (b, h).
  Value numForced = e.generic1(
      {cls}, e.filled(headShape, i32, 0), {e.identity(3), e.map(3, {0, 1})},
      iters(3, {2}),
      [&](ValueRange a) { return e.add(a[1], count(isCls(a[0], kForced))); });
  // Rank of each candidate: candidates with a higher score, or an equal
  // score at an earlier position, come first.
  AffineMap atP = e.map(4, {0, 1, 2}), atQ = e.map(4, {0, 1, 3});
  Value rank = e.generic1(
      {cls, score, score}, e.filled(tokShape, i32, 0), {atQ, atQ, atP, atP},
      iters(4, {3}), [&](ValueRange a) {
        Value p = e.index(2), q = e.index(3);
        Value better =
            e.ori(e.cmpf(arith::CmpFPredicate::OGT, a[1], a[2]),
                  e.andi(e.cmpf(arith::CmpFPredicate::OEQ, a[1], a[2]),
                         e.cmpi(arith::CmpIPredicate::slt, q, p)));
        return e.add(a[3], count(e.andi(isCls(a[0], kCandidate), better)));
      });
  Value capacity = e.convert(e.dim(op.getKeyInit(), 2), i32);
  Value keep = e.generic1(
      {cls, rank, numForced}, e.empty(tokShape, i32),
      {e.identity(3), e.identity(3), e.map(3, {0, 1}), e.identity(3)}, iters(3),
      [&](ValueRange a) {
        Value budget = e.sub(capacity, a[2]);
        Value chosen = e.andi(isCls(a[0], kCandidate),
                              e.cmpi(arith::CmpIPredicate::slt, a[1], budget));
        return count(e.ori(isCls(a[0], kForced), chosen));
      });
  // Destination slot of each kept token: kept tokens before it.
  Value dest =
      e.generic1({keep}, e.filled(tokShape, i32, 0), {atQ, atP}, iters(4, {3}),
                 [&](ValueRange a) {
                   Value before = e.cmpi(arith::CmpIPredicate::slt, e.index(3),
                                         e.index(2));
                   return e.add(a[1], e.select(before, a[0], e.cst(i32, 0)));
                 });
  Type countElem = tensorType(op.getCountInit()).getElementType();
  Value kept = e.generic1(
      {keep}, e.fill(op.getCountInit(), e.zero(countElem)),
      {e.identity(3), e.map(3, {0, 1})}, iters(3, {2}),
      [&](ValueRange a) { return e.add(a[1], e.convert(a[0], countElem)); });
  Type posElem = tensorType(op.getKeptInit()).getElementType();
  // positions[b, h, c] = the kept p whose destination is c, or -1.
  Value positions = e.generic1(
      {keep, dest}, e.fill(op.getKeptInit(), e.cst(posElem, -1)),
      {e.map(4, {0, 1, 3}), e.map(4, {0, 1, 3}), e.map(4, {0, 1, 2})},
      iters(4, {3}), [&](ValueRange a) {
        Value c = e.convert(e.index(2), i32);
        Value isKept = e.cmpi(arith::CmpIPredicate::ne, a[0], e.cst(i32, 0));
        Value hit = e.andi(isKept, e.cmpi(arith::CmpIPredicate::eq, a[1], c));
        return e.select(hit, e.convert(e.index(3), posElem), a[2]);
      });
  auto compact = [&](Value cache, Value init) {
    Type elem = tensorType(cache).getElementType();
    return e.generic1(
        {positions}, init, {e.map(4, {0, 1, 2}), e.identity(4)}, iters(4),
        [&](ValueRange a) {
          Value pos = e.toIndex(a[0]);
          Value valid = e.cmpi(arith::CmpIPredicate::sge, pos, e.idx(0));
          Value src = e.select(valid, pos, e.idx(0));
          Value v = tensor::ExtractOp::create(
              e.b, e.loc, cache,
              ValueRange{e.index(0), e.index(1), src, e.index(3)});
          return e.select(valid, v, e.zero(elem));
        });
  };
  rewriter.replaceOp(op, {compact(op.getKey(), op.getKeyInit()),
                          compact(op.getValue(), op.getValueInit()), positions,
                          kept});
  return success();
}

/// The dimension a KV-quantization scale is shared across.
int64_t scaleReducedDim(int64_t rank, KVGranularity g) {
  return g == KVGranularity::per_token ? rank - 1 : rank - 2;
}

double quantMax(Type qElem) { return isa<FloatType>(qElem) ? 448.0 : 127.0; }

LogicalResult decompose(KVQuantizeOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  int64_t rank = tensorType(op.getInput()).getRank();
  unsigned reduced = scaleReducedDim(rank, op.getGranularity());
  Type qElem = tensorType(op.getQInit()).getElementType();
  double qmax = quantMax(qElem);
  Value absMax = e.generic1(
      {op.getInput()}, e.fill(op.getScalesInit(), e.f(0)),
      {e.identity(rank), e.dropping(rank, reduced)}, iters(rank, {reduced}),
      [&](ValueRange a) {
        return e.max(a[1], math::AbsFOp::create(e.b, e.loc, e.toF32(a[0])));
      });
  Value scales =
      e.generic1({absMax}, op.getScalesInit(),
                 {e.identity(rank - 1), e.identity(rank - 1)}, iters(rank - 1),
                 [&](ValueRange a) {
                   Value isZero =
                       e.cmpf(arith::CmpFPredicate::OEQ, a[0], e.f(0));
                   return e.select(isZero, e.f(1), e.div(a[0], e.f(qmax)));
                 });
  Value q = e.generic1(
      {op.getInput(), scales}, op.getQInit(),
      {e.identity(rank), e.dropping(rank, reduced), e.identity(rank)},
      iters(rank), [&](ValueRange a) {
        Value v = e.div(e.toF32(a[0]), a[1]);
        if (!isa<FloatType>(qElem))
          v = math::RoundEvenOp::create(e.b, e.loc, v);
        v = arith::MinimumFOp::create(
            e.b, e.loc, arith::MaximumFOp::create(e.b, e.loc, v, e.f(-qmax)),
            e.f(qmax));
        return e.convert(v, qElem);
      });
  rewriter.replaceOp(op, {q, scales});
  return success();
}

LogicalResult decompose(KVDequantizeOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  int64_t rank = tensorType(op.getQ()).getRank();
  unsigned reduced = scaleReducedDim(rank, op.getGranularity());
  Type outElem = tensorType(op.getInit()).getElementType();
  rewriter.replaceOp(
      op, e.generic1(
              {op.getQ(), op.getScales()}, op.getInit(),
              {e.identity(rank), e.dropping(rank, reduced), e.identity(rank)},
              iters(rank), [&](ValueRange a) {
                return e.convert(e.mul(e.toF32(a[0]), a[1]), outElem);
              }));
  return success();
}

/// Maps over (lead..., x, y) loops reading a `[lead..., X]` tensor at x or y.
AffineMap leadPlus(Emitter &e, unsigned lead, ArrayRef<int64_t> tail) {
  SmallVector<int64_t> dims;
  for (unsigned i = 0; i < lead; ++i)
    dims.push_back(i);
  llvm::append_range(dims, tail);
  return e.map(lead + 2, dims);
}

LogicalResult decompose(KVPruneOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  Value x = op.getInput();
  unsigned lead = tensorType(x).getRank() - 1;
  int64_t keepCount = tensorType(op.getValuesInit()).getShape().back();
  Type i32 = e.i32(), elem = tensorType(x).getElementType();
  AffineMap atX = leadPlus(e, lead, {lead}),
            atY = leadPlus(e, lead, {lead + 1});
  // rank[d]: elements of larger magnitude, ties to the lower index.
  Value rank = e.generic1(
      {x, x}, e.filled(e.sizes(x), i32, 0), {atX, atY, atX},
      iters(lead + 2, {lead + 1}), [&](ValueRange a) {
        Value ad = math::AbsFOp::create(e.b, e.loc, e.toF32(a[0]));
        Value ae = math::AbsFOp::create(e.b, e.loc, e.toF32(a[1]));
        Value beats = e.ori(e.cmpf(arith::CmpFPredicate::OGT, ae, ad),
                            e.andi(e.cmpf(arith::CmpFPredicate::OEQ, ae, ad),
                                   e.cmpi(arith::CmpIPredicate::slt,
                                          e.index(lead + 1), e.index(lead))));
        return e.add(a[2], e.select(beats, e.cst(i32, 1), e.cst(i32, 0)));
      });
  auto kept = [&](Value r) {
    return e.cmpi(arith::CmpIPredicate::slt, r, e.cst(i32, keepCount));
  };
  // pos[d]: kept elements before d.
  Value pos =
      e.generic1({rank}, e.filled(e.sizes(x), i32, 0), {atY, atX},
                 iters(lead + 2, {lead + 1}), [&](ValueRange a) {
                   Value before = e.cmpi(arith::CmpIPredicate::slt,
                                         e.index(lead + 1), e.index(lead));
                   return e.add(a[1], e.select(e.andi(before, kept(a[0])),
                                               e.cst(i32, 1), e.cst(i32, 0)));
                 });
  // values[c] = x[d] for the kept d with pos[d] == c.
  Value values = e.generic1(
      {x, rank, pos}, e.fill(op.getValuesInit(), e.zero(elem)),
      {atY, atY, atY, atX}, iters(lead + 2, {lead + 1}), [&](ValueRange a) {
        Value c = e.convert(e.index(lead), i32);
        Value hit =
            e.andi(kept(a[1]), e.cmpi(arith::CmpIPredicate::eq, a[2], c));
        return e.select(hit, a[0], a[3]);
      });
  // bitmap[j] |= 1 << (d % 8) for each kept d with d / 8 == j.
  Type i8 = rewriter.getI8Type();
  Value bitmap = e.generic1(
      {rank}, e.fill(op.getBitmapInit(), e.cst(i8, 0)), {atY, atX},
      iters(lead + 2, {lead + 1}), [&](ValueRange a) {
        Value d = e.index(lead + 1), j = e.index(lead);
        Value inByte =
            e.cmpi(arith::CmpIPredicate::eq,
                   arith::DivUIOp::create(e.b, e.loc, d, e.idx(8)), j);
        Value bit = arith::ShLIOp::create(
            e.b, e.loc, e.cst(i8, 1),
            e.convert(arith::RemUIOp::create(e.b, e.loc, d, e.idx(8)), i8));
        Value set = e.andi(inByte, kept(a[0]));
        return e.ori(a[1], e.select(set, bit, e.cst(i8, 0)));
      });
  rewriter.replaceOp(op, {values, bitmap});
  return success();
}

LogicalResult decompose(KVDensifyOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  Value values = op.getValues(), bitmap = op.getBitmap();
  unsigned lead = tensorType(op.getInit()).getRank() - 1;
  int64_t keepCount = tensorType(values).getShape().back();
  Type i32 = e.i32(), i8 = rewriter.getI8Type();
  Type elem = tensorType(values).getElementType();
  MLIRContext *ctx = e.ctx();
  auto byteMap = [&](unsigned numDims, unsigned bitDim) {
    SmallVector<AffineExpr> exprs;
    for (unsigned i = 0; i < lead; ++i)
      exprs.push_back(getAffineDimExpr(i, ctx));
    exprs.push_back(getAffineDimExpr(bitDim, ctx).floorDiv(8));
    return AffineMap::get(numDims, 0, exprs, ctx);
  };
  auto bitOf = [&](Value byte, Value d) {
    Value shift =
        e.convert(arith::RemUIOp::create(e.b, e.loc, d, e.idx(8)), i8);
    Value bit = arith::AndIOp::create(
        e.b, e.loc, arith::ShRUIOp::create(e.b, e.loc, byte, shift),
        e.cst(i8, 1));
    return e.cmpi(arith::CmpIPredicate::ne, bit, e.cst(i8, 0));
  };
  SmallVector<OpFoldResult> shape = e.sizes(op.getInit());
  // bits[d] = 1 if d is kept; rank[d] = kept entries before d.
  Value bits = e.generic1({bitmap}, e.empty(shape, i32),
                          {byteMap(lead + 1, lead), e.identity(lead + 1)},
                          iters(lead + 1), [&](ValueRange a) {
                            return e.select(bitOf(a[0], e.index(lead)),
                                            e.cst(i32, 1), e.cst(i32, 0));
                          });
  Value rank =
      e.generic1({bits}, e.filled(shape, i32, 0),
                 {leadPlus(e, lead, {lead + 1}), leadPlus(e, lead, {lead})},
                 iters(lead + 2, {lead + 1}), [&](ValueRange a) {
                   Value before = e.cmpi(arith::CmpIPredicate::slt,
                                         e.index(lead + 1), e.index(lead));
                   return e.add(a[1], e.select(before, a[0], e.cst(i32, 0)));
                 });
  rewriter.replaceOp(
      op,
      e.generic1(
          {bitmap, rank}, op.getInit(),
          {byteMap(lead + 1, lead), e.identity(lead + 1), e.identity(lead + 1)},
          iters(lead + 1), [&](ValueRange a) {
            Value set = bitOf(a[0], e.index(lead));
            Value slot =
                e.clampIndex(e.toIndex(a[1]), e.idx(0), e.idx(keepCount - 1));
            SmallVector<Value> at;
            for (unsigned i = 0; i < lead; ++i)
              at.push_back(e.index(i));
            at.push_back(slot);
            Value v = tensor::ExtractOp::create(e.b, e.loc, values, at);
            return e.select(set, v, e.zero(elem));
          }));
  return success();
}

//===----------------------------------------------------------------------===//
// Norms, softmax, rope
//===----------------------------------------------------------------------===//

/// The size of `t`'s last dimension as an f32 scalar.
Value lastDimAsF32(Emitter &e, Value t) {
  return e.toF32(e.dim(t, tensorType(t).getRank() - 1));
}

SmallVector<OpFoldResult> leadingSizes(Emitter &e, Value t) {
  SmallVector<OpFoldResult> s = e.sizes(t);
  s.pop_back();
  return s;
}

LogicalResult decompose(RMSNormOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  Value x = op.getInput();
  int64_t rank = tensorType(x).getRank();
  Value n = lastDimAsF32(e, x);
  AffineMap row = e.dropping(rank, rank - 1), last = e.map(rank, {rank - 1});
  Value sumSq = e.generic1({x}, e.filled(leadingSizes(e, x), e.f32Type(), 0),
                           {e.identity(rank), row}, iters(rank, {rank - 1}),
                           [&](ValueRange a) {
                             Value v = e.toF32(a[0]);
                             return e.add(a[1], e.mul(v, v));
                           });
  float eps = op.getEpsilon().convertToFloat();
  Type outElem = tensorType(op.getInit()).getElementType();
  rewriter.replaceOp(
      op, e.generic1({x, sumSq, op.getGamma()}, op.getInit(),
                     {e.identity(rank), row, last, e.identity(rank)},
                     iters(rank), [&](ValueRange a) {
                       Value inv = math::RsqrtOp::create(
                           e.b, e.loc, e.add(e.div(a[1], n), e.f(eps)));
                       return e.convert(
                           e.mul(e.mul(e.toF32(a[0]), inv), e.toF32(a[2])),
                           outElem);
                     }));
  return success();
}

LogicalResult decompose(LayerNormOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  Value x = op.getInput();
  int64_t rank = tensorType(x).getRank();
  Value n = lastDimAsF32(e, x);
  AffineMap row = e.dropping(rank, rank - 1), last = e.map(rank, {rank - 1});
  SmallVector<OpFoldResult> rows = leadingSizes(e, x);
  Value sum =
      e.generic1({x}, e.filled(rows, e.f32Type(), 0), {e.identity(rank), row},
                 iters(rank, {rank - 1}),
                 [&](ValueRange a) { return e.add(a[1], e.toF32(a[0])); });
  // Two passes (mean, then squared deviations) for numerical stability.
  Value sqDev = e.generic1({x, sum}, e.filled(rows, e.f32Type(), 0),
                           {e.identity(rank), row, row},
                           iters(rank, {rank - 1}), [&](ValueRange a) {
                             Value dev = e.sub(e.toF32(a[0]), e.div(a[1], n));
                             return e.add(a[2], e.mul(dev, dev));
                           });
  float eps = op.getEpsilon().convertToFloat();
  Type outElem = tensorType(op.getInit()).getElementType();
  rewriter.replaceOp(
      op, e.generic1({x, sum, sqDev, op.getGamma(), op.getBeta()}, op.getInit(),
                     {e.identity(rank), row, row, last, last, e.identity(rank)},
                     iters(rank), [&](ValueRange a) {
                       Value dev = e.sub(e.toF32(a[0]), e.div(a[1], n));
                       Value inv = math::RsqrtOp::create(
                           e.b, e.loc, e.add(e.div(a[2], n), e.f(eps)));
                       Value y = e.add(e.mul(e.mul(dev, inv), e.toF32(a[3])),
                                       e.toF32(a[4]));
                       return e.convert(y, outElem);
                     }));
  return success();
}

LogicalResult decompose(SoftmaxOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  Value x = op.getInput();
  int64_t rank = tensorType(x).getRank();
  unsigned dim = op.getDim();
  SmallVector<OpFoldResult> reducedShape = e.sizes(x);
  reducedShape.erase(reducedShape.begin() + dim);
  AffineMap red = e.dropping(rank, dim);
  Value rowMax =
      e.generic1({x}, e.filled(reducedShape, e.f32Type(), -INFINITY),
                 {e.identity(rank), red}, iters(rank, {dim}),
                 [&](ValueRange a) { return e.max(a[1], e.toF32(a[0])); });
  auto expOf = [&](Value v, Value m) {
    return math::ExpOp::create(e.b, e.loc, e.sub(e.toF32(v), m));
  };
  Value sum =
      e.generic1({x, rowMax}, e.filled(reducedShape, e.f32Type(), 0),
                 {e.identity(rank), red, red}, iters(rank, {dim}),
                 [&](ValueRange a) { return e.add(a[2], expOf(a[0], a[1])); });
  Type outElem = tensorType(op.getInit()).getElementType();
  rewriter.replaceOp(op,
                     e.generic1({x, rowMax, sum}, op.getInit(),
                                {e.identity(rank), red, red, e.identity(rank)},
                                iters(rank), [&](ValueRange a) {
                                  return e.convert(
                                      e.div(expOf(a[0], a[1]), a[2]), outElem);
                                }));
  return success();
}

} // namespace

Value mlir::sinter::buildDequantizedWeight(OpBuilder &b, Location loc,
                                          WeightQuantAttr quant, Value q,
                                          Value scale, Value zp) {
  Emitter e{b, loc};
  bool isUnsigned = quant.getIsUnsigned();
  Value w = e.convert(q, e.f32Type(), isUnsigned);
  if (zp)
    w = e.sub(w, e.convert(zp, e.f32Type(), isUnsigned));
  return e.mul(w, e.toF32(scale));
}

Value mlir::sinter::detail::buildRope(Emitter &e, Value x, Value cos, Value sin, Value init,
                int64_t seqDim, bool interleaved, int64_t posOffset) {
  int64_t rank = tensorType(x).getRank();
  int64_t half = tensorType(cos).getDimSize(1);
  Type outElem = tensorType(init).getElementType();
  return e.generic1(
      {x}, init, {e.identity(rank), e.identity(rank)}, iters(rank),
      [&](ValueRange a) {
        Value d = e.index(rank - 1);
        Value rotated = e.cmpi(arith::CmpIPredicate::slt, d, e.idx(2 * half));
        Value freq, partner, first;
        if (interleaved) {
          freq = arith::DivUIOp::create(e.b, e.loc, d, e.idx(2));
          Value odd = arith::RemUIOp::create(e.b, e.loc, d, e.idx(2));
          first = e.cmpi(arith::CmpIPredicate::eq, odd, e.idx(0));
          partner = e.select(first, e.add(d, e.idx(1)), e.sub(d, e.idx(1)));
        } else {
          first = e.cmpi(arith::CmpIPredicate::slt, d, e.idx(half));
          freq = e.select(first, d, e.sub(d, e.idx(half)));
          partner =
              e.select(first, e.add(d, e.idx(half)), e.sub(d, e.idx(half)));
        }
        // Pass-through features read in-bounds dummies.
        freq = e.select(rotated, freq, e.idx(0));
        partner = e.select(rotated, partner, d);
        SmallVector<Value> at;
        for (int64_t i = 0; i < rank - 1; ++i)
          at.push_back(e.index(i));
        at.push_back(partner);
        Value other = e.toF32(tensor::ExtractOp::create(e.b, e.loc, x, at));
        Value s = e.index(seqDim);
        if (posOffset)
          s = e.add(s, e.idx(posOffset));
        Value c = e.toF32(
            tensor::ExtractOp::create(e.b, e.loc, cos, ValueRange{s, freq}));
        Value sn = e.toF32(
            tensor::ExtractOp::create(e.b, e.loc, sin, ValueRange{s, freq}));
        Value self = e.toF32(a[0]);
        // first of a pair: x*c - x'*s; second: x*c + x'*s.
        Value signedOther = e.select(first, e.sub(e.f(0), other), other);
        Value y = e.add(e.mul(self, c), e.mul(signedOther, sn));
        return e.convert(e.select(rotated, y, self), outElem);
      });
}

namespace {
LogicalResult decompose(RopeOp op, PatternRewriter &rewriter) {
  Emitter e{rewriter, op.getLoc()};
  rewriter.replaceOp(op, buildRope(e, op.getInput(), op.getCos(), op.getSin(),
                                   op.getInit(), op.getSeqDimOrDefault(),
                                   op.getMode() == RopeMode::interleaved, 0));
  return success();
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

template <typename OpT> struct DecomposePattern : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    return decompose(op, rewriter);
  }
};

struct DecomposePass : public sinter::impl::SinterDecomposeBase<DecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDecomposePatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
    WalkResult left = getOperation()->walk([](Operation *op) {
      if (isa<SinterDialect>(op->getDialect()) && !isa<YieldOp>(op)) {
        op->emitError() << "could not be decomposed";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (left.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace

void mlir::sinter::populateDecomposePatterns(RewritePatternSet &patterns) {
  patterns.add<DecomposePattern<GemmOp>, DecomposePattern<AttentionOp>,
               DecomposePattern<PagedAttentionOp>, DecomposePattern<KVAppendOp>,
               DecomposePattern<KVGatherOp>, DecomposePattern<KVEvictOp>,
               DecomposePattern<KVQuantizeOp>, DecomposePattern<KVDequantizeOp>,
               DecomposePattern<KVPruneOp>, DecomposePattern<KVDensifyOp>,
               DecomposePattern<RMSNormOp>, DecomposePattern<LayerNormOp>,
               DecomposePattern<SoftmaxOp>, DecomposePattern<RopeOp>>(
      patterns.getContext());
}

LogicalResult mlir::sinter::splitGemmContraction(GemmOp op,
                                                 RewriterBase &rewriter) {
  return decompose(op, rewriter, /*keepContraction=*/true);
}
