//===- Compile.h - The ahead-of-time compiler as a library ------*- C++ -*-===//
//
// What `sinter-compile` does, callable from C++ (the tool, the C API and
// the Python package all use it): run the pipeline for a target on a
// module and write the artifacts (CPU: object, static library, C header,
// manifest; GPU: PTX, cubin, launch code, header, manifest; NPU: kernel
// C++ on the simulator's API, header, manifest).
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_COMPILER_COMPILE_H
#define SINTER_COMPILER_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
namespace sinter {

struct CompileOptions {
  /// A target preset (x86-avx512, x86-avx2, aarch64-neon, nvidia-h100,
  /// nvidia-a100, npu-910); empty: the host's CPU.
  std::string target;
  std::string outputDir = ".";
  /// The artifacts' base name.
  std::string name = "model";
  /// Skip raising and fusion (the module is already in sinter ops).
  bool noGraph = false;
  /// Stop after a stage (graph, tile, llvm) and write its IR instead.
  std::string stopAfter;
  /// Print the IR after these stages to stderr.
  std::vector<std::string> printAfter;
  /// Hopper GEMM schedule: auto, cooperative or pingpong.
  std::string gemmSchedule = "auto";
  /// gemm:M,N,K or attention:BQ,BKV,SPLITS tile sizes to pin (CPU).
  std::vector<std::string> pinTiles;
  /// k block of the CPU micro-kernels (0: from L1, -1: k whole).
  int64_t kBlock = 0;
};

/// The dialects, extensions and translations compileModule needs.
void registerCompilerDialects(DialectRegistry &registry);
/// Registers every pass and pipeline (textual pipelines, sinter-opt's).
/// Idempotent.
void registerCompilerPasses();

/// Compiles `module` for `opts.target` and writes the artifacts into
/// `opts.outputDir`. `progress` (may be empty) gets one line per stage.
/// On failure `error` says why (passes also report on the context's
/// diagnostic handler). The module is rewritten in the process.
LogicalResult
compileModule(ModuleOp module, const CompileOptions &opts,
              llvm::function_ref<void(const llvm::Twine &)> progress,
              std::string &error);

} // namespace sinter
} // namespace mlir

#endif // SINTER_COMPILER_COMPILE_H
