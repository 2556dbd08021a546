//===- Compile.cpp - The ahead-of-time compiler as a library --------------===//
//
// The stages: graph (raise + fuse, on the target's description), then per
// target kind the kernels and their artifacts. See Compile.h.
//
//===----------------------------------------------------------------------===//
#include "sinter/Compiler/Compile.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "sinter/Analysis/TilingModel.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "sinter/Dialect/NPU/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/TilingInterfaceImpl.h"
#include "sinter/Target/CPU/CPUTarget.h"
#include "sinter/Target/GPU/GPUTarget.h"
#include "sinter/Target/NPU/NPUTarget.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <mutex>

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr const char *kStages[] = {"graph", "tile", "llvm"};

/// One argument of an exported function as the C caller sees it.
struct CArg {
  std::string name, role, dtype;
  SmallVector<int64_t> shape;
  Type elem;
};
struct CFunc {
  std::string name;
  SmallVector<CArg> args;
};

std::string dtypeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// The C type of one element; bf16/f16 travel as their bits.
FailureOr<std::string> cElementType(Type t) {
  if (t.isF32())
    return std::string("float");
  if (t.isF64())
    return std::string("double");
  if (t.isBF16() || t.isF16())
    return std::string("uint16_t");
  if (t.isIndex())
    return std::string("int64_t");
  if (isa<Float8E4M3FNType, Float8E5M2Type>(t))
    return std::string("uint8_t"); // the fp8 bits
  if (auto i = dyn_cast<IntegerType>(t)) {
    unsigned w = i.getWidth();
    if (w == 1)
      return std::string("bool");
    if (w <= 8)
      return std::string(w < 8 ? "uint8_t" : "int8_t"); // i4: low bits
    if (w == 16 || w == 32 || w == 64)
      return ("int" + llvm::Twine(w) + "_t").str();
  }
  return failure();
}

/// Signatures of the public functions before lowering: tensor arguments
/// are inputs, results become trailing outputs.
FailureOr<SmallVector<CFunc>> collectSignatures(ModuleOp module) {
  SmallVector<CFunc> funcs;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal() || !f.isPublic())
      continue;
    CFunc cf{f.getSymName().str(), {}};
    auto add = [&](Type t, std::string name,
                   std::string role) -> LogicalResult {
      auto rt = dyn_cast<RankedTensorType>(t);
      if (!rt || !rt.hasStaticShape())
        return f.emitError() << "cannot export '" << cf.name << "': " << name
                             << " has type " << t
                             << "; the C interface needs tensors of static "
                                "shape";
      if (failed(cElementType(rt.getElementType())))
        return f.emitError() << "cannot export '" << cf.name << "': " << name
                             << " has element type " << rt.getElementType()
                             << " with no C equivalent";
      cf.args.push_back({name, role, dtypeName(rt.getElementType()),
                         SmallVector<int64_t>(rt.getShape()),
                         rt.getElementType()});
      return success();
    };
    for (auto [i, t] : llvm::enumerate(f.getArgumentTypes()))
      if (failed(add(t, "arg" + std::to_string(i), "input")))
        return failure();
    for (auto [i, t] : llvm::enumerate(f.getResultTypes()))
      if (failed(add(t, "result" + std::to_string(i), "output")))
        return failure();
    funcs.push_back(std::move(cf));
  }
  if (funcs.empty())
    return module.emitError("no public function with a body to export"),
           failure();
  return funcs;
}

std::string shapeString(ArrayRef<int64_t> shape) {
  return "[" +
         llvm::join(llvm::map_range(
                        shape, [](int64_t d) { return std::to_string(d); }),
                    ", ") +
         "]";
}

std::string headerGuard(StringRef name) {
  std::string g = "SINTER_GENERATED_";
  for (char c : name)
    g += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  return g + "_H";
}

