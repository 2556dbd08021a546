//===- NPUArtifacts.cpp - Kernel C++, header with the machine, manifest ---===//
#include "NPUArtifacts.h"
#include "EmitKernelCpp.h"
#include "sinter/Backend/NPU/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// A kernel's global tile as the header and manifest describe it.
struct KernelArg {
  std::string dtype;
  SmallVector<int64_t> shape;
  bool output;
};
/// The kernels (after convert-sinter-to-npu): for each, its global tiles,
/// the arguments then the result.
SmallVector<std::pair<std::string, SmallVector<KernelArg>>>
kernelsOf(ModuleOp module) {
  SmallVector<std::pair<std::string, SmallVector<KernelArg>>> kernels;
  SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (llvm::all_of(f.getArgumentTypes(),
                     [](Type t) { return isa<MemRefType>(t); }))
      funcs.push_back(f);
  if (auto nested = module.lookupSymbol<ModuleOp>(kNPUKernelModuleName))
    llvm::append_range(funcs, nested.getOps<func::FuncOp>());
  for (auto f : funcs) {
    if (f.isExternal())
      continue;
    SmallVector<KernelArg> args;
    for (auto [i, t] : llvm::enumerate(f.getArgumentTypes())) {
      auto m = cast<MemRefType>(t);
      args.push_back({getTypeName(m.getElementType()),
                      SmallVector<int64_t>(m.getShape()),
                      i + 1 == f.getNumArguments()});
    }
    kernels.push_back({f.getName().str(), std::move(args)});
  }
  return kernels;
}

std::string number(double v) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%.17g", v);
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

/// The simulator's machine (sinter::npu::Config) from the target
/// description, per core at the description's clock: scratchpad
/// capacities, the bandwidths of HBM (MTE2/MTE3/FIX to global), L0A (MTE1)
/// and UB (the local paths), the f16 cube and vector rates, and the fixed
/// latencies and DMA queue depth of its `config`.
void writeNPUConfig(llvm::raw_ostream &os, StringRef name, TargetAttr t) {
  double cores = double(t.getCores());
  double clockGHz = double(t.getConfigInt("clock_mhz", 1000)) / 1000.0;
  auto peak = [&](StringRef unit) {
    int64_t best = 0;
    for (auto p : t.getPeaks().getAsRange<PeakComputeAttr>())
      if (p.getUnit() == unit && p.getType().isF16())
        best = std::max(best, p.getGops());
    return double(best);
  };
  // Per core and cycle, from an aggregate rate in G/s.
  auto per = [&](double perSecond) {
    std::string text;
    llvm::raw_string_ostream(text)
        << llvm::format("%.17g", perSecond / cores / clockGHz);
    return text;
  };
  auto hbm = cast<MemoryLevelAttr>(t.getLevels()[0]);
  os << "/* The simulator's model of " << t.getName() << " (per core, "
     << llvm::format("%g", clockGHz)
     << " GHz), generated from its target description. */\n"
     << "inline sinter::npu::Config " << name << "_config() {\n"
     << "  using sinter::npu::Space;\n  sinter::npu::Config c;\n"
     << "  c.clockGHz = " << number(clockGHz) << ";\n";
  for (auto [space, lvl] :
       {std::pair("L1", "l1"), std::pair("L0A", "l0a"), std::pair("L0B", "l0b"),
        std::pair("L0C", "l0c"), std::pair("UB", "ub")})
    if (MemoryLevelAttr l = t.getLevel(lvl))
      os << "  c.capacity[int(Space::" << space << ")] = " << l.getCapacity()
         << ";\n";
  os << "  c.gmBytesPerCycle = " << per(double(hbm.getBandwidth())) << ";\n";
  if (MemoryLevelAttr l0a = t.getLevel("l0a"))
    os << "  c.l1BytesPerCycle = " << per(double(l0a.getBandwidth())) << ";\n";
  if (MemoryLevelAttr ub = t.getLevel("ub"))
    os << "  c.localBytesPerCycle = " << per(double(ub.getBandwidth()))
       << ";\n";
  os << "  c.cubeMacsPerCycle = " << per(peak("matrix") / 2) << ";\n"
     << "  c.vectorBytesPerCycle = " << per(peak("vector") * 2) << ";\n"
     << "  c.dmaLatency = " << t.getConfigInt("dma_latency", 100) << ";\n"
     << "  c.cubeLatency = " << t.getConfigInt("cube_latency", 20) << ";\n"
     << "  c.vectorLatency = " << t.getConfigInt("vector_latency", 10)
     << ";\n  c.dmaQueueDepth = " << t.getConfigInt("dma_queue_depth", 4)
     << ";\n"
     << "  return c;\n}\n\n";
}

