//===- Tiling.h - Tiled forms of sinter ops ---------------------*- C++ -*-===//
//
// Private to the sinter transforms.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_LIB_TRANSFORMS_TILING_H
#define SINTER_LIB_TRANSFORMS_TILING_H

#include "mlir/IR/PatternMatch.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"

namespace mlir::sinter::detail {

/// Replaces `op` (static shapes) by its flash form: query tiles of
/// `blockQ` tokens times the heads of a KV group, key blocks of `blockKV`,
/// and `splits` KV splits merged by log-sum-exp. The outer scf.forall is
/// tagged with memory level `level`.
LogicalResult tileAttention(RewriterBase &rewriter, AttentionOp op,
                            int64_t blockQ, int64_t blockKV, int64_t splits,
                            StringRef level);

} // namespace mlir::sinter::detail

#endif // SINTER_LIB_TRANSFORMS_TILING_H
