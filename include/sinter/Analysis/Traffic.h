//===- Traffic.h - HBM traffic and FLOP model -------------------*- C++ -*-===//
//
// A kernel-level model of off-chip traffic: every op that is not a view
// (reshape, cast) or an on-chip initialization (a fill only used as an
// accumulator init) is one kernel that reads its inputs from and writes its
// results to the outermost memory level. The compulsory minimum reads each
// function argument and constant once and writes each result once.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_ANALYSIS_TRAFFIC_H
#define SINTER_ANALYSIS_TRAFFIC_H

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"

namespace mlir {
namespace func {
class FuncOp;
}
namespace sinter {

/// The function-argument attribute that marks model parameters (weights,
/// norm scales, rotary tables): values that stay the same from call to call.
inline constexpr llvm::StringLiteral kWeightArgAttrName = "sinter.weight";

/// True if `v` is the same on every call: a constant, a function argument
/// marked `sinter.weight`, or computed from such values only. Kernels that
/// only read such values run once when the model is loaded.
bool isLoadTimeValue(Value v);

enum class KernelKind { Gemm, Attention, Other };

struct KernelTraffic {
  Operation *op;
  KernelKind kind;
  /// Reads only load-time values: runs once per model, not per call.
  bool loadTime = false;
  int64_t readBytes = 0, writeBytes = 0, flops = 0;
};

struct FunctionTraffic {
  llvm::SmallVector<KernelTraffic> kernels;
  int64_t compulsoryRead = 0, compulsoryWrite = 0;
  /// Totals over the per-call kernels (load-time kernels excluded).
  int64_t totalRead() const;
  int64_t totalWrite() const;
  int64_t totalFlops() const;
  unsigned count(KernelKind kind) const;
};

/// True for ops that cost no kernel: views, constants, empty tensors, and
/// fills whose every use is as a destination.
bool isFreeOp(Operation *op);

/// Computes the traffic of every kernel in `func`.
FunctionTraffic analyzeTraffic(func::FuncOp func);

} // namespace sinter
} // namespace mlir

#endif
