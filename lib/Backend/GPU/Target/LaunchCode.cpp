//===- LaunchCode.cpp - Cubin, launch functions, header and manifest ------===//
#include "LaunchCode.h"
#include "PTX.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "sinter/Backend/GPU/Passes.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// `int NAME(void *stream, <device pointers>)`, the launch function's C
/// signature.
void writeLaunchSignature(llvm::raw_ostream &os, const CFunction &f) {
  os << "int " << f.name << "(void *stream";
  for (const CArgument &a : f.args)
    os << ", " << (a.role == "input" ? "const " : "")
       << *getCElementType(a.elementType) << " *" << a.name;
  os << ")";
}

/// One launch function per exported function; device pointers, a stream.
void writeHeader(llvm::raw_ostream &os, StringRef name, StringRef target,
                 ArrayRef<CFunction> funcs) {
  os << "/* " << generatedByLine(target) << "\n"
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
     << " */\n";
  openCHeader(os, name, {"stdint.h"});
  for (const CFunction &f : funcs) {
    os << "/* " << f.name << "\n";
    for (const CArgument &a : f.args)
      os << " *   " << a.name << ": " << a.dtype << " " << formatShape(a.shape)
         << (a.role == "output" ? " (output)" : "") << "\n";
    os << " */\n";
    writeLaunchSignature(os, f);
    os << ";\n\n";
  }
  closeCHeader(os, name);
}

/// A launch the function makes, as convert-sinter-to-gpu recorded it.
struct Launch {
  StringRef kernel;
  ArrayRef<int64_t> grid, block;
  int64_t sharedBytes;
};
/// The function's launches in stream order: the kernel named like it, then
/// `sinter.gpu.next_kernels`.
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

/// The launch functions: the cubin (or PTX) embedded as bytes, pointer
/// checks, the workspace, TMA descriptors, then each launch.
void writeLaunchers(llvm::raw_ostream &os, StringRef name,
                    ArrayRef<CFunction> funcs, ModuleOp module,
                    StringRef image) {
  os << "/* " << generatedByLine() << " */\n"
     << "#include \"" << name << ".h\"\n"
     << "#include \"sinter-c/cuda.h\"\n\n"
     << "static const unsigned char sinter_image[" << image.size() + 1
     << "] __attribute__((aligned(64))) = {";
  for (size_t i = 0; i < image.size(); ++i)
    os << (i % 16 ? " " : "\n  ") << unsigned((unsigned char)image[i]) << ",";
  os << "\n  0};\n";
  for (const CFunction &f : funcs) {
    auto func = module.lookupSymbol<func::FuncOp>(f.name);
    os << "\n";
    writeLaunchSignature(os, f);
    os << " {\n#ifndef SINTER_UNCHECKED\n";
    for (const CArgument &a : f.args)
      os << "  if (sinter_cuda_check_pointer(" << a.name << ", \"" << f.name
         << "\", \"" << a.name << "\"))\n    return -1;\n";
    auto workspace =
        func->getAttrOfType<IntegerAttr>(kGPUWorkspaceBytesAttrName);
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
    for (const Launch &l : launchesOf(func))
      os << "  if (rc == 0) {\n"
         << "    static const unsigned grid[3] = {" << l.grid[0] << ", "
         << l.grid[1] << ", " << l.grid[2] << "};\n"
         << "    static const unsigned block[3] = {" << l.block[0] << ", "
         << l.block[1] << ", " << l.block[2] << "};\n"
         << "    rc = sinter_cuda_launch(sinter_image, \"" << l.kernel
         << "\", grid, block, " << l.sharedBytes << ", stream, params);\n  }\n";
    if (workspace)
      os << "  if (sinter_cuda_free_async(workspace, stream))\n"
         << "    rc = -1;\n";
    os << "  return rc;\n}\n";
  }
}

/// The manifest's entry for one function: its arguments and launches.
llvm::json::Object functionJson(const CFunction &f, func::FuncOp func) {
  llvm::json::Array args;
  for (const CArgument &a : f.args)
    args.push_back(getArgumentJson(a, a.role));
  SmallVector<Launch> launches = launchesOf(func);
  llvm::json::Object entry{{"name", f.name},
                           {"symbol", f.name},
                           {"kernel", f.name},
                           {"grid", llvm::json::Array(launches[0].grid)},
                           {"block", llvm::json::Array(launches[0].block)},
                           {"shared_bytes", launches[0].sharedBytes},
                           {"arguments", std::move(args)}};
  if (auto ws = func->getAttrOfType<IntegerAttr>(kGPUWorkspaceBytesAttrName))
    entry["workspace_bytes"] = ws.getInt();
  if (launches.size() > 1) {
    llvm::json::Array then;
    for (const Launch &l : ArrayRef(launches).drop_front())
      then.push_back(llvm::json::Object{{"kernel", l.kernel.str()},
                                        {"grid", llvm::json::Array(l.grid)},
                                        {"block", llvm::json::Array(l.block)},
                                        {"shared_bytes", l.sharedBytes}});
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
  return entry;
}
} // namespace

LogicalResult mlir::sinter::writeGPUArtifacts(Compilation &c, StringRef chip) {
  ModuleOp module = c.getModule();
  StringRef name = c.getName();
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
  writeHeader(hs, name, c.getTarget().getName(), c.getFunctions());
  writeLaunchers(gs, name, c.getFunctions(), module, image);
  llvm::json::Array fs;
  for (const CFunction &f : c.getFunctions())
    fs.push_back(functionJson(f, module.lookupSymbol<func::FuncOp>(f.name)));
  llvm::json::Object manifest = getManifestSkeleton(c);
  manifest["chip"] = chip.str();
  manifest["ptx"] = (name + ".ptx").str();
  manifest["image"] = (name + (succeeded(cubin) ? ".cubin" : ".ptx")).str();
  manifest["header"] = (name + ".h").str();
  manifest["sources"] = llvm::json::Array{(name + ".c").str()};
  manifest["link"] = llvm::json::Array{"-lsinter_runtime", "-ldl"};
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
