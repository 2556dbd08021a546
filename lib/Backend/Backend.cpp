//===- Backend.cpp - The backend registry and the shared compilation ------===//
#include "sinter/Backend/Backend.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

#include <mutex>

using namespace mlir;
using namespace mlir::sinter;

Backend::~Backend() = default;

namespace {
struct BackendRegistry {
  std::mutex mutex;
  std::vector<std::unique_ptr<Backend>> backends;
};
BackendRegistry &registry() {
  static BackendRegistry r;
  return r;
}
} // namespace

void mlir::sinter::registerBackend(std::unique_ptr<Backend> backend) {
  BackendRegistry &r = registry();
  {
    std::lock_guard<std::mutex> lock(r.mutex);
    for (const std::unique_ptr<Backend> &b : r.backends)
      if (b->getKind() == backend->getKind())
        return;
    r.backends.push_back(std::move(backend));
  }
  registerTargetPresets(r.backends.back()->getPresets());
}

const Backend *mlir::sinter::lookupBackend(StringRef kind) {
  BackendRegistry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const std::unique_ptr<Backend> &b : r.backends)
    if (b->getKind() == kind)
      return b.get();
  return nullptr;
}

std::vector<const Backend *> mlir::sinter::getBackends() {
  BackendRegistry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<const Backend *> all;
  for (const std::unique_ptr<Backend> &b : r.backends)
    all.push_back(b.get());
  return all;
}

//===----------------------------------------------------------------------===//
// Compilation
//===----------------------------------------------------------------------===//

Compilation::Compilation(ModuleOp module, TargetAttr target,
                         const CompileOptions &options,
                         llvm::function_ref<void(const llvm::Twine &)> progress)
    : module(module), target(target), options(options), progressFn(progress) {}

LogicalResult Compilation::runPipeline(StringRef stage, PassManager &pm,
                                       Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  steps.push_back({stage.str(), text, ""});
  return pm.run(op ? op : module.getOperation());
}

void Compilation::recordStep(StringRef stage, StringRef command) {
  steps.push_back({stage.str(), "", command.str()});
}

llvm::json::Array Compilation::getPipelineJson() const {
  llvm::json::Array list;
  for (const Step &s : steps) {
    llvm::json::Object o{{"stage", s.stage}};
    if (!s.pipeline.empty())
      o["pipeline"] = s.pipeline;
    if (!s.command.empty())
      o["command"] = s.command;
    list.push_back(std::move(o));
  }
  return list;
}

std::string Compilation::path(const llvm::Twine &file) const {
  SmallString<256> p(options.outputDir);
  llvm::sys::path::append(p, file);
  return std::string(p);
}

LogicalResult Compilation::writeFile(const llvm::Twine &file, StringRef bytes) {
  std::string err;
  auto out = openOutputFile(path(file), &err);
  if (!out)
    return fail(err);
  out->os() << bytes;
  out->keep();
  return success();
}

LogicalResult Compilation::fail(const llvm::Twine &message) {
  error = message.str();
  return failure();
}

void Compilation::progress(const llvm::Twine &line) const {
  if (progressFn)
    progressFn(line);
}