void writeHeader(llvm::raw_ostream &os, StringRef name, StringRef target,
                 ArrayRef<CFunc> funcs,
                 const llvm::StringMap<SmallVector<bool>> &written) {
  std::string guard = headerGuard(name);
  os << "/* Generated by sinter-compile " SINTER_VERSION " for " << target
     << ". Do not edit.\n"
     << " *\n"
     << " * Every buffer is dense and row-major with the listed shape, and\n"
     << " * is allocated and owned by the caller (64-byte alignment is\n"
     << " * best). Inputs are only read unless marked in/out; outputs are\n"
     << " * only written. bf16/f16 elements are passed as their uint16_t\n"
     << " * bits; a sub-byte integer takes one byte per element, in the\n"
     << " * low bits, upper bits zero (i4 -3 is 0x0D). Calls may\n"
     << " * run on several threads (OpenMP) and are reentrant.\n"
     << " * Link with: -lsinter_runtime -lomp -lm\n"
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdbool.h>\n#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const CFunc &f : funcs) {
    const SmallVector<bool> &w = written.lookup(f.name);
    os << "/* " << f.name << "\n";
    for (auto [i, a] : llvm::enumerate(f.args)) {
      bool inout = a.role == "input" && i < w.size() && w[i];
      os << " *   " << a.name << ": " << a.dtype << " " << shapeString(a.shape)
         << (a.role == "output" ? " (output)"
             : inout            ? " (in/out)"
                                : "")
         << "\n";
    }
    os << " */\nvoid " << f.name << "(";
    for (auto [i, a] : llvm::enumerate(f.args)) {
      bool inout = a.role == "input" && i < w.size() && w[i];
      if (i)
        os << ", ";
      os << (a.role == "input" && !inout ? "const " : "")
         << *cElementType(a.elem) << " *" << a.name;
    }
    os << ");\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
}

/// One argument in the manifest (`role` is copied: a json::Value made from
/// a StringRef would only reference it).
llvm::json::Object argumentJson(const CArg &a, std::string role) {
  return llvm::json::Object{
      {"name", a.name},        {"role", role},
      {"dtype", a.dtype},      {"shape", llvm::json::Array(a.shape)},
      {"layout", "row-major"}, {"c_type", *cElementType(a.elem) + " *"}};
}

llvm::json::Value manifest(const CompileOptions &opts, StringRef name,
                           StringRef target, const CPUTargetMachineSpec &spec,
                           ArrayRef<CFunc> funcs,
                           const llvm::StringMap<SmallVector<bool>> &written) {
  llvm::json::Array fs;
  for (const CFunc &f : funcs) {
    const SmallVector<bool> &w = written.lookup(f.name);
    llvm::json::Array args;
    for (auto [i, a] : llvm::enumerate(f.args)) {
      bool inout = a.role == "input" && i < w.size() && w[i];
      args.push_back(argumentJson(a, inout ? "inout" : a.role));
    }
    fs.push_back(llvm::json::Object{
        {"name", f.name}, {"symbol", f.name}, {"arguments", std::move(args)}});
  }
  llvm::json::Array stages;
  if (!opts.noGraph)
    stages.push_back("sinter-graph-pipeline");
  stages.push_back("sinter-tile");
  stages.push_back(
      opts.kBlock
          ? ("sinter-lower-to-cpu{k-block=" + std::to_string(opts.kBlock) + "}")
          : std::string("sinter-lower-to-cpu"));
  return llvm::json::Object{
      {"sinter_version", SINTER_VERSION},
      {"name", name},
      {"target", target},
      {"llvm", llvm::json::Object{{"triple", spec.triple}, {"cpu", spec.cpu}}},
      {"pipeline", std::move(stages)},
      {"object", (name + ".o").str()},
      {"library", ("lib" + name + ".a").str()},
      {"header", (name + ".h").str()},
      {"link", llvm::json::Array{"-lsinter_runtime", "-lomp", "-lm"}},
      {"functions", std::move(fs)}};
}

/// `int NAME(void *stream, <device pointers>)`, the launch function's C
/// signature.
void writeLaunchSignature(llvm::raw_ostream &os, const CFunc &f) {
  os << "int " << f.name << "(void *stream";
  for (const CArg &a : f.args)
    os << ", " << (a.role == "input" ? "const " : "") << *cElementType(a.elem)
       << " *" << a.name;
  os << ")";
}

