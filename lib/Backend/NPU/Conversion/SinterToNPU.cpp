//===- SinterToNPU.cpp - GEMM functions as NPU kernels --------------------===//
//
// See the pass description (include/sinter/Backend/NPU/Passes.td) for the
// kernel this writes and what it supports.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Support/ScalarBuilder.h"
#include "sinter/Backend/NPU/Passes.h"
#include "NPUKernels.h"
#include "llvm/ADT/TypeSwitch.h"
#include <numeric>

namespace mlir::sinter {
#define GEN_PASS_DEF_CONVERTSINTERTONPU
#include "sinter/Backend/NPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::npu;

namespace {
constexpr int64_t kTile = 128;

/// The block of a dimension of `d`: the largest divisor up to 128 of a
/// multiple of 16 (exact tiles), else 128 or `d` in whole fractals (the
/// ragged last block is padded on the way in and cropped on the way out).
int64_t blockSize(int64_t d) {
  return d % 16 ? std::min<int64_t>(kTile, llvm::alignTo(d, 16))
                : std::gcd(d, kTile);
}

/// How an epilogue operand covers the output tile.
enum class Cover { Tile, Row, Column };

/// Why the GEMM cannot become an NPU kernel yet, or empty; `contraction`:
/// for its contraction alone.
std::string unsupported(GemmOp op, bool contraction = false) {
  if (op.getTransposeA())
    return "a transposed A is not supported on the NPU yet";
  if (op.getNumBatchDims() &&
      cast<RankedTensorType>(op.getB().getType()).getRank() != 2)
    return "batched GEMMs need one B shared by the batch on the NPU yet";
  if (op.getTransposeB() && op.getBQuant())
    return "quantized weights must be [K, N] on the NPU yet";
  if (!contraction &&
      (op.getPairwise() || op.getARowSumSq() || !op.getReductions().empty()))
    return "pairwise and reducing GEMMs are not supported on the NPU yet";
  Type a = getElementTypeOrSelf(op.getA().getType());
  if (op.getBQuant()) {
    // W8A16 / W4A16: the vector unit dequantizes B in the scales' type,
    // which the cube then multiplies.
    if (!(a.isF16() || a.isBF16()))
      return "quantized weights need f16 or bf16 activations";
    if (getElementTypeOrSelf(op.getBScales().getType()) != a)
      return "the scales must have the activations' type (the vector unit "
             "dequantizes into the scales' type)";
    if (op.getBZeroPoints())
      return "zero points are not supported on the NPU yet";
    WeightQuantAttr q = *op.getBQuant();
    int64_t k = cast<RankedTensorType>(op.getA().getType()).getDimSize(1);
    int64_t bk = std::gcd(k, kTile), g = q.getGroupSize();
    if (q.getScheme() == QuantScheme::grouped && g % bk && bk % g)
      return "the group size (" + std::to_string(g) +
             ") must divide the k block (" + std::to_string(bk) +
             ") or be a multiple of it";
  } else if (!(a.isF16() || a.isBF16()) ||
             a != getElementTypeOrSelf(op.getB().getType())) {
    return "operands must both be f16 or bf16, or f16/bf16 activations "
           "with int8/int4 weights";
  }
  if (!op.getAccType().isF32())
    return "accumulation must be f32";
  auto aType = cast<RankedTensorType>(op.getA().getType());
  auto bType = cast<RankedTensorType>(op.getB().getType());
  if (!aType.hasStaticShape() || !bType.hasStaticShape())
    return "dynamic shapes are not supported";
  int64_t rank = aType.getRank();
  // Ragged f16/bf16 GEMMs pad their edge tiles; quantized weights' k
  // blocks and groups must tile K exactly.
  for (int64_t d : {aType.getDimSize(rank - 2), aType.getDimSize(rank - 1),
                    bType.getDimSize(op.getTransposeB() ? 0 : 1)})
    if (d % 16 && op.getBQuant())
      return "with quantized weights, M, N and K must be multiples of the "
             "cube's 16 x 16 fractal on the NPU yet (got " +
             std::to_string(d) + ")";
  Type out = getElementTypeOrSelf(op.getInits()[0].getType());
  if (!(out.isF16() || out.isBF16() || out.isF32()))
    return "the output must be f16, bf16 or f32";
  return "";
}

/// Builds one NPU kernel's body: the scalar IR of ScalarBuilder, and
/// scratchpad tiles, DMA and the pipes' flags (for GEMMs, their tiles).
struct KernelBuilder : ScalarBuilder {
  GemmOp op;
  int64_t M, N, K, BM, BN, BK;
  Value alloc(MemorySpace s, int64_t rows, int64_t cols, Type t) {
    auto type = MemRefType::get({rows, cols}, t, MemRefLayoutAttrInterface{},
                                MemorySpaceAttr::get(b.getContext(), s));
    return AllocOp::create(b, loc, type, IntegerAttr());
  }
  void set(Pipe from, Pipe to, int32_t event = 0) {
    SetFlagOp::create(b, loc, from, to, event);
  }
  void wait(Pipe from, Pipe to, int32_t event = 0) {
    WaitFlagOp::create(b, loc, from, to, event);
  }
  /// Hands over from pipe `from` to `to` right here: `to` waits for
  /// everything `from` has issued so far.
  void handoff(Pipe from, Pipe to, int32_t event = 0) {
    set(from, to, event);
    wait(from, to, event);
  }
  /// Slot j % slots of a ring of [rows, cols] tiles stacked in `ring`.
  Value ringSlot(Value ring, Value j, int64_t slots, int64_t rows,
                 int64_t cols) {
    Value row = mul(arith::RemUIOp::create(b, loc, j, idx(slots)), idx(rows));
    return slice(ring, row, idx(0), rows, cols);
  }
  /// The [rows, cols] block at (r, c) of a memref.
  Value slice(Value m, Value r, Value c, int64_t rows, int64_t cols) {
    return slice(m, r, c, b.getIndexAttr(rows), b.getIndexAttr(cols));
  }
  Value slice(Value m, Value r, Value c, OpFoldResult rows, OpFoldResult cols) {
    SmallVector<OpFoldResult> offsets{r, c}, sizes{rows, cols},
        strides{b.getIndexAttr(1), b.getIndexAttr(1)};
    return memref::SubViewOp::create(b, loc, m, offsets, sizes, strides);
  }
  /// How much of a block of `block` from `at` lies inside a dimension of
  /// `size`: the block, or min(block, size - at) where the dimension has a
  /// ragged edge (the copies pad and crop there).
  OpFoldResult extent(Value at, int64_t size, int64_t block) {
    if (size % block == 0)
      return b.getIndexAttr(block);
    return arith::MinUIOp::create(b, loc, idx(block), sub(idx(size), at))
        .getResult();
  }
  /// The block of global memref `m` at (r, c) that a [tr, tc] tile covers,
  /// cut at the matrix's edges.
  Value edgeSlice(Value m, Value r, Value c, int64_t tr, int64_t tc) {
    auto t = cast<MemRefType>(m.getType());
    return slice(m, r, c, extent(r, t.getDimSize(0), tr),
                 extent(c, t.getDimSize(1), tc));
  }
  void dma(Value src, Value dst, Layout from = Layout::nd,
           Layout to = Layout::nd) {
    DmaOp::create(b, loc, src, dst, from, to);
  }
  /// Epilogue tiles by the op that made them: the tiles of a block share
  /// them (the scratchpad planner keeps what a loop body allocates live
  /// for all of it).
  llvm::DenseMap<Operation *, Value> epilogueTiles;
  Value epilogueTile(Operation *key, int64_t rows, int64_t cols, Type t) {
    Value &tile = epilogueTiles[key];
    if (!tile) {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointAfterValue(hoistPoint);
      tile = alloc(MemorySpace::ub, rows, cols, t);
    }
    return tile;
  }
  /// Where the epilogue's tiles are allocated (before the tile loop).
  Value hoistPoint;
  /// A builder for kernels without GEMM tiles (attention, KV-cache ops).
  static KernelBuilder plain(OpBuilder &b, Location loc) {
    return KernelBuilder{{b, loc},
                         GemmOp(),
                         0,
                         0,
                         0,
                         0,
                         0,
                         0,
                         llvm::DenseMap<Operation *, Value>(),
                         Value()};
  }
  Value castTo(Value tile, Type t, Operation *key) {
    auto type = cast<MemRefType>(tile.getType());
    if (type.getElementType() == t)
      return tile;
    Value out = epilogueTile(key, type.getDimSize(0), type.getDimSize(1), t);
    VCastOp::create(b, loc, tile, out);
    return out;
  }
};
} // namespace

/// The kernel's argument (in `entry`) for function argument `v`.
static Value kernelArgument(Block *entry, Value v) {
  return entry->getArgument(cast<BlockArgument>(v).getArgNumber());
}

/// The memref a kernel takes for tensor operand `v` of `gemm`: rank-1
/// epilogue operands become a row or a column of the output; nullopt for a
/// layout the kernel cannot read.
static std::optional<std::pair<MemRefType, Cover>>
kernelOperand(GemmOp gemm, Value v, int64_t M, int64_t N) {
  auto t = cast<RankedTensorType>(v.getType());
  // Per-column scales are one row of them.
  if (v == gemm.getBScales() && t.getRank() == 1)
    return std::make_pair(MemRefType::get({1, N}, t.getElementType()),
                          Cover::Row);
  // A's batch dimensions fold into its rows (B is shared by the batch).
  if (v == gemm.getA())
    return std::make_pair(
        MemRefType::get({M, t.getShape().back()}, t.getElementType()),
        Cover::Tile);
  if (v == gemm.getB() || v == gemm.getBScales() || v == gemm.getBZeroPoints())
    return std::make_pair(MemRefType::get(t.getShape(), t.getElementType()),
                          Cover::Tile);
  unsigned rank = gemm.getNumBatchDims() + 2;
  for (auto [in, m] :
       llvm::zip(gemm.getEpilogueInputs(), gemm.getEpilogueMaps().getValue())) {
    if (in != v)
      continue;
    // The output tile (every dimension, in order), a row (n) or a column
    // (the batch dimensions and m, in order) of it.
    AffineMap map = cast<AffineMapAttr>(m).getValue();
    auto dims = [&](unsigned from, unsigned to) {
      if (map.getNumResults() != to - from)
        return false;
      for (unsigned i = from; i < to; ++i)
        if (map.getResult(i - from) != getAffineDimExpr(i, map.getContext()))
          return false;
      return true;
    };
    if (dims(0, rank))
      return std::make_pair(MemRefType::get({M, N}, t.getElementType()),
                            Cover::Tile);
    if (dims(rank - 1, rank))
      return std::make_pair(MemRefType::get({1, N}, t.getElementType()),
                            Cover::Row);
    if (dims(0, rank - 1))
      return std::make_pair(MemRefType::get({M, 1}, t.getElementType()),
                            Cover::Column);
    return std::nullopt;
  }
  return std::nullopt;
}

/// Whether `f` can become a kernel of its one op `op` (`what` in messages,
/// `why` what the kernel does not support, or empty): it returns the op's
/// one result and every operand is an argument of `f` (the result's init
/// an empty tensor). Emits the error otherwise.
static LogicalResult checkKernelFunction(func::FuncOp f, Operation *op,
                                         Value init, StringRef what,
                                         const std::string &why) {
  auto fail = [&](const Twine &reason) {
    return op->emitError() << "NPU target: cannot compile the " << what
                           << " in @" << f.getName() << ": " << reason;
  };
  if (!why.empty())
    return fail(why);
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  if (f.getNumResults() != 1 || ret.getOperand(0) != op->getResult(0))
    return fail("the function must return the " + what + "'s one result");
  for (Value v : op->getOperands())
    if (!isa<BlockArgument>(v) &&
        !(v == init && v.getDefiningOp<tensor::EmptyOp>()))
      return fail("every operand must be a function argument");
  return success();
}

static LogicalResult convertFunction(func::FuncOp f, GemmOp gemm) {
  auto fail = [&](const Twine &why) {
    return gemm.emitError() << "NPU target: cannot compile the gemm in @"
                            << f.getName() << ": " << why;
  };
  if (failed(checkKernelFunction(f, gemm, gemm.getInits()[0], "gemm",
                                 unsupported(gemm))))
    return failure();
  auto aType = cast<RankedTensorType>(gemm.getA().getType());
  // Batch dimensions fold into M (B is shared).
  int64_t M = aType.getNumElements() / aType.getShape().back(),
          K = aType.getShape().back(),
          N = cast<RankedTensorType>(gemm.getB().getType())
                  .getDimSize(gemm.getTransposeB() ? 0 : 1);
  // B as [N, K] (nn.Linear's layout): its blocks come into L1 as they are
  // stored and are copied transposed into L0B.
  bool bNK = gemm.getTransposeB();
  // The kernel's signature: the arguments, then the result, in global
  // memory.
  SmallVector<Type> params;
  SmallVector<Cover> covers;
  for (BlockArgument arg : f.getArguments()) {
    auto operand = kernelOperand(gemm, arg, M, N);
    if (!operand)
      return fail("epilogue operand " + std::to_string(arg.getArgNumber()) +
                  " is read through a map the NPU kernel does not take "
                  "(it takes tiles, rows (m, n) -> (n) and columns "
                  "(m, n) -> (m))");
    params.push_back(operand->first);
    covers.push_back(operand->second);
  }
  auto outTensor = cast<RankedTensorType>(f.getResultTypes()[0]);
  params.push_back(MemRefType::get({M, N}, outTensor.getElementType()));

  OpBuilder ob(f);
  auto kernel = func::FuncOp::create(ob, f.getLoc(), f.getName(),
                                     ob.getFunctionType(params, {}));
  Block *entry = kernel.addEntryBlock();
  ob.setInsertionPointToStart(entry);
  KernelBuilder kb{{ob, f.getLoc()},
                   gemm,
                   M,
                   N,
                   K,
                   blockSize(M),
                   blockSize(N),
                   blockSize(K),
                   llvm::DenseMap<Operation *, Value>(),
                   Value()};
  Location loc = f.getLoc();
  Type elem = aType.getElementType(), f32 = ob.getF32Type();
  Value A = entry->getArgument(0), B = entry->getArgument(1);
  Value out = entry->getArgument(f.getNumArguments());
  int64_t BM = kb.BM, BN = kb.BN, BK = kb.BK;

  // With one row of output tiles (M = BM) whose A fits in half of L1, A
  // stays in L1 for all of the core's tiles: loaded once, each k block
  // copied from it to L0A (decode-shaped GEMMs stream only B).
  TargetAttr target = lookupTarget(f);
  MemoryLevelAttr l1 = target.getLevel("l1");
  int64_t blocks = llvm::divideCeil(K, BK);
  bool residentA =
      l1 && M <= BM && BM * blocks * BK * 2 <= l1.getCapacity() / 2;
  Value aPanel;
  if (residentA)
    aPanel = kb.alloc(MemorySpace::l1, BM, blocks * BK, elem);
  // Two sets of k-block buffers: block j + 1 loads while block j computes
  // (the flags of set i use event i).
  Value aL1[2], bL1[2], aL0[2], bL0[2];
  // Quantized B: each k block's codes and scales come into the unified
  // buffer, the vector unit dequantizes them (wUB), and MTE3 moves the
  // weights into L1 in the cube's layout.
  std::optional<WeightQuantAttr> quant = gemm.getBQuant();
  Value scales =
      quant ? entry->getArgument(
                  cast<BlockArgument>(gemm.getBScales()).getArgNumber())
            : Value();
  int64_t group = 0, scaleRows = 1;
  if (quant && quant->getScheme() == QuantScheme::grouped) {
    group = quant->getGroupSize();
    scaleRows = group >= BK ? 1 : BK / group;
  }
  // Blocks of SUB x SUB output tiles: each k block's A rows and B columns
  // come into L1 once for all SUB^2 tiles (twice the FLOPs per byte of HBM
  // traffic at SUB = 2), whose accumulators fill L0C (4 x 64 KiB).
  MemoryLevelAttr l0c = target.getLevel("l0c");
  int64_t SUB = !residentA && !quant && M % (2 * BM) == 0 &&
                        N % (2 * BN) == 0 && l0c &&
                        4 * BM * BN * 4 <= l0c.getCapacity()
                    ? 2
                    : 1;
  Value qUB[2], sUB[2], wUB[2];
  for (int i = 0; i < 2; ++i) {
    if (!residentA)
      aL1[i] = kb.alloc(MemorySpace::l1, SUB * BM, BK, elem);
    bL1[i] = bNK ? kb.alloc(MemorySpace::l1, SUB * BN, BK, elem)
                 : kb.alloc(MemorySpace::l1, BK, SUB * BN, elem);
    aL0[i] = kb.alloc(MemorySpace::l0a, BM, BK, elem);
    bL0[i] = kb.alloc(MemorySpace::l0b, BK, BN, elem);
    if (quant) {
      qUB[i] = kb.alloc(MemorySpace::ub, BK, BN,
                        getElementTypeOrSelf(gemm.getB().getType()));
      sUB[i] = kb.alloc(MemorySpace::ub, scaleRows, BN, elem);
      wUB[i] = kb.alloc(MemorySpace::ub, BK, BN, elem);
    }
  }
  SmallVector<Value> accs;
  for (int64_t s = 0; s < SUB * SUB; ++s)
    accs.push_back(kb.alloc(MemorySpace::l0c, BM, BN, f32));
  Value cub = kb.alloc(MemorySpace::ub, BM, BN, f32);
  kb.hoistPoint = cub;
  // Epilogue operands' staging tiles.
  SmallVector<std::pair<Value, Value>> epiLoads; // (kernel arg, ub tile)
  IRMapping tiles;
  for (auto [i, in] : llvm::enumerate(gemm.getEpilogueInputs())) {
    unsigned arg = cast<BlockArgument>(in).getArgNumber();
    Cover c = covers[arg];
    Type t = cast<MemRefType>(params[arg]).getElementType();
    Value tile = kb.alloc(MemorySpace::ub, c == Cover::Row ? 1 : BM,
                          c == Cover::Column ? 1 : BN, t);
    epiLoads.push_back({entry->getArgument(arg), tile});
  }
  using P = Pipe;
  // Every buffer starts free: its consumer's "done" flag is already set.
  for (int i = 0; i < 2; ++i) {
    kb.set(P::mte1, P::mte2, i); // L1 tiles
    kb.set(P::m, P::mte1, i);    // L0A/L0B tiles
    if (quant) {
      kb.set(P::v, P::mte2, 2 + i); // codes and scales in UB
      kb.set(P::mte3, P::v, 2 + i); // dequantized weights in UB
      kb.set(P::mte1, P::mte3, i);  // B's L1 tile
    }
  }
  kb.set(P::fix, P::m);    // the accumulators
  kb.set(P::mte3, P::fix); // the unified-buffer result tiles
  bool hasEpiLoads = !epiLoads.empty();
  if (hasEpiLoads)
    kb.set(P::v, P::mte2); // epilogue operand tiles

  if (residentA) {
    kb.dma(A, aPanel, Layout::nd, Layout::nz);
    kb.handoff(P::mte2, P::mte1, 2);
  }

  int64_t tilesN = llvm::divideCeil(N, SUB * BN),
          numTiles = llvm::divideCeil(M, SUB * BM) * tilesN;
  auto tileLoop = scf::ForOp::create(
      ob, loc, CoreIdOp::create(ob, loc, ob.getIndexType()), kb.idx(numTiles),
      NumCoresOp::create(ob, loc, ob.getIndexType()));
  // The tile's body; an error message when the epilogue has no NPU form.
  std::string error = [&]() -> std::string {
    OpBuilder::InsertionGuard g(ob);
    ob.setInsertionPointToStart(tileLoop.getBody());
    Value t = tileLoop.getInductionVar();
    Value m0 = kb.mul(arith::DivUIOp::create(ob, loc, t, kb.idx(tilesN)),
                      kb.idx(SUB * BM));
    Value n0 = kb.mul(arith::RemUIOp::create(ob, loc, t, kb.idx(tilesN)),
                      kb.idx(SUB * BN));
    // The epilogue operands of the tile at (r0, c0). One tile per block:
    // loaded before the k loop (they arrive under it); otherwise before
    // each tile's epilogue.
    auto loadEpilogueOperands = [&](Value r0, Value c0) {
      kb.wait(P::v, P::mte2);
      for (auto [arg, tile] : epiLoads) {
        auto tt = cast<MemRefType>(tile.getType());
        Value r = tt.getDimSize(0) == 1 ? kb.idx(0) : r0;
        Value c = tt.getDimSize(1) == 1 ? kb.idx(0) : c0;
        kb.dma(kb.edgeSlice(arg, r, c, tt.getDimSize(0), tt.getDimSize(1)),
               tile);
      }
      kb.set(P::mte2, P::v);
    };
    if (hasEpiLoads && SUB == 1)
      loadEpilogueOperands(m0, n0);
    kb.wait(P::fix, P::m);
    // One k block: in through L1 and L0 into the cube.
    auto kStep = [&](Value kIdx, bool accumulate, int i) {
      Value k0 = kb.mul(kIdx, kb.idx(BK));
      if (quant) {
        // Codes and scales in (MTE2), dequantized (V), into L1 (MTE3).
        kb.wait(P::v, P::mte2, 2 + i);
        kb.dma(kb.slice(B, k0, n0, BK, BN), qUB[i]);
        Value g0 =
            group
                ? arith::DivUIOp::create(ob, loc, k0, kb.idx(group)).getResult()
                : kb.idx(0);
        kb.dma(kb.slice(scales, g0, n0, scaleRows, BN), sUB[i]);
        kb.handoff(P::mte2, P::v, 2 + i);
        kb.wait(P::mte3, P::v, 2 + i);
        VDequantOp::create(ob, loc, qUB[i], sUB[i], Value(), wUB[i],
                           group ? ob.getI64IntegerAttr(group) : IntegerAttr());
        kb.set(P::v, P::mte2, 2 + i);
        kb.handoff(P::v, P::mte3, 2 + i);
        kb.wait(P::mte1, P::mte3, i);
        kb.dma(wUB[i], bL1[i], Layout::nd, Layout::nz);
        kb.set(P::mte3, P::v, 2 + i);
        kb.set(P::mte3, P::mte1, i);
      }
      kb.wait(P::mte1, P::mte2, i);
      if (!residentA)
        kb.dma(kb.edgeSlice(A, m0, k0, SUB * BM, BK), aL1[i], Layout::nd,
               Layout::nz);
      if (!quant)
        kb.dma(bNK ? kb.edgeSlice(B, n0, k0, SUB * BN, BK)
                   : kb.edgeSlice(B, k0, n0, BK, SUB * BN),
               bL1[i], Layout::nd, Layout::nz);
      kb.handoff(P::mte2, P::mte1, i);
      if (quant)
        kb.wait(P::mte3, P::mte1, i);
      // Each tile of the block from the L1 rows and columns it needs; the
      // L0 buffer sets alternate tile by tile.
      for (int64_t s = 0; s < SUB * SUB; ++s) {
        int j = SUB == 1 ? i : int(s % 2);
        int64_t si = s / SUB, sj = s % SUB;
        kb.wait(P::m, P::mte1, j);
        kb.dma(residentA ? kb.slice(aPanel, kb.idx(0), k0, BM, BK)
               : SUB == 1
                   ? aL1[i]
                   : kb.slice(aL1[i], kb.idx(si * BM), kb.idx(0), BM, BK),
               aL0[j], Layout::nz, Layout::nz);
        Value bBlock =
            SUB == 1 ? bL1[i]
            : bNK    ? kb.slice(bL1[i], kb.idx(sj * BN), kb.idx(0), BN, BK)
                     : kb.slice(bL1[i], kb.idx(0), kb.idx(sj * BN), BK, BN);
        DmaOp::create(ob, loc, bBlock, bL0[j], Layout::nz, Layout::nz,
                      /*transpose=*/bNK);
        if (s + 1 == SUB * SUB) {
          kb.set(P::mte1, P::mte2, i);
          if (quant)
            kb.set(P::mte1, P::mte3, i);
        }
        kb.handoff(P::mte1, P::m, j);
        MmadOp::create(ob, loc, aL0[j], bL0[j], accs[s], accumulate);
        kb.set(P::m, P::mte1, j);
      }
    };
    // The first k block sets the accumulator, the others add to it; the
    // blocks alternate between the two buffer sets (pairs in a loop, then
    // an odd one out).
    int64_t pairs = (blocks - 1) / 2;
    kStep(kb.idx(0), false, 0);
    if (pairs) {
      auto kLoop = scf::ForOp::create(ob, loc, kb.idx(1), kb.idx(1 + 2 * pairs),
                                      kb.idx(2));
      OpBuilder::InsertionGuard g2(ob);
      ob.setInsertionPointToStart(kLoop.getBody());
      kStep(kLoop.getInductionVar(), true, 1);
      kStep(kb.add(kLoop.getInductionVar(), kb.idx(1)), true, 0);
    }
    if ((blocks - 1) % 2)
      kStep(kb.idx(blocks - 1), true, 1);
    // Each accumulator to the unified buffer, then the epilogue on V.
    kb.handoff(P::m, P::fix);
    for (int64_t s = 0; s < SUB * SUB; ++s) {
      Value r0 = kb.add(m0, kb.idx((s / SUB) * BM)),
            c0 = kb.add(n0, kb.idx((s % SUB) * BN));
      if (hasEpiLoads && SUB > 1)
        loadEpilogueOperands(r0, c0);
      kb.wait(P::mte3, P::fix);
      kb.dma(accs[s], cub, Layout::nz, Layout::nd);
      if (s + 1 == SUB * SUB)
        kb.set(P::fix, P::m);
      kb.handoff(P::fix, P::v);
      if (hasEpiLoads)
        kb.wait(P::mte2, P::v);
      Value result = cub;
      auto isFull = [&](Value tile) {
        auto type = cast<MemRefType>(tile.getType());
        return type.getDimSize(0) == BM && type.getDimSize(1) == BN;
      };
      Region &region = gemm.getEpilogue();
      if (!region.empty()) {
        Block &body = region.front();
        tiles.clear();
        tiles.map(body.getArgument(0), cub);
        for (auto [i, load] : llvm::enumerate(epiLoads))
          tiles.map(body.getArgument(i + 1), load.second);
        for (Operation &inner : body.without_terminator()) {
          // Constants matter only where they are used (as operands).
          if (isa<arith::ConstantOp>(inner))
            continue;
          Type rt = inner.getNumResults() == 1 ? inner.getResult(0).getType()
                                               : Type();
          std::optional<BinaryKind> binary =
              llvm::TypeSwitch<Operation *, std::optional<BinaryKind>>(&inner)
                  .Case([](arith::AddFOp) { return BinaryKind::add; })
                  .Case([](arith::SubFOp) { return BinaryKind::sub; })
                  .Case([](arith::MulFOp) { return BinaryKind::mul; })
                  .Case([](arith::DivFOp) { return BinaryKind::div; })
                  .Case([](arith::MaximumFOp) { return BinaryKind::max; })
                  .Case([](arith::MinimumFOp) { return BinaryKind::min; })
                  .Default([](Operation *) { return std::nullopt; });
          std::optional<UnaryKind> unary =
              llvm::TypeSwitch<Operation *, std::optional<UnaryKind>>(&inner)
                  .Case([](math::ExpOp) { return UnaryKind::exp; })
                  .Case([](math::LogOp) { return UnaryKind::log; })
                  .Case([](math::TanhOp) { return UnaryKind::tanh; })
                  .Case([](math::SqrtOp) { return UnaryKind::sqrt; })
                  .Case([](math::RsqrtOp) { return UnaryKind::rsqrt; })
                  .Case([](math::AbsFOp) { return UnaryKind::abs; })
                  .Case([](arith::NegFOp) { return UnaryKind::neg; })
                  .Default([](Operation *) { return std::nullopt; });
          auto operand = [&](unsigned i) {
            return tiles.lookupOrNull(inner.getOperand(i));
          };
          // The result tile: the full-tile operand's own when this op is its
          // last use and the types agree (elementwise in place: the unified
          // buffer holds few 128 x 128 f32 tiles), a new one otherwise. Not
          // an epilogue operand's load buffer: the next tile's load refills
          // it while MTE3 may still store this result.
          auto resultTile = [&]() -> Value {
            for (unsigned i = 0; i < inner.getNumOperands(); ++i) {
              Value v = inner.getOperand(i), t = operand(i);
              if (!t || !isFull(t) ||
                  cast<MemRefType>(t.getType()).getElementType() != rt ||
                  llvm::any_of(epiLoads,
                               [&](auto &load) { return load.second == t; }))
                continue;
              if (llvm::all_of(v.getUsers(), [&](Operation *u) {
                    return u == &inner || u->isBeforeInBlock(&inner);
                  }))
                return t;
            }
            return kb.epilogueTile(&inner, BM, BN, rt);
          };
          // A constant operand: the vector unit's scalar form (c - x as
          // -x + c).
          auto constantOf = [&](unsigned i) -> std::optional<float> {
            FloatAttr f;
            if (matchPattern(inner.getOperand(i), m_Constant(&f)))
              return float(f.getValueAsDouble());
            return std::nullopt;
          };
          if (binary && (constantOf(0) || constantOf(1))) {
            bool left = bool(constantOf(0));
            Value t = operand(left ? 1 : 0);
            float c = *constantOf(left ? 0 : 1);
            if (!t || !isFull(t) || (left && *binary == BinaryKind::div))
              return "the epilogue's '" +
                     inner.getName().getStringRef().str() +
                     "' has no vector-unit form with this constant";
            Value o = resultTile();
            auto scalar = [&](BinaryKind k, Value in, float v) {
              VScalarOp::create(ob, loc, BinaryKindAttr::get(ob.getContext(), k),
                                in, o, ob.getF32FloatAttr(v));
            };
            if (left && *binary == BinaryKind::sub) {
              scalar(BinaryKind::mul, t, -1.0f);
              scalar(BinaryKind::add, o, c);
            } else {
              scalar(*binary, t, c);
            }
            tiles.map(inner.getResult(0), o);
            continue;
          }
          if (binary) {
            Value l = operand(0), r = operand(1);
            if (!l || !r)
              return "the epilogue's '" + inner.getName().getStringRef().str() +
                     "' has an operand that is not a tile (constants are not "
                     "supported yet)";
            bool commutes =
                *binary == BinaryKind::add || *binary == BinaryKind::mul ||
                *binary == BinaryKind::max || *binary == BinaryKind::min;
            if (!isFull(l) && commutes)
              std::swap(l, r);
            if (!isFull(l))
              return "the epilogue's '" + inner.getName().getStringRef().str() +
                     "' needs its first operand to cover the tile";
            Value o = resultTile();
            VBinaryOp::create(ob, loc, *binary, l, r, o);
            tiles.map(inner.getResult(0), o);
            continue;
          }
          if (unary && operand(0) && isFull(operand(0))) {
            Value o = resultTile();
            VUnaryOp::create(ob, loc, *unary, operand(0), o);
            tiles.map(inner.getResult(0), o);
            continue;
          }
          if (isa<arith::ExtFOp, arith::TruncFOp>(inner) && operand(0)) {
            tiles.map(inner.getResult(0), kb.castTo(operand(0), rt, &inner));
            continue;
          }
          return "the epilogue's '" + inner.getName().getStringRef().str() +
                 "' has no vector-unit form on the NPU yet";
        }
        result = tiles.lookup(body.getTerminator()->getOperand(0));
      }
      if (!isFull(result))
        return "the epilogue's result must cover the tile";
      result = kb.castTo(result, outTensor.getElementType(), gemm);
      if (hasEpiLoads)
        kb.set(P::v, P::mte2);
      kb.handoff(P::v, P::mte3);
      kb.dma(result, kb.edgeSlice(out, r0, c0, BM, BN));
      kb.set(P::mte3, P::fix);
    }
    return "";
  }();
  if (!error.empty()) {
    kernel.erase();
    return fail(error);
  }
  // Drain the "free" flags so every set has its wait.
  for (int i = 0; i < 2; ++i) {
    kb.wait(P::mte1, P::mte2, i);
    kb.wait(P::m, P::mte1, i);
    if (quant) {
      kb.wait(P::v, P::mte2, 2 + i);
      kb.wait(P::mte3, P::v, 2 + i);
      kb.wait(P::mte1, P::mte3, i);
    }
  }
  kb.wait(P::fix, P::m);
  kb.wait(P::mte3, P::fix);
  if (hasEpiLoads)
    kb.wait(P::v, P::mte2);
  func::ReturnOp::create(ob, loc);
  kernel.setVisibility(f.getVisibility());
  f.erase();
  return success();
}

/// Why the attention cannot become an NPU kernel yet, or empty.
static std::string unsupportedAttention(AttentionOp op) {
  if (op.getLayout() != AttentionLayout::bhsd)
    return "only the [B, H, S, D] layout is supported on the NPU yet";
  if (op.getBias() || op.getRopeCos() || op.getInits().size() != 1)
    return "biases, fused RoPE and the log-sum-exp are not supported on the "
           "NPU yet";
  auto q = cast<RankedTensorType>(op.getQuery().getType());
  auto k = cast<RankedTensorType>(op.getKey().getType());
  auto v = cast<RankedTensorType>(op.getValue().getType());
  for (auto t : {q, k, v})
    if (!t.hasStaticShape())
      return "dynamic shapes are not supported";
  Type e = q.getElementType();
  if (!(e.isF16() || e.isBF16()) || k.getElementType() != e ||
      v.getElementType() != e)
    return "Q, K and V must all be f16 or all bf16";
  int64_t d = q.getDimSize(3), dv = v.getDimSize(3);
  if (d != dv || d % 16 || d > 128)
    return "head dimensions must be equal multiples of 16 up to 128";
  int64_t sq = q.getDimSize(2), sk = k.getDimSize(2);
  if (sq == 1) {
    // Decode: the query heads of a KV head are the rows.
    int64_t g = q.getDimSize(1) / k.getDimSize(1);
    if (g > 16)
      return "a decode takes at most 16 query heads per KV head on the NPU "
             "yet (got " +
             std::to_string(g) + ")";
    if (op.getMask() != MaskKind::none)
      return "a decode sees every cached key (no mask) on the NPU";
  }
  int64_t bq = blockSize(sq), bk = blockSize(sk);
  if (op.getMask() != MaskKind::none &&
      (bq != bk || op.getQueryOffset() < 0 || op.getQueryOffset() % bk))
    return "a causal or sliding-window mask needs query and key blocks of "
           "one size and a query offset that is a non-negative multiple of "
           "it on the NPU yet";
  Type out = getElementTypeOrSelf(op.getInits()[0].getType());
  if (!(out.isF16() || out.isBF16() || out.isF32()))
    return "the output must be f16, bf16 or f32";
  return "";
}

/// sinter.attention as an NPU kernel (FlashAttention on the cube and the
/// vector unit). A core takes (batch, head, query block) items in turn;
/// per item Q [BQ, D] stays in L0A, and per key block (up to the causal
/// limit): S = Q K^T on the cube (K copied transposed into L0B), the
/// fixpipe brings S to the unified buffer, the vector unit scales it,
/// masks the block on the diagonal and runs the online softmax (row max,
/// P = exp(S - m), row sum, the rescale factor), P goes back to L1/L0A as
/// f16 (MTE3, MTE1), P V on the cube, and the vector unit folds it into
/// the f32 output O. At the end O / l is stored. K/V blocks come in
/// through a ring of three in L1, the next block loading while this one
/// computes (one flag event counts the ring's free and full slots).
///
/// The kernel takes Q, K, V and O as 2-d [rows, D] tiles (the leading
/// dimensions flattened, the same bytes).
static LogicalResult convertAttentionFunction(func::FuncOp f, AttentionOp op) {
  if (failed(checkKernelFunction(f, op, op.getInits()[0], "attention",
                                 unsupportedAttention(op))))
    return failure();
  auto qT = cast<RankedTensorType>(op.getQuery().getType());
  auto kT = cast<RankedTensorType>(op.getKey().getType());
  int64_t H = qT.getDimSize(1), SQ = qT.getDimSize(2), D = qT.getDimSize(3),
          HKV = kT.getDimSize(1), SK = kT.getDimSize(2);
  // A decode (one query per head) takes the G query heads that share a
  // KV head as the rows of one item (padded to the cube's 16).
  bool decode = SQ == 1;
  int64_t G = H / HKV;
  int64_t BQ = decode ? 16 : blockSize(SQ), BK = blockSize(SK);
  // A sliding window is causal with a lower bound: query p sees keys
  // (p - window, p].
  bool causal = op.getMask() != MaskKind::none;
  std::optional<int64_t> window;
  if (op.getMask() == MaskKind::sliding_window)
    window = op.getWindowAttr().getInt();
  int64_t offset = op.getQueryOffset();
  float scale = op.getScale() ? op.getScale()->convertToFloat()
                              : float(1.0 / std::sqrt(double(D)));
  std::optional<float> softcap;
  if (op.getSoftcap())
    softcap = op.getSoftcap()->convertToFloat();
  Type elem = qT.getElementType();
  auto outT = cast<RankedTensorType>(f.getResultTypes()[0]);

  auto flat = [](RankedTensorType t) {
    return MemRefType::get(
        {t.getNumElements() / t.getShape().back(), t.getShape().back()},
        t.getElementType());
  };
  SmallVector<Type> params;
  for (BlockArgument arg : f.getArguments())
    params.push_back(flat(cast<RankedTensorType>(arg.getType())));
  params.push_back(flat(outT));
  OpBuilder ob(f);
  auto kernel = func::FuncOp::create(ob, f.getLoc(), f.getName(),
                                     ob.getFunctionType(params, {}));
  Block *entry = kernel.addEntryBlock();
  ob.setInsertionPointToStart(entry);
  Location loc = f.getLoc();
  KernelBuilder kb = KernelBuilder::plain(ob, loc);
  auto argOf = [&](Value v) { return kernelArgument(entry, v); };
  Value Q = argOf(op.getQuery()), K = argOf(op.getKey()),
        V = argOf(op.getValue()), O = entry->getArgument(f.getNumArguments());
  Type f32 = ob.getF32Type();
  using S = MemorySpace;
  Value qL1 = kb.alloc(S::l1, BQ, D, elem), qL0 = kb.alloc(S::l0a, BQ, D, elem);
  // Decode: Q's G rows are staged in UB, then padded into L1.
  Value qUB = decode ? kb.alloc(S::ub, BQ, D, elem) : Value();
  // The K/V ring: slot j % 3 holds key block j (block j + 1 loads while
  // j computes and j - 1's V is still to be read).
  constexpr int64_t kSlots = 3;
  Value kRing = kb.alloc(S::l1, kSlots * BK, D, elem),
        vRing = kb.alloc(S::l1, kSlots * BK, D, elem);
  Value kL0 = kb.alloc(S::l0b, D, BK, elem),
        vL0 = kb.alloc(S::l0b, BK, D, elem);
  // P of block j in L1 slot j % 2 (block j + 1's P arrives before j's is
  // read).
  Value pRing = kb.alloc(S::l1, 2 * BQ, BK, elem),
        pL0 = kb.alloc(S::l0a, BQ, BK, elem);
  Value sL0 = kb.alloc(S::l0c, BQ, BK, f32),
        pvL0 = kb.alloc(S::l0c, BQ, D, f32);
  Value sUB = kb.alloc(S::ub, BQ, BK, f32), pUB = kb.alloc(S::ub, BQ, BK, elem);
  Value pvUB = kb.alloc(S::ub, BQ, D, f32), oUB = kb.alloc(S::ub, BQ, D, f32);
  // The stored output: O itself (f32), or O converted into P's tile when
  // they have one shape and type (the unified buffer is full at D = 128),
  // or into its own (event 1 then, 0 when it is P's).
  bool outInP = !outT.getElementType().isF32() && D == BK &&
                outT.getElementType() == elem;
  Value outUB = outT.getElementType().isF32() ? oUB
                : outInP                      ? pUB
                         : kb.alloc(S::ub, BQ, D, outT.getElementType());
  int outEvent = outInP ? 0 : 1;
  Value m = kb.alloc(S::ub, BQ, 1, f32), l = kb.alloc(S::ub, BQ, 1, f32),
        rowStat = kb.alloc(S::ub, BQ, 1, f32),
        alphaRing = kb.alloc(S::ub, 2 * BQ, 1, f32);
  using P = Pipe;
  // Events: 0 Q, 1 the K/V ring, 2 the ring drained by the last item
  // (MTE1 <-> MTE2: an item starts at slot 0); 0 Q, 1 K, 2 P and V
  // (M <-> MTE1); 0 S, 1 P V (FIX <-> M, V <-> FIX); 0 P, 1 the output
  // (V <-> MTE3); 0 P (MTE3 <-> MTE1). Every buffer starts free (the ring
  // with two free slots).
  auto frees = [&](bool set) {
    auto flag = [&](P from, P to, int e) {
      set ? kb.set(from, to, e) : kb.wait(from, to, e);
    };
    flag(P::mte1, P::mte2, 0);
    for (int64_t i = 0; i < kSlots; ++i)
      flag(P::mte1, P::mte2, 1);
    flag(P::mte1, P::mte2, 2);
    for (int e : {0, 1, 2})
      flag(P::m, P::mte1, e);
    for (int e : {0, 1})
      flag(P::fix, P::m, e), flag(P::v, P::fix, e), flag(P::mte3, P::v, e);
    flag(P::mte1, P::mte3, 0);
    flag(P::mte1, P::mte3, 0);
  };
  frees(true);
  auto vscalar = [&](BinaryKind k, Value in, Value out, float s) {
    VScalarOp::create(ob, loc, BinaryKindAttr::get(ob.getContext(), k), in, out,
                      ob.getF32FloatAttr(s));
  };
  auto vbinary = [&](BinaryKind k, Value lhs, Value rhs, Value out) {
    VBinaryOp::create(ob, loc, k, lhs, rhs, out);
  };
  auto copy = [&](Value in, Value out) {
    vscalar(BinaryKind::add, in, out, 0);
  };

  int64_t qBlocks = decode ? 1 : llvm::divideCeil(SQ, BQ),
          items = qT.getDimSize(0) * (decode ? HKV : H) * qBlocks;
  int64_t kBlocks = llvm::divideCeil(SK, BK);
  // A ragged end: the last blocks are padded (zero rows in), the padded
  // keys masked and the padded query rows cropped on the way out.
  bool raggedK = SK % BK;
  auto itemLoop = scf::ForOp::create(
      ob, loc, CoreIdOp::create(ob, loc, ob.getIndexType()), kb.idx(items),
      NumCoresOp::create(ob, loc, ob.getIndexType()));
  {
    OpBuilder::InsertionGuard g(ob);
    ob.setInsertionPointToStart(itemLoop.getBody());
    // Item w: head (b, h) = w % (B H), query block from the last (the
    // longest under a causal mask) to the first, so the cores' shares
    // balance.
    Value w = itemLoop.getInductionVar();
    int64_t heads = qT.getDimSize(0) * (decode ? HKV : H);
    Value bh = arith::RemUIOp::create(ob, loc, w, kb.idx(heads));
    Value qb = kb.sub(kb.idx(qBlocks - 1),
                      arith::DivUIOp::create(ob, loc, w, kb.idx(heads)));
    Value bi, hk, qRow, q0 = kb.mul(qb, kb.idx(BQ));
    if (decode) {
      // Item (b, kv head): query heads hk G .. hk G + G - 1, one row each.
      bi = arith::DivUIOp::create(ob, loc, bh, kb.idx(HKV));
      hk = arith::RemUIOp::create(ob, loc, bh, kb.idx(HKV));
      qRow = kb.mul(bh, kb.idx(G));
    } else {
      bi = arith::DivUIOp::create(ob, loc, bh, kb.idx(H));
      Value hi = arith::RemUIOp::create(ob, loc, bh, kb.idx(H));
      hk = arith::DivUIOp::create(ob, loc, hi, kb.idx(G));
      qRow = kb.add(kb.mul(bh, kb.idx(SQ)), q0);
    }
    // The rows of this item's K/V head in the flat tiles.
    Value kvRow = kb.mul(kb.add(kb.mul(bi, kb.idx(HKV)), hk), kb.idx(SK));
    // Q into L0A.
    kb.wait(P::mte1, P::mte2, 0);
    if (decode) {
      // MTE2 stages the G rows in UB (rows past G keep whatever they held:
      // their scores stay in their own rows and are never stored), MTE3
      // moves the padded tile into L1.
      kb.dma(kb.slice(Q, qRow, kb.idx(0), G, D),
             kb.slice(qUB, kb.idx(0), kb.idx(0), G, D));
      kb.handoff(P::mte2, P::mte3, 0);
      kb.dma(qUB, qL1, Layout::nd, Layout::nz);
      kb.handoff(P::mte3, P::mte1, 1);
    } else {
      kb.dma(kb.slice(Q, qRow, kb.idx(0), kb.extent(q0, SQ, BQ),
                      ob.getIndexAttr(D)),
             qL1, Layout::nd, Layout::nz);
      kb.handoff(P::mte2, P::mte1, 0);
    }
    kb.wait(P::m, P::mte1, 0);
    kb.dma(qL1, qL0, Layout::nz, Layout::nz);
    kb.set(P::mte1, P::mte2, 0);
    kb.handoff(P::mte1, P::m, 0);
    // Key blocks [0, numK); causal: block jd = (q0 + offset) / BK is on
    // the diagonal (masked), the ones before it are fully visible and the
    // ones after it hidden.
    Value numK = kb.idx(kBlocks), jd = numK;
    if (causal) {
      jd = arith::DivUIOp::create(ob, loc, kb.add(q0, kb.idx(offset)),
                                  kb.idx(BK));
      numK = arith::MinUIOp::create(ob, loc, kb.add(jd, kb.idx(1)), numK);
    }
    auto ringSlot = [&](Value ring, Value j) {
      return kb.ringSlot(ring, j, kSlots, BK, D);
    };
    auto load = [&](Value j) {
      Value j0 = kb.mul(j, kb.idx(BK)), k0 = kb.add(kvRow, j0);
      OpFoldResult keys = kb.extent(j0, SK, BK), d = ob.getIndexAttr(D);
      kb.wait(P::mte1, P::mte2, 1);
      kb.dma(kb.slice(K, k0, kb.idx(0), keys, d), ringSlot(kRing, j),
             Layout::nd, Layout::nz);
      kb.dma(kb.slice(V, k0, kb.idx(0), keys, d), ringSlot(vRing, j),
             Layout::nd, Layout::nz);
      kb.set(P::mte2, P::mte1, 1);
    };
    // `body(j)` for j in [lo, hi).
    auto forRange = [&](Value lo, Value hi,
                        llvm::function_ref<void(Value)> body) {
      auto loop = scf::ForOp::create(ob, loc, lo, hi, kb.idx(1));
      OpBuilder::InsertionGuard g2(ob);
      ob.setInsertionPointToStart(loop.getBody());
      body(loop.getInductionVar());
    };
    // The statistics start empty: m = -inf, l = 0, O = 0 (the first
    // block's rescale factor exp(-inf) is 0).
    VFillOp::create(ob, loc, m, ob.getF32FloatAttr(-INFINITY));
    VFillOp::create(ob, loc, l, ob.getF32FloatAttr(0));
    // An f32 output is stored from O itself: the last item's store must
    // be done before O is reset.
    if (outUB == oUB)
      kb.wait(P::mte3, P::v, outEvent);
    VFillOp::create(ob, loc, oUB, ob.getF32FloatAttr(0));
    // The rescale factor of block j lives in slot j % 2 until P V of j is
    // folded in (block j + 1's softmax runs in between).
    auto pSlot = [&](Value j) { return kb.ringSlot(pRing, j, 2, BQ, BK); };
    auto alphaOf = [&](Value j) { return kb.ringSlot(alphaRing, j, 2, BQ, 1); };
    // lhs x rhs on the cube into L0C tile `acc`, then through the fixpipe
    // into UB tile `ub` for the vector unit: L0C and UB are handed over
    // with flag `event`, the L0 operands freed for MTE1 with `operands`.
    auto cubeToVector = [&](Value lhs, Value rhs, Value acc, Value ub,
                            int event, int operands) {
      kb.wait(P::fix, P::m, event);
      MmadOp::create(ob, loc, lhs, rhs, acc, false);
      kb.set(P::m, P::mte1, operands);
      kb.handoff(P::m, P::fix, event);
      kb.wait(P::v, P::fix, event);
      kb.dma(acc, ub, Layout::nz, Layout::nd);
      kb.set(P::fix, P::m, event);
      kb.handoff(P::fix, P::v, event);
    };
    // Block j's scores and softmax: S = Q K^T on the cube, the online
    // softmax on V, P into L1. `masked` applies the causal mask.
    auto scores = [&](Value j, bool masked) {
      // The next block loads while this one computes.
      forRange(kb.add(j, kb.idx(1)),
               arith::MinUIOp::create(ob, loc, kb.add(j, kb.idx(2)), numK),
               load);
      kb.wait(P::mte2, P::mte1, 1);
      kb.wait(P::m, P::mte1, 1);
      DmaOp::create(ob, loc, ringSlot(kRing, j), kL0, Layout::nz, Layout::nz,
                    /*transpose=*/true);
      kb.handoff(P::mte1, P::m, 1);
      cubeToVector(qL0, kL0, sL0, sUB, 0, 1);
      vscalar(BinaryKind::mul, sUB, sUB, scale);
      if (softcap) {
        // cap * tanh(x / cap), before the mask.
        vscalar(BinaryKind::div, sUB, sUB, *softcap);
        VUnaryOp::create(ob, loc, UnaryKind::tanh, sUB, sUB);
        vscalar(BinaryKind::mul, sUB, sUB, *softcap);
      }
      // The causal diagonal and the padded keys past a ragged end (the
      // diagonal BK masks nothing: c < BK <= r + BK).
      if (masked || raggedK)
        VMaskOp::create(
            ob, loc, sUB,
            masked ? kb.sub(kb.add(q0, kb.idx(offset)), kb.mul(j, kb.idx(BK)))
                   : kb.idx(BK),
            masked && window ? ob.getI64IntegerAttr(*window) : IntegerAttr(),
            raggedK ? kb.sub(kb.idx(SK), kb.mul(j, kb.idx(BK))) : Value());
      // m' = max(m, rowmax), alpha = exp(m - m'), P = exp(S - m'),
      // l = l alpha + rowsum(P).
      Value alpha = alphaOf(j);
      VReduceOp::create(ob, loc, ReduceKind::max, sUB, rowStat);
      vbinary(BinaryKind::max, m, rowStat, rowStat);
      // A window can hide a whole row of a block: m' stays finite, so
      // exp(m - m') and exp(S - m') are 0 there rather than NaN.
      if (window)
        vscalar(BinaryKind::max, rowStat, rowStat, -1e30f);
      vbinary(BinaryKind::sub, m, rowStat, alpha);
      VUnaryOp::create(ob, loc, UnaryKind::exp, alpha, alpha);
      copy(rowStat, m);
      vbinary(BinaryKind::sub, sUB, m, sUB);
      VUnaryOp::create(ob, loc, UnaryKind::exp, sUB, sUB);
      VReduceOp::create(ob, loc, ReduceKind::sum, sUB, rowStat);
      vbinary(BinaryKind::mul, l, alpha, l);
      vbinary(BinaryKind::add, l, rowStat, l);
      kb.wait(P::mte3, P::v, 0);
      VCastOp::create(ob, loc, sUB, pUB);
      kb.set(P::v, P::mte3, 0);
      kb.set(P::v, P::fix, 0);
      kb.wait(P::v, P::mte3, 0);
      kb.wait(P::mte1, P::mte3, 0);
      kb.dma(pUB, pSlot(j), Layout::nd, Layout::nz);
      kb.set(P::mte3, P::v, 0);
      kb.set(P::mte3, P::mte1, 0);
    };
    // Block j's P V on the cube, folded into O on V: O = O alpha + P V.
    auto accumulate = [&](Value j) {
      kb.wait(P::mte3, P::mte1, 0);
      kb.wait(P::m, P::mte1, 2);
      kb.dma(pSlot(j), pL0, Layout::nz, Layout::nz);
      kb.dma(ringSlot(vRing, j), vL0, Layout::nz, Layout::nz);
      kb.set(P::mte1, P::mte3, 0);
      kb.set(P::mte1, P::mte2, 1);
      kb.handoff(P::mte1, P::m, 2);
      cubeToVector(pL0, vL0, pvL0, pvUB, 1, 2);
      vbinary(BinaryKind::mul, oUB, alphaOf(j), oUB);
      vbinary(BinaryKind::add, oUB, pvUB, oUB);
      kb.set(P::v, P::fix, 1);
    };
    // Software-pipelined by one block: every pipe's program runs block
    // j's scores before block j - 1's P V, so the cube computes S of j
    // while the vector unit still works on the softmax of j - 1.
    kb.wait(P::mte1, P::mte2, 2);
    if (window) {
      // Blocks [jLo, jd]: from the one holding the first row's first key
      // (max(0, q0 + offset + 1 - window)), every one masked.
      Value first =
          kb.sub(arith::MaxUIOp::create(ob, loc, kb.add(q0, kb.idx(offset + 1)),
                                        kb.idx(*window)),
                 kb.idx(*window));
      Value jLo = arith::DivUIOp::create(ob, loc, first, kb.idx(BK));
      load(jLo);
      scores(jLo, /*masked=*/true);
      forRange(kb.add(jLo, kb.idx(1)), numK, [&](Value j) {
        scores(j, true);
        accumulate(kb.sub(j, kb.idx(1)));
      });
    } else {
      load(kb.idx(0));
      scores(kb.idx(0), /*masked=*/causal);
      // Fully visible blocks, then (causal) the diagonal one unless it was
      // block 0.
      Value fullEnd =
          causal ? arith::MaxUIOp::create(ob, loc, jd, kb.idx(1)).getResult()
                 : numK;
      forRange(kb.idx(1), fullEnd, [&](Value j) {
        scores(j, false);
        accumulate(kb.sub(j, kb.idx(1)));
      });
      if (causal)
        forRange(fullEnd, numK, [&](Value j) {
          scores(j, true);
          accumulate(kb.sub(j, kb.idx(1)));
        });
    }
    accumulate(kb.sub(numK, kb.idx(1)));
    // Q's last use is done: its L0A tile is free; the ring is drained.
    kb.set(P::m, P::mte1, 0);
    kb.set(P::mte1, P::mte2, 2);
    // O / l, stored (a row that saw no key has l = 0 and O = 0).
    if (window)
      vscalar(BinaryKind::max, l, l, 1e-30f);
    vbinary(BinaryKind::div, oUB, l, oUB);
    if (outUB != oUB) {
      kb.wait(P::mte3, P::v, outEvent);
      VCastOp::create(ob, loc, oUB, outUB);
    }
    kb.handoff(P::v, P::mte3, outEvent);
    if (decode)
      kb.dma(kb.slice(outUB, kb.idx(0), kb.idx(0), G, D),
             kb.slice(O, qRow, kb.idx(0), G, D));
    else
      kb.dma(outUB, kb.slice(O, qRow, kb.idx(0), kb.extent(q0, SQ, BQ),
                             ob.getIndexAttr(D)));
    kb.set(P::mte3, P::v, outEvent);
  }
  frees(false);
  func::ReturnOp::create(ob, loc);
  kernel.setVisibility(f.getVisibility());
  f.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// KV-cache ops as DMA programs
//===----------------------------------------------------------------------===//

/// A kernel for the KV-cache function `f` of `op` (all operands function
/// arguments), with each tensor as the 2-d global memref `flatten` gives
/// and the result last; the builder is at the start of its body.
static func::FuncOp
kvKernel(func::FuncOp f, OpBuilder &ob,
         llvm::function_ref<MemRefType(RankedTensorType)> flatten) {
  SmallVector<Type> params;
  for (BlockArgument arg : f.getArguments())
    params.push_back(flatten(cast<RankedTensorType>(arg.getType())));
  params.push_back(flatten(cast<RankedTensorType>(f.getResultTypes()[0])));
  ob.setInsertionPoint(f);
  auto kernel = func::FuncOp::create(ob, f.getLoc(), f.getName(),
                                     ob.getFunctionType(params, {}));
  ob.setInsertionPointToStart(kernel.addEntryBlock());
  return kernel;
}

static std::string unsupportedKV(Operation *op, Value data) {
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return "dynamic shapes are not supported";
  Type e = getElementTypeOrSelf(data.getType());
  if (!(e.isF16() || e.isBF16() || e.isF32() || e.isInteger(8)))
    return "the cache must be f16, bf16, f32 or i8";
  // Slots, block tables and lengths are read by the scalar unit.
  for (Value v : op->getOperands())
    if (Type t = getElementTypeOrSelf(v.getType());
        v != data && t.isIntOrIndex() && !t.isInteger(32) && !t.isInteger(64))
      return "slots, block tables and lengths must be i32 or i64 on the NPU";
  return "";
}

/// `body(u, slot)` for u = lo, lo + step, ... < hi, the slot alternating
/// between 0 and 1 (two UB buffers, one flag event each: a buffer is
/// refilled once its last store is done).
static void forPairs(KernelBuilder &kb, Value lo, Value hi, Value step,
                     llvm::function_ref<void(Value, int)> body) {
  OpBuilder &b = kb.b;
  auto loop = scf::ForOp::create(b, kb.loc, lo, hi, kb.mul(step, kb.idx(2)));
  OpBuilder::InsertionGuard g(b);
  b.setInsertionPointToStart(loop.getBody());
  Value u = loop.getInductionVar();
  body(u, 0);
  Value next = kb.add(u, step);
  auto second = scf::IfOp::create(
      b, kb.loc,
      arith::CmpIOp::create(b, kb.loc, arith::CmpIPredicate::ult, next, hi),
      /*withElseRegion=*/false);
  b.setInsertionPointToStart(second.thenBlock());
  body(next, 1);
}

/// The columns of a row chunk: rows x cols tiles of `bytes` per element in
/// two UB buffers take at most a quarter of the unified buffer.
static int64_t chunkColumns(func::FuncOp f, int64_t rows, int64_t cols,
                            int64_t bytes) {
  int64_t cap = lookupTarget(f).getLevel("ub").getCapacity();
  int64_t c = cap / 8 / (rows * bytes);
  return std::min(cols, std::max<int64_t>(16, c - c % 16));
}

/// One row block through the unified buffer: src (global, possibly
/// smaller at an edge: padded) into `ubTile`, then to dst (global,
/// cropped), on MTE2 and MTE3 with slot event `e`.
static void throughUB(KernelBuilder &kb, Value src, Value ubTile, Value dst,
                      int e) {
  using P = Pipe;
  kb.wait(P::mte3, P::mte2, e);
  kb.dma(src, ubTile);
  kb.handoff(P::mte2, P::mte3, e);
  kb.dma(ubTile, dst);
  kb.set(P::mte3, P::mte2, e);
}

/// sinter.kv.append as a DMA program: cores own the cache's blocks
/// round-robin (block % cores). A core copies its blocks of the cache into
/// the result (skipped when they are one buffer, the update in place),
/// then reads every token's slot on the scalar unit and writes the tokens
/// that land in its blocks, in token order (MTE3 keeps program order, so
/// the later of two tokens for one slot wins). Rows pass through two UB
/// buffers, MTE2 reading one while MTE3 stores the other.
static LogicalResult convertKVAppendFunction(func::FuncOp f, KVAppendOp op) {
  if (failed(checkKernelFunction(f, op, op.getCache(), "kv.append",
                                 unsupportedKV(op, op.getCache()))))
    return failure();
  auto uT = cast<RankedTensorType>(op.getUpdate().getType());
  auto cT = cast<RankedTensorType>(op.getCache().getType());
  int64_t T = uT.getDimSize(0), HD = uT.getDimSize(1) * uT.getDimSize(2);
  int64_t NB = cT.getDimSize(0), BS = cT.getDimSize(1);
  Type elem = uT.getElementType();
  OpBuilder ob(f);
  // [T, H, D] and [NB, BS, H, D] as rows of H D; the slots as one row.
  func::FuncOp kernel = kvKernel(f, ob, [&](RankedTensorType t) {
    if (t.getRank() == 1)
      return MemRefType::get({1, t.getDimSize(0)}, t.getElementType());
    return MemRefType::get({t.getNumElements() / HD, HD}, t.getElementType());
  });
  Block *entry = &kernel.getBody().front();
  Location loc = f.getLoc();
  KernelBuilder kb = KernelBuilder::plain(ob, loc);
  auto argOf = [&](Value v) { return kernelArgument(entry, v); };
  Value update = argOf(op.getUpdate()), slots = argOf(op.getSlots()),
        cache = argOf(op.getCache()),
        out = entry->getArgument(f.getNumArguments());
  int64_t esize = llvm::divideCeil(elem.getIntOrFloatBitWidth(), 8);
  int64_t cw = chunkColumns(f, BS, HD, esize),
          chunks = llvm::divideCeil(HD, cw);
  Value blockUB[2], rowUB[2];
  for (int i = 0; i < 2; ++i) {
    blockUB[i] = kb.alloc(MemorySpace::ub, BS, cw, elem);
    rowUB[i] = kb.alloc(MemorySpace::ub, 1, cw, elem);
  }
  using P = Pipe;
  kb.set(P::mte3, P::mte2, 0);
  kb.set(P::mte3, P::mte2, 1);
  Value core = CoreIdOp::create(ob, loc, ob.getIndexType());
  Value cores = NumCoresOp::create(ob, loc, ob.getIndexType());
  // The cache's contents carry over: this core's blocks, chunk by chunk.
  Value same = SameBufferOp::create(ob, loc, ob.getI1Type(), cache, out);
  auto copy = scf::IfOp::create(ob, loc, same, /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard g(ob);
    ob.setInsertionPointToStart(copy.elseBlock());
    forPairs(kb, core, kb.idx(NB), cores, [&](Value blk, int e) {
      Value r0 = kb.mul(blk, kb.idx(BS));
      for (int64_t ch = 0; ch < chunks; ++ch) {
        Value c0 = kb.idx(ch * cw);
        OpFoldResult cols = kb.extent(c0, HD, cw);
        throughUB(kb, kb.slice(cache, r0, c0, ob.getIndexAttr(BS), cols),
                  blockUB[e], kb.slice(out, r0, c0, ob.getIndexAttr(BS), cols),
                  e);
      }
    });
  }
  // The tokens, in order: slot s is this core's when s is in the cache and
  // (s / BS) % cores is this core (negative slots are padding).
  forPairs(kb, kb.idx(0), kb.idx(T), kb.idx(1), [&](Value t, int e) {
    Value s =
        ReadIndexOp::create(ob, loc, ob.getIndexType(), slots, kb.idx(0), t);
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
      return arith::CmpIOp::create(ob, loc, p, x, y).getResult();
    };
    Value inCache = arith::AndIOp::create(
        ob, loc, cmp(arith::CmpIPredicate::sge, s, kb.idx(0)),
        cmp(arith::CmpIPredicate::slt, s, kb.idx(NB * BS)));
    Value owner = arith::RemUIOp::create(
        ob, loc, arith::DivUIOp::create(ob, loc, s, kb.idx(BS)), cores);
    Value mine = arith::AndIOp::create(
        ob, loc, inCache, cmp(arith::CmpIPredicate::eq, owner, core));
    auto write = scf::IfOp::create(ob, loc, mine, /*withElseRegion=*/false);
    OpBuilder::InsertionGuard g(ob);
    ob.setInsertionPointToStart(write.thenBlock());
    for (int64_t ch = 0; ch < chunks; ++ch) {
      Value c0 = kb.idx(ch * cw);
      OpFoldResult cols = kb.extent(c0, HD, cw);
      throughUB(kb, kb.slice(update, t, c0, ob.getIndexAttr(1), cols), rowUB[e],
                kb.slice(out, s, c0, ob.getIndexAttr(1), cols), e);
    }
  });
  kb.wait(P::mte3, P::mte2, 0);
  kb.wait(P::mte3, P::mte2, 1);
  func::ReturnOp::create(ob, loc);
  kernel.setVisibility(f.getVisibility());
  f.erase();
  return success();
}

/// sinter.kv.gather as a DMA program: a core takes (sequence, head, block)
/// items in turn; the scalar unit reads the sequence's length and the
/// block's entry in the block table, MTE2 reads the block's valid rows of
/// that head (a strided [rows, D] tile of the cache) into a UB buffer
/// padded with zeros (rows past the sequence's end), and MTE3 stores it
/// into the result. Two buffers alternate.
static LogicalResult convertKVGatherFunction(func::FuncOp f, KVGatherOp op) {
  if (failed(checkKernelFunction(f, op, op.getInit(), "kv.gather",
                                 unsupportedKV(op, op.getCache()))))
    return failure();
  auto cT = cast<RankedTensorType>(op.getCache().getType());
  auto rT = cast<RankedTensorType>(op.getInit().getType());
  int64_t NB = cT.getDimSize(0), BS = cT.getDimSize(1), H = cT.getDimSize(2),
          D = cT.getDimSize(3);
  int64_t B = rT.getDimSize(0), S = rT.getDimSize(2);
  Type elem = cT.getElementType();
  int64_t esize = llvm::divideCeil(elem.getIntOrFloatBitWidth(), 8);
  if (chunkColumns(f, BS, D, esize) < D)
    return op.emitError() << "NPU target: cannot compile the kv.gather in @"
                          << f.getName() << ": two " << BS << " x " << D
                          << " blocks of the cache do not fit a quarter of "
                             "the unified buffer";
  OpBuilder ob(f);
  // The cache as [NB BS, H D] (a head's rows are strided), the result as
  // [B H S, D], the lengths as one row, the block table as it is.
  Value cacheArg = op.getCache();
  func::FuncOp kernel = kvKernel(f, ob, [&](RankedTensorType t) {
    if (t.getRank() == 1)
      return MemRefType::get({1, t.getDimSize(0)}, t.getElementType());
    if (t.getRank() == 2)
      return MemRefType::get(t.getShape(), t.getElementType());
    if (t == cacheArg.getType())
      return MemRefType::get({NB * BS, H * D}, t.getElementType());
    return MemRefType::get({t.getNumElements() / D, D}, t.getElementType());
  });
  Block *entry = &kernel.getBody().front();
  Location loc = f.getLoc();
  KernelBuilder kb = KernelBuilder::plain(ob, loc);
  auto argOf = [&](Value v) { return kernelArgument(entry, v); };
  Value cache = argOf(op.getCache()), table = argOf(op.getBlockTable()),
        seqLens = argOf(op.getSeqLens()),
        out = entry->getArgument(f.getNumArguments());
  Value ubs[2] = {kb.alloc(MemorySpace::ub, BS, D, elem),
                  kb.alloc(MemorySpace::ub, BS, D, elem)};
  using P = Pipe;
  kb.set(P::mte3, P::mte2, 0);
  kb.set(P::mte3, P::mte2, 1);
  int64_t SB = llvm::divideCeil(S, BS);
  Value core = CoreIdOp::create(ob, loc, ob.getIndexType());
  Value cores = NumCoresOp::create(ob, loc, ob.getIndexType());
  forPairs(kb, core, kb.idx(B * H * SB), cores, [&](Value u, int e) {
    Value j = arith::RemUIOp::create(ob, loc, u, kb.idx(SB));
    Value bh = arith::DivUIOp::create(ob, loc, u, kb.idx(SB));
    Value b = arith::DivUIOp::create(ob, loc, bh, kb.idx(H));
    Value h = arith::RemUIOp::create(ob, loc, bh, kb.idx(H));
    Value j0 = kb.mul(j, kb.idx(BS));
    // Valid rows: clamp(len - j0, 0, rows of the block in the result); a
    // block with none (or a table entry outside the cache) reads nothing.
    Value len =
        ReadIndexOp::create(ob, loc, ob.getIndexType(), seqLens, kb.idx(0), b);
    Value entryBlock =
        ReadIndexOp::create(ob, loc, ob.getIndexType(), table, b, j);
    auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
      return arith::CmpIOp::create(ob, loc, p, x, y).getResult();
    };
    Value inCache = arith::AndIOp::create(
        ob, loc, cmp(arith::CmpIPredicate::sge, entryBlock, kb.idx(0)),
        cmp(arith::CmpIPredicate::slt, entryBlock, kb.idx(NB)));
    Value rows =
        arith::MaxSIOp::create(ob, loc,
                               arith::MinSIOp::create(ob, loc, kb.sub(len, j0),
                                                      kb.idx(std::min(BS, S))),
                               kb.idx(0));
    rows = arith::MinSIOp::create(ob, loc, rows, kb.sub(kb.idx(S), j0));
    rows = arith::SelectOp::create(ob, loc, inCache, rows, kb.idx(0));
    Value blk =
        arith::SelectOp::create(ob, loc, inCache, entryBlock, kb.idx(0));
    Value src = kb.slice(cache, kb.mul(blk, kb.idx(BS)), kb.mul(h, kb.idx(D)),
                         OpFoldResult(rows), ob.getIndexAttr(D));
    Value dst = kb.slice(out, kb.add(kb.mul(bh, kb.idx(S)), j0), kb.idx(0),
                         kb.extent(j0, S, BS), ob.getIndexAttr(D));
    throughUB(kb, src, ubs[e], dst, e);
  });
  kb.wait(P::mte3, P::mte2, 0);
  kb.wait(P::mte3, P::mte2, 1);
  func::ReturnOp::create(ob, loc);
  kernel.setVisibility(f.getVisibility());
  f.erase();
  return success();
}

