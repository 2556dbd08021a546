//===- FlashAttention.cpp - FlashAttention-2 and paged decode on mma.sync -===//
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
// sinter.paged_attention runs the same key loop split over the keys
// (FlashDecoding): one warp per (split, KV head, sequence) reads its pages
// in place through the block table, and a combine kernel merges the
// splits by their log-sum-exps.
//
#include "AttentionCore.h"
#include "sinter/Backend/GPU/Passes.h"
#include <functional>

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
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
  /// The softmax of this kernel's scale and softcap.
  OnlineSoftmax softmax() { return {*this, scale, softcap, {}, {}}; }

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
    OnlineSoftmax sm = softmax();
    sm.start();
    Value negInf = sm.negInf, zero = sm.zero;
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
        x = sm.scaleScore(x, /*folded=*/false);
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
      SmallVector<Value *> row;
      for (int64_t nt = 0; nt < kBN / 8; ++nt)
        for (int64_t e = 0; e < 2; ++e)
          row.push_back(&s[nt * 4 + h2 * 2 + e]);
      OnlineSoftmax::RowUpdate u =
          sm.updateRow(m[h2], l[h2], row, /*folded=*/false);
      alpha[h2] = u.alpha;
      m[h2] = u.max;
      l[h2] = u.sum;
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
    OnlineSoftmax sm = softmax();
    sm.start();
    OnlineSoftmax::Normalizer n = sm.normalizer(loop.getResult(2 + h2));
    RowResult r;
    for (int64_t nt = 0; nt < dv / 8; ++nt)
      for (int64_t e = 0; e < 2; ++e)
        r.o.push_back(arith::MulFOp::create(
            b, loc, loop.getResult(4 + nt * 4 + h2 * 2 + e), n.inverse));
    r.lse = sm.logSumExp(loop.getResult(h2), n);
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
} // namespace

KernelPlan gpu_kernels::createFlashAttentionKernels(OpBuilder &b,
                                                    AttentionOp attn,
                                                    func::FuncOp f,
                                                    ArrayRef<Type> params,
                                                    const GPUResources &gpu) {
  Location loc = attn.getLoc();
  auto argIndex = [&](Value v) {
    return cast<BlockArgument>(v).getArgNumber();
  };
  auto qT = cast<RankedTensorType>(attn.getQuery().getType());
  auto kT = cast<RankedTensorType>(attn.getKey().getType());
  auto vT = cast<RankedTensorType>(attn.getValue().getType());
  unsigned hIdx = attn.getHeadDim(), sIdx = attn.getSeqDim();
  Type elem = qT.getElementType();
  int64_t d = kT.getShape().back(), dv = vT.getShape().back();
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
  SmallVector<Value> qkv, outs;
  for (Value v : {attn.getQuery(), attn.getKey(), attn.getValue()})
    qkv.push_back(entry.getArgument(argIndex(v)));
  for (unsigned r = 0; r < f.getNumResults(); ++r)
    outs.push_back(entry.getArgument(f.getNumArguments() + r));
  k.build(kernel, qkv, outs);
  KernelPlan plan;
  plan.launches = {KernelLaunch{
      f.getName().str(),
      {int64_t(llvm::divideCeil(k.sq, AttentionKernel::kBM)), k.hq, k.batch},
      32 * AttentionKernel::kWarps}};
  return plan;
}

KernelPlan gpu_kernels::createPagedAttentionKernels(OpBuilder &b,
                                                    PagedAttentionOp paged,
                                                    func::FuncOp f,
                                                    ArrayRef<Type> params,
                                                    const GPUResources &gpu) {
  Location loc = paged.getLoc();
  auto argIndex = [&](Value v) {
    return cast<BlockArgument>(v).getArgNumber();
  };
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
  KernelPlan plan;
  plan.workspaceBytes = proto.workspaceElements() * 4;
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
  plan.launches = {
      KernelLaunch{f.getName().str(), {splits, hkv, batch}, 32},
      KernelLaunch{combineName,
                   {batch * qT.getDimSize(1) * qT.getDimSize(2), 1, 1},
                   dv}};
  return plan;
}