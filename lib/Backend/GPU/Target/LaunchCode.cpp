//===- LaunchCode.cpp - Cubin, launch functions, header and manifest ------===//
//
// Every public function is a host program (sinter-partition) whose kernel
// calls become launches, in order, on the caller's stream:
//
//   int F(void *stream, <device pointers>)     workspace from the runtime
//   int F_with_workspace(void *stream, void *workspace, <device pointers>)
//
// Pointers into the host program's values: arguments and outputs are the
// caller's; kernel results live at their planned offsets in the workspace
// (sinter-plan-workspace); views are their source's pointer plus an
// offset; constants and load-time results live in the module's state,
// device memory made once per context (sinter_cuda_state) holding the
// constants, into which the load-time kernels that read only constants run
// once.
//
//===----------------------------------------------------------------------===//
#include "LaunchCode.h"
#include "PTX.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "sinter/Analysis/Traffic.h"
#include "sinter/Backend/GPU/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr int64_t kAlignment = 256;
/// More constant bytes than this are refused: pass such weights as
/// arguments.
constexpr int64_t kMaxConstantBytes = int64_t(1) << 30;

/// `int SYMBOL(void *stream[, void *workspace], <device pointers>)`.
void writeLaunchSignature(llvm::raw_ostream &os, StringRef symbol,
                          const CFunction &f, bool withWorkspace) {
  os << "int " << symbol << (withWorkspace ? "_with_workspace" : "")
     << "(void *stream";
  if (withWorkspace)
    os << ", void *workspace";
  for (const CArgument &a : f.args)
    os << ", " << (a.role == "input" ? "const " : "")
       << *getCElementType(a.elementType) << " *" << a.name;
  os << ")";
}

std::string workspaceMacro(StringRef name, StringRef function) {
  std::string m = "SINTER_";
  for (char c : (name + "_" + function + "_WORKSPACE_BYTES").str())
    m += llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  return m;
}

/// A launch a kernel function makes, as convert-sinter-to-gpu recorded it.
struct Launch {
  StringRef kernel;
  ArrayRef<int64_t> grid, block;
  int64_t sharedBytes;
};
SmallVector<Launch> launchesOf(func::FuncOp func) {
  SmallVector<Launch> launches{
      {func.getName(),
       func->getAttrOfType<DenseI64ArrayAttr>(kGPUGridAttrName).asArrayRef(),
       func->getAttrOfType<DenseI64ArrayAttr>(kGPUBlockAttrName).asArrayRef(),
       func->getAttrOfType<IntegerAttr>(kGPUSharedBytesAttrName).getInt()}};
  if (auto next = func->getAttrOfType<ArrayAttr>(kGPUNextKernelsAttrName))
    for (auto k : next.getAsRange<DictionaryAttr>())
      launches.push_back({k.getAs<StringAttr>("kernel").getValue(),
                          k.getAs<DenseI64ArrayAttr>("grid").asArrayRef(),
                          k.getAs<DenseI64ArrayAttr>("block").asArrayRef(),
                          k.getAs<IntegerAttr>("shared_bytes").getInt()});
  return launches;
}

int64_t kernelWorkspace(func::FuncOp kernel) {
  auto ws = kernel->getAttrOfType<IntegerAttr>(kGPUWorkspaceBytesAttrName);
  return ws ? ws.getInt() : 0;
}

/// The module's state: constants (and where each is), then each host
/// function's load-time area.
struct State {
  HostConstants constants;
  llvm::StringMap<int64_t> persistentBase;
  int64_t bytes = 0;
};

/// Writes the launch code of the host programs.
struct Writer {
  Compilation &c;
  ModuleOp module;
  llvm::raw_ostream &os;
  State state;

  func::FuncOp callee(func::CallOp call) {
    return module.lookupSymbol<func::FuncOp>(call.getCallee());
  }

  /// A load-time call whose inputs are constants or other such results:
  /// it runs once, when the state is made.
  bool runsOnce(func::CallOp call, const llvm::DenseSet<Value> &once) {
    return call->hasAttr(kLoadTimeAttrName) &&
           llvm::all_of(call.getOperands(),
                        [&](Value v) { return once.contains(v); });
  }

