//===- GemmKernels.cpp - Which GEMM family, and the tiled launches --------===//
//
// A sinter.gemm becomes the Hopper kernel (GemmWgmma.cpp) where it applies,
// else the mma.sync kernel for f16/bf16 (GemmMma.cpp), else the SIMT kernel
// (GemmSimt.cpp). The last two give each block one output tile and share
// how they are launched (createTiledGemmKernels).
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

std::string gpu_kernels::unsupportedGemm(GemmOp op) {
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

KernelPlan gpu_kernels::createGemmKernels(OpBuilder &b, GemmOp gemm,
                                          func::FuncOp f, ArrayRef<Type> params,
                                          const GPUResources &gpu) {
  if (usesWgmma(gemm, gpu))
    return createWgmmaGemmKernels(b, gemm, f, params, gpu);
  Type a = getElementTypeOrSelf(gemm.getA().getType());
  if (a.isF16() || a.isBF16())
    return createMmaGemmKernels(b, gemm, f, params, gpu);
  return createSimtGemmKernels(b, gemm, f, params, gpu);
}

KernelPlan gpu_kernels::createTiledGemmKernels(OpBuilder &b, GemmOp gemm,
                                               func::FuncOp f,
                                               ArrayRef<Type> params,
                                               const TiledGemmFamily &family) {
  constexpr int64_t kThreads = GemmKernel::kThreads;
  bool reduces = !gemm.getReductions().empty();
  std::string gemmName = (f.getName() + (reduces ? "_gemm" : "")).str();
  SmallVector<Type> sharedTiles(family.sharedTiles);
  // The block's rows' sums of squares of A (a_row_sum_sq), after the tiles.
  if (gemm.getARowSumSq())
    sharedTiles.push_back(MemRefType::get(
        {family.tileM}, b.getF32Type(), MemRefLayoutAttrInterface{},
        gpu::AddressSpaceAttr::get(b.getContext(),
                                   gpu::AddressSpace::Workgroup)));
  {
    auto kernel = createKernelFunc(b, f.getLoc(), gemmName, params, sharedTiles,
                                   kThreads);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&kernel.getBody().front());
    family.build(b, gemm, f, kernel);
  }
  int64_t tileN = family.tileN;
  if (gemm.getPairwise())
    tileN /= 2; // the output columns of a tile of both halves
  int64_t nb = gemm.getNumBatchDims();
  auto outType = cast<RankedTensorType>(gemm.getInits()[0].getType());
  int64_t batches = 1;
  for (int64_t d = 0; d < nb; ++d)
    batches *= outType.getDimSize(d);
  int64_t M = outType.getDimSize(nb), N = outType.getDimSize(nb + 1);
  KernelLaunch launch{gemmName,
                      {int64_t(llvm::divideCeil(N, tileN)),
                       int64_t(llvm::divideCeil(M, family.tileM)), batches},
                      kThreads};
  KernelPlan plan;
  if (!reduces) {
    plan.launches = {launch};
    return plan;
  }

  // With reductions, a first kernel sets their outputs to the combiners'
  // identities; the GEMM kernel then adds to them atomically.
  int64_t largest = 0;
  for (Value init : gemm.getInits().drop_front(gemm.getNumPrimaryResults()))
    largest = std::max(largest,
                       cast<RankedTensorType>(init.getType()).getNumElements());
  auto fill = createKernelFunc(b, f.getLoc(), f.getName(), params, TypeRange{},
                               kThreads);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&fill.getBody().front());
  GemmKernel fk{{b, gemm.getLoc()}, gemm, {}, {}, {}, {}};
  Value id =
      fk.add(fk.mul(gpu::BlockIdOp::create(b, f.getLoc(), gpu::Dimension::x),
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
  KernelLaunch init{
      f.getName().str(),
      {std::max<int64_t>(1, llvm::divideCeil(largest, kThreads)), 1, 1},
      kThreads};
  plan.launches = {init, launch};
  return plan;
}
