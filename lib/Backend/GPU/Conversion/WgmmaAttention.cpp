//===- WgmmaAttention.cpp - FlashAttention-3 form on Hopper (sm_90a) ------===//
#include "AttentionCore.h"
#include "sinter/Backend/GPU/Passes.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
/// sinter.attention on Hopper (sm_90a) in the FlashAttention-3 form, for
/// the [B, H, S, D] layout with D = Dv in {64, 128}:
///
///   block (bx, h, b): 128 queries of head h; warpgroup 0 is the producer,
///   warpgroups 1 and 2 the consumers (64 query rows each)
///   the producer loads Q once, then K_j and V_j (128 keys) into a ring of
///   2 stages with TMA (3-d boxes per head: zeros past S), each completing
///   its stage's `full` mbarrier; it refills a stage once its `empty`
///   mbarrier says every consumer warp is done with it
///   per key block, each consumer warpgroup: S = Q K_j^T by wgmma
///   m64n128k16 (Q and K from shared memory); scale, softcap, mask and the
///   online softmax on the accumulator fragments (a row is spread over the
///   4 lanes of a quad); P rounded to the input type into a swizzled tile
///   of its own in shared memory; O rescaled, then O += P V_j by wgmma
///   m64nDk16 (V read N-major); release the stage
///   O / l stored from registers (and the log-sum-exp when asked for)
///
/// The two consumer warpgroups work independently, so one's softmax runs
/// while the other's matrix products use the tensor cores. Causal and
/// sliding-window masks bound the key loop; causal grids run the longest
/// query blocks first.
struct WgmmaAttentionKernel : KernelBuilder {
  static constexpr int64_t kBM = 128, kBKV = 128, kThreads = 384;
  static constexpr int64_t kStages = 2, kConsumerWarps = 8;
  AttentionOp op;
  Type elem;
  int64_t d, batch, hq, hkv, sq, skv;
  float scale;
  std::optional<float> softcap;

  /// The softmax of this kernel's scale and softcap.
  OnlineSoftmax softmax() { return {*this, scale, softcap, {}, {}}; }

  /// Shared memory: Q, the ring of K and V tiles, each consumer's P tile,
  /// then the mbarriers (Q, full x stages, empty x stages). Tiles are
  /// column blocks of 64 elements (128-byte rows, 128-byte swizzle).
  int64_t qBytes() const { return kBM * d * 2; }
  int64_t kvBytes() const { return kBKV * d * 2; }
  int64_t pBytes() const { return 64 * kBKV * 2; }
  int64_t ringOffset() const { return qBytes(); }
  int64_t pOffset() const { return ringOffset() + kStages * 2 * kvBytes(); }
  int64_t barrierOffset() const { return pOffset() + 2 * pBytes(); }
  int64_t sharedBytes() const {
    return barrierOffset() + 8 * (1 + 2 * kStages) + 1024;
  }

  void build(gpu::GPUFuncOp func, ValueRange args, ValueRange outs, Value mapQ,
             Value mapK, Value mapV) {
    Value O = outs[0];
    Value lse = outs.size() > 1 ? outs[1] : Value();
    MaskKind mask = op.getMask();
    int64_t offsetQ = op.getQueryOffset();
    MLIRContext *ctx = b.getContext();
    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    auto [h, bi, hk, q0] = queryBlock(*this, op, kBM, sq, hq, hkv);

    // The key blocks these queries can see.
    auto [kvBegin, kvEnd] = visibleKeys(*this, op, q0, kBM, sq, skv, kBKV);
    int64_t window =
        mask == MaskKind::sliding_window ? op.getWindowAttr().getInt() : 0;
    Value numBlocks = arith::MaxSIOp::create(
        b, loc, idx(0), divu(add(sub(kvEnd, kvBegin), idx(kBKV - 1)), kBKV));

    Value base = alignedDynamicShared();
    Value qTile = base;
    auto kTile = [&](Value stage) {
      return offset(base,
                    add(mul(stage, idx(2 * kvBytes())), idx(ringOffset())));
    };
    auto vTile = [&](Value stage) {
      return offset(kTile(stage), idx(kvBytes()));
    };
    Value qFull = offset(base, idx(barrierOffset()));
    auto fullBarrier = [&](Value stage) {
      return offset(qFull, add(mul(stage, idx(8)), idx(8)));
    };
    auto emptyBarrier = [&](Value stage) {
      return offset(qFull, add(mul(stage, idx(8)), idx(8 + 8 * kStages)));
    };
    auto isZero = [&](Value v) {
      return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, idx(0));
    };
    ifThen(isZero(tid), [&] {
      mbarrierInit(qFull, 1);
      for (int64_t s = 0; s < kStages; ++s) {
        mbarrierInit(fullBarrier(idx(s)), 1);
        mbarrierInit(emptyBarrier(idx(s)), kConsumerWarps);
      }
      NVVM::FenceMbarrierInitOp::create(b, loc);
    });
    gpu::BarrierOp::create(b, loc);

