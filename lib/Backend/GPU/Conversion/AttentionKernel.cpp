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
#include "sinter/Backend/GPU/Passes.h"
#include <cmath>

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
constexpr int64_t kBN = 64, kPad = 8;
constexpr int64_t kMaxHeadDim = 128;
constexpr float kLog2e = 1.4426950408889634f;

/// Element offsets of Q/K/V/O rows: `[B, H, S, D]` or, token-major, `[B, S,
/// H, D]`.
struct Layout {
  int64_t heads, seq, dim;
  bool bshd;
  int64_t rowStride() const { return bshd ? heads * dim : dim; }
};

/// Which keys the two rows a thread holds may see.
struct RowMask {
  MaskKind mask = MaskKind::none;
  int64_t window = 0;
  /// Keys at or past it are invisible (null: every key of the block is).
  Value keyLimit;
  /// The positions of the thread's rows g and g + 8 (with a mask).
  Value pos[2];
};

/// Whether `key` is visible to the query at position `pos` under `mask`
/// (`window` for a sliding window) and below `keyLimit` when that is set;
/// null when every key is.
Value keyVisible(KernelBuilder &k, MaskKind mask, int64_t window,
                 Value keyLimit, Value key, Value pos) {
  Value visible;
  auto also = [&](Value c) { visible = visible ? k.both(visible, c) : c; };
  if (keyLimit)
    also(k.lt(key, keyLimit));
  if (mask != MaskKind::none) {
    also(
        arith::CmpIOp::create(k.b, k.loc, arith::CmpIPredicate::sle, key, pos));
    if (mask == MaskKind::sliding_window)
      also(arith::CmpIOp::create(k.b, k.loc, arith::CmpIPredicate::slt,
                                 k.sub(pos, key), k.idx(window)));
  }
  return visible;
}

/// Where a block of `rows` queries of sinter.attention works: its head,
/// batch, KV head and first query (query blocks along grid x, the longest
/// first under a mask).
struct QueryBlock {
  Value h, bi, hk, q0;
};
QueryBlock queryBlock(KernelBuilder &k, AttentionOp op, int64_t rows,
                      int64_t sq, int64_t hq, int64_t hkv) {
  Value qBlock = gpu::BlockIdOp::create(k.b, k.loc, gpu::Dimension::x);
  if (op.getMask() != MaskKind::none) // longest blocks first
    qBlock = k.sub(k.idx(llvm::divideCeil(sq, rows) - 1), qBlock);
  QueryBlock q;
  q.h = gpu::BlockIdOp::create(k.b, k.loc, gpu::Dimension::y);
  q.bi = gpu::BlockIdOp::create(k.b, k.loc, gpu::Dimension::z);
  q.hk = k.divu(q.h, hq / hkv);
  q.q0 = k.mul(qBlock, k.idx(rows));
  return q;
}

/// The keys [begin, end) that queries [q0, q0 + rows) can see (begin a
/// multiple of `align`).
std::pair<Value, Value> visibleKeys(KernelBuilder &k, AttentionOp op, Value q0,
                                    int64_t rows, int64_t sq, int64_t skv,
                                    int64_t align) {
  auto minsi = [&](Value x, Value y) {
    return arith::MinSIOp::create(k.b, k.loc, x, y).getResult();
  };
  auto maxsi = [&](Value x, Value y) {
    return arith::MaxSIOp::create(k.b, k.loc, x, y).getResult();
  };
  int64_t offset = op.getQueryOffset();
  Value begin = k.idx(0), end = k.idx(skv);
  if (op.getMask() != MaskKind::none) {
    Value lastPos =
        k.add(minsi(k.add(q0, k.idx(rows - 1)), k.idx(sq - 1)), k.idx(offset));
    end = maxsi(k.idx(0), minsi(k.idx(skv), k.add(lastPos, k.idx(1))));
  }
  if (op.getMask() == MaskKind::sliding_window) {
    Value first = maxsi(k.idx(0), k.sub(k.add(q0, k.idx(offset + 1)),
                                        k.idx(op.getWindowAttr().getInt())));
    begin = k.mul(k.divu(first, align), k.idx(align));
  }
  return {begin, end};
}

/// The FlashAttention-2 machinery both attention kernels share: tiles
/// staged by cp.async, Q fragments in registers, the key loop with the
/// online softmax, and the final 1 / l. Each warp owns 16 query rows.
struct FlashCore : KernelBuilder {
  Type elem;
  int64_t d, dv, warps;
  /// K buffers: 2 lets K_{j+1} load during all of block j (measured faster
  /// on the H100 for D = 64, slower for D = 128, no change for decode).
  int64_t kStages;
  float scale;
  std::optional<float> softcap;
  /// Shared tiles (i64 addresses of the kernel's workgroup buffers):
  /// kStages K buffers and one V.
  Value kBase, kBase2, vBase;
  Value tid, lane, warp, g, t2, lrow, qLow, qHigh, wm;

