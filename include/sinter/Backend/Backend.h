//===- Backend.h - The interface every backend implements -------*- C++ -*-===//
//
// A backend compiles one kind of `#sinter.target` (`cpu`, `gpu`, `npu`). It
// owns four things, in its own folder (lib/Backend/<Kind>):
//
//   * its named target descriptions (presets) and what its code generator
//     needs from them (the description's `config`: chip, triple, ...);
//   * its dialects and passes, and their registration;
//   * its pipeline per stage after the graph stage (`tile`, `llvm`, ...);
//   * its artifact writer (objects, launch code, headers, manifest entries).
//
// The compiler driver (lib/Compiler) attaches the target, runs the graph
// stage and then hands the module to the backend of the target's kind,
// stage by stage, through a Compilation that carries what they share. A
// backend registers itself with registerBackend (see sinter/InitAll.h for
// the list); nothing outside its folder names it.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_BACKEND_BACKEND_H
#define SINTER_BACKEND_BACKEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include "sinter/Backend/Artifacts.h"
#include "sinter/Dialect/Sinter/IR/Target.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/JSON.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class PassManager;
namespace sinter {

/// What a compile is asked to do (sinter-compile's command line, the C
/// API's SinterCompileOptions).
struct CompileOptions {
  /// A target preset (`x86-avx512`, `nvidia-h100`, `npu-910`, ...; see
  /// getTargetPresetNames); empty: the host's CPU.
  std::string target;
  std::string outputDir = ".";
  /// The artifacts' base name.
  std::string name = "model";
  /// Skip raising and fusion (the module is already in sinter ops).
  bool noGraph = false;
  /// Stop after a stage (graph, or one of the backend's) and write its
  /// output instead of the artifacts.
  std::string stopAfter;
  /// Print the output of these stages to stderr.
  std::vector<std::string> printAfter;
  /// Hopper GEMM schedule (GPU): auto, cooperative or pingpong.
  std::string gemmSchedule = "auto";
  /// gemm:M,N,K or attention:BQ,BKV,SPLITS tile sizes to pin (CPU).
  std::vector<std::string> pinTiles;
  /// k block of the CPU micro-kernels (0: from L1, -1: k whole).
  int64_t kBlock = 0;
};

/// One compile in progress: the module, its target and options, and what
/// the stages leave for the artifact writer.
class Compilation {
public:
  Compilation(ModuleOp module, TargetAttr target, const CompileOptions &options,
              llvm::function_ref<void(const llvm::Twine &)> progress);

  ModuleOp getModule() const { return module; }
  TargetAttr getTarget() const { return target; }
  const CompileOptions &getOptions() const { return options; }
  /// The artifacts' base name.
  llvm::StringRef getName() const { return options.name; }

  /// The exported functions as C sees them (collected after the graph
  /// stage, before the backend rewrites their signatures).
  ArrayRef<CFunction> getFunctions() const { return functions; }
  void setFunctions(SmallVector<CFunction> fs) { functions = std::move(fs); }

  /// Runs `pm` on the module (or on `op`) and records the pipeline it ran,
  /// as the pass manager prints it, in the manifest under `stage`.
  LogicalResult runPipeline(llvm::StringRef stage, PassManager &pm,
                            Operation *op = nullptr);
  /// Records a step that is not a pass (an external tool, a translation)
  /// in the manifest's pipeline.
  void recordStep(llvm::StringRef stage, llvm::StringRef command);
  /// What ran, in order, for the manifest: [{"stage", "pipeline" or
  /// "command"}].
  llvm::json::Array getPipelineJson() const;

  /// Text a stage produces instead of IR (the GPU's PTX): the driver prints
  /// it for --print-ir-after-stage and writes it, with `extension`, for
  /// --stop-after-stage. Reset before every stage.
  struct StageText {
    std::string text, extension;
  };
  std::optional<StageText> stageText;

  /// Named results of the stages for the artifact writer (the GPU's "ptx").
  llvm::StringMap<std::string> products;

  /// `file` in the output folder.
  std::string path(const llvm::Twine &file) const;
  /// Writes `bytes` to `file` in the output folder; on failure sets the
  /// error.
  LogicalResult writeFile(const llvm::Twine &file, llvm::StringRef bytes);
  /// Sets the compile's error message and fails.
  LogicalResult fail(const llvm::Twine &message);
  /// One line of progress.
  void progress(const llvm::Twine &line) const;
  /// Why the compile failed (passes also report on the context's
  /// diagnostic handler).
  const std::string &getError() const { return error; }

private:
  ModuleOp module;
  TargetAttr target;
  const CompileOptions &options;
  llvm::function_ref<void(const llvm::Twine &)> progressFn;
  SmallVector<CFunction> functions;
  struct Step {
    std::string stage, pipeline, command;
  };
  SmallVector<Step> steps;
  std::string error;
};

/// A backend: see the file comment.
class Backend {
public:
  virtual ~Backend();

  /// The `kind` of the target descriptions it compiles.
  virtual llvm::StringRef getKind() const = 0;
  /// Its named target descriptions.
  virtual ArrayRef<TargetPresetSpec> getPresets() const = 0;
  /// The preset that fits the machine the compiler runs on, if it has one
  /// (the CPU backend's; the default target).
  virtual std::string getHostPreset() const { return ""; }

  /// Adds the dialects its passes produce.
  virtual void registerDialects(DialectRegistry &registry) const {}
  /// Registers its passes and pipelines (for sinter-opt, textual pipelines,
  /// the C API and Python).
  virtual void registerPasses() const {}
  /// Registers its translations (for sinter-translate).
  virtual void registerTranslations() const {}

  /// The stages after `graph`, in order (`--stop-after-stage` names).
  virtual ArrayRef<llvm::StringRef> getStages() const = 0;
  /// Runs `stage` on the compilation's module; reports failures through
  /// `c.fail`.
  virtual LogicalResult runStage(llvm::StringRef stage,
                                 Compilation &c) const = 0;
  /// Writes the artifacts and the manifest after the last stage.
  virtual LogicalResult writeArtifacts(Compilation &c) const = 0;
};

/// Makes `backend` (and its presets) known. A second backend of the same
/// kind is ignored.
void registerBackend(std::unique_ptr<Backend> backend);
/// The registered backend for targets of `kind`, or null.
const Backend *lookupBackend(llvm::StringRef kind);
/// Every registered backend, in registration order.
std::vector<const Backend *> getBackends();

} // namespace sinter
} // namespace mlir

#endif // SINTER_BACKEND_BACKEND_H
