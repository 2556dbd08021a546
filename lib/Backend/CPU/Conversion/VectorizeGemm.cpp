//===- VectorizeGemm.cpp - Register-blocked GEMM tiles for CPUs -----------===//
//
// Rewrites each tiled sinter.gemm (from --sinter-tile) into a register-
// blocked micro-kernel on tensors:
//
//   for kb in [0, K) step kc:             // k blocks (the target's L1)
//     for j0 in [0, Nt) step NR:          // NR = 4 vectors (2 on AVX2)
//       for i0 in [0, Mt) step MR:        // MR = 6 rows of A
//         acc[r] = kb ? partial[i0 + r, j0 : j0 + NR] : 0
//         for k in [kb, kb + kc):
//           b = Bpacked[j0 / NR, k, :]    // one aligned row of the panel
//           acc[r] = fma(broadcast(A[i0 + r, k]), b, acc[r])
//         last block ? out[i0 + r, j0 : j0 + NR] = epilogue(acc[r], ...)
//                    : partial[...] = acc[r]
//
// One k block (K <= kc) needs no partial sums and runs the row loop
// outside.
//
// The epilogue region is cloned with vector types, so bias, scales,
// residuals and activations are applied to the accumulators while they are
// in registers. The B tile is packed once per tile into contiguous
// zero-padded panels [Nt / NR, K, NR] (both halves of a pairwise B; a
// transposed B is transposed on the way), so every k step loads one
// aligned vector and the micro-kernel never touches a new page per row.
// A quantized B (W8A16, W4A16: per-channel or grouped scales, zero points)
// is dequantized to f32 while it is packed; int8 x int8 accumulates in
// i32 vectors. Gemms with extra reductions, A-row statistics or other
// integer types keep the reference lowering.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"
#include <limits>
#include "sinter/Analysis/TilingModel.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Backend/CPU/Passes.h"
#include "sinter/Support/ScalarBuilder.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERCPUVECTORIZEGEMM
#include "sinter/Backend/CPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr int64_t kRows = 6;
/// k steps per iteration of the micro-kernel's main loop.
constexpr int64_t kUnroll = 4;

bool isElementwise(Operation *op) {
  Dialect *d = op->getDialect();
  return d && (d->getNamespace() == "arith" || d->getNamespace() == "math") &&
         op->getNumRegions() == 0;
}

/// Why `op` cannot take the vector path, or empty.
std::string unsupported(GemmOp op) {
  if (!op.getReductions().empty() || op.getARowSumSq())
    return "extra reductions or A-row statistics";
  Type aElem = getElementTypeOrSelf(op.getA().getType());
  if (op.getAccType().isInteger(32)) {
    // int8 x int8 -> i32: integer multiply-adds on widened vectors.
    if (!aElem.isInteger(8) || op.getBQuant() ||
        getElementTypeOrSelf(op.getB().getType()) != aElem)
      return "an integer gemm other than i8 x i8 -> i32";
  } else if (!op.getAccType().isF32()) {
    return "an accumulator other than f32 or i32";
  } else if (!isa<FloatType>(aElem)) {
    return "non-float A";
  } else if (!op.getBQuant() &&
             getElementTypeOrSelf(op.getB().getType()) != aElem) {
    // Quantized B (W8A16, W4A16) is dequantized while it is packed.
    return "operands that are not floats of one type";
  }
  int64_t nb = op.getNumBatchDims();
  for (Value v : {Value(op.getA()), op.getInits()[0]}) {
    auto t = cast<RankedTensorType>(v.getType());
    for (int64_t i = 0; i < nb; ++i)
      if (t.getDimSize(i) != 1)
        return "a tile with more than one batch index";
  }
  auto bT = cast<RankedTensorType>(op.getB().getType());
  for (int64_t i = 0; i + 2 < bT.getRank(); ++i)
    if (bT.getDimSize(i) != 1)
      return "a tile with more than one batch index";
  for (Attribute m : op.getEpilogueMaps()) {
    AffineMap map = cast<AffineMapAttr>(m).getValue();
    for (auto [i, e] : llvm::enumerate(map.getResults()))
      if (auto d = dyn_cast<AffineDimExpr>(e))
        if (d.getPosition() == unsigned(nb + 1) && i + 1 != map.getNumResults())
          return "an epilogue operand whose n dimension is not innermost";
  }
  if (!op.getEpilogue().empty())
    for (Operation &inner : op.getEpilogue().front().without_terminator())
      if (!isElementwise(&inner))
        return "a non-elementwise epilogue op";
  return "";
}

/// A tiled GEMM's micro-kernel under construction: the scalar IR of
/// ScalarBuilder and the vector loops.
struct Kernel : ScalarBuilder {
  GemmOp op;
  int64_t lanes; // NR
  /// B packed once for the whole gemm (before the tile loop) and the panel
  /// where this tile's columns start; null to pack per tile.
  Value globalPacked = {}, panelBase = {};