  int64_t threads() const { return 32 * warps; }
  static int64_t tileBytes(int64_t cols) { return kBN * (cols + kPad) * 2; }
  /// The shared memory the kernel's tiles take.
  int64_t sharedBytes() const { return kStages * tileBytes(d) + tileBytes(dv); }
  /// The columns of the shared tiles, in the order init() takes them.
  SmallVector<int64_t> tileColumns() const {
    SmallVector<int64_t> cols(kStages, d);
    cols.push_back(dv);
    return cols;
  }
  Value minsi(Value x, Value y) {
    return arith::MinSIOp::create(b, loc, x, y).getResult();
  }
  Value maxsi(Value x, Value y) {
    return arith::MaxSIOp::create(b, loc, x, y).getResult();
  }

  void init(gpu::GPUFuncOp func) {
    tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    lane = remu(tid, 32);
    warp = divu(tid, 32);
    g = divu(lane, 4);
    t2 = mul(remu(lane, 4), idx(2));
    wm = mul(warp, idx(16));
    // ldmatrix lane roles: row lrow of matrix lane / 8.
    lrow = remu(lane, 8);
    Value q = divu(lane, 8);
    qLow = remu(q, 2);
    qHigh = divu(q, 2);
    // Static workgroup buffers: with them ptxas allocated fewer registers
    // and the D = 128 kernel ran 10 % faster than from dynamic shared
    // memory (H100).
    auto tiles = func.getWorkgroupAttributions();
    kBase = address(tiles[0]);
    kBase2 = kStages == 2 ? address(tiles[1]) : kBase;
    vBase = address(tiles.back());
  }

  /// Rows between one thread's rows in loadRows when every thread copies
  /// the same column of its rows (threads a multiple of the 16-byte chunks
  /// per row), else 0.
  int64_t rowStep(int64_t cols) const {
    int64_t chunksPerRow = cols / 8;
    return threads() % chunksPerRow == 0 ? threads() / chunksPerRow : 0;
  }

  /// cp.async of tile rows [0, rows) x [0, cols) from global `src` into the
  /// shared tile at `tileBase` (rows padded to cols + kPad), one 16-byte
  /// chunk per thread and copy. `row(r, c)` gives whether tile row r + c
  /// exists and the element offset of its first element in `src`; missing
  /// rows are zero-filled (and read nothing). With a row step (rowStep),
  /// r < step is the thread's first row and c a multiple of the step, so
  /// callers can fold what rows share (a cache block's table entry);
  /// otherwise c is 0.
  void
  loadRows(Value tileBase, Value src, int64_t rows, int64_t cols,
           llvm::function_ref<std::pair<Value, Value>(Value, int64_t)> row) {
    int64_t chunksPerRow = cols / 8;
    // Rows come in multiples of 16 and chunks per row are even.
    assert(rows * chunksPerRow % threads() == 0 && "uneven tile copy");
    Value srcBase = address(src);
    int64_t step = rowStep(cols);
    for (int64_t i = 0; i < rows * chunksPerRow / threads(); ++i) {
      Value r, col;
      int64_t c = 0;
      if (step) {
        r = divu(tid, chunksPerRow);
        col = mul(remu(tid, chunksPerRow), idx(8));
        c = i * step;
      } else {
        Value chunk = add(tid, idx(i * threads()));
        r = divu(chunk, chunksPerRow);
        col = mul(remu(chunk, chunksPerRow), idx(8));
      }
      auto [valid, offset] = row(r, c);
      Value dstOff = add(mul(add(r, idx(c)), idx(cols + kPad)), col);
      copyAsync16(pointer(tileBase, mul(dstOff, idx(2)), 3),
                  pointer(srcBase, mul(add(offset, col), idx(2)), 1), valid);
    }
  }

  /// The A fragments of this warp's 16 Q rows, staged in the K tile.
  SmallVector<SmallVector<Value>> qFragments() {
    SmallVector<SmallVector<Value>> qf;
    for (int64_t kk = 0; kk < d / 16; ++kk)
      qf.push_back(ldmatrix4(kBase, d + kPad,
                             add(add(wm, lrow), mul(qLow, idx(8))),
                             add(idx(kk * 16), mul(qHigh, idx(8))), elem));
    return qf;
  }

  /// The key loop over 64-key blocks [begin, end) (the first K block must
  /// already be issued into the first K buffer). Results: row max (log2
  /// domain) and partial row sum of rows g and g + 8, then the O
  /// accumulators. issueK(kv0, buffer) and issueV(kv0) queue the copies of
  /// a block.
  scf::ForOp keyLoop(Value begin, Value end, ArrayRef<SmallVector<Value>> qf,
                     llvm::function_ref<void(Value, Value)> issueK,
                     llvm::function_ref<void(Value)> issueV,
                     const RowMask &rm) {
    int64_t numO = dv / 8 * 4;
    Value negInf = f32(-INFINITY), zero = f32(0);
    SmallVector<Value> init{negInf, negInf, zero, zero};
    init.append(numO, zero);
    auto loop = scf::ForOp::create(b, loc, begin, end, idx(kBN), init);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kv0 = loop.getInductionVar();
    SmallVector<Value> m(loop.getRegionIterArgs().take_front(2));
    SmallVector<Value> l(loop.getRegionIterArgs().slice(2, 2));
    SmallVector<Value> o(loop.getRegionIterArgs().drop_front(4));

    // Two K buffers: block j's K is in buffer j % 2, and K_{j+1} goes to
    // the other one while block j computes (every warp is past block
    // j - 1, which read it). One: K_{j+1} waits until S_j is done.
    Value kCur = kBase, kNext = kBase;
    if (kStages == 2) {
      Value odd =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne,
                                remu(divu(sub(kv0, begin), kBN), 2), idx(0));
      kCur = arith::SelectOp::create(b, loc, odd, kBase2, kBase);
      kNext = arith::SelectOp::create(b, loc, odd, kBase, kBase2);
    }
    Value next = add(kv0, idx(kBN));
    auto issueNextK = [&] {
      ifThen(lt(next, end), [&] { issueK(next, kNext); });
      NVVM::CpAsyncCommitGroupOp::create(b, loc);
    };
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    gpu::BarrierOp::create(b, loc);
    issueV(kv0);
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
    if (kStages == 2)
      issueNextK();

