//===- SinterToGPU.cpp - Outline sinter ops into GPU kernels --------------===//
//
// One kernel per exported function whose body is one sinter.gemm on its
// arguments. The GEMM kernel is a shared-memory tiled SIMT kernel:
//
//   block (bx, by, bz) computes out[bz][by*64 : +64][bx*64 : +64]
//   for kt in [0, K) step 16:
//     all 256 threads stage A[64 x 16] and B[16 x 64] in shared memory
//     (widened to f32, zero outside the matrix), barrier
//     thread (r, c) = (tid / 16, tid % 16) accumulates rows r + 16i and
//     columns c + 16j (i, j < 4): 16 FMAs per k from 8 shared loads
//     barrier
//   epilogue(acc, operands at (row, col)) stored where row < M, col < N
//
// Rows and columns are strided by 16 so a warp's stores are contiguous.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Backend/GPU/Passes.h"
#include <functional>

namespace mlir::sinter {
#define GEN_PASS_DEF_CONVERTSINTERTOGPU
#include "sinter/Backend/GPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
constexpr int64_t kTileM = 64, kTileN = 64, kTileK = 16;
constexpr int64_t kThreads = 256;
constexpr int64_t kThreadRows = 16, kThreadCols = 16; // threads per tile side
constexpr int64_t kPerThread = 4; // rows (and columns) per thread

/// Why the GEMM cannot become a kernel, or empty.
std::string unsupported(GemmOp op) {
  Type a = getElementTypeOrSelf(op.getA().getType());
  Type b = getElementTypeOrSelf(op.getB().getType());
  if (op.getBQuant() && !(a.isF16() || a.isBF16()))
    return "quantized B (int8/int4 weights) needs f16/bf16 activations on the "
           "GPU";
  for (Value init : op.getInits().drop_front(op.getNumPrimaryResults()))
    if (!getElementTypeOrSelf(init.getType()).isF32())
      return "GEMM reduction results must be f32 on the GPU";
  if (op.getARowSumSq() && a.isInteger())
    return "a_row_sum_sq needs float operands";
  if (!op.getBQuant() && !(a == b && (a.isF32() || a.isF16() || a.isBF16() ||
                                      a.isSignlessInteger(8))))
    return "operands must both be f32, f16, bf16 or i8";
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return "dynamic shapes are not supported";
  if (!op.getEpilogue().empty())
    for (Operation &inner : op.getEpilogue().front().without_terminator())
      if (inner.getNumRegions() ||
          !llvm::all_of(inner.getOperandTypes(),
                        [](Type t) { return t.isIntOrIndexOrFloat(); }))
        return "the epilogue has a non-elementwise op (" +
               inner.getName().getStringRef().str() + ")";
  return "";
}

struct GemmKernel : gpu_kernels::KernelBuilder {
  GemmOp op;
  /// The kernel's memref for each function argument and result.
  IRMapping args;
  SmallVector<Value> outs;

  /// Maps `f`'s arguments and results to the kernel entry's parameters.
  void bind(func::FuncOp f, Block &entry) {
    for (auto [i, arg] : llvm::enumerate(f.getArguments()))
      args.map(arg, entry.getArgument(i));
    for (unsigned r = 0; r < f.getNumResults(); ++r)
      outs.push_back(entry.getArgument(f.getNumArguments() + r));
  }

  /// Indices of element (x, y) of the trailing matrix of `m`: the output's
  /// batch indices index its leading dimensions, aligned to the right, 0
  /// where it has size 1 (broadcast).
  SmallVector<Value> at(Value m, ArrayRef<Value> batch, Value x, Value y) {
    auto type = cast<MemRefType>(m.getType());
    SmallVector<Value> ids;
    int64_t lead = type.getRank() - 2;
    for (int64_t d = 0; d < lead; ++d)
      ids.push_back(type.getDimSize(d) == 1 ? idx(0)
                                            : batch[batch.size() - (lead - d)]);
    ids.append({x, y});
    return ids;
  }

