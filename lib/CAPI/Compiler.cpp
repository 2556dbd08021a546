//===- Compiler.cpp - The compiler's C API --------------------------------===//
//
// See include/sinter-c/compiler.h. Each call collects the diagnostics MLIR
// reports while it runs into the context's error message.
//
//===----------------------------------------------------------------------===//
#include "sinter-c/compiler.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "sinter/Compiler/Compile.h"
#include "sinter/InitAll.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unistd.h>

using namespace mlir;

struct SinterContextImpl {
  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
  std::string error;
};

struct SinterModuleImpl {
  SinterContextImpl *ctx;
  OwningOpRef<ModuleOp> module;
};

namespace {
/// Collects the diagnostics reported during one call.
struct Diagnostics {
  explicit Diagnostics(SinterContextImpl *ctx)
      : ctx(ctx), handler(ctx->context.get(), [this](Diagnostic &d) {
          llvm::raw_string_ostream os(messages);
          os << d.getLocation() << ": "
             << (d.getSeverity() == DiagnosticSeverity::Error     ? "error: "
                 : d.getSeverity() == DiagnosticSeverity::Warning ? "warning: "
                                                                  : "note: ")
             << d << "\n";
          // Notes that dump the IR ("see current operation") would bury
          // the message.
          for (Diagnostic &note : d.getNotes())
            if (!StringRef(note.str()).starts_with("see current operation"))
              os << note.getLocation() << ": note: " << note << "\n";
          return success();
        }) {
    ctx->error.clear();
  }
  /// Records `what` (and the diagnostics) as the call's error.
  void fail(const llvm::Twine &what) {
    ctx->error = what.str();
    if (!messages.empty())
      ctx->error += "\n" + messages;
  }
  SinterContextImpl *ctx;
  std::string messages;
  ScopedDiagnosticHandler handler;
};

char *copyString(llvm::StringRef s) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = 0;
  return out;
}

/// Captures what the passes write to stdout (reports go there) for the
/// length of one call.
class StdoutCapture {
public:
  explicit StdoutCapture(bool enabled) {
    if (!enabled)
      return;
    llvm::outs().flush();
    std::fflush(stdout);
    file = std::tmpfile();
    if (!file)
      return;
    saved = dup(1);
    dup2(fileno(file), 1);
  }
  std::string take() {
    if (!file)
      return "";
    llvm::outs().flush();
    std::fflush(stdout);
    dup2(saved, 1);
    close(saved);
    std::string text;
    std::rewind(file);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file)) > 0)
      text.append(buf, n);
    std::fclose(file);
    file = nullptr;
    return text;
  }
  ~StdoutCapture() { take(); }

private:
  std::FILE *file = nullptr;
  int saved = -1;
};
/// `buffer` (named `name` in diagnostics) as a module of the context, or
/// null with `failure` as the call's error.
SinterModule parseModule(Diagnostics &diags, llvm::StringRef buffer,
                         llvm::StringRef name, const llvm::Twine &failure) {
  ParserConfig config(diags.ctx->context.get());
  OwningOpRef<ModuleOp> m = parseSourceString<ModuleOp>(buffer, config, name);
  if (!m) {
    diags.fail(failure);
    return nullptr;
  }
  return new SinterModuleImpl{diags.ctx, std::move(m)};
}
} // namespace

extern "C" {

const char *sinterVersion(void) { return SINTER_VERSION; }

SinterContext sinterContextCreate(void) {
  sinter::registerAllPasses();
  auto *ctx = new SinterContextImpl();
  sinter::registerAllDialects(ctx->registry);
  ctx->context = std::make_unique<MLIRContext>(ctx->registry);
  ctx->context->loadAllAvailableDialects();
  return ctx;
}

void sinterContextDestroy(SinterContext ctx) { delete ctx; }

const char *sinterContextGetError(SinterContext ctx) {
  return ctx->error.c_str();
}

SinterModule sinterModuleParse(SinterContext ctx, const char *text,
                               size_t length) {
  Diagnostics diags(ctx);
  return parseModule(diags, llvm::StringRef(text, length), "<input>",
                     "cannot parse the module");
}

SinterModule sinterModuleParseFile(SinterContext ctx, const char *path) {
  Diagnostics diags(ctx);
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    diags.fail(llvm::Twine("cannot read '") + path +
               "': " + buf.getError().message());
    return nullptr;
  }
  return parseModule(diags, (*buf)->getBuffer(), path,
                     llvm::Twine("cannot parse '") + path + "'");
}

