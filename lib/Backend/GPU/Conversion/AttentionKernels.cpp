//===- AttentionKernels.cpp - Which attention family ----------------------===//
//
// sinter.attention becomes the Hopper kernel (WgmmaAttention.cpp) where it
// applies, else FlashAttention-2 on mma.sync; sinter.paged_attention the
// split-KV decode (both in FlashAttention.cpp).
//
//===----------------------------------------------------------------------===//
#include "AttentionCore.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

/// What both attention forms require of Q, K, V and O.
static std::string unsupportedOperands(Value query, Value key, Value value,
                                       ValueRange inits, Operation *op) {
  for (Value v : op->getOperands())
    if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
      return "dynamic shapes are not supported";
  Type q = getElementTypeOrSelf(query.getType());
  if (q != getElementTypeOrSelf(key.getType()) ||
      q != getElementTypeOrSelf(value.getType()) || !(q.isF16() || q.isBF16()))
    return "Q, K and V must all be f16 or all bf16";
  Type o = getElementTypeOrSelf(inits[0].getType());
  if (!(o.isF16() || o.isBF16() || o.isF32()))
    return "the output must be f16, bf16 or f32";
  int64_t d = cast<RankedTensorType>(key.getType()).getShape().back();
  int64_t dv = cast<RankedTensorType>(value.getType()).getShape().back();
  for (int64_t x : {d, dv})
    if (x % 16 != 0 || x > kMaxHeadDim)
      return "head dimensions must be multiples of 16 up to " +
             std::to_string(kMaxHeadDim) + " (got " + std::to_string(x) + ")";
  return "";
}

std::string mlir::sinter::gpu_kernels::unsupportedAttention(Operation *op) {
  if (auto paged = dyn_cast<PagedAttentionOp>(op)) {
    if (paged.getInits().size() > 1)
      return "the paged kernel does not return the log-sum-exp yet";
    std::string why =
        unsupportedOperands(paged.getQuery(), paged.getKeyCache(),
                            paged.getValueCache(), paged.getInits(), op);
    if (!why.empty())
      return why;
    auto qT = cast<RankedTensorType>(paged.getQuery().getType());
    auto kT = cast<RankedTensorType>(paged.getKeyCache().getType());
    int64_t rows = qT.getDimSize(1) / kT.getDimSize(2) * qT.getDimSize(2);
    if (rows > 16)
      return "the paged kernel takes at most 16 query rows per KV head "
             "(Hq / Hkv x Sq = " +
             std::to_string(rows) + ")";
    return "";
  }
  auto attn = cast<AttentionOp>(op);
  if (attn.getBias())
    return "an additive bias is not supported by the GPU attention kernel "
           "yet";
  if (attn.getRopeCos())
    return "fused rotary embeddings are not supported by the GPU attention "
           "kernel yet";
  if (attn.getInits().size() > 1 &&
      !getElementTypeOrSelf(attn.getInits()[1].getType()).isF32())
    return "the log-sum-exp must be f32";
  return unsupportedOperands(attn.getQuery(), attn.getKey(), attn.getValue(),
                             attn.getInits(), op);
}

KernelPlan gpu_kernels::createAttentionKernels(OpBuilder &b, Operation *op,
                                               func::FuncOp f,
                                               ArrayRef<Type> params,
                                               const GPUResources &gpu) {
  if (auto paged = dyn_cast<PagedAttentionOp>(op))
    return createPagedAttentionKernels(b, paged, f, params, gpu);
  auto attn = cast<AttentionOp>(op);
  if (usesWgmmaAttention(attn, gpu))
    return createWgmmaAttentionKernels(b, attn, f, params, gpu);
  return createFlashAttentionKernels(b, attn, f, params, gpu);
}