    // S = Q K^T: 8 tiles of 16 x 8 per warp.
    SmallVector<Value> s(kBN / 8 * 4, zero);
    for (int64_t kk = 0; kk < d / 16; ++kk)
      for (int64_t nt = 0; nt < kBN / 8; nt += 2) {
        SmallVector<Value> r = ldmatrix4(
            kCur, d + kPad, add(idx(nt * 8), add(lrow, mul(qHigh, idx(8)))),
            add(idx(kk * 16), mul(qLow, idx(8))), elem);
        mma16816(elem, qf[kk], {r[0], r[1]},
                 MutableArrayRef<Value>(&s[nt * 4], 4));
        mma16816(elem, qf[kk], {r[2], r[3]},
                 MutableArrayRef<Value>(&s[(nt + 1) * 4], 4));
      }

    // Scale, softcap and mask; element e of tile nt is row g + 8 (e / 2)
    // of the warp and key 8 nt + t2 + e % 2 of the block.
    for (int64_t nt = 0; nt < kBN / 8; ++nt)
      for (int64_t e = 0; e < 4; ++e) {
        Value &x = s[nt * 4 + e];
        if (softcap) {
          x = arith::MulFOp::create(b, loc, x, f32(scale / *softcap));
          x = math::TanhOp::create(b, loc, x);
          x = arith::MulFOp::create(b, loc, x, f32(*softcap * kLog2e));
        } else {
          x = arith::MulFOp::create(b, loc, x, f32(scale * kLog2e));
        }
        if (!rm.keyLimit && rm.mask == MaskKind::none)
          continue;
        Value key = add(kv0, add(t2, idx(nt * 8 + e % 2)));
        Value visible = keyVisible(*this, rm.mask, rm.window, rm.keyLimit, key,
                                   rm.pos[e / 2]);
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
      Value isEmpty =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mx, negInf);
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

    // V_j must have arrived (with two K buffers, K_{j+1} may not yet).
    NVVM::CpAsyncWaitGroupOp::create(b, loc, kStages == 2 ? 1 : 0);
    gpu::BarrierOp::create(b, loc);
    if (kStages == 1)
      issueNextK();

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
        mma16816(elem, pa, {r[0], r[1]}, MutableArrayRef<Value>(&o[nt * 4], 4));
        mma16816(elem, pa, {r[2], r[3]},
                 MutableArrayRef<Value>(&o[(nt + 1) * 4], 4));
      }
    }
    SmallVector<Value> yield(m);
    llvm::append_range(yield, l);
    llvm::append_range(yield, o);
    scf::YieldOp::create(b, loc, yield);
    return loop;
  }

  /// What the loop leaves for row half h2: the normalized outputs O / l
  /// (0 for a row that saw no key; columns t2 + 8 nt + {0, 1}) and the
  /// log-sum-exp (-inf for such a row).
  struct RowResult {
    SmallVector<Value> o;
    Value lse;
  };
  RowResult finish(scf::ForOp loop, int64_t h2) {
    Value zero = f32(0);
    Value total = quadReduce(loop.getResult(2 + h2), /*isMax=*/false);
    Value isZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, total, zero);
    Value inv = arith::SelectOp::create(
        b, loc, isZero, zero,
        arith::DivFOp::create(b, loc, f32(1), total).getResult());
    RowResult r;
    for (int64_t nt = 0; nt < dv / 8; ++nt)
      for (int64_t e = 0; e < 2; ++e)
        r.o.push_back(arith::MulFOp::create(
            b, loc, loop.getResult(4 + nt * 4 + h2 * 2 + e), inv));
    // ln(l 2^m) = m ln 2 + ln l.
    Value mLn =
        arith::MulFOp::create(b, loc, loop.getResult(h2), f32(float(M_LN2)));
    Value lse =
        arith::AddFOp::create(b, loc, mLn, math::LogOp::create(b, loc, total));
    r.lse = arith::SelectOp::create(b, loc, isZero, f32(-INFINITY), lse);
    return r;
  }

  Value narrow(Value v, Type to) {
    return v.getType() == to
               ? v
               : arith::TruncFOp::create(b, loc, to, v).getResult();
  }
};

/// sinter.attention: 4 warps, 64 queries of one head per block.
struct AttentionKernel : FlashCore {
  static constexpr int64_t kWarps = 4, kBM = 16 * kWarps;
  AttentionOp op;
  int64_t batch, hq, hkv, sq, skv;

