//===- PTX.cpp - GPU kernels to PTX and cubin -----------------------------===//
#include "PTX.h"
#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "sinter/Backend/GPU/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

/// ptxas from $PATH, else from the usual CUDA install locations.
static std::optional<std::string> findPtxas() {
  if (auto p = llvm::sys::findProgramByName("ptxas"))
    return *p;
  SmallVector<StringRef> dirs{"/usr/local/cuda/bin"};
  std::string home;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (const char *v = std::getenv(var)) {
      home = (llvm::Twine(v) + "/bin").str();
      dirs.insert(dirs.begin(), home);
      break;
    }
  if (auto p = llvm::sys::findProgramByName("ptxas", dirs))
    return *p;
  return std::nullopt;
}

/// The CUDA toolkit that holds libdevice (for math functions without a PTX
/// instruction). ptxas may be a link from outside the toolkit (e.g.
/// /usr/local/bin/ptxas), so its resolved location is tried too, and a
/// candidate counts only if libdevice is really there.
static std::string findToolkit() {
  SmallVector<std::string> candidates;
  for (const char *var : {"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"})
    if (const char *v = std::getenv(var))
      candidates.push_back(v);
  if (std::optional<std::string> ptxas = findPtxas()) {
    SmallString<256> real;
    for (StringRef p :
         {StringRef(*ptxas), llvm::sys::fs::real_path(*ptxas, real)
                                 ? StringRef()
                                 : StringRef(real)})
      if (!p.empty())
        candidates.push_back(
            llvm::sys::path::parent_path(llvm::sys::path::parent_path(p))
                .str());
  }
  candidates.push_back("/usr/local/cuda");
  candidates.push_back("/usr/lib/nvidia-cuda-toolkit");
  for (const std::string &dir : candidates)
    if (llvm::sys::fs::exists(dir + "/nvvm/libdevice/libdevice.10.bc"))
      return dir;
  return "";
}

FailureOr<std::string> mlir::sinter::translateKernelsToPTX(Compilation &c,
                                                           StringRef stage,
                                                           StringRef chip) {
  ModuleOp module = c.getModule();
  MLIRContext *ctx = module.getContext();
  auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kGPUKernelModuleName);
  if (!kernels)
    return module.emitError("no gpu.module @")
               << kGPUKernelModuleName << " to translate",
           failure();
  // The kernels alone, so host code never reaches the NVVM lowering.
  OwningOpRef<ModuleOp> device = ModuleOp::create(module.getLoc());
  (*device)->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                     UnitAttr::get(ctx));
  device->getBody()->push_back(kernels->clone());
  // Transcendental functions become polynomials or SFU instructions first,
  // so kernels need no libdevice. PTX 8.0 is what sm_90a needs; ptxas
  // assembles it at O3. TMA descriptors become by-value grid constants.
  auto pm = PassManager::on<ModuleOp>(ctx);
  pm.addPass(createSinterGPUTanhOnSFU());
  if (failed(parsePassPipeline("nvvm-attach-target{chip=" + chip.str() +
                                   " features=+ptx80 O=3}",
                               pm)))
    return module.emitError("invalid GPU lowering pipeline"), failure();
  pm.addNestedPass<gpu::GPUModuleOp>(createSinterApproximateMath());
  if (failed(parsePassPipeline(
          "gpu.module(convert-scf-to-cf,convert-gpu-to-nvvm{"
          "use-bare-ptr-memref-call-conv=true},convert-nvvm-to-llvm,"
          "canonicalize,cse),reconcile-unrealized-casts",
          pm)))
    return module.emitError("invalid GPU lowering pipeline"), failure();
  pm.addPass(createSinterGPUTensorMapParams());
  if (failed(c.runPipeline(stage, pm, device->getOperation())))
    return failure();
  // Math functions without a PTX instruction become libdevice calls, which
  // only the toolkit's libdevice can resolve.
  std::string toolkit = findToolkit();
  std::string libdeviceUser;
  device->walk([&](LLVM::LLVMFuncOp f) {
    if (f.isExternal() && f.getName().starts_with("__nv_"))
      libdeviceUser = f.getName().str();
  });
  if (!libdeviceUser.empty() && toolkit.empty())
    return module.emitError("the kernels call ")
               << libdeviceUser
               << ", which needs the CUDA toolkit's "
                  "nvvm/libdevice/libdevice.10.bc"
                  "; none was found (set CUDA_HOME)",
           failure();
  std::string binary = "gpu-module-to-binary{format=isa";
  if (!toolkit.empty())
    binary += " toolkit=" + toolkit;
  binary += "}";
  auto pm2 = PassManager::on<ModuleOp>(ctx);
  if (failed(parsePassPipeline(binary, pm2)))
    return module.emitError("invalid GPU serialization pipeline"), failure();
  if (failed(c.runPipeline(stage, pm2, device->getOperation())))
    return failure();
  for (auto binary : device->getOps<gpu::BinaryOp>())
    for (Attribute a : binary.getObjects())
      if (auto object = dyn_cast<gpu::ObjectAttr>(a))
        return object.getObject().getValue().str();
  return module.emitError("the NVVM lowering produced no PTX"), failure();
}

FailureOr<std::string> mlir::sinter::assembleCubin(StringRef ptx,
                                                   StringRef chip,
                                                   std::string &command,
                                                   std::string &error) {
  std::optional<std::string> ptxas = findPtxas();
  if (!ptxas) {
    error = "ptxas not found (in $PATH, $CUDA_HOME/bin or /usr/local/cuda/bin)";
    return failure();
  }
  SmallString<128> in, out, log;
  if (llvm::sys::fs::createTemporaryFile("sinter", "ptx", in) ||
      llvm::sys::fs::createTemporaryFile("sinter", "cubin", out) ||
      llvm::sys::fs::createTemporaryFile("sinter", "log", log)) {
    error = "cannot create temporary files for ptxas";
    return failure();
  }
  llvm::FileRemover rmIn(in), rmOut(out), rmLog(log);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(in, ec);
    if (ec) {
      error = "cannot write " + in.str().str() + ": " + ec.message();
      return failure();
    }
    os << ptx;
  }
  std::string arch = "-arch=" + chip.str();
  command = "ptxas " + arch + " -O3";
  SmallVector<StringRef> argv{*ptxas, arch, "-O3", in, "-o", out};
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(log),
                                          StringRef(log)};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(*ptxas, argv, std::nullopt, redirects, 0,
                                     0, &execError);
  if (rc != 0) {
    auto text = llvm::MemoryBuffer::getFile(log);
    error = "ptxas failed" +
            (execError.empty() ? std::string() : ": " + execError) +
            (text ? ":\n" + (*text)->getBuffer().str() : std::string());
    return failure();
  }
  auto cubin = llvm::MemoryBuffer::getFile(out, /*IsText=*/false);
  if (!cubin) {
    error = "cannot read the cubin ptxas wrote";
    return failure();
  }
  return (*cubin)->getBuffer().str();
}
