//===- SinterOps.cpp - Sinter op verifiers --------------------------------===//
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include <cmath>

using namespace mlir;
using namespace mlir::sinter;

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// f16, bf16 and f32: the element types of activations.
static bool isActivationFloat(Type t) {
  return isa<Float16Type, BFloat16Type, Float32Type>(t);
}

static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (ShapedType::isDynamic(d))
      os << "?";
    else
      os << d;
  });
  os << "]";
  return s;
}

/// Checks that `t` has the `expected` shape (dynamic sizes agree with
/// anything) and names `what` and the dimension that differs.
static LogicalResult checkShape(Operation *op, StringRef what,
                                RankedTensorType t,
                                ArrayRef<int64_t> expected) {
  if (t.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError()
           << what << " must have rank " << expected.size() << " (shape "
           << shapeStr(expected) << "), got " << t;
  for (auto [i, pair] : llvm::enumerate(llvm::zip(t.getShape(), expected)))
    if (!dimsAgree(std::get<0>(pair), std::get<1>(pair)))
      return op->emitOpError()
             << what << " has shape " << shapeStr(t.getShape())
             << " but expected " << shapeStr(expected) << " (dimension " << i
             << " differs)";
  return success();
}

static LogicalResult checkRank(Operation *op, StringRef what,
                               RankedTensorType t, int64_t rank,
                               StringRef layout) {
  if (t.getRank() != rank)
    return op->emitOpError() << what << " must be a " << rank << "-D tensor "
                             << layout << ", got " << t;
  return success();
}

static LogicalResult checkActivation(Operation *op, StringRef what,
                                     RankedTensorType t) {
  if (!isActivationFloat(t.getElementType()))
    return op->emitOpError()
           << what << " must have an f16, bf16 or f32 element type, got "
           << t.getElementType();
  return success();
}

static LogicalResult checkIndexLike(Operation *op, StringRef what,
                                    RankedTensorType t) {
  Type e = t.getElementType();
  if (!e.isIndex() && !e.isSignlessInteger(32) && !e.isSignlessInteger(64))
    return op->emitOpError()
           << what << " must have an i32, i64 or index element type, got " << e;
  return success();
}

static SmallVector<int64_t> dropDim(ArrayRef<int64_t> shape, int64_t dim) {
  SmallVector<int64_t> out(shape);
  out.erase(out.begin() + dim);
  return out;
}

//===----------------------------------------------------------------------===//
// GemmOp
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::verify() {
  auto aT = tensorType(getA()), bT = tensorType(getB());
  if (aT.getRank() < 2)
    return emitOpError()
           << "operand A must have rank >= 2 ([batch..., M, K]), got " << aT;
  int64_t nb = aT.getRank() - 2;
  if (bT.getRank() != 2 && bT.getRank() != aT.getRank())
    return emitOpError() << "operand B must have rank 2 or the rank of A ("
                         << aT.getRank() << "), got " << bT;
  int64_t bBatch = bT.getRank() - 2;
  for (int64_t i = 0; i < bBatch; ++i)
    if (!dimsAgree(aT.getDimSize(i), bT.getDimSize(i)))
      return emitOpError() << "batch dimension " << i << " of A ("
                           << aT.getDimSize(i) << ") and B ("
                           << bT.getDimSize(i) << ") differ";
  int64_t m = aT.getDimSize(nb + (getTransposeA() ? 1 : 0));
  int64_t k = aT.getDimSize(nb + (getTransposeA() ? 0 : 1));
  int64_t kb = bT.getDimSize(bBatch + (getTransposeB() ? 1 : 0));
  int64_t n = bT.getDimSize(bBatch + (getTransposeB() ? 0 : 1));
  if (!dimsAgree(k, kb))
    return emitOpError() << "contraction sizes differ: A has K = " << k
                         << ", B has K = " << kb;

  Type aE = aT.getElementType(), bE = bT.getElementType();
  Type acc = getAccType();
  bool quantizedB = false;
  if (aE.isSignlessInteger(8)) {
    if (!bE.isSignlessInteger(8))
      return emitOpError() << "an i8 A operand needs an i8 B operand, got "
                           << bE;
    if (!acc.isSignlessInteger(32))
      return emitOpError() << "acc_type must be i32 for i8 inputs, got " << acc;
  } else if (isActivationFloat(aE)) {
    if (!acc.isF32())
      return emitOpError() << "acc_type must be f32 for " << aE
                           << " inputs, got " << acc;
    if (bE.isSignlessInteger(8) || bE.isSignlessInteger(4)) {
      quantizedB = true;
    } else if (bE != aE) {
      return emitOpError() << "operand B element type must match A's (" << aE
                           << ") or be a quantized i8/i4 type, got " << bE;
    }
  } else {
    return emitOpError() << "unsupported element type for A: " << aE
                         << " (expected f16, bf16, f32 or i8)";
  }

  // Quantized weights.
  if (!quantizedB && (getBQuant() || getBScales() || getBZeroPoints()))
    return emitOpError() << "b_quant, scales and zero_points are only valid "
                            "with an integer B operand and a float A operand";
  if (quantizedB) {
    if (!getBQuant() || !getBScales())
      return emitOpError() << "quantized B operand (" << bE
                           << ") requires a #sinter.weight_quant b_quant "
                              "attribute and scales";
    if (bT.getRank() != 2)
      return emitOpError() << "quantized B operand must be 2-D, got " << bT;
    WeightQuantAttr q = *getBQuant();
    auto sT = tensorType(getBScales());
    if (!isActivationFloat(sT.getElementType()))
      return emitOpError() << "scales must have a float element type, got "
                           << sT.getElementType();
    SmallVector<int64_t> scaleShape;
    if (q.getScheme() == QuantScheme::per_channel) {
      if (q.getGroupSize() != 0)
        return emitOpError() << "per_channel quantization takes no group_size";
      scaleShape = {n};
    } else {
      int64_t g = q.getGroupSize();
      if (g <= 0)
        return emitOpError() << "grouped quantization needs a positive "
                                "group_size, got "
                             << g;
      scaleShape = {ShapedType::isDynamic(k)
                        ? ShapedType::kDynamic
                        : static_cast<int64_t>(llvm::divideCeil(k, g)),
                    n};
    }
    if (failed(checkShape(*this, "scales", sT, scaleShape)))
      return failure();
    if (Value zp = getBZeroPoints()) {
      auto zT = tensorType(zp);
      if (zT.getElementType() != bE)
        return emitOpError() << "zero_points must have B's element type (" << bE
                             << "), got " << zT.getElementType();
      if (failed(checkShape(*this, "zero_points", zT, scaleShape)))
        return failure();
    }
  }

  // Epilogue operands and their maps.
  SmallVector<int64_t> iterShape(aT.getShape().take_front(nb));
  iterShape.push_back(m);
  // A pairwise B holds two halves of n; the output has one.
  int64_t nOut = n;
  if (getPairwise() && !ShapedType::isDynamic(n)) {
    if (n % 2)
      return emitOpError() << "a pairwise B operand needs an even number of "
                              "columns, got "
                           << n;
    nOut = n / 2;
  } else if (getPairwise()) {
    nOut = ShapedType::kDynamic;
  }
  iterShape.push_back(nOut);
  ArrayAttr maps = getEpilogueMaps();
  if (maps.size() != getEpilogueInputs().size())
    return emitOpError() << "expected one epilogue map per epilogue operand ("
                         << getEpilogueInputs().size() << "), got "
                         << maps.size();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(getEpilogueInputs(), maps))) {
    auto [input, mapAttr] = pair;
    AffineMap map = cast<AffineMapAttr>(mapAttr).getValue();
    auto inT = tensorType(input);
    if (map.getNumDims() != static_cast<unsigned>(nb + 2) ||
        map.getNumSymbols() != 0)
      return emitOpError()
             << "epilogue map #" << i << " must have " << nb + 2
             << " dimensions (batch..., m, n) and no symbols, got "
             << AffineMapAttr::get(map);
    if (!map.isProjectedPermutation())
      return emitOpError() << "epilogue map #" << i
                           << " must be a projection of (batch..., m, n), got "
                           << AffineMapAttr::get(map);
    if (static_cast<int64_t>(map.getNumResults()) != inT.getRank())
      return emitOpError() << "epilogue map #" << i << " has "
                           << map.getNumResults()
                           << " results but its operand has rank "
                           << inT.getRank();
    for (unsigned r = 0; r < map.getNumResults(); ++r) {
      unsigned d = map.getDimPosition(r);
      if (!dimsAgree(inT.getDimSize(r), iterShape[d]))
        return emitOpError()
               << "epilogue operand #" << i << " dimension " << r
               << " has size " << inT.getDimSize(r)
               << " but the iteration dimension it maps to has size "
               << iterShape[d];
    }
  }

  // Results: primary outputs, then reductions.
  auto reductions = getReductions();
  if (getInits().size() <= reductions.size())
    return emitOpError() << "needs at least one output besides its "
                         << reductions.size() << " reduction result(s)";
  unsigned numPrimary = getNumPrimaryResults();
  for (unsigned i = 0; i < numPrimary; ++i)
    if (failed(checkShape(*this, "output #" + std::to_string(i),
                          tensorType(getInits()[i]), iterShape)))
      return failure();
  for (auto [i, attr] : llvm::enumerate(reductions)) {
    auto red = cast<ReductionAttr>(attr);
    SmallVector<int64_t> shape =
        dropDim(iterShape, red.getDim() == GemmDim::n ? nb + 1 : nb);
    if (failed(checkShape(*this, "reduction result #" + std::to_string(i),
                          tensorType(getInits()[numPrimary + i]), shape)))
      return failure();
  }
  return success();
}