  /// Offset (elements) of row 0 of head `h` of batch `bi`.
  Value headBase(const Layout &l, Value bi, Value h) {
    if (l.bshd)
      return add(mul(bi, idx(l.seq * l.heads * l.dim)), mul(h, idx(l.dim)));
    return mul(add(mul(bi, idx(l.heads)), h), idx(l.seq * l.dim));
  }
  /// Rows [r0, r0 + 64) of the head at `base`; rows past `rows` missing.
  std::function<std::pair<Value, Value>(Value, int64_t)>
  rowsFrom(Value base, const Layout &l, Value r0, int64_t rows) {
    return [=, this](Value rThread, int64_t rowConst) {
      Value gr = add(r0, add(rThread, idx(rowConst)));
      Value valid = lt(gr, idx(rows));
      // Missing rows still need an address inside the tensor.
      Value safe = arith::SelectOp::create(b, loc, valid, gr, idx(0));
      return std::make_pair(valid, add(base, mul(safe, idx(l.rowStride()))));
    };
  }

  void build(gpu::GPUFuncOp func, ValueRange args, ValueRange outs) {
    init(func);
    Value Q = args[0], K = args[1], V = args[2];
    Value O = outs[0];
    Value lse = outs.size() > 1 ? outs[1] : Value();
    bool bshd = op.getLayout() == AttentionLayout::bshd;
    Layout ql{hq, sq, d, bshd}, kl{hkv, skv, d, bshd}, vl{hkv, skv, dv, bshd};
    MaskKind mask = op.getMask();
    int64_t offset = op.getQueryOffset();
    auto [h, bi, hk, q0] = queryBlock(*this, op, kBM, sq, hq, hkv);

    // Q -> shared (through the K buffer) -> registers.
    loadRows(kBase, Q, kBM, d, rowsFrom(headBase(ql, bi, h), ql, q0, sq));
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    gpu::BarrierOp::create(b, loc);
    SmallVector<SmallVector<Value>> qf = qFragments();
    gpu::BarrierOp::create(b, loc);

    // The key blocks these queries can see.
    auto [kvBegin, kvEnd] = visibleKeys(*this, op, q0, kBM, sq, skv, kBN);
    RowMask rm;
    rm.mask = mask;
    if (mask == MaskKind::sliding_window)
      rm.window = op.getWindowAttr().getInt();
    if (skv % kBN != 0)
      rm.keyLimit = idx(skv);
    for (int64_t h2 = 0; h2 < 2; ++h2)
      rm.pos[h2] = add(add(q0, add(wm, g)), idx(h2 * 8 + offset));
    Value kvHeadK = headBase(kl, bi, hk), kvHeadV = headBase(vl, bi, hk);
    auto issueK = [&](Value kv0, Value buffer) {
      loadRows(buffer, K, kBN, d, rowsFrom(kvHeadK, kl, kv0, skv));
    };
    auto issueV = [&](Value kv0) {
      loadRows(vBase, V, kBN, dv, rowsFrom(kvHeadV, vl, kv0, skv));
    };
    ifThen(lt(kvBegin, kvEnd), [&] { issueK(kvBegin, kBase); });
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
    scf::ForOp loop = keyLoop(kvBegin, kvEnd, qf, issueK, issueV, rm);

    Type outElem = cast<MemRefType>(O.getType()).getElementType();
    for (int64_t h2 = 0; h2 < 2; ++h2) {
      Value row = add(q0, add(wm, add(g, idx(h2 * 8))));
      RowResult r = finish(loop, h2);
      ifThen(lt(row, idx(sq)), [&] {
        for (auto [i, v] : llvm::enumerate(r.o)) {
          Value col = add(t2, idx((i / 2) * 8 + i % 2));
          memref::StoreOp::create(b, loc, narrow(v, outElem), O,
                                  bshd ? ValueRange{bi, row, h, col}
                                       : ValueRange{bi, h, row, col});
        }
        if (lse)
          ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t2,
                                       idx(0)),
                 [&] {
                   memref::StoreOp::create(b, loc, r.lse, lse,
                                           ValueRange{bi, h, row});
                 });
      });
    }
    gpu::ReturnOp::create(b, loc);
  }
};

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
    Value negInf = f32(-INFINITY), zero = f32(0);
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
      bool fold = !softcap && scale > 0;
      float c = scale * kLog2e;
      SmallVector<Value> x;
      for (int64_t i = 0; i < kBKV / 2; ++i) {
        Value v = LLVM::ExtractValueOp::create(b, loc, s, i);
        if (softcap) {
          v = arith::MulFOp::create(b, loc, v, f32(scale / *softcap));
          v = math::TanhOp::create(b, loc, v);
          v = arith::MulFOp::create(b, loc, v, f32(*softcap * kLog2e));
        } else if (!fold) {
          v = arith::MulFOp::create(b, loc, v, f32(c));
        }
        x.push_back(v);
      }
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
        Value mx = fold ? negInf : m[h2];
        for (int64_t i = 0; i < kBKV / 2; ++i)
          if ((i / 2) % 2 == h2)
            mx = arith::MaxNumFOp::create(b, loc, mx, x[i]);
        mx = quadReduce(mx, /*isMax=*/true);
        if (fold)
          mx = arith::MaxNumFOp::create(
              b, loc, m[h2], arith::MulFOp::create(b, loc, mx, f32(c)));
        // A row that has seen no key yet keeps -inf; subtract 0 then.
        Value empty = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                            mx, negInf);
        Value rowBase = arith::SelectOp::create(b, loc, empty, zero, mx);
        alpha[h2] = exp2(arith::SubFOp::create(b, loc, m[h2], rowBase));
        Value sum = arith::MulFOp::create(b, loc, l[h2], alpha[h2]);
        for (int64_t i = 0; i < kBKV / 2; ++i)
          if ((i / 2) % 2 == h2) {
            x[i] = exp2(
                fold
                    ? LLVM::FMAOp::create(
                          b, loc, x[i], f32(c),
                          arith::NegFOp::create(b, loc, rowBase))
                          .getResult()
                    : arith::SubFOp::create(b, loc, x[i], rowBase).getResult());
            sum = arith::AddFOp::create(b, loc, sum, x[i]);
          }
        m[h2] = mx;
        l[h2] = sum;
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
      Value total = quadReduce(loop.getResult(2 + h2), /*isMax=*/false);
      Value none =
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, total, zero);
      Value inv = arith::SelectOp::create(
          b, loc, none, zero,
          arith::DivFOp::create(b, loc, f32(1), total).getResult());
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
            // ln(l 2^m) = m ln 2 + ln l.
            Value mLn = arith::MulFOp::create(b, loc, loop.getResult(h2),
                                              f32(float(M_LN2)));
            Value v = arith::AddFOp::create(b, loc, mLn,
                                            math::LogOp::create(b, loc, total));
            v = arith::SelectOp::create(b, loc, none, f32(-INFINITY), v);
            memref::StoreOp::create(b, loc, v, lse, ValueRange{bi, h, row});
          });
      });
    }
    b.setInsertionPointAfter(roles);
    gpu::ReturnOp::create(b, loc);
  }
};

