//===- PayloadEval.h - Evaluate scalar linalg payloads ----------*- C++ -*-===//
//
// A small interpreter for the scalar arith/math ops that make up linalg
// payloads. Raising uses it to recognize what a payload computes whatever
// its spelling (x * rsqrt(v) or x / sqrt(v), operands in any order, casts):
// a candidate formula is compared with the payload at several points.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_TRANSFORMS_PAYLOADEVAL_H
#define SINTER_TRANSFORMS_PAYLOADEVAL_H

#include "mlir/IR/Block.h"
#include "llvm/ADT/ArrayRef.h"
#include <functional>
#include <optional>

namespace mlir::sinter {

/// Evaluates the value yielded at position `result` by `block` with its
/// arguments bound to `args` and `linalg.index d` bound to `indices[d]`. Floats
/// are computed in double precision, integers and booleans as exact integers.
/// Returns nothing for ops the interpreter does not know.
std::optional<double> evaluatePayload(Block &block, llvm::ArrayRef<double> args,
                                      llvm::ArrayRef<int64_t> indices = {},
                                      unsigned result = 0);

/// True if the payload agrees with `expected` (within a relative 1e-6) on a
/// fixed set of sample points; `sample(i)` gives the block arguments of
/// sample `i` (0 <= i < 16).
bool payloadMatches(
    Block &block, const std::function<llvm::SmallVector<double>(int)> &sample,
    const std::function<double(llvm::ArrayRef<double>)> &expected,
    unsigned result = 0);

} // namespace mlir::sinter

#endif
