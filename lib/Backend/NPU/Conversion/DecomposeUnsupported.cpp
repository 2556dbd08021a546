//===- DecomposeUnsupported.cpp - Sinter ops without an NPU kernel --------===//
//
// sinter-npu-decompose-unsupported: see Passes.td.
//
//===----------------------------------------------------------------------===//
#include "NPUKernels.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sinter/Backend/NPU/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERNPUDECOMPOSEUNSUPPORTED
#include "sinter/Backend/NPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// Token-major ([B, S, H, D]) attention, which the NPU's FlashAttention
/// does not read: the same attention on [B, H, S, D] transposes of Q, K
/// and V, its output transposed back.
struct AttentionToHeadMajor : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getLayout() != AttentionLayout::bshd || op.getBias() ||
        op.getInits().size() != 1)
      return failure();
    for (Value v : op->getOperands())
      if (!cast<RankedTensorType>(v.getType()).hasStaticShape())
        return failure();
    Location loc = op.getLoc();
    SmallVector<int64_t> perm{0, 2, 1, 3};
    auto swapped = [&](Value v) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<int64_t> shape{t.getDimSize(0), t.getDimSize(2),
                                 t.getDimSize(1), t.getDimSize(3)};
      return tensor::EmptyOp::create(rewriter, loc, shape, t.getElementType())
          .getResult();
    };
    auto transpose = [&](Value v) {
      return linalg::TransposeOp::create(rewriter, loc, v, swapped(v), perm)
          ->getResult(0);
    };
    Value q = transpose(op.getQuery()), k = transpose(op.getKey()),
          v = transpose(op.getValue());
    Value init = swapped(op.getInits()[0]);
    auto headMajor = cast<AttentionOp>(rewriter.clone(*op));
    rewriter.modifyOpInPlace(headMajor, [&] {
      headMajor.getQueryMutable().assign(q);
      headMajor.getKeyMutable().assign(k);
      headMajor.getValueMutable().assign(v);
      headMajor.getInitsMutable().assign(init);
      headMajor.setLayout(AttentionLayout::bhsd);
      headMajor->getResult(0).setType(init.getType());
    });
    rewriter.replaceOp(op, transpose(headMajor->getResult(0)));
    return success();
  }
};

struct DecomposeUnsupportedPass
    : public sinter::impl::SinterNPUDecomposeUnsupportedBase<
          DecomposeUnsupportedPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Attention the kernel reads once transposed; GEMMs whose contraction
    // the cube runs, with what it cannot (pairwise halves, row
    // statistics, epilogues without a vector-unit form) decomposed after
    // it. Then every op still without a kernel is decomposed whole.
    RewritePatternSet set(&getContext());
    set.add<AttentionToHeadMajor>(&getContext());
    SmallVector<Operation *> bshd;
    module.walk([&](AttentionOp op) {
      if (!npu::unsupportedSinterOp(op).empty())
        bshd.push_back(op);
    });
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingOps);
    if (failed(applyOpPatternsGreedily(bshd, std::move(set), config)))
      return signalPassFailure();
    SmallVector<GemmOp> split;
    module.walk([&](GemmOp op) {
      if (!npu::unsupportedSinterOp(op).empty() &&
          npu::unsupportedGemmContraction(op).empty())
        split.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (GemmOp op : split) {
      rewriter.setInsertionPoint(op);
      if (failed(splitGemmContraction(op, rewriter)))
        return signalPassFailure();
    }
    if (failed(decomposeUnsupportedOps(module, [](Operation *op) {
          return npu::unsupportedSinterOp(op).empty();
        })))
      signalPassFailure();
  }
};
} // namespace
