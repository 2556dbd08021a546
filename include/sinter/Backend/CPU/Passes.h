//===- Passes.h - The CPU backend's passes ----------------------*- C++ -*-===//
//
// From (tiled) sinter IR on tensors to the LLVM dialect with plain C entry
// points; lib/Backend/CPU/Target turns that into an object file.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_BACKEND_CPU_PASSES_H
#define SINTER_BACKEND_CPU_PASSES_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include <memory>
#include <string>

namespace mlir {
class OpPassManager;
namespace sinter {

/// Function attribute recording, before lowering, the memref type of every
/// argument of an exported function and whether the function writes it.
inline constexpr llvm::StringLiteral kCArgTypesAttrName = "sinter.c_arg_types";
inline constexpr llvm::StringLiteral kCArgWrittenAttrName =
    "sinter.c_arg_written";

#define GEN_PASS_DECL
#include "sinter/Backend/CPU/Passes.h.inc"

/// Adds the lowering from sinter IR on tensors (a `sinter.target` on the
/// module) to the LLVM dialect: tile, decompose, bufferize (results become
/// out-params), deallocate, parallelize the outer tile loops with OpenMP,
/// lower to LLVM and export C entry points. `kBlock` is the GEMM
/// micro-kernel's k block (0: k whole).
void buildLowerToCPUPipeline(OpPassManager &pm, int64_t kBlock = 0);

/// Registers the passes and the `sinter-lower-to-cpu` pipeline.
void registerCPUPasses();

} // namespace sinter
} // namespace mlir

#endif // SINTER_BACKEND_CPU_PASSES_H