/// Converts function `f` of one sinter op (a GEMM with what fused into it,
/// an attention, a KV-cache op) into its NPU kernel, in place.
static LogicalResult convertSingleOpFunction(func::FuncOp f) {
  GemmOp gemm;
  for (Operation &op : f.getBody().front()) {
    if (isa<tensor::EmptyOp, func::ReturnOp>(op))
      continue;
    if (auto g = dyn_cast<GemmOp>(op); g && !gemm) {
      gemm = g;
      continue;
    }
    if (isa<AttentionOp, KVAppendOp, KVGatherOp>(op) && !gemm &&
        &op == &*std::prev(f.getBody().front().end(), 2))
      return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
          .Case([&](AttentionOp a) { return convertAttentionFunction(f, a); })
          .Case([&](KVAppendOp a) { return convertKVAppendFunction(f, a); })
          .Case([&](KVGatherOp g) { return convertKVGatherFunction(f, g); });
    return f.emitError() << "NPU target: function @" << f.getName()
                         << " has '" << op.getName()
                         << "'; only functions that fuse into one "
                            "sinter.gemm, or are one sinter.attention, "
                            "kv.append or kv.gather, compile for the NPU "
                            "as single kernels";
  }
  if (!gemm)
    return f.emitError() << "NPU target: function @" << f.getName()
                         << " has no sinter op";
  return convertFunction(f, gemm);
}