  LogicalResult collectConstants(func::FuncOp host) {
    if (failed(state.constants.add(c, host, kAlignment, "device memory")))
      return failure();
    if (int64_t(state.constants.bytes.size()) > kMaxConstantBytes)
      return c.fail("@" + host.getName() + " has more than " +
                    llvm::Twine(kMaxConstantBytes >> 20) +
                    " MiB of constants; pass its weights as arguments "
                    "(sinter.compile(weights=\"arguments\"))");
    return success();
  }

  /// C pointer expressions (char *) of the host program's values.
  FailureOr<llvm::DenseMap<Value, std::string>> pointers(func::FuncOp host,
                                                         const CFunction &cf) {
    FailureOr<llvm::DenseMap<Value, HostPlace>> places =
        getHostPlaces(c, host, state.constants);
    if (failed(places))
      return failure();
    int64_t persistent = state.persistentBase.lookup(host.getName());
    llvm::DenseMap<Value, std::string> ptr;
    for (auto &[v, p] : *places) {
      auto plus = [&](const std::string &base, int64_t off) {
        return "(" + base + " + " + std::to_string(off) + ")";
      };
      switch (p.kind) {
      case HostPlace::Argument:
      case HostPlace::Output: {
        int64_t i = p.kind == HostPlace::Argument
                        ? p.index
                        : host.getNumArguments() + p.index;
        std::string base = "((char *)" + cf.args[i].name + ")";
        ptr[v] = p.offset ? plus(base, p.offset) : base;
        break;
      }
      case HostPlace::Constant:
        ptr[v] = plus("state", p.offset);
        break;
      case HostPlace::LoadTime:
        ptr[v] = plus("state", persistent + p.offset);
        break;
      case HostPlace::Workspace:
        ptr[v] = plus("ws", p.offset);
        break;
      }
    }
    return ptr;
  }

  /// One kernel call's launches, inside `if (rc == 0) { ... }`.
  void writeCall(func::CallOp call,
                 const llvm::DenseMap<Value, std::string> &ptr,
                 StringRef indent) {
    func::FuncOp k = callee(call);
    os << indent << "/* " << k.getName() << " */\n"
       << indent << "if (rc == 0) {\n";
    std::string in = (indent + "  ").str();
    SmallVector<std::string> params;
    for (Value v : call.getOperands()) {
      os << in << "char *p" << params.size() << " = " << ptr.lookup(v) << ";\n";
      params.push_back("p" + std::to_string(params.size()));
    }
    for (Value r : call.getResults()) {
      os << in << "char *p" << params.size() << " = " << ptr.lookup(r) << ";\n";
      params.push_back("p" + std::to_string(params.size()));
    }
    int64_t ws = kernelWorkspace(k);
    if (ws)
      os << in << "void *kernel_workspace = 0;\n"
         << in << "rc = sinter_cuda_alloc_async(&kernel_workspace, " << ws
         << "ull, stream);\n";
    auto maps = k->getAttrOfType<ArrayAttr>(kGPUTensorMapsAttrName);
    if (maps)
      for (auto [i, dict] :
           llvm::enumerate(maps.getAsRange<DictionaryAttr>())) {
        DictionaryAttr m = dict;
        auto get = [&](StringRef key) {
          return m.getAs<IntegerAttr>(key).getInt();
        };
        bool batched = bool(m.get("batches"));
        os << in << "unsigned char tensor_map" << i
           << "[128] __attribute__((aligned(64)));\n"
           << in << "if (rc == 0)\n"
           << in << "  rc = sinter_cuda_tensor_map_" << (batched ? "3d" : "2d")
           << "(tensor_map" << i << ", " << params[get("arg")] << ", "
           << get("elem_bytes") << ", ";
        if (batched)
          os << get("batches") << "ull, ";
        os << get("rows") << "ull, " << get("cols") << "ull, "
           << get("box_rows") << ", " << get("box_cols") << ");\n";
      }
    os << in << "void *params[] = {";
    for (auto [i, p] : llvm::enumerate(params))
      os << (i ? ", " : "") << "(void *)&" << p;
    if (ws)
      os << ", (void *)&kernel_workspace";
    if (maps)
      for (size_t i = 0; i < maps.size(); ++i)
        os << ", (void *)tensor_map" << i;
    os << "};\n";
    for (const Launch &l : launchesOf(k))
      os << in << "if (rc == 0) {\n"
         << in << "  static const unsigned grid[3] = {" << l.grid[0] << ", "
         << l.grid[1] << ", " << l.grid[2] << "};\n"
         << in << "  static const unsigned block[3] = {" << l.block[0] << ", "
         << l.block[1] << ", " << l.block[2] << "};\n"
         << in << "  rc = sinter_cuda_launch(sinter_image, \"" << l.kernel
         << "\", grid, block, " << l.sharedBytes << ", stream, params);\n"
         << in << "}\n";
    if (ws)
      os << in << "if (sinter_cuda_free_async(kernel_workspace, stream))\n"
         << in << "  rc = -1;\n";
    os << indent << "}\n";
  }

