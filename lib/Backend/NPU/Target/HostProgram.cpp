//===- HostProgram.cpp - Host programs as launches on the simulator -------===//
//
// Each host program (sinter-partition, sinter-plan-workspace) becomes an
// extern "C" function that runs its kernels in order on the simulator's
// cores (sinter::npu::Machine) over the caller's buffers, one workspace,
// the module's constants and a load-time area (what constants and weights
// alone make, made again when a weight pointer changes), and keeps the
// run's timeline:
//
//   int NAME(const void *arg0, ..., void *result0, ...);  // 0, or -1
//   const char *MODULE_error(void);     // why the last call failed
//   const char *MODULE_report(void);    // the last call's launches (JSON)
//   void MODULE_set_cores(int);         // default: the target's cores
//   void MODULE_set_functional(int);    // 0: timing only (null buffers)
//
//===----------------------------------------------------------------------===//
#include "EmitKernelCpp.h"
#include "NPUArtifacts.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "sinter/Backend/Backend.h"
#include "sinter/Backend/NPU/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr int64_t kAlignment = 256;

/// The C++ variable holding the simulator's index of a place's buffer.
std::string bufferOf(const HostPlace &p) {
  switch (p.kind) {
  case HostPlace::Argument:
    return "b" + std::to_string(p.index);
  case HostPlace::Output:
    return "o" + std::to_string(p.index);
  case HostPlace::Constant:
    return "bconst";
  case HostPlace::Workspace:
    return "bws";
  case HostPlace::LoadTime:
    return "bpers";
  }
  return "";
}

int64_t bytesOf(Type elem, int64_t elements) {
  int64_t bits =
      elem.isIndex() ? 64 : std::max(8u, elem.getIntOrFloatBitWidth());
  if (elem.isInteger(4))
    bits = 4;
  return (elements * bits + 7) / 8;
}

struct HostWriter {
  Compilation &c;
  ModuleOp module, kernels;
  llvm::raw_ostream &os;
  HostConstants constants;

  /// `m.launch(...)` of one kernel call.
  LogicalResult writeCall(func::CallOp call,
                          const llvm::DenseMap<Value, HostPlace> &at,
                          StringRef machine, StringRef indent) {
    auto kernel = kernels.lookupSymbol<func::FuncOp>(call.getCallee());
    if (!kernel)
      return c.fail("no NPU kernel for @" + call.getCallee() +
                    " (convert-sinter-to-npu)");
    SmallVector<Value> values(call.getOperands());
    llvm::append_range(values, call.getResults());
    if (values.size() != kernel.getNumArguments())
      return c.fail("the NPU kernel @" + call.getCallee() +
                    " does not take the call's operands and results");
    os << indent << machine << ".launch(\"" << call.getCallee()
       << "\", [&](sinter::npu::Core &core) {\n"
       << indent << "  " << call.getCallee() << "(core";
    for (auto [v, t] : llvm::zip(values, kernel.getArgumentTypes())) {
      auto type = cast<MemRefType>(t);
      FailureOr<std::string> dt = npu::getKernelDType(type.getElementType());
      if (failed(dt))
        return c.fail("no kernel-API type for " +
                      getTypeName(type.getElementType()));
      int64_t cols = type.getRank() ? type.getShape().back() : 1;
      int64_t rows = cols ? type.getNumElements() / cols : 0;
      auto p = at.find(v);
      if (p == at.end())
        return c.fail("a value @" + call.getCallee() +
                      " reads has no place in the host program");
      os << ",\n"
         << indent << "      core.globalTile(" << bufferOf(p->second)
         << ", sinter::npu::DType::" << *dt << ", " << rows << ", " << cols
         << ", " << p->second.offset << ")";
    }
    os << ");\n" << indent << "});\n";
    return success();
  }

