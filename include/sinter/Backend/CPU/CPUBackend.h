//===- CPUBackend.h - The CPU backend ---------------------------*- C++ -*-===//
//
// Targets of kind `cpu` (x86-avx512, x86-avx2, aarch64-neon): tiled sinter
// IR lowered to LLVM with C entry points, written as an object file, a
// static library, a C header and a manifest.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_BACKEND_CPU_CPUBACKEND_H
#define SINTER_BACKEND_CPU_CPUBACKEND_H

namespace mlir::sinter {
/// Registers the CPU backend, its presets and passes. Idempotent.
void registerCPUBackend();
} // namespace mlir::sinter

#endif // SINTER_BACKEND_CPU_CPUBACKEND_H
