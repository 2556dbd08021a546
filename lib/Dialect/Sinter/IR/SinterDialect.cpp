//===- SinterDialect.cpp - Sinter dialect and attributes ------------------===//
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sinter;

#include "sinter/Dialect/Sinter/IR/SinterDialect.cpp.inc"
#include "sinter/Dialect/Sinter/IR/SinterEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sinter/Dialect/Sinter/IR/SinterAttrs.cpp.inc"

void SinterDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sinter/Dialect/Sinter/IR/SinterAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "sinter/Dialect/Sinter/IR/SinterOps.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef name, StringRef kind, int64_t cores,
                                 ArrayAttr levels, ArrayAttr peaks,
                                 DenseI64ArrayAttr matrixShape,
                                 int64_t vectorBytes, DictionaryAttr config) {
  // Which kinds exist is the backends' business (the compiler refuses a
  // kind no backend compiles); the description only needs to name one.
  if (kind.empty() || !llvm::all_of(kind, [](char c) {
        return llvm::isAlnum(c) || c == '-' || c == '_';
      }))
    return emitError() << "target kind must be a backend's name (letters, "
                          "digits, '-' and '_'), got \""
                       << kind << "\"";
  if (cores <= 0)
    return emitError() << "target must have at least one core, got " << cores;
  if (levels.empty())
    return emitError() << "target must describe at least one memory level";
  for (auto [i, a] : llvm::enumerate(levels)) {
    auto level = dyn_cast<MemoryLevelAttr>(a);
    if (!level)
      return emitError()
             << "target levels must be #sinter.memory attributes, got " << a;
    if (level.getCapacity() <= 0 || level.getBandwidth() <= 0)
      return emitError() << "memory level \"" << level.getName()
                         << "\" must have positive capacity and bandwidth";
    if (i == 0 && level.getPerCore())
      return emitError()
             << "the first memory level must be the chip's off-chip "
                "memory, not a per-core one";
  }
  for (Attribute a : peaks) {
    auto peak = dyn_cast<PeakComputeAttr>(a);
    if (!peak)
      return emitError() << "target peaks must be #sinter.peak attributes, got "
                         << a;
    if (peak.getGops() <= 0)
      return emitError() << "peak throughput must be positive";
    if (peak.getUnit() != "matrix" && peak.getUnit() != "vector")
      return emitError() << "peak unit must be \"matrix\" or \"vector\", got \""
                         << peak.getUnit() << "\"";
  }
  if (matrixShape.size() != 3 ||
      llvm::any_of(matrixShape.asArrayRef(), [](int64_t d) { return d <= 0; }))
    return emitError() << "matrix_shape must be three positive sizes [m, n, k]";
  if (vectorBytes <= 0 || !llvm::isPowerOf2_64(vectorBytes))
    return emitError() << "vector_bytes must be a positive power of two, got "
                       << vectorBytes;
  return success();
}

MemoryLevelAttr TargetAttr::getLevel(StringRef levelName) const {
  for (Attribute a : getLevels())
    if (auto level = cast<MemoryLevelAttr>(a); level.getName() == levelName)
      return level;
  return {};
}

StringRef TargetAttr::getConfigString(StringRef key) const {
  if (DictionaryAttr config = getConfig())
    if (auto s = config.getAs<StringAttr>(key))
      return s.getValue();
  return "";
}

int64_t TargetAttr::getConfigInt(StringRef key, int64_t fallback) const {
  if (DictionaryAttr config = getConfig())
    if (auto i = config.getAs<IntegerAttr>(key))
      return i.getInt();
  return fallback;
}

int64_t TargetAttr::getPeakGops(Type type) const {
  int64_t best = 0;
  for (Attribute a : getPeaks())
    if (auto peak = cast<PeakComputeAttr>(a); peak.getType() == type)
      best = std::max(best, peak.getGops());
  return best;
}