  LogicalResult writeFunction(const CFunction &cf, StringRef name,
                              int64_t cores, llvm::json::Array &manifest) {
    auto host = module.lookupSymbol<func::FuncOp>(cf.name);
    auto attr = [&](StringRef key) -> int64_t {
      auto a = host->getAttrOfType<IntegerAttr>(key);
      return a ? a.getInt() : 0;
    };
    int64_t ws = attr(kWorkspaceBytesAttrName),
            pers = attr(kPersistentBytesAttrName);
    FailureOr<llvm::DenseMap<Value, HostPlace>> at =
        getHostPlaces(c, host, constants);
    if (failed(at))
      return failure();
    Block &block = host.getBody().front();
    // Weights the load-time kernels read: their pointers key the cache.
    SmallVector<unsigned> weights;
    for (auto call : block.getOps<func::CallOp>())
      if (call->hasAttr(kLoadTimeAttrName))
        for (Value v : call.getOperands())
          if (auto arg = dyn_cast<BlockArgument>(v);
              arg && !llvm::is_contained(weights, arg.getArgNumber()))
            weights.push_back(arg.getArgNumber());
    std::string symbol = getCSymbol(c.getName(), cf.name);
    os << "\nint " << symbol << "(";
    for (auto [i, a] : llvm::enumerate(cf.args))
      os << (i ? ", " : "") << (a.role == "input" ? "const void *" : "void *")
         << a.name;
    os << ") {\n  try {\n"
       << "    sinter::npu::Config cfg = " << name << "_config();\n"
       << "    cfg.functional = sinter_functional;\n"
       << "    static std::vector<unsigned char> persistent;\n"
       << "    static std::vector<const void *> persistentFor;\n"
       << "    static bool loaded = false;\n"
       << "    std::vector<unsigned char> workspace(sinter_functional ? " << ws
       << " : 0);\n"
       << "    const std::vector<const void *> weights = {";
    for (auto [i, w] : llvm::enumerate(weights))
      os << (i ? ", " : "") << cf.args[w].name;
    os << "};\n"
       << "    bool load = !loaded || persistentFor != weights;\n"
       << "    if (load)\n"
       << "      persistent.assign(sinter_functional ? " << pers
       << " : 0, 0);\n"
       << "    // Buffers in one order on every machine: arguments, results,\n"
       << "    // the workspace, the constants, the load-time area.\n"
       << "    int ";
    unsigned numIn = host.getNumArguments();
    for (unsigned i = 0; i < cf.args.size(); ++i)
      os << (i < numIn ? "b" + std::to_string(i)
                       : "o" + std::to_string(i - numIn))
         << " = 0, ";
    os << "bws = 0, bconst = 0, bpers = 0;\n"
       << "    auto attach = [&](sinter::npu::Machine &mm) {\n";
    for (auto [i, a] : llvm::enumerate(cf.args)) {
      int64_t n = 1;
      for (int64_t d : a.shape)
        n *= d;
      os << "      "
         << (i < numIn ? "b" + std::to_string(i)
                       : "o" + std::to_string(i - numIn))
         << " = mm.attach(const_cast<void *>(static_cast<const void *>("
         << a.name << ")), " << bytesOf(a.elementType, n) << ");\n";
    }
    os << "      bws = mm.attach(workspace.data(), " << ws << ");\n"
       << "      bconst = mm.attach(const_cast<unsigned char "
          "*>(sinter_constants), "
       << "sizeof(sinter_constants));\n"
       << "      bpers = mm.attach(persistent.data(), " << pers << ");\n"
       << "    };\n";
    SmallVector<llvm::json::Value> kernelList;
    bool anyLoad =
        llvm::any_of(block.getOps<func::CallOp>(), [](func::CallOp c) {
          return c->hasAttr(kLoadTimeAttrName);
        });
    if (anyLoad) {
      os << "    if (load) {\n"
         << "      sinter::npu::Machine lm(cfg, sinter_cores);\n"
         << "      attach(lm);\n";
      for (auto call : block.getOps<func::CallOp>())
        if (call->hasAttr(kLoadTimeAttrName) &&
            failed(writeCall(call, *at, "lm", "      ")))
          return failure();
      os << "    }\n";
    }
    os << "    loaded = true;\n    persistentFor = weights;\n"
       << "    sinter::npu::Machine m(cfg, sinter_cores);\n"
       << "    attach(m);\n";
    for (auto call : block.getOps<func::CallOp>()) {
      bool loadTime = call->hasAttr(kLoadTimeAttrName);
      kernelList.push_back(llvm::json::Object{{"name", call.getCallee()},
                                              {"load_time", loadTime}});
      if (!loadTime && failed(writeCall(call, *at, "m", "    ")))
        return failure();
    }
    os << "    sinter_report = m.report();\n    return 0;\n"
       << "  } catch (const std::exception &e) {\n"
       << "    sinter_error = std::string(\"" << cf.name
       << ": \") + e.what();\n    return -1;\n  }\n}\n";
    llvm::json::Array args;
    for (const CArgument &a : cf.args)
      args.push_back(getArgumentJson(a, a.role));
    manifest.push_back(llvm::json::Object{
        {"name", cf.name},
        {"symbol", symbol},
        {"arguments", std::move(args)},
        {"kernels", llvm::json::Array(kernelList)},
        {"workspace_bytes", ws},
        {"persistent_bytes", pers},
        {"intermediate_bytes", attr(kIntermediateBytesAttrName)},
        {"cores", cores}});
    return success();
  }
};
} // namespace