/// One launch function per exported function; device pointers, a stream.
void writeGPUHeader(llvm::raw_ostream &os, StringRef name, StringRef target,
                    ArrayRef<CFunc> funcs) {
  std::string guard = headerGuard(name);
  os << "/* Generated by sinter-compile " SINTER_VERSION " for " << target
     << ". Do not edit.\n"
     << " *\n"
     << " * One launch function per compiled function. Every buffer is a\n"
     << " * dense row-major array in device memory (cudaMalloc, cuMemAlloc or\n"
     << " * a CUDA tensor's data_ptr) with the listed shape, owned by the\n"
     << " * caller; inputs are only read, outputs only written. bf16/f16\n"
     << " * elements are their uint16_t bits. `stream` is a CUstream or\n"
     << " * cudaStream_t (NULL: the default stream); the launch is\n"
     << " * asynchronous. Each function checks its pointers and returns 0, or\n"
     << " * -1 with the reason in sinter_rt_last_error().\n"
     << " * Build " << name << ".c with this header and link with:\n"
     << " *   -lsinter_runtime -ldl\n"
     << " */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const CFunc &f : funcs) {
    os << "/* " << f.name << "\n";
    for (const CArg &a : f.args)
      os << " *   " << a.name << ": " << a.dtype << " " << shapeString(a.shape)
         << (a.role == "output" ? " (output)" : "") << "\n";
    os << " */\n";
    writeLaunchSignature(os, f);
    os << ";\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
}

/// The launch functions: the cubin (or PTX) embedded as bytes, pointer
/// checks, grid and block sizes, the launch.
void writeGPULaunchers(llvm::raw_ostream &os, StringRef name,
                       ArrayRef<CFunc> funcs, ModuleOp module,
                       StringRef image) {
  os << "/* Generated by sinter-compile " SINTER_VERSION ". Do not edit. */\n"
     << "#include \"" << name << ".h\"\n"
     << "#include \"sinter-c/cuda.h\"\n\n"
     << "static const unsigned char sinter_image[" << image.size() + 1
     << "] __attribute__((aligned(64))) = {";
  for (size_t i = 0; i < image.size(); ++i)
    os << (i % 16 ? " " : "\n  ") << unsigned((unsigned char)image[i]) << ",";
  os << "\n  0};\n";
  for (const CFunc &f : funcs) {
    auto func = module.lookupSymbol<func::FuncOp>(f.name);
    auto grid = func->getAttrOfType<DenseI64ArrayAttr>(kGPUGridAttrName);
    auto block = func->getAttrOfType<DenseI64ArrayAttr>(kGPUBlockAttrName);
    auto shared = func->getAttrOfType<IntegerAttr>(kGPUSharedBytesAttrName);
    os << "\n";
    writeLaunchSignature(os, f);
    os << " {\n#ifndef SINTER_UNCHECKED\n";
    for (const CArg &a : f.args)
      os << "  if (sinter_cuda_check_pointer(" << a.name << ", \"" << f.name
         << "\", \"" << a.name << "\"))\n    return -1;\n";
    auto workspace =
        func->getAttrOfType<IntegerAttr>(kGPUWorkspaceBytesAttrName);
    auto next = func->getAttrOfType<ArrayAttr>(kGPUNextKernelsAttrName);
    os << "#endif\n";
    if (workspace)
      os << "  void *workspace = 0;\n"
         << "  if (sinter_cuda_alloc_async(&workspace, " << workspace.getInt()
         << "ull, stream))\n    return -1;\n";
    // TMA descriptors, encoded for this call's pointers; the kernels take
    // them by value after the buffers.
    auto maps = func->getAttrOfType<ArrayAttr>(kGPUTensorMapsAttrName);
    if (maps)
      for (auto [i, m] : llvm::enumerate(maps.getAsRange<DictionaryAttr>())) {
        auto get = [&](StringRef key) {
          return m.getAs<IntegerAttr>(key).getInt();
        };
        // Matrices of several heads (`batches`) are 3-d maps.
        bool batched = bool(m.get("batches"));
        os << "  unsigned char tensor_map" << i
           << "[128] __attribute__((aligned(64)));\n"
           << "  if (sinter_cuda_tensor_map_" << (batched ? "3d" : "2d")
           << "(tensor_map" << i << ", " << f.args[get("arg")].name << ", "
           << get("elem_bytes") << ", ";
        if (batched)
          os << get("batches") << "ull, ";
        os << get("rows") << "ull, " << get("cols") << "ull, "
           << get("box_rows") << ", " << get("box_cols")
           << "))\n    return -1;\n";
      }
    os << "  void *params[] = {";
    for (auto [i, a] : llvm::enumerate(f.args))
      os << (i ? ", " : "") << "(void *)&" << a.name;
    if (workspace)
      os << ", (void *)&workspace";
    if (maps)
      for (size_t i = 0; i < maps.size(); ++i)
        os << ", (void *)tensor_map" << i;
    os << "};\n  int rc = 0;\n";
    // Each launch in stream order; a failed one skips the rest.
    auto launch = [&](StringRef kernel, ArrayRef<int64_t> grid,
                      ArrayRef<int64_t> block, int64_t shared) {
      os << "  if (rc == 0) {\n"
         << "    static const unsigned grid[3] = {" << grid[0] << ", "
         << grid[1] << ", " << grid[2] << "};\n"
         << "    static const unsigned block[3] = {" << block[0] << ", "
         << block[1] << ", " << block[2] << "};\n"
         << "    rc = sinter_cuda_launch(sinter_image, \"" << kernel
         << "\", grid, block, " << shared << ", stream, params);\n  }\n";
    };
    launch(f.name, grid.asArrayRef(), block.asArrayRef(), shared.getInt());
    if (next)
      for (auto k : next.getAsRange<DictionaryAttr>())
        launch(k.getAs<StringAttr>("kernel").getValue(),
               k.getAs<DenseI64ArrayAttr>("grid").asArrayRef(),
               k.getAs<DenseI64ArrayAttr>("block").asArrayRef(),
               k.getAs<IntegerAttr>("shared_bytes").getInt());
    if (workspace)
      os << "  if (sinter_cuda_free_async(workspace, stream))\n"
         << "    rc = -1;\n";
    os << "  return rc;\n}\n";
  }
}