std::string mlir::sinter::npu::unsupportedGemmContraction(Operation *op) {
  auto gemm = dyn_cast<GemmOp>(op);
  return gemm ? unsupported(gemm, /*contraction=*/true) : "not a GEMM";
}

std::string mlir::sinter::npu::unsupportedSinterOp(Operation *op) {
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    std::string why = unsupported(gemm);
    if (!why.empty())
      return why;
    auto aType = cast<RankedTensorType>(gemm.getA().getType());
    int64_t M = aType.getNumElements() / aType.getShape().back();
    int64_t N = cast<RankedTensorType>(gemm.getB().getType())
                    .getDimSize(gemm.getTransposeB() ? 0 : 1);
    for (Value v : gemm.getEpilogueInputs())
      if (!kernelOperand(gemm, v, M, N))
        return "an epilogue operand is read through a map the NPU kernel "
               "does not take";
    if (!gemm.getEpilogue().empty())
      for (Operation &inner : gemm.getEpilogue().front().without_terminator()) {
        if (isa<arith::ConstantOp>(inner))
          continue;
        if (!isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp,
                 arith::MaximumFOp, arith::MinimumFOp, arith::NegFOp,
                 math::ExpOp, math::LogOp, math::TanhOp, math::SqrtOp,
                 math::RsqrtOp, math::AbsFOp, arith::ExtFOp, arith::TruncFOp>(
                inner))
          return "the epilogue's '" + inner.getName().getStringRef().str() +
                 "' has no vector-unit form on the NPU yet";
        // Constants: one operand of a binary op (the vector unit's scalar
        // form), not the dividend.
        bool binary = isa<arith::AddFOp, arith::SubFOp, arith::MulFOp,
                          arith::DivFOp, arith::MaximumFOp, arith::MinimumFOp>(
            inner);
        unsigned constants = 0;
        for (auto [i, o] : llvm::enumerate(inner.getOperands())) {
          bool constant = matchPattern(o, m_Constant());
          constants += constant;
          if (constant && (!binary || (i == 0 && isa<arith::DivFOp>(inner))))
            return "the epilogue's '" + inner.getName().getStringRef().str() +
                   "' has a constant operand with no vector-unit form";
          if (!constant && o.getParentBlock() != &gemm.getEpilogue().front())
            return "the epilogue reads a value from outside it";
        }
        if (constants > 1)
          return "an epilogue op on two constants";
      }
    return "";
  }
  if (auto a = dyn_cast<AttentionOp>(op))
    return unsupportedAttention(a);
  if (auto a = dyn_cast<KVAppendOp>(op))
    return unsupportedKV(op, a.getCache());
  if (auto g = dyn_cast<KVGatherOp>(op))
    return unsupportedKV(op, g.getCache());
  return "the NPU backend has no kernel for '" +
         op->getName().getStringRef().str() + "'";
}

