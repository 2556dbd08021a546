//===- InitAll.h - Register everything the compiler has ---------*- C++ -*-===//
//
// The one registration that sinter-opt, sinter-translate, the compiler
// library's users, the C API and the Python package share: MLIR's
// dialects and passes, the sinter dialect's, and every backend's (its
// presets, dialects, passes and translations). Adding a backend adds one
// line to registerAllBackends.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_INITALL_H
#define SINTER_INITALL_H

namespace mlir {
class DialectRegistry;
namespace sinter {

/// Registers the backends (and so their target presets). Idempotent.
void registerAllBackends();

/// MLIR's dialects, extensions and LLVM IR translations, the sinter
/// dialect with its external models, and every backend's dialects.
void registerAllDialects(DialectRegistry &registry);

/// MLIR's passes, sinter's passes and pipelines, and every backend's.
/// Idempotent.
void registerAllPasses();

/// Every backend's translations (sinter-translate). Idempotent.
void registerAllTranslations();

} // namespace sinter
} // namespace mlir

#endif // SINTER_INITALL_H
