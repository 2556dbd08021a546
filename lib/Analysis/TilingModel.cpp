//===- TilingModel.cpp - I/O-aware tile selection -------------------------===//
#include "sinter/Analysis/TilingModel.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// A panel kept in the shared level may use this share of it; the rest
/// holds the streaming operand and the outputs on their way out.
constexpr double kSharedResidentShare = 0.75;
/// Same for an operand kept in a core's own level next to its tile.
constexpr double kCoreResidentShare = 0.5;

/// Predicted times this close to the best count as equal: the model is not
/// that precise, and among equals fewer off-chip bytes and larger tiles win.
constexpr double kTimeTolerance = 1.05;

/// The candidate with the smallest `key` among those within the tolerance
/// of the fastest; candidates are enumerated in a fixed order.
template <typename T, typename KeyFn>
std::optional<T> pickBest(const SmallVector<T> &all, KeyFn key) {
  if (all.empty())
    return std::nullopt;
  double fastest = all.front().cost.seconds;
  for (const T &x : all)
    fastest = std::min(fastest, x.cost.seconds);
  std::optional<T> best;
  for (const T &x : all)
    if (x.cost.seconds <= fastest * kTimeTolerance &&
        (!best || key(x) < key(*best)))
      best = x;
  return best;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t roundUp(int64_t a, int64_t b) { return ceilDiv(a, b) * b; }
int64_t bytes(int64_t elems, int64_t bits) { return (elems * bits + 7) / 8; }

double peakPerCore(TargetAttr target, Type type, int64_t cores) {
  int64_t gops = type ? target.getPeakGops(type) : 0;
  // A target without a bf16 rate runs bf16 at its f16 rate.
  if (!gops && type && type.isBF16())
    gops = target.getPeakGops(Float16Type::get(target.getContext()));
  if (!gops)
    gops = target.getPeakGops(Float32Type::get(target.getContext()));
  return std::max<int64_t>(gops, 1) * 1e9 / cores;
}

double bandwidth(MemoryLevelAttr level) {
  return std::max<int64_t>(level.getBandwidth(), 1) * 1e9;
}

/// The slowest of compute and moving each tier's bytes; with fewer units
/// of work than cores only the `active` share of each bandwidth is used.
double roofline(const TargetTiers &t, double compute, const TilingCost &c,
                double active) {
  double offChip = c.offChipBytes / (bandwidth(t.offChip) * active);
  double shared = t.shared ? c.sharedBytes / (bandwidth(t.shared) * active) : 0;
  double core = c.coreBytes / (bandwidth(t.core) * active);
  return std::max({compute, offChip, shared, core});
}

int64_t bitsOf(Type t) {
  t = getElementTypeOrSelf(t);
  return t.isIntOrFloat() ? t.getIntOrFloatBitWidth() : 32;
}

/// The matrix unit's alignment for tile rows, columns and depth.
std::array<int64_t, 3> alignment(TargetAttr target) {
  ArrayRef<int64_t> s = target.getMatrixShape().asArrayRef();
  return {std::max<int64_t>(s[0], 1), std::clamp<int64_t>(s[1], 1, 64),
          std::max<int64_t>(s[2], 1)};
}

/// The tile-size candidates along one dimension of extent `extent`: values
/// of `base` that are multiples of `align` and do not exceed the extent
/// rounded up to `align` (at least one candidate survives).
SmallVector<int64_t> candidates(ArrayRef<int64_t> base, int64_t align,
                                int64_t extent) {
  SmallVector<int64_t> out;
  for (int64_t v : base)
    if (v % align == 0 && v <= roundUp(std::max<int64_t>(extent, 1), align))
      out.push_back(v);
  if (out.empty())
    out.push_back(align);
  return out;
}

/// The target's tiers; an error on `op` when it has no per-core level.
FailureOr<TargetTiers> tiersFor(Operation *op, TargetAttr target) {
  TargetTiers t = TargetTiers::get(target);
  if (!t.core)
    return op->emitOpError("target '")
               << target.getName() << "' has no per-core memory level",
           failure();
  return t;
}

/// The op's pinned `sinter.tile_sizes` (null when none); an error unless it
/// has three entries, named by `entries`.
FailureOr<DenseI64ArrayAttr> pinnedTriple(Operation *op, StringRef entries) {
  auto pin = op->getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName);
  if (pin && pin.size() != 3)
    return op->emitOpError(kTileSizesAttrName)
               << " must be [" << entries << "]",
           failure();
  return pin;
}
} // namespace

