//===- LaunchCode.h - The GPU backend's artifacts ---------------*- C++ -*-===//
#ifndef SINTER_LIB_BACKEND_GPU_TARGET_LAUNCHCODE_H
#define SINTER_LIB_BACKEND_GPU_TARGET_LAUNCHCODE_H

#include "sinter/Backend/Backend.h"

namespace mlir::sinter {
/// From the PTX (`c.products["ptx"]`) and the launch configuration on the
/// functions: NAME.ptx, NAME.cubin (when ptxas is there; else the PTX is
/// embedded for the driver to JIT), the launch functions NAME.c with the
/// image embedded, their header NAME.h and the manifest NAME.json.
LogicalResult writeGPUArtifacts(Compilation &c, llvm::StringRef chip);
} // namespace mlir::sinter

#endif
