//===- GemmWgmma.cpp - f16/bf16 GEMMs on Hopper's warpgroup MMA -----------===//
#include "GemmKernel.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "sinter/Backend/GPU/Passes.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
/// f16/bf16 GEMMs on Hopper's warpgroup MMA (sm_90a), for A [M, K] and B
/// [N, K] (K-major, the nn.Linear layout) or [K, N] (N-major), no batch
/// dimensions. A persistent, warp-specialized kernel fed by TMA:
///
///   one block per SM (up to the tile count); block b computes the 128 x 256
///   output tiles b, b + grid, ... (tile t in groups of 8 tile rows, column
///   by column within a group, so tiles running together share A rows and
///   B columns in L2)
///   a ring of 4 stages of A[128 x 64] and B[256 x 64] in dynamic shared
///   memory, 128-byte rows with the 128-byte swizzle wgmma reads (an
///   N-major B tile as 4 blocks of 64 columns x 64 k rows); each
///   stage has a `full` mbarrier (TMA bytes landed) and an `empty` one
///   (every consumer warp done reading)
///   warpgroup 0, the producer (40 registers): one thread walks the same
///   tiles and k blocks, waits for a stage to be empty, and loads it with
///   two TMA box copies (zeros past M, N and K), which complete its `full`
///   barrier
///   warpgroups 1 and 2, the consumers (232 registers), 64 rows each: per
///   k block, wait for the stage to be full, 4 wgmma m64n256k16 from shared
///   memory descriptors, commit, wait for the previous group and release
///   its stage (one wgmma group stays in flight); after the tile, the
///   epilogue on the accumulators while the producer already fills the ring
///   with the next tile: a single output with rows of a multiple of 16
///   bytes goes through swizzled staging boxes in shared memory and TMA
///   stores (clipped at M and N, drained during the next mainloop), others
///   are stored from registers inside the bounds (column pairs at once
///   when N is even)
///
/// A pairwise GEMM (SwiGLU/GeGLU: B holds the gate's N columns, then the
/// up projection's) computes 128 output columns per tile: the B tile's two
/// halves are loaded from the gate's columns n0.. and the up projection's
/// N + n0.., so the accumulators of output column c (gate) and of c + 128
/// (up) are the same thread's, 64 registers apart, and the epilogue takes
/// both.
struct WgmmaGemmKernel : GemmKernel {
  static constexpr int64_t kBN = 256, kBK = 64;
  static constexpr int64_t kThreads = 384;
  /// Ring stages.
  static constexpr int64_t kStages = 4;
  static constexpr int64_t kBBytes = kBN * kBK * 2;
  /// Output staging for TMA stores: boxes of 64 rows x 128 bytes, two per
  /// consumer warpgroup (one fills while the other is stored).
  static constexpr int64_t kBoxBytes = 64 * 128;
  /// An N-major B tile: blocks of 64 columns (128 bytes) by kBK k rows.
  static constexpr int64_t kBlockCols = 64, kBlockBytes = kBlockCols * kBK * 2;

  /// The schedule. Cooperative: the two consumer warpgroups share each
  /// 128 x 256 tile (64 rows each) and run its epilogue together, between
  /// two mainloops. Ping-pong: each consumer warpgroup owns whole 64 x 256
  /// tiles (the block's tiles alternate between them), so one warpgroup's
  /// epilogue runs while the other's mainloop keeps the tensor cores busy;
  /// the ring hands the stages over in tile order, which makes the two
  /// alternate; named barriers keep their mainloops in tile order.
  bool pingpong = false;
  /// Rows of a tile.
  static int64_t tileRows(bool pingpong) { return pingpong ? 64 : 128; }
  /// The ring, the staging boxes, 2 mbarriers per stage, and room to align
  /// the ring to 1024 bytes (swizzle atoms).
  static int64_t sharedBytes(bool pingpong) {
    return kStages * stageBytes(pingpong) + 4 * kBoxBytes + 2 * kStages * 8 +
           1024;
  }
  static int64_t stageBytes(bool pingpong) {
    return tileRows(pingpong) * kBK * 2 + kBBytes;
  }
  int64_t bm() const { return tileRows(pingpong); }
  int64_t aBytes() const { return bm() * kBK * 2; }
  int64_t stagingOffset() const { return kStages * stageBytes(pingpong); }
  int64_t barrierOffset() const { return stagingOffset() + 4 * kBoxBytes; }
  /// Arrivals that empty a stage: lane 0 of each warp that reads it.
  int64_t emptyArrivals() const { return pingpong ? 4 : 8; }
  /// Tile rows in a group (for L2 reuse): 1024 rows either way.
  int64_t groupM() const { return pingpong ? 16 : 8; }

