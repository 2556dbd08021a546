//===- Target.h - Target descriptions: presets and lookup -------*- C++ -*-===//
//
// The one home of the `#sinter.target` helpers: where a module keeps its
// description, how passes find it, and the named presets the backends
// offer. Passes read the description only from the IR; only
// `sinter-attach-target` and the compiler driver turn a preset name into a
// description.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_DIALECT_SINTER_IR_TARGET_H
#define SINTER_DIALECT_SINTER_IR_TARGET_H

#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include <array>
#include <initializer_list>
#include <string>
#include <vector>

namespace mlir::sinter {

/// The name of the module attribute that holds a `#sinter.target`.
inline constexpr llvm::StringLiteral kTargetAttrName = "sinter.target";

/// The `sinter.target` of the closest enclosing op that has one, or null.
TargetAttr lookupTarget(Operation *op);

/// The `sinter.target` of `op` or an enclosing op; otherwise emits an error
/// on `op` saying that `pass` needs one and how to attach it.
FailureOr<TargetAttr> requireTarget(Operation *op, llvm::StringRef pass);

/// A named target description, as a backend's table lists it (numbers from
/// public vendor specifications; bandwidths in GB/s, peaks in GOP/s).
struct TargetPresetSpec {
  struct Level {
    const char *name;
    int64_t capacity, bandwidth;
    bool perCore;
  };
  struct Peak {
    const char *type; // "bf16", "f16", "f32", "i8", "f8"
    const char *unit; // "matrix" or "vector"
    int64_t gops;
  };
  const char *name, *kind;
  int64_t cores;
  std::initializer_list<Level> levels;
  std::initializer_list<Peak> peaks;
  std::array<int64_t, 3> matrixShape;
  int64_t vectorBytes;
  /// The description's `config` in MLIR attribute syntax ("{chip =
  /// \"sm_90a\"}"), or null.
  const char *config;
};

/// Makes `presets` known by name. Backends call this when they register;
/// the table must outlive every lookup (a static array). Idempotent.
void registerTargetPresets(llvm::ArrayRef<TargetPresetSpec> presets);

/// Names of the registered presets, in registration order.
std::vector<std::string> getTargetPresetNames();

/// The registered preset called `name`, or null if there is none.
TargetAttr getTargetPreset(MLIRContext *ctx, llvm::StringRef name);

} // namespace mlir::sinter

#endif // SINTER_DIALECT_SINTER_IR_TARGET_H