  /// Indices of a [batch..., x, y] tensor at (x, y), batch indices 0.
  SmallVector<Value> at(Value t, Value x, Value y) {
    int64_t rank = cast<RankedTensorType>(t.getType()).getRank();
    SmallVector<Value> ids(rank - 2, idx(0));
    ids.append({x, y});
    return ids;
  }

  VectorType vec(Type elem) { return VectorType::get({lanes}, elem); }

  /// The accumulator element type: f32, or i32 for int8 x int8.
  Type acc() { return op.getAccType(); }
  bool intAcc() { return isa<IntegerType>(acc()); }

  /// Widens an element (scalar or vector) to the accumulator type.
  Value toAcc(Value v) {
    Type elem = getElementTypeOrSelf(v.getType());
    if (elem == acc())
      return v;
    Type to = isa<VectorType>(v.getType()) ? Type(vec(acc())) : acc();
    if (intAcc())
      return arith::ExtSIOp::create(b, loc, to, v);
    return arith::ExtFOp::create(b, loc, to, v);
  }

  /// acc + a * b in the accumulator type.
  Value fma(Value a, Value x, Value accum) {
    if (intAcc())
      return arith::AddIOp::create(b, loc, accum,
                                   arith::MulIOp::create(b, loc, a, x));
    return vector::FMAOp::create(b, loc, a, x, accum);
  }

  Value zeroAcc() { return arith::ConstantOp::create(b, loc, b.getZeroAttr(acc())); }

  /// Clones the epilogue with vector types; returns the yielded vectors.
  SmallVector<Value> epilogue(ValueRange args) {
    Region &region = op.getEpilogue();
    if (region.empty()) {
      Type outElem = getElementTypeOrSelf(op.getInits()[0].getType());
      Value value = args[0];
      Type accElem = getElementTypeOrSelf(value.getType());
      if (outElem == accElem)
        return {value};
      VectorType to = vec(outElem);
      if (isa<FloatType>(accElem))
        value = isa<FloatType>(outElem)
                    ? arith::TruncFOp::create(b, loc, to, value).getResult()
                    : arith::FPToSIOp::create(b, loc, to, value).getResult();
      else
        value = isa<FloatType>(outElem)
                    ? arith::SIToFPOp::create(b, loc, to, value).getResult()
                    : outElem.getIntOrFloatBitWidth() <
                              accElem.getIntOrFloatBitWidth()
                          ? arith::TruncIOp::create(b, loc, to, value).getResult()
                          : arith::ExtSIOp::create(b, loc, to, value).getResult();
      return {value};
    }
    Block &block = region.front();
    IRMapping map;
    map.map(block.getArguments(), args);
    for (Operation &inner : block.without_terminator()) {
      if (isa<arith::ConstantOp>(inner)) {
        b.clone(inner, map); // scalar; broadcast at its uses
        continue;
      }
      SmallVector<Value> operands;
      for (Value v : inner.getOperands()) {
        Value m = map.lookupOrDefault(v);
        if (!isa<VectorType>(m.getType()))
          m = vector::BroadcastOp::create(b, loc, vec(m.getType()), m);
        operands.push_back(m);
      }
      SmallVector<Type> types;
      for (Type t : inner.getResultTypes())
        types.push_back(vec(t));
      OperationState state(inner.getLoc(), inner.getName(), operands, types,
                           inner.getAttrs());
      Operation *cloned = b.create(state);
      map.map(inner.getResults(), cloned->getResults());
    }
    SmallVector<Value> out;
    for (Value v : block.getTerminator()->getOperands()) {
      Value m = map.lookupOrDefault(v);
      if (!isa<VectorType>(m.getType()))
        m = vector::BroadcastOp::create(b, loc, vec(m.getType()), m);
      out.push_back(m);
    }
    return out;
  }

