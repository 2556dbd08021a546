//===- GemmSimt.cpp - GEMMs on the SIMT cores (f32, i8) -------------------===//
//
// The SIMT GEMM kernel (f32, and i8 x i8 with i32 accumulators):
//
//   block (bx, by, bz) computes out[bz][by*64 : +64][bx*64 : +64]
//   for kt in [0, K) step 16:
//     all 256 threads stage A[64 x 16] and B[16 x 64] in shared memory
//     (widened to the accumulator type, zero outside the matrix), barrier
//     thread (r, c) = (tid / 16, tid % 16) accumulates rows r + 16i and
//     columns c + 16j (i, j < 4): 16 FMAs per k from 8 shared loads
//     barrier
//   epilogue(acc, operands at (row, col)) stored where row < M, col < N
//
// Rows and columns are strided by 16 so a warp's stores are contiguous.
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
constexpr int64_t kTileM = 64, kTileN = 64, kTileK = 16;
constexpr int64_t kThreadRows = 16, kThreadCols = 16; // threads per tile side
constexpr int64_t kPerThread = 4; // rows (and columns) per thread

struct SimtGemmKernel : GemmKernel {
  /// The SIMT kernel (f32, and i8 x i8 with i32 accumulators). A pairwise
  /// B's tile holds 32 columns of each half (tile column j is B column
  /// n0 + j % 32 + (j / 32) N); thread columns c and c + 32 then pair up.
  void build(gpu::GPUFuncOp func) {
    int64_t nb = op.getNumBatchDims();
    auto outType = cast<RankedTensorType>(op.getInits()[0].getType());
    int64_t M = outType.getDimSize(nb), N = outType.getDimSize(nb + 1);
    auto aType = cast<RankedTensorType>(op.getA().getType());
    int64_t K = aType.getDimSize(op.getTransposeA() ? nb : nb + 1);
    Value A = args.lookup(op.getA()), B = args.lookup(op.getB());
    bool pairwise = op.getPairwise();
    Type accType = op.getAccType();
    bool isInt = isa<IntegerType>(accType);
    int64_t outTileN = pairwise ? kTileN / 2 : kTileN;

    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value m0 =
        mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y), idx(kTileM));
    Value n0 =
        mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x), idx(outTileN));
    SmallVector<Value> batch = batchIndices(outType);
    Value tRow = arith::DivUIOp::create(b, loc, tid, idx(kThreadCols));
    Value tCol = arith::RemUIOp::create(b, loc, tid, idx(kThreadCols));
    // A is staged k-major ([k][m], one padding column against bank
    // conflicts: the 16 k of a row go to 16 banks), B as it is ([k][n]).
    Value aTile = func.getWorkgroupAttributions()[0];
    Value bTile = func.getWorkgroupAttributions()[1];
    if (op.getARowSumSq()) {
      rowSumSq = func.getWorkgroupAttributions()[2];
      rowSumSqOrigin = m0;
    }
    auto zeroOf = [&](Type t) {
      return arith::ConstantOp::create(b, loc, b.getZeroAttr(t)).getResult();
    };
    // An element of an operand widened to the accumulator type.
    auto widen = [&](Value v) {
      return isInt ? toElement(v, accType) : toF32(v);
    };
    auto loadOrZeroAcc = [&](Value m, Value x, Value y, Value inside) {
      auto ifOp = scf::IfOp::create(b, loc, TypeRange{accType}, inside,
                                    /*withElseRegion=*/true);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(
          b, loc, widen(memref::LoadOp::create(b, loc, m, at(m, batch, x, y))));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, loc, zeroOf(accType));
      return ifOp.getResult(0);
    };

    SmallVector<Value> init(kPerThread * kPerThread, zeroOf(accType));
    // With a_row_sum_sq, thread t < 64 also sums the squares of row t.
    if (rowSumSq)
      init.push_back(zeroOf(b.getF32Type()));
    auto kLoop = scf::ForOp::create(b, loc, idx(0), idx(K), idx(kTileK), init);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value kt = kLoop.getInductionVar();
      // Element (k, j) of an operand's tile goes to tile[k][j]: j is m for
      // A, n for B; `kMajor` says the operand stores it at [k][j]. `shift`
      // moves the element read along j (not its bounds check).
      auto stage = [&](Value m, Value tile, Value k, Value j, Value origin,
                       int64_t extent, bool kMajor, Value shift) {
        Value gk = add(kt, k), gj = add(origin, j);
        Value inside = andi(lt(gk, idx(K)), lt(gj, idx(extent)));
        if (shift)
          gj = add(gj, shift);
        Value v = kMajor ? loadOrZeroAcc(m, gk, gj, inside)
                         : loadOrZeroAcc(m, gj, gk, inside);
        memref::StoreOp::create(b, loc, v, tile, ValueRange{k, j});
      };
      for (int64_t i = 0; i < kTileM * kTileK / kThreads; ++i) {
        Value e = add(tid, idx(i * kThreads));
        // A: element e of the 64 x 16 tile, k fastest; B: of the 16 x 64
        // tile, n fastest.
        stage(A, aTile, arith::RemUIOp::create(b, loc, e, idx(kTileK)),
              arith::DivUIOp::create(b, loc, e, idx(kTileK)), m0, M,
              op.getTransposeA(), Value());
        Value j = arith::RemUIOp::create(b, loc, e, idx(kTileN));
        Value k = arith::DivUIOp::create(b, loc, e, idx(kTileN));
        if (!pairwise) {
          stage(B, bTile, k, j, n0, N, !op.getTransposeB(), Value());
          continue;
        }
        // Tile column j: output column n0 + j % 32, of the half j / 32.
        Value gk = add(kt, k), oc = add(n0, remu(j, kTileN / 2));
        Value inside = andi(lt(gk, idx(K)), lt(oc, idx(N)));
        Value real = add(oc, mul(divu(j, kTileN / 2), idx(N)));
        Value v = op.getTransposeB() ? loadOrZeroAcc(B, real, gk, inside)
                                     : loadOrZeroAcc(B, gk, real, inside);
        memref::StoreOp::create(b, loc, v, bTile, ValueRange{k, j});
      }
      gpu::BarrierOp::create(b, loc);
      SmallVector<Value> acc(kLoop.getRegionIterArgs());
      for (int64_t kk = 0; kk < kTileK; ++kk) {
        SmallVector<Value> av, bv;
        for (int64_t i = 0; i < kPerThread; ++i) {
          av.push_back(memref::LoadOp::create(
              b, loc, aTile,
              ValueRange{idx(kk), add(tRow, idx(i * kThreadRows))}));
          bv.push_back(memref::LoadOp::create(
              b, loc, bTile,
              ValueRange{idx(kk), add(tCol, idx(i * kThreadCols))}));
        }
        for (int64_t i = 0; i < kPerThread; ++i)
          for (int64_t j = 0; j < kPerThread; ++j) {
            Value &a = acc[i * kPerThread + j];
            // An intrinsic, not math.fma: that one becomes a libdevice call.
            a = isInt
                    ? add(a, arith::MulIOp::create(b, loc, av[i], bv[j]))
                    : LLVM::FMAOp::create(b, loc, av[i], bv[j], a).getResult();
          }
        if (rowSumSq) {
          Value x = memref::LoadOp::create(
              b, loc, aTile, ValueRange{idx(kk), remu(tid, kTileM)});
          Value &ss = acc.back();
          ss = LLVM::FMAOp::create(b, loc, x, x, ss);
        }
      }
      gpu::BarrierOp::create(b, loc);
      scf::YieldOp::create(b, loc, acc);
    }
    if (rowSumSq) {
      ifThen(lt(tid, idx(kTileM)), [&] {
        memref::StoreOp::create(b, loc, kLoop.getResults().back(), rowSumSq,
                                ValueRange{tid});
      });
      gpu::BarrierOp::create(b, loc);
    }
    // contrib[r][i * kPerThread + j]: the reduction inputs of element (i, j).
    size_t numRed = op.getReductions().size();
    SmallVector<SmallVector<Value>> contrib(numRed);
    int64_t colsPerThread = pairwise ? kPerThread / 2 : kPerThread;
    auto rowOf = [&](int64_t i) {
      return add(add(m0, tRow), idx(i * kThreadRows));
    };
    auto colOf = [&](int64_t j) {
      return add(add(n0, tCol), idx(j * kThreadCols));
    };
    for (int64_t i = 0; i < kPerThread; ++i)
      for (int64_t j = 0; j < colsPerThread; ++j) {
        SmallVector<Value> accs{kLoop.getResult(i * kPerThread + j)};
        if (pairwise)
          accs.push_back(kLoop.getResult(i * kPerThread + j + colsPerThread));
        SmallVector<Value> c =
            storeOutputs(accs, batch, rowOf(i), colOf(j), M, N);
        for (size_t r = 0; r < numRed; ++r)
          contrib[r].push_back(c[r]);
      }
    // Reductions: a thread's elements of a row (column), then the 16 lanes
    // of a row (the two rows of a warp for a column) by shuffles, then one
    // atomic per row (column) and warp.
    unsigned numPrimary = op.getNumPrimaryResults();
    Value lane = remu(tid, 32);
    for (auto [r, attr] :
         llvm::enumerate(op.getReductions().getAsRange<ReductionAttr>())) {
      Value out = outs[numPrimary + r];
      if (attr.getDim() == GemmDim::n) {
        for (int64_t i = 0; i < kPerThread; ++i) {
          Value v = reductionIdentity(attr);
          for (int64_t j = 0; j < colsPerThread; ++j)
            v = combine(attr, v, contrib[r][i * colsPerThread + j]);
          v = shuffleCombine(attr, v, {1, 2, 4, 8});
          atomicCombine(attr, out, batch, rowOf(i), v,
                        andi(eq(tCol, 0), lt(rowOf(i), idx(M))));
        }
        continue;
      }
      for (int64_t j = 0; j < colsPerThread; ++j) {
        Value v = reductionIdentity(attr);
        for (int64_t i = 0; i < kPerThread; ++i)
          v = combine(attr, v, contrib[r][i * colsPerThread + j]);
        v = shuffleCombine(attr, v, {16});
        atomicCombine(attr, out, batch, colOf(j), v,
                      andi(lt(lane, idx(16)), lt(colOf(j), idx(N))));
      }
    }
    gpu::ReturnOp::create(b, loc);
  }
};
} // namespace

KernelPlan gpu_kernels::createSimtGemmKernels(OpBuilder &b, GemmOp gemm,
                                              func::FuncOp f,
                                              ArrayRef<Type> params,
                                              const GPUResources &gpu) {
  // Tiles are staged widened to the accumulator type.
  auto shared =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  Type acc = gemm.getAccType();
  TiledGemmFamily family{
      kTileM,
      kTileN,
      {MemRefType::get({kTileK, kTileM + 1}, acc, MemRefLayoutAttrInterface{},
                       shared),
       MemRefType::get({kTileK, kTileN}, acc, MemRefLayoutAttrInterface{},
                       shared)},
      [](OpBuilder &b, GemmOp gemm, func::FuncOp f, gpu::GPUFuncOp kernel) {
        SimtGemmKernel k{{{b, gemm.getLoc()}, gemm, {}, {}, {}, {}}};
        k.bind(f, kernel.getBody().front());
        k.build(kernel);
      }};
  return createTiledGemmKernels(b, gemm, f, params, family);
}
