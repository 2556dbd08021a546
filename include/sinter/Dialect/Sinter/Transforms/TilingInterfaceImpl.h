//===- TilingInterfaceImpl.h - TilingInterface for sinter ops ---*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_TRANSFORMS_TILINGINTERFACEIMPL_H
#define SINTER_DIALECT_SINTER_TRANSFORMS_TILINGINTERFACEIMPL_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include <cstdint>
#include <optional>

namespace mlir {
class DialectRegistry;
class Operation;
namespace sinter {

/// For the memory-bound ops with a TilingInterface (KV-cache ops, norms,
/// softmax, RoPE): a value shaped like the iteration domain and the
/// dimensions a tile must take whole. std::nullopt for other ops.
struct MemoryBoundTiling {
  Value domain;
  llvm::SmallVector<int64_t> whole;
};
std::optional<MemoryBoundTiling> getMemoryBoundTiling(Operation *op);

/// Attaches TilingInterface to sinter.gemm, the KV-cache ops, the norms,
/// softmax and RoPE, so
/// scf::tileUsingSCF, tile-and-fuse and the transform dialect work on them.
void registerTilingInterfaceExternalModels(DialectRegistry &registry);

} // namespace sinter
} // namespace mlir

#endif