  /// Packs rows [k0, k0 + K) and columns [offset, offset + cols) of the B
  /// tile into contiguous panels [ceil(cols / NR), K, NR], zero-padded:
  /// every k step of the micro-kernel then reads one aligned vector.
  Value pack(Value bm, Value k0, OpFoldResult K, Value cols, Value offset,
             bool parallel = false) {
    auto bT = cast<RankedTensorType>(bm.getType());
    std::optional<WeightQuantAttr> quant = op.getBQuant();
    Type elem = quant ? b.getF32Type() : bT.getElementType();
    Value nr = idx(lanes);
    Value panels = arith::CeilDivSIOp::create(b, loc, cols, nr);
    SmallVector<OpFoldResult> shape{panels, K, b.getIndexAttr(lanes)};
    Value empty = tensor::EmptyOp::create(b, loc, shape, elem);
    bool transposed = op.getTransposeB();
    // Element (p, k, l) of the packed B: column p * NR + l, zero past `cols`.
    auto element = [&](OpBuilder &nb, Location nl, Value p, Value k,
                       Value l) -> Value {
      Value col = arith::AddIOp::create(
          nb, nl, arith::MulIOp::create(nb, nl, p, nr), l);
      Value valid =
          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, col, cols);
      Value last = arith::SubIOp::create(nb, nl, cols, idx(1));
      Value c = arith::AddIOp::create(
          nb, nl, arith::MinSIOp::create(nb, nl, col, last), offset);
      Value kk = arith::AddIOp::create(nb, nl, k0, k);
      Value v = tensor::ExtractOp::create(
          nb, nl, bm, transposed ? at(bm, c, kk) : at(bm, kk, c));
      if (quant) {
        // The reference dequantization, per column or per group of k rows.
        SmallVector<Value> sIdx;
        if (quant->getScheme() == QuantScheme::grouped)
          sIdx.push_back(arith::DivSIOp::create(
              nb, nl, kk, idx(quant->getGroupSize())));
        sIdx.push_back(c);
        Value zp = op.getBZeroPoints();
        v = buildDequantizedWeight(
            nb, nl, *quant, v,
            tensor::ExtractOp::create(nb, nl, op.getBScales(), sIdx),
            zp ? tensor::ExtractOp::create(nb, nl, zp, sIdx).getResult()
               : Value());
      }
      Value zero = arith::ConstantOp::create(nb, nl, nb.getZeroAttr(elem));
      return arith::SelectOp::create(nb, nl, valid, v, zero);
    };
    auto par = [](unsigned n) {
      return SmallVector<utils::IteratorType>(n, utils::IteratorType::parallel);
    };
    // A plain row-major B: each packed row is one masked vector copy.
    bool plainCopy = !transposed && !quant;
    Value Kv = getValueOrCreateConstantIndexOp(b, loc, K);
    auto copyPanel = [&](Value p, Value dest, ArrayRef<Value> lead) {
      Value c0 = idx(0);
      Value first = arith::MulIOp::create(b, loc, p, nr);
      Value mask = vector::CreateMaskOp::create(
          b, loc, VectorType::get({lanes}, b.getI1Type()),
          ValueRange{arith::SubIOp::create(b, loc, cols, first)});
      Value col = arith::AddIOp::create(b, loc, offset, first);
      Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
      auto perm = AffineMapAttr::get(
          AffineMap::getMinorIdentityMap(bT.getRank(), 1, b.getContext()));
      auto loop = scf::ForOp::create(b, loc, c0, Kv, idx(1), ValueRange{dest});
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      Value k = loop.getInductionVar();
      Value row = vector::TransferReadOp::create(
          b, loc, vec(elem), bm, at(bm, arith::AddIOp::create(b, loc, k0, k), col),
          perm, pad, mask, b.getBoolArrayAttr({false}));
      SmallVector<Value> ids(lead);
      ids.append({k, c0});
      scf::YieldOp::create(
          b, loc,
          vector::TransferWriteOp::create(b, loc, row, loop.getRegionIterArgs()[0],
                                          ids, ArrayRef<bool>{true})
              .getResult());
      return loop.getResult(0);
    };
    if (!parallel && plainCopy) {
      auto panelLoop =
          scf::ForOp::create(b, loc, idx(0), panels, idx(1), ValueRange{empty});
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(panelLoop.getBody());
      Value p = panelLoop.getInductionVar();
      scf::YieldOp::create(
          b, loc, copyPanel(p, panelLoop.getRegionIterArgs()[0], {p}));
      return panelLoop.getResult(0);
    }
    if (!parallel) {
      auto map = AffineMap::getMultiDimIdentityMap(3, b.getContext());
      return linalg::GenericOp::create(
                 b, loc, TypeRange{empty.getType()}, ValueRange{},
                 ValueRange{empty}, ArrayRef<AffineMap>{map}, par(3),
                 [&](OpBuilder &nb, Location nl, ValueRange) {
                   linalg::YieldOp::create(
                       nb, nl,
                       ValueRange{element(nb, nl,
                                          linalg::IndexOp::create(nb, nl, 0),
                                          linalg::IndexOp::create(nb, nl, 1),
                                          linalg::IndexOp::create(nb, nl, 2))});
                 })
          .getResult(0);
    }
    // One panel per iteration of a parallel loop: the cores share the pack.
    auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{panels},
                                        ValueRange{empty}, std::nullopt);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPoint(forall.getTerminator());
    Value p = forall.getInductionVars()[0];
    SmallVector<OpFoldResult> panelShape{K, b.getIndexAttr(lanes)};
    Value panelInit = tensor::EmptyOp::create(b, loc, panelShape, elem);
    auto map = AffineMap::getMultiDimIdentityMap(2, b.getContext());
    Value panel =
        plainCopy ? copyPanel(p, panelInit, {}) :
        linalg::GenericOp::create(
            b, loc, TypeRange{panelInit.getType()}, ValueRange{},
            ValueRange{panelInit}, ArrayRef<AffineMap>{map}, par(2),
            [&](OpBuilder &nb, Location nl, ValueRange) {
              linalg::YieldOp::create(
                  nb, nl,
                  ValueRange{element(nb, nl, p,
                                     linalg::IndexOp::create(nb, nl, 0),
                                     linalg::IndexOp::create(nb, nl, 1))});
            })
            .getResult(0);
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    OpFoldResult one = b.getIndexAttr(1), zeroI = b.getIndexAttr(0);
    tensor::ParallelInsertSliceOp::create(
        b, loc, panel, forall.getRegionIterArgs()[0],
        ArrayRef<OpFoldResult>{p, zeroI, zeroI},
        ArrayRef<OpFoldResult>{one, K, b.getIndexAttr(lanes)},
        ArrayRef<OpFoldResult>{one, one, one});
    return forall.getResult(0);
  }

  using TileBody = function_ref<SmallVector<Value>(Value i0, Value j0,
                                                   ArrayRef<Value> rowIdx,
                                                   ValueRange iters)>;

  /// for i0 in [0, M) step MR, j0 in [0, N) step NR, threading `iters`;
  /// with `colsOuter` the j0 loop is outside, so one packed B panel stays
  /// in L1 while A's row slivers stream past it.
  SmallVector<Value> tileLoops(Value M, Value N, ValueRange iters,
                               TileBody body, bool colsOuter = false) {
    Value c0 = idx(0), c1 = idx(1);
    auto outer = scf::ForOp::create(b, loc, c0, colsOuter ? N : M,
                                    idx(colsOuter ? lanes : kRows), iters);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(outer.getBody());
    auto inner = scf::ForOp::create(b, loc, c0, colsOuter ? M : N,
                                    idx(colsOuter ? kRows : lanes),
                                    outer.getRegionIterArgs());
    b.setInsertionPointToStart(inner.getBody());
    Value i0 = colsOuter ? inner.getInductionVar() : outer.getInductionVar();
    Value j0 = colsOuter ? outer.getInductionVar() : inner.getInductionVar();
    Value lastRow = arith::SubIOp::create(b, loc, M, c1);
    SmallVector<Value> rowIdx;
    for (int64_t r = 0; r < kRows; ++r)
      rowIdx.push_back(arith::MinSIOp::create(
          b, loc, arith::AddIOp::create(b, loc, i0, idx(r)), lastRow));
    SmallVector<Value> next = body(i0, j0, rowIdx, inner.getRegionIterArgs());
    scf::YieldOp::create(b, loc, next);
    b.setInsertionPointAfter(inner);
    scf::YieldOp::create(b, loc, inner.getResults());
    return SmallVector<Value>(outer.getResults());
  }

  /// The k loop over [0, kn) of a packed block whose A columns start at
  /// `kBase`, from accumulators `init` (MR, or 2 MR when pairwise). The
  /// main loop does kUnroll steps per iteration (fewer loop instructions
  /// between the FMAs); a remainder loop finishes a k not divisible by it.
  SmallVector<Value> kLoop(Value a, Value packed, Value packed2, Value kBase,
                           Value kn, Value j0, ArrayRef<Value> rowIdx,
                           ValueRange init) {
    Value c0 = idx(0);
    Value panel = arith::DivSIOp::create(b, loc, j0, idx(lanes));
    if (panelBase && packed == globalPacked)
      panel = arith::AddIOp::create(b, loc, panel, panelBase);
    // One k step: a B vector row (two for pairwise) and MR broadcast FMAs.
    auto step = [&](Value k, ValueRange accs) {
      Value ka = arith::AddIOp::create(b, loc, kBase, k);
      // The whole-B pack holds every k; a per-block pack starts at kBase.
      Value kp = packed == globalPacked ? ka : k;
      auto readPanel = [&](Value t) {
        Type elem = getElementTypeOrSelf(t.getType());
        Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
        return toAcc(vector::TransferReadOp::create(
            b, loc, vec(elem), t, ValueRange{panel, kp, c0}, pad,
            ArrayRef<bool>{true}));
      };
      SmallVector<Value> bRows{readPanel(packed)};
      if (packed2)
        bRows.push_back(readPanel(packed2));
      SmallVector<Value> next;
      for (auto [h, bRow] : llvm::enumerate(bRows))
        for (int64_t r = 0; r < kRows; ++r) {
          SmallVector<Value> ids = op.getTransposeA() ? at(a, ka, rowIdx[r])
                                                      : at(a, rowIdx[r], ka);
          Value s = toAcc(tensor::ExtractOp::create(b, loc, a, ids));
          Value bc = vector::BroadcastOp::create(b, loc, vec(acc()), s);
          next.push_back(fma(bc, bRow, accs[h * kRows + r]));
        }
      return next;
    };
    auto loopOver = [&](Value lb, Value ub, int64_t unroll, ValueRange from) {
      auto loop = scf::ForOp::create(b, loc, lb, ub, idx(unroll), from);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> accs(loop.getRegionIterArgs());
      for (int64_t u = 0; u < unroll; ++u)
        accs = step(u ? arith::AddIOp::create(b, loc, loop.getInductionVar(),
                                              idx(u))
                            .getResult()
                      : loop.getInductionVar(),
                    accs);
      scf::YieldOp::create(b, loc, accs);
      return SmallVector<Value>(loop.getResults());
    };
    Value mainEnd = arith::SubIOp::create(
        b, loc, kn, arith::RemSIOp::create(b, loc, kn, idx(kUnroll)));
    SmallVector<Value> accs = loopOver(c0, mainEnd, kUnroll, init);
    if (getConstantIntValue(kn).value_or(1) % kUnroll == 0)
      return accs;
    return loopOver(mainEnd, kn, 1, accs);
  }

  /// Writes `values[p]` (one vector per row r) into `outs[p]` at row i0 + r,
  /// for the rows inside M; `values` is computed per row by `rowValues`.
  SmallVector<Value>
  writeRows(Value M, Value i0, Value j0, ValueRange outs,
            function_ref<SmallVector<Value>(int64_t r, Value row)> rowValues) {
    SmallVector<Value> cur(outs);
    for (int64_t r = 0; r < kRows; ++r) {
      Value row = arith::AddIOp::create(b, loc, i0, idx(r));
      Value inside =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, row, M);
      auto guard = scf::IfOp::create(b, loc, TypeRange(ValueRange(cur)), inside,
                                     /*withElseRegion=*/true);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&guard.getThenRegion().front());
      SmallVector<Value> values = rowValues(r, row);
      SmallVector<Value> written;
      for (auto [v, o] : llvm::zip(values, cur))
        written.push_back(vector::TransferWriteOp::create(
                              b, loc, v, o, at(o, row, j0),
                              ArrayRef<bool>{false})
                              .getResult());
      scf::YieldOp::create(b, loc, written);
      b.setInsertionPointToStart(&guard.getElseRegion().front());
      scf::YieldOp::create(b, loc, cur);
      b.setInsertionPointAfter(guard);
      cur.assign(guard.getResults().begin(), guard.getResults().end());
    }
    return cur;
  }

  /// Read-only buffers of the epilogue operands that vary along m and n
  /// (residuals), for prefetching; made once, before the tile loops.
  SmallVector<std::pair<Value, AffineMap>> rowOperands;
  void collectRowOperands() {
    int64_t nb = op.getNumBatchDims();
    for (auto [v, m] :
         llvm::zip(op.getEpilogueInputs(), op.getEpilogueMaps().getValue())) {
      AffineMap map = cast<AffineMapAttr>(m).getValue();
      if (!map.isFunctionOfDim(nb) || !map.isFunctionOfDim(nb + 1))
        continue;
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> strides(t.getRank(), ShapedType::kDynamic);
      auto layout = StridedLayoutAttr::get(b.getContext(), ShapedType::kDynamic,
                                           strides);
      auto type = MemRefType::get(t.getShape(), t.getElementType(), layout);
      Value buf = bufferization::ToBufferOp::create(b, loc, type, v,
                                                    /*read_only=*/true);
      rowOperands.push_back({buf, map});
    }
  }

  /// Prefetches the residual rows the epilogue of this block will read: a
  /// block touches one short piece of each of MR rows, each in another page,
  /// which the hardware prefetchers do not predict; the k loop hides the
  /// misses.
  void prefetchEpilogueRows(ArrayRef<Value> rowIdx, Value j0) {
    int64_t nb = op.getNumBatchDims();
    int64_t lineFloats = 64 / 4;
    for (auto [buf, map] : rowOperands)
      for (Value row : rowIdx)
        for (int64_t c = 0; c < lanes; c += lineFloats) {
          Value col = c ? arith::AddIOp::create(b, loc, j0, idx(c)).getResult()
                        : j0;
          SmallVector<Value> ids;
          for (AffineExpr e : map.getResults()) {
            auto d = dyn_cast<AffineDimExpr>(e);
            ids.push_back(!d || d.getPosition() < unsigned(nb) ? idx(0)
                          : d.getPosition() == unsigned(nb)    ? row
                                                               : col);
          }
          memref::PrefetchOp::create(b, loc, buf, ids, /*isWrite=*/false,
                                     /*localityHint=*/3, /*isDataCache=*/true);
        }
  }

  /// The epilogue of row `row` from its accumulators.
  SmallVector<Value> epilogueRow(ArrayRef<Value> accs, Value row, Value j0) {
    int64_t nb = op.getNumBatchDims();
    Value c0 = idx(0);
    SmallVector<Value> args(accs);
    for (auto [v, m] :
         llvm::zip(op.getEpilogueInputs(), op.getEpilogueMaps().getValue())) {
      AffineMap map = cast<AffineMapAttr>(m).getValue();
      SmallVector<Value> ids;
      bool alongN = false;
      for (AffineExpr e : map.getResults()) {
        auto d = dyn_cast<AffineDimExpr>(e);
        if (!d || d.getPosition() < unsigned(nb)) {
          ids.push_back(c0);
        } else if (d.getPosition() == unsigned(nb)) {
          ids.push_back(row);
        } else {
          ids.push_back(j0);
          alongN = true;
        }
      }
      Type elem = getElementTypeOrSelf(v.getType());
      if (alongN) {
        Value pad = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
        args.push_back(vector::TransferReadOp::create(
            b, loc, vec(elem), v, ids, pad, ArrayRef<bool>{false}));
      } else {
        args.push_back(tensor::ExtractOp::create(b, loc, v, ids));
      }
    }
    return epilogue(args);
  }

  SmallVector<Value> build(int64_t blockK) {
    int64_t nb = op.getNumBatchDims();
    Value a = op.getA(), bm = op.getB();
    ValueRange inits = op.getInits();
    Value c0 = idx(0);
    Value M = tensor::DimOp::create(b, loc, inits[0], nb);
    Value N = tensor::DimOp::create(b, loc, inits[0], nb + 1);
    // A static k keeps the packed panels and the k loop static.
    OpFoldResult kSize =
        tensor::getMixedSize(b, loc, a, op.getTransposeA() ? nb : nb + 1);
    Value K = getValueOrCreateConstantIndexOp(b, loc, kSize);
    bool pairwise = op.getPairwise();
    unsigned numPrimary = op.getNumPrimaryResults();
    unsigned numAcc = pairwise ? 2 : 1;
    SmallVector<Value> outs(inits.take_front(numPrimary));
    Value zero = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vec(acc()), b.getZeroAttr(acc())));
    auto staticK = getConstantIntValue(kSize);
    collectRowOperands();

    if (blockK == std::numeric_limits<int64_t>::max() ||
        (staticK && *staticK <= blockK)) {
      // One k block: accumulators start at zero, the epilogue follows.
      Value packed = globalPacked ? globalPacked : pack(bm, c0, kSize, N, c0);
      Value packed2 = pairwise ? pack(bm, c0, kSize, N, N) : Value();
      return tileLoops(M, N, outs, [&](Value i0, Value j0,
                                       ArrayRef<Value> rowIdx,
                                       ValueRange iters) {
        SmallVector<Value> init(kRows * numAcc, zero);
        prefetchEpilogueRows(rowIdx, j0);
        SmallVector<Value> accs =
            kLoop(a, packed, packed2, c0, K, j0, rowIdx, init);
        return writeRows(M, i0, j0, iters, [&](int64_t r, Value row) {
          SmallVector<Value> rowAccs{accs[r]};
          if (pairwise)
            rowAccs.push_back(accs[kRows + r]);
          return epilogueRow(rowAccs, row, j0);
        });
      });
    }

    // Blocks of k (Goto's kc): one packed B panel (kc x NR) stays in L1
    // while the tile's rows of A stream past it (the column loop is outside).
    // f32 partial sums live in a tile-sized buffer between blocks: the first
    // block starts from zero, the last applies the epilogue and stores.
    SmallVector<OpFoldResult> accShape{getAsOpFoldResult(M),
                                       getAsOpFoldResult(N)};
    // Pairwise sums are two slices of one buffer: two equal tensor.empty
    // ops would be folded into one and the halves would share memory.
    SmallVector<OpFoldResult> bufShape{b.getIndexAttr(numAcc), accShape[0],
                                       accShape[1]};
    Value buf = tensor::EmptyOp::create(b, loc, bufShape, acc());
    auto sumType = RankedTensorType::get(
        {getConstantIntValue(accShape[0]).value_or(ShapedType::kDynamic),
         getConstantIntValue(accShape[1]).value_or(ShapedType::kDynamic)},
        acc());
    SmallVector<Value> iters;
    OpFoldResult one = b.getIndexAttr(1), zeroI = b.getIndexAttr(0);
    for (unsigned h = 0; h < numAcc; ++h)
      iters.push_back(tensor::ExtractSliceOp::create(
          b, loc, sumType, buf, ArrayRef<OpFoldResult>{b.getIndexAttr(h), zeroI, zeroI},
          ArrayRef<OpFoldResult>{one, accShape[0], accShape[1]},
          ArrayRef<OpFoldResult>{one, one, one}));
    iters.append(outs);
    auto blocks = scf::ForOp::create(b, loc, c0, K, idx(blockK), iters);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(blocks.getBody());
      Value kb = blocks.getInductionVar();
      Value kn = arith::MinSIOp::create(
          b, loc, idx(blockK), arith::SubIOp::create(b, loc, K, kb));
      Value first =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, kb, c0);
      Value last = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::sge,
          arith::AddIOp::create(b, loc, kb, idx(blockK)), K);
      Value packed = globalPacked ? globalPacked : pack(bm, kb, kn, N, c0);
      Value packed2 = pairwise ? pack(bm, kb, kn, N, N) : Value();
      SmallVector<Value> next = tileLoops(
          M, N, blocks.getRegionIterArgs(),
          [&](Value i0, Value j0, ArrayRef<Value> rowIdx, ValueRange cur) {
            ValueRange sums = cur.take_front(numAcc);
            ValueRange results = cur.drop_front(numAcc);
            SmallVector<Type> accTypes(kRows * numAcc, vec(acc()));
            auto start = scf::IfOp::create(b, loc, accTypes, first,
                                           /*withElseRegion=*/true);
            {
              OpBuilder::InsertionGuard g(b);
              b.setInsertionPointToStart(&start.getThenRegion().front());
              scf::YieldOp::create(
                  b, loc, SmallVector<Value>(kRows * numAcc, zero));
              b.setInsertionPointToStart(&start.getElseRegion().front());
              SmallVector<Value> partial;
              for (unsigned h = 0; h < numAcc; ++h)
                for (int64_t r = 0; r < kRows; ++r) {
                  Value pad = zeroAcc();
                  partial.push_back(vector::TransferReadOp::create(
                      b, loc, vec(acc()), sums[h], ValueRange{rowIdx[r], j0},
                      pad, ArrayRef<bool>{false}));
                }
              scf::YieldOp::create(b, loc, partial);
            }
            if (!rowOperands.empty()) {
              auto pre = scf::IfOp::create(b, loc, TypeRange{}, last, false);
              OpBuilder::InsertionGuard g(b);
              b.setInsertionPointToStart(&pre.getThenRegion().front());
              prefetchEpilogueRows(rowIdx, j0);
            }
            SmallVector<Value> accs = kLoop(a, packed, packed2, kb, kn, j0,
                                            rowIdx, start.getResults());
            auto rowAccs = [&](int64_t r) {
              SmallVector<Value> v{accs[r]};
              if (pairwise)
                v.push_back(accs[kRows + r]);
              return v;
            };
            auto finish = scf::IfOp::create(b, loc, TypeRange(cur), last,
                                            /*withElseRegion=*/true);
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(&finish.getThenRegion().front());
            SmallVector<Value> done(sums);
            llvm::append_range(
                done, writeRows(M, i0, j0, results, [&](int64_t r, Value row) {
                  return epilogueRow(rowAccs(r), row, j0);
                }));
            scf::YieldOp::create(b, loc, done);
            b.setInsertionPointToStart(&finish.getElseRegion().front());
            SmallVector<Value> kept = writeRows(
                M, i0, j0, sums, [&](int64_t r, Value) { return rowAccs(r); });
            llvm::append_range(kept, results);
            scf::YieldOp::create(b, loc, kept);
            return SmallVector<Value>(finish.getResults());
          },
          /*colsOuter=*/true);
      scf::YieldOp::create(b, loc, next);
    }
    return SmallVector<Value>(blocks.getResults().drop_front(numAcc));
  }
};

