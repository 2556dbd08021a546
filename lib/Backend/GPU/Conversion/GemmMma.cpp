//===- GemmMma.cpp - f16/bf16 GEMMs on mma.sync (sm_80 and later) ---------===//
#include "GemmKernel.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
/// f16/bf16 GEMMs on the tensor cores (mma.sync m16n8k16, f32 accumulators;
/// sm_80 and later):
///
///   block (bx, by, bz): a 128 x 128 output tile, 8 warps as 2 x 4, each warp
///   64 x 32 = 4 x 4 mma tiles (64 f32 accumulators per thread)
///   for kt in [0, K) step 64:
///     stage A[128 x 64] as [m][k] and B in its own layout ([n][k] or
///     [k][n]) in shared memory (rows padded by 8 elements: the ldmatrix
///     rows of one matrix hit distinct banks), from registers; barrier
///     issue the next block's global loads into registers: 16-byte vector
///     loads where rows are 16-byte aligned, guarded element loads (zero
///     outside the matrix) otherwise
///     four k16 steps: A fragments by ldmatrix.x4, B fragments by
///     ldmatrix.x4 (.trans for [k][n]), 16 mma.sync; barrier
///   epilogue per accumulator element, stored inside the bounds
struct MmaGemmKernel : GemmKernel {
  static constexpr int64_t kBM = 128, kBN = 128, kBK = 64, kPad = 8;
  static constexpr int64_t kWarpM = 64, kWarpN = 32, kWarpsN = 4;
  static constexpr int64_t kMI = kWarpM / 16, kNI = kWarpN / 8;

  Type elem;

  /// Offsets added to the coordinates an element is read from, after its
  /// bounds check (a pairwise B's second half).
  struct Shift {
    Value dx, dy;
    Value x(GemmKernel &k, Value v) const { return dx ? k.add(v, dx) : v; }
    Value y(GemmKernel &k, Value v) const { return dy ? k.add(v, dy) : v; }
  };