  /// The output's batch indices, from the flattened grid z.
  SmallVector<Value> batchIndices(RankedTensorType outType) {
    int64_t nb = op.getNumBatchDims();
    SmallVector<Value> batch(nb);
    Value rest = gpu::BlockIdOp::create(b, loc, gpu::Dimension::z);
    for (int64_t d = nb - 1; d >= 0; --d) {
      Value size = idx(outType.getDimSize(d));
      batch[d] = arith::RemUIOp::create(b, loc, rest, size);
      rest = arith::DivUIOp::create(b, loc, rest, size);
    }
    return batch;
  }

  /// Element (x, y) of the trailing matrix of `m` (f32), zero when `inside`
  /// is false.
  Value loadOrZero(Value m, ArrayRef<Value> batch, Value x, Value y,
                   Value inside) {
    auto ifOp = scf::IfOp::create(b, loc, TypeRange{b.getF32Type()}, inside,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(
        b, loc, toF32(memref::LoadOp::create(b, loc, m, at(m, batch, x, y))));
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(
        b, loc, Value(arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0))));
    return ifOp.getResult(0);
  }

  /// With a_row_sum_sq: the block's rows' sums of squares of A in shared
  /// memory, indexed by row - rowSumSqOrigin.
  Value rowSumSq, rowSumSqOrigin;

  /// The epilogue of one output element at (batch, row, col), from its
  /// accumulator(s) (two when pairwise).
  SmallVector<Value> epilogue(ValueRange accs, ArrayRef<Value> batch, Value row,
                              Value col) {
    SmallVector<Value> in(accs);
    if (rowSumSq)
      in.push_back(
          memref::LoadOp::create(b, loc, rowSumSq, sub(row, rowSumSqOrigin)));
    int64_t nb = op.getNumBatchDims();
    for (auto [v, m] :
         llvm::zip(op.getEpilogueInputs(), op.getEpilogueMaps().getValue())) {
      AffineMap map = cast<AffineMapAttr>(m).getValue();
      SmallVector<Value> ids;
      for (AffineExpr e : map.getResults()) {
        if (auto c = dyn_cast<AffineConstantExpr>(e)) {
          ids.push_back(idx(c.getValue()));
          continue;
        }
        unsigned p = cast<AffineDimExpr>(e).getPosition();
        ids.push_back(p < unsigned(nb)    ? batch[p]
                      : p == unsigned(nb) ? row
                                          : col);
      }
      in.push_back(memref::LoadOp::create(b, loc, args.lookup(v), ids));
    }
    Region &region = op.getEpilogue();
    if (region.empty())
      return in;
    IRMapping map;
    map.map(region.front().getArguments(), in);
    for (Operation &inner : region.front().without_terminator())
      b.clone(inner, map);
    SmallVector<Value> out;
    for (Value v : region.front().getTerminator()->getOperands())
      out.push_back(map.lookupOrDefault(v));
    return out;
  }

  /// `v` converted to the element type `to` of an output.
  Value toElement(Value v, Type to) {
    Type from = v.getType();
    if (from == to)
      return v;
    if (isa<FloatType>(from) && isa<FloatType>(to))
      return from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth()
                 ? arith::TruncFOp::create(b, loc, to, v).getResult()
                 : arith::ExtFOp::create(b, loc, to, v).getResult();
    if (isa<FloatType>(from))
      return arith::FPToSIOp::create(b, loc, to, v);
    if (isa<FloatType>(to))
      return arith::SIToFPOp::create(b, loc, to, v);
    return from.getIntOrFloatBitWidth() > to.getIntOrFloatBitWidth()
               ? arith::TruncIOp::create(b, loc, to, v).getResult()
               : arith::ExtSIOp::create(b, loc, to, v).getResult();
  }

  /// The identity of reduction `r`'s combiner, and the combination.
  Value reductionIdentity(ReductionAttr r) {
    return arith::ConstantOp::create(
        b, loc,
        b.getF32FloatAttr(r.getKind() == ReductionKind::max ? -INFINITY : 0));
  }
  Value combine(ReductionAttr r, Value x, Value y) {
    if (r.getKind() == ReductionKind::max)
      return arith::MaximumFOp::create(b, loc, x, y);
    return arith::AddFOp::create(b, loc, x, y);
  }