  /// The values that exist once per state: constants, their views, and
  /// the results of load-time calls that read only such values.
  llvm::DenseSet<Value> onceValues(func::FuncOp host) {
    llvm::DenseSet<Value> once;
    for (Operation &op : host.getBody().front()) {
      if (isa<arith::ConstantOp>(op) ||
          (isHostView(&op) && once.contains(op.getOperand(0))))
        once.insert(op.getResult(0));
      else if (auto call = dyn_cast<func::CallOp>(op);
               call && runsOnce(call, once))
        for (Value r : call.getResults())
          once.insert(r);
    }
    return once;
  }

  LogicalResult write(ArrayRef<CFunction> funcs, StringRef name,
                      StringRef image) {
    for (const CFunction &f : funcs)
      if (failed(collectConstants(module.lookupSymbol<func::FuncOp>(f.name))))
        return failure();
    state.bytes = llvm::alignTo(state.constants.bytes.size(), kAlignment);
    for (const CFunction &f : funcs) {
      auto host = module.lookupSymbol<func::FuncOp>(f.name);
      state.persistentBase[f.name] = state.bytes;
      if (auto p = host->getAttrOfType<IntegerAttr>(kPersistentBytesAttrName))
        state.bytes += llvm::alignTo(p.getInt(), kAlignment);
    }

    os << "/* " << generatedByLine() << " */\n"
       << "#include \"" << name << ".h\"\n"
       << "#include \"sinter-c/cuda.h\"\n"
       << "#include <string.h>\n\n"
       << "static const unsigned char sinter_image[" << image.size() + 1
       << "] __attribute__((aligned(64))) = {";
    for (size_t i = 0; i < image.size(); ++i)
      os << (i % 16 ? " " : "\n  ") << unsigned((unsigned char)image[i]) << ",";
    os << "\n  0};\n";
    if (!state.constants.bytes.empty()) {
      os << "\nstatic const unsigned char sinter_constants["
         << state.constants.bytes.size()
         << "] __attribute__((aligned(64))) = {";
      for (size_t i = 0; i < state.constants.bytes.size(); ++i)
        os << (i % 16 ? " " : "\n  ")
           << unsigned((unsigned char)state.constants.bytes[i]) << ",";
      os << "\n};\n";
    }

    // The state, made once per context; its load-time kernels run then.
    SmallVector<llvm::DenseMap<Value, std::string>> ptrs;
    for (const CFunction &f : funcs) {
      auto host = module.lookupSymbol<func::FuncOp>(f.name);
      FailureOr<llvm::DenseMap<Value, std::string>> p = pointers(host, f);
      if (failed(p))
        return failure();
      ptrs.push_back(std::move(*p));
    }
    if (state.bytes) {
      os << "\n/* The module's device memory: " << state.constants.bytes.size()
         << " bytes of constants, then the load-time results. */\n"
         << "static int sinter_state(void *stream, char **statep) {\n"
         << "  int fresh = 0;\n"
         << "  if (sinter_cuda_state(sinter_image, "
         << (state.constants.bytes.empty() ? "0" : "sinter_constants") << ", "
         << state.constants.bytes.size() << "ull, " << state.bytes
         << "ull, (void **)statep, &fresh))\n"
         << "    return -1;\n"
         << "  char *state = *statep;\n"
         << "  int rc = 0;\n"
         << "  (void)state;\n"
         << "  if (!fresh)\n    return 0;\n";
      for (auto [f, ptr] : llvm::zip(funcs, ptrs)) {
        auto host = module.lookupSymbol<func::FuncOp>(f.name);
        llvm::DenseSet<Value> once = onceValues(host);
        for (auto call : host.getBody().getOps<func::CallOp>())
          if (runsOnce(call, once))
            writeCall(call, ptr, "  ");
      }
      os << "  return rc;\n}\n";
    }

    // What each function computes from its weights alone is cached in the
    // state: made again when a weight pointer changes, or after
    // <module>_reload_weights().
    SmallVector<std::string> weightCaches;
    for (const CFunction &f : funcs) {
      auto host = module.lookupSymbol<func::FuncOp>(f.name);
      llvm::DenseSet<Value> once = onceValues(host);
      bool any = llvm::any_of(
          host.getBody().getOps<func::CallOp>(), [&](func::CallOp call) {
            return call->hasAttr(kLoadTimeAttrName) && !runsOnce(call, once);
          });
      if (!any)
        continue;
      std::string cache = "sinter_weights_" + getCSymbol(name, f.name);
      weightCaches.push_back(cache);
      os << "\n/* " << f.name << "'s weight pointers when its weight-derived "
         << "results were made (valid: 1). */\n"
         << "static const void *" << cache << "[" << host.getNumArguments()
         << "];\n"
         << "static int " << cache << "_valid;\n";
    }
    os << "\nvoid " << name << "_reload_weights(void) {\n";
    for (const std::string &cache : weightCaches)
      os << "  " << cache << "_valid = 0;\n";
    os << "}\n";

    for (auto [f, ptr] : llvm::zip(funcs, ptrs)) {
      auto host = module.lookupSymbol<func::FuncOp>(f.name);
      int64_t ws =
          host->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttrName).getInt();
      llvm::DenseSet<Value> once = onceValues(host);
      os << "\n";
      std::string symbol = getCSymbol(name, f.name);
      std::string cache = "sinter_weights_" + symbol;
      bool cached = llvm::is_contained(weightCaches, cache);
      writeLaunchSignature(os, symbol, f, /*withWorkspace=*/true);
      os << " {\n#ifndef SINTER_UNCHECKED\n";
      for (const CArgument &a : f.args)
        os << "  if (sinter_cuda_check_pointer(" << a.name << ", \"" << f.name
           << "\", \"" << a.name << "\"))\n    return -1;\n";
      if (ws)
        os << "  if (sinter_cuda_check_pointer(workspace, \"" << f.name
           << "\", \"workspace\"))\n    return -1;\n";
      os << "#endif\n"
         << "  char *ws = (char *)workspace;\n"
         << "  char *state = 0;\n"
         << "  (void)ws;\n  (void)state;\n"
         << "  int rc = 0;\n";
      if (state.bytes)
        os << "  rc = sinter_state(stream, &state);\n";
      if (cached) {
        os << "  /* Results of the weights alone: made when they change. */\n"
           << "  const void *weights[" << host.getNumArguments() << "] = {";
        for (unsigned i = 0; i < host.getNumArguments(); ++i)
          os << (i ? ", " : "")
             << (host.getArgAttr(i, kWeightArgAttrName)
                     ? "(const void *)" + f.args[i].name
                     : std::string("0"));
        os << "};\n"
           << "  if (rc == 0 && (!" << cache << "_valid || memcmp(weights, "
           << cache << ", sizeof weights))) {\n"
           << "    " << cache << "_valid = 0;\n";
        for (auto call : host.getBody().getOps<func::CallOp>())
          if (call->hasAttr(kLoadTimeAttrName) && !runsOnce(call, once))
            writeCall(call, ptr, "    ");
        os << "    if (rc == 0) {\n"
           << "      memcpy(" << cache << ", weights, sizeof weights);\n"
           << "      " << cache << "_valid = 1;\n"
           << "    }\n"
           << "  }\n";
      }
      for (auto call : host.getBody().getOps<func::CallOp>())
        if (!call->hasAttr(kLoadTimeAttrName))
          writeCall(call, ptr, "  ");
      os << "  return rc;\n}\n\n";
      writeLaunchSignature(os, symbol, f, /*withWorkspace=*/false);
      os << " {\n  void *workspace = 0;\n";
      if (ws)
        os << "  if (sinter_cuda_alloc_async(&workspace, " << ws
           << "ull, stream))\n    return -1;\n";
      os << "  int rc = " << symbol << "_with_workspace(stream, workspace";
      for (const CArgument &a : f.args)
        os << ", " << a.name;
      os << ");\n";
      if (ws)
        os << "  if (sinter_cuda_free_async(workspace, stream))\n"
           << "    rc = -1;\n";
      os << "  return rc;\n}\n";
    }
    return success();
  }
};

