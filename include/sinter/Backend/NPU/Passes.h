//===- Passes.h - The NPU backend's passes ----------------------*- C++ -*-===//
//
// Sinter ops rewritten as kernels in the `npu` dialect
// (convert-sinter-to-npu); lib/Backend/NPU/Target writes them as C++ on the
// NPU kernel API.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_BACKEND_NPU_PASSES_H
#define SINTER_BACKEND_NPU_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"

namespace mlir::sinter {
#define GEN_PASS_DECL
#include "sinter/Backend/NPU/Passes.h.inc"

/// The module that holds the NPU kernels of host programs.
inline constexpr llvm::StringLiteral kNPUKernelModuleName =
    "sinter_npu_kernels";

/// Registers the NPU backend's passes (and the npu dialect's).
void registerNPUPasses();
} // namespace mlir::sinter

#endif // SINTER_BACKEND_NPU_PASSES_H
