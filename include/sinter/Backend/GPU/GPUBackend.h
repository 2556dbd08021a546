//===- GPUBackend.h - The NVIDIA GPU backend --------------------*- C++ -*-===//
//
// Targets of kind `gpu` (nvidia-h100, nvidia-a100): sinter ops outlined into
// kernels, lowered through NVVM to PTX, assembled by ptxas into a cubin,
// with C launch functions, a header and a manifest.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_BACKEND_GPU_GPUBACKEND_H
#define SINTER_BACKEND_GPU_GPUBACKEND_H

namespace mlir::sinter {
/// Registers the GPU backend, its presets and passes. Idempotent.
void registerGPUBackend();
} // namespace mlir::sinter

#endif // SINTER_BACKEND_GPU_GPUBACKEND_H
