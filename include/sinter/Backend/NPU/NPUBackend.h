//===- NPUBackend.h - The NPU backend ---------------------------*- C++ -*-===//
//
// Targets of kind `npu` (npu-910): kernels in the `npu` dialect with
// planned scratchpads, written as C++ on the NPU kernel API
// (include/sinter/npu/npu_sim.h) with a header that carries the
// simulator's model of the target, and a manifest.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_BACKEND_NPU_NPUBACKEND_H
#define SINTER_BACKEND_NPU_NPUBACKEND_H

namespace mlir::sinter {
/// Registers the NPU backend, its presets, passes and the npu-to-cpp
/// translation. Idempotent.
void registerNPUBackend();
} // namespace mlir::sinter

#endif // SINTER_BACKEND_NPU_NPUBACKEND_H
