//===- CPUTarget.h - Ahead-of-time CPU code generation ----------*- C++ -*-===//
//
// The CPU backend: a pass pipeline from (tiled) sinter IR on tensors to the
// LLVM dialect with plain C entry points, and object emission through LLVM.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_TARGET_CPU_CPUTARGET_H
#define SINTER_TARGET_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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
#include "sinter/Target/CPU/Passes.h.inc"

/// Adds the lowering from sinter IR on tensors (a `sinter.target` on the
/// module) to the LLVM dialect: tile, decompose, bufferize (results become
/// out-params), deallocate, parallelize the outer tile loops with OpenMP,
/// lower to LLVM and export C entry points. `kBlock` is the GEMM
/// micro-kernel's k block (0: k whole).
void buildLowerToCPUPipeline(OpPassManager &pm, int64_t kBlock = 0);

/// LLVM CPU name and feature string for a sinter CPU target preset name
/// (`x86-avx512` -> x86-64-v4, `x86-avx2` -> x86-64-v3).
struct CPUTargetMachineSpec {
  std::string triple, cpu, features;
};
FailureOr<CPUTargetMachineSpec> getCPUTargetMachineSpec(llvm::StringRef name);

/// The preset best matching the host CPU (`x86-avx512` or `x86-avx2`).
std::string getHostCPUTargetName();

/// Translates an LLVM-dialect module to LLVM IR, optimizes it at O3 for
/// `spec` and writes an ELF object to `os`.
LogicalResult emitObject(ModuleOp module, const CPUTargetMachineSpec &spec,
                         llvm::raw_pwrite_stream &os);

/// Registers the passes and the `sinter-lower-to-cpu` pipeline.
void registerCPUTargetPasses();

} // namespace sinter
} // namespace mlir

#endif // SINTER_TARGET_CPU_CPUTARGET_H