/// One launch function per exported function; device pointers, a stream.
void writeHeader(llvm::raw_ostream &os, StringRef name, StringRef target,
                 ArrayRef<CFunction> funcs, ModuleOp module) {
  os << "/* " << generatedByLine(target) << "\n"
     << " *\n"
     << " * One launch function per compiled function. Every buffer is a\n"
     << " * dense row-major array in device memory (cudaMalloc, cuMemAlloc or\n"
     << " * a CUDA tensor's data_ptr) with the listed shape, owned by the\n"
     << " * caller; inputs are only read, outputs only written. bf16/f16\n"
     << " * elements are their uint16_t bits. `stream` is a CUstream or\n"
     << " * cudaStream_t (NULL: the default stream); the launches are\n"
     << " * asynchronous. NAME takes its workspace from the runtime\n"
     << " * (stream-ordered); NAME_with_workspace takes the caller's, of\n"
     << " * the bytes the _WORKSPACE_BYTES macro gives (no allocation: the\n"
     << " * form to capture in a CUDA graph, after one call has made the\n"
     << " * module's state). Each function checks its pointers and returns\n"
     << " * 0, or -1 with the reason in sinter_rt_last_error().\n"
     << " * Build " << name << ".c with this header and link with:\n"
     << " *   -lsinter_runtime -ldl\n"
     << " */\n";
  openCHeader(os, name, {"stdint.h"});
  os << "/* What a function computes from its weights alone (the arguments\n"
     << " * compiled as weights: concatenated or repacked weights) is kept\n"
     << " * in the module's state and made again when a weight pointer\n"
     << " * changes. After changing weight values in place, call this so the\n"
     << " * next call makes it again. */\n"
     << "void " << name << "_reload_weights(void);\n\n";
  for (const CFunction &f : funcs) {
    auto host = module.lookupSymbol<func::FuncOp>(f.name);
    int64_t ws =
        host->getAttrOfType<IntegerAttr>(kWorkspaceBytesAttrName).getInt();
    os << "/* " << f.name << "\n";
    for (const CArgument &a : f.args)
      os << " *   " << a.name << ": " << a.dtype << " " << formatShape(a.shape)
         << (a.role == "output" ? " (output)" : "") << "\n";
    os << " */\n#define " << workspaceMacro(name, f.name) << " " << ws
       << "ull\n";
    writeLaunchSignature(os, getCSymbol(name, f.name), f,
                         /*withWorkspace=*/false);
    os << ";\n";
    writeLaunchSignature(os, getCSymbol(name, f.name), f,
                         /*withWorkspace=*/true);
    os << ";\n\n";
  }
  closeCHeader(os, name);
}