/// The NPU kernels (after convert-sinter-to-npu): for each, its global
/// tiles as (dtype, shape, is the output), the arguments then the result.
struct NPUKernelArg {
  std::string dtype;
  SmallVector<int64_t> shape;
  bool output;
};
SmallVector<std::pair<std::string, SmallVector<NPUKernelArg>>>
npuKernels(ModuleOp module) {
  SmallVector<std::pair<std::string, SmallVector<NPUKernelArg>>> kernels;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (f.isExternal())
      continue;
    SmallVector<NPUKernelArg> args;
    for (auto [i, t] : llvm::enumerate(f.getArgumentTypes())) {
      auto m = cast<MemRefType>(t);
      args.push_back({dtypeName(m.getElementType()),
                      SmallVector<int64_t>(m.getShape()),
                      i + 1 == f.getNumArguments()});
    }
    kernels.push_back({f.getName().str(), std::move(args)});
  }
  return kernels;
}

/// The simulator's machine (sinter::npu::Config) from the target
/// description, per core at a 1 GHz clock: scratchpad capacities, the
/// bandwidths of HBM (MTE2/MTE3/FIX to global), L0A (MTE1) and UB (the
/// local paths), the f16 cube and vector rates. The fixed latencies and
/// the DMA queue depth are not in the description: the simulator's values
/// for this class of machine.
void writeNPUConfig(llvm::raw_ostream &os, StringRef name, TargetAttr t) {
  double cores = double(t.getCores());
  auto peak = [&](StringRef unit) {
    int64_t best = 0;
    for (auto p : t.getPeaks().getAsRange<PeakComputeAttr>())
      if (p.getUnit() == unit && p.getType().isF16())
        best = std::max(best, p.getGops());
    return double(best);
  };
  auto per = [&](double perSecond) {
    std::string text;
    llvm::raw_string_ostream(text) << llvm::format("%.17g", perSecond / cores);
    return text;
  };
  auto hbm = cast<MemoryLevelAttr>(t.getLevels()[0]);
  os << "/* The simulator's model of " << t.getName()
     << " (per core, 1 GHz), generated from its target description. */\n"
     << "inline sinter::npu::Config " << name << "_config() {\n"
     << "  using sinter::npu::Space;\n  sinter::npu::Config c;\n"
     << "  c.clockGHz = 1.0;\n";
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
     << "  c.dmaLatency = 100;\n  c.cubeLatency = 20;\n"
     << "  c.vectorLatency = 10;\n  c.dmaQueueDepth = 4;\n"
     << "  return c;\n}\n\n";
}