  Value zeroVec(int64_t n) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(VectorType::get({n}, elem),
                               b.getZeroAttr(elem)));
  }

  /// Eight consecutive elements (x, y..y+7) of `m` (or, `swap`ped, of its
  /// transpose) with zeros outside; one 16-byte load when `vectorized`
  /// (rows 16-byte aligned, not swapped).
  Value load8(Value m, ArrayRef<Value> batch, Value x, Value y, int64_t rows,
              int64_t cols, bool swap, bool vectorized, Shift shift = {}) {
    auto vt = VectorType::get({8}, elem);
    if (vectorized) {
      Value inside = andi(lt(x, idx(rows)), lt(y, idx(cols)));
      auto ifOp = scf::IfOp::create(b, loc, TypeRange{vt}, inside, true);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(
          b, loc,
          Value(vector::LoadOp::create(
              b, loc, vt, m, at(m, batch, shift.x(*this, x), shift.y(*this, y)),
              /*nontemporal=*/false, llvm::MaybeAlign(16))));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, loc, zeroVec(8));
      return ifOp.getResult(0);
    }
    return guarded8(x, y, rows, cols, [&](Value yj) {
      Value sx = shift.x(*this, x), sy = shift.y(*this, yj);
      return memref::LoadOp::create(
                 b, loc, m, swap ? at(m, batch, sy, sx) : at(m, batch, sx, sy))
          .getResult();
    });
  }

  /// Elements (x, y..y+7) as `element(y + j)` computes them inside rows x
  /// cols, zeros outside, gathered into a vector.
  Value guarded8(Value x, Value y, int64_t rows, int64_t cols,
                 llvm::function_ref<Value(Value)> element) {
    SmallVector<Value> parts;
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
    for (int64_t j = 0; j < 8; ++j) {
      Value yj = add(y, idx(j));
      Value inside = andi(lt(x, idx(rows)), lt(yj, idx(cols)));
      auto ifOp = scf::IfOp::create(b, loc, TypeRange{elem}, inside, true);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      scf::YieldOp::create(b, loc, element(yj));
      b.setInsertionPointToStart(&ifOp.getElseRegion().front());
      scf::YieldOp::create(b, loc, zero);
      parts.push_back(ifOp.getResult(0));
    }
    return vector::FromElementsOp::create(b, loc, VectorType::get({8}, elem),
                                          parts);
  }

  /// Eight consecutive elements (x, y..y+7) of the quantized B as stored
  /// ([k][n], or [n][k] with transpose_b), dequantized in registers by the
  /// reference formula and rounded to the MMA type; zeros outside.
  Value load8Dequantized(Value x0, Value y, int64_t rows, int64_t cols,
                         Shift shift = {}) {
    bool tb = op.getTransposeB();
    WeightQuantAttr quant = *op.getBQuant();
    Value B = args.lookup(op.getB());
    Value scales = args.lookup(op.getBScales());
    Value zps =
        op.getBZeroPoints() ? args.lookup(op.getBZeroPoints()) : Value();
    return guarded8(x0, y, rows, cols, [&](Value y0) {
      Value x = shift.x(*this, x0), yj = shift.y(*this, y0);
      Value k = tb ? yj : x, n = tb ? x : yj;
      SmallVector<Value> at{n};
      if (quant.getScheme() == QuantScheme::grouped)
        at.insert(at.begin(),
                  arith::DivUIOp::create(b, loc, k, idx(quant.getGroupSize())));
      Value q = memref::LoadOp::create(b, loc, B, ValueRange{x, yj});
      Value w = buildDequantizedWeight(
          b, loc, quant, q, memref::LoadOp::create(b, loc, scales, at),
          zps ? Value(memref::LoadOp::create(b, loc, zps, at)) : Value());
      return toElement(w, elem);
    });
  }

  void build(gpu::GPUFuncOp func) {
    int64_t nb = op.getNumBatchDims();
    auto outType = cast<RankedTensorType>(op.getInits()[0].getType());
    int64_t M = outType.getDimSize(nb), N = outType.getDimSize(nb + 1);
    auto aType = cast<RankedTensorType>(op.getA().getType());
    int64_t K = aType.getDimSize(op.getTransposeA() ? nb : nb + 1);
    elem = aType.getElementType();
    Value A = args.lookup(op.getA()), B = args.lookup(op.getB());
    bool ta = op.getTransposeA(), tb = op.getTransposeB();

    Value tid = gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
    Value lane = arith::RemUIOp::create(b, loc, tid, idx(32));
    Value warp = arith::DivUIOp::create(b, loc, tid, idx(32));
    Value wm =
        mul(arith::DivUIOp::create(b, loc, warp, idx(kWarpsN)), idx(kWarpM));
    Value wn =
        mul(arith::RemUIOp::create(b, loc, warp, idx(kWarpsN)), idx(kWarpN));
    Value g = arith::DivUIOp::create(b, loc, lane, idx(4));
    Value t2 = mul(arith::RemUIOp::create(b, loc, lane, idx(4)), idx(2));
    // A pairwise B's tile holds 64 columns of each half, interleaved by
    // 8: tile column c is output column n0 + 8 (c / 16) + c % 8 of half
    // (c / 8) % 2, so a thread's n8 tiles 2i and 2i + 1 pair up.
    bool pairwise = op.getPairwise();
    Value m0 = mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::y), idx(kBM));
    Value n0 = mul(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x),
                   idx(pairwise ? kBN / 2 : kBN));
    SmallVector<Value> batch = batchIndices(outType);
    Value aTile = func.getWorkgroupAttributions()[0];
    Value bTile = func.getWorkgroupAttributions()[1];
    if (op.getARowSumSq()) {
      rowSumSq = func.getWorkgroupAttributions()[2];
      rowSumSqOrigin = m0;
    }
    // The output column and the half of tile column `c` (a multiple of 8).
    auto pairColumn = [&](Value c) {
      return std::make_pair(add(n0, mul(divu(c, 16), idx(8))),
                            mul(remu(divu(c, 8), 2), idx(N)));
    };

    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
    SmallVector<Value> init(kMI * kNI * 4, zero);
    // ldmatrix addressing: lane l gives row l % 8 of matrix q = l / 8.
    Value lrow = arith::RemUIOp::create(b, loc, lane, idx(8));
    Value q = arith::DivUIOp::create(b, loc, lane, idx(8));
    Value qLow = arith::RemUIOp::create(b, loc, q, idx(2));
    Value qHigh = arith::DivUIOp::create(b, loc, q, idx(2));
    Value aRowInTile = add(lrow, mul(qLow, idx(8)));
    Value aColInTile = mul(qHigh, idx(8));
    // B as [n][k]: matrices (n +0, k +0), (n +0, k +8), (n +8, k +0),
    // (n +8, k +8); as [k][n], read transposed: (k +0, n +0), (k +8, n +0),
    // (k +0, n +8), (k +8, n +8). Either way registers 0-1 are one n8 tile
    // and 2-3 the next.
    Value bRowInTile =
        tb ? add(lrow, mul(qHigh, idx(8))) : add(lrow, mul(qLow, idx(8)));
    Value bColInTile = tb ? mul(qLow, idx(8)) : mul(qHigh, idx(8));
    Value aBase = address(aTile), bBase = address(bTile);
    // Each thread copies chunks of 8 elements of both tiles; where a chunk
    // sits depends only on the thread.
    struct Chunk {
      Value row, kc; // A (and [n][k] B): tile row, first k
      Value k, nc;   // [k][n] B: k row, first n
    };
    SmallVector<Chunk> chunks;
    for (int64_t i = 0; i < kBM * kBK / 8 / kThreads; ++i) {
      Value c = add(tid, idx(i * kThreads));
      chunks.push_back(
          {arith::DivUIOp::create(b, loc, c, idx(kBK / 8)),
           mul(arith::RemUIOp::create(b, loc, c, idx(kBK / 8)), idx(8)),
           arith::DivUIOp::create(b, loc, c, idx(kBN / 8)),
           mul(arith::RemUIOp::create(b, loc, c, idx(kBN / 8)), idx(8))});
    }
    // The k block at `kt` from global memory into registers (zeros past K).
    auto loadBlock = [&](Value kt) {
      SmallVector<Value> regs;
      for (const Chunk &ch : chunks) {
        regs.push_back(load8(A, batch, add(m0, ch.row), add(kt, ch.kc), M, K,
                             ta, !ta && K % 8 == 0));
        if (pairwise) {
          // Guarded by the output width, read from the chunk's half.
          Value at = tb ? ch.row : ch.nc;
          auto [col, half] = pairColumn(at);
          if (tb)
            col = add(col, remu(at, 8));
          Shift shift = tb ? Shift{half, Value()} : Shift{Value(), half};
          if (op.getBQuant())
            regs.push_back(
                tb ? load8Dequantized(col, add(kt, ch.kc), N, K, shift)
                   : load8Dequantized(add(kt, ch.k), col, K, N, shift));
          else
            regs.push_back(tb ? load8(B, batch, col, add(kt, ch.kc), N, K,
                                      false, K % 8 == 0, shift)
                              : load8(B, batch, add(kt, ch.k), col, K, N, false,
                                      N % 8 == 0, shift));
          continue;
        }
        if (op.getBQuant())
          regs.push_back(
              tb ? load8Dequantized(add(n0, ch.row), add(kt, ch.kc), N, K)
                 : load8Dequantized(add(kt, ch.k), add(n0, ch.nc), K, N));
        else
          regs.push_back(tb ? load8(B, batch, add(n0, ch.row), add(kt, ch.kc),
                                    N, K, false, K % 8 == 0)
                            : load8(B, batch, add(kt, ch.k), add(n0, ch.nc), K,
                                    N, false, N % 8 == 0));
      }
      return regs;
    };
    // Registers into the shared tiles, in the operands' own layouts.
    auto storeBlock = [&](ValueRange regs) {
      for (auto [i, ch] : llvm::enumerate(chunks)) {
        vector::StoreOp::create(b, loc, regs[2 * i], aTile,
                                ValueRange{ch.row, ch.kc});
        if (tb) {
          vector::StoreOp::create(b, loc, regs[2 * i + 1], bTile,
                                  ValueRange{ch.row, ch.kc});
          continue;
        }
        vector::StoreOp::create(b, loc, regs[2 * i + 1], bTile,
                                ValueRange{ch.k, ch.nc});
      }
    };
    // Software pipeline: the loads of block k + 1 are in flight while the
    // tensor cores work on block k.
    // With a_row_sum_sq, each chunk's row also sums the squares of the A
    // elements the thread stages (one f32 per chunk).
    size_t numSS = rowSumSq ? chunks.size() : 0;
    SmallVector<Value> iters(init);
    iters.append(numSS, zero);
    llvm::append_range(iters, loadBlock(idx(0)));
    size_t numAcc = init.size() + numSS;
    auto kLoop = scf::ForOp::create(b, loc, idx(0), idx(K), idx(kBK), iters);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(kLoop.getBody());
      Value kt = kLoop.getInductionVar();
      ValueRange staged = kLoop.getRegionIterArgs().drop_front(numAcc);
      storeBlock(staged);
      gpu::BarrierOp::create(b, loc);
      SmallVector<Value> next = loadBlock(add(kt, idx(kBK)));
      SmallVector<Value> acc(kLoop.getRegionIterArgs().take_front(numAcc));
      for (size_t i = 0; i < numSS; ++i) {
        auto f32x8 = VectorType::get({8}, b.getF32Type());
        Value x = arith::ExtFOp::create(b, loc, f32x8, staged[2 * i]);
        Value sq =
            vector::ReductionOp::create(b, loc, vector::CombiningKind::ADD,
                                        arith::MulFOp::create(b, loc, x, x));
        acc[init.size() + i] =
            arith::AddFOp::create(b, loc, acc[init.size() + i], sq);
      }
      for (int64_t kk = 0; kk < kBK; kk += 16) {
        SmallVector<SmallVector<Value>> af, bf;
        // A (m16 x k16): matrices (rows +0/+8) x (k +0/+8) in the order of
        // the fragment's registers.
        for (int64_t mi = 0; mi < kMI; ++mi)
          af.push_back(ldmatrix4(aBase, kBK + kPad,
                                 add(add(wm, idx(mi * 16)), aRowInTile),
                                 add(aColInTile, idx(kk)), elem));
        // B (two n8 x k16 tiles): (n +0, k +0), (n +0, k +8), (n +8, k +0),
        // (n +8, k +8): registers 0-1 are tile ni, 2-3 tile ni + 1.
        for (int64_t ni = 0; ni < kNI; ni += 2) {
          SmallVector<Value> r =
              tb ? ldmatrix4(bBase, kBK + kPad,
                             add(add(wn, idx(ni * 8)), bRowInTile),
                             add(bColInTile, idx(kk)), elem)
                 : ldmatrix4(bBase, kBN + kPad, add(bRowInTile, idx(kk)),
                             add(add(wn, idx(ni * 8)), bColInTile), elem,
                             /*transpose=*/true);
          bf.push_back({r[0], r[1]});
          bf.push_back({r[2], r[3]});
        }
        for (int64_t mi = 0; mi < kMI; ++mi)
          for (int64_t ni = 0; ni < kNI; ++ni)
            mma16816(elem, af[mi], bf[ni],
                     MutableArrayRef<Value>(&acc[(mi * kNI + ni) * 4], 4));
      }
      gpu::BarrierOp::create(b, loc);
      llvm::append_range(acc, next);
      scf::YieldOp::create(b, loc, acc);
    }
    if (rowSumSq) {
      // The 8 threads of a row (consecutive lanes) add their sums.
      for (size_t i = 0; i < chunks.size(); ++i) {
        Value row = chunks[i].row;
        Value v = xorReduce(kLoop.getResult(init.size() + i), {1, 2, 4},
                            [&](Value x, Value y) -> Value {
                              return arith::AddFOp::create(b, loc, x, y);
                            });
        ifThen(eq(remu(lane, 8), 0), [&] {
          memref::StoreOp::create(b, loc, v, rowSumSq, ValueRange{row});
        });
      }
      gpu::BarrierOp::create(b, loc);
    }
    // Accumulator element e of mma tile (mi, ni): row g (+8 for e >= 2),
    // column 2 (lane % 4) + e % 2 (pairwise: tiles ni and ni + 1, ni even,
    // are output columns 4 ni + 2 (lane % 4) + e % 2 of the warp's 16).
    auto rowOf = [&](int64_t mi, int64_t half) {
      return add(add(add(m0, wm), idx(mi * 16 + half * 8)), g);
    };
    auto colOf = [&](int64_t ni, int64_t e2) {
      if (pairwise)
        return add(add(add(n0, divu(wn, 2)), idx(ni * 4 + e2)), t2);
      return add(add(add(n0, wn), idx(ni * 8 + e2)), t2);
    };
    // contrib[r][(mi, half, ni, e2)]: each element's reduction inputs (the
    // identity for a pairwise B's second tiles).
    size_t numRed = op.getReductions().size();
    SmallVector<SmallVector<Value>> contrib(numRed);
    auto reductions = op.getReductions().getAsRange<ReductionAttr>();
    for (int64_t mi = 0; mi < kMI; ++mi)
      for (int64_t ni = 0; ni < kNI; ++ni)
        for (int64_t e = 0; e < 4; ++e) {
          SmallVector<Value> c;
          if (pairwise && ni % 2) {
            for (ReductionAttr r : reductions)
              c.push_back(reductionIdentity(r));
          } else {
            SmallVector<Value> accs{kLoop.getResult((mi * kNI + ni) * 4 + e)};
            if (pairwise)
              accs.push_back(kLoop.getResult((mi * kNI + ni + 1) * 4 + e));
            c = storeOutputs(accs, batch, rowOf(mi, e / 2), colOf(ni, e % 2), M,
                             N);
          }
          for (size_t r = 0; r < numRed; ++r)
            contrib[r].push_back(c[r]);
        }
    // Reductions: combine a thread's elements of one row (or column),
    // then the lanes that share it (the quad for a row, the 8 groups for a
    // column) with shuffles, then one atomic per row (column) and warp.
    unsigned numPrimary = op.getNumPrimaryResults();
    for (auto [r, attr] :
         llvm::enumerate(op.getReductions().getAsRange<ReductionAttr>())) {
      Value out = outs[numPrimary + r];
      ArrayRef<Value> inputs = contrib[r];
      auto at = [&](int64_t mi, int64_t ni, int64_t e) {
        return inputs[(mi * kNI + ni) * 4 + e];
      };
      ReductionAttr red = attr;
      auto atomic = [&](Value v, Value cond, Value pos) {
        atomicCombine(red, out, batch, pos, v, cond);
      };
      Value zeroIdx = idx(0);
      if (attr.getDim() == GemmDim::n) {
        for (int64_t mi = 0; mi < kMI; ++mi)
          for (int64_t half = 0; half < 2; ++half) {
            Value v = reductionIdentity(attr);
            for (int64_t ni = 0; ni < kNI; ++ni)
              for (int64_t e2 = 0; e2 < 2; ++e2)
                v = combine(attr, v, at(mi, ni, half * 2 + e2));
            v = shuffleCombine(attr, v, {1, 2});
            Value row = rowOf(mi, half);
            atomic(v,
                   andi(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              t2, zeroIdx),
                        lt(row, idx(M))),
                   row);
          }
      } else {
        for (int64_t ni = 0; ni < kNI; ni += pairwise ? 2 : 1)
          for (int64_t e2 = 0; e2 < 2; ++e2) {
            Value v = reductionIdentity(attr);
            for (int64_t mi = 0; mi < kMI; ++mi)
              for (int64_t half = 0; half < 2; ++half)
                v = combine(attr, v, at(mi, ni, half * 2 + e2));
            v = shuffleCombine(attr, v, {4, 8, 16});
            Value col = colOf(ni, e2);
            atomic(v,
                   andi(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              g, zeroIdx),
                        lt(col, idx(N))),
                   col);
          }
      }
    }
    gpu::ReturnOp::create(b, loc);
  }
};
} // namespace

