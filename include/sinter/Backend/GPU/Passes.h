//===- Passes.h - The NVIDIA GPU backend's passes ---------------*- C++ -*-===//
//
// Sinter ops outlined into gpu.func kernels (convert-sinter-to-gpu) and the
// launch configuration recorded on the functions, which lib/Backend/GPU/
// Target turns into PTX, a cubin and launch code.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_BACKEND_GPU_PASSES_H
#define SINTER_BACKEND_GPU_PASSES_H

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
#include "sinter/Backend/GPU/Passes.h.inc"

/// Registers the GPU backend's passes.
void registerGPUPasses();

} // namespace sinter
} // namespace mlir

#endif // SINTER_BACKEND_GPU_PASSES_H
