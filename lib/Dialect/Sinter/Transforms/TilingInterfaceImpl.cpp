//===- TilingInterfaceImpl.cpp - TilingInterface for sinter ops -----------===//
//
// sinter.gemm iterates (batch..., m, n, k) with k a reduction. A tile takes
// the rows of A, the columns of B (both halves for a pairwise gemm), the
// matching scales and zero points, and the slices of the epilogue operands
// that its maps select, so the epilogue runs unchanged on the tile. The
// k loop stays inside the tile: the epilogue needs the finished
// accumulator. An extra reduction along n (m) needs whole rows (columns):
// tiling that dimension fails rather than producing partial statistics.
//
// The KV-cache ops tile over the dimensions their semantics keeps
// independent: kv.gather over (batch, head, feature) with the sequence
// whole (a tile reads whole block-table rows); kv.append over (head,
// feature) with the tokens whole (later duplicates must win); kv.quantize
// and kv.dequantize over every dimension except the one a scale spans. The
// norms, softmax and RoPE tile over every dimension but the one they
// normalize or rotate (RoPE's tables follow its sequence dimension).
//
//===----------------------------------------------------------------------===//
#include "sinter/Dialect/Sinter/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "llvm/ADT/TypeSwitch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
bool isFull(OpFoldResult offset, OpFoldResult size, int64_t extent) {
  return isConstantIntValue(offset, 0) && isConstantIntValue(size, extent);
}

/// Tiles the iteration domain that produces a result tile and returns that
/// result: the same for every model here.
template <typename Model>
FailureOr<TilingResult>
resultTileFromDomainTile(const Model &model, Operation *op, OpBuilder &b,
                         unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> domOffsets, domSizes;
  if (failed(model.getIterationDomainTileFromResultTile(
          op, b, resultNumber, offsets, sizes, domOffsets, domSizes)))
    return failure();
  FailureOr<TilingResult> r =
      model.getTiledImplementation(op, b, domOffsets, domSizes);
  if (failed(r))
    return failure();
  return TilingResult{r->tiledOps, {r->tiledValues[resultNumber]},
                      r->generatedSlices};
}

