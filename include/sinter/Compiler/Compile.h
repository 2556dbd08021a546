//===- Compile.h - The ahead-of-time compiler as a library ------*- C++ -*-===//
//
// What `sinter-compile` does, callable from C++ (the tool, the C API and
// the Python package all use it): attach the target's description, run the
// graph stage (raise and fuse), then hand the module to the backend of the
// target's kind (sinter/Backend/Backend.h) for its stages and artifacts.
// The backends must be registered first (sinter/InitAll.h).
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_COMPILER_COMPILE_H
#define SINTER_COMPILER_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "sinter/Backend/Backend.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <string>

namespace mlir::sinter {

/// Compiles `module` for `opts.target` and writes the artifacts into
/// `opts.outputDir`. `progress` (may be empty) gets one line per stage.
/// On failure `error` says why (passes also report on the context's
/// diagnostic handler). The module is rewritten in the process.
LogicalResult
compileModule(ModuleOp module, const CompileOptions &opts,
              llvm::function_ref<void(const llvm::Twine &)> progress,
              std::string &error);

} // namespace mlir::sinter

#endif // SINTER_COMPILER_COMPILE_H
