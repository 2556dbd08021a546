//===- AttentionKernel.cpp - FlashAttention-2 style GPU kernel ------------===//
//
// sinter.attention (f16/bf16, f32 softmax and accumulation) as one kernel in
// the FlashAttention-2 form, on mma.sync m16n8k16 (sm_80 and later):
//
//   block (bx, h, b): 64 queries of head h, 4 warps of 16 query rows
//   Q -> shared (cp.async) -> A fragments held in registers for the kernel
//   for each 64-key block j in the blocks the mask lets these queries see:
//     K_j is in shared memory (issued one step ahead); issue V_j (cp.async)
//     S = Q K_j^T on the tensor cores (B fragments by ldmatrix from [key][d])
//     scale, softcap, mask; online softmax in registers: row max and sum
//     across the quad of lanes that holds a row (shuffles), rescale O
//     wait for V_j; issue K_{j+1} into the K buffer
//     O += P V_j: P stays in registers (an accumulator tile is laid out as
//     the A fragment of the next mma), V fragments by ldmatrix.trans
//   O / l stored (and the log-sum-exp when asked for)
//
// The loads of V_j overlap S and the softmax; those of K_{j+1} overlap P V.
// Causal and sliding-window masks bound the key loop, so hidden blocks are
// never loaded; causal grids run the longest query blocks first.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Target/GPU/GPUTarget.h"
#include <cmath>

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
constexpr int64_t kBM = 64, kBN = 64, kWarps = 4, kThreads = 32 * kWarps;
constexpr int64_t kPad = 8;
constexpr int64_t kMaxHeadDim = 128;

/// Element offsets of Q/K/V/O rows: `[B, H, S, D]` or, token-major, `[B, S,
/// H, D]`.
struct Layout {
  int64_t heads, seq, dim;
  bool bshd;
  int64_t rowStride() const { return bshd ? heads * dim : dim; }
};

struct AttentionKernel : KernelBuilder {
  AttentionOp op;
  Type elem;
  int64_t batch, hq, hkv, sq, skv, d, dv;

  /// Offset (elements) of row 0 of head `h` of batch `bi`.
  Value headBase(const Layout &l, Value bi, Value h) {
    if (l.bshd)
      return add(mul(bi, idx(l.seq * l.heads * l.dim)), mul(h, idx(l.dim)));
    return mul(add(mul(bi, idx(l.heads)), h), idx(l.seq * l.dim));
  }

  /// cp.async of rows [r0, r0 + 64) x [0, cols) of the head at element
  /// offset `base` of global `src` into the shared tile `dst` (rows padded
  /// to cols + kPad); rows at or past `rows` are zero-filled.
  void loadTile(Value dst, Value src, Value base, const Layout &l, Value r0,
                int64_t rows, int64_t cols, Value tid) {
    int64_t chunksPerRow = cols / 8;
    for (int64_t i = 0; i < kBM * chunksPerRow / kThreads; ++i) {
      Value c = add(tid, idx(i * kThreads));
      Value r = divu(c, chunksPerRow), col = mul(remu(c, chunksPerRow), idx(8));
      Value gr = add(r0, r);
      Value valid = lt(gr, idx(rows));
      // Zero-filled rows still need an address inside the tensor.
      Value safe = arith::SelectOp::create(b, loc, valid, gr, idx(0));
      Value srcOff = add(base, add(mul(safe, idx(l.rowStride())), col));
      Value dstOff = add(mul(r, idx(cols + kPad)), col);
      copyAsync16(pointer(address(dst), mul(dstOff, idx(2)), 3),
                  pointer(address(src), mul(srcOff, idx(2)), 1), valid);
    }
  }

