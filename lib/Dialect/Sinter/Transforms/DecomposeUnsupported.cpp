//===- DecomposeUnsupported.cpp - Sinter ops a backend has no kernel for --===//
//
// The driver each backend's decompose-unsupported pass runs with its own
// test of what it has kernels for: the sinter ops it refuses become their
// reference decompositions (which sinter-partition makes generic kernels
// of), attention with fused RoPE first losing only its RoPE.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// Attention with RoPE fused, which the attention kernels do not
/// apply: RoPE on Q and K as sinter.rope (an elementwise kernel) before
/// the plain attention, rather than the whole attention decomposed. The
/// queries use table rows query_offset.., the keys rows 0...
struct UnfuseAttentionRope : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Value cos = op.getRopeCos(), sin = op.getRopeSin();
    if (!cos)
      return failure();
    auto tableType = cast<RankedTensorType>(cos.getType());
    if (!tableType.hasStaticShape())
      return failure();
    Location loc = op.getLoc();
    bool bshd = op.getLayout() == AttentionLayout::bshd;
    auto rotate = [&](Value x, int64_t first) -> Value {
      auto type = cast<RankedTensorType>(x.getType());
      int64_t seqDim = bshd ? 1 : 2;
      int64_t positions = type.getDimSize(seqDim);
      auto rows = [&](Value table) -> Value {
        if (first == 0 && positions == tableType.getDimSize(0))
          return table;
        return tensor::ExtractSliceOp::create(
            rewriter, loc, table,
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(first),
                                   rewriter.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{
                rewriter.getIndexAttr(positions),
                rewriter.getIndexAttr(tableType.getDimSize(1))},
            ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1),
                                   rewriter.getIndexAttr(1)});
      };
      Value init = tensor::EmptyOp::create(rewriter, loc, type.getShape(),
                                           type.getElementType());
      return RopeOp::create(rewriter, loc, type, x, rows(cos), rows(sin), init,
                            op.getRopeMode(),
                            rewriter.getI64IntegerAttr(seqDim))
          .getResult();
    };
    Value q = rotate(op.getQuery(), op.getQueryOffset());
    Value k = rotate(op.getKey(), 0);
    rewriter.modifyOpInPlace(op, [&] {
      op.getQueryMutable().assign(q);
      op.getKeyMutable().assign(k);
      op.getRopeCosMutable().clear();
      op.getRopeSinMutable().clear();
    });
    return success();
  }
};

} // namespace

LogicalResult mlir::sinter::decomposeUnsupportedOps(
    ModuleOp module, llvm::function_ref<bool(Operation *)> hasKernel) {
  MLIRContext *ctx = module.getContext();
  // Unfusing RoPE goes first (the attention itself may have a kernel);
  // what is still unsupported then is decomposed.
  RewritePatternSet unfuseSet(ctx);
  unfuseSet.add<UnfuseAttentionRope>(ctx);
  FrozenRewritePatternSet unfuse(std::move(unfuseSet));
  RewritePatternSet set(ctx);
  populateDecomposePatterns(set);
  FrozenRewritePatternSet patterns(std::move(set));
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingOps);
  auto collectUnsupported = [&] {
    SmallVector<Operation *> unsupported;
    module.walk([&](func::FuncOp f) {
      if (f.isExternal())
        return;
      for (Operation &op : f.getBody().getOps())
        if (isa<SinterDialect>(op.getDialect()) && !hasKernel(&op))
          unsupported.push_back(&op);
    });
    return unsupported;
  };
  // A decomposition may make sinter ops of its own; those the backend
  // cannot run go in the next round.
  bool decomposed = false;
  for (int round = 0; round < 4; ++round) {
    SmallVector<Operation *> unsupported = collectUnsupported();
    if (unsupported.empty())
      break;
    decomposed = true;
    if (failed(applyOpPatternsGreedily(unsupported, unfuse, config)))
      return failure();
    unsupported = collectUnsupported();
    if (!unsupported.empty() &&
        failed(applyOpPatternsGreedily(unsupported, patterns, config)))
      return failure();
  }
  if (!decomposed)
    return success();
  // The decompositions ask for sizes (tensor.dim) that are static here.
  RewritePatternSet dims(ctx);
  tensor::DimOp::getCanonicalizationPatterns(dims, ctx);
  return applyPatternsGreedily(module, std::move(dims));
}
