//===- TargetPresets.cpp - Named #sinter.target descriptions --------------===//
//
// Numbers come from public vendor specifications (dense peaks, no sparsity)
// and are meant for relative decisions (tile sizes, fusion), not as exact
// performance predictions. Bandwidths are aggregate over the chip in GB/s.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/Builders.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr int64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

struct LevelSpec {
  const char *name;
  int64_t capacity, bandwidth;
  bool perCore;
};
struct PeakSpec {
  const char *type; // "bf16", "f16", "f32", "i8", "f8"
  const char *unit;
  int64_t gops;
};
struct TargetSpec {
  const char *name, *kind;
  int64_t cores;
  std::initializer_list<LevelSpec> levels;
  std::initializer_list<PeakSpec> peaks;
  std::array<int64_t, 3> matrixShape;
  int64_t vectorBytes;
};

const TargetSpec kPresets[] = {
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
     16},
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
     16},
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
     64},
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
     32},
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
     16},
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
     256},
};

Type parseTypeName(MLIRContext *ctx, StringRef name) {
  Builder b(ctx);
  if (name == "bf16")
    return b.getBF16Type();
  if (name == "f16")
    return b.getF16Type();
  if (name == "f32")
    return b.getF32Type();
  if (name == "f8")
    return b.getType<Float8E4M3FNType>();
  return b.getIntegerType(8);
}
} // namespace

ArrayRef<StringRef> mlir::sinter::getTargetPresetNames() {
  static const StringRef names[] = {"nvidia-h100", "nvidia-a100",
                                    "x86-avx512",  "x86-avx2",
                                    "aarch64-neon", "npu-910"};
  return names;
}

TargetAttr mlir::sinter::getTargetPreset(MLIRContext *ctx, StringRef name) {
  for (const TargetSpec &spec : kPresets) {
    if (name != spec.name)
      continue;
    // Callers may run on IR without sinter ops; attributes need the dialect.
    ctx->getOrLoadDialect<SinterDialect>();
    Builder b(ctx);
    SmallVector<Attribute> levels, peaks;
    for (const LevelSpec &l : spec.levels)
      levels.push_back(MemoryLevelAttr::get(ctx, l.name, l.capacity,
                                            l.bandwidth, l.perCore));
    for (const PeakSpec &p : spec.peaks)
      peaks.push_back(PeakComputeAttr::get(ctx, parseTypeName(ctx, p.type),
                                           p.unit, p.gops));
    return TargetAttr::get(ctx, spec.name, spec.kind, spec.cores,
                           b.getArrayAttr(levels), b.getArrayAttr(peaks),
                           b.getDenseI64ArrayAttr(spec.matrixShape),
                           spec.vectorBytes);
  }
  return {};
}