struct GemmTilingModel
    : public TilingInterface::ExternalModel<GemmTilingModel, GemmOp> {
  static int64_t extentK(GemmOp op) {
    auto aT = cast<RankedTensorType>(op.getA().getType());
    int64_t nb = op.getNumBatchDims();
    return aT.getDimSize(op.getTransposeA() ? nb : nb + 1);
  }

  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    auto gemm = cast<GemmOp>(op);
    SmallVector<utils::IteratorType> its(gemm.getNumBatchDims() + 2,
                                         utils::IteratorType::parallel);
    its.push_back(utils::IteratorType::reduction);
    return its;
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    auto gemm = cast<GemmOp>(op);
    Location loc = op->getLoc();
    Value out = gemm.getInits()[0];
    SmallVector<Range> domain;
    OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
    for (int64_t i = 0, e = gemm.getNumBatchDims() + 2; i < e; ++i)
      domain.push_back({zero, tensor::getMixedSize(b, loc, out, i), one});
    int64_t nb = gemm.getNumBatchDims();
    domain.push_back({zero,
                      tensor::getMixedSize(b, loc, gemm.getA(),
                                           gemm.getTransposeA() ? nb : nb + 1),
                      one});
    return domain;
  }

  LogicalResult getResultTilePosition(Operation *op, OpBuilder &b,
                                      unsigned resultNumber,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes,
                                      SmallVector<OpFoldResult> &resultOffsets,
                                      SmallVector<OpFoldResult> &resultSizes) const {
    auto gemm = cast<GemmOp>(op);
    int64_t nb = gemm.getNumBatchDims();
    resultOffsets.assign(offsets.begin(), offsets.begin() + nb + 2);
    resultSizes.assign(sizes.begin(), sizes.begin() + nb + 2);
    unsigned primary = gemm.getNumPrimaryResults();
    if (resultNumber >= primary) {
      auto r = cast<ReductionAttr>(gemm.getReductions()[resultNumber - primary]);
      // A reduction along n keeps m, along m keeps n.
      unsigned dropped = r.getDim() == GemmDim::n ? nb + 1 : nb;
      resultOffsets.erase(resultOffsets.begin() + dropped);
      resultSizes.erase(resultSizes.begin() + dropped);
    }
    return success();
  }

  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned resultNumber,
      ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
      SmallVectorImpl<OpFoldResult> &domOffsets,
      SmallVectorImpl<OpFoldResult> &domSizes) const {
    auto gemm = cast<GemmOp>(op);
    int64_t nb = gemm.getNumBatchDims();
    SmallVector<Range> domain = getIterationDomain(op, b);
    domOffsets.assign(offsets.begin(), offsets.end());
    domSizes.assign(sizes.begin(), sizes.end());
    unsigned primary = gemm.getNumPrimaryResults();
    if (resultNumber >= primary) {
      auto r = cast<ReductionAttr>(gemm.getReductions()[resultNumber - primary]);
      unsigned dropped = r.getDim() == GemmDim::n ? nb + 1 : nb;
      domOffsets.insert(domOffsets.begin() + dropped, domain[dropped].offset);
      domSizes.insert(domSizes.begin() + dropped, domain[dropped].size);
    }
    domOffsets.push_back(domain.back().offset);
    domSizes.push_back(domain.back().size);
    return success();
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    auto gemm = cast<GemmOp>(op);
    Location loc = op->getLoc();
    int64_t nb = gemm.getNumBatchDims();
    auto outT = cast<RankedTensorType>(gemm.getInits()[0].getType());
    int64_t M = outT.getDimSize(nb), N = outT.getDimSize(nb + 1);
    int64_t K = extentK(gemm);
    if (ShapedType::isDynamic(K) || !isFull(offsets.back(), sizes.back(), K))
      return failure(); // the epilogue needs the finished accumulator
    for (Attribute a : gemm.getReductions()) {
      auto r = cast<ReductionAttr>(a);
      unsigned d = r.getDim() == GemmDim::n ? nb + 1 : nb;
      int64_t extent = r.getDim() == GemmDim::n ? N : M;
      if (ShapedType::isDynamic(extent) || !isFull(offsets[d], sizes[d], extent))
        return failure(); // statistics need whole rows / columns
    }

    SmallVector<Operation *> slices;
    auto slice = [&](Value src, ArrayRef<OpFoldResult> offs,
                     ArrayRef<OpFoldResult> szs) -> Value {
      SmallVector<OpFoldResult> strides(offs.size(), b.getIndexAttr(1));
      auto s = tensor::ExtractSliceOp::create(b, loc, src, offs, szs, strides);
      slices.push_back(s);
      return s;
    };
    OpFoldResult zero = b.getIndexAttr(0);
    auto full = [&](Value v, int64_t d) {
      return tensor::getMixedSize(b, loc, v, d);
    };
    OpFoldResult mOff = offsets[nb], mSz = sizes[nb];
    OpFoldResult nOff = offsets[nb + 1], nSz = sizes[nb + 1];
    ArrayRef<OpFoldResult> bOffs = offsets.take_front(nb),
                           bSzs = sizes.take_front(nb);

    // A: batch, rows, all of k.
    SmallVector<OpFoldResult> offs(bOffs), szs(bSzs);
    Value a = gemm.getA();
    if (gemm.getTransposeA()) {
      offs.append({zero, mOff});
      szs.append({full(a, nb), mSz});
    } else {
      offs.append({mOff, zero});
      szs.append({mSz, full(a, nb + 1)});
    }
    SmallVector<Value> operands{slice(a, offs, szs)};

    // Columns of a [.., K, N]-like operand along dim `nDim` (both halves of
    // a pairwise operand).
    auto columns = [&](Value v, unsigned nDim,
                       ArrayRef<OpFoldResult> lead) -> Value {
      auto t = cast<RankedTensorType>(v.getType());
      auto pick = [&](OpFoldResult start) {
        SmallVector<OpFoldResult> o(lead), s;
        for (unsigned i = 0; i < lead.size(); ++i)
          s.push_back(bSzs[i]);
        for (unsigned d = lead.size(); d < t.getRank(); ++d) {
          o.push_back(d == nDim ? start : zero);
          s.push_back(d == nDim ? nSz : full(v, d));
        }
        return slice(v, o, s);
      };
      if (!gemm.getPairwise())
        return pick(nOff);
      OpFoldResult upper = nOff;
      if (auto c = getConstantIntValue(nOff))
        upper = b.getIndexAttr(*c + N);
      else
        upper = arith::AddIOp::create(
                    b, loc, cast<Value>(nOff),
                    arith::ConstantIndexOp::create(b, loc, N))
                    .getResult();
      Value lo = pick(nOff), hi = pick(upper);
      return tensor::ConcatOp::create(b, loc, nDim, ValueRange{lo, hi})
          .getResult();
    };
    Value bv = gemm.getB();
    auto bT = cast<RankedTensorType>(bv.getType());
    int64_t bLead = bT.getRank() - 2;
    operands.push_back(columns(bv, gemm.getTransposeB() ? bLead : bLead + 1,
                               bOffs.take_front(bLead)));
    for (Value q : {gemm.getBScales(), gemm.getBZeroPoints()})
      if (q)
        operands.push_back(columns(
            q, cast<RankedTensorType>(q.getType()).getRank() - 1, {}));

    // Epilogue operands through their maps.
    ArrayRef<Attribute> maps = gemm.getEpilogueMaps().getValue();
    for (auto [v, m] : llvm::zip(gemm.getEpilogueInputs(), maps)) {
      AffineMap map = cast<AffineMapAttr>(m).getValue();
      SmallVector<OpFoldResult> o, s;
      for (AffineExpr e : map.getResults()) {
        if (auto d = dyn_cast<AffineDimExpr>(e)) {
          o.push_back(offsets[d.getPosition()]);
          s.push_back(sizes[d.getPosition()]);
        } else {
          o.push_back(zero);
          s.push_back(b.getIndexAttr(1));
        }
      }
      operands.push_back(slice(v, o, s));
    }

    // Destinations.
    SmallVector<Type> resultTypes;
    for (auto [i, init] : llvm::enumerate(gemm.getInits())) {
      SmallVector<OpFoldResult> o, s;
      if (failed(getResultTilePosition(op, b, i, offsets, sizes, o, s)))
        return failure();
      Value t = slice(init, o, s);
      operands.push_back(t);
      resultTypes.push_back(t.getType());
    }
    // Clone, then retarget: mlir::clone trips over the empty epilogue
    // region of a plain gemm when a listener is attached.
    Operation *tiled = b.clone(*op);
    tiled->setOperands(operands);
    for (auto [r, t] : llvm::zip(tiled->getResults(), resultTypes))
      r.setType(t);
    return TilingResult{{tiled},
                        SmallVector<Value>(tiled->getResults()),
                        slices};
  }

  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    return resultTileFromDomainTile(*this, op, b, resultNumber, offsets,
                                    sizes);
  }
};
/// How a KV op's operands (in operand order, inits included) index its
/// iteration domain: entry d of an operand's list is the domain dimension
/// its dim d follows, or -1 when the tile takes that dim whole.
struct KVLayout {
  Value domain; // a value whose shape is the iteration domain
  SmallVector<SmallVector<int64_t>> operands;
  SmallVector<int64_t> whole;   // domain dims a tile must take whole
  SmallVector<int64_t> reduced; // of those, the ones reduced (iterators)
};

