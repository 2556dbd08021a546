//===- sinter-compile.cpp - Ahead-of-time compiler driver -----------------===//
//
//   sinter-compile model.mlir --target=x86-avx512 -o out/
//
// runs the whole pipeline (raise and fuse the graph, tile for the target,
// lower to LLVM) and writes out/NAME.o, out/libNAME.a, out/NAME.h (one
// plain C entry point per public function) and out/NAME.json (manifest).
// The work is sinter::compileModule (lib/Compiler); this is its command
// line.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "sinter/Compiler/Compile.h"
#include "sinter/Dialect/Sinter/IR/Target.h"
#include "sinter/InitAll.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::sinter;
namespace cl = llvm::cl;

namespace {
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input .mlir>"),
                               cl::init(""));
cl::opt<std::string> outputDir("o", cl::desc("Output directory"),
                               cl::value_desc("dir"), cl::init("."));
cl::opt<std::string> targetName(
    "target",
    cl::desc("Target preset (default: the host's CPU); --list-targets "
             "shows them"),
    cl::init(""));
cl::opt<bool> listTargets("list-targets",
                          cl::desc("Print the target presets and exit"),
                          cl::init(false));
cl::opt<std::string>
    libName("name",
            cl::desc("Base name of the outputs (default: the input's stem)"),
            cl::init(""));
cl::opt<bool> noGraph("no-graph",
                      cl::desc("Skip raising and fusion (input is already "
                               "in sinter ops as intended)"),
                      cl::init(false));
cl::list<std::string>
    printAfter("print-ir-after-stage",
               cl::desc("Print the IR after a stage (graph, tile, llvm) to "
                        "stderr; repeatable"));
cl::opt<std::string>
    stopAfter("stop-after-stage",
              cl::desc("Stop after a stage (graph, tile, llvm) and write its "
                       "IR to <out>/<name>.<stage>.mlir"),
              cl::init(""));
cl::opt<bool> quiet("quiet", cl::desc("No progress output"), cl::init(false));
cl::opt<std::string> gemmSchedule(
    "gpu-gemm-schedule",
    cl::desc("Hopper GEMM schedule: auto (default; cooperative), cooperative "
             "or pingpong"),
    cl::init("auto"));
cl::list<std::string> pinTiles(
    "pin-tiles",
    cl::desc("Pin tile sizes of every op of a kind that has none: "
             "gemm:TILE_M,TILE_N,TILE_K or attention:BLOCK_Q,BLOCK_KV,SPLITS "
             "(repeatable)"));
cl::opt<int64_t> kBlock("k-block",
                        cl::desc("Block k of GEMM micro-kernels by this many "
                                 "rows (0: from the target's L1, -1: k whole)"),
                        cl::init(0));

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerAllPasses();
  cl::ParseCommandLineOptions(argc, argv, "Sinter ahead-of-time compiler\n");
  if (listTargets) {
    for (const std::string &name : getTargetPresetNames())
      llvm::outs() << name << "\n";
    return 0;
  }
  if (inputFile.empty()) {
    llvm::errs() << "sinter-compile: error: no input file (see --help)\n";
    return 1;
  }
  auto fail = [](const llvm::Twine &msg) {
    llvm::errs() << "sinter-compile: error: " << msg << "\n";
    return 1;
  };

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  std::string errorMessage;
  auto file = openInputFile(inputFile, &errorMessage);
  if (!file)
    return fail(errorMessage);
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  OwningOpRef<ModuleOp> module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  if (!module)
    return fail("cannot parse '" + inputFile + "'");

  CompileOptions opts;
  opts.target = targetName;
  opts.outputDir = outputDir;
  opts.name =
      libName.empty() ? llvm::sys::path::stem(inputFile).str() : libName;
  opts.noGraph = noGraph;
  opts.stopAfter = stopAfter;
  opts.printAfter.assign(printAfter.begin(), printAfter.end());
  opts.gemmSchedule = gemmSchedule;
  opts.pinTiles.assign(pinTiles.begin(), pinTiles.end());
  opts.kBlock = kBlock;
  std::string error;
  auto progress = [&](const llvm::Twine &msg) {
    if (!quiet)
      llvm::errs() << "sinter-compile: " << msg << "\n";
  };
  if (failed(compileModule(*module, opts, progress, error)))
    return error.empty() ? 1 : fail(error);
  return 0;
}
