//===- GPUTarget.h - Ahead-of-time NVIDIA GPU code generation ---*- C++ -*-===//
//
// The GPU backend: sinter ops outlined into gpu.func kernels, lowered through
// NVVM to PTX (LLVM's NVPTX backend) and assembled to a cubin by ptxas.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_TARGET_GPU_GPUTARGET_H
#define SINTER_TARGET_GPU_GPUTARGET_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <string>

namespace mlir {
namespace sinter {

/// Launch configuration that convert-sinter-to-gpu records on a function.
inline constexpr llvm::StringLiteral kGPUGridAttrName = "sinter.gpu.grid";
inline constexpr llvm::StringLiteral kGPUBlockAttrName = "sinter.gpu.block";
inline constexpr llvm::StringLiteral kGPUSharedBytesAttrName =
    "sinter.gpu.shared_bytes";
/// For functions that run several kernels: the scratch bytes they share
/// (passed to each kernel after the function's results), and the kernels
/// launched after the one named like the function, in order, as
/// dictionaries {kernel, grid, block, shared_bytes}.
inline constexpr llvm::StringLiteral kGPUWorkspaceBytesAttrName =
    "sinter.gpu.workspace_bytes";
inline constexpr llvm::StringLiteral kGPUNextKernelsAttrName =
    "sinter.gpu.next_kernels";
/// For kernels that load through TMA: the descriptors the launch code
/// encodes and passes by value after the other parameters, in order, as
/// dictionaries {arg (a row-major matrix: its position among the function's
/// arguments, then its results), rows, cols, box_rows, box_cols,
/// elem_bytes}.
inline constexpr llvm::StringLiteral kGPUTensorMapsAttrName =
    "sinter.gpu.tensor_maps";
/// On a kernel: the positions of its by-value TMA descriptor parameters
/// (`!llvm.ptr` until the NVVM lowering makes them byval grid constants).
inline constexpr llvm::StringLiteral kTensorMapArgsAttrName =
    "sinter.tensor_map_args";
/// The gpu.module that holds the kernels.
inline constexpr llvm::StringLiteral kGPUKernelModuleName = "sinter_kernels";

#define GEN_PASS_DECL
#include "sinter/Target/GPU/Passes.h.inc"

/// The NVIDIA architecture of a sinter GPU target preset (`nvidia-h100` ->
/// sm_90a, `nvidia-a100` -> sm_80), or failure for other names.
FailureOr<std::string> getGPUChip(llvm::StringRef targetName);

/// Lowers the `gpu.module @sinter_kernels` of `module` (after
/// convert-sinter-to-gpu) through NVVM to PTX for `chip`. Diagnostics go to
/// the module's context.
FailureOr<std::string> translateKernelsToPTX(ModuleOp module,
                                             llvm::StringRef chip);

/// Assembles `ptx` for `chip` with ptxas (from $PATH, $CUDA_HOME/bin or
/// /usr/local/cuda/bin) into a cubin; failure with `error` set when ptxas is
/// missing or fails.
FailureOr<std::string> assembleCubin(llvm::StringRef ptx, llvm::StringRef chip,
                                     std::string &error);

/// Registers convert-sinter-to-gpu.
void registerGPUTargetPasses();

} // namespace sinter
} // namespace mlir

#endif // SINTER_TARGET_GPU_GPUTARGET_H
