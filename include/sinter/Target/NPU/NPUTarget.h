//===- NPUTarget.h - NPU kernels as C++ on the kernel API -------*- C++ -*-===//
#ifndef SINTER_TARGET_NPU_NPUTARGET_H
#define SINTER_TARGET_NPU_NPUTARGET_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::sinter {
#define GEN_PASS_DECL
#include "sinter/Target/NPU/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "sinter/Target/NPU/Passes.h.inc"
} // namespace mlir::sinter

namespace mlir::sinter::npu {

/// Writes each function of `module` (npu ops on global memref arguments,
/// scf.for loops, index arithmetic, memref.subview of its arguments, every
/// npu.alloc placed by npu-plan-scratchpads) as a C++ function on the NPU
/// kernel API (include/sinter/npu/npu_sim.h):
///   void NAME(sinter::npu::Core &core, const sinter::npu::Tile &arg0, ...)
/// Emits an error and fails on anything else.
LogicalResult translateToNPUKernelCpp(ModuleOp module, llvm::raw_ostream &os);

/// Registers `--npu-to-cpp` with the translation registry.
void registerNPUTranslations();

} // namespace mlir::sinter::npu

#endif