SmallVector<int64_t> identityDims(Value v) {
  return llvm::to_vector(
      llvm::seq<int64_t>(0, cast<RankedTensorType>(v.getType()).getRank()));
}

/// Dims of a scale tensor of a [..., S, D] value: per token drops D, per
/// channel drops S.
SmallVector<int64_t> scaleDims(int64_t rank, KVGranularity g) {
  SmallVector<int64_t> dims;
  int64_t dropped = g == KVGranularity::per_token ? rank - 1 : rank - 2;
  for (int64_t i = 0; i < rank; ++i)
    if (i != dropped)
      dims.push_back(i);
  return dims;
}

KVLayout layoutOf(KVGatherOp op) {
  return {op.getInit(),
          {{-1, -1, 1, 3}, {0, -1}, {0}, {0, 1, 2, 3}},
          {2},
          {}};
}
KVLayout layoutOf(KVAppendOp op) {
  return {op.getUpdate(), {{0, 1, 2}, {0}, {-1, -1, 1, 2}}, {0}, {}};
}
KVLayout layoutOf(KVQuantizeOp op) {
  Value in = op.getInput();
  int64_t r = cast<RankedTensorType>(in.getType()).getRank();
  int64_t red = op.getGranularity() == KVGranularity::per_token ? r - 1 : r - 2;
  return {in,
          {identityDims(in), identityDims(in), scaleDims(r, op.getGranularity())},
          {red},
          {red}};
}
KVLayout layoutOf(KVDequantizeOp op) {
  Value q = op.getQ();
  int64_t r = cast<RankedTensorType>(q.getType()).getRank();
  return {q,
          {identityDims(q), scaleDims(r, op.getGranularity()), identityDims(q)},
          {},
          {}};
}