  void build(gpu::GPUFuncOp func, ValueRange args, ValueRange outs) {
    Value Q = args[0], K = args[1], V = args[2];
    Value O = outs[0];
    Value lse = outs.size() > 1 ? outs[1] : Value();
    Value kTile = func.getWorkgroupAttributions()[0];
    Value vTile = func.getWorkgroupAttributions()[1];
    bool bshd = op.getLayout() == AttentionLayout::bshd;
    Layout ql{hq, sq, d, bshd}, kl{hkv, skv, d, bshd}, vl{hkv, skv, dv, bshd},
        ol{hq, sq, dv, bshd};
    MaskKind mask = op.getMask();
    int64_t offset = op.getQueryOffset();

    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value lane = remu(tid, 32), warp = divu(tid, 32);
    Value g = divu(lane, 4), t2 = mul(remu(lane, 4), idx(2));
    Value qBlock = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    if (mask != MaskKind::none) // longest blocks first
      qBlock = sub(idx(llvm::divideCeil(sq, kBM) - 1), qBlock);
    Value h = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
    Value bi = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
    Value hk = divu(h, hq / hkv);
    Value q0 = mul(qBlock, idx(kBM));
    Value wm = mul(warp, idx(16));

    // ldmatrix lane roles: row lrow of matrix q = lane / 8.
    Value lrow = remu(lane, 8), q = divu(lane, 8);
    Value qLow = remu(q, 2), qHigh = divu(q, 2);

    // Q -> shared (through the K buffer) -> registers.
    loadTile(kTile, Q, headBase(ql, bi, h), ql, q0, sq, d, tid);
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    gpu::BarrierOp::create(b, loc);
    Value kBase = address(kTile), vBase = address(vTile);
    SmallVector<SmallVector<Value>> qf;
    for (int64_t kk = 0; kk < d / 16; ++kk)
      qf.push_back(ldmatrix4(kBase, d + kPad, add(add(wm, lrow), mul(qLow, idx(8))),
                             add(idx(kk * 16), mul(qHigh, idx(8))), elem));
    gpu::BarrierOp::create(b, loc);

    // The key blocks these queries can see.
    auto minsi = [&](Value x, Value y) {
      return arith::MinSIOp::create(b, loc, x, y).getResult();
    };
    auto maxsi = [&](Value x, Value y) {
      return arith::MaxSIOp::create(b, loc, x, y).getResult();
    };
    Value kvBegin = idx(0), kvEnd = idx(skv);
    if (mask != MaskKind::none) {
      Value lastPos = add(minsi(add(q0, idx(kBM - 1)), idx(sq - 1)),
                          idx(offset));
      kvEnd = maxsi(idx(0), minsi(idx(skv), add(lastPos, idx(1))));
    }
    if (mask == MaskKind::sliding_window) {
      int64_t window = op.getWindowAttr().getInt();
      Value first = maxsi(idx(0), sub(add(q0, idx(offset + 1)), idx(window)));
      kvBegin = mul(divu(first, kBN), idx(kBN));
    }
    Value kvHeadK = headBase(kl, bi, hk), kvHeadV = headBase(vl, bi, hk);
    auto issueK = [&](Value kv0) {
      loadTile(kTile, K, kvHeadK, kl, kv0, skv, d, tid);
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
    };
    auto ifThen = [&](Value cond, llvm::function_ref<void()> body) {
      auto i = scf::IfOp::create(b, loc, TypeRange{}, cond, false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&i.getThenRegion().front());
      body();
    };
    ifThen(lt(kvBegin, kvEnd), [&] { issueK(kvBegin); });

    // Logits are kept in the log2 domain: exp(x) = 2^(x log2 e).
    float scale = op.getScale() ? op.getScale()->convertToFloat()
                                : float(1.0 / std::sqrt(double(d)));
    std::optional<float> softcap;
    if (op.getSoftcap())
      softcap = op.getSoftcap()->convertToFloat();
    const float log2e = 1.4426950408889634f;

    int64_t numO = dv / 8 * 4;
    Value negInf = f32(-INFINITY), zero = f32(0);
    SmallVector<Value> init{negInf, negInf, zero, zero};
    init.append(numO, zero);
    auto loop = scf::ForOp::create(b, loc, kvBegin, kvEnd, idx(kBN), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kv0 = loop.getInductionVar();
      SmallVector<Value> m(loop.getRegionIterArgs().take_front(2));
      SmallVector<Value> l(loop.getRegionIterArgs().slice(2, 2));
      SmallVector<Value> o(loop.getRegionIterArgs().drop_front(4));

      NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
      gpu::BarrierOp::create(b, loc);
      loadTile(vTile, V, kvHeadV, vl, kv0, skv, dv, tid);
      NVVM::CpAsyncCommitGroupOp::create(b, loc);

      // S = Q K^T: 8 tiles of 16 x 8 per warp.
      SmallVector<Value> s(kBN / 8 * 4, zero);
      for (int64_t kk = 0; kk < d / 16; ++kk)
        for (int64_t nt = 0; nt < kBN / 8; nt += 2) {
          SmallVector<Value> r = ldmatrix4(
              kBase, d + kPad, add(idx(nt * 8), add(lrow, mul(qHigh, idx(8)))),
              add(idx(kk * 16), mul(qLow, idx(8))), elem);
          mma16816(elem, qf[kk], {r[0], r[1]},
                   MutableArrayRef<Value>(&s[nt * 4], 4));
          mma16816(elem, qf[kk], {r[2], r[3]},
                   MutableArrayRef<Value>(&s[(nt + 1) * 4], 4));
        }

      // Scale, softcap and mask; element e of tile nt is query row
      // g + 8 (e / 2) of the warp, key 8 nt + t2 + e % 2 of the block.
      bool needsBounds = skv % kBN != 0;
      for (int64_t nt = 0; nt < kBN / 8; ++nt)
        for (int64_t e = 0; e < 4; ++e) {
          Value &x = s[nt * 4 + e];
          if (softcap) {
            x = arith::MulFOp::create(b, loc, x, f32(scale / *softcap));
            x = math::TanhOp::create(b, loc, x);
            x = arith::MulFOp::create(b, loc, x, f32(*softcap * log2e));
          } else {
            x = arith::MulFOp::create(b, loc, x, f32(scale * log2e));
          }
          if (!needsBounds && mask == MaskKind::none)
            continue;
          Value key = add(kv0, add(t2, idx(nt * 8 + e % 2)));
          Value visible = lt(key, idx(skv));
          if (mask != MaskKind::none) {
            Value pos = add(add(q0, add(wm, g)), idx((e / 2) * 8 + offset));
            visible = both(visible, arith::CmpIOp::create(
                                        b, loc, arith::CmpIPredicate::sle,
                                        key, pos));
            if (mask == MaskKind::sliding_window)
              visible = both(
                  visible,
                  arith::CmpIOp::create(
                      b, loc, arith::CmpIPredicate::slt, sub(pos, key),
                      idx(op.getWindowAttr().getInt())));
          }
          x = arith::SelectOp::create(b, loc, visible, x, negInf);
        }

      // Online softmax, per row half (h2 = 0: row g, 1: row g + 8).
      SmallVector<Value> alpha(2);
      for (int64_t h2 = 0; h2 < 2; ++h2) {
        Value mx = m[h2];
        for (int64_t nt = 0; nt < kBN / 8; ++nt)
          for (int64_t e = 0; e < 2; ++e)
            mx = arith::MaxNumFOp::create(b, loc, mx, s[nt * 4 + h2 * 2 + e]);
        mx = quadReduce(mx, /*isMax=*/true);
        // A row that has seen no key yet keeps -inf; subtract 0 then.
        Value isEmpty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                              mx, negInf);
        Value base = arith::SelectOp::create(b, loc, isEmpty, zero, mx);
        alpha[h2] = exp2(arith::SubFOp::create(b, loc, m[h2], base));
        Value sum = arith::MulFOp::create(b, loc, l[h2], alpha[h2]);
        for (int64_t nt = 0; nt < kBN / 8; ++nt)
          for (int64_t e = 0; e < 2; ++e) {
            Value &x = s[nt * 4 + h2 * 2 + e];
            x = exp2(arith::SubFOp::create(b, loc, x, base));
            sum = arith::AddFOp::create(b, loc, sum, x);
          }
        m[h2] = mx;
        l[h2] = sum;
      }
      for (int64_t i = 0; i < numO; ++i)
        o[i] = arith::MulFOp::create(b, loc, o[i], alpha[(i % 4) / 2]);

      NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
      gpu::BarrierOp::create(b, loc);
      Value next = add(kv0, idx(kBN));
      ifThen(lt(next, kvEnd), [&] { issueK(next); });

      // O += P V; P's tiles 2kk and 2kk + 1 are the A fragment of keys
      // [16 kk, 16 kk + 16).
      for (int64_t kk = 0; kk < kBN / 16; ++kk) {
        SmallVector<Value> pa{
            packPair(s[(2 * kk) * 4 + 0], s[(2 * kk) * 4 + 1], elem),
            packPair(s[(2 * kk) * 4 + 2], s[(2 * kk) * 4 + 3], elem),
            packPair(s[(2 * kk + 1) * 4 + 0], s[(2 * kk + 1) * 4 + 1], elem),
            packPair(s[(2 * kk + 1) * 4 + 2], s[(2 * kk + 1) * 4 + 3], elem)};
        for (int64_t nt = 0; nt < dv / 8; nt += 2) {
          SmallVector<Value> r = ldmatrix4(
              vBase, dv + kPad, add(idx(kk * 16), add(lrow, mul(qLow, idx(8)))),
              add(idx(nt * 8), mul(qHigh, idx(8))), elem, /*transpose=*/true);
          mma16816(elem, pa, {r[0], r[1]},
                   MutableArrayRef<Value>(&o[nt * 4], 4));
          mma16816(elem, pa, {r[2], r[3]},
                   MutableArrayRef<Value>(&o[(nt + 1) * 4], 4));
        }
      }
      SmallVector<Value> yield(m);
      llvm::append_range(yield, l);
      llvm::append_range(yield, o);
      scf::YieldOp::create(b, loc, yield);
    }