/// The manifest's entry for one function: its arguments, workspace and
/// kernel calls with their launches.
llvm::json::Object functionJson(StringRef name, const CFunction &f,
                                func::FuncOp host, ModuleOp module) {
  llvm::json::Array args;
  for (const CArgument &a : f.args)
    args.push_back(getArgumentJson(a, a.role));
  auto attr = [&](StringRef name) {
    auto a = host->getAttrOfType<IntegerAttr>(name);
    return a ? a.getInt() : 0;
  };
  llvm::json::Array kernels;
  for (auto call : host.getBody().getOps<func::CallOp>()) {
    auto k = module.lookupSymbol<func::FuncOp>(call.getCallee());
    llvm::json::Array launches;
    for (const Launch &l : launchesOf(k))
      launches.push_back(
          llvm::json::Object{{"kernel", l.kernel.str()},
                             {"grid", llvm::json::Array(l.grid)},
                             {"block", llvm::json::Array(l.block)},
                             {"shared_bytes", l.sharedBytes}});
    llvm::json::Object entry{
        {"name", k.getName().str()},
        {"kind",
         k->getAttrOfType<StringAttr>(kKernelAttrName).getValue().str()},
        {"launches", std::move(launches)}};
    if (call->hasAttr(kLoadTimeAttrName))
      entry["load_time"] = true;
    if (int64_t ws = kernelWorkspace(k))
      entry["workspace_bytes"] = ws;
    // TMA descriptors the launch code encodes, by the kernel's operand.
    if (auto maps = k->getAttrOfType<ArrayAttr>(kGPUTensorMapsAttrName)) {
      llvm::json::Array list;
      for (auto m : maps.getAsRange<DictionaryAttr>()) {
        llvm::json::Object o;
        for (NamedAttribute a : m)
          o[a.getName() == "arg" ? "operand" : a.getName().str()] =
              cast<IntegerAttr>(a.getValue()).getInt();
        list.push_back(std::move(o));
      }
      entry["tensor_maps"] = std::move(list);
    }
    kernels.push_back(std::move(entry));
  }
  return llvm::json::Object{
      {"name", f.name},
      {"symbol", getCSymbol(name, f.name)},
      {"symbol_with_workspace", getCSymbol(name, f.name) + "_with_workspace"},
      {"workspace_bytes", attr(kWorkspaceBytesAttrName)},
      {"intermediate_bytes", attr(kIntermediateBytesAttrName)},
      {"persistent_bytes", attr(kPersistentBytesAttrName)},
      {"kernels", std::move(kernels)},
      {"arguments", std::move(args)}};
}
} // namespace