/// The NPU kernels' C++ header: a declaration per kernel, its tiles
/// described, and the simulator's Config of the target.
void writeNPUHeader(llvm::raw_ostream &os, StringRef name, StringRef target,
                    ModuleOp module) {
  std::string guard = headerGuard(name);
  os << "// Generated by sinter-compile " SINTER_VERSION " for " << target
     << ". Do not edit.\n//\n"
     << "// NPU kernels on the kernel API (sinter/npu/npu_sim.h). Each runs\n"
     << "// on one core (Core::coreId of Core::numCores; every core runs it\n"
     << "// for its share of the output) and takes global tiles, row-major:\n"
     << "// the function's arguments, then its result. Vectors are [1, N]\n"
     << "// rows or [M, 1] columns. Build " << name
     << ".cpp and link with -lsinter_npusim.\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include \"sinter/npu/npu_sim.h\"\n\n";
  if (TargetAttr t = getTargetPreset(module.getContext(), target))
    writeNPUConfig(os, name, t);
  for (auto &[kernel, args] : npuKernels(module)) {
    os << "/* " << kernel << "\n";
    for (auto [i, a] : llvm::enumerate(args))
      os << " *   arg" << i << ": " << a.dtype << " " << shapeString(a.shape)
         << (a.output ? " (output)" : "") << "\n";
    os << " */\nvoid " << kernel << "(sinter::npu::Core &core";
    for (size_t i = 0; i < args.size(); ++i)
      os << ", const sinter::npu::Tile &arg" << i;
    os << ");\n\n";
  }
  os << "#endif // " << guard << "\n";
}

/// The manifest's functions for the NPU kernels.
llvm::json::Array npuFunctionsJson(ModuleOp module) {
  llvm::json::Array fs;
  for (auto &[kernel, args] : npuKernels(module)) {
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

bool wants(const std::vector<std::string> &list, StringRef stage) {
  return llvm::is_contained(list, stage);
}
} // namespace

void mlir::sinter::registerCompilerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<SinterDialect, npu::NPUDialect>();
  registerAllToLLVMIRTranslations(registry);
  registerTilingInterfaceExternalModels(registry);
}

void mlir::sinter::registerCompilerPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerAllPasses();
    registerSinterPasses();
    registerSinterPipelines();
    registerCPUTargetPasses();
    registerGPUTargetPasses();
  });
}

