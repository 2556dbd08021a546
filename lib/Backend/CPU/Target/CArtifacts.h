//===- CArtifacts.h - The CPU backend's artifacts ---------------*- C++ -*-===//
#ifndef SINTER_LIB_BACKEND_CPU_TARGET_CARTIFACTS_H
#define SINTER_LIB_BACKEND_CPU_TARGET_CARTIFACTS_H

#include "sinter/Backend/Backend.h"

namespace mlir::sinter {
/// From the module in the LLVM dialect (C entry points exported): NAME.o,
/// libNAME.a, the C header NAME.h and the manifest NAME.json.
LogicalResult writeCPUArtifacts(Compilation &c);
} // namespace mlir::sinter

#endif