LogicalResult mlir::sinter::writeNPUHostPrograms(Compilation &c,
                                                 llvm::raw_ostream &cpp,
                                                 llvm::raw_ostream &header,
                                                 llvm::json::Array &functions) {
  ModuleOp module = c.getModule();
  StringRef name = c.getName();
  auto kernels = module.lookupSymbol<ModuleOp>(kNPUKernelModuleName);
  int64_t cores = c.getTarget().getCores();
  std::string body;
  llvm::raw_string_ostream bs(body);
  HostWriter w{c, module, kernels, bs, HostConstants()};
  SmallVector<const CFunction *> hosts;
  for (const CFunction &cf : c.getFunctions()) {
    auto f = module.lookupSymbol<func::FuncOp>(cf.name);
    if (f && f->hasAttr(kHostAttrName))
      hosts.push_back(&cf);
  }
  if (hosts.empty())
    return success();
  if (!kernels)
    return c.fail("the host programs have no NPU kernels (run "
                  "convert-sinter-to-npu)");
  for (const CFunction *cf : hosts)
    if (failed(w.constants.add(c, module.lookupSymbol<func::FuncOp>(cf->name),
                               kAlignment, "the NPU's memory")))
      return failure();
  for (const CFunction *cf : hosts)
    if (failed(w.writeFunction(*cf, name, cores, functions)))
      return failure();
  cpp << "\n// Host programs: each public function's kernels in order on the\n"
      << "// simulator's cores (sinter::npu::Machine).\n"
      << "#include \"" << name << ".h\"\n"
      << "#include <exception>\n#include <string>\n#include <vector>\n\n"
      << "namespace {\n"
      << "int sinter_cores = " << cores << ";\n"
      << "bool sinter_functional = true;\n"
      << "std::string sinter_error, sinter_report;\n"
      << "alignas(64) const unsigned char sinter_constants["
      << std::max<size_t>(1, w.constants.bytes.size()) << "] = {";
  for (size_t i = 0; i < w.constants.bytes.size(); ++i)
    cpp << (i % 24 ? "" : "\n  ") << unsigned(uint8_t(w.constants.bytes[i]))
        << ",";
  cpp << "};\n} // namespace\n\nextern \"C\" {\n"
      << "const char *" << name
      << "_error(void) { return sinter_error.c_str(); }\n"
      << "const char *" << name
      << "_report(void) { return sinter_report.c_str(); }\n"
      << "void " << name
      << "_set_cores(int n) { sinter_cores = n > 0 ? n : " << cores << "; }\n"
      << "void " << name
      << "_set_functional(int on) { sinter_functional = on != 0; }\n"
      << body << "} // extern \"C\"\n";

  header
      << "/* Host programs: each runs its kernels in order on the\n"
      << " * simulator's cores over the caller's buffers (row-major; inputs,\n"
      << " * then results) and returns 0, or -1 with " << name
      << "_error() saying why.\n"
      << " * " << name << "_report() is the last call's timeline (JSON). */\n"
      << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n"
      << "const char *" << name << "_error(void);\n"
      << "const char *" << name << "_report(void);\n"
      << "/* Cores to run on (default " << cores << "). */\n"
      << "void " << name << "_set_cores(int n);\n"
      << "/* 0: timing only (no values computed; buffers may be null). */\n"
      << "void " << name << "_set_functional(int on);\n";
  for (const CFunction *cf : hosts) {
    auto host = module.lookupSymbol<func::FuncOp>(cf->name);
    auto ws = host->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttrName);
    std::string upper = StringRef((name + "_" + cf->name).str()).upper();
    header << "#define SINTER_" << upper << "_WORKSPACE_BYTES "
           << (ws ? ws.getInt() : 0) << "\n/* @" << cf->name << "\n";
    for (const CArgument &a : cf->args)
      header << " *   " << a.name << ": " << a.dtype << " "
             << formatShape(a.shape) << " (" << a.role << ")\n";
    header << " */\nint " << getCSymbol(name, cf->name) << "(";
    for (auto [i, a] : llvm::enumerate(cf->args))
      header << (i ? ", " : "")
             << (a.role == "input" ? "const void *" : "void *") << a.name;
    header << ");\n";
  }
  header << "#ifdef __cplusplus\n}\n#endif\n\n";
  return success();
}