    // O / l (0 for a row that saw no key), and the log-sum-exp.
    Type outElem = cast<MemRefType>(O.getType()).getElementType();
    for (int64_t h2 = 0; h2 < 2; ++h2) {
      Value row = add(q0, add(wm, add(g, idx(h2 * 8))));
      Value total = quadReduce(loop.getResult(2 + h2), /*isMax=*/false);
      Value isZero = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                           total, zero);
      Value inv = arith::SelectOp::create(
          b, loc, isZero, zero,
          arith::DivFOp::create(b, loc, f32(1), total).getResult());
      ifThen(lt(row, idx(sq)), [&] {
        for (int64_t nt = 0; nt < dv / 8; ++nt)
          for (int64_t e = 0; e < 2; ++e) {
            Value v = arith::MulFOp::create(
                b, loc, loop.getResult(4 + nt * 4 + h2 * 2 + e), inv);
            if (outElem != v.getType())
              v = arith::TruncFOp::create(b, loc, outElem, v);
            Value col = add(t2, idx(nt * 8 + e));
            memref::StoreOp::create(
                b, loc, v, O,
                bshd ? ValueRange{bi, row, h, col} : ValueRange{bi, h, row, col});
          }
        if (!lse)
          return;
        ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t2,
                                     idx(0)),
               [&] {
                 // ln(l 2^m) = m ln 2 + ln l.
                 Value mLn = arith::MulFOp::create(
                     b, loc, loop.getResult(h2), f32(float(M_LN2)));
                 Value v = arith::AddFOp::create(
                     b, loc, mLn, math::LogOp::create(b, loc, total));
                 v = arith::SelectOp::create(b, loc, isZero, negInf, v);
                 memref::StoreOp::create(b, loc, v, lse,
                                         ValueRange{bi, h, row});
               });
      });
    }
    gpu::ReturnOp::create(b, loc);
  }
};
} // namespace