TargetTiers TargetTiers::get(TargetAttr target) {
  TargetTiers t;
  t.cores = std::max<int64_t>(target.getCores(), 1);
  ArrayRef<Attribute> levels = target.getLevels().getValue();
  t.offChip = cast<MemoryLevelAttr>(levels.front());
  for (Attribute a : levels.drop_front()) {
    auto l = cast<MemoryLevelAttr>(a);
    if (!l.getPerCore()) {
      if (!t.shared)
        t.shared = l;
      t.onChipBytes += l.getCapacity();
      continue;
    }
    t.onChipBytes += l.getCapacity() * t.cores;
    if (!t.core)
      t.core = l;
  }
  return t;
}

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

std::optional<GemmProblem> GemmProblem::get(GemmOp op) {
  auto aT = cast<RankedTensorType>(op.getA().getType());
  auto bT = cast<RankedTensorType>(op.getB().getType());
  auto cT = cast<RankedTensorType>(op.getInits()[0].getType());
  if (!aT.hasStaticShape() || !bT.hasStaticShape() || !cT.hasStaticShape())
    return std::nullopt;
  GemmProblem p;
  int64_t nb = op.getNumBatchDims();
  for (int64_t i = 0; i < nb; ++i)
    p.batch *= cT.getDimSize(i);
  p.m = cT.getDimSize(nb);
  p.outN = cT.getDimSize(nb + 1);
  p.n = p.outN * op.getNumAccumulators();
  p.k = aT.getDimSize(op.getTransposeA() ? nb : nb + 1);
  p.aBits = bitsOf(aT);
  p.bBits = bitsOf(bT);
  p.cBits = bitsOf(cT);
  p.accBits = bitsOf(op.getAccType());
  p.sharedB = bT.getRank() == 2 && nb > 0;
  p.computeType = aT.getElementType();
  return p;
}