LogicalResult mlir::sinter::writeGPUArtifacts(Compilation &c, StringRef chip) {
  ModuleOp module = c.getModule();
  StringRef name = c.getName();
  for (const CFunction &f : c.getFunctions())
    if (!module.lookupSymbol<func::FuncOp>(f.name)->hasAttr(kHostAttrName))
      return c.fail("@" + f.name +
                    " is not a host program (run sinter-partition)");
  const std::string &ptx = c.products["ptx"];
  std::string command, err;
  FailureOr<std::string> cubin = assembleCubin(ptx, chip, command, err);
  if (failed(cubin))
    c.progress("warning: " + err + "; embedding PTX for the driver to JIT");
  else
    c.recordStep("assemble", command);
  std::string image = succeeded(cubin) ? *cubin : ptx;
  if (failed(c.writeFile(name + ".ptx", ptx)) ||
      (succeeded(cubin) && failed(c.writeFile(name + ".cubin", *cubin))))
    return failure();
  std::string header, glue;
  llvm::raw_string_ostream hs(header), gs(glue);
  writeHeader(hs, name, c.getTarget().getName(), c.getFunctions(), module);
  Writer w{c, module, gs, State()};
  if (failed(w.write(c.getFunctions(), name, image)))
    return failure();
  llvm::json::Array fs;
  for (const CFunction &f : c.getFunctions())
    fs.push_back(functionJson(
        name, f, module.lookupSymbol<func::FuncOp>(f.name), module));
  llvm::json::Object manifest = getManifestSkeleton(c);
  manifest["chip"] = chip.str();
  manifest["ptx"] = (name + ".ptx").str();
  manifest["image"] = (name + (succeeded(cubin) ? ".cubin" : ".ptx")).str();
  manifest["header"] = (name + ".h").str();
  manifest["sources"] = llvm::json::Array{(name + ".c").str()};
  manifest["link"] = llvm::json::Array{"-lsinter_runtime", "-ldl"};
  manifest["state_bytes"] = w.state.bytes;
  manifest["constant_bytes"] = int64_t(w.state.constants.bytes.size());
  manifest["functions"] = std::move(fs);
  if (failed(c.writeFile(name + ".h", header)) ||
      failed(c.writeFile(name + ".c", glue)) ||
      failed(writeManifest(c, std::move(manifest))))
    return failure();
  c.progress("wrote " + c.path(name + ".h") + ", " + c.path(name + ".c") +
             ", " + c.path(name + (succeeded(cubin) ? ".cubin" : ".ptx")) +
             ", " + c.path(name + ".json"));
  return success();
}