/// A host program's kernel function `f` as an NPU kernel of the same name
/// in `kernels`: a sinter op through its kernel family (on a copy whose
/// destinations are plain empties), any other op through the generic
/// vector programs.
static LogicalResult convertKernelFunction(func::FuncOp f, ModuleOp kernels,
                                           TargetAttr target) {
  Operation *sinterOp = nullptr;
  for (Operation &op : f.getBody().front())
    if (isa<SinterDialect>(op.getDialect()))
      sinterOp = &op;
  if (!sinterOp)
    return npu::convertGenericKernel(f, kernels, target);
  OpBuilder b(f.getContext());
  b.setInsertionPointToEnd(kernels.getBody());
  auto copy = cast<func::FuncOp>(b.clone(*f));
  copy.setPublic();
  // A destination made as a view of an empty is an empty of its own.
  SmallVector<Operation *> views;
  copy.walk([&](Operation *op) {
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op) &&
        op->getOperand(0).getDefiningOp<tensor::EmptyOp>())
      views.push_back(op);
  });
  for (Operation *view : views) {
    b.setInsertionPoint(view);
    auto type = cast<RankedTensorType>(view->getResult(0).getType());
    view->getResult(0).replaceAllUsesWith(
        tensor::EmptyOp::create(b, view->getLoc(), type.getShape(),
                                type.getElementType())
            .getResult());
    view->erase();
  }
  return convertSingleOpFunction(copy);
}