LogicalResult GemmOp::verifyRegions() {
  Region &region = getEpilogue();
  unsigned numPrimary = getNumPrimaryResults();
  if (region.empty() && getPairwise())
    return emitOpError() << "a pairwise gemm needs an epilogue region that "
                            "combines its two accumulators";
  if (region.empty() && getARowSumSq())
    return emitOpError() << "a_row_sum_sq needs an epilogue region that uses "
                            "the statistics";
  if (region.empty()) {
    if (numPrimary != 1 || !getReductions().empty() ||
        !getEpilogueInputs().empty())
      return emitOpError() << "without an epilogue region the op must have "
                              "exactly one result and no epilogue operands or "
                              "reductions";
    Type outE = tensorType(getInits()[0]).getElementType();
    bool ok = getAccType().isF32() ? isActivationFloat(outE)
                                   : outE.isSignlessInteger(32);
    if (!ok)
      return emitOpError() << "without an epilogue region an " << getAccType()
                           << " accumulator cannot be stored as " << outE;
    return success();
  }
  if (!region.hasOneBlock())
    return emitOpError() << "epilogue region must have exactly one block";
  Block &block = region.front();
  if (getARowSumSq() && !isActivationFloat(tensorType(getA()).getElementType()))
    return emitOpError() << "a_row_sum_sq needs a float A operand";
  SmallVector<Type> argTypes = getLeadingEpilogueArgTypes();
  for (Value v : getEpilogueInputs())
    argTypes.push_back(tensorType(v).getElementType());
  if (block.getNumArguments() != argTypes.size())
    return emitOpError() << "epilogue region must have " << argTypes.size()
                         << " arguments (" << getNumAccumulators()
                         << " accumulator(s)"
                         << (getARowSumSq() ? ", the row sum of squares of A"
                                            : "")
                         << ", then one element per epilogue operand), got "
                         << block.getNumArguments();
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(block.getArgumentTypes(), argTypes)))
    if (std::get<0>(pair) != std::get<1>(pair))
      return emitOpError() << "epilogue argument #" << i << " must have type "
                           << std::get<1>(pair) << ", got "
                           << std::get<0>(pair);
  auto yield =
      dyn_cast_or_null<YieldOp>(block.empty() ? nullptr : &block.back());
  if (!yield)
    return emitOpError() << "epilogue region must end with sinter.yield";
  if (yield.getValues().size() != getInits().size())
    return yield.emitOpError()
           << "must yield " << getInits().size()
           << " values (one per result, reductions last), got "
           << yield.getValues().size();
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(yield.getValues(), getInits()))) {
    Type want = tensorType(std::get<1>(pair)).getElementType();
    if (std::get<0>(pair).getType() != want)
      return yield.emitOpError()
             << "operand #" << i << " must have type " << want
             << " (the element type of result #" << i << "), got "
             << std::get<0>(pair).getType();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

static std::optional<int64_t> windowValue(IntegerAttr attr) {
  if (!attr)
    return std::nullopt;
  return attr.getInt();
}

static LogicalResult verifyMaskAttrs(Operation *op, MaskKind mask,
                                     std::optional<int64_t> window,
                                     std::optional<APFloat> softcap,
                                     std::optional<APFloat> scale) {
  if (mask == MaskKind::sliding_window) {
    if (!window || *window < 1)
      return op->emitOpError()
             << "a sliding_window mask needs a positive 'window' attribute";
  } else if (window) {
    return op->emitOpError()
           << "'window' is only valid with a sliding_window mask";
  }
  if (softcap && !(softcap->convertToFloat() > 0 &&
                   std::isfinite(softcap->convertToFloat())))
    return op->emitOpError() << "softcap must be a positive finite number";
  if (scale &&
      !(std::isfinite(scale->convertToFloat()) && scale->convertToFloat() != 0))
    return op->emitOpError() << "scale must be a finite non-zero number";
  return success();
}

/// Checks the shared query/output part of both attention forms. `kvShape`
/// supplies Hkv, D and Dv.
static LogicalResult verifyAttentionCommon(Operation *op, Value query,
                                           int64_t hkv, int64_t dk, int64_t dv,
                                           ValueRange inits,
                                           bool bshd = false) {
  auto qT = tensorType(query);
  if (failed(checkRank(op, "query", qT, 4,
                       bshd ? "[B, Sq, Hq, D]" : "[B, Hq, Sq, D]")) ||
      failed(checkActivation(op, "query", qT)))
    return failure();
  unsigned hIdx = bshd ? 2 : 1, sIdx = bshd ? 1 : 2;
  int64_t hq = qT.getDimSize(hIdx);
  if (ShapedType::isDynamic(hq) || ShapedType::isDynamic(hkv))
    return op->emitOpError() << "query and K/V head counts must be static";
  if (hkv == 0 || hq % hkv != 0)
    return op->emitOpError() << "the number of query heads (" << hq
                             << ") must be a multiple of the number of K/V "
                                "heads ("
                             << hkv << ")";
  if (!dimsAgree(qT.getDimSize(3), dk))
    return op->emitOpError()
           << "query head dimension (" << qT.getDimSize(3)
           << ") differs from the key head dimension (" << dk << ")";
  if (inits.empty() || inits.size() > 2)
    return op->emitOpError() << "expects 1 or 2 outputs (O and optionally the "
                                "log-sum-exp), got "
                             << inits.size();
  int64_t b = qT.getDimSize(0), sq = qT.getDimSize(sIdx);
  auto oT = tensorType(inits[0]);
  SmallVector<int64_t> oShape = bshd ? SmallVector<int64_t>{b, sq, hq, dv}
                                     : SmallVector<int64_t>{b, hq, sq, dv};
  if (failed(checkActivation(op, "output", oT)) ||
      failed(checkShape(op, "output", oT, oShape)))
    return failure();
  if (inits.size() == 2) {
    auto lT = tensorType(inits[1]);
    if (!lT.getElementType().isF32())
      return op->emitOpError()
             << "log-sum-exp output must be f32, got " << lT.getElementType();
    if (failed(checkShape(op, "log-sum-exp output", lT, {b, hq, sq})))
      return failure();
  }
  return success();
}

LogicalResult AttentionOp::verify() {
  auto qT = tensorType(getQuery()), kT = tensorType(getKey()),
       vT = tensorType(getValue());
  if (failed(checkRank(*this, "query", qT, 4, "[B, Hq, Sq, D]")) ||
      failed(checkRank(*this, "key", kT, 4, "[B, Hkv, Skv, D]")) ||
      failed(checkRank(*this, "value", vT, 4, "[B, Hkv, Skv, Dv]")))
    return failure();
  if (kT.getElementType() != qT.getElementType() ||
      vT.getElementType() != qT.getElementType())
    return emitOpError()
           << "query, key and value must share an element type, got "
           << qT.getElementType() << ", " << kT.getElementType() << ", "
           << vT.getElementType();
  bool bshd = getLayout() == AttentionLayout::bshd;
  unsigned hIdx = getHeadDim(), sIdx = getSeqDim();
  int64_t b = qT.getDimSize(0), hq = qT.getDimSize(hIdx),
          sq = qT.getDimSize(sIdx);
  int64_t hkv = kT.getDimSize(hIdx), skv = kT.getDimSize(sIdx);
  auto kvShape = [&](int64_t d) {
    return bshd ? SmallVector<int64_t>{b, skv, hkv, d}
                : SmallVector<int64_t>{b, hkv, skv, d};
  };
  if (failed(checkShape(*this, "key", kT, kvShape(kT.getDimSize(3)))) ||
      failed(checkShape(*this, "value", vT, kvShape(vT.getDimSize(3)))))
    return failure();
  if (failed(verifyAttentionCommon(*this, getQuery(), hkv, kT.getDimSize(3),
                                   vT.getDimSize(3), getInits(), bshd)))
    return failure();
  if (Value bias = getBias()) {
    auto bT = tensorType(bias);
    if (failed(checkRank(*this, "bias", bT, 4, "[B|1, Hq|1, Sq|1, Skv]")) ||
        failed(checkActivation(*this, "bias", bT)))
      return failure();
    int64_t b0 = bT.getDimSize(0) == 1 ? 1 : b;
    int64_t b1 = bT.getDimSize(1) == 1 ? 1 : hq;
    int64_t b2 = bT.getDimSize(2) == 1 ? 1 : sq;
    if (failed(checkShape(*this, "bias", bT, {b0, b1, b2, skv})))
      return failure();
  }
  if (bool(getRopeCos()) != bool(getRopeSin()))
    return emitOpError() << "rope needs both cos and sin tables";
  if (Value cosV = getRopeCos()) {
    auto cT = tensorType(cosV);
    if (failed(checkRank(*this, "rope cos", cT, 2, "[P, R/2]")) ||
        failed(checkActivation(*this, "rope cos", cT)))
      return failure();
    if (tensorType(getRopeSin()) != cT)
      return emitOpError() << "rope cos and sin must have the same type";
    int64_t half = cT.getDimSize(1), d = qT.getDimSize(3),
            rows = cT.getDimSize(0);
    if (ShapedType::isDynamic(half) || half < 1 ||
        (!ShapedType::isDynamic(d) && 2 * half > d))
      return emitOpError() << "rope tables rotate " << 2 * half
                           << " features but the head dimension is " << d;
    int64_t offset = getQueryOffsetAttr().getInt();
    if (!ShapedType::isDynamic(rows) &&
        ((!ShapedType::isDynamic(skv) && rows < skv) ||
         (!ShapedType::isDynamic(sq) && rows < sq + offset) || offset < 0))
      return emitOpError() << "rope tables have " << rows
                           << " positions but keys reach " << skv
                           << " and queries " << sq + offset;
  }
  return verifyMaskAttrs(*this, getMask(), windowValue(getWindowAttr()),
                         getSoftcap(), getScale());
}

LogicalResult PagedAttentionOp::verify() {
  auto qT = tensorType(getQuery()), kT = tensorType(getKeyCache()),
       vT = tensorType(getValueCache());
  if (failed(checkRank(*this, "key_cache", kT, 4,
                       "[num_blocks, block_size, Hkv, D]")) ||
      failed(checkRank(*this, "value_cache", vT, 4,
                       "[num_blocks, block_size, Hkv, Dv]")))
    return failure();
  if (failed(checkShape(*this, "value_cache", vT,
                        {kT.getDimSize(0), kT.getDimSize(1), kT.getDimSize(2),
                         vT.getDimSize(3)})))
    return failure();
  if (failed(verifyAttentionCommon(*this, getQuery(), kT.getDimSize(2),
                                   kT.getDimSize(3), vT.getDimSize(3),
                                   getInits())))
    return failure();
  if (kT.getElementType() != qT.getElementType() ||
      vT.getElementType() != qT.getElementType())
    return emitOpError() << "query and K/V caches must share an element type";
  auto btT = tensorType(getBlockTable()), lT = tensorType(getSeqLens());
  if (failed(checkIndexLike(*this, "block_table", btT)) ||
      failed(checkIndexLike(*this, "seq_lens", lT)) ||
      failed(checkRank(*this, "block_table", btT, 2, "[B, max_blocks]")) ||
      failed(checkShape(*this, "block_table", btT,
                        {qT.getDimSize(0), btT.getDimSize(1)})) ||
      failed(checkShape(*this, "seq_lens", lT, {qT.getDimSize(0)})))
    return failure();
  return verifyMaskAttrs(*this, getMask(), windowValue(getWindowAttr()),
                         getSoftcap(), getScale());
}

//===----------------------------------------------------------------------===//
// KV-cache ops
//===----------------------------------------------------------------------===//

LogicalResult KVAppendOp::verify() {
  auto uT = tensorType(getUpdate()), sT = tensorType(getSlots()),
       cT = tensorType(getCache());
  if (failed(checkRank(*this, "update", uT, 3, "[T, H, D]")) ||
      failed(
          checkRank(*this, "cache", cT, 4, "[num_blocks, block_size, H, D]")) ||
      failed(checkIndexLike(*this, "slots", sT)) ||
      failed(checkShape(*this, "slots", sT, {uT.getDimSize(0)})) ||
      failed(
          checkShape(*this, "update", uT,
                     {uT.getDimSize(0), cT.getDimSize(2), cT.getDimSize(3)})))
    return failure();
  if (uT.getElementType() != cT.getElementType())
    return emitOpError() << "update and cache element types differ ("
                         << uT.getElementType() << " vs " << cT.getElementType()
                         << ")";
  return success();
}

LogicalResult KVGatherOp::verify() {
  auto cT = tensorType(getCache()), btT = tensorType(getBlockTable()),
       lT = tensorType(getSeqLens()), oT = tensorType(getInit());
  if (failed(
          checkRank(*this, "cache", cT, 4, "[num_blocks, block_size, H, D]")) ||
      failed(checkRank(*this, "block_table", btT, 2, "[B, max_blocks]")) ||
      failed(checkRank(*this, "output", oT, 4, "[B, H, S, D]")) ||
      failed(checkIndexLike(*this, "block_table", btT)) ||
      failed(checkIndexLike(*this, "seq_lens", lT)) ||
      failed(checkShape(*this, "seq_lens", lT, {btT.getDimSize(0)})) ||
      failed(checkShape(*this, "output", oT,
                        {btT.getDimSize(0), cT.getDimSize(2), oT.getDimSize(2),
                         cT.getDimSize(3)})))
    return failure();
  if (oT.getElementType() != cT.getElementType())
    return emitOpError() << "output and cache element types differ";
  int64_t s = oT.getDimSize(2), mb = btT.getDimSize(1), bs = cT.getDimSize(1);
  if (!ShapedType::isDynamic(s) && !ShapedType::isDynamic(mb) &&
      !ShapedType::isDynamic(bs) && s > mb * bs)
    return emitOpError() << "output length " << s
                         << " exceeds what the block table can address (" << mb
                         << " blocks of " << bs << ")";
  return success();
}

LogicalResult KVEvictOp::verify() {
  auto kT = tensorType(getKey()), vT = tensorType(getValue()),
       lT = tensorType(getSeqLens());
  if (failed(checkRank(*this, "key", kT, 4, "[B, H, S, D]")) ||
      failed(checkRank(*this, "value", vT, 4, "[B, H, S, Dv]")))
    return failure();
  int64_t b = kT.getDimSize(0), h = kT.getDimSize(1), s = kT.getDimSize(2);
  auto kiT = tensorType(getKeyInit());
  if (failed(checkRank(*this, "compacted key", kiT, 4, "[B, H, C, D]")))
    return failure();
  int64_t c = kiT.getDimSize(2);
  if (failed(checkShape(*this, "value", vT, {b, h, s, vT.getDimSize(3)})) ||
      failed(checkIndexLike(*this, "seq_lens", lT)) ||
      failed(checkShape(*this, "seq_lens", lT, {b})) ||
      failed(checkShape(*this, "compacted key", kiT,
                        {b, h, c, kT.getDimSize(3)})) ||
      failed(checkShape(*this, "compacted value", tensorType(getValueInit()),
                        {b, h, c, vT.getDimSize(3)})) ||
      failed(
          checkIndexLike(*this, "kept positions", tensorType(getKeptInit()))) ||
      failed(checkShape(*this, "kept positions", tensorType(getKeptInit()),
                        {b, h, c})) ||
      failed(checkIndexLike(*this, "kept count", tensorType(getCountInit()))) ||
      failed(
          checkShape(*this, "kept count", tensorType(getCountInit()), {b, h})))
    return failure();
  if (kiT.getElementType() != kT.getElementType() ||
      tensorType(getValueInit()).getElementType() != vT.getElementType())
    return emitOpError()
           << "compacted caches must keep the caches' element types";
  int64_t sinks = getSinksAttr().getInt(), window = getWindowAttr().getInt();
  if (sinks < 0 || window < 0)
    return emitOpError() << "sinks and window must be non-negative";
  if (!ShapedType::isDynamic(c) && (sinks > c || window > c - sinks))
    return emitOpError() << "sinks (" << sinks << ") + window (" << window
                         << ") exceed the capacity C (" << c << ")";
  EvictPolicy policy = getPolicy();
  if (Value scores = getScores()) {
    if (policy == EvictPolicy::sink_window)
      return emitOpError() << "the sink_window policy does not use scores";
    auto sT = tensorType(scores);
    if (failed(checkRank(*this, "scores", sT, 3, "[B, H|1, S]")) ||
        failed(checkActivation(*this, "scores", sT)) ||
        failed(checkShape(*this, "scores", sT,
                          {b, sT.getDimSize(1) == 1 ? 1 : h, s})))
      return failure();
  } else if (policy != EvictPolicy::sink_window) {
    return emitOpError() << "the " << stringifyEvictPolicy(policy)
                         << " policy needs per-token scores";
  }
  bool isRetention = policy == EvictPolicy::retention;
  if (isRetention != getDecay().has_value() ||
      isRetention != getThreshold().has_value())
    return emitOpError() << "'decay' and 'threshold' are required by, and only "
                            "valid with, the retention policy";
  if (isRetention) {
    float decay = getDecay()->convertToFloat();
    if (!(decay > 0 && decay <= 1))
      return emitOpError() << "decay must be in (0, 1], got " << decay;
  }
  return success();
}

/// Scales shape for a quantized `[..., S, D]` tensor.
static SmallVector<int64_t> kvScaleShape(ArrayRef<int64_t> shape,
                                         KVGranularity g) {
  return dropDim(shape, g == KVGranularity::per_token ? shape.size() - 1
                                                      : shape.size() - 2);
}

static LogicalResult verifyKVQuant(Operation *op, RankedTensorType floatT,
                                   RankedTensorType qT, RankedTensorType sT,
                                   KVGranularity g) {
  if (failed(checkActivation(op, "float tensor", floatT)))
    return failure();
  if (floatT.getRank() < 2)
    return op->emitOpError()
           << "expects a tensor of rank >= 2 ([..., S, D]), got " << floatT;
  if (!qT.getElementType().isSignlessInteger(8) &&
      !isa<Float8E4M3FNType>(qT.getElementType()))
    return op->emitOpError() << "quantized element type must be i8 or "
                                "f8E4M3FN, got "
                             << qT.getElementType();
  if (!sT.getElementType().isF32())
    return op->emitOpError()
           << "scales must be f32, got " << sT.getElementType();
  if (failed(checkShape(op, "quantized tensor", qT, floatT.getShape())) ||
      failed(checkShape(op, "scales", sT, kvScaleShape(floatT.getShape(), g))))
    return failure();
  return success();
}

LogicalResult KVQuantizeOp::verify() {
  return verifyKVQuant(*this, tensorType(getInput()), tensorType(getQInit()),
                       tensorType(getScalesInit()), getGranularity());
}

LogicalResult KVDequantizeOp::verify() {
  return verifyKVQuant(*this, tensorType(getInit()), tensorType(getQ()),
                       tensorType(getScales()), getGranularity());
}

/// Shared by prune and densify: `dense` `[..., D]`, `values` `[..., K]`,
/// `bitmap` `[..., ceil(D/8)]`.
static LogicalResult verifySparseKV(Operation *op, RankedTensorType denseT,
                                    RankedTensorType valuesT,
                                    RankedTensorType bitmapT) {
  if (failed(checkActivation(op, "dense tensor", denseT)))
    return failure();
  if (denseT.getRank() < 1)
    return op->emitOpError() << "expects a ranked tensor of rank >= 1";
  int64_t d = denseT.getShape().back();
  if (ShapedType::isDynamic(d))
    return op->emitOpError() << "the pruned (last) dimension must be static";
  if (valuesT.getElementType() != denseT.getElementType())
    return op->emitOpError()
           << "values must have the dense tensor's element type";
  if (!bitmapT.getElementType().isSignlessInteger(8))
    return op->emitOpError()
           << "bitmap must be i8, got " << bitmapT.getElementType();
  SmallVector<int64_t> lead(denseT.getShape().drop_back());
  if (valuesT.getRank() != denseT.getRank())
    return op->emitOpError() << "values must have rank " << denseT.getRank();
  int64_t k = valuesT.getShape().back();
  if (ShapedType::isDynamic(k) || k < 1 || k > d)
    return op->emitOpError() << "the number of kept elements (" << k
                             << ") must be static and in [1, " << d << "]";
  SmallVector<int64_t> vShape(lead), bShape(lead);
  vShape.push_back(k);
  bShape.push_back(llvm::divideCeil(d, 8));
  if (failed(checkShape(op, "values", valuesT, vShape)) ||
      failed(checkShape(op, "bitmap", bitmapT, bShape)))
    return failure();
  return success();
}

LogicalResult KVPruneOp::verify() {
  return verifySparseKV(*this, tensorType(getInput()),
                        tensorType(getValuesInit()),
                        tensorType(getBitmapInit()));
}

LogicalResult KVDensifyOp::verify() {
  return verifySparseKV(*this, tensorType(getInit()), tensorType(getValues()),
                        tensorType(getBitmap()));
}

//===----------------------------------------------------------------------===//
// Memory-bound ops
//===----------------------------------------------------------------------===//

static LogicalResult verifyNorm(Operation *op, Value input, ValueRange params,
                                Value init, float epsilon) {
  auto xT = tensorType(input);
  if (failed(checkActivation(op, "input", xT)) ||
      failed(checkActivation(op, "output", tensorType(init))))
    return failure();
  if (xT.getRank() < 1)
    return op->emitOpError() << "input must have rank >= 1";
  for (Value p : params) {
    auto pT = tensorType(p);
    if (failed(checkActivation(op, "scale/shift", pT)) ||
        failed(checkShape(op, "scale/shift", pT, {xT.getShape().back()})))
      return failure();
  }
  if (failed(checkShape(op, "output", tensorType(init), xT.getShape())))
    return failure();
  if (!(epsilon >= 0) || !std::isfinite(epsilon))
    return op->emitOpError() << "epsilon must be a non-negative finite number";
  return success();
}

LogicalResult RMSNormOp::verify() {
  return verifyNorm(*this, getInput(), getGamma(), getInit(),
                    getEpsilon().convertToFloat());
}

LogicalResult LayerNormOp::verify() {
  return verifyNorm(*this, getInput(), {getGamma(), getBeta()}, getInit(),
                    getEpsilon().convertToFloat());
}

LogicalResult SoftmaxOp::verify() {
  auto xT = tensorType(getInput());
  if (failed(checkActivation(*this, "input", xT)) ||
      failed(checkActivation(*this, "output", tensorType(getInit()))) ||
      failed(checkShape(*this, "output", tensorType(getInit()), xT.getShape())))
    return failure();
  int64_t dim = getDim();
  if (dim < 0 || dim >= xT.getRank())
    return emitOpError() << "dim " << dim << " is out of range for a rank-"
                         << xT.getRank() << " input";
  return success();
}

LogicalResult RopeOp::verify() {
  auto xT = tensorType(getInput()), cT = tensorType(getCos()),
       sT = tensorType(getSin());
  if (failed(checkActivation(*this, "input", xT)) ||
      failed(checkActivation(*this, "output", tensorType(getInit()))) ||
      failed(checkShape(*this, "output", tensorType(getInit()), xT.getShape())))
    return failure();
  if (xT.getRank() < 2)
    return emitOpError() << "input must have rank >= 2 ([..., S, ..., D]), got "
                         << xT;
  int64_t seqDim = getSeqDimOrDefault();
  if (seqDim < 0 || seqDim >= xT.getRank() - 1)
    return emitOpError() << "seq_dim " << seqDim
                         << " must name a dimension other than the last";
  if (failed(checkRank(*this, "cos", cT, 2, "[S, R/2]")) ||
      failed(checkActivation(*this, "cos", cT)))
    return failure();
  if (sT != cT)
    return emitOpError() << "cos and sin must have the same type, got " << cT
                         << " and " << sT;
  if (!dimsAgree(cT.getDimSize(0), xT.getDimSize(seqDim)))
    return emitOpError() << "cos/sin have " << cT.getDimSize(0)
                         << " positions but input dimension " << seqDim
                         << " has size " << xT.getDimSize(seqDim);
  int64_t half = cT.getDimSize(1), d = xT.getShape().back();
  if (ShapedType::isDynamic(half) || ShapedType::isDynamic(d))
    return emitOpError() << "the rotary and feature dimensions must be static";
  if (half < 1 || 2 * half > d)
    return emitOpError() << "rotary dimension " << 2 * half
                         << " (2 * cos.shape[1]) exceeds the feature dimension "
                         << d;
  return success();
}

//===----------------------------------------------------------------------===//
// Canonicalization and folding
//===----------------------------------------------------------------------===//

namespace {
/// An epilogue that only converts the accumulator to the output type is the
/// default behaviour: drop the region.
struct DropTrivialEpilogue : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    Region &region = op.getEpilogue();
    if (region.empty() || op.getPairwise() || op.getARowSumSq() ||
        !op.getEpilogueInputs().empty() || !op.getReductions().empty() ||
        op.getInits().size() != 1)
      return failure();
    Block &block = region.front();
    Value acc = block.getArgument(0);
    Value yielded = cast<YieldOp>(block.getTerminator()).getValues()[0];
    if (yielded != acc) {
      Operation *def = yielded.getDefiningOp();
      if (!def || !isa<arith::ExtFOp, arith::TruncFOp>(def) ||
          def->getOperand(0) != acc || &block.front() != def)
        return failure();
    }
    if (std::next(block.begin(), yielded == acc ? 1 : 2) != block.end())
      return failure();
    rewriter.modifyOpInPlace(op, [&] { rewriter.eraseBlock(&block); });
    return success();
  }
};