std::string mlir::sinter::gpu_kernels::unsupportedAttention(AttentionOp op) {
  if (op.getBias())
    return "an additive bias is not supported by the GPU attention kernel "
           "yet";
  if (op.getRopeCos())
    return "fused rotary embeddings are not supported by the GPU attention "
           "kernel yet";
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return "dynamic shapes are not supported";
  Type q = getElementTypeOrSelf(op.getQuery().getType());
  if (q != getElementTypeOrSelf(op.getKey().getType()) ||
      q != getElementTypeOrSelf(op.getValue().getType()) ||
      !(q.isF16() || q.isBF16()))
    return "Q, K and V must all be f16 or all bf16";
  Type o = getElementTypeOrSelf(op.getInits()[0].getType());
  if (!(o.isF16() || o.isBF16() || o.isF32()))
    return "the output must be f16, bf16 or f32";
  if (op.getInits().size() > 1 &&
      !getElementTypeOrSelf(op.getInits()[1].getType()).isF32())
    return "the log-sum-exp must be f32";
  int64_t d = cast<RankedTensorType>(op.getKey().getType()).getShape().back();
  int64_t dv =
      cast<RankedTensorType>(op.getValue().getType()).getShape().back();
  for (int64_t x : {d, dv})
    if (x % 16 != 0 || x > kMaxHeadDim)
      return "head dimensions must be multiples of 16 up to " +
             std::to_string(kMaxHeadDim) + " (got " + std::to_string(x) + ")";
  return "";
}