  /// Runs the epilogue on accumulator `acc` of output element (row, col)
  /// and stores its values there, if the element is inside M x N. Returns
  /// the element's contribution to each reduction (the identity outside;
  /// squared for sum_sq).
  SmallVector<Value> storeOutputs(ValueRange accs, ArrayRef<Value> batch,
                                  Value row, Value col, int64_t M, int64_t N) {
    auto reductions = op.getReductions().getAsRange<ReductionAttr>();
    SmallVector<Type> redTypes(op.getReductions().size(), b.getF32Type());
    auto guard = scf::IfOp::create(b, loc, redTypes,
                                   both(lt(row, idx(M)), lt(col, idx(N))),
                                   /*withElseRegion=*/!redTypes.empty());
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(&guard.getThenRegion().front());
    SmallVector<Value> values = epilogue(accs, batch, row, col);
    unsigned numPrimary = op.getNumPrimaryResults();
    for (auto [v, out] :
         llvm::zip(ArrayRef(values).take_front(numPrimary), outs)) {
      auto type = cast<MemRefType>(out.getType());
      SmallVector<Value> ids(batch);
      ids.append({row, col});
      memref::StoreOp::create(b, loc, toElement(v, type.getElementType()), out,
                              ids);
    }
    if (redTypes.empty())
      return {};
    SmallVector<Value> contributions;
    for (auto [v, r] :
         llvm::zip(ArrayRef(values).drop_front(numPrimary), reductions)) {
      Value x = toElement(v, b.getF32Type());
      if (r.getKind() == ReductionKind::sum_sq)
        x = arith::MulFOp::create(b, loc, x, x);
      contributions.push_back(x);
    }
    scf::YieldOp::create(b, loc, contributions);
    b.setInsertionPointToStart(&guard.getElseRegion().front());
    SmallVector<Value> identities;
    for (ReductionAttr r : reductions)
      identities.push_back(reductionIdentity(r));
    scf::YieldOp::create(b, loc, identities);
    return guard.getResults();
  }

