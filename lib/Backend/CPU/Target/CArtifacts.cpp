//===- CArtifacts.cpp - Object, library, C header and manifest ------------===//
#include "CArtifacts.h"
#include "EmitObject.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Support/FileUtilities.h"
#include "sinter/Backend/CPU/Passes.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// Which arguments of each exported function it writes (in/out arguments
/// are not const in the header).
using WrittenArgs = llvm::StringMap<SmallVector<bool>>;

bool isInOut(const WrittenArgs &written, const CFunction &f, size_t i) {
  const SmallVector<bool> &w = written.lookup(f.name);
  return f.args[i].role == "input" && i < w.size() && w[i];
}

void writeHeader(llvm::raw_ostream &os, StringRef name, StringRef target,
                 ArrayRef<CFunction> funcs, const WrittenArgs &written) {
  os << "/* " << generatedByLine(target) << "\n"
     << " *\n"
     << " * Every buffer is dense and row-major with the listed shape, and\n"
     << " * is allocated and owned by the caller (64-byte alignment is\n"
     << " * best). Inputs are only read unless marked in/out; outputs are\n"
     << " * only written. bf16/f16 elements are passed as their uint16_t\n"
     << " * bits; a sub-byte integer takes one byte per element, in the\n"
     << " * low bits, upper bits zero (i4 -3 is 0x0D). Calls may\n"
     << " * run on several threads (OpenMP) and are reentrant.\n"
     << " * Link with: -lsinter_runtime -lomp -lm\n"
     << " */\n";
  openCHeader(os, name, {"stdbool.h", "stdint.h"});
  for (const CFunction &f : funcs) {
    os << "/* " << f.name << "\n";
    for (auto [i, a] : llvm::enumerate(f.args))
      os << " *   " << a.name << ": " << a.dtype << " " << formatShape(a.shape)
         << (a.role == "output"       ? " (output)"
             : isInOut(written, f, i) ? " (in/out)"
                                      : "")
         << "\n";
    os << " */\nvoid " << f.name << "(";
    for (auto [i, a] : llvm::enumerate(f.args)) {
      if (i)
        os << ", ";
      os << (a.role == "input" && !isInOut(written, f, i) ? "const " : "")
         << *getCElementType(a.elementType) << " *" << a.name;
    }
    os << ");\n\n";
  }
  closeCHeader(os, name);
}

llvm::json::Object manifest(const Compilation &c,
                            const CPUTargetMachineSpec &spec,
                            const WrittenArgs &written) {
  StringRef name = c.getName();
  llvm::json::Array fs;
  for (const CFunction &f : c.getFunctions()) {
    llvm::json::Array args;
    for (auto [i, a] : llvm::enumerate(f.args))
      args.push_back(
          getArgumentJson(a, isInOut(written, f, i) ? "inout" : a.role));
    fs.push_back(llvm::json::Object{
        {"name", f.name}, {"symbol", f.name}, {"arguments", std::move(args)}});
  }
  llvm::json::Object m = getManifestSkeleton(c);
  m["llvm"] = llvm::json::Object{{"triple", spec.triple}, {"cpu", spec.cpu}};
  m["object"] = (name + ".o").str();
  m["library"] = ("lib" + name + ".a").str();
  m["header"] = (name + ".h").str();
  m["link"] = llvm::json::Array{"-lsinter_runtime", "-lomp", "-lm"};
  m["functions"] = std::move(fs);
  return m;
}
} // namespace

LogicalResult mlir::sinter::writeCPUArtifacts(Compilation &c) {
  ModuleOp module = c.getModule();
  StringRef name = c.getName();
  std::string error;
  FailureOr<CPUTargetMachineSpec> spec =
      getCPUTargetMachineSpec(c.getTarget(), error);
  if (failed(spec))
    return c.fail(error);
  WrittenArgs written;
  module.walk([&](Operation *op) {
    if (auto w = op->getAttrOfType<DenseBoolArrayAttr>(kCArgWrittenAttrName))
      written[cast<SymbolOpInterface>(op).getName()] =
          SmallVector<bool>(w.asArrayRef());
  });

  std::string objPath = c.path(name + ".o");
  {
    auto out = openOutputFile(objPath, &error);
    if (!out)
      return c.fail(error);
    if (failed(emitObject(module, *spec, out->os())))
      return c.fail("object emission failed");
    out->keep();
  }
  c.progress("object: " + objPath + " (" + spec->cpu + ")");
  {
    auto buf = llvm::MemoryBuffer::getFile(objPath);
    if (!buf)
      return c.fail("cannot reread " + objPath);
    llvm::NewArchiveMember member(buf.get()->getMemBufferRef());
    member.MemberName = llvm::sys::path::filename(objPath);
    if (llvm::Error e = llvm::writeArchive(
            c.path("lib" + name + ".a"), {std::move(member)},
            llvm::SymtabWritingMode::NormalSymtab, llvm::object::Archive::K_GNU,
            /*Deterministic=*/true,
            /*Thin=*/false))
      return c.fail("cannot write the static library: " +
                    llvm::toString(std::move(e)));
  }
  std::string header;
  llvm::raw_string_ostream hs(header);
  writeHeader(hs, name, c.getTarget().getName(), c.getFunctions(), written);
  if (failed(c.writeFile(name + ".h", header)) ||
      failed(writeManifest(c, manifest(c, *spec, written))))
    return failure();
  c.progress("wrote " + c.path(name + ".h") + ", " + c.path(name + ".json") +
             ", " + c.path("lib" + name + ".a"));
  return success();
}