void sinterModuleDestroy(SinterModule module) { delete module; }

SinterModule sinterModuleClone(SinterModule module) {
  return new SinterModuleImpl{module->ctx,
                              OwningOpRef<ModuleOp>(module->module->clone())};
}

char *sinterModulePrint(SinterModule module, int generic) {
  std::string text;
  llvm::raw_string_ostream os(text);
  OpPrintingFlags flags;
  if (generic)
    flags.printGenericOpForm();
  module->module->print(os, flags);
  return copyString(text);
}

void sinterStringFree(char *s) { std::free(s); }

int sinterModuleRunPipeline(SinterModule module, const char *pipeline,
                            char **output) {
  Diagnostics diags(module->ctx);
  PassManager pm(module->ctx->context.get());
  std::string parseErrors;
  llvm::raw_string_ostream errs(parseErrors);
  // The pass manager is anchored on the module: a "builtin.module(...)"
  // wrapper names that anchor, it does not nest one.
  llvm::StringRef text = llvm::StringRef(pipeline).trim();
  if (text.consume_front("builtin.module(") && !text.consume_back(")")) {
    diags.fail(llvm::Twine("cannot parse the pipeline '") + pipeline +
               "': unbalanced parentheses");
    return 1;
  }
  if (failed(parsePassPipeline(text, pm, errs))) {
    diags.fail(llvm::Twine("cannot parse the pipeline '") + pipeline +
               "': " + parseErrors);
    return 1;
  }
  StdoutCapture capture(output != nullptr);
  LogicalResult result = pm.run(*module->module);
  std::string printed = capture.take();
  if (output)
    *output = copyString(printed);
  if (failed(result)) {
    diags.fail(llvm::Twine("the pipeline '") + pipeline + "' failed");
    return 1;
  }
  return 0;
}

char *sinterListPasses(void) {
  sinter::registerAllPasses();
  // The listing sinter-opt --list-passes prints, from the same registry.
  StdoutCapture capture(true);
  printRegisteredPasses();
  return copyString(capture.take());
}

int sinterPassIsRegistered(const char *name) {
  sinter::registerAllPasses();
  return PassInfo::lookup(name) || PassPipelineInfo::lookup(name);
}

char *sinterListTargets(void) {
  sinter::registerAllBackends();
  std::string text;
  for (const std::string &name : sinter::getTargetPresetNames())
    text += name + "\n";
  return copyString(text);
}

void sinterCompileOptionsInit(SinterCompileOptions *options) {
  *options =
      SinterCompileOptions{nullptr, nullptr, nullptr, 0, nullptr, nullptr, 0};
}

int sinterCompile(SinterModule module, const SinterCompileOptions *options,
                  SinterProgressFn progress, void *user) {
  Diagnostics diags(module->ctx);
  SinterCompileOptions defaults;
  sinterCompileOptionsInit(&defaults);
  const SinterCompileOptions &o = options ? *options : defaults;
  sinter::CompileOptions opts;
  if (o.target)
    opts.target = o.target;
  if (o.output_dir)
    opts.outputDir = o.output_dir;
  if (o.name)
    opts.name = o.name;
  opts.noGraph = o.no_graph != 0;
  if (o.stop_after)
    opts.stopAfter = o.stop_after;
  if (o.gpu_gemm_schedule)
    opts.gemmSchedule = o.gpu_gemm_schedule;
  opts.kBlock = o.k_block;
  std::string error;
  auto report = [&](const llvm::Twine &line) {
    if (progress)
      progress(line.str().c_str(), user);
  };
  if (failed(sinter::compileModule(*module->module, opts, report, error))) {
    diags.fail(error.empty() ? "compilation failed" : error);
    return 1;
  }
  return 0;
}

char *sinterReadManifest(SinterContext ctx, const char *output_dir,
                         const char *name) {
  Diagnostics diags(ctx);
  llvm::SmallString<256> path(output_dir ? output_dir : ".");
  llvm::sys::path::append(path, std::string(name ? name : "model") + ".json");
  auto buf = llvm::MemoryBuffer::getFile(path);
  if (!buf) {
    diags.fail("cannot read '" + path + "': " + buf.getError().message());
    return nullptr;
  }
  return copyString((*buf)->getBuffer());
}

} // extern "C"
