//===- EmitKernelCpp.h - NPU kernels as C++ ---------------------*- C++ -*-===//
#ifndef SINTER_LIB_BACKEND_NPU_TARGET_EMITKERNELCPP_H
#define SINTER_LIB_BACKEND_NPU_TARGET_EMITKERNELCPP_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::sinter::npu {
class VGenericOp;

/// Writes each function of `module` (npu ops on global memref arguments,
/// scf.for loops, index arithmetic, memref.subview of its arguments, every
/// npu.alloc placed by npu-plan-scratchpads) as a C++ function on the NPU
/// kernel API (include/sinter/npu/npu_sim.h):
///   void NAME(sinter::npu::Core &core, const sinter::npu::Tile &arg0, ...)
/// Arguments of any rank are 2-d tiles of their leading dimensions
/// flattened by the last (rank 0: [1, 1]; rank 1: [1, N]). The kernels of
/// host programs (the nested module @sinter_npu_kernels) are written too;
/// tensor-level functions (host programs, their kernels' tensor forms) are
/// skipped. Emits an error and fails on anything else.
LogicalResult translateToNPUKernelCpp(ModuleOp module, llvm::raw_ostream &os);

/// The kernel API's element type name of `t` (F16, BF16, F32, I8, I4, I32,
/// I64, I1), or failure.
FailureOr<std::string> getKernelDType(Type t);

/// Writes `op` as a chunk loop on the kernel API (EmitVGeneric.cpp);
/// `globalName` gives the Tile expression of a global memref, `id` makes
/// its local names unique.
LogicalResult emitVGenericCpp(VGenericOp op, llvm::raw_ostream &os,
                              int indentLevel,
                              llvm::function_ref<std::string(Value)> globalName,
                              llvm::function_ref<FailureOr<std::string>(Type)>
                                  dtypeOf,
                              int id);

/// Registers `--npu-to-cpp` with the translation registry.
void registerNPUTranslations();

} // namespace mlir::sinter::npu

#endif