/// Row-wise ops: every dimension but the normalized / rotated one tiles.
KVLayout rowLayout(Value in, ArrayRef<SmallVector<int64_t>> middle,
                   int64_t whole, bool reduced) {
  KVLayout l{in, {identityDims(in)}, {whole}, {}};
  llvm::append_range(l.operands, middle);
  l.operands.push_back(identityDims(in));
  if (reduced)
    l.reduced.push_back(whole);
  return l;
}
KVLayout layoutOf(RMSNormOp op) {
  int64_t r = cast<RankedTensorType>(op.getInput().getType()).getRank();
  return rowLayout(op.getInput(), {{r - 1}}, r - 1, true);
}
KVLayout layoutOf(LayerNormOp op) {
  int64_t r = cast<RankedTensorType>(op.getInput().getType()).getRank();
  return rowLayout(op.getInput(), {{r - 1}, {r - 1}}, r - 1, true);
}
KVLayout layoutOf(SoftmaxOp op) {
  return rowLayout(op.getInput(), {}, op.getDim(), true);
}
KVLayout layoutOf(RopeOp op) {
  int64_t r = cast<RankedTensorType>(op.getInput().getType()).getRank();
  // Table rows follow the sequence dimension; a row's pairs stay together.
  int64_t seq = op.getSeqDimOrDefault();
  return rowLayout(op.getInput(), {{seq, -1}, {seq, -1}}, r - 1, false);
}