  Type elem;
  /// B as [N, K] (K-major) rather than [K, N].
  bool bKMajor = true;
  bool pairwise = false;
  /// Output columns of a tile.
  static int64_t tileCols(bool pairwise) { return pairwise ? kBN / 2 : kBN; }
  int64_t bn() const { return tileCols(pairwise); }
  /// The accumulators of output column group i (8 columns; see
  /// storeTileThroughTMA): register i, and for a pairwise GEMM the up
  /// projection's, kBN / 4 further.
  SmallVector<Value> accsOf(Value acc, int64_t i) {
    SmallVector<Value> accs{LLVM::ExtractValueOp::create(b, loc, acc, i)};
    if (pairwise)
      accs.push_back(LLVM::ExtractValueOp::create(b, loc, acc, i + kBN / 4));
    return accs;
  }

  /// The wgmma descriptor of a tile at `addr` (see swizzledDescriptor): an
  /// N-major B has 8 KiB between its blocks of 64 columns.
  Value descriptor(Value addr, bool nMajor = false) {
    return swizzledDescriptor(addr, nMajor ? kBlockBytes : 16);
  }

  /// Runs the epilogue on the accumulators of output elements (row, col)
  /// and (row, col + 1), col and N even, and stores each output's two
  /// values with one store (aligned to their size: row * N + col is even).
  void storeOutputPair(ValueRange acc0, ValueRange acc1, Value row, Value col,
                       int64_t M, int64_t N) {
    ifThen(andi(lt(row, idx(M)), lt(col, idx(N))), [&] {
      SmallVector<Value> v0 = epilogue(acc0, {}, row, col);
      SmallVector<Value> v1 = epilogue(acc1, {}, row, add(col, idx(1)));
      for (auto [x, y, out] : llvm::zip(v0, v1, outs)) {
        Type t = cast<MemRefType>(out.getType()).getElementType();
        int64_t bytes = t.getIntOrFloatBitWidth() / 8;
        Value pair = vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, t),
            ValueRange{toElement(x, t), toElement(y, t)});
        Value ptr = pointer(address(out),
                            mul(add(mul(row, idx(N)), col), idx(bytes)), 1);
        LLVM::StoreOp::create(b, loc, pair, ptr, 2 * bytes);
      }
    });
  }

  /// Stores consumer warpgroup `cw`'s 64 x 256 part of the output tile at
  /// (m0, n0) through TMA: box by box (64 rows x 128 bytes), the epilogue's
  /// values go to a staging box in the 128-byte swizzle (conflict-free: the
  /// 8 rows a warp writes at once land in 8 different 16-byte chunks), then
  /// one thread stores the box with `mapC` (clipped at M and N) while the
  /// warpgroup fills the other box. The stores drain while the next tile's
  /// mainloop runs.
  void storeTileThroughTMA(Value acc, Value mapC, Value staging, Value wgRow0,
                           Value n0, Value cw, Value tid, int64_t M,
                           int64_t N) {
    Value out = outs[0];
    Type t = cast<MemRefType>(out.getType()).getElementType();
    int64_t bytes = t.getIntOrFloatBitWidth() / 8;
    int64_t boxCols = 128 / bytes;
    Value lane = remu(tid, 32);
    // Accumulator i of a thread: row 16 (warp % 4) + lane / 4 + 8 ((i / 2)
    // % 2) of the warpgroup's 64, column 8 (i / 4) + 2 (lane % 4) + i % 2.
    Value rowInWG = add(mul(remu(divu(tid, 32), 4), idx(16)), divu(lane, 4));
    Value colInGroup = mul(remu(lane, 4), idx(2));
    Value leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                         remu(tid, 128), idx(0));
    // Named barrier 1 + cw: the warpgroup's 128 threads.
    Value barrierId = i32(add(cw, idx(1)));
    auto wgBarrier = [&] { namedBarrier(barrierId, 128); };
    Value wgStaging = offset(staging, mul(cw, idx(2 * kBoxBytes)));
    auto zero = [&] {
      return isa<FloatType>(t)
                 ? arith::ConstantOp::create(b, loc, b.getFloatAttr(t, 0))
                       .getResult()
                 : arith::ConstantIntOp::create(b, loc, t, 0).getResult();
    };
    for (int64_t j = 0; j < bn() / boxCols; ++j) {
      // The box this one reuses (two back) has been read by its store.
      ifThen(leader, [&] {
        NVVM::CpAsyncBulkWaitGroupOp::create(b, loc, 1, b.getUnitAttr());
      });
      wgBarrier();
      Value box = offset(wgStaging, idx((j % 2) * kBoxBytes));
      for (int64_t i = j * boxCols / 2; i < (j + 1) * boxCols / 2; i += 2) {
        Value r = add(rowInWG, idx(8 * ((i / 2) % 2)));
        Value colInBox = add(colInGroup, idx(8 * (i / 4) - j * boxCols));
        Value row = add(wgRow0, r);
        Value col = add(add(n0, idx(j * boxCols)), colInBox);
        // Outside M x N the box holds zeros (the store clips them) and the
        // epilogue's operands are not read.
        auto inside = scf::IfOp::create(b, loc, TypeRange{t, t},
                                        andi(lt(row, idx(M)), lt(col, idx(N))),
                                        /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(&inside.getThenRegion().front());
          Value v0 = epilogue(accsOf(acc, i), {}, row, col)[0];
          Value v1 = epilogue(accsOf(acc, i + 1), {}, row, add(col, idx(1)))[0];
          scf::YieldOp::create(b, loc,
                               ValueRange{toElement(v0, t), toElement(v1, t)});
          b.setInsertionPointToStart(&inside.getElseRegion().front());
          Value z = zero();
          scf::YieldOp::create(b, loc, ValueRange{z, z});
        }
        Value byte = mul(colInBox, idx(bytes));
        Value chunk = arith::XOrIOp::create(b, loc, divu(byte, 16), remu(r, 8));
        Value at =
            add(add(mul(r, idx(128)), mul(chunk, idx(16))), remu(byte, 16));
        Value pair = vector::FromElementsOp::create(
            b, loc, VectorType::get({2}, t), inside.getResults());
        LLVM::StoreOp::create(b, loc, pair, shared(offset(box, at)), 2 * bytes);
      }
      // The box's generic-proxy writes, visible to the TMA store.
      fenceAsyncShared();
      wgBarrier();
      ifThen(leader, [&] {
        NVVM::CpAsyncBulkTensorSharedCTAToGlobalOp::create(
            b, loc, mapC, shared(box),
            ValueRange{i32(add(n0, idx(j * boxCols))), i32(wgRow0)}, Value(),
            NVVM::TMAStoreMode::TILE, Value());
        NVVM::CpAsyncBulkCommitGroupOp::create(b, loc);
      });
    }
  }

  /// The tile rows and columns (m0, n0) of tile `t` in the grouped order.
  std::pair<Value, Value> tileOrigin(Value t, int64_t tilesM, int64_t tilesN) {
    Value group = divu(t, groupM() * tilesN);
    Value firstM = mul(group, idx(groupM()));
    Value groupRows =
        arith::MinSIOp::create(b, loc, sub(idx(tilesM), firstM), idx(groupM()));
    Value inGroup = remu(t, groupM() * tilesN);
    Value m0 =
        mul(add(firstM, arith::RemUIOp::create(b, loc, inGroup, groupRows)),
            idx(bm()));
    Value n0 =
        mul(arith::DivUIOp::create(b, loc, inGroup, groupRows), idx(bn()));
    return {m0, n0};
  }

  /// Builds `body(m0, n0, it)` for this block's tiles; `it` counts
  /// the k blocks of earlier tiles (it selects the ring stage and phase),
  /// and `body` returns its value after the tile.
  void forEachTile(int64_t tilesM, int64_t tilesN,
                   llvm::function_ref<Value(Value, Value, Value)> body) {
    auto loop = scf::ForOp::create(
        b, loc, gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
        idx(tilesM * tilesN), gpu::GridDimOp::create(b, loc, gpu::Dimension::x),
        ValueRange{idx(0)});
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(loop.getBody());
    auto [m0, n0] = tileOrigin(loop.getInductionVar(), tilesM, tilesN);
    scf::YieldOp::create(b, loc, body(m0, n0, loop.getRegionIterArgs()[0]));
  }

  /// `mapC`, when set, is the output's TMA descriptor: the output tile is
  /// stored through shared memory and TMA rather than from registers.
  void build(gpu::GPUFuncOp func, Value mapA, Value mapB, Value mapC) {
    auto outType = cast<RankedTensorType>(op.getInits()[0].getType());
    int64_t M = outType.getDimSize(0), N = outType.getDimSize(1);
    int64_t K = cast<RankedTensorType>(op.getA().getType()).getDimSize(1);
    elem = getElementTypeOrSelf(op.getA().getType());
    bKMajor = op.getTransposeB();
    MLIRContext *ctx = b.getContext();
    int64_t tilesM = llvm::divideCeil(M, bm()),
            tilesN = llvm::divideCeil(N, bn());
    int64_t numK = llvm::divideCeil(K, kBK);

    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value ring = alignedDynamicShared();
    auto stageAddr = [&](Value stage) {
      return offset(ring, mul(stage, idx(stageBytes(pingpong))));
    };
    auto fullBarrier = [&](Value stage) {
      return offset(ring, add(mul(stage, idx(8)), idx(barrierOffset())));
    };
    auto emptyBarrier = [&](Value stage) {
      return offset(
          ring, add(mul(stage, idx(8)), idx(barrierOffset() + 8 * kStages)));
    };
    ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
           [&] {
             for (int64_t s = 0; s < kStages; ++s) {
               mbarrierInit(fullBarrier(idx(s)), 1);
               mbarrierInit(emptyBarrier(idx(s)), emptyArrivals());
             }
             NVVM::FenceMbarrierInitOp::create(b, loc);
           });
    gpu::BarrierOp::create(b, loc);

    Value wg = divu(tid, 128);
    auto isProducer =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, wg, idx(0));
    auto roles = scf::IfOp::create(b, loc, TypeRange{}, isProducer, true);
    // The ring position of k-block counter `it`: its stage and the parity
    // of the stage's use.
    auto position = [&](Value it) {
      return std::make_pair(remu(it, kStages), remu(divu(it, kStages), 2));
    };
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&roles.getThenRegion().front());
      NVVM::SetMaxRegisterOp::create(b, loc, 40,
                                     NVVM::SetMaxRegisterAction::decrease);
      ifThen(
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, idx(0)),
          [&] {
            forEachTile(tilesM, tilesN, [&](Value m0, Value n0, Value it0) {
              auto kLoop = scf::ForOp::create(b, loc, idx(0), idx(numK), idx(1),
                                              ValueRange{it0});
              OpBuilder::InsertionGuard g2(b);
              b.setInsertionPointToStart(kLoop.getBody());
              Value it = kLoop.getRegionIterArgs()[0];
              auto [stage, parity] = position(it);
              // A fresh barrier counts as having completed the phase before
              // its first: the first pass over the ring does not wait.
              mbarrierWait(emptyBarrier(stage),
                           arith::XOrIOp::create(b, loc, parity, idx(1)));
              expectBytes(fullBarrier(stage), stageBytes(pingpong));
              Value k = i32(mul(kLoop.getInductionVar(), idx(kBK)));
              // Boxes as (destination offset, map, innermost coordinate,
              // row coordinate).
              SmallVector<std::tuple<int64_t, Value, Value, Value>> boxes{
                  {0, mapA, k, i32(m0)}};
              // B's columns: n0.. (for a pairwise GEMM the tile's first
              // half; the second from the up projection's, N + n0..).
              auto bCol = [&](int64_t c) {
                if (pairwise && c >= kBN / 2)
                  return i32(add(n0, idx(N + c - kBN / 2)));
                return i32(add(n0, idx(c)));
              };
              if (bKMajor) {
                boxes.push_back({aBytes(), mapB, k, bCol(0)});
                if (pairwise)
                  boxes.push_back(
                      {aBytes() + kBBytes / 2, mapB, k, bCol(kBN / 2)});
              } else {
                for (int64_t j = 0; j < kBN / kBlockCols; ++j)
                  boxes.push_back({aBytes() + j * kBlockBytes, mapB,
                                   bCol(j * kBlockCols), k});
              }
              for (auto [off, map, inner, outer] : boxes) {
                tmaLoad(offset(stageAddr(stage), idx(off)), map,
                        ValueRange{inner, outer}, fullBarrier(stage));
              }
              scf::YieldOp::create(b, loc, add(it, idx(1)));
              return kLoop.getResult(0);
            });
          });
    }
    b.setInsertionPointToStart(&roles.getElseRegion().front());
    NVVM::SetMaxRegisterOp::create(b, loc, 232,
                                   NVVM::SetMaxRegisterAction::increase);
    Value cw = sub(wg, idx(1));
    Value lane = remu(tid, 32);
    Value isLane0 =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane, idx(0));
    auto release = [&](Value it) {
      ifThen(isLane0,
             [&] { mbarrierArrive(emptyBarrier(position(it).first)); });
    };
    auto accType = LLVM::LLVMStructType::getLiteral(
        ctx, SmallVector<Type>(kBN / 2, b.getF32Type()));
    // The warpgroup's rows of a tile start at m0 + wgRows.
    Value wgRows = pingpong ? idx(0) : mul(cw, idx(64));
    // Ping-pong: called after a tile's mainloop (its last full-barrier
    // wait).
    std::function<void()> afterMainloop = [] {};
    auto consume = [&](Value m0, Value n0, Value it0) -> Value {
      Value zeroAcc = LLVM::ZeroOp::create(b, loc, accType);
      auto kLoop = scf::ForOp::create(b, loc, idx(0), idx(numK), idx(1),
                                      ValueRange{zeroAcc, it0});
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(kLoop.getBody());
        Value kb = kLoop.getInductionVar();
        Value acc = kLoop.getRegionIterArgs()[0];
        Value it = kLoop.getRegionIterArgs()[1];
        auto [stage, parity] = position(it);
        mbarrierWait(fullBarrier(stage), parity);
        Value sa = stageAddr(stage);
        Value aDesc = descriptor(offset(sa, mul(wgRows, idx(128))));
        Value bDesc = descriptor(offset(sa, idx(aBytes())), !bKMajor);
        NVVM::WgmmaFenceAlignedOp::create(b, loc);
        for (int64_t k16 = 0; k16 < kBK / 16; ++k16) {
          // 16 elements = 32 bytes further along the rows (2 in units of
          // 16), or for an N-major B 16 rows of 128 bytes further (128).
          Value da = arith::AddIOp::create(b, loc, aDesc, i64(2 * k16));
          Value db = arith::AddIOp::create(b, loc, bDesc,
                                           i64((bKMajor ? 2 : 128) * k16));
          acc = wgmma(acc, da, db, elem, kBN, /*bNMajor=*/!bKMajor);
        }
        NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
        // The previous k block's group is done: its stage can be refilled.
        NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 1);
        ifThen(lt(idx(0), kb), [&] { release(sub(it, idx(1))); });
        scf::YieldOp::create(b, loc, ValueRange{acc, add(it, idx(1))});
      }
      afterMainloop();
      NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
      Value itEnd = kLoop.getResult(1);
      release(sub(itEnd, idx(1)));
      // Accumulator i of a thread: row 16 (warp % 4) + lane / 4 + 8 ((i / 2)
      // % 2) of its warpgroup's 64, column 8 (i / 4) + 2 (lane % 4) + i % 2.
      Value rowBase =
          add(add(m0, wgRows),
              add(mul(remu(divu(tid, 32), 4), idx(16)), divu(lane, 4)));
      Value colBase = add(n0, mul(remu(lane, 4), idx(2)));
      Value result = kLoop.getResult(0);
      if (mapC) {
        storeTileThroughTMA(result, mapC, offset(ring, idx(stagingOffset())),
                            add(m0, wgRows), n0, cw, tid, M, N);
        return itEnd;
      }
      for (int64_t i = 0; i < bn() / 2; i += 2) {
        SmallVector<Value> v0 = accsOf(result, i);
        SmallVector<Value> v1 = accsOf(result, i + 1);
        Value row = add(rowBase, idx(8 * ((i / 2) % 2)));
        Value col = add(colBase, idx(8 * (i / 4)));
        if (N % 2 == 0) {
          storeOutputPair(v0, v1, row, col, M, N);
          continue;
        }
        storeOutputs(v0, {}, row, col, M, N);
        storeOutputs(v1, {}, row, add(col, idx(1)), M, N);
      }
      return itEnd;
    };
    if (!pingpong) {
      forEachTile(tilesM, tilesN, consume);
    } else {
      // Warpgroup cw takes the block's tiles cw, cw + 2, ...; tile i of the
      // block starts at k-block counter i * numK. The mainloops run in
      // tile order: tile i's waits for tile i - 1's to have passed its
      // last stage (named barrier 3 + cw, which the other warpgroup
      // arrives at), so no warpgroup waits on a stage more than one
      // ring pass ahead of its barrier's phase (parities would alias).
      Value bid = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
      Value grid = gpu::GridDimOp::create(b, loc, gpu::Dimension::x);
      Value tiles = idx(tilesM * tilesN);
      auto loop = scf::ForOp::create(b, loc, add(bid, mul(cw, grid)), tiles,
                                     mul(grid, idx(2)));
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      Value t = loop.getInductionVar();
      auto [m0, n0] = tileOrigin(t, tilesM, tilesN);
      Value i = arith::DivUIOp::create(b, loc, sub(t, bid), grid);
      Value mine = i32(add(cw, idx(3)));
      Value theirs = i32(sub(idx(4), cw));
      ifThen(lt(idx(0), i), [&] { namedBarrier(mine, 256); });
      afterMainloop = [&] {
        ifThen(lt(add(t, grid), tiles),
               [&] { namedBarrierArrive(theirs, 256); });
      };
      consume(m0, n0, mul(i, idx(numK)));
    }
    // The last stores have read their boxes before the block exits.
    if (mapC)
      ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   remu(tid, 128), idx(0)),
             [&] { NVVM::CpAsyncBulkWaitGroupOp::create(b, loc, 0, nullptr); });
    b.setInsertionPointAfter(roles);
    gpu::ReturnOp::create(b, loc);
  }
};
} // namespace