LogicalResult mlir::sinter::compileModule(
    ModuleOp module, const CompileOptions &opts,
    llvm::function_ref<void(const llvm::Twine &)> report, std::string &error) {
  auto fail = [&](const llvm::Twine &msg) {
    error = msg.str();
    return failure();
  };
  auto progress = [&](const llvm::Twine &msg) {
    if (report)
      report(msg);
  };
  MLIRContext &context = *module.getContext();
  if (!opts.stopAfter.empty() && !llvm::is_contained(kStages, opts.stopAfter))
    return fail("unknown stage '" + opts.stopAfter + "' (graph, tile, llvm)");
  for (const std::string &s : opts.printAfter)
    if (!llvm::is_contained(kStages, s))
      return fail("unknown stage '" + s + "' (graph, tile, llvm)");
  std::string target =
      opts.target.empty() ? getHostCPUTargetName() : opts.target;
  FailureOr<CPUTargetMachineSpec> spec = getCPUTargetMachineSpec(target);
  FailureOr<std::string> chip = getGPUChip(target);
  bool npuTarget = target == "npu-910";
  if (failed(spec) && failed(chip) && !npuTarget)
    return fail("unknown target '" + target +
                "' (x86-avx512, x86-avx2, aarch64-neon, nvidia-h100, "
                "nvidia-a100, npu-910)");
  if (npuTarget && opts.stopAfter == "llvm")
    return fail("the NPU target has no llvm stage (graph, tile)");
  const std::string &name = opts.name;
  if (std::error_code ec = llvm::sys::fs::create_directories(opts.outputDir))
    return fail("cannot create '" + opts.outputDir + "': " + ec.message());
  auto writeIR = [&](StringRef stage) -> bool {
    if (wants(opts.printAfter, stage)) {
      llvm::errs() << "// -----// IR after " << stage << " //----- //\n";
      module.print(llvm::errs());
      llvm::errs() << "\n";
    }
    if (opts.stopAfter != stage)
      return false;
    SmallString<256> path(opts.outputDir);
    llvm::sys::path::append(path, name + "." + stage + ".mlir");
    std::string err;
    auto out = openOutputFile(path, &err);
    if (!out) {
      (void)fail(err);
      return true;
    }
    module.print(out->os());
    out->keep();
    progress("stopped after " + stage + "; wrote " + path);
    return true;
  };

  // Stage 1: graph (raise + fuse) on the target.
  module.getOperation()->setAttr(kTargetAttrName,
                                 getTargetPreset(&context, target));
  PassManager graph(&context);
  if (!opts.noGraph &&
      failed(parsePassPipeline("sinter-graph-pipeline", graph)))
    return fail("cannot build the graph pipeline");
  if (failed(graph.run(module)))
    return fail("raising and fusion failed");
  FailureOr<SmallVector<CFunc>> funcs = collectSignatures(module);
  if (failed(funcs))
    return failure();
  progress("graph: " + llvm::Twine(funcs->size()) + " function(s) to export");
  if (writeIR("graph"))
    return opts.stopAfter == "graph" ? success() : failure();

  auto path = [&](const llvm::Twine &file) {
    SmallString<256> p(opts.outputDir);
    llvm::sys::path::append(p, file);
    return std::string(p);
  };
  auto writeFile = [&](const std::string &file, StringRef bytes) -> bool {
    std::string err;
    auto out = openOutputFile(file, &err);
    if (!out) {
      (void)fail(err);
      return false;
    }
    out->os() << bytes;
    out->keep();
    return true;
  };

  if (npuTarget) {
    // NPU: kernels with planned scratchpads (stage "tile"), then C++ on the
    // kernel API, a header declaring the kernels, the manifest.
    PassManager kernels(&context);
    kernels.addPass(createConvertSinterToNPU());
    kernels.addNestedPass<func::FuncOp>(npu::createNPUPlanScratchpads(
        npu::NPUPlanScratchpadsOptions{std::string(target)}));
    if (failed(kernels.run(module)))
      return fail("NPU kernel generation failed");
    progress("tile: " + llvm::Twine(funcs->size()) + " kernel(s) for " +
             target);
    if (writeIR("tile"))
      return success();
    std::string cpp, header, json;
    llvm::raw_string_ostream cs(cpp), hs(header), js(json);
    if (failed(npu::translateToNPUKernelCpp(module, cs)))
      return fail("writing the NPU kernels as C++ failed");
    writeNPUHeader(hs, name, target, module);
    llvm::json::Array stages;
    if (!opts.noGraph)
      stages.push_back("sinter-graph-pipeline");
    stages.push_back("convert-sinter-to-npu");
    stages.push_back("npu-plan-scratchpads{target=" + target + "}");
    stages.push_back("npu-to-cpp");
    llvm::json::Object manifest{{"sinter_version", SINTER_VERSION},
                                {"name", name},
                                {"target", target},
                                {"api", "sinter/npu/npu_sim.h"},
                                {"pipeline", std::move(stages)},
                                {"header", name + ".h"},
                                {"sources", llvm::json::Array{name + ".cpp"}},
                                {"link", llvm::json::Array{"-lsinter_npusim"}},
                                {"functions", npuFunctionsJson(module)}};
    js << llvm::formatv("{0:2}", llvm::json::Value(std::move(manifest)))
       << "\n";
    if (!writeFile(path(name + ".cpp"), cpp) ||
        !writeFile(path(name + ".h"), header) ||
        !writeFile(path(name + ".json"), json))
      return failure();
    progress("wrote " + path(name + ".h") + ", " + path(name + ".cpp") + ", " +
             path(name + ".json"));
    return success();
  }

  if (succeeded(chip)) {
    // GPU: kernels (stage "tile"), PTX through NVVM (stage "llvm"), cubin.
    if (!opts.pinTiles.empty() || opts.kBlock != 0)
      progress("warning: --pin-tiles and --k-block apply to CPU targets; the "
               "GPU kernels use fixed tiles");
    PassManager kernels(&context);
    kernels.addPass(createConvertSinterToGPU(ConvertSinterToGPUOptions{
        std::string(target), std::string(opts.gemmSchedule)}));
    if (failed(kernels.run(module)))
      return fail("GPU kernel generation failed");
    progress("tile: " + llvm::Twine(funcs->size()) + " kernel(s) for " +
             target);
    if (writeIR("tile"))
      return success();
    FailureOr<std::string> ptx = translateKernelsToPTX(module, *chip);
    if (failed(ptx))
      return fail("lowering the kernels to PTX failed");
    progress("llvm: PTX for " + *chip);
    if (opts.stopAfter == "llvm" || wants(opts.printAfter, "llvm")) {
      if (wants(opts.printAfter, "llvm"))
        llvm::errs() << *ptx;
      if (opts.stopAfter == "llvm") {
        if (!writeFile(path(name + ".ptx"), *ptx))
          return failure();
        progress("stopped after llvm; wrote " + path(name + ".ptx"));
        return success();
      }
    }
    std::string err;
    FailureOr<std::string> cubin = assembleCubin(*ptx, *chip, err);
    if (failed(cubin))
      progress("warning: " + err + "; embedding PTX for the driver to JIT");
    std::string image = succeeded(cubin) ? *cubin : *ptx;
    if (!writeFile(path(name + ".ptx"), *ptx) ||
        (succeeded(cubin) && !writeFile(path(name + ".cubin"), *cubin)))
      return failure();
    std::string header, glue;
    llvm::raw_string_ostream hs(header), gs(glue);
    writeGPUHeader(hs, name, target, *funcs);
    writeGPULaunchers(gs, name, *funcs, module, image);
    llvm::json::Array fs;
    for (const CFunc &f : *funcs) {
      auto func = module.lookupSymbol<func::FuncOp>(f.name);
      llvm::json::Array args;
      for (const CArg &a : f.args)
        args.push_back(argumentJson(a, a.role));
      auto arr = [&](StringRef attr) {
        return llvm::json::Array(
            func->getAttrOfType<DenseI64ArrayAttr>(attr).asArrayRef());
      };
      llvm::json::Object entry{
          {"name", f.name},
          {"symbol", f.name},
          {"kernel", f.name},
          {"grid", arr(kGPUGridAttrName)},
          {"block", arr(kGPUBlockAttrName)},
          {"shared_bytes",
           func->getAttrOfType<IntegerAttr>(kGPUSharedBytesAttrName).getInt()},
          {"arguments", std::move(args)}};
      if (auto ws =
              func->getAttrOfType<IntegerAttr>(kGPUWorkspaceBytesAttrName))
        entry["workspace_bytes"] = ws.getInt();
      if (auto next = func->getAttrOfType<ArrayAttr>(kGPUNextKernelsAttrName)) {
        llvm::json::Array then;
        for (auto k : next.getAsRange<DictionaryAttr>())
          then.push_back(llvm::json::Object{
              {"kernel", k.getAs<StringAttr>("kernel").getValue().str()},
              {"grid", llvm::json::Array(
                           k.getAs<DenseI64ArrayAttr>("grid").asArrayRef())},
              {"block", llvm::json::Array(
                            k.getAs<DenseI64ArrayAttr>("block").asArrayRef())},
              {"shared_bytes", k.getAs<IntegerAttr>("shared_bytes").getInt()}});
        entry["then"] = std::move(then);
      }
      if (auto maps = func->getAttrOfType<ArrayAttr>(kGPUTensorMapsAttrName)) {
        llvm::json::Array list;
        for (auto m : maps.getAsRange<DictionaryAttr>()) {
          llvm::json::Object o;
          for (NamedAttribute a : m)
            o[a.getName().str()] = cast<IntegerAttr>(a.getValue()).getInt();
          o["argument"] = f.args[o["arg"].getAsInteger().value_or(0)].name;
          o.erase("arg");
          list.push_back(std::move(o));
        }
        entry["tensor_maps"] = std::move(list);
      }
      fs.push_back(std::move(entry));
    }
    llvm::json::Array stages;
    if (!opts.noGraph)
      stages.push_back("sinter-graph-pipeline");
    stages.push_back("convert-sinter-to-gpu");
    stages.push_back("nvvm-attach-target{chip=" + *chip + "}");
    stages.push_back("convert-gpu-to-nvvm");
    stages.push_back("gpu-module-to-binary{format=isa}");
    if (succeeded(cubin))
      stages.push_back("ptxas -arch=" + *chip + " -O3");
    llvm::json::Object manifest{
        {"sinter_version", SINTER_VERSION},
        {"name", name},
        {"target", target},
        {"chip", *chip},
        {"pipeline", std::move(stages)},
        {"ptx", name + ".ptx"},
        {"image", succeeded(cubin) ? name + ".cubin" : name + ".ptx"},
        {"header", name + ".h"},
        {"sources", llvm::json::Array{name + ".c"}},
        {"link", llvm::json::Array{"-lsinter_runtime", "-ldl"}},
        {"functions", std::move(fs)}};
    std::string json;
    llvm::raw_string_ostream js(json);
    js << llvm::formatv("{0:2}", llvm::json::Value(std::move(manifest)))
       << "\n";
    if (!writeFile(path(name + ".h"), header) ||
        !writeFile(path(name + ".c"), glue) ||
        !writeFile(path(name + ".json"), json))
      return failure();
    progress("wrote " + path(name + ".h") + ", " + path(name + ".c") + ", " +
             path(name + (succeeded(cubin) ? ".cubin" : ".ptx")) + ", " +
             path(name + ".json"));
    return success();
  }

  // Pinned tiles from the command line (ops that carry their own win).
  for (const std::string &spec : opts.pinTiles) {
    auto [kind, list] = StringRef(spec).split(':');
    SmallVector<StringRef> parts;
    list.split(parts, ',');
    SmallVector<int64_t> sizes;
    for (StringRef part : parts) {
      int64_t v;
      if (part.trim().getAsInteger(10, v) || v < 1)
        return fail("--pin-tiles: '" + spec +
                    "' is not KIND:N,N,N with positive sizes");
      sizes.push_back(v);
    }
    if ((kind != "gemm" && kind != "attention") || sizes.size() != 3)
      return fail("--pin-tiles: '" + spec +
                  "' is not gemm:TILE_M,TILE_N,TILE_K or "
                  "attention:BLOCK_Q,BLOCK_KV,SPLITS");
    StringRef opName = kind == "gemm" ? "sinter.gemm" : "sinter.attention";
    module.walk([&](Operation *op) {
      if (op->getName().getStringRef() == opName &&
          !op->hasAttr(kTileSizesAttrName))
        op->setAttr(kTileSizesAttrName,
                    DenseI64ArrayAttr::get(&context, sizes));
    });
  }

  // Stage 2: tile.
  PassManager tile(&context);
  tile.addPass(createSinterTile());
  if (failed(tile.run(module)))
    return fail("tiling failed");
  progress("tile: tiled for " + target);
  if (writeIR("tile"))
    return success();

  // Stage 3: lower to the LLVM dialect with C entry points.
  PassManager lower(&context);
  buildLowerToCPUPipeline(lower, opts.kBlock);
  if (failed(lower.run(module)))
    return fail("lowering to LLVM failed");
  llvm::StringMap<SmallVector<bool>> written;
  module.walk([&](Operation *op) {
    if (auto w = op->getAttrOfType<DenseBoolArrayAttr>(kCArgWrittenAttrName))
      written[cast<SymbolOpInterface>(op).getName()] =
          SmallVector<bool>(w.asArrayRef());
  });
  progress("llvm: lowered");
  if (writeIR("llvm"))
    return success();

  // Outputs: object, static library, header, manifest.
  std::string objPath = path(name + ".o");
  {
    std::string err;
    auto out = openOutputFile(objPath, &err);
    if (!out)
      return fail(err);
    if (failed(emitObject(module, *spec, out->os())))
      return fail("object emission failed");
    out->keep();
  }
  progress("object: " + objPath + " (" + spec->cpu + ")");
  {
    auto buf = llvm::MemoryBuffer::getFile(objPath);
    if (!buf)
      return fail("cannot reread " + objPath);
    llvm::NewArchiveMember member(buf.get()->getMemBufferRef());
    member.MemberName = llvm::sys::path::filename(objPath);
    if (llvm::Error e = llvm::writeArchive(
            path("lib" + name + ".a"), {std::move(member)},
            llvm::SymtabWritingMode::NormalSymtab, llvm::object::Archive::K_GNU,
            /*Deterministic=*/true,
            /*Thin=*/false))
      return fail("cannot write the static library: " +
                  llvm::toString(std::move(e)));
  }
  {
    std::string err;
    auto out = openOutputFile(path(name + ".h"), &err);
    if (!out)
      return fail(err);
    writeHeader(out->os(), name, target, *funcs, written);
    out->keep();
    auto json = openOutputFile(path(name + ".json"), &err);
    if (!json)
      return fail(err);
    json->os() << llvm::formatv(
        "{0:2}", manifest(opts, name, target, *spec, *funcs, written));
    json->os() << "\n";
    json->keep();
  }
  progress("wrote " + path(name + ".h") + ", " + path(name + ".json") + ", " +
           path("lib" + name + ".a"));
  return success();
}