    auto position = [&](Value j) {
      return std::make_pair(remu(j, kStages), remu(divu(j, kStages), 2));
    };
    Value wg = divu(tid, 128);
    auto roles = scf::IfOp::create(b, loc, TypeRange{}, isZero(wg), true);
    int64_t blocks = d / 64;
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&roles.getThenRegion().front());
      NVVM::SetMaxRegisterOp::create(b, loc, 40,
                                     NVVM::SetMaxRegisterAction::decrease);
      ifThen(isZero(tid), [&] {
        // Tile rows of one head: box (64 columns, rows, 1) at (column,
        // first row, batch x heads + head).
        auto loadTile = [&](Value dst, Value map, Value row0, Value headRow,
                            int64_t rows, Value bar) {
          for (int64_t c = 0; c < blocks; ++c)
            tmaLoad(offset(dst, idx(c * rows * 128)), map,
                    ValueRange{i32(idx(64 * c)), i32(row0), i32(headRow)}, bar);
        };
        expectBytes(qFull, qBytes());
        loadTile(qTile, mapQ, q0, add(mul(bi, idx(hq)), h), kBM, qFull);
        Value kvHead = add(mul(bi, idx(hkv)), hk);
        auto loop = scf::ForOp::create(b, loc, idx(0), numBlocks, idx(1));
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(loop.getBody());
        Value j = loop.getInductionVar();
        auto [stage, parity] = position(j);
        // A fresh barrier counts as having completed the phase before its
        // first: the first pass over the ring does not wait.
        mbarrierWait(emptyBarrier(stage),
                     arith::XOrIOp::create(b, loc, parity, idx(1)));
        Value full = fullBarrier(stage);
        expectBytes(full, 2 * kvBytes());
        Value kv0 = add(kvBegin, mul(j, idx(kBKV)));
        loadTile(kTile(stage), mapK, kv0, kvHead, kBKV, full);
        loadTile(vTile(stage), mapV, kv0, kvHead, kBKV, full);
      });
    }
    b.setInsertionPointToStart(&roles.getElseRegion().front());
    NVVM::SetMaxRegisterOp::create(b, loc, 232,
                                   NVVM::SetMaxRegisterAction::increase);
    Value cw = sub(wg, idx(1));
    Value lane = remu(tid, 32);
    Value warpRow = mul(remu(divu(tid, 32), 4), idx(16));
    Value quadRow = divu(lane, 4), t2 = mul(remu(lane, 4), idx(2));
    // Accumulator i of a thread: row warpRow + quadRow + 8 ((i / 2) % 2) of
    // its warpgroup's 64, column 8 (i / 4) + t2 + i % 2.
    Value rows[2];
    for (int64_t h2 = 0; h2 < 2; ++h2)
      rows[h2] = add(add(q0, mul(cw, idx(64))),
                     add(warpRow, add(quadRow, idx(8 * h2))));
    Value pTile = offset(base, add(mul(cw, idx(pBytes())), idx(pOffset())));
    Value barrierId = i32(add(cw, idx(1)));
    auto f32Struct = [&](int64_t n) {
      return LLVM::LLVMStructType::getLiteral(
          ctx, SmallVector<Type>(n, b.getF32Type()));
    };
    auto sType = f32Struct(kBKV / 2), oType = f32Struct(d / 2);
    OnlineSoftmax sm = softmax();
    sm.start();
    Value negInf = sm.negInf, zero = sm.zero;
    mbarrierWait(qFull, idx(0));

    SmallVector<Value> init{negInf, negInf, zero, zero,
                            LLVM::ZeroOp::create(b, loc, oType)};
    auto loop = scf::ForOp::create(b, loc, idx(0), numBlocks, idx(1), init);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      Value j = loop.getInductionVar();
      auto iters = loop.getRegionIterArgs();
      Value m[2] = {iters[0], iters[1]}, l[2] = {iters[2], iters[3]};
      Value o = iters[4];
      auto [stage, parity] = position(j);
      Value kv0 = add(kvBegin, mul(j, idx(kBKV)));
      mbarrierWait(fullBarrier(stage), parity);

      // S = Q K_j^T, k steps of 16 along D: 32 bytes along a block's rows,
      // the next column block every 4.
      Value s = LLVM::ZeroOp::create(b, loc, sType);
      NVVM::WgmmaFenceAlignedOp::create(b, loc);
      for (int64_t kk = 0; kk < d / 16; ++kk) {
        int64_t c = kk / 4, w = (kk % 4) * 32;
        Value qa =
            offset(qTile, add(mul(cw, idx(64 * 128)), idx(c * kBM * 128 + w)));
        Value kb = offset(kTile(stage), idx(c * kBKV * 128 + w));
        s = wgmma(s, swizzledDescriptor(qa, 16), swizzledDescriptor(kb, 16),
                  elem, kBKV, /*bNMajor=*/false);
      }
      NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
      NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);

      // Scale and softcap (log2 domain). With a positive scale and no
      // softcap the scale is folded into the exponent instead (the row max
      // of the raw scores, scaled once; exp2(s c - m) as one FMA).
      bool fold = sm.canFoldScale();
      SmallVector<Value> x;
      for (int64_t i = 0; i < kBKV / 2; ++i)
        x.push_back(
            sm.scaleScore(LLVM::ExtractValueOp::create(b, loc, s, i), fold));
      // The mask, only on the blocks it cuts: the last one when S is not a
      // multiple of the block, the diagonal (and the window's far edge) for
      // the warpgroup's 64 rows.
      bool limit = skv % kBKV != 0;
      if (limit || mask != MaskKind::none) {
        Value lastKey = add(kv0, idx(kBKV - 1));
        Value cut;
        auto either = [&](Value c) {
          cut = cut ? arith::OrIOp::create(b, loc, cut, c).getResult() : c;
        };
        if (limit)
          either(lt(idx(skv - 1), lastKey));
        Value firstPos = add(add(q0, mul(cw, idx(64))), idx(offsetQ));
        if (mask != MaskKind::none)
          either(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt,
                                       lastKey, firstPos));
        if (mask == MaskKind::sliding_window)
          either(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                       sub(add(firstPos, idx(63)), kv0),
                                       idx(window)));
        auto masked = scf::IfOp::create(
            b, loc, SmallVector<Type>(x.size(), b.getF32Type()), cut, true);
        OpBuilder::InsertionGuard g2(b);
        b.setInsertionPointToStart(&masked.getThenRegion().front());
        SmallVector<Value> y;
        for (auto [i, v] : llvm::enumerate(x)) {
          Value key = add(kv0, add(t2, idx(8 * (i / 4) + i % 2)));
          Value visible =
              keyVisible(*this, mask, window, limit ? idx(skv) : Value(), key,
                         add(rows[(i / 2) % 2], idx(offsetQ)));
          y.push_back(arith::SelectOp::create(b, loc, visible, v, negInf));
        }
        scf::YieldOp::create(b, loc, y);
        b.setInsertionPointToStart(&masked.getElseRegion().front());
        scf::YieldOp::create(b, loc, x);
        x.assign(masked.getResults().begin(), masked.getResults().end());
      }
      // Online softmax per row half.
      Value alpha[2];
      for (int64_t h2 = 0; h2 < 2; ++h2) {
        SmallVector<Value *> row;
        for (int64_t i = 0; i < kBKV / 2; ++i)
          if ((i / 2) % 2 == h2)
            row.push_back(&x[i]);
        OnlineSoftmax::RowUpdate u = sm.updateRow(m[h2], l[h2], row, fold);
        alpha[h2] = u.alpha;
        m[h2] = u.max;
        l[h2] = u.sum;
      }
      // P into the warpgroup's tile: keys in blocks of 64 (128-byte rows),
      // 16-byte chunk c of row r at c ^ (r % 8).
      for (int64_t i = 0; i < kBKV / 2; i += 2) {
        Value r = add(warpRow, add(quadRow, idx(8 * ((i / 2) % 2))));
        int64_t col = 8 * (i / 4);
        Value chunk =
            arith::XOrIOp::create(b, loc, idx((col % 64) / 8), remu(r, 8));
        Value at = add(add(idx((col / 64) * 64 * 128), mul(r, idx(128))),
                       add(mul(chunk, idx(16)), mul(t2, idx(2))));
        Value pair = vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, b.getF32Type()),
            ValueRange{x[i], x[i + 1]});
        Value narrow =
            arith::TruncFOp::create(b, loc, VectorType::get({2}, elem), pair);
        LLVM::StoreOp::create(b, loc, narrow, shared(offset(pTile, at)), 4);
      }
      fenceAsyncShared();
      namedBarrier(barrierId, 128);
      // O = alpha O + P V_j: k steps of 16 keys (32 bytes along P's rows,
      // 16 rows of V); V's column blocks are kBKV rows apart.
      for (int64_t i = 0; i < d / 2; ++i) {
        Value v = LLVM::ExtractValueOp::create(b, loc, o, i);
        v = arith::MulFOp::create(b, loc, v, alpha[(i / 2) % 2]);
        o = LLVM::InsertValueOp::create(b, loc, o, v, i);
      }
      NVVM::WgmmaFenceAlignedOp::create(b, loc);
      for (int64_t kk = 0; kk < kBKV / 16; ++kk) {
        int64_t c = kk / 4, w = (kk % 4) * 32;
        Value pa = offset(pTile, idx(c * 64 * 128 + w));
        Value vb = offset(vTile(stage), idx(kk * 16 * 128));
        o = wgmma(o, swizzledDescriptor(pa, 16),
                  swizzledDescriptor(vb, kBKV * 128), elem, d,
                  /*bNMajor=*/true);
      }
      NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
      NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
      ifThen(isZero(lane), [&] { mbarrierArrive(emptyBarrier(stage)); });
      // Every thread of the warpgroup is past its reads of P before the
      // next block overwrites it.
      namedBarrier(barrierId, 128);
      scf::YieldOp::create(b, loc, ValueRange{m[0], m[1], l[0], l[1], o});
    }

    // O / l (0 for a row that saw no key) and the log-sum-exp.
    Type outElem = cast<MemRefType>(O.getType()).getElementType();
    int64_t outBytes = outElem.getIntOrFloatBitWidth() / 8;
    Value o = loop.getResult(4);
    for (int64_t h2 = 0; h2 < 2; ++h2) {
      OnlineSoftmax::Normalizer n = sm.normalizer(loop.getResult(2 + h2));
      Value inv = n.inverse;
      Value row = rows[h2];
      ifThen(lt(row, idx(sq)), [&] {
        Value rowOffset =
            mul(add(mul(add(mul(bi, idx(hq)), h), idx(sq)), row), idx(d));
        for (int64_t i = 0; i < d / 2; i += 4) {
          int64_t at = i + 2 * h2;
          Value pair = vector::FromElementsOp::create(
              b, loc, VectorType::get({2}, b.getF32Type()),
              ValueRange{
                  arith::MulFOp::create(
                      b, loc, LLVM::ExtractValueOp::create(b, loc, o, at), inv),
                  arith::MulFOp::create(
                      b, loc, LLVM::ExtractValueOp::create(b, loc, o, at + 1),
                      inv)});
          if (!outElem.isF32())
            pair = arith::TruncFOp::create(b, loc,
                                           VectorType::get({2}, outElem), pair);
          Value col = add(t2, idx(8 * (i / 4)));
          Value ptr =
              pointer(address(O), mul(add(rowOffset, col), idx(outBytes)), 1);
          LLVM::StoreOp::create(b, loc, pair, ptr, 2 * outBytes);
        }
        if (lse)
          ifThen(isZero(t2), [&] {
            memref::StoreOp::create(b, loc, sm.logSumExp(loop.getResult(h2), n),
                                    lse, ValueRange{bi, h, row});
          });
      });
    }
    b.setInsertionPointAfter(roles);
    gpu::ReturnOp::create(b, loc);
  }
};
} // namespace