/// If the tile's B is a column slice (n0 a multiple of NR) of a 2-D B
/// defined outside the tile loop and at least two rows of tiles read it,
/// packs all of B once before the loop and points the kernel at it: every
/// tile row otherwise repacks the same B.
void packOnce(Kernel &k, int64_t lanes) {
  GemmOp op = k.op;
  auto forall = op->getParentOfType<scf::ForallOp>();
  auto slice = op.getB().getDefiningOp<tensor::ExtractSliceOp>();
  auto pinned = op->getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName);
  if (!forall || !slice || op.getPairwise() || op.getBQuant() || !pinned ||
      pinned.size() != 3 || pinned[1] % lanes != 0)
    return;
  // Only when several tile rows share B; a single row of tiles (skinny M)
  // would pay a serial pack for nothing.
  auto aSlice = op.getA().getDefiningOp<tensor::ExtractSliceOp>();
  if (!aSlice)
    return;
  auto aFull = cast<RankedTensorType>(aSlice.getSource().getType());
  int64_t nb = op.getNumBatchDims();
  int64_t rows = aFull.getDimSize(op.getTransposeA() ? nb + 1 : nb);
  if (ShapedType::isDynamic(rows) || rows < 2 * pinned[0])
    return;
  Value full = slice.getSource();
  auto fullT = cast<RankedTensorType>(full.getType());
  if (fullT.getRank() != 2 || !fullT.hasStaticShape() ||
      !forall.isDefinedOutsideOfLoop(full) || !slice.hasUnitStride())
    return;
  unsigned kDim = op.getTransposeB() ? 1 : 0, nDim = 1 - kDim;
  SmallVector<OpFoldResult> offs = slice.getMixedOffsets();
  SmallVector<OpFoldResult> sizes = slice.getMixedSizes();
  if (!isConstantIntValue(offs[kDim], 0) ||
      !isConstantIntValue(sizes[kDim], fullT.getDimSize(kDim)))
    return;
  OpBuilder::InsertionGuard g(k.b);
  k.b.setInsertionPoint(forall);
  Kernel outer{{k.b, op.getLoc()}, op, lanes};
  k.globalPacked =
      outer.pack(full, outer.idx(0), k.b.getIndexAttr(fullT.getDimSize(kDim)),
                 outer.idx(fullT.getDimSize(nDim)), outer.idx(0),
                 /*parallel=*/true);
  k.b.setInsertionPoint(op);
  k.panelBase = arith::DivSIOp::create(
      k.b, op.getLoc(),
      getValueOrCreateConstantIndexOp(k.b, op.getLoc(), offs[nDim]),
      k.idx(lanes));
}