/// sinter.paged_attention, split over the keys (FlashDecoding): block
/// (split, kv head, sequence) runs one warp over the G x Sq query rows that
/// share the KV head (G = Hq / Hkv, at most 16 rows) and keys [split *
/// chunk, +chunk) of the sequence, read in place from the paged caches
/// through the block table, and writes its normalized partial output and
/// log-sum-exp to a workspace; a combine kernel merges the splits.
struct PagedDecodeKernel : FlashCore {
  PagedAttentionOp op;
  int64_t batch, hq, hkv, sq, blockSize, numBlocks, maxBlocks, splits, chunk;

  int64_t group() const { return hq / hkv; }
  /// Workspace layout (f32): partial O [B, Hq, Sq, splits, Dv], then the
  /// partial log-sum-exp [B, Hq, Sq, splits].
  int64_t partialRows() const { return batch * hq * sq * splits; }
  int64_t workspaceElements() const { return partialRows() * (dv + 1); }

  void build(gpu::GPUFuncOp func, ValueRange args, Value workspace) {
    init(func);
    Value Q = args[0], KC = args[1], VC = args[2], table = args[3],
          lens = args[4];
    Value split = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    Value hk = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
    Value bi = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
    Value seqLen = maxsi(loadIndex(lens, ValueRange{bi}), idx(0));
    int64_t rows = group() * sq;

    // Q: tile row r is query s = r % Sq of head hk G + r / Sq.
    loadRows(kBase, Q, 16, d, [&](Value rThread, int64_t rowConst) {
      Value r = add(rThread, idx(rowConst));
      Value valid = lt(r, idx(rows));
      Value safe = arith::SelectOp::create(b, loc, valid, r, idx(0));
      Value h = add(mul(hk, idx(group())), divu(safe, sq));
      Value off = mul(
          add(mul(add(mul(bi, idx(hq)), h), idx(sq)), remu(safe, sq)), idx(d));
      return std::make_pair(valid, off);
    });
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
    NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
    gpu::BarrierOp::create(b, loc);
    SmallVector<SmallVector<Value>> qf = qFragments();
    gpu::BarrierOp::create(b, loc);

    Value kvBegin = mul(split, idx(chunk));
    Value kvEnd = minsi(seqLen, add(kvBegin, idx(chunk)));
    RowMask rm;
    rm.mask = op.getMask();
    rm.keyLimit = seqLen;
    if (rm.mask == MaskKind::sliding_window)
      rm.window = op.getWindowAttr().getInt();
    // Query s of a sequence of length L sits at position L - Sq + s.
    for (int64_t h2 = 0; h2 < 2; ++h2)
      rm.pos[h2] = add(sub(seqLen, idx(sq)), remu(add(g, idx(h2 * 8)), sq));
    // Token t of the sequence: slot t % bs of cache block table[b, t / bs]
    // (clamped into the cache, so a bad table cannot read out of bounds).
    // Key blocks start at multiples of 64; when the cache block size
    // divides 64 and is a multiple of the rows between one thread's rows,
    // rows r0 + c (r0 < step) of a tile sit in table entry kv0 / bs + c / bs
    // at slot r0 + c % bs: one table load per cache block, not per row.
    auto rowsAt = [&](Value kv0, int64_t cols) {
      int64_t step = rowStep(cols);
      bool blockAligned = step && kBN % blockSize == 0 && blockSize % step == 0;
      return [=, this](Value rThread, int64_t rowConst) {
        Value t = add(kv0, add(rThread, idx(rowConst)));
        Value valid = lt(t, seqLen);
        Value entry, slot;
        if (blockAligned) {
          entry = minsi(add(divu(kv0, blockSize), idx(rowConst / blockSize)),
                        idx(maxBlocks - 1));
          slot = add(rThread, idx(rowConst % blockSize));
        } else {
          Value safe = arith::SelectOp::create(b, loc, valid, t, idx(0));
          entry = divu(safe, blockSize);
          slot = remu(safe, blockSize);
        }
        Value block = loadIndex(table, ValueRange{bi, entry});
        block = minsi(maxsi(block, idx(0)), idx(numBlocks - 1));
        Value off =
            mul(add(mul(add(mul(block, idx(blockSize)), slot), idx(hkv)), hk),
                idx(cols));
        return std::make_pair(valid, off);
      };
    };
    auto issueK = [&](Value kv0, Value buffer) {
      loadRows(buffer, KC, kBN, d, rowsAt(kv0, d));
    };
    auto issueV = [&](Value kv0) {
      loadRows(vBase, VC, kBN, dv, rowsAt(kv0, dv));
    };
    ifThen(lt(kvBegin, kvEnd), [&] { issueK(kvBegin, kBase); });
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
    scf::ForOp loop = keyLoop(kvBegin, kvEnd, qf, issueK, issueV, rm);

    for (int64_t h2 = 0; h2 < 2; ++h2) {
      Value r = add(g, idx(h2 * 8));
      RowResult res = finish(loop, h2);
      ifThen(lt(r, idx(rows)), [&] {
        Value h = add(mul(hk, idx(group())), divu(r, sq));
        // Partial row (b, h, s, split).
        Value prow =
            add(mul(add(mul(add(mul(bi, idx(hq)), h), idx(sq)), remu(r, sq)),
                    idx(splits)),
                split);
        for (auto [i, v] : llvm::enumerate(res.o)) {
          Value col = add(t2, idx((i / 2) * 8 + i % 2));
          memref::StoreOp::create(b, loc, v, workspace,
                                  ValueRange{add(mul(prow, idx(dv)), col)});
        }
        ifThen(
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, t2, idx(0)),
            [&] {
              memref::StoreOp::create(
                  b, loc, res.lse, workspace,
                  ValueRange{add(idx(partialRows() * dv), prow)});
            });
      });
    }
    gpu::ReturnOp::create(b, loc);
  }

  /// The combine kernel: block x = output row (b, h, s), thread = column;
  /// O = sum_s 2^(lse_s - M) O_s / sum_s 2^(lse_s - M), M = max_s lse_s.
  void buildCombine(Value out, Value workspace) {
    Value row = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
    Value col = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value lseBase = add(idx(partialRows() * dv), mul(row, idx(splits)));
    Value negInf = f32(-INFINITY), zero = f32(0);
    SmallVector<Value> lses;
    Value mx = negInf;
    for (int64_t s = 0; s < splits; ++s) {
      lses.push_back(memref::LoadOp::create(b, loc, workspace,
                                            ValueRange{add(lseBase, idx(s))}));
      mx = arith::MaxNumFOp::create(b, loc, mx, lses.back());
    }
    Value isEmpty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mx, negInf);
    Value base = arith::SelectOp::create(b, loc, isEmpty, zero, mx);
    Value sum = zero, acc = zero;
    for (int64_t s = 0; s < splits; ++s) {
      Value w = exp2(arith::MulFOp::create(
          b, loc, arith::SubFOp::create(b, loc, lses[s], base), f32(kLog2e)));
      Value o = memref::LoadOp::create(
          b, loc, workspace,
          ValueRange{
              add(mul(add(mul(row, idx(splits)), idx(s)), idx(dv)), col)});
      sum = arith::AddFOp::create(b, loc, sum, w);
      acc = LLVM::FMAOp::create(b, loc, w, o, acc);
    }
    Value isZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sum, zero);
    Value v = arith::SelectOp::create(
        b, loc, isZero, zero,
        arith::DivFOp::create(b, loc, acc, sum).getResult());
    Value s = remu(row, sq), rest = divu(row, sq);
    Value h = remu(rest, hq), bi = divu(rest, hq);
    memref::StoreOp::create(
        b, loc, narrow(v, cast<MemRefType>(out.getType()).getElementType()),
        out, ValueRange{bi, h, s, col});
    gpu::ReturnOp::create(b, loc);
  }
};
} // namespace

