//===- Passes.h - Sinter passes ---------------------------------*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_TRANSFORMS_PASSES_H
#define SINTER_DIALECT_SINTER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/IR/Target.h"

namespace mlir {
class RewritePatternSet;
namespace sinter {

#define GEN_PASS_DECL
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"

/// Patterns that rewrite each sinter op into its reference decomposition.
void populateDecomposePatterns(RewritePatternSet &patterns);

/// Patterns that raise linalg subgraphs into sinter ops.
void populateRaisePatterns(RewritePatternSet &patterns);

/// Patterns that fuse memory-bound ops into sinter.gemm epilogues.
void populateFusePatterns(RewritePatternSet &patterns, bool remarks);

/// Bytes of a statically shaped tensor type, 0 otherwise.
int64_t getTensorBytes(Type type);

/// The reference semantics of a quantized weight element:
/// (q - zp) * scale in f32 (`zp` may be null); q and zp are read as unsigned
/// when the scheme says so.
Value buildDequantizedWeight(OpBuilder &b, Location loc, WeightQuantAttr quant,
                             Value q, Value scale, Value zp);

/// "line:col" of a file location, "-" otherwise (for report tables).
std::string getShortLocation(Location loc);

/// Registers the named pipelines (`sinter-reference-to-llvm`).
void registerSinterPipelines();

#define GEN_PASS_REGISTRATION
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"

} // namespace sinter
} // namespace mlir

#endif
