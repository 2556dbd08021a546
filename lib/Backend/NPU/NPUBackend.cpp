//===- NPUBackend.cpp - The NPU backend: presets, stages, registration ----===//
//
//   partition: sinter ops without a kernel decomposed
//          (sinter-npu-decompose-unsupported), each function made a host
//          program of kernel calls (sinter-partition) and its intermediates
//          placed in one workspace (sinter-plan-workspace)
//   tile:  kernels in the npu dialect (convert-sinter-to-npu, Conversion/)
//          with their scratchpads planned (npu-plan-scratchpads)
//   then:  the kernels as C++ on the NPU kernel API, a header with the
//          simulator's model of the target, the manifest (Target/)
//
//===----------------------------------------------------------------------===//
#include "sinter/Backend/NPU/NPUBackend.h"
#include "Target/EmitKernelCpp.h"
#include "Target/NPUArtifacts.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "sinter/Backend/Backend.h"
#include "sinter/Backend/NPU/Passes.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "sinter/Dialect/NPU/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_REGISTRATION
#include "sinter/Backend/NPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

void mlir::sinter::registerNPUPasses() {
  registerSinterNPUPasses();
  npu::registerNPUPasses();
}

namespace {
constexpr int64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// An Ascend 910-class NPU: 32 AI cores, each with a cube unit (16 x 16 x 16
// f16), a vector unit on a 256 KiB unified buffer, L1 and the L0A/L0B/L0C
// buffers around the cube. The config holds the simulator's clock, fixed
// latencies (cycles) and DMA queue depth for this class of machine.
const TargetPresetSpec kPresets[] = {
    {"npu-910",
     "npu",
     32,
     {{"hbm", 32 * GiB, 1200, false},
      {"l2", 32 * MiB, 4000, false},
      {"l1", 1 * MiB, 16000, true},
      {"ub", 256 * KiB, 16000, true},
      {"l0a", 64 * KiB, 32000, true},
      {"l0b", 64 * KiB, 32000, true},
      {"l0c", 256 * KiB, 32000, true}},
     {{"f16", "matrix", 256000},
      {"i8", "matrix", 512000},
      {"f16", "vector", 8000},
      {"f32", "vector", 4000}},
     {16, 16, 16},
     256,
     R"({clock_mhz = 1000, dma_latency = 100, cube_latency = 20,
         vector_latency = 10, dma_queue_depth = 4})"},
};

constexpr StringRef kStages[] = {"partition", "tile"};

class NPUBackend : public Backend {
public:
  StringRef getKind() const override { return "npu"; }
  ArrayRef<TargetPresetSpec> getPresets() const override { return kPresets; }
  void registerDialects(DialectRegistry &registry) const override {
    registry.insert<npu::NPUDialect>();
  }
  void registerPasses() const override { registerNPUPasses(); }
  void registerTranslations() const override { npu::registerNPUTranslations(); }
  ArrayRef<StringRef> getStages() const override { return kStages; }

  LogicalResult runStage(StringRef stage, Compilation &c) const override {
    if (stage == "partition") {
      auto pm = PassManager::on<ModuleOp>(c.getModule().getContext());
      pm.addPass(createSinterNPUDecomposeUnsupported());
      // The vector programs read strided slices through their access maps.
      pm.addPass(createSinterPartition(SinterPartitionOptions{true}));
      pm.addPass(createSinterPlanWorkspace());
      if (failed(c.runPipeline(stage, pm)))
        return c.fail("partitioning into NPU kernels failed");
      int64_t kernels = 0;
      c.getModule().walk(
          [&](func::FuncOp f) { kernels += f->hasAttr(kKernelAttrName); });
      c.progress("partition: " + llvm::Twine(kernels) + " kernel(s) in " +
                 llvm::Twine(c.getFunctions().size()) + " function(s)");
      return success();
    }
    auto pm = PassManager::on<ModuleOp>(c.getModule().getContext());
    pm.addPass(createConvertSinterToNPU());
    pm.addNestedPass<func::FuncOp>(npu::createNPUPlanScratchpads());
    // The kernels of host programs, in @sinter_npu_kernels.
    pm.nest<ModuleOp>().addNestedPass<func::FuncOp>(
        npu::createNPUPlanScratchpads());
    if (failed(c.runPipeline(stage, pm)))
      return c.fail("NPU kernel generation failed");
    int64_t kernels = 0;
    c.getModule().walk([&](func::FuncOp f) {
      kernels += !f.isExternal() &&
                 llvm::all_of(f.getArgumentTypes(),
                              [](Type t) { return isa<MemRefType>(t); });
    });
    c.progress("tile: " + llvm::Twine(kernels) + " kernel(s) for " +
               c.getTarget().getName());
    return success();
  }

  LogicalResult writeArtifacts(Compilation &c) const override {
    return writeNPUArtifacts(c);
  }
};
} // namespace

void mlir::sinter::registerNPUBackend() {
  registerBackend(std::make_unique<NPUBackend>());
}
