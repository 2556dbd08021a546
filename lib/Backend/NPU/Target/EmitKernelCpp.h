//===- EmitKernelCpp.h - NPU kernels as C++ ---------------------*- C++ -*-===//
#ifndef SINTER_LIB_BACKEND_NPU_TARGET_EMITKERNELCPP_H
#define SINTER_LIB_BACKEND_NPU_TARGET_EMITKERNELCPP_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

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
