//===- Target.cpp - Target descriptions: presets and lookup ---------------===//
//
// The preset tables themselves belong to the backends (lib/Backend/*); this
// file only keeps the ones registered and builds their attributes.
//
//===----------------------------------------------------------------------===//
#include "sinter/Dialect/Sinter/IR/Target.h"
#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

#include <mutex>

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// The registered presets, in registration order.
struct PresetRegistry {
  std::mutex mutex;
  std::vector<const TargetPresetSpec *> presets;
};
PresetRegistry &registry() {
  static PresetRegistry r;
  return r;
}

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

TargetAttr buildPreset(MLIRContext *ctx, const TargetPresetSpec &spec) {
  // Callers may run on IR without sinter ops; attributes need the dialect.
  ctx->getOrLoadDialect<SinterDialect>();
  Builder b(ctx);
  SmallVector<Attribute> levels, peaks;
  for (const TargetPresetSpec::Level &l : spec.levels)
    levels.push_back(
        MemoryLevelAttr::get(ctx, l.name, l.capacity, l.bandwidth, l.perCore));
  for (const TargetPresetSpec::Peak &p : spec.peaks)
    peaks.push_back(
        PeakComputeAttr::get(ctx, parseTypeName(ctx, p.type), p.unit, p.gops));
  DictionaryAttr config;
  if (spec.config) {
    config = llvm::dyn_cast_or_null<DictionaryAttr>(
        parseAttribute(spec.config, ctx));
    if (!config)
      llvm::report_fatal_error(llvm::Twine("target preset '") + spec.name +
                               "' has an invalid config: " + spec.config);
  }
  return TargetAttr::get(ctx, spec.name, spec.kind, spec.cores,
                         b.getArrayAttr(levels), b.getArrayAttr(peaks),
                         b.getDenseI64ArrayAttr(spec.matrixShape),
                         spec.vectorBytes, config);
}
} // namespace

TargetAttr mlir::sinter::lookupTarget(Operation *op) {
  for (Operation *p = op; p; p = p->getParentOp())
    if (auto t = p->getAttrOfType<TargetAttr>(kTargetAttrName))
      return t;
  return {};
}

FailureOr<TargetAttr> mlir::sinter::requireTarget(Operation *op,
                                                  StringRef pass) {
  if (TargetAttr t = lookupTarget(op))
    return t;
  return op->emitError() << pass
                         << " needs the module's target description: attach "
                            "one with --sinter-attach-target=target=NAME ("
                         << llvm::join(getTargetPresetNames(), ", ")
                         << ") or write a #sinter.target as the module's '"
                         << kTargetAttrName << "' attribute",
         failure();
}

void mlir::sinter::registerTargetPresets(ArrayRef<TargetPresetSpec> presets) {
  PresetRegistry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const TargetPresetSpec &spec : presets)
    if (!llvm::is_contained(r.presets, &spec))
      r.presets.push_back(&spec);
}

std::vector<std::string> mlir::sinter::getTargetPresetNames() {
  PresetRegistry &r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> names;
  for (const TargetPresetSpec *spec : r.presets)
    names.push_back(spec->name);
  return names;
}

TargetAttr mlir::sinter::getTargetPreset(MLIRContext *ctx, StringRef name) {
  const TargetPresetSpec *found = nullptr;
  {
    PresetRegistry &r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    for (const TargetPresetSpec *spec : r.presets)
      if (name == spec->name)
        found = spec;
  }
  return found ? buildPreset(ctx, *found) : TargetAttr();
}