/// The kernels' C++ header: a declaration per kernel, its tiles described,
/// and the simulator's Config of the target.
void writeHeader(llvm::raw_ostream &os, StringRef name, TargetAttr target,
                 ModuleOp module) {
  std::string guard = getHeaderGuard(name);
  os << "// " << generatedByLine(target.getName()) << "\n//\n"
     << "// NPU kernels on the kernel API (sinter/npu/npu_sim.h). Each runs\n"
     << "// on one core (Core::coreId of Core::numCores; every core runs it\n"
     << "// for its share of the output) and takes global tiles, row-major:\n"
     << "// the function's arguments, then its result. Vectors are [1, N]\n"
     << "// rows or [M, 1] columns. Build " << name
     << ".cpp and link with -lsinter_npusim.\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"sinter/npu/npu_sim.h\"\n\n";
  writeNPUConfig(os, name, target);
  for (auto &[kernel, args] : kernelsOf(module)) {
    os << "/* " << kernel << "\n";
    for (auto [i, a] : llvm::enumerate(args))
      os << " *   arg" << i << ": " << a.dtype << " " << formatShape(a.shape)
         << (a.output ? " (output)" : "") << "\n";
    os << " */\nvoid " << kernel << "(sinter::npu::Core &core";
    for (size_t i = 0; i < args.size(); ++i)
      os << ", const sinter::npu::Tile &arg" << i;
    os << ");\n\n";
  }
}

/// The manifest's kernels and their tiles.
llvm::json::Array kernelsJson(ModuleOp module) {
  llvm::json::Array fs;
  for (auto &[kernel, args] : kernelsOf(module)) {
    llvm::json::Array list;
    for (auto [i, a] : llvm::enumerate(args))
      list.push_back(
          llvm::json::Object{{"name", "arg" + std::to_string(i)},
                             {"dtype", a.dtype},
                             {"shape", llvm::json::Array(a.shape)},
                             {"role", a.output ? "output" : "input"}});
    fs.push_back(llvm::json::Object{
        {"name", kernel}, {"symbol", kernel}, {"arguments", std::move(list)}});
  }
  return fs;
}
} // namespace

LogicalResult mlir::sinter::writeNPUArtifacts(Compilation &c) {
  ModuleOp module = c.getModule();
  StringRef name = c.getName();
  std::string cpp, header;
  llvm::raw_string_ostream cs(cpp), hs(header);
  if (failed(npu::translateToNPUKernelCpp(module, cs)))
    return c.fail("writing the NPU kernels as C++ failed");
  c.recordStep("emit", "npu-to-cpp");
  writeHeader(hs, name, c.getTarget(), module);
  llvm::json::Array functions;
  if (failed(writeNPUHostPrograms(c, cs, hs, functions)))
    return failure();
  hs << "#endif // " << getHeaderGuard(name) << "\n";
  llvm::json::Object manifest = getManifestSkeleton(c);
  manifest["api"] = "sinter/npu/npu_sim.h";
  manifest["header"] = (name + ".h").str();
  manifest["sources"] = llvm::json::Array{(name + ".cpp").str()};
  manifest["link"] = llvm::json::Array{"-lsinter_npusim"};
  manifest["functions"] = std::move(functions);
  manifest["kernels"] = kernelsJson(module);
  if (failed(c.writeFile(name + ".cpp", cpp)) ||
      failed(c.writeFile(name + ".h", header)) ||
      failed(writeManifest(c, std::move(manifest))))
    return failure();
  c.progress("wrote " + c.path(name + ".h") + ", " + c.path(name + ".cpp") +
             ", " + c.path(name + ".json"));
  return success();
}
