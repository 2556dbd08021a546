//===- TilingModel.h - I/O-aware tile selection -----------------*- C++ -*-===//
//
// An analytic model that picks tile shapes for GEMM and attention from a
// #sinter.target alone. A target is read as three tiers:
//
//   off-chip  levels[0] (HBM, DRAM)
//   shared    the first later level that is not per-core (GPU/NPU L2, CPU L3)
//   core      the outermost per-core level (GPU shared memory, CPU L2, NPU
//             L1): it must hold a tile's double-buffered operand blocks and
//             its accumulator
//
// Every legal core tile is scored by a roofline time (compute in waves of
// `cores` tiles, off-chip and shared-level traffic at their bandwidths) and
// the best one wins; ties go to less off-chip traffic, then to the larger
// tile, so choices are deterministic. Off-chip traffic comes from the best
// of a few schedules of the shared level (an operand panel kept resident
// while the other operand streams, panels swept in alternating directions
// so the next panel reuses what is left of the last sweep, or plain waves
// of tiles). Fewer units of work than cores leave bandwidth idle; bytes
// moved from the core level into the compute units penalize small tiles.
// The lower
// bound is the larger of the compulsory traffic and the red-blue pebble
// bound for the on-chip capacity (2MNK/sqrt(S) for GEMM, Sq*Skv*D*Dv/S per
// head for attention).
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_ANALYSIS_TILINGMODEL_H
#define SINTER_ANALYSIS_TILINGMODEL_H

#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include <optional>
#include <string>

namespace mlir {
namespace sinter {

/// The attribute that pins tile sizes on an op: `[tile_m, tile_n, tile_k]`
/// for `sinter.gemm`, `[block_q, block_kv, kv_splits]` for
/// `sinter.attention`.
inline constexpr llvm::StringLiteral kTileSizesAttrName = "sinter.tile_sizes";
/// Set by --sinter-tile on the loops and tiles it creates: the memory level
/// the tile lives in.
inline constexpr llvm::StringLiteral kMemoryLevelAttrName =
    "sinter.memory_level";

/// The three tiers of a target the model reads.
struct TargetTiers {
  MemoryLevelAttr offChip, shared, core;
  int64_t cores = 1;
  /// Total on-chip bytes (shared level plus every per-core level of every
  /// core): the S of the pebble-game bounds.
  int64_t onChipBytes = 0;
  static TargetTiers get(TargetAttr target);
};

/// Predicted cost of one tiling.
struct TilingCost {
  int64_t offChipBytes = 0, sharedBytes = 0;
  /// Bytes the compute units read from the core level.
  int64_t coreBytes = 0;
  int64_t compulsoryBytes = 0, boundBytes = 0;
  /// The same pebble bound for the bytes into one core's level (S = that
  /// level's capacity), to compare with sharedBytes.
  int64_t sharedBoundBytes = 0;
  double seconds = 0;
  /// How the shared level is used, in words.
  std::string schedule;
  double ratio() const {
    return boundBytes ? double(offChipBytes) / boundBytes : 0.0;
  }
  double sharedRatio() const {
    return sharedBoundBytes ? double(sharedBytes) / sharedBoundBytes : 0.0;
  }
};

struct GemmProblem {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  /// n counts B's columns (2N for a pairwise gemm); outN the output's.
  int64_t outN = 0;
  int64_t aBits = 16, bBits = 16, cBits = 16, accBits = 32;
  bool sharedB = false;
  Type computeType;
  /// Extracted from a sinter.gemm with static shapes, or nullopt.
  static std::optional<GemmProblem> get(GemmOp op);
};

struct GemmTiling {
  int64_t tileM = 0, tileN = 0, tileK = 0;
  bool pinned = false;
  TilingCost cost;
};

struct AttentionProblem {
  int64_t batch = 1, heads = 1, kvHeads = 1, sq = 0, skv = 0, d = 0, dv = 0;
  int64_t bits = 16;
  MaskKind mask = MaskKind::none;
  int64_t window = 0, queryOffset = 0;
  Type computeType;
  int64_t group() const { return heads / kvHeads; }
  static std::optional<AttentionProblem> get(AttentionOp op);
};

struct AttentionTiling {
  /// Query tokens per tile (the tile holds them for every head of a KV
  /// group), keys per inner step, and KV splits (flash-decoding).
  int64_t blockQ = 0, blockKV = 0, splits = 1;
  bool pinned = false;
  /// Inner steps visited, and how many of them need the mask.
  int64_t steps = 0, maskedSteps = 0;
  TilingCost cost;
};

/// Cost of given tile sizes; failure if they do not fit the core level.
FailureOr<GemmTiling> evaluateGemmTiling(const GemmProblem &p,
                                         const TargetTiers &t, int64_t tileM,
                                         int64_t tileN, int64_t tileK,
                                         TargetAttr target);
FailureOr<AttentionTiling>
evaluateAttentionTiling(const AttentionProblem &p, const TargetTiers &t,
                        int64_t blockQ, int64_t blockKV, int64_t splits,
                        TargetAttr target);

/// The best tiling, or the pinned one (`sinter.tile_sizes`) when present.
/// Fails (with a diagnostic on `op`) for dynamic shapes or pinned sizes
/// that do not fit.
FailureOr<GemmTiling> chooseGemmTiling(GemmOp op, TargetAttr target);
FailureOr<AttentionTiling> chooseAttentionTiling(AttentionOp op,
                                                 TargetAttr target);

} // namespace sinter
} // namespace mlir

#endif // SINTER_ANALYSIS_TILINGMODEL_H