bool gpu_kernels::usesWgmma(GemmOp op, const GPUResources &gpu) {
  if (op.getBQuant() || !op.getReductions().empty() || op.getARowSumSq())
    return false;
  Type a = getElementTypeOrSelf(op.getA().getType());
  auto aType = cast<RankedTensorType>(op.getA().getType());
  auto bType = cast<RankedTensorType>(op.getB().getType());
  // TMA boxes need rows of a multiple of 16 bytes.
  return gpu.hopper && (a.isF16() || a.isBF16()) && op.getNumBatchDims() == 0 &&
         !op.getTransposeA() && aType.getDimSize(1) % 8 == 0 &&
         bType.getDimSize(1) % 8 == 0;
}

KernelPlan gpu_kernels::createWgmmaGemmKernels(OpBuilder &b, GemmOp gemm,
                                               func::FuncOp f,
                                               ArrayRef<Type> params,
                                               const GPUResources &gpu) {
  using W = WgmmaGemmKernel;
  // Measured on the H200 (docs/performance-gpu.md): ping-pong ran at
  // 510-546 TFLOP/s against cooperative's 750-820, with or without a GELU
  // epilogue, so auto stays cooperative.
  bool pingpong = gpu.gemmPingpong;
  // A and B are also read through TMA descriptors, passed by value after
  // the memrefs (the launch code encodes them). A single output whose rows
  // are a multiple of 16 bytes is stored through TMA too (a third
  // descriptor).
  auto outType = cast<RankedTensorType>(gemm.getInits()[0].getType());
  int64_t M = outType.getDimSize(0), N = outType.getDimSize(1);
  int64_t outBytes = outType.getElementType().getIntOrFloatBitWidth() / 8;
  bool storeThroughTMA = f.getNumResults() == 1 &&
                         (outBytes == 2 || outBytes == 4) &&
                         (N * outBytes) % 16 == 0;
  int64_t numMaps = storeThroughTMA ? 3 : 2;
  SmallVector<Type> kernelParams(params);
  kernelParams.append(numMaps, LLVM::LLVMPointerType::get(b.getContext()));
  auto kernel = createKernelFunc(b, f.getLoc(), f.getName(), kernelParams,
                                 TypeRange{}, W::kThreads);
  SmallVector<int64_t> mapArgs;
  for (int64_t i = 0; i < numMaps; ++i)
    mapArgs.push_back(params.size() + i);
  kernel->setAttr(kTensorMapArgsAttrName, b.getDenseI64ArrayAttr(mapArgs));
  Block &entry = kernel.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&entry);
  WgmmaGemmKernel k{{{b, gemm.getLoc()}, gemm, {}, {}, {}, {}}, {}};
  k.pingpong = pingpong;
  k.pairwise = gemm.getPairwise();
  k.bind(f, entry);
  k.build(kernel, entry.getArgument(params.size()),
          entry.getArgument(params.size() + 1),
          storeThroughTMA ? entry.getArgument(params.size() + 2) : Value());
  int64_t K = cast<RankedTensorType>(gemm.getA().getType()).getDimSize(1);
  bool pairwise = gemm.getPairwise();
  int64_t tiles = llvm::divideCeil(M, W::tileRows(pingpong)) *
                  llvm::divideCeil(N, W::tileCols(pairwise));
  // B's columns: both halves of a pairwise B (boxes of half a tile).
  int64_t bCols = pairwise ? 2 * N : N;
  KernelPlan plan;
  plan.launches.push_back(
      {f.getName().str(),
       {std::min(tiles, std::max<int64_t>(1, gpu.sms)), 1, 1},
       W::kThreads,
       W::sharedBytes(pingpong)});
  auto argOf = [](Value v) {
    return int64_t(cast<BlockArgument>(v).getArgNumber());
  };
  plan.tensorMaps.push_back(
      {argOf(gemm.getA()), 0, M, K, W::tileRows(pingpong), W::kBK, 2});
  plan.tensorMaps.push_back(
      gemm.getTransposeB()
          ? TensorMap{argOf(gemm.getB()), 0, bCols, K,
                      pairwise ? W::kBN / 2 : W::kBN, W::kBK, 2}
          : TensorMap{argOf(gemm.getB()), 0, K, bCols, W::kBK, W::kBlockCols,
                      2});
  if (storeThroughTMA)
    plan.tensorMaps.push_back(
        {int64_t(f.getNumArguments()), 0, M, N, 64, 128 / outBytes, outBytes});
  return plan;
}
