//===- Passes.h - Sinter passes ---------------------------------*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_TRANSFORMS_PASSES_H
#define SINTER_DIALECT_SINTER_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "sinter/Dialect/Sinter/IR/SinterDialect.h"

namespace mlir {
class RewritePatternSet;
namespace sinter {

#define GEN_PASS_DECL
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"

/// Patterns that rewrite each sinter op into its reference decomposition.
void populateDecomposePatterns(RewritePatternSet &patterns);

/// Registers the named pipelines (`sinter-reference-to-llvm`).
void registerSinterPipelines();

#define GEN_PASS_REGISTRATION
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"

} // namespace sinter
} // namespace mlir

#endif
