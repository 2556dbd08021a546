//===- GPUBackend.cpp - The NVIDIA GPU backend: presets, stages -----------===//
//
//   partition: sinter ops without a kernel decomposed
//          (sinter-gpu-decompose-unsupported), each function made a host
//          program of kernel calls (sinter-partition) and its intermediates
//          placed in one workspace (sinter-plan-workspace)
//   tile:  each kernel function outlined into GPU kernels, their launches
//          recorded on it (convert-sinter-to-gpu, Conversion/)
//   llvm:  the kernels through NVVM to PTX (Target/PTX.cpp)
//   then:  ptxas, the launch functions, header and manifest
//          (Target/LaunchCode.cpp)
//
//===----------------------------------------------------------------------===//
#include "sinter/Backend/GPU/GPUBackend.h"
#include "Target/LaunchCode.h"
#include "Target/PTX.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Pass/PassManager.h"
#include "sinter/Backend/Backend.h"
#include "sinter/Backend/GPU/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::sinter {
#define GEN_PASS_REGISTRATION
#include "sinter/Backend/GPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

void mlir::sinter::registerGPUPasses() { registerSinterGPUPasses(); }

namespace {
constexpr int64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// Numbers from public vendor specifications (dense peaks, no sparsity),
// for relative decisions (tile sizes, fusion, split-KV grids). `chip` is the
// architecture the kernels are compiled for.
const TargetPresetSpec kPresets[] = {
    {"nvidia-h100",
     "gpu",
     132,
     {{"hbm", 80 * GiB, 3350, false},
      {"l2", 50 * MiB, 12000, false},
      {"smem", 228 * KiB, 31000, true},
      {"registers", 256 * KiB, 120000, true}},
     {{"bf16", "matrix", 989000},
      {"f16", "matrix", 989000},
      {"f8", "matrix", 1979000},
      {"i8", "matrix", 1979000},
      {"f32", "matrix", 494000},
      {"f32", "vector", 67000}},
     {64, 256, 16},
     16,
     R"({chip = "sm_90a"})"},
    // A100 SXM 80GB: mma.sync (m16n8k16) is its matrix instruction.
    {"nvidia-a100",
     "gpu",
     108,
     {{"hbm", 80 * GiB, 2039, false},
      {"l2", 40 * MiB, 7000, false},
      {"smem", 164 * KiB, 19000, true},
      {"registers", 256 * KiB, 75000, true}},
     {{"bf16", "matrix", 312000},
      {"f16", "matrix", 312000},
      {"i8", "matrix", 624000},
      {"f32", "matrix", 156000},
      {"f32", "vector", 19500}},
     {16, 8, 16},
     16,
     R"({chip = "sm_80"})"},
};

constexpr StringRef kStages[] = {"partition", "tile", "llvm"};

class GPUBackend : public Backend {
public:
  StringRef getKind() const override { return "gpu"; }
  ArrayRef<TargetPresetSpec> getPresets() const override { return kPresets; }
  void registerDialects(DialectRegistry &registry) const override {
    registry.insert<gpu::GPUDialect, NVVM::NVVMDialect>();
  }
  void registerPasses() const override { registerGPUPasses(); }
  ArrayRef<StringRef> getStages() const override { return kStages; }

  LogicalResult runStage(StringRef stage, Compilation &c) const override {
    StringRef chip = c.getTarget().getConfigString("chip");
    if (chip.empty())
      return c.fail("target '" + c.getTarget().getName() +
                    "' does not name its GPU architecture (config.chip, "
                    "e.g. \"sm_90a\")");
    if (stage == "partition") {
      auto pm = PassManager::on<ModuleOp>(c.getModule().getContext());
      pm.addPass(createSinterGPUDecomposeUnsupported());
      pm.addPass(createSinterPartition());
      pm.addPass(createSinterPlanWorkspace());
      if (failed(c.runPipeline(stage, pm)))
        return c.fail("partitioning into GPU kernels failed");
      int64_t kernels = 0;
      c.getModule().walk([&](func::FuncOp f) {
        kernels += f->hasAttr(kKernelAttrName);
      });
      c.progress("partition: " + llvm::Twine(kernels) + " kernel(s) in " +
                 llvm::Twine(c.getFunctions().size()) + " function(s)");
      return success();
    }
    if (stage == "tile") {
      const CompileOptions &opts = c.getOptions();
      if (!opts.pinTiles.empty() || opts.kBlock != 0)
        c.progress("warning: --pin-tiles and --k-block apply to CPU "
                   "targets; the GPU kernels use fixed tiles");
      auto pm = PassManager::on<ModuleOp>(c.getModule().getContext());
      pm.addPass(createConvertSinterToGPU(
          ConvertSinterToGPUOptions{opts.gemmSchedule}));
      if (failed(c.runPipeline(stage, pm)))
        return c.fail("GPU kernel generation failed");
      int64_t kernels = 0;
      c.getModule().walk([&](gpu::GPUFuncOp) { ++kernels; });
      c.progress("tile: " + llvm::Twine(kernels) + " GPU kernel(s) for " +
                 c.getTarget().getName());
      return success();
    }
    FailureOr<std::string> ptx = translateKernelsToPTX(c, stage, chip);
    if (failed(ptx))
      return c.fail("lowering the kernels to PTX failed");
    c.progress("llvm: PTX for " + chip);
    c.products["ptx"] = *ptx;
    c.stageText = Compilation::StageText{*ptx, ".ptx"};
    return success();
  }

  LogicalResult writeArtifacts(Compilation &c) const override {
    return writeGPUArtifacts(c, c.getTarget().getConfigString("chip"));
  }
};
} // namespace

void mlir::sinter::registerGPUBackend() {
  registerBackend(std::make_unique<GPUBackend>());
}