namespace {
struct ConvertSinterToNPUPass
    : public sinter::impl::ConvertSinterToNPUBase<ConvertSinterToNPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The kernels are planned for the module's NPU: its scratchpads.
    FailureOr<TargetAttr> target =
        requireTarget(module, "convert-sinter-to-npu");
    if (failed(target))
      return signalPassFailure();
    for (StringRef level : {"l1", "l0a", "l0b", "l0c", "ub"})
      if (!target->getLevel(level)) {
        module.emitError()
            << "convert-sinter-to-npu: target '" << target->getName()
            << "' has no '" << level
            << "' memory level (an NPU describes l1, l0a, l0b, l0c and ub)";
        return signalPassFailure();
      }
    bool failedAny = false;
    // The kernels of host programs (sinter-partition) go into
    // @sinter_npu_kernels; the host programs keep calling their tensor
    // forms.
    SmallVector<func::FuncOp> kernelFuncs, singles;
    for (auto f : module.getOps<func::FuncOp>()) {
      if (f.isExternal())
        continue;
      if (f->hasAttr(kKernelAttrName))
        kernelFuncs.push_back(f);
      else if (f.isPublic() && !f->hasAttr(kHostAttrName))
        singles.push_back(f);
    }
    if (!kernelFuncs.empty()) {
      auto kernels = module.lookupSymbol<ModuleOp>(kNPUKernelModuleName);
      if (!kernels) {
        OpBuilder b(module.getContext());
        b.setInsertionPointToEnd(module.getBody());
        kernels = ModuleOp::create(b, module.getLoc(),
                                   StringRef(kNPUKernelModuleName));
      }
      for (func::FuncOp f : kernelFuncs)
        failedAny |= failed(convertKernelFunction(f, kernels, *target));
    }
    // Public functions of one op, converted in place.
    for (func::FuncOp f : singles)
      failedAny |= failed(convertSingleOpFunction(f));
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