/// What both attention forms require of Q, K, V and O.
static std::string unsupportedOperands(Value query, Value key, Value value,
                                       ValueRange inits, Operation *op) {
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return "dynamic shapes are not supported";
  Type q = getElementTypeOrSelf(query.getType());
  if (q != getElementTypeOrSelf(key.getType()) ||
      q != getElementTypeOrSelf(value.getType()) || !(q.isF16() || q.isBF16()))
    return "Q, K and V must all be f16 or all bf16";
  Type o = getElementTypeOrSelf(inits[0].getType());
  if (!(o.isF16() || o.isBF16() || o.isF32()))
    return "the output must be f16, bf16 or f32";
  int64_t d = cast<RankedTensorType>(key.getType()).getShape().back();
  int64_t dv = cast<RankedTensorType>(value.getType()).getShape().back();
  for (int64_t x : {d, dv})
    if (x % 16 != 0 || x > kMaxHeadDim)
      return "head dimensions must be multiples of 16 up to " +
             std::to_string(kMaxHeadDim) + " (got " + std::to_string(x) + ")";
  return "";
}

std::string mlir::sinter::gpu_kernels::unsupportedAttention(Operation *op) {
  if (auto paged = dyn_cast<PagedAttentionOp>(op)) {
    if (paged.getInits().size() > 1)
      return "the paged kernel does not return the log-sum-exp yet";
    std::string why =
        unsupportedOperands(paged.getQuery(), paged.getKeyCache(),
                            paged.getValueCache(), paged.getInits(), op);
    if (!why.empty())
      return why;
    auto qT = cast<RankedTensorType>(paged.getQuery().getType());
    auto kT = cast<RankedTensorType>(paged.getKeyCache().getType());
    int64_t rows = qT.getDimSize(1) / kT.getDimSize(2) * qT.getDimSize(2);
    if (rows > 16)
      return "the paged kernel takes at most 16 query rows per KV head "
             "(Hq / Hkv x Sq = " +
             std::to_string(rows) + ")";
    return "";
  }
  auto attn = cast<AttentionOp>(op);
  if (attn.getBias())
    return "an additive bias is not supported by the GPU attention kernel "
           "yet";
  if (attn.getRopeCos())
    return "fused rotary embeddings are not supported by the GPU attention "
           "kernel yet";
  if (attn.getInits().size() > 1 &&
      !getElementTypeOrSelf(attn.getInits()[1].getType()).isF32())
    return "the log-sum-exp must be f32";
  return unsupportedOperands(attn.getQuery(), attn.getKey(), attn.getValue(),
                             attn.getInits(), op);
}

