//===- Passes.h - NPU dialect passes ----------------------------*- C++ -*-===//
#ifndef SINTER_DIALECT_NPU_TRANSFORMS_PASSES_H
#define SINTER_DIALECT_NPU_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::sinter::npu {

#define GEN_PASS_DECL
#include "sinter/Dialect/NPU/Transforms/Passes.h.inc"

/// Bytes a buffer of `type` takes in a scratchpad (sub-byte elements
/// packed).
int64_t getBufferBytes(MemRefType type);

#define GEN_PASS_REGISTRATION
#include "sinter/Dialect/NPU/Transforms/Passes.h.inc"

} // namespace mlir::sinter::npu

#endif
