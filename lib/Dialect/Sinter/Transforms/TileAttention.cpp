//===- TileAttention.cpp - sinter.attention in the flash form -------------===//
//
// Rewrites sinter.attention into tiles that fit a core: an scf.forall over
// (batch, KV head, query tile[, KV split]) and, inside, an scf.for over the
// key blocks that the mask leaves visible, carrying the running row max,
// the running row sum and the rescaled f32 accumulator (online softmax).
// A query tile holds every head of its KV group, so each K/V block is read
// once for the whole group. The mask is evaluated only on blocks that cross
// the causal diagonal or the window edge; blocks entirely hidden are never
// visited. With KV splits (flash-decoding), each split normalizes its own
// partial output and log-sum-exp, and a combine weighs them by
// exp(lse_s - max lse).
//
//===----------------------------------------------------------------------===//
#include "Emitter.h"
#include "Tiling.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "sinter/Analysis/TilingModel.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::detail;

namespace {
/// Index arithmetic on OpFoldResults kept as Values.
struct IndexMath {
  Emitter &e;
  Value min(Value a, Value b) {
    return arith::MinSIOp::create(e.b, e.loc, a, b);
  }
  Value max(Value a, Value b) {
    return arith::MaxSIOp::create(e.b, e.loc, a, b);
  }
  Value ceilDiv(Value a, Value b) {
    return arith::CeilDivSIOp::create(e.b, e.loc, a, b);
  }
  Value floorDiv(Value a, Value b) {
    return arith::DivSIOp::create(e.b, e.loc, a, b);
  }
};

OpFoldResult ofr(Value v) { return v; }

/// A slice of `src` with the listed unit dimensions dropped from the result.
Value slice(Emitter &e, Value src, ArrayRef<OpFoldResult> offsets,
            ArrayRef<OpFoldResult> sizes, ArrayRef<unsigned> drop) {
  SmallVector<int64_t> shape;
  for (auto [i, s] : llvm::enumerate(sizes)) {
    if (llvm::is_contained(drop, i))
      continue;
    std::optional<int64_t> c = getConstantIntValue(s);
    shape.push_back(c ? *c : ShapedType::kDynamic);
  }
  auto type = RankedTensorType::get(shape, tensorType(src).getElementType());
  SmallVector<OpFoldResult> strides(sizes.size(), e.b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(e.b, e.loc, type, src, offsets, sizes,
                                        strides);
}

struct FlashAttention {
  Emitter &e;
  AttentionOp op;
  int64_t blockQ, blockKV, splits;

  bool bshd = false, causal = false, window = false;
  int64_t B = 0, H = 0, Hkv = 0, Sq = 0, Skv = 0, D = 0, Dv = 0, G = 1;
  int64_t W = 0, qOffset = 0;
  Value scale = {};
  float scaleValue = 1.0f;
  StringRef level = {};

  /// Positions of a tile's head and token dimensions in its row space: the
  /// query tile is [G, tokens, D] head-major, [tokens, G, D] token-major.
  unsigned headPos() const { return bshd ? 1 : 0; }
  unsigned tokPos() const { return bshd ? 0 : 1; }

  SmallVector<OpFoldResult> rowShape(Value qn) {
    SmallVector<OpFoldResult> rs(2);
    rs[headPos()] = e.b.getIndexAttr(G);
    rs[tokPos()] = qn;
    return rs;
  }
  SmallVector<OpFoldResult> with(ArrayRef<OpFoldResult> rs, OpFoldResult last) {
    SmallVector<OpFoldResult> out(rs);
    out.push_back(last);
    return out;
  }
  Value safeMax(Value m) {
    return e.select(e.cmpf(arith::CmpFPredicate::OEQ, m, e.negInf()), e.f(0),
                    m);
  }

  /// Offsets and sizes of a [B, H, S, X] / [B, S, H, X] operand for heads
  /// [h0, h0 + nh) and tokens [s0, s0 + ns).
  void place(Value b, OpFoldResult h0, OpFoldResult nh, OpFoldResult s0,
             OpFoldResult ns, int64_t x, SmallVector<OpFoldResult> &offs,
             SmallVector<OpFoldResult> &sizes) {
    OpFoldResult zero = e.b.getIndexAttr(0), one = e.b.getIndexAttr(1);
    offs = {b, h0, s0, zero};
    sizes = {one, nh, ns, e.b.getIndexAttr(x)};
    if (bshd) {
      std::swap(offs[1], offs[2]);
      std::swap(sizes[1], sizes[2]);
    }
  }

  Value rope(Value x, Value pos, Value n, int64_t seqDim) {
    Value cos = op.getRopeCos(), sin = op.getRopeSin();
    int64_t half = tensorType(cos).getDimSize(1);
    SmallVector<OpFoldResult> offs{pos, e.b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes{n, e.b.getIndexAttr(half)};
    Value c = slice(e, cos, offs, sizes, {});
    Value s = slice(e, sin, offs, sizes, {});
    Value init = e.empty(e.sizes(x), tensorType(x).getElementType());
    return buildRope(e, x, c, s, init, seqDim,
                     op.getRopeMode() == RopeMode::interleaved, 0);
  }

  /// [X, Y, Z] -> [X * Y, Z] and back.
  Value collapseRows(Value t) {
    return tensor::CollapseShapeOp::create(
        e.b, e.loc, t, ArrayRef<ReassociationIndices>{{0, 1}, {2}});
  }
  Value expandRows(Value t, ArrayRef<OpFoldResult> shape) {
    auto src = tensorType(t);
    SmallVector<int64_t> static3;
    for (OpFoldResult s : shape) {
      std::optional<int64_t> c = getConstantIntValue(s);
      static3.push_back(c ? *c : ShapedType::kDynamic);
    }
    auto type = RankedTensorType::get(static3, src.getElementType());
    return tensor::ExpandShapeOp::create(
        e.b, e.loc, type, t, ArrayRef<ReassociationIndices>{{0, 1}, {2}},
        shape);
  }

  /// A tile-level sinter.gemm `a` [R, K] x `bm` ([K, N], or [N, K] with
  /// `transposeB`) -> [R, N] f32 whose epilogue is `body(acc, extras...)`,
  /// tagged with the core level so backends treat it as a tile kernel.
  Value tileGemm(Value a, Value bm, bool transposeB, ValueRange extras,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    OpBuilder &b = e.b;
    Location loc = e.loc;
    SmallVector<OpFoldResult> shape{
        tensor::getMixedSize(b, loc, a, 0),
        tensor::getMixedSize(b, loc, bm, transposeB ? 0 : 1)};
    Value init = e.empty(shape, e.f32Type());
    SmallVector<Attribute> maps(extras.size(),
                                AffineMapAttr::get(e.identity(2)));
    auto gemm = GemmOp::create(b, loc, TypeRange{init.getType()}, a, bm,
                               Value(), Value(), extras, ValueRange{init},
                               /*transpose_a=*/false, transposeB, e.f32Type(),
                               /*pairwise=*/false, b.getArrayAttr(maps),
                               WeightQuantAttr(), b.getArrayAttr({}));
    gemm->setAttr(kMemoryLevelAttrName, b.getStringAttr(level));
    SmallVector<Type> argTypes(1 + extras.size(), e.f32Type());
    SmallVector<Location> locs(argTypes.size(), loc);
    OpBuilder::InsertionGuard guard(b);
    Block *block = b.createBlock(&gemm.getEpilogue(), {}, argTypes, locs);
    b.setInsertionPointToStart(block);
    Value y = body(b, loc, block->getArguments());
    YieldOp::create(b, loc, ValueRange{y});
    return gemm.getResult(0);
  }

  /// One inner step: the key block [k0, k0 + kn) updates (m, l, acc).
  SmallVector<Value> step(Value b, Value g, Value qTile, Value q0, Value qn,
                          Value first, Value last, Value k0, ValueRange carry) {
    IndexMath im{e};
    Value m = carry[0], l = carry[1], acc = carry[2];
    Value kn = im.min(e.idx(blockKV), e.sub(e.idx(Skv), k0));
    SmallVector<OpFoldResult> offs, sizes;
    place(b, g, e.b.getIndexAttr(1), k0, kn, D, offs, sizes);
    Value kTile = slice(e, op.getKey(), offs, sizes, {0, bshd ? 2u : 1u});
    if (op.getRopeCos())
      kTile = rope(kTile, k0, kn, 0);
    place(b, g, e.b.getIndexAttr(1), k0, kn, Dv, offs, sizes);
    Value vTile = slice(e, op.getValue(), offs, sizes, {0, bshd ? 2u : 1u});

    SmallVector<OpFoldResult> rs = rowShape(qn);
    SmallVector<OpFoldResult> scoreShape = with(rs, kn);
    AffineMap id3 = e.identity(3), rowMap = e.map(3, {0, 1});

    // S = Q K^T * scale (softcapped) as one tile gemm over the flattened
    // rows, then the bias.
    std::optional<float> softcap;
    if (auto c = op.getSoftcap())
      softcap = c->convertToFloat();
    Value sFlat = tileGemm(
        collapseRows(qTile), kTile, /*transposeB=*/true, {},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          Value sc =
              arith::ConstantOp::create(b, loc, b.getF32FloatAttr(scaleValue));
          Value x = arith::MulFOp::create(b, loc, args[0], sc);
          if (softcap) {
            Value cap =
                arith::ConstantOp::create(b, loc, b.getF32FloatAttr(*softcap));
            x = arith::MulFOp::create(
                b, loc, cap,
                math::TanhOp::create(b, loc,
                                     arith::DivFOp::create(b, loc, x, cap)));
          }
          return x;
        });
    Value logits = expandRows(sFlat, scoreShape);
    if (Value bias = op.getBias()) {
      auto bT = tensorType(bias);
      bool oneBatch = bT.getDimSize(0) == 1, oneHead = bT.getDimSize(1) == 1;
      // A bias shared by the queries (a key-padding mask) is one row.
      bool oneQuery = bT.getDimSize(2) == 1 && Sq != 1;
      SmallVector<OpFoldResult> bOffs{
          oneBatch ? OpFoldResult(e.b.getIndexAttr(0)) : ofr(b),
          oneHead ? OpFoldResult(e.b.getIndexAttr(0)) : ofr(e.mul(g, e.idx(G))),
          oneQuery ? OpFoldResult(e.b.getIndexAttr(0)) : q0, k0};
      SmallVector<OpFoldResult> bSizes{
          e.b.getIndexAttr(1), e.b.getIndexAttr(oneHead ? 1 : G),
          oneQuery ? OpFoldResult(e.b.getIndexAttr(1)) : qn, kn};
      Value biasTile = slice(e, bias, bOffs, bSizes, {0});
      logits = e.generic1(
          {logits, biasTile}, e.empty(scoreShape, e.f32Type()),
          {id3,
           e.map(3, {oneHead ? -1 : int64_t(headPos()),
                     oneQuery ? -1 : int64_t(tokPos()), 2}),
           id3},
          iters(3), [&](ValueRange a) { return e.add(a[0], e.toF32(a[1])); });
    }

    // Only blocks crossing the diagonal or the window edge need the mask.
    if (causal) {
      Value lastKey = e.sub(e.add(k0, kn), e.idx(1));
      Value needs = e.cmpi(arith::CmpIPredicate::sgt, lastKey, first);
      if (window)
        needs = e.ori(needs, e.cmpi(arith::CmpIPredicate::sle,
                                    e.add(k0, e.idx(W)), last));
      auto ifOp = scf::IfOp::create(e.b, e.loc, TypeRange{logits.getType()},
                                    needs, /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(e.b);
        e.b.setInsertionPointToStart(&ifOp.getThenRegion().front());
        Value masked = e.generic1(
            {logits}, e.empty(scoreShape, e.f32Type()), {id3, id3}, iters(3),
            [&](ValueRange a) {
              Value pos = e.add(first, e.index(tokPos()));
              Value key = e.add(k0, e.index(2));
              Value visible = e.cmpi(arith::CmpIPredicate::sle, key, pos);
              if (window)
                visible = e.andi(visible, e.cmpi(arith::CmpIPredicate::slt,
                                                 e.sub(pos, key), e.idx(W)));
              return e.select(visible, a[0], e.negInf());
            });
        scf::YieldOp::create(e.b, e.loc, masked);
        e.b.setInsertionPointToStart(&ifOp.getElseRegion().front());
        scf::YieldOp::create(e.b, e.loc, logits);
      }
      logits = ifOp.getResult(0);
    }

    // Online softmax: new max, rescale the running sum and accumulator.
    Value mNew = e.generic1({logits}, m, {id3, rowMap}, iters(3, {2}),
                            [&](ValueRange a) { return e.max(a[1], a[0]); });
    Value p = e.generic1({logits, mNew}, e.empty(scoreShape, e.f32Type()),
                         {id3, rowMap, id3}, iters(3), [&](ValueRange a) {
                           return math::ExpOp::create(
                               e.b, e.loc, e.sub(a[0], safeMax(a[1])));
                         });
    AffineMap id2 = e.identity(2);
    Value corr = e.generic1({m, mNew}, e.empty(rs, e.f32Type()),
                            {id2, id2, id2}, iters(2), [&](ValueRange a) {
                              return math::ExpOp::create(
                                  e.b, e.loc, e.sub(a[0], safeMax(a[1])));
                            });
    Value lScaled =
        e.generic1({l, corr}, e.empty(rs, e.f32Type()), {id2, id2, id2},
                   iters(2), [&](ValueRange a) { return e.mul(a[0], a[1]); });
    Value lNew = e.generic1({p}, lScaled, {id3, rowMap}, iters(3, {2}),
                            [&](ValueRange a) { return e.add(a[1], a[0]); });
    Value accScaled = e.generic1(
        {acc, corr}, e.empty(e.sizes(acc), e.f32Type()), {id3, rowMap, id3},
        iters(3), [&](ValueRange a) { return e.mul(a[0], a[1]); });
    // acc' = acc * c + P V: one tile gemm whose epilogue adds the rescaled
    // accumulator.
    // P stays f32; V is widened to match (a [kn, Dv] tile per step).
    Value vF32 = vTile;
    if (!tensorType(vTile).getElementType().isF32())
      vF32 = e.generic1({vTile}, e.empty(e.sizes(vTile), e.f32Type()),
                        {e.identity(2), e.identity(2)}, iters(2),
                        [&](ValueRange a) { return e.toF32(a[0]); });
    Value accNewFlat = tileGemm(
        collapseRows(p), vF32, /*transposeB=*/false, {collapseRows(accScaled)},
        [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return arith::AddFOp::create(b, loc, args[0], args[1]);
        });
    Value accNew = expandRows(accNewFlat, e.sizes(accScaled));
    return {mNew, lNew, accNew};
  }

  SmallVector<Value> build(StringRef levelName) {
    StringRef level = levelName;
    IndexMath im{e};
    auto qT = tensorType(op.getQuery()), kT = tensorType(op.getKey()),
         vT = tensorType(op.getValue());
    bshd = op.getLayout() == AttentionLayout::bshd;
    unsigned hIdx = op.getHeadDim(), sIdx = op.getSeqDim();
    B = qT.getDimSize(0);
    H = qT.getDimSize(hIdx);
    Hkv = kT.getDimSize(hIdx);
    Sq = qT.getDimSize(sIdx);
    Skv = kT.getDimSize(sIdx);
    D = qT.getDimSize(3);
    Dv = vT.getDimSize(3);
    G = H / Hkv;
    causal = op.getMask() != MaskKind::none;
    window = op.getMask() == MaskKind::sliding_window;
    W = op.getWindow().value_or(0);
    qOffset = op.getQueryOffset();
    scaleValue = op.getScale() ? op.getScale()->convertToFloat()
                               : 1.0 / std::sqrt(static_cast<double>(D));
    scale = e.f(scaleValue);
    this->level = level;
    ValueRange inits = op.getInits();
    bool withLse = inits.size() == 2;
    Type outElem = tensorType(inits[0]).getElementType();
    int64_t qTiles = (Sq + blockQ - 1) / blockQ;

    // Split-KV partial results: outputs in the operand layout, LSE [B,H,Sq].
    SmallVector<Value> outs(inits);
    if (splits > 1) {
      SmallVector<int64_t> oShape{splits};
      llvm::append_range(oShape, tensorType(inits[0]).getShape());
      outs = {tensor::EmptyOp::create(e.b, e.loc, oShape, e.f32Type()),
              tensor::EmptyOp::create(e.b, e.loc,
                                      ArrayRef<int64_t>{splits, B, H, Sq},
                                      e.f32Type())};
    }
    SmallVector<OpFoldResult> ubs{e.b.getIndexAttr(B), e.b.getIndexAttr(Hkv),
                                  e.b.getIndexAttr(qTiles)};
    if (splits > 1)
      ubs.push_back(e.b.getIndexAttr(splits));
    auto forall =
        scf::ForallOp::create(e.b, e.loc, ubs, outs, std::nullopt, nullptr);
    forall->setAttr(kMemoryLevelAttrName, e.b.getStringAttr(level));
    SmallVector<Value> oTile, lseTile;
    Value b, g, q0, qn;
    {
      OpBuilder::InsertionGuard guard(e.b);
      e.b.setInsertionPoint(forall.getTerminator());
      SmallVector<Value> ivs(forall.getInductionVars());
      b = ivs[0];
      g = ivs[1];
      q0 = e.mul(ivs[2], e.idx(blockQ));
      qn = im.min(e.idx(blockQ), e.sub(e.idx(Sq), q0));
      Value h0 = e.mul(g, e.idx(G));
      SmallVector<OpFoldResult> offs, sizes;
      place(b, h0, e.b.getIndexAttr(G), q0, qn, D, offs, sizes);
      Value qTile = slice(e, op.getQuery(), offs, sizes, {0});
      Value first = e.add(q0, e.idx(qOffset));
      Value last = e.sub(e.add(first, qn), e.idx(1));
      if (op.getRopeCos())
        qTile = rope(qTile, first, qn, tokPos());

      // The key range the mask leaves visible, from a block boundary.
      Value zero = e.idx(0), skv = e.idx(Skv), bk = e.idx(blockKV);
      Value hi = causal ? e.clampIndex(e.add(last, e.idx(1)), zero, skv) : skv;
      Value lo =
          window ? e.clampIndex(e.sub(first, e.idx(W - 1)), zero, skv) : zero;
      lo = e.mul(im.floorDiv(lo, bk), bk);
      if (splits > 1) {
        Value blocks = im.max(im.ceilDiv(e.sub(hi, lo), bk), zero);
        Value span = e.mul(im.ceilDiv(blocks, e.idx(splits)), bk);
        Value sLo = e.add(lo, e.mul(ivs[3], span));
        hi = im.min(hi, e.add(sLo, span));
        lo = sLo;
      }

      SmallVector<OpFoldResult> rs = rowShape(qn);
      SmallVector<Value> carry{
          e.filled(rs, e.f32Type(), -INFINITY), e.filled(rs, e.f32Type(), 0),
          e.filled(with(rs, e.b.getIndexAttr(Dv)), e.f32Type(), 0)};
      auto loop = scf::ForOp::create(e.b, e.loc, lo, hi, bk, carry);
      {
        OpBuilder::InsertionGuard inner(e.b);
        e.b.setInsertionPointToStart(loop.getBody());
        SmallVector<Value> next =
            step(b, g, qTile, q0, qn, first, last, loop.getInductionVar(),
                 loop.getRegionIterArgs());
        scf::YieldOp::create(e.b, e.loc, next);
      }
      Value m = loop.getResult(0), l = loop.getResult(1),
            acc = loop.getResult(2);
      AffineMap id3 = e.identity(3), rowMap = e.map(3, {0, 1});
      Type tileElem = splits > 1 ? e.f32Type() : outElem;
      oTile.push_back(e.generic1(
          {acc, l}, e.empty(e.sizes(acc), tileElem), {id3, rowMap, id3},
          iters(3), [&](ValueRange a) {
            Value has = e.cmpf(arith::CmpFPredicate::OGT, a[1], e.f(0));
            return e.convert(e.select(has, e.div(a[0], a[1]), e.f(0)),
                             tileElem);
          }));
      if (withLse || splits > 1) {
        // LSE is [B, H, Sq] in both layouts: the tile is [G, tokens].
        SmallVector<OpFoldResult> lseShape{e.b.getIndexAttr(G), qn};
        AffineMap in = bshd ? e.map(2, {1, 0}) : e.identity(2);
        lseTile.push_back(e.generic1(
            {m, l}, e.empty(lseShape, e.f32Type()), {in, in, e.identity(2)},
            iters(2), [&](ValueRange a) {
              Value has = e.cmpf(arith::CmpFPredicate::OGT, a[1], e.f(0));
              Value lse =
                  e.add(safeMax(a[0]), math::LogOp::create(e.b, e.loc, a[1]));
              return e.select(has, lse, e.negInf());
            }));
      }
      // Write the tile back.
      e.b.setInsertionPointToStart(forall.getTerminator().getBody());
      ValueRange shared = forall.getRegionIterArgs();
      OpFoldResult one = e.b.getIndexAttr(1);
      place(b, h0, e.b.getIndexAttr(G), q0, qn, Dv, offs, sizes);
      SmallVector<OpFoldResult> lOffs{b, h0, q0},
          lSizes{one, e.b.getIndexAttr(G), qn};
      if (splits > 1) {
        offs.insert(offs.begin(), ivs[3]);
        sizes.insert(sizes.begin(), one);
        lOffs.insert(lOffs.begin(), ivs[3]);
        lSizes.insert(lSizes.begin(), one);
      }
      SmallVector<OpFoldResult> ones(offs.size(), one),
          lOnes(lOffs.size(), one);
      tensor::ParallelInsertSliceOp::create(e.b, e.loc, oTile[0], shared[0],
                                            offs, sizes, ones);
      if (!lseTile.empty())
        tensor::ParallelInsertSliceOp::create(e.b, e.loc, lseTile[0], shared[1],
                                              lOffs, lSizes, lOnes);
    }
    if (splits == 1)
      return forall.getResults();
    return combine(forall.getResult(0), forall.getResult(1), inits, outElem);
  }

  /// Merges split partials: weights exp(lse_s - max_s lse_s).
  SmallVector<Value> combine(Value partO, Value partL, ValueRange inits,
                             Type outElem) {
    SmallVector<OpFoldResult> rows{e.b.getIndexAttr(B), e.b.getIndexAttr(H),
                                   e.b.getIndexAttr(Sq)};
    // Loops (b, h, i, s): partials are [s, b, h, i].
    AffineMap part = e.map(4, {3, 0, 1, 2}), row = e.map(4, {0, 1, 2});
    Value mx = e.generic1({partL}, e.filled(rows, e.f32Type(), -INFINITY),
                          {part, row}, iters(4, {3}),
                          [&](ValueRange a) { return e.max(a[1], a[0]); });
    Value den = e.generic1(
        {partL, mx}, e.filled(rows, e.f32Type(), 0), {part, row, row},
        iters(4, {3}), [&](ValueRange a) {
          return e.add(a[2], math::ExpOp::create(e.b, e.loc,
                                                 e.sub(a[0], safeMax(a[1]))));
        });
    // Loops (b, h, i, c, s); partial outputs follow the operand layout.
    AffineMap pO = bshd ? e.map(5, {4, 0, 2, 1, 3}) : e.map(5, {4, 0, 1, 2, 3});
    SmallVector<OpFoldResult> num{rows[0], rows[1], rows[2],
                                  e.b.getIndexAttr(Dv)};
    Value sum = e.generic1({partO, partL, mx}, e.filled(num, e.f32Type(), 0),
                           {pO, e.map(5, {4, 0, 1, 2}), e.map(5, {0, 1, 2}),
                            e.map(5, {0, 1, 2, 3})},
                           iters(5, {4}), [&](ValueRange a) {
                             Value w = math::ExpOp::create(
                                 e.b, e.loc, e.sub(a[1], safeMax(a[2])));
                             return e.add(a[3], e.mul(w, a[0]));
                           });
    AffineMap outMap = bshd ? e.map(4, {0, 2, 1, 3}) : e.identity(4);
    SmallVector<Value> results;
    results.push_back(e.generic1(
        {sum, den}, inits[0], {e.identity(4), e.map(4, {0, 1, 2}), outMap},
        iters(4), [&](ValueRange a) {
          Value has = e.cmpf(arith::CmpFPredicate::OGT, a[1], e.f(0));
          return e.convert(e.select(has, e.div(a[0], a[1]), e.f(0)), outElem);
        }));
    if (inits.size() == 2)
      results.push_back(e.generic1(
          {mx, den}, inits[1], {e.identity(3), e.identity(3), e.identity(3)},
          iters(3), [&](ValueRange a) {
            Value has = e.cmpf(arith::CmpFPredicate::OGT, a[1], e.f(0));
            Value lse =
                e.add(safeMax(a[0]), math::LogOp::create(e.b, e.loc, a[1]));
            return e.select(has, lse, e.negInf());
          }));
    return results;
  }
};
} // namespace

LogicalResult
mlir::sinter::detail::tileAttention(RewriterBase &rewriter, AttentionOp op,
                                    int64_t blockQ, int64_t blockKV,
                                    int64_t splits, StringRef level) {
  for (Value v : op->getOperands())
    if (!tensorType(v).hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
  if (blockQ <= 0 || blockKV <= 0 || splits <= 0)
    return rewriter.notifyMatchFailure(op, "invalid blocks");
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(op);
  Emitter e{rewriter, op.getLoc()};
  FlashAttention flash{e, op, blockQ, blockKV, splits};
  SmallVector<Value> results = flash.build(level);
  rewriter.replaceOp(op, results);
  return success();
}