/// Relaxes attention masks that hide nothing (static lengths only).
struct SimplifyAttentionMask : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    int64_t sq = tensorType(op.getQuery()).getDimSize(op.getSeqDim());
    int64_t skv = tensorType(op.getKey()).getDimSize(op.getSeqDim());
    int64_t offset = op.getQueryOffsetAttr().getInt();
    MaskKind mask = op.getMask();
    if (mask == MaskKind::none) {
      if (offset == 0)
        return failure();
      rewriter.modifyOpInPlace(op, [&] { op.setQueryOffset(0); });
      return success();
    }
    if (ShapedType::isDynamic(sq) || ShapedType::isDynamic(skv))
      return failure();
    // The last query sits at sq - 1 + offset; a window longer than that
    // reaches key 0 from every query.
    if (mask == MaskKind::sliding_window &&
        op.getWindowAttr().getInt() >= sq + offset) {
      rewriter.modifyOpInPlace(op, [&] {
        op.setMask(MaskKind::causal);
        op.removeWindowAttr();
      });
      return success();
    }
    // The first query sits at offset; if it sees the last key, all do.
    if (mask == MaskKind::causal && offset >= skv - 1) {
      rewriter.modifyOpInPlace(op, [&] {
        op.setMask(MaskKind::none);
        op.setQueryOffset(0);
      });
      return success();
    }
    return failure();
  }
};
} // namespace

void GemmOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<DropTrivialEpilogue>(context);
}

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<SimplifyAttentionMask>(context);
}

OpFoldResult KVDensifyOp::fold(FoldAdaptor) {
  auto prune = getValues().getDefiningOp<KVPruneOp>();
  if (!prune || getBitmap() != prune.getBitmap() ||
      prune.getInput().getType() != getType())
    return {};
  auto valuesT = tensorType(getValues()), denseT = tensorType(getInit());
  if (valuesT.getShape().back() != denseT.getShape().back())
    return {};
  return prune.getInput();
}

#define GET_OP_CLASSES
#include "sinter/Dialect/Sinter/IR/SinterOps.cpp.inc"