template <typename OpT>
struct MemoryBoundTilingModel
    : public TilingInterface::ExternalModel<MemoryBoundTilingModel<OpT>, OpT> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    KVLayout l = layoutOf(cast<OpT>(op));
    SmallVector<utils::IteratorType> its(
        cast<RankedTensorType>(l.domain.getType()).getRank(),
        utils::IteratorType::parallel);
    for (int64_t d : l.reduced)
      its[d] = utils::IteratorType::reduction;
    return its;
  }

  SmallVector<Range> getIterationDomain(Operation *op, OpBuilder &b) const {
    KVLayout l = layoutOf(cast<OpT>(op));
    SmallVector<Range> domain;
    for (OpFoldResult s : tensor::getMixedSizes(b, op->getLoc(), l.domain))
      domain.push_back({b.getIndexAttr(0), s, b.getIndexAttr(1)});
    return domain;
  }

  static unsigned initOperand(Operation *op, unsigned resultNumber) {
    auto dps = cast<DestinationStyleOpInterface>(op);
    return dps.getDpsInitOperand(resultNumber)->getOperandNumber();
  }

  LogicalResult getResultTilePosition(Operation *op, OpBuilder &b,
                                      unsigned resultNumber,
                                      ArrayRef<OpFoldResult> offsets,
                                      ArrayRef<OpFoldResult> sizes,
                                      SmallVector<OpFoldResult> &resultOffsets,
                                      SmallVector<OpFoldResult> &resultSizes) const {
    KVLayout l = layoutOf(cast<OpT>(op));
    unsigned idx = initOperand(op, resultNumber);
    Value init = op->getOperand(idx);
    resultOffsets.clear();
    resultSizes.clear();
    for (auto [i, d] : llvm::enumerate(l.operands[idx])) {
      resultOffsets.push_back(d < 0 ? OpFoldResult(b.getIndexAttr(0))
                                    : offsets[d]);
      resultSizes.push_back(
          d < 0 ? tensor::getMixedSize(b, op->getLoc(), init, i) : sizes[d]);
    }
    return success();
  }

  LogicalResult getIterationDomainTileFromResultTile(
      Operation *op, OpBuilder &b, unsigned resultNumber,
      ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes,
      SmallVectorImpl<OpFoldResult> &domOffsets,
      SmallVectorImpl<OpFoldResult> &domSizes) const {
    KVLayout l = layoutOf(cast<OpT>(op));
    SmallVector<Range> domain = getIterationDomain(op, b);
    domOffsets.clear();
    domSizes.clear();
    for (Range r : domain) {
      domOffsets.push_back(r.offset);
      domSizes.push_back(r.size);
    }
    unsigned idx = initOperand(op, resultNumber);
    for (auto [i, d] : llvm::enumerate(l.operands[idx]))
      if (d >= 0) {
        domOffsets[d] = offsets[i];
        domSizes[d] = sizes[i];
      }
    return success();
  }

  FailureOr<TilingResult>
  getTiledImplementation(Operation *op, OpBuilder &b,
                         ArrayRef<OpFoldResult> offsets,
                         ArrayRef<OpFoldResult> sizes) const {
    KVLayout l = layoutOf(cast<OpT>(op));
    Location loc = op->getLoc();
    auto domainT = cast<RankedTensorType>(l.domain.getType());
    for (int64_t d : l.whole)
      if (domainT.isDynamicDim(d) ||
          !isFull(offsets[d], sizes[d], domainT.getDimSize(d)))
        return failure();
    SmallVector<Value> operands;
    SmallVector<Operation *> slices;
    for (auto [v, dims] : llvm::zip(op->getOperands(), l.operands)) {
      SmallVector<OpFoldResult> o, s, st;
      for (auto [i, d] : llvm::enumerate(dims)) {
        o.push_back(d < 0 ? OpFoldResult(b.getIndexAttr(0)) : offsets[d]);
        s.push_back(d < 0 ? tensor::getMixedSize(b, loc, v, i) : sizes[d]);
        st.push_back(b.getIndexAttr(1));
      }
      auto slice = tensor::ExtractSliceOp::create(b, loc, v, o, s, st);
      slices.push_back(slice);
      operands.push_back(slice);
    }
    Operation *tiled = b.clone(*op);
    tiled->setOperands(operands);
    auto dps = cast<DestinationStyleOpInterface>(tiled);
    for (auto [r, init] : llvm::zip(tiled->getResults(), dps.getDpsInits()))
      r.setType(init.getType());
    return TilingResult{
        {tiled}, SmallVector<Value>(tiled->getResults()), slices};
  }

  FailureOr<TilingResult>
  generateResultTileValue(Operation *op, OpBuilder &b, unsigned resultNumber,
                          ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) const {
    return resultTileFromDomainTile(*this, op, b, resultNumber, offsets,
                                    sizes);
  }
};
} // namespace

std::optional<MemoryBoundTiling>
mlir::sinter::getMemoryBoundTiling(Operation *op) {
  return TypeSwitch<Operation *, std::optional<MemoryBoundTiling>>(op)
      .Case<KVGatherOp, KVAppendOp, KVQuantizeOp, KVDequantizeOp, RMSNormOp,
            LayerNormOp, SoftmaxOp, RopeOp>([](auto o) {
        KVLayout l = layoutOf(o);
        return MemoryBoundTiling{l.domain, l.whole};
      })
      .Default([](Operation *) { return std::nullopt; });
}

void mlir::sinter::registerTilingInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, SinterDialect *) {
    GemmOp::attachInterface<GemmTilingModel>(*ctx);
    KVGatherOp::attachInterface<MemoryBoundTilingModel<KVGatherOp>>(*ctx);
    KVAppendOp::attachInterface<MemoryBoundTilingModel<KVAppendOp>>(*ctx);
    KVQuantizeOp::attachInterface<MemoryBoundTilingModel<KVQuantizeOp>>(*ctx);
    KVDequantizeOp::attachInterface<MemoryBoundTilingModel<KVDequantizeOp>>(*ctx);
    RMSNormOp::attachInterface<MemoryBoundTilingModel<RMSNormOp>>(*ctx);
    LayerNormOp::attachInterface<MemoryBoundTilingModel<LayerNormOp>>(*ctx);
    SoftmaxOp::attachInterface<MemoryBoundTilingModel<SoftmaxOp>>(*ctx);
    RopeOp::attachInterface<MemoryBoundTilingModel<RopeOp>>(*ctx);
  });
}
