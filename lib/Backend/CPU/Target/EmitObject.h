//===- EmitObject.h - LLVM dialect to an object file ------------*- C++ -*-===//
#ifndef SINTER_LIB_BACKEND_CPU_TARGET_EMITOBJECT_H
#define SINTER_LIB_BACKEND_CPU_TARGET_EMITOBJECT_H

#include "mlir/IR/BuiltinOps.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include <string>

namespace mlir::sinter {

/// The LLVM target machine a CPU description's `config` names.
struct CPUTargetMachineSpec {
  std::string triple, cpu, features;
};
/// From `config.triple`, `config.cpu` and `config.features` (optional);
/// failure, with `error` set, when the first two are missing.
FailureOr<CPUTargetMachineSpec> getCPUTargetMachineSpec(TargetAttr target,
                                                        std::string &error);

/// Translates an LLVM-dialect module to LLVM IR, optimizes it at O3 for
/// `spec` and writes an ELF object to `os`.
LogicalResult emitObject(ModuleOp module, const CPUTargetMachineSpec &spec,
                         llvm::raw_pwrite_stream &os);

} // namespace mlir::sinter

#endif