namespace {
/// A kernel function with `params` and shared tiles of 64 rows of
/// `tileCols` (padded) `elem`s, for `threads` threads.
gpu::GPUFuncOp kernelFunc(OpBuilder &b, Location loc, StringRef name,
                          ArrayRef<Type> params, Type elem,
                          ArrayRef<int64_t> tileCols, int64_t threads) {
  auto shared =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  SmallVector<Type> tiles;
  for (int64_t cols : tileCols)
    tiles.push_back(MemRefType::get({kBN, cols + kPad}, elem,
                                    MemRefLayoutAttrInterface{}, shared));
  return createKernelFunc(b, loc, name, params, tiles, threads);
}

float scaleOf(std::optional<APFloat> scale, int64_t d) {
  return scale ? scale->convertToFloat() : float(1.0 / std::sqrt(double(d)));
}
std::optional<float> softcapOf(std::optional<APFloat> softcap) {
  if (!softcap)
    return std::nullopt;
  return softcap->convertToFloat();
}
} // namespace

SmallVector<KernelLaunch> mlir::sinter::gpu_kernels::createAttentionKernels(
    OpBuilder &b, Operation *op, func::FuncOp f, ArrayRef<Type> params,
    const GPUResources &gpu, int64_t &workspaceBytes) {
  Location loc = op->getLoc();
  workspaceBytes = 0;
  SmallVector<Value> args;
  auto argIndex = [&](Value v) {
    return cast<BlockArgument>(v).getArgNumber();
  };
  if (auto attn = dyn_cast<AttentionOp>(op)) {
    auto qT = cast<RankedTensorType>(attn.getQuery().getType());
    auto kT = cast<RankedTensorType>(attn.getKey().getType());
    auto vT = cast<RankedTensorType>(attn.getValue().getType());
    unsigned hIdx = attn.getHeadDim(), sIdx = attn.getSeqDim();
    Type elem = qT.getElementType();
    int64_t d = kT.getShape().back(), dv = vT.getShape().back();
    // The kernel's Q, K, V and result parameters.
    auto operands = [&](Block &entry) {
      SmallVector<Value> qkv, outs;
      for (Value v : {attn.getQuery(), attn.getKey(), attn.getValue()})
        qkv.push_back(entry.getArgument(argIndex(v)));
      for (unsigned r = 0; r < f.getNumResults(); ++r)
        outs.push_back(entry.getArgument(f.getNumArguments() + r));
      return std::make_pair(qkv, outs);
    };
    if (gpu.hopper && attn.getLayout() == AttentionLayout::bhsd && d == dv &&
        (d == 64 || d == 128)) {
      using W = WgmmaAttentionKernel;
      // Q, K and V are read through TMA descriptors (3-d: heads, rows,
      // columns), passed by value after the buffers.
      SmallVector<Type> kernelParams(params);
      kernelParams.append(3, LLVM::LLVMPointerType::get(b.getContext()));
      auto kernel = createKernelFunc(b, loc, f.getName(), kernelParams,
                                     TypeRange{}, W::kThreads);
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
      auto [qkv, outs] = operands(entry);
      k.build(kernel, qkv, outs, entry.getArgument(n), entry.getArgument(n + 1),
              entry.getArgument(n + 2));
      auto map = [&](Value operand, int64_t heads, int64_t rows,
                     int64_t boxRows) {
        return b.getDictionaryAttr(
            {b.getNamedAttr("arg", b.getI64IntegerAttr(argIndex(operand))),
             b.getNamedAttr("batches", b.getI64IntegerAttr(heads)),
             b.getNamedAttr("rows", b.getI64IntegerAttr(rows)),
             b.getNamedAttr("cols", b.getI64IntegerAttr(d)),
             b.getNamedAttr("box_rows", b.getI64IntegerAttr(boxRows)),
             b.getNamedAttr("box_cols", b.getI64IntegerAttr(64)),
             b.getNamedAttr("elem_bytes", b.getI64IntegerAttr(2))});
      };
      f->setAttr(kGPUTensorMapsAttrName,
                 b.getArrayAttr(
                     {map(attn.getQuery(), k.batch * k.hq, k.sq, W::kBM),
                      map(attn.getKey(), k.batch * k.hkv, k.skv, W::kBKV),
                      map(attn.getValue(), k.batch * k.hkv, k.skv, W::kBKV)}));
      return {
          KernelLaunch{f.getName().str(),
                       {int64_t(llvm::divideCeil(k.sq, W::kBM)), k.hq, k.batch},
                       W::kThreads,
                       k.sharedBytes()}};
    }
    int64_t kStages = d <= 64 ? 2 : 1;
    SmallVector<int64_t> cols(kStages, d);
    cols.push_back(dv);
    auto kernel = kernelFunc(b, loc, f.getName(), params, elem, cols,
                             32 * AttentionKernel::kWarps);
    Block &entry = kernel.getBody().front();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&entry);
    AttentionKernel k{{{b, loc},
                       elem,
                       d,
                       dv,
                       AttentionKernel::kWarps,
                       kStages,
                       scaleOf(attn.getScale(), d),
                       softcapOf(attn.getSoftcap())},
                      attn,
                      qT.getDimSize(0),
                      qT.getDimSize(hIdx),
                      kT.getDimSize(hIdx),
                      qT.getDimSize(sIdx),
                      kT.getDimSize(sIdx)};
    auto [qkv, outs] = operands(entry);
    k.build(kernel, qkv, outs);
    return {KernelLaunch{
        f.getName().str(),
        {int64_t(llvm::divideCeil(k.sq, AttentionKernel::kBM)), k.hq, k.batch},
        32 * AttentionKernel::kWarps}};
  }
  // Paged decode: the split kernel, then the combine kernel.
  auto paged = cast<PagedAttentionOp>(op);
  auto qT = cast<RankedTensorType>(paged.getQuery().getType());
  auto kT = cast<RankedTensorType>(paged.getKeyCache().getType());
  auto vT = cast<RankedTensorType>(paged.getValueCache().getType());
  auto tT = cast<RankedTensorType>(paged.getBlockTable().getType());
  Type elem = qT.getElementType();
  int64_t d = kT.getShape().back(), dv = vT.getShape().back();
  int64_t batch = qT.getDimSize(0), hkv = kT.getDimSize(2);
  int64_t maxKeys = tT.getDimSize(1) * kT.getDimSize(1);
  PagedDecodeKernel proto{{{b, loc},
                           elem,
                           d,
                           dv,
                           1,
                           /*kStages=*/1,
                           scaleOf(paged.getScale(), d),
                           softcapOf(paged.getSoftcap())},
                          paged,
                          batch,
                          qT.getDimSize(1),
                          hkv,
                          qT.getDimSize(2),
                          kT.getDimSize(1),
                          kT.getDimSize(0),
                          tT.getDimSize(1),
                          1,
                          0};
  // As many splits as fill the GPU once: blocks per SM bounded by their
  // shared tiles, each split at least 64 keys.
  int64_t smemPerBlock = proto.sharedBytes();
  int64_t resident = std::max<int64_t>(1, gpu.sharedBytesPerSM / smemPerBlock);
  int64_t splits = std::max<int64_t>(1, gpu.sms * resident / (batch * hkv));
  splits = std::min<int64_t>(splits, llvm::divideCeil(maxKeys, kBN));
  int64_t chunk = llvm::alignTo(llvm::divideCeil(maxKeys, splits), kBN);
  splits = llvm::divideCeil(maxKeys, chunk);
  proto.splits = splits;
  proto.chunk = chunk;
  workspaceBytes = proto.workspaceElements() * 4;
  SmallVector<Type> withWorkspace(params);
  withWorkspace.push_back(
      MemRefType::get({proto.workspaceElements()}, b.getF32Type()));
  {
    auto kernel = kernelFunc(b, loc, f.getName(), withWorkspace, elem,
                             proto.tileColumns(), 32);
    Block &entry = kernel.getBody().front();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&entry);
    PagedDecodeKernel k = proto;
    SmallVector<Value> args;
    for (Value v :
         {paged.getQuery(), paged.getKeyCache(), paged.getValueCache(),
          paged.getBlockTable(), paged.getSeqLens()})
      args.push_back(entry.getArgument(argIndex(v)));
    // Block arguments: the parameters, then the workgroup tiles.
    k.build(kernel, args, entry.getArgument(params.size()));
  }
  std::string combineName = (f.getName() + "_combine").str();
  {
    auto kernel = kernelFunc(b, loc, combineName, withWorkspace, elem, {}, dv);
    Block &entry = kernel.getBody().front();
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&entry);
    PagedDecodeKernel k = proto;
    k.buildCombine(entry.getArgument(f.getNumArguments()),
                   entry.getArgument(params.size()));
  }
  return {KernelLaunch{f.getName().str(), {splits, hkv, batch}, 32},
          KernelLaunch{combineName,
                       {batch * qT.getDimSize(1) * qT.getDimSize(2), 1, 1},
                       dv}};
}
