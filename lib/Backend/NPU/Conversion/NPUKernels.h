//===- NPUKernels.h - The NPU backend's kernel builders ---------*- C++ -*-===//
//
// What convert-sinter-to-npu and sinter-npu-decompose-unsupported share:
// which sinter ops have NPU kernels, and the kernel builder for every other
// tensor op of a partitioned graph (GenericKernels.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_LIB_BACKEND_NPU_CONVERSION_NPUKERNELS_H
#define SINTER_LIB_BACKEND_NPU_CONVERSION_NPUKERNELS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "sinter/Dialect/Sinter/IR/Target.h"
#include <string>

namespace mlir::sinter::npu {

/// Why the NPU has no kernel for sinter op `op` (its kernel families:
/// f16/bf16 GEMMs with vector-unit epilogues, FlashAttention, KV append and
/// gather), or empty when it has one.
std::string unsupportedSinterOp(Operation *op);

/// Why the cube has no kernel for `op`'s contraction alone (without its
/// epilogue, pairwise halves, row statistics and reductions, the
/// accumulator out), or empty.
std::string unsupportedGemmContraction(Operation *op);

/// Rewrites kernel function `f` of a host program whose op is not a sinter
/// op (linalg ops, concat, slices, insert_slice chains, fills) as an NPU
/// kernel of npu.vgeneric ops, appended to `kernels` under f's name: its
/// arguments are f's (as global memrefs of their shapes), then its results.
/// `f` itself is left as it is (the host program calls it).
LogicalResult convertGenericKernel(func::FuncOp f, ModuleOp kernels,
                                   TargetAttr target);

} // namespace mlir::sinter::npu

#endif // SINTER_LIB_BACKEND_NPU_CONVERSION_NPUKERNELS_H
