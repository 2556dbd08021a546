//===- AttentionCore.h - What the GPU attention kernels share ---*- C++ -*-===//
//
// The attention kernel families (FlashAttention.cpp: FlashAttention-2 on
// mma.sync and the split-KV paged decode; WgmmaAttention.cpp: the
// FlashAttention-3 form on Hopper) share where a block's queries are, which
// keys they see, the mask, and the online softmax with its normalization
// (OnlineSoftmax), so an improvement to one reaches all of them.
// AttentionKernels.cpp picks the family.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_LIB_BACKEND_GPU_CONVERSION_ATTENTIONCORE_H
#define SINTER_LIB_BACKEND_GPU_CONVERSION_ATTENTIONCORE_H

#include "KernelBuilder.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include <cmath>
#include <optional>

namespace mlir::sinter::gpu_kernels {

/// Keys per block and the padding of shared tiles in the mma.sync kernels.
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
inline Value keyVisible(KernelBuilder &k, MaskKind mask, int64_t window,
                        Value keyLimit, Value key, Value pos) {
  Value visible;
  auto also = [&](Value c) { visible = visible ? k.andi(visible, c) : c; };
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
inline QueryBlock queryBlock(KernelBuilder &k, AttentionOp op, int64_t rows,
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
inline std::pair<Value, Value> visibleKeys(KernelBuilder &k, AttentionOp op,
                                           Value q0, int64_t rows, int64_t sq,
                                           int64_t skv, int64_t align) {
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

/// The softmax scale (1 / sqrt(d) unless given) and the softcap.
inline float scaleOf(std::optional<APFloat> scale, int64_t d) {
  return scale ? scale->convertToFloat() : float(1.0 / std::sqrt(double(d)));
}
inline std::optional<float> softcapOf(std::optional<APFloat> softcap) {
  if (!softcap)
    return std::nullopt;
  return softcap->convertToFloat();
}

/// The online softmax every attention kernel runs on its score fragments,
/// in the log2 domain: scores are scaled (and softcapped), each row's
/// running max and sum are updated across the quad of lanes that holds the
/// row, the scores become their exponentials (P), and at the end the rows
/// are normalized by 1 / l and get their log-sum-exp. A row that has seen
/// no key keeps max -inf and sum 0, and ends with zeros and lse -inf.
struct OnlineSoftmax {
  KernelBuilder &k;
  float scale;
  std::optional<float> softcap;
  /// -inf and 0 (start() makes them where the key loop starts).
  Value negInf, zero;

  void start() {
    negInf = k.f32(-INFINITY);
    zero = k.f32(0);
  }

  /// Whether the scale can wait for the row max (no softcap, a positive
  /// scale): the scores stay raw, the max is scaled once and exp2(s c - m)
  /// is one FMA.
  bool canFoldScale() const { return !softcap && scale > 0; }

  /// A score in the log2 domain, softcapped; raw when the scale is `folded`
  /// (see canFoldScale).
  Value scaleScore(Value x, bool folded) {
    OpBuilder &b = k.b;
    Location loc = k.loc;
    if (softcap) {
      x = arith::MulFOp::create(b, loc, x, k.f32(scale / *softcap));
      x = math::TanhOp::create(b, loc, x);
      return arith::MulFOp::create(b, loc, x, k.f32(*softcap * kLog2e));
    }
    if (folded)
      return x;
    return arith::MulFOp::create(b, loc, x, k.f32(scale * kLog2e));
  }

  /// A row's new max and sum after a key block, and the factor alpha that
  /// rescales what was accumulated before it.
  struct RowUpdate {
    Value alpha, max, sum;
  };
  /// Updates a row (this thread's `scores` of it, which become their
  /// exponentials) from its max `m` and partial sum `l` so far.
  RowUpdate updateRow(Value m, Value l, ArrayRef<Value *> scores, bool folded) {
    OpBuilder &b = k.b;
    Location loc = k.loc;
    float c = scale * kLog2e;
    Value mx = folded ? negInf : m;
    for (Value *x : scores)
      mx = arith::MaxNumFOp::create(b, loc, mx, *x);
    mx = k.quadReduce(mx, /*isMax=*/true);
    if (folded)
      mx = arith::MaxNumFOp::create(
          b, loc, m, arith::MulFOp::create(b, loc, mx, k.f32(c)));
    // A row that has seen no key yet keeps -inf; subtract 0 then.
    Value empty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, mx, negInf);
    Value base = arith::SelectOp::create(b, loc, empty, zero, mx);
    Value alpha = k.exp2(arith::SubFOp::create(b, loc, m, base));
    Value sum = arith::MulFOp::create(b, loc, l, alpha);
    for (Value *x : scores) {
      *x = k.exp2(folded
                      ? LLVM::FMAOp::create(b, loc, *x, k.f32(c),
                                            arith::NegFOp::create(b, loc, base))
                            .getResult()
                      : arith::SubFOp::create(b, loc, *x, base).getResult());
      sum = arith::AddFOp::create(b, loc, sum, *x);
    }
    return {alpha, mx, sum};
  }

  /// A row's total (its quad's partial sums) and 1 / total, 0 for a row
  /// that saw no key.
  struct Normalizer {
    Value total, empty, inverse;
  };
  Normalizer normalizer(Value partialSum) {
    OpBuilder &b = k.b;
    Location loc = k.loc;
    Value total = k.quadReduce(partialSum, /*isMax=*/false);
    Value empty =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, total, zero);
    Value inverse = arith::SelectOp::create(
        b, loc, empty, zero,
        arith::DivFOp::create(b, loc, k.f32(1), total).getResult());
    return {total, empty, inverse};
  }
  /// ln(l 2^m) = m ln 2 + ln l, -inf for a row that saw no key.
  Value logSumExp(Value m, const Normalizer &n) {
    OpBuilder &b = k.b;
    Location loc = k.loc;
    Value mLn = arith::MulFOp::create(b, loc, m, k.f32(float(M_LN2)));
    Value lse = arith::AddFOp::create(b, loc, mLn,
                                      math::LogOp::create(b, loc, n.total));
    return arith::SelectOp::create(b, loc, n.empty, k.f32(-INFINITY), lse);
  }
};

/// The families' entry points (see KernelBuilder.h for the convention).
/// FlashAttention-2 on mma.sync (FlashAttention.cpp).
KernelPlan createFlashAttentionKernels(OpBuilder &b, AttentionOp op,
                                       func::FuncOp f, ArrayRef<Type> params,
                                       const GPUResources &gpu);
/// Split-KV paged decode and its combine kernel (FlashAttention.cpp).
KernelPlan createPagedAttentionKernels(OpBuilder &b, PagedAttentionOp op,
                                       func::FuncOp f, ArrayRef<Type> params,
                                       const GPUResources &gpu);
/// Whether `op` takes the Hopper kernel, and that kernel
/// (WgmmaAttention.cpp).
bool usesWgmmaAttention(AttentionOp op, const GPUResources &gpu);
KernelPlan createWgmmaAttentionKernels(OpBuilder &b, AttentionOp op,
                                       func::FuncOp f, ArrayRef<Type> params,
                                       const GPUResources &gpu);

} // namespace mlir::sinter::gpu_kernels

#endif // SINTER_LIB_BACKEND_GPU_CONVERSION_ATTENTIONCORE_H
