//===- Compile.cpp - The ahead-of-time compiler as a library --------------===//
//
// The driver only attaches the target's description, runs the graph stage
// and dispatches on the target's kind; everything after that is the
// backend's (sinter/Backend/Backend.h). See Compile.h.
//
//===----------------------------------------------------------------------===//
#include "sinter/Compiler/Compile.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// The target's preset: the one named, else the host's.
std::string presetName(const CompileOptions &opts) {
  if (!opts.target.empty())
    return opts.target;
  for (const Backend *b : getBackends())
    if (std::string host = b->getHostPreset(); !host.empty())
      return host;
  return "";
}

/// Prints and, when asked to stop there, writes what `stage` left: the
/// module's IR or the stage's own text (`c.stageText`). True when the
/// compile stops here (`c.getError()` says whether that is a failure).
bool finishStage(Compilation &c, StringRef stage) {
  const CompileOptions &opts = c.getOptions();
  if (llvm::is_contained(opts.printAfter, stage)) {
    if (c.stageText) {
      llvm::errs() << c.stageText->text;
    } else {
      llvm::errs() << "// -----// IR after " << stage << " //----- //\n";
      c.getModule().print(llvm::errs());
      llvm::errs() << "\n";
    }
  }
  if (opts.stopAfter != stage)
    return false;
  std::string file = c.stageText ? (c.getName() + c.stageText->extension).str()
                                 : (c.getName() + "." + stage + ".mlir").str();
  std::string text;
  if (c.stageText) {
    text = c.stageText->text;
  } else {
    llvm::raw_string_ostream os(text);
    c.getModule().print(os);
  }
  if (succeeded(c.writeFile(file, text)))
    c.progress("stopped after " + stage + "; wrote " + c.path(file));
  return true;
}
} // namespace

LogicalResult mlir::sinter::compileModule(
    ModuleOp module, const CompileOptions &opts,
    llvm::function_ref<void(const llvm::Twine &)> report, std::string &error) {
  auto fail = [&](const llvm::Twine &msg) {
    error = msg.str();
    return failure();
  };
  MLIRContext &context = *module.getContext();
  std::string name = presetName(opts);
  TargetAttr target = getTargetPreset(&context, name);
  if (!target)
    return fail("unknown target '" + name + "' (" +
                llvm::join(getTargetPresetNames(), ", ") + ")");
  const Backend *backend = lookupBackend(target.getKind());
  if (!backend)
    return fail("no backend compiles targets of kind '" + target.getKind() +
                "' (" + name + ")");

  SmallVector<StringRef> stages{"graph"};
  llvm::append_range(stages, backend->getStages());
  auto knownStage = [&](StringRef s) {
    if (llvm::is_contained(stages, s))
      return success();
    return fail("unknown stage '" + s + "' for " + name + " (" +
                llvm::join(stages, ", ") + ")");
  };
  if (!opts.stopAfter.empty() && failed(knownStage(opts.stopAfter)))
    return failure();
  for (const std::string &s : opts.printAfter)
    if (failed(knownStage(s)))
      return failure();
  if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir))
    return fail("cannot create '" + opts.outputDir + "': " + ec.message());

  Compilation c(module, target, opts, report);
  auto done = [&](bool stopped) -> std::optional<LogicalResult> {
    if (!c.getError().empty())
      return fail(c.getError());
    if (stopped)
      return success();
    return std::nullopt;
  };

  // The graph stage (raise + fuse) on the target's description.
  module.getOperation()->setAttr(kTargetAttrName, target);
  if (!opts.noGraph) {
    auto graph = PassManager::on<ModuleOp>(&context);
    if (failed(parsePassPipeline("sinter-graph-pipeline", graph)))
      return fail("cannot build the graph pipeline");
    if (failed(c.runPipeline("graph", graph)))
      return fail("raising and fusion failed");
  }
  FailureOr<SmallVector<CFunction>> funcs = collectCFunctions(module);
  if (failed(funcs))
    return failure();
  c.progress("graph: " + llvm::Twine(funcs->size()) + " function(s) to export");
  c.setFunctions(std::move(*funcs));
  if (auto r = done(finishStage(c, "graph")))
    return *r;

  // The backend's stages, then its artifacts.
  for (StringRef stage : backend->getStages()) {
    c.stageText.reset();
    if (failed(backend->runStage(stage, c)))
      return fail(c.getError().empty() ? (stage + " stage failed").str()
                                       : c.getError());
    if (auto r = done(finishStage(c, stage)))
      return *r;
  }
  if (failed(backend->writeArtifacts(c)))
    return fail(c.getError().empty() ? "writing the artifacts failed"
                                     : c.getError());
  return success();
}
