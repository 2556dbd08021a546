//===- NPUArtifacts.h - The NPU backend's artifacts -------------*- C++ -*-===//
#ifndef SINTER_LIB_BACKEND_NPU_TARGET_NPUARTIFACTS_H
#define SINTER_LIB_BACKEND_NPU_TARGET_NPUARTIFACTS_H

#include "sinter/Backend/Backend.h"
#include "llvm/Support/JSON.h"

namespace mlir::sinter {
/// From the kernels in the npu dialect with planned scratchpads: NAME.cpp
/// (the kernels on the NPU kernel API), NAME.h (their declarations and the
/// simulator's model of the target) and the manifest NAME.json.
LogicalResult writeNPUArtifacts(Compilation &c);

/// The host programs (HostProgram.cpp): their C++ appended to `cpp`, their
/// declarations to `header`, their manifest entries to `functions`.
LogicalResult writeNPUHostPrograms(Compilation &c, llvm::raw_ostream &cpp,
                                   llvm::raw_ostream &header,
                                   llvm::json::Array &functions);
} // namespace mlir::sinter

#endif
