//===- PTX.h - GPU kernels to PTX and cubin ---------------------*- C++ -*-===//
#ifndef SINTER_LIB_BACKEND_GPU_TARGET_PTX_H
#define SINTER_LIB_BACKEND_GPU_TARGET_PTX_H

#include "sinter/Backend/Backend.h"
#include <string>

namespace mlir::sinter {

/// Lowers the `gpu.module @sinter_kernels` of the compilation's module
/// (after convert-sinter-to-gpu) through NVVM to PTX for `chip`, recording
/// the pipelines under `stage`. Diagnostics go to the module's context.
FailureOr<std::string> translateKernelsToPTX(Compilation &c,
                                             llvm::StringRef stage,
                                             llvm::StringRef chip);

/// Assembles `ptx` for `chip` with ptxas (from $PATH, $CUDA_HOME/bin or
/// /usr/local/cuda/bin) into a cubin; failure with `error` set when ptxas is
/// missing or fails. `command` is set to the command line's options.
FailureOr<std::string> assembleCubin(llvm::StringRef ptx, llvm::StringRef chip,
                                     std::string &command, std::string &error);

} // namespace mlir::sinter

#endif