/// Vectors per accumulator row: 4 (6 x 4 accumulators, the B row and a
/// broadcast: 30 registers) when the target has 32 vector registers
/// (AVX-512, NEON), else 2 (AVX2's 16). The wider row halves the loads per
/// FMA; on the development machine it measured 3-15 % faster than 2.
int64_t vectorsPerRow(TargetAttr target, int64_t vectorBytes) {
  MemoryLevelAttr regs = target ? target.getLevel("registers") : nullptr;
  return regs && regs.getCapacity() / vectorBytes >= 32 ? 4 : 2;
}

/// Goto's kc from the target: the largest multiple of 16 rows for which
/// one packed B panel (kc x NR) takes at most two thirds of the innermost
/// per-core memory level above the registers (L1), leaving room for A's row slivers and the
/// accumulators' spills. Whole k when the target names no such level.
int64_t defaultKBlock(GemmOp op, TargetAttr target, int64_t lanes) {
  constexpr int64_t whole = std::numeric_limits<int64_t>::max();
  if (!target)
    return whole;
  MemoryLevelAttr l1;
  for (Attribute a : llvm::reverse(target.getLevels().getValue())) {
    auto level = cast<MemoryLevelAttr>(a);
    if (level.getName() != "registers") {
      l1 = level;
      break;
    }
  }
  if (!l1 || !l1.getPerCore())
    return whole;
  Type elem = op.getBQuant()
                  ? Type(Float32Type::get(op.getContext()))
                  : getElementTypeOrSelf(op.getB().getType());
  int64_t rowBytes = lanes * std::max<int64_t>(elem.getIntOrFloatBitWidth() / 8, 1);
  return std::max<int64_t>(l1.getCapacity() * 2 / 3 / rowBytes / 16 * 16, 16);
}

struct CPUVectorizeGemmPass
    : public sinter::impl::SinterCPUVectorizeGemmBase<CPUVectorizeGemmPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> resolved =
        requireTarget(module, "sinter-cpu-vectorize-gemm");
    if (failed(resolved))
      return signalPassFailure();
    TargetAttr target = *resolved;
    int64_t vectorBytes = target.getVectorBytes();
    int64_t lanes = std::max<int64_t>(
        vectorsPerRow(target, vectorBytes) * vectorBytes / 4, 4);
    SmallVector<GemmOp> work;
    module.walk([&](GemmOp op) {
      if (op->hasAttr(kMemoryLevelAttrName) && unsupported(op).empty())
        work.push_back(op);
    });
    for (GemmOp op : work) {
      OpBuilder b(op);
      Kernel k{{b, op.getLoc()}, op, lanes};
      packOnce(k, lanes);
      int64_t blockK = kBlock > 0   ? kBlock
                       : kBlock < 0 ? std::numeric_limits<int64_t>::max()
                                    : defaultKBlock(op, target, lanes);
      op->replaceAllUsesWith(k.build(blockK));
      op->erase();
    }
  }
};
} // namespace