KernelPlan gpu_kernels::createMmaGemmKernels(OpBuilder &b, GemmOp gemm,
                                             func::FuncOp f,
                                             ArrayRef<Type> params,
                                             const GPUResources &gpu) {
  using Mma = MmaGemmKernel;
  auto shared =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  Type elem = getElementTypeOrSelf(gemm.getA().getType());
  TiledGemmFamily family{
      Mma::kBM,
      Mma::kBN,
      {MemRefType::get({Mma::kBM, Mma::kBK + Mma::kPad}, elem,
                       MemRefLayoutAttrInterface{}, shared),
       gemm.getTransposeB()
           ? MemRefType::get({Mma::kBN, Mma::kBK + Mma::kPad}, elem,
                             MemRefLayoutAttrInterface{}, shared)
           : MemRefType::get({Mma::kBK, Mma::kBN + Mma::kPad}, elem,
                             MemRefLayoutAttrInterface{}, shared)},
      [](OpBuilder &b, GemmOp gemm, func::FuncOp f, gpu::GPUFuncOp kernel) {
        MmaGemmKernel k{{{b, gemm.getLoc()}, gemm, {}, {}, {}, {}}, {}};
        k.bind(f, kernel.getBody().front());
        k.build(kernel);
      }};
  // (Asking for two tensor-core blocks per SM caps them at 128 registers;
  // the spills measured 8 % slower on the H100.)
  return createTiledGemmKernels(b, gemm, f, params, family);
}
