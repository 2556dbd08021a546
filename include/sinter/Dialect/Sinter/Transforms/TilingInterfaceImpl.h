//===- TilingInterfaceImpl.h - TilingInterface for sinter ops ---*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_TRANSFORMS_TILINGINTERFACEIMPL_H
#define SINTER_DIALECT_SINTER_TRANSFORMS_TILINGINTERFACEIMPL_H

#include "llvm/ADT/SmallVector.h"
#include <cstdint>

namespace mlir {
class DialectRegistry;
class Operation;
namespace sinter {

/// The iteration-domain dimensions a tile of `op` (a KV-cache op with the
/// TilingInterface) must take whole.
llvm::SmallVector<int64_t> getUntiledKVDims(Operation *op);

/// Attaches TilingInterface to sinter.gemm and the KV-cache ops, so
/// scf::tileUsingSCF, tile-and-fuse and the transform dialect work on them.
void registerTilingInterfaceExternalModels(DialectRegistry &registry);

} // namespace sinter
} // namespace mlir

#endif
