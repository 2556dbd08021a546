//===- GemmKernel.h - What the GPU GEMM kernel families share ---*- C++ -*-===//
//
// The three GEMM kernel families (GemmSimt.cpp: f32 and i8 on the SIMT
// cores; GemmMma.cpp: f16/bf16 on mma.sync; GemmWgmma.cpp: Hopper's
// warpgroup MMA fed by TMA) build on GemmKernel: the function's operands
// bound to the kernel's parameters, the fused epilogue on an output
// element, its stores and reductions. GemmKernels.cpp picks the family and
// builds the launches the SIMT and mma.sync families share.
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_LIB_BACKEND_GPU_CONVERSION_GEMMKERNEL_H
#define SINTER_LIB_BACKEND_GPU_CONVERSION_GEMMKERNEL_H

#include "KernelBuilder.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include <cmath>
#include <functional>

namespace mlir::sinter::gpu_kernels {

/// A GEMM kernel's body under construction.
struct GemmKernel : KernelBuilder {
  /// Threads of the SIMT and mma.sync kernels' blocks.
  static constexpr int64_t kThreads = 256;

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
                                   andi(lt(row, idx(M)), lt(col, idx(N))),
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
};

/// Why the GEMM cannot become a kernel, or empty.
std::string unsupportedGemm(GemmOp op);

/// Whether the gemm takes the warpgroup-MMA kernel (GemmWgmma.cpp).
bool usesWgmma(GemmOp op, const GPUResources &gpu);

/// The kernels of `f`, whose body is `gemm` on its arguments: the Hopper
/// family where it applies, else mma.sync for f16/bf16, else SIMT.
KernelPlan createGemmKernels(OpBuilder &b, GemmOp gemm, func::FuncOp f,
                             ArrayRef<Type> params, const GPUResources &gpu);

/// The families that give each block one output tile (SIMT and mma.sync):
/// the tile, the shared tiles of its kernel (the a_row_sum_sq buffer of
/// tileM floats follows them when the gemm asks for it) and how to build
/// its body.
struct TiledGemmFamily {
  int64_t tileM, tileN;
  SmallVector<Type> sharedTiles;
  /// Builds the body of `kernel` (the insertion point is at its start).
  std::function<void(OpBuilder &, GemmOp, func::FuncOp, gpu::GPUFuncOp)> build;
};
/// A TiledGemmFamily's kernel with grid (N tiles, M tiles, batch) and, with
/// reductions, a first kernel that sets their outputs to the combiners'
/// identities (the GEMM kernel adds to them atomically).
KernelPlan createTiledGemmKernels(OpBuilder &b, GemmOp gemm, func::FuncOp f,
                                  ArrayRef<Type> params,
                                  const TiledGemmFamily &family);

/// The families' entry points (every one follows createGemmKernels).
KernelPlan createSimtGemmKernels(OpBuilder &b, GemmOp gemm, func::FuncOp f,
                                 ArrayRef<Type> params,
                                 const GPUResources &gpu);
KernelPlan createMmaGemmKernels(OpBuilder &b, GemmOp gemm, func::FuncOp f,
                                ArrayRef<Type> params, const GPUResources &gpu);
KernelPlan createWgmmaGemmKernels(OpBuilder &b, GemmOp gemm, func::FuncOp f,
                                  ArrayRef<Type> params,
                                  const GPUResources &gpu);

} // namespace mlir::sinter::gpu_kernels

#endif // SINTER_LIB_BACKEND_GPU_CONVERSION_GEMMKERNEL_H
