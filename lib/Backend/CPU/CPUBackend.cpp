//===- CPUBackend.cpp - The CPU backend: presets, stages, registration ----===//
//
//   tile:  the cost model's tiles (sinter-tile), pinned ones first
//   llvm:  vector micro-kernels, decomposition, bufferization, OpenMP and
//          the LLVM dialect with C entry points (sinter-lower-to-cpu)
//   then:  object, static library, C header, manifest (Target/)
//
//===----------------------------------------------------------------------===//
#include "sinter/Backend/CPU/CPUBackend.h"
#include "Target/CArtifacts.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Pass/PassManager.h"
#include "sinter/Analysis/TilingModel.h"
#include "sinter/Backend/Backend.h"
#include "sinter/Backend/CPU/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr int64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// Numbers from public vendor specifications, for relative decisions (tile
// sizes, fusion). The LLVM CPU names are feature levels, not particular
// parts: code runs on every CPU of the level (x86-64-v4 = AVX-512
// F/BW/CD/DQ/VL, v3 = AVX2 + FMA; Armv8.2-A cores with NEON for
// neoverse-n1, Graviton 2 and later).
const TargetPresetSpec kPresets[] = {
    {"x86-avx512",
     "cpu",
     16,
     {{"dram", 64 * GiB, 100, false},
      {"l3", 32 * MiB, 800, false},
      {"l2", 2 * MiB, 3000, true},
      {"l1", 48 * KiB, 6000, true},
      {"registers", 2 * KiB, 18000, true}},
     {{"f32", "vector", 3072},
      {"bf16", "vector", 6144},
      {"i8", "vector", 12288}},
     {1, 16, 1},
     64,
     R"({triple = "x86_64-unknown-linux-gnu", cpu = "x86-64-v4"})"},
    {"x86-avx2",
     "cpu",
     8,
     {{"dram", 32 * GiB, 50, false},
      {"l3", 16 * MiB, 400, false},
      {"l2", 1 * MiB, 1500, true},
      {"l1", 32 * KiB, 3000, true},
      {"registers", 512, 9000, true}},
     {{"f32", "vector", 768}, {"i8", "vector", 1536}},
     {1, 8, 1},
     32,
     R"({triple = "x86_64-unknown-linux-gnu", cpu = "x86-64-v3"})"},
    {"aarch64-neon",
     "cpu",
     8,
     {{"dram", 32 * GiB, 60, false},
      {"l3", 32 * MiB, 500, false},
      {"l2", 1 * MiB, 1600, true},
      {"l1", 64 * KiB, 3200, true},
      {"registers", 512, 9600, true}},
     {{"f32", "vector", 800}, {"f16", "vector", 1600}, {"i8", "vector", 3200}},
     {1, 8, 1},
     16,
     R"({triple = "aarch64-unknown-linux-gnu", cpu = "neoverse-n1",
         features = "+neon"})"},
};

constexpr StringRef kStages[] = {"tile", "llvm"};

/// Puts `--pin-tiles` sizes on every op of their kind that has none.
LogicalResult pinTiles(Compilation &c) {
  MLIRContext *ctx = c.getModule().getContext();
  for (const std::string &spec : c.getOptions().pinTiles) {
    auto [kind, list] = StringRef(spec).split(':');
    SmallVector<StringRef> parts;
    list.split(parts, ',');
    SmallVector<int64_t> sizes;
    for (StringRef part : parts) {
      int64_t v;
      if (part.trim().getAsInteger(10, v) || v < 1)
        return c.fail("--pin-tiles: '" + spec +
                      "' is not KIND:N,N,N with positive sizes");
      sizes.push_back(v);
    }
    if ((kind != "gemm" && kind != "attention") || sizes.size() != 3)
      return c.fail("--pin-tiles: '" + spec +
                    "' is not gemm:TILE_M,TILE_N,TILE_K or "
                    "attention:BLOCK_Q,BLOCK_KV,SPLITS");
    StringRef opName = kind == "gemm" ? "sinter.gemm" : "sinter.attention";
    c.getModule().walk([&](Operation *op) {
      if (op->getName().getStringRef() == opName &&
          !op->hasAttr(kTileSizesAttrName))
        op->setAttr(kTileSizesAttrName, DenseI64ArrayAttr::get(ctx, sizes));
    });
  }
  return success();
}

class CPUBackend : public Backend {
public:
  StringRef getKind() const override { return "cpu"; }
  ArrayRef<TargetPresetSpec> getPresets() const override { return kPresets; }
  std::string getHostPreset() const override {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    return features.lookup("avx512f") && features.lookup("avx512bw")
               ? "x86-avx512"
               : "x86-avx2";
  }
  void registerDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect, omp::OpenMPDialect>();
  }
  void registerPasses() const override { registerCPUPasses(); }
  ArrayRef<StringRef> getStages() const override { return kStages; }

  LogicalResult runStage(StringRef stage, Compilation &c) const override {
    MLIRContext *ctx = c.getModule().getContext();
    auto pm = PassManager::on<ModuleOp>(ctx);
    if (stage == "tile") {
      if (failed(pinTiles(c)))
        return failure();
      pm.addPass(createSinterTile());
      if (failed(c.runPipeline(stage, pm)))
        return c.fail("tiling failed");
      c.progress("tile: tiled for " + c.getTarget().getName());
      return success();
    }
    buildLowerToCPUPipeline(pm, c.getOptions().kBlock);
    if (failed(c.runPipeline(stage, pm)))
      return c.fail("lowering to LLVM failed");
    c.progress("llvm: lowered");
    return success();
  }

  LogicalResult writeArtifacts(Compilation &c) const override {
    return writeCPUArtifacts(c);
  }
};
} // namespace

void mlir::sinter::registerCPUBackend() {
  registerBackend(std::make_unique<CPUBackend>());
}