  /// `v` combined with the values of the lanes `offsets` away (xor).
  Value shuffleCombine(ReductionAttr r, Value v, ArrayRef<int32_t> offsets) {
    return xorReduce(v, offsets,
                     [&](Value x, Value y) { return combine(r, x, y); });
  }
  /// Combines `v` atomically into reduction result `out` at (batch, pos)
  /// where `cond` holds.
  void atomicCombine(ReductionAttr r, Value out, ArrayRef<Value> batch,
                     Value pos, Value v, Value cond) {
    auto kind = r.getKind() == ReductionKind::max
                    ? arith::AtomicRMWKind::maximumf
                    : arith::AtomicRMWKind::addf;
    ifThen(cond, [&] {
      SmallVector<Value> ids(batch);
      ids.push_back(pos);
      memref::AtomicRMWOp::create(b, loc, kind, v, out, ids);
    });
  }
  Value eq(Value x, int64_t y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, x, idx(y));
  }

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
        Value inside = both(lt(gk, idx(K)), lt(gj, idx(extent)));
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
        Value inside = both(lt(gk, idx(K)), lt(oc, idx(N)));
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
                        both(eq(tCol, 0), lt(rowOf(i), idx(M))));
        }
        continue;
      }
      for (int64_t j = 0; j < colsPerThread; ++j) {
        Value v = reductionIdentity(attr);
        for (int64_t i = 0; i < kPerThread; ++i)
          v = combine(attr, v, contrib[r][i * colsPerThread + j]);
        v = shuffleCombine(attr, v, {16});
        atomicCombine(attr, out, batch, colOf(j), v,
                      both(lt(lane, idx(16)), lt(colOf(j), idx(N))));
      }
    }
    gpu::ReturnOp::create(b, loc);
  }
};

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
      Value inside = both(lt(x, idx(rows)), lt(y, idx(cols)));
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
      Value inside = both(lt(x, idx(rows)), lt(yj, idx(cols)));
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
                   both(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
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
                   both(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                              g, zeroIdx),
                        lt(col, idx(N))),
                   col);
          }
      }
    }
    gpu::ReturnOp::create(b, loc);
  }
};

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

  /// The wgmma descriptor of a tile at `addr` (see swizzledDescriptor): an
  /// N-major B has 8 KiB between its blocks of 64 columns.
  Value descriptor(Value addr, bool nMajor = false) {
    return swizzledDescriptor(addr, nMajor ? kBlockBytes : 16);
  }

  /// Runs the epilogue on the accumulators of output elements (row, col)
  /// and (row, col + 1), col and N even, and stores each output's two
  /// values with one store (aligned to their size: row * N + col is even).
  void storeOutputPair(Value acc0, Value acc1, Value row, Value col, int64_t M,
                       int64_t N) {
    ifThen(both(lt(row, idx(M)), lt(col, idx(N))), [&] {
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
    for (int64_t j = 0; j < kBN / boxCols; ++j) {
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
                                        both(lt(row, idx(M)), lt(col, idx(N))),
                                        /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(&inside.getThenRegion().front());
          Value a0 = LLVM::ExtractValueOp::create(b, loc, acc, i);
          Value a1 = LLVM::ExtractValueOp::create(b, loc, acc, i + 1);
          Value v0 = epilogue(a0, {}, row, col)[0];
          Value v1 = epilogue(a1, {}, row, add(col, idx(1)))[0];
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
        mul(arith::DivUIOp::create(b, loc, inGroup, groupRows), idx(kBN));
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
            tilesN = llvm::divideCeil(N, kBN);
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
              if (bKMajor)
                boxes.push_back({aBytes(), mapB, k, i32(n0)});
              else
                for (int64_t j = 0; j < kBN / kBlockCols; ++j)
                  boxes.push_back({aBytes() + j * kBlockBytes, mapB,
                                   i32(add(n0, idx(j * kBlockCols))), k});
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
      for (int64_t i = 0; i < kBN / 2; i += 2) {
        Value v0 = LLVM::ExtractValueOp::create(b, loc, result, i);
        Value v1 = LLVM::ExtractValueOp::create(b, loc, result, i + 1);
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

/// Whether the gemm takes the warpgroup-MMA kernel on `chip`.
bool usesWgmma(GemmOp op, StringRef chip) {
  if (op.getBQuant() || !op.getReductions().empty() || op.getPairwise() ||
      op.getARowSumSq())
    return false;
  Type a = getElementTypeOrSelf(op.getA().getType());
  auto aType = cast<RankedTensorType>(op.getA().getType());
  auto bType = cast<RankedTensorType>(op.getB().getType());
  // TMA boxes need rows of a multiple of 16 bytes.
  return chip == "sm_90a" && (a.isF16() || a.isBF16()) &&
         op.getNumBatchDims() == 0 && !op.getTransposeA() &&
         aType.getDimSize(1) % 8 == 0 && bType.getDimSize(1) % 8 == 0;
}

/// Whether the gemm takes the tensor-core kernel.
bool usesTensorCores(GemmOp op) {
  Type a = getElementTypeOrSelf(op.getA().getType());
  return a.isF16() || a.isBF16();
}

/// The one sinter.gemm or sinter.attention of `func`, or an error naming
/// what is in the way.
FailureOr<Operation *>
singleKernelOp(func::FuncOp func, const gpu_kernels::GPUResources &resources) {
  Operation *kernelOp = nullptr;
  for (Operation &op : func.getBody().front()) {
    if (isa<tensor::EmptyOp, arith::ConstantOp, func::ReturnOp>(op))
      continue;
    if (isa<GemmOp, AttentionOp, PagedAttentionOp, KVGatherOp, KVAppendOp,
            KVQuantizeOp, KVEvictOp>(op) &&
        !kernelOp) {
      kernelOp = &op;
      continue;
    }
    if (isa<GemmOp, AttentionOp, PagedAttentionOp, KVGatherOp, KVAppendOp,
            KVQuantizeOp, KVEvictOp>(op))
      return func.emitError()
                 << "GPU target: function @" << func.getName()
                 << " needs more than one kernel (a second '" << op.getName()
                 << "'); only functions that fuse into one "
                    "sinter.gemm or sinter.attention compile "
                    "for GPUs yet",
             failure();
    return func.emitError() << "GPU target: function @" << func.getName()
                            << " has '" << op.getName()
                            << "', which the GPU backend does not compile "
                               "yet; only functions that fuse into one "
                               "sinter.gemm, attention, paged_attention, "
                               "kv.gather, kv.append, kv.evict or kv.quantize "
                               "do",
           failure();
  }
  if (!kernelOp)
    return func.emitError() << "GPU target: function @" << func.getName()
                            << " has no sinter op to compile",
           failure();
  std::string what =
      kernelOp->getName().getStringRef().drop_front(strlen("sinter.")).str();
  auto dps = cast<DestinationStyleOpInterface>(kernelOp);
  for (OpOperand &use : kernelOp->getOpOperands()) {
    Value v = use.get();
    if (isa<BlockArgument>(v) ||
        (dps.isDpsInit(&use) && v.getDefiningOp<tensor::EmptyOp>()))
      continue;
    return kernelOp->emitError()
               << "GPU target: an operand of the " << what << " in @"
               << func.getName() << " is not an argument of the function",
           failure();
  }
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  if (ret.getOperands() != kernelOp->getResults())
    return func.emitError()
               << "GPU target: @" << func.getName() << " must return the "
               << what << "'s results in order",
           failure();
  std::string why = isa<GemmOp>(kernelOp) ? unsupported(cast<GemmOp>(kernelOp))
                    : isa<AttentionOp, PagedAttentionOp>(kernelOp)
                        ? gpu_kernels::unsupportedAttention(kernelOp)
                        : gpu_kernels::unsupportedKVCache(kernelOp, resources);
  if (!why.empty())
    return kernelOp->emitError() << "GPU target: cannot compile the " << what
                                 << " in @" << func.getName() << ": " << why,
           failure();
  return kernelOp;
}

MemRefType memrefOf(Type t) {
  auto r = cast<RankedTensorType>(t);
  return MemRefType::get(r.getShape(), r.getElementType());
}

struct ConvertSinterToGPUPass
    : public sinter::impl::ConvertSinterToGPUBase<ConvertSinterToGPUPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    if (gemmSchedule != "auto" && gemmSchedule != "cooperative" &&
        gemmSchedule != "pingpong") {
      module.emitError() << "convert-sinter-to-gpu: unknown gemm-schedule '"
                         << gemmSchedule
                         << "' (expected auto, cooperative or pingpong)";
      return signalPassFailure();
    }
    FailureOr<TargetAttr> resolved =
        requireTarget(module, "convert-sinter-to-gpu");
    if (failed(resolved))
      return signalPassFailure();
    TargetAttr target = *resolved;
    StringRef chip = target.getConfigString("chip");
    if (target.getKind() != "gpu" || chip.empty()) {
      module.emitError() << "convert-sinter-to-gpu: target '"
                         << target.getName()
                         << "' is not a GPU with a config.chip (its kind is '"
                         << target.getKind() << "')";
      return signalPassFailure();
    }
    gpu_kernels::GPUResources resources{target.getCores(), 0, chip == "sm_90a"};
    for (auto level : target.getLevels().getAsRange<MemoryLevelAttr>())
      if (level.getName() == "smem")
        resources.sharedBytesPerSM = level.getCapacity();
    SmallVector<func::FuncOp> funcs;
    for (auto f : module.getOps<func::FuncOp>())
      if (f.isPublic() && !f.isExternal())
        funcs.push_back(f);
    if (funcs.empty())
      return;
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kGPUKernelModuleName);
    if (!kernels) {
      b.setInsertionPointToEnd(module.getBody());
      kernels =
          gpu::GPUModuleOp::create(b, module.getLoc(), kGPUKernelModuleName);
    }
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    bool failedAny = false;
    for (func::FuncOp f : funcs) {
      FailureOr<Operation *> kernelOp = singleKernelOp(f, resources);
      if (failed(kernelOp)) {
        failedAny = true;
        continue;
      }
      SmallVector<Type> params;
      for (Type t : f.getArgumentTypes())
        params.push_back(memrefOf(t));
      for (Type t : f.getResultTypes())
        params.push_back(memrefOf(t));
      b.setInsertionPointToEnd(kernels.getBody());
      if (!isa<GemmOp>(*kernelOp)) {
        int64_t workspace = 0;
        SmallVector<gpu_kernels::KernelLaunch> launches =
            isa<AttentionOp, PagedAttentionOp>(*kernelOp)
                ? gpu_kernels::createAttentionKernels(b, *kernelOp, f, params,
                                                      resources, workspace)
                : gpu_kernels::createKVCacheKernels(b, *kernelOp, f, params,
                                                    workspace);
        auto launch = [&](const gpu_kernels::KernelLaunch &l) {
          return std::make_pair(b.getDenseI64ArrayAttr(l.grid),
                                b.getDenseI64ArrayAttr({l.threads, 1, 1}));
        };
        auto [grid, block] = launch(launches.front());
        f->setAttr(kGPUGridAttrName, grid);
        f->setAttr(kGPUBlockAttrName, block);
        f->setAttr(kGPUSharedBytesAttrName,
                   b.getI64IntegerAttr(launches.front().sharedBytes));
        if (workspace)
          f->setAttr(kGPUWorkspaceBytesAttrName,
                     b.getI64IntegerAttr(workspace));
        SmallVector<Attribute> next;
        for (const gpu_kernels::KernelLaunch &l :
             ArrayRef(launches).drop_front()) {
          auto [g, blk] = launch(l);
          next.push_back(b.getDictionaryAttr(
              {b.getNamedAttr("kernel", b.getStringAttr(l.name)),
               b.getNamedAttr("grid", g), b.getNamedAttr("block", blk),
               b.getNamedAttr("shared_bytes",
                              b.getI64IntegerAttr(l.sharedBytes))}));
        }
        if (!next.empty())
          f->setAttr(kGPUNextKernelsAttrName, b.getArrayAttr(next));
        continue;
      }
      auto gemm = cast<GemmOp>(*kernelOp);
      if (usesWgmma(gemm, chip)) {
        using W = WgmmaGemmKernel;
        // Measured on the H200 (docs/performance-gpu.md): ping-pong ran at
        // 510-546 TFLOP/s against cooperative's 750-820, with or without
        // a GELU epilogue, so auto stays cooperative.
        bool pingpong = gemmSchedule == "pingpong";
        // A and B are also read through TMA descriptors, passed by value
        // after the memrefs (the launch code encodes them).
        // A single output whose rows are a multiple of 16 bytes is stored
        // through TMA too (a third descriptor).
        auto outType = cast<RankedTensorType>(gemm.getInits()[0].getType());
        int64_t M = outType.getDimSize(0), N = outType.getDimSize(1);
        int64_t outBytes = outType.getElementType().getIntOrFloatBitWidth() / 8;
        bool storeThroughTMA = f.getNumResults() == 1 &&
                               (outBytes == 2 || outBytes == 4) &&
                               (N * outBytes) % 16 == 0;
        int64_t numMaps = storeThroughTMA ? 3 : 2;
        SmallVector<Type> kernelParams(params);
        kernelParams.append(numMaps,
                            LLVM::LLVMPointerType::get(b.getContext()));
        auto kernel = gpu_kernels::createKernelFunc(
            b, f.getLoc(), f.getName(), kernelParams, TypeRange{}, W::kThreads);
        SmallVector<int64_t> mapArgs;
        for (int64_t i = 0; i < numMaps; ++i)
          mapArgs.push_back(params.size() + i);
        kernel->setAttr(kTensorMapArgsAttrName,
                        b.getDenseI64ArrayAttr(mapArgs));
        Block &entry = kernel.getBody().front();
        b.setInsertionPointToStart(&entry);
        WgmmaGemmKernel k{{{b, gemm.getLoc()}, gemm, {}, {}, {}, {}}, {}};
        k.pingpong = pingpong;
        k.bind(f, entry);
        k.build(kernel, entry.getArgument(params.size()),
                entry.getArgument(params.size() + 1),
                storeThroughTMA ? entry.getArgument(params.size() + 2)
                                : Value());
        int64_t K = cast<RankedTensorType>(gemm.getA().getType()).getDimSize(1);
        int64_t tiles = llvm::divideCeil(M, W::tileRows(pingpong)) *
                        llvm::divideCeil(N, W::kBN);
        f->setAttr(
            kGPUGridAttrName,
            b.getDenseI64ArrayAttr(
                {std::min(tiles, std::max<int64_t>(1, resources.sms)), 1, 1}));
        f->setAttr(kGPUBlockAttrName,
                   b.getDenseI64ArrayAttr({W::kThreads, 1, 1}));
        f->setAttr(kGPUSharedBytesAttrName,
                   b.getI64IntegerAttr(W::sharedBytes(pingpong)));
        auto map = [&](int64_t arg, int64_t rows, int64_t cols, int64_t boxRows,
                       int64_t boxCols, int64_t bytes = 2) {
          return b.getDictionaryAttr(
              {b.getNamedAttr("arg", b.getI64IntegerAttr(arg)),
               b.getNamedAttr("rows", b.getI64IntegerAttr(rows)),
               b.getNamedAttr("cols", b.getI64IntegerAttr(cols)),
               b.getNamedAttr("box_rows", b.getI64IntegerAttr(boxRows)),
               b.getNamedAttr("box_cols", b.getI64IntegerAttr(boxCols)),
               b.getNamedAttr("elem_bytes", b.getI64IntegerAttr(bytes))});
        };
        auto argOf = [](Value v) {
          return int64_t(cast<BlockArgument>(v).getArgNumber());
        };
        SmallVector<Attribute> maps{
            map(argOf(gemm.getA()), M, K, W::tileRows(pingpong), W::kBK),
            gemm.getTransposeB()
                ? map(argOf(gemm.getB()), N, K, W::kBN, W::kBK)
                : map(argOf(gemm.getB()), K, N, W::kBK, W::kBlockCols)};
        if (storeThroughTMA)
          maps.push_back(
              map(f.getNumArguments(), M, N, 64, 128 / outBytes, outBytes));
        f->setAttr(kGPUTensorMapsAttrName, b.getArrayAttr(maps));
        continue;
      }
      auto shared = gpu::AddressSpaceAttr::get(b.getContext(),
                                               gpu::AddressSpace::Workgroup);
      bool mma = usesTensorCores(gemm);
      Type elem = getElementTypeOrSelf(gemm.getA().getType());
      // The SIMT kernel stages its tiles widened to the accumulator type.
      Type simtElem = gemm.getAccType();
      using Mma = MmaGemmKernel;
      auto aTileType =
          mma ? MemRefType::get({Mma::kBM, Mma::kBK + Mma::kPad}, elem,
                                MemRefLayoutAttrInterface{}, shared)
              : MemRefType::get({kTileK, kTileM + 1}, simtElem,
                                MemRefLayoutAttrInterface{}, shared);
      auto bTileType =
          mma ? (gemm.getTransposeB()
                     ? MemRefType::get({Mma::kBN, Mma::kBK + Mma::kPad}, elem,
                                       MemRefLayoutAttrInterface{}, shared)
                     : MemRefType::get({Mma::kBK, Mma::kBN + Mma::kPad}, elem,
                                       MemRefLayoutAttrInterface{}, shared))
              : MemRefType::get({kTileK, kTileN}, simtElem,
                                MemRefLayoutAttrInterface{}, shared);
      SmallVector<Type> sharedTiles{aTileType, bTileType};
      // The block's rows' sums of squares of A (a_row_sum_sq).
      if (gemm.getARowSumSq())
        sharedTiles.push_back(
            MemRefType::get({mma ? Mma::kBM : kTileM}, b.getF32Type(),
                            MemRefLayoutAttrInterface{}, shared));
      // (Asking for two tensor-core blocks per SM caps them at 128
      // registers; the spills measured 8 % slower on the H100.)
      // With reductions, a first kernel sets their outputs to the
      // combiners' identities; the GEMM kernel then adds to them
      // atomically.
      bool reduces = !gemm.getReductions().empty();
      std::string gemmName = (f.getName() + (reduces ? "_gemm" : "")).str();
      auto kernel = gpu_kernels::createKernelFunc(
          b, f.getLoc(), gemmName, params, sharedTiles, kThreads);
      Block &entry = kernel.getBody().front();
      b.setInsertionPointToStart(&entry);
      MmaGemmKernel k{{{b, gemm.getLoc()}, gemm, {}, {}, {}, {}}, {}};
      k.bind(f, entry);
      if (mma)
        k.build(kernel);
      else
        static_cast<GemmKernel &>(k).build(kernel);
      int64_t tileM = mma ? Mma::kBM : kTileM, tileN = mma ? Mma::kBN : kTileN;
      if (gemm.getPairwise())
        tileN /= 2; // the output columns of a tile of both halves

      int64_t nb = gemm.getNumBatchDims();
      auto outType = cast<RankedTensorType>(gemm.getInits()[0].getType());
      int64_t batches = 1;
      for (int64_t d = 0; d < nb; ++d)
        batches *= outType.getDimSize(d);
      int64_t M = outType.getDimSize(nb), N = outType.getDimSize(nb + 1);
      auto grid = b.getDenseI64ArrayAttr({int64_t(llvm::divideCeil(N, tileN)),
                                          int64_t(llvm::divideCeil(M, tileM)),
                                          batches});
      auto block = b.getDenseI64ArrayAttr({kThreads, 1, 1});
      f->setAttr(kGPUSharedBytesAttrName, b.getI64IntegerAttr(0));
      if (!reduces) {
        f->setAttr(kGPUGridAttrName, grid);
        f->setAttr(kGPUBlockAttrName, block);
        continue;
      }
      f->setAttr(
          kGPUNextKernelsAttrName,
          b.getArrayAttr(b.getDictionaryAttr(
              {b.getNamedAttr("kernel", b.getStringAttr(gemmName)),
               b.getNamedAttr("grid", grid), b.getNamedAttr("block", block),
               b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(0))})));
      b.setInsertionPointToEnd(kernels.getBody());
      int64_t largest = 0;
      for (Value init : gemm.getInits().drop_front(gemm.getNumPrimaryResults()))
        largest = std::max(
            largest, cast<RankedTensorType>(init.getType()).getNumElements());
      auto fill = gpu_kernels::createKernelFunc(b, f.getLoc(), f.getName(),
                                                params, TypeRange{}, kThreads);
      b.setInsertionPointToStart(&fill.getBody().front());
      GemmKernel fk{{b, gemm.getLoc()}, gemm, {}, {}, {}, {}};
      Value id = fk.add(
          fk.mul(gpu::BlockIdOp::create(b, f.getLoc(), gpu::Dimension::x),
                 fk.idx(kThreads)),
          gpu::ThreadIdOp::create(b, f.getLoc(), gpu::Dimension::x));
      unsigned numPrimary = gemm.getNumPrimaryResults();
      for (auto [r, attr] :
           llvm::enumerate(gemm.getReductions().getAsRange<ReductionAttr>())) {
        Value out = fill.getArgument(f.getNumArguments() + numPrimary + r);
        auto type = cast<MemRefType>(out.getType());
        ReductionAttr red = attr;
        fk.ifThen(fk.lt(id, fk.idx(type.getNumElements())), [&] {
          SmallVector<Value> ids(type.getRank());
          Value rest = id;
          for (int64_t d = type.getRank() - 1; d >= 0; --d) {
            ids[d] = d ? fk.remu(rest, type.getDimSize(d)) : rest;
            if (d)
              rest = fk.divu(rest, type.getDimSize(d));
          }
          memref::StoreOp::create(b, f.getLoc(), fk.reductionIdentity(red), out,
                                  ids);
        });
      }
      gpu::ReturnOp::create(b, f.getLoc());
      f->setAttr(kGPUGridAttrName,
                 b.getDenseI64ArrayAttr(
                     {std::max<int64_t>(1, llvm::divideCeil(largest, kThreads)),
                      1, 1}));
      f->setAttr(kGPUBlockAttrName, block);
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