FailureOr<GemmTiling> mlir::sinter::evaluateGemmTiling(
    const GemmProblem &p, const TargetTiers &t, int64_t tm, int64_t tn,
    int64_t tk, TargetAttr target) {
  if (tm <= 0 || tn <= 0 || tk <= 0 || !t.core)
    return failure();
  int64_t pairs = p.n / std::max<int64_t>(p.outN, 1);
  int64_t workingSet = 2 * bytes(tm * tk, p.aBits) +
                       2 * bytes(tk * tn * pairs, p.bBits) +
                       bytes(tm * tn * pairs, p.accBits);
  if (workingSet > t.core.getCapacity())
    return failure();

  GemmTiling g{tm, tn, tk, false, {}};
  TilingCost &c = g.cost;
  int64_t P = t.cores;
  int64_t tilesM = ceilDiv(p.m, tm), tilesN = ceilDiv(p.outN, tn);
  int64_t tiles = p.batch * tilesM * tilesN;
  double flopsPerTile = 2.0 * tm * tn * pairs * p.k;
  double compute = ceilDiv(tiles, P) * flopsPerTile /
                   peakPerCore(target, p.computeType, P);

  int64_t aBytes = bytes(p.batch * p.m * p.k, p.aBits);
  int64_t bBytes = bytes((p.sharedB ? 1 : p.batch) * p.k * p.n, p.bBits);
  int64_t cBytes = bytes(p.batch * p.m * p.outN, p.cBits);
  c.sharedBytes = aBytes * tilesN + bBytes * (p.sharedB ? p.batch : 1) *
                                        tilesM + cBytes;
  c.compulsoryBytes = aBytes + bBytes + cBytes;

  // Rows that read the same B: all batches when B is shared.
  int64_t rows = p.sharedB ? p.batch * p.m : p.m;
  int64_t rowTiles = ceilDiv(rows, tm);
  int64_t capShared = t.shared ? t.shared.getCapacity() : 0;
  auto consider = [&](int64_t bytesOff, std::string schedule) {
    if (c.schedule.empty() || bytesOff < c.offChipBytes) {
      c.offChipBytes = bytesOff;
      c.schedule = std::move(schedule);
    }
  };
  // A panel of rows stays in the shared level while the tiles of one wave,
  // a column of the panel each, stream B once per panel. Panels sweep the
  // columns in alternating directions: the next panel starts on the B
  // columns the last sweep left in the shared level.
  int64_t usable = int64_t(kSharedResidentShare * capShared);
  auto sweeps = [&](int64_t extent, int64_t panel, int64_t lineBytes,
                    int64_t streamed) {
    int64_t total = streamed;
    for (int64_t start = panel; start < extent; start += panel) {
      int64_t resident = std::min(panel, extent - start) * lineBytes;
      total += std::max<int64_t>(
          0, streamed - std::max<int64_t>(0, usable - resident));
    }
    return total;
  };
  int64_t aRowBytes = std::max<int64_t>(bytes(p.k, p.aBits), 1);
  int64_t panel = usable / aRowBytes;
  panel = std::min({panel / tm * tm, P * tm, rowTiles * tm});
  if (panel >= tm)
    consider(aBytes + sweeps(rows, panel, aRowBytes, bBytes) + cBytes,
             llvm::formatv("A panel of {0} rows resident in {1}", panel,
                           t.shared.getName())
                 .str());
  // The same with a panel of B's columns.
  int64_t bColBytes = std::max<int64_t>(bytes(p.k * pairs, p.bBits), 1);
  int64_t cols = usable / bColBytes;
  cols = std::min({cols / tn * tn, P * tn, tilesN * tn});
  if (cols >= tn)
    consider(sweeps(p.outN, cols, bColBytes, aBytes) + bBytes + cBytes,
             llvm::formatv("B panel of {0} columns resident in {1}", cols,
                           t.shared.getName())
                 .str());
  // Each core keeps its own rows of A next to its tile.
  int64_t coreRows = int64_t(kCoreResidentShare * t.core.getCapacity() -
                             workingSet) /
                     aRowBytes;
  coreRows = coreRows / tm * tm;
  if (coreRows >= tm)
    consider(aBytes + bBytes * ceilDiv(rows, coreRows * P) + cBytes,
             llvm::formatv("{0} rows of A resident per core in {1}", coreRows,
                           t.core.getName())
                 .str());
  // Plain waves of gm x gn tiles sharing their operands in the shared level.
  for (int64_t gm = 1; gm <= std::min(P, rowTiles); ++gm) {
    int64_t gn = std::max<int64_t>(P / gm, 1);
    consider(aBytes * ceilDiv(tilesN, gn) + bBytes * ceilDiv(rowTiles, gm) +
                 cBytes,
             llvm::formatv("waves of {0}x{1} tiles", gm, std::min(gn, tilesN))
                 .str());
  }

  double sElems = double(t.onChipBytes) * 8 / p.aBits;
  double pebble = 2.0 * p.batch * p.m * p.n * p.k / std::sqrt(sElems) *
                  p.aBits / 8;
  c.boundBytes = std::max<int64_t>(c.compulsoryBytes, int64_t(pebble));
  double coreElems = double(t.core.getCapacity()) * 8 / p.aBits;
  c.sharedBoundBytes = std::max<int64_t>(
      c.compulsoryBytes, int64_t(2.0 * p.batch * p.m * p.n * p.k /
                                 std::sqrt(coreElems) * p.aBits / 8));
  c.coreBytes = tiles * (bytes(tm * p.k, p.aBits) +
                         bytes(tn * pairs * p.k, p.bBits));
  c.seconds = roofline(t, compute, c, std::min(1.0, double(tiles) / P));
  return g;
}