bool gpu_kernels::usesWgmmaAttention(AttentionOp attn,
                                     const GPUResources &gpu) {
  int64_t d = cast<RankedTensorType>(attn.getKey().getType()).getShape().back();
  int64_t dv =
      cast<RankedTensorType>(attn.getValue().getType()).getShape().back();
  return gpu.hopper && attn.getLayout() == AttentionLayout::bhsd && d == dv &&
         (d == 64 || d == 128);
}

KernelPlan gpu_kernels::createWgmmaAttentionKernels(OpBuilder &b,
                                                    AttentionOp attn,
                                                    func::FuncOp f,
                                                    ArrayRef<Type> params,
                                                    const GPUResources &gpu) {
  using W = WgmmaAttentionKernel;
  Location loc = attn.getLoc();
  auto argIndex = [&](Value v) {
    return int64_t(cast<BlockArgument>(v).getArgNumber());
  };
  auto qT = cast<RankedTensorType>(attn.getQuery().getType());
  auto kT = cast<RankedTensorType>(attn.getKey().getType());
  Type elem = qT.getElementType();
  int64_t d = kT.getShape().back();
  // Q, K and V are read through TMA descriptors (3-d: heads, rows,
  // columns), passed by value after the buffers.
  SmallVector<Type> kernelParams(params);
  kernelParams.append(3, LLVM::LLVMPointerType::get(b.getContext()));
  auto kernel = createKernelFunc(b, loc, f.getName(), kernelParams, TypeRange{},
                                 W::kThreads);
  int64_t n = params.size();
  kernel->setAttr(kTensorMapArgsAttrName,
                  b.getDenseI64ArrayAttr({n, n + 1, n + 2}));
  Block &entry = kernel.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&entry);
  W k{{b, loc},
      attn,
      elem,
      d,
      qT.getDimSize(0),
      qT.getDimSize(1),
      kT.getDimSize(1),
      qT.getDimSize(2),
      kT.getDimSize(2),
      scaleOf(attn.getScale(), d),
      softcapOf(attn.getSoftcap())};
  SmallVector<Value> qkv, outs;
  for (Value v : {attn.getQuery(), attn.getKey(), attn.getValue()})
    qkv.push_back(entry.getArgument(argIndex(v)));
  for (unsigned r = 0; r < f.getNumResults(); ++r)
    outs.push_back(entry.getArgument(f.getNumArguments() + r));
  k.build(kernel, qkv, outs, entry.getArgument(n), entry.getArgument(n + 1),
          entry.getArgument(n + 2));
  auto map = [&](Value operand, int64_t heads, int64_t rows, int64_t boxRows) {
    return TensorMap{argIndex(operand), heads, rows, d, boxRows, 64, 2};
  };
  KernelPlan plan;
  plan.launches.push_back(
      KernelLaunch{f.getName().str(),
                   {int64_t(llvm::divideCeil(k.sq, W::kBM)), k.hq, k.batch},
                   W::kThreads,
                   k.sharedBytes()});
  plan.tensorMaps = {map(attn.getQuery(), k.batch * k.hq, k.sq, W::kBM),
                     map(attn.getKey(), k.batch * k.hkv, k.skv, W::kBKV),
                     map(attn.getValue(), k.batch * k.hkv, k.skv, W::kBKV)};
  return plan;
}
