//===- TilingInterfaceImpl.h - TilingInterface for sinter ops ---*- C++ -*-===//
#ifndef SINTER_DIALECT_SINTER_TRANSFORMS_TILINGINTERFACEIMPL_H
#define SINTER_DIALECT_SINTER_TRANSFORMS_TILINGINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
namespace sinter {

/// Attaches TilingInterface to sinter.gemm and the KV-cache ops, so
/// scf::tileUsingSCF, tile-and-fuse and the transform dialect work on them.
void registerTilingInterfaceExternalModels(DialectRegistry &registry);

} // namespace sinter
} // namespace mlir

#endif