gpu::GPUFuncOp mlir::sinter::gpu_kernels::createAttentionKernel(
    OpBuilder &b, AttentionOp op, func::FuncOp f, ArrayRef<Type> params,
    std::array<int64_t, 3> &grid, int64_t &threads) {
  auto qT = cast<RankedTensorType>(op.getQuery().getType());
  auto kT = cast<RankedTensorType>(op.getKey().getType());
  auto vT = cast<RankedTensorType>(op.getValue().getType());
  unsigned hIdx = op.getHeadDim(), sIdx = op.getSeqDim();
  Type elem = qT.getElementType();
  int64_t d = kT.getShape().back(), dv = vT.getShape().back();
  auto shared = gpu::AddressSpaceAttr::get(b.getContext(),
                                           gpu::AddressSpace::Workgroup);
  auto tile = [&](int64_t cols) {
    return MemRefType::get({kBM, cols + kPad}, elem,
                           MemRefLayoutAttrInterface{}, shared);
  };
  auto kernel = gpu::GPUFuncOp::create(b, f.getLoc(), f.getName(),
                                       b.getFunctionType(params, {}),
                                       TypeRange{tile(d), tile(dv)},
                                       TypeRange{});
  kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  kernel.setKnownBlockSizeAttr(
      b.getDenseI32ArrayAttr({int32_t(kThreads), 1, 1}));
  kernel->setAttr("nvvm.maxntid",
                  b.getDenseI32ArrayAttr({int32_t(kThreads), 1, 1}));
  Block &entry = kernel.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&entry);
  AttentionKernel k{{b, op.getLoc()},
                    op,
                    elem,
                    qT.getDimSize(0),
                    qT.getDimSize(hIdx),
                    kT.getDimSize(hIdx),
                    qT.getDimSize(sIdx),
                    kT.getDimSize(sIdx),
                    d,
                    dv};
  // The function's arguments (Q, K, V in that order of use) and results.
  SmallVector<Value> args, outs;
  for (auto [i, arg] : llvm::enumerate(f.getArguments()))
    args.push_back(entry.getArgument(i));
  for (unsigned r = 0; r < f.getNumResults(); ++r)
    outs.push_back(entry.getArgument(f.getNumArguments() + r));
  auto argOf = [&](Value v) {
    return args[cast<BlockArgument>(v).getArgNumber()];
  };
  k.build(kernel,
          ValueRange{argOf(op.getQuery()), argOf(op.getKey()),
                     argOf(op.getValue())},
          outs);
  grid = {int64_t(llvm::divideCeil(k.sq, kBM)), k.hq, k.batch};
  threads = kThreads;
  return kernel;
}