FailureOr<GemmTiling> mlir::sinter::chooseGemmTiling(GemmOp op,
                                                     TargetAttr target) {
  std::optional<GemmProblem> p = GemmProblem::get(op);
  if (!p)
    return op.emitOpError("tiling needs static shapes"), failure();
  FailureOr<TargetTiers> tiers = tiersFor(op, target);
  FailureOr<DenseI64ArrayAttr> pinned =
      pinnedTriple(op, "tile_m, tile_n, tile_k");
  if (failed(tiers) || failed(pinned))
    return failure();
  const TargetTiers &t = *tiers;
  if (DenseI64ArrayAttr pin = *pinned) {
    FailureOr<GemmTiling> g =
        evaluateGemmTiling(*p, t, pin[0], pin[1], pin[2], target);
    if (failed(g))
      return op.emitOpError("pinned tile ")
                 << pin[0] << "x" << pin[1] << "x" << pin[2]
                 << " does not fit the " << t.core.getCapacity()
                 << " bytes of '" << t.core.getName() << "'",
             failure();
    g->pinned = true;
    return g;
  }
  auto [am, an, ak] = alignment(target);
  SmallVector<GemmTiling> all;
  for (int64_t tm : candidates({16, 32, 48, 64, 96, 128, 192, 256}, am, p->m))
    for (int64_t tn : candidates({16, 32, 64, 128, 192, 256}, an, p->outN))
      for (int64_t tk : candidates({32, 64, 128, 256}, ak, p->k)) {
        FailureOr<GemmTiling> g = evaluateGemmTiling(*p, t, tm, tn, tk, target);
        if (succeeded(g))
          all.push_back(*g);
      }
  std::optional<GemmTiling> best = pickBest(all, [](const GemmTiling &x) {
    return std::make_tuple(x.cost.offChipBytes, -x.tileM * x.tileN, -x.tileK,
                           x.tileM);
  });
  if (!best)
    return op.emitOpError("no tile fits the ")
               << t.core.getCapacity() << " bytes of '" << t.core.getName()
               << "'",
           failure();
  return *best;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

std::optional<AttentionProblem> AttentionProblem::get(AttentionOp op) {
  auto qT = cast<RankedTensorType>(op.getQuery().getType());
  auto kT = cast<RankedTensorType>(op.getKey().getType());
  auto vT = cast<RankedTensorType>(op.getValue().getType());
  if (!qT.hasStaticShape() || !kT.hasStaticShape() || !vT.hasStaticShape())
    return std::nullopt;
  bool bshd = op.getLayout() == AttentionLayout::bshd;
  unsigned h = bshd ? 2 : 1, s = bshd ? 1 : 2;
  AttentionProblem p;
  p.batch = qT.getDimSize(0);
  p.heads = qT.getDimSize(h);
  p.kvHeads = kT.getDimSize(h);
  p.sq = qT.getDimSize(s);
  p.skv = kT.getDimSize(s);
  p.d = qT.getDimSize(3);
  p.dv = vT.getDimSize(3);
  p.bits = bitsOf(qT);
  p.mask = op.getMask();
  p.window = op.getWindow().value_or(0);
  p.queryOffset = op.getQueryOffset();
  p.computeType = qT.getElementType();
  return p;
}

FailureOr<AttentionTiling> mlir::sinter::evaluateAttentionTiling(
    const AttentionProblem &p, const TargetTiers &t, int64_t bq, int64_t bk,
    int64_t splits, TargetAttr target) {
  if (bq <= 0 || bk <= 0 || splits <= 0 || !t.core)
    return failure();
  int64_t G = p.group(), rows = G * bq;
  int64_t workingSet = bytes(rows * p.d, p.bits) +
                       2 * bytes(bk * (p.d + p.dv), p.bits) +
                       4 * rows * (p.dv + bk + 2);
  if (workingSet > t.core.getCapacity())
    return failure();

  AttentionTiling a;
  a.blockQ = bq;
  a.blockKV = bk;
  a.splits = splits;
  bool causal = p.mask != MaskKind::none;
  bool window = p.mask == MaskKind::sliding_window;
  // Walk the query tiles: the key blocks each visits (fully masked blocks
  // skipped) and those on the band that need the mask; the visible
  // (query, key) pairs give the pebble bound.
  int64_t qTiles = ceilDiv(p.sq, bq), maxSteps = 0;
  double visiblePairs = 0;
  for (int64_t i = 0; i < qTiles; ++i) {
    int64_t q0 = i * bq, qn = std::min(bq, p.sq - q0);
    int64_t first = q0 + p.queryOffset, last = first + qn - 1;
    int64_t hi = causal ? std::clamp<int64_t>(last + 1, 0, p.skv) : p.skv;
    int64_t lo = window ? std::clamp<int64_t>(first - p.window + 1, 0, p.skv)
                        : 0;
    int64_t steps = hi > lo ? ceilDiv(hi, bk) - lo / bk : 0;
    a.steps += steps;
    maxSteps = std::max(maxSteps, steps);
    for (int64_t b = lo / bk; b < lo / bk + steps; ++b) {
      int64_t k0 = b * bk, kLast = std::min(k0 + bk, p.skv) - 1;
      if ((causal && kLast > first) || (window && k0 <= last - p.window))
        ++a.maskedSteps;
    }
    for (int64_t r = first; r <= last; ++r) {
      int64_t h = causal ? std::clamp<int64_t>(r + 1, 0, p.skv) : p.skv;
      int64_t l = window ? std::clamp<int64_t>(r - p.window + 1, 0, p.skv) : 0;
      visiblePairs += std::max<int64_t>(h - l, 0);
    }
  }
  if (splits > 1 && splits > maxSteps)
    return failure();
  int64_t heads = p.batch * p.kvHeads, P = t.cores;
  auto [am, an, ak] = alignment(target);
  double flopsPerStep = 2.0 * roundUp(rows, am) * bk * (p.d + p.dv);
  double perCore = peakPerCore(target, p.computeType, P);
  double compute =
      std::max(heads * a.steps * flopsPerStep / (P * perCore),
               ceilDiv(maxSteps, splits) * flopsPerStep / perCore);

  TilingCost &c = a.cost;
  int64_t qo = bytes(p.batch * p.heads * p.sq * (p.d + p.dv), p.bits);
  int64_t kvOnce = bytes(heads * p.skv * (p.d + p.dv), p.bits);
  int64_t kvStreamed = bytes(heads * a.steps * bk * (p.d + p.dv), p.bits);
  int64_t partials =
      splits > 1 ? 2 * 4 * p.batch * p.heads * p.sq * (p.dv + 1) * splits : 0;
  c.compulsoryBytes = qo + kvOnce;
  c.sharedBytes = qo + kvStreamed + partials;
  // Units run head by head; the query tiles of a head share its K/V in the
  // shared level when the K/V of the heads in flight fit there, so each is
  // read from off-chip once. Splits read disjoint key ranges.
  int64_t unitsPerHead = qTiles * splits;
  int64_t inFlight = std::min(P, heads * unitsPerHead);
  int64_t headsInFlight =
      std::min(heads, ceilDiv(inFlight, unitsPerHead) + 1);
  int64_t footprint = headsInFlight * bytes(p.skv * (p.d + p.dv), p.bits);
  int64_t capShared = t.shared ? t.shared.getCapacity() : 0;
  int64_t kvOff;
  if (qTiles == 1) {
    kvOff = kvOnce;
    c.schedule = "K/V streamed once";
  } else if (footprint <= kSharedResidentShare * capShared) {
    kvOff = kvOnce;
    c.schedule = llvm::formatv("K/V of {0} head(s) resident in {1}",
                               headsInFlight, t.shared.getName());
  } else {
    kvOff = std::max(kvOnce, kvStreamed / std::min(qTiles, inFlight));
    c.schedule = "K/V streamed per wave";
  }
  if (splits > 1)
    c.schedule += llvm::formatv(", {0} KV splits combined by LSE", splits);
  c.offChipBytes = qo + kvOff + partials;
  double sElems = double(t.onChipBytes) * 8 / p.bits;
  double pebble = p.batch * p.heads * visiblePairs * p.d * p.dv / sElems *
                  p.bits / 8;
  c.boundBytes = std::max<int64_t>(c.compulsoryBytes, int64_t(pebble));
  double coreElems = double(t.core.getCapacity()) * 8 / p.bits;
  c.sharedBoundBytes = std::max<int64_t>(
      c.compulsoryBytes, int64_t(p.batch * p.heads * visiblePairs * p.d *
                                 p.dv / coreElems * p.bits / 8));
  c.coreBytes = heads * a.steps *
                (bytes(rows * p.d, p.bits) + bytes(bk * (p.d + p.dv), p.bits));
  int64_t units = heads * qTiles * splits;
  c.seconds = roofline(t, compute, c, std::min(1.0, double(units) / P));
  return a;
}

FailureOr<AttentionTiling>
mlir::sinter::chooseAttentionTiling(AttentionOp op, TargetAttr target) {
  std::optional<AttentionProblem> p = AttentionProblem::get(op);
  if (!p)
    return op.emitOpError("tiling needs static shapes"), failure();
  FailureOr<TargetTiers> tiers = tiersFor(op, target);
  FailureOr<DenseI64ArrayAttr> pinned =
      pinnedTriple(op, "block_q, block_kv, kv_splits");
  if (failed(tiers) || failed(pinned))
    return failure();
  const TargetTiers &t = *tiers;
  if (DenseI64ArrayAttr pin = *pinned) {
    FailureOr<AttentionTiling> a =
        evaluateAttentionTiling(*p, t, pin[0], pin[1], pin[2], target);
    if (failed(a))
      return op.emitOpError("pinned blocks ")
                 << pin[0] << "x" << pin[1] << " with " << pin[2]
                 << " split(s) do not fit the " << t.core.getCapacity()
                 << " bytes of '" << t.core.getName()
                 << "' or split fewer key blocks than there are splits",
             failure();
    a->pinned = true;
    return a;
  }
  auto [am, an, ak] = alignment(target);
  int64_t G = p->group();
  SmallVector<AttentionTiling> all;
  for (int64_t bq : {1, 2, 4, 8, 16, 32, 64, 128, 256}) {
    if (G * bq > 256 || (bq > 1 && bq / 2 >= p->sq))
      continue;
    for (int64_t bk : candidates({16, 32, 64, 128, 256}, an, p->skv))
      for (int64_t splits : {1, 2, 4, 8, 16, 32, 64}) {
        FailureOr<AttentionTiling> a =
            evaluateAttentionTiling(*p, t, bq, bk, splits, target);
        if (succeeded(a))
          all.push_back(*a);
      }
  }
  std::optional<AttentionTiling> best =
      pickBest(all, [](const AttentionTiling &x) {
        return std::make_tuple(x.cost.offChipBytes, -x.blockQ * x.blockKV,
                               x.splits);
      });
  if (!best)
    return op.emitOpError("no attention tile fits the ")
               << t.core.getCapacity() << " bytes of '" << t.core.getName()
               << "'",
           failure();
  return *best;
}
