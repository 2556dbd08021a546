//===- PrepareForNVVM.cpp - Rewrites around the NVVM lowering -------------===//
//
// sinter-gpu-tanh-on-sfu (before the NVVM conversion) and
// sinter-gpu-tensor-map-params (after it); see Passes.td.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "sinter/Backend/GPU/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERGPUTANHONSFU
#define GEN_PASS_DEF_SINTERGPUTENSORMAPPARAMS
#include "sinter/Backend/GPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// f32 tanh(x) = 1 - 2 / (1 + 2^(2 x log2 e)) on the SFU (ex2.approx and an
/// approximate reciprocal).
struct TanhOnSFU : OpRewritePattern<math::TanhOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::TanhOp op,
                                PatternRewriter &b) const override {
    if (!op.getType().isF32())
      return failure();
    Location loc = op.getLoc();
    auto f32 = [&](float v) {
      return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
    };
    Value scaled = arith::MulFOp::create(b, loc, op.getOperand(),
                                         f32(2.0f * 1.4426950408889634f));
    Value e =
        LLVM::CallIntrinsicOp::create(
            b, loc, b.getF32Type(),
            b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f"), ValueRange{scaled})
            .getResult(0);
    Value den = arith::AddFOp::create(b, loc, e, f32(1));
    Value q = arith::DivFOp::create(
        b, loc, f32(2), den,
        arith::FastMathFlagsAttr::get(b.getContext(),
                                      arith::FastMathFlags::afn |
                                          arith::FastMathFlags::arcp));
    b.replaceOpWithNewOp<arith::SubFOp>(op, f32(1), q);
    return success();
  }
};

struct TanhOnSFUPass
    : public sinter::impl::SinterGPUTanhOnSFUBase<TanhOnSFUPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TanhOnSFU>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

struct TensorMapParamsPass
    : public sinter::impl::SinterGPUTensorMapParamsBase<TensorMapParamsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    getOperation()->walk([&](LLVM::LLVMFuncOp f) {
      auto args = f->getAttrOfType<DenseI64ArrayAttr>(kTensorMapArgsAttrName);
      if (!args)
        return;
      Builder b(ctx);
      for (int64_t i : args.asArrayRef()) {
        f.setArgAttr(
            i, LLVM::LLVMDialect::getByValAttrName(),
            TypeAttr::get(LLVM::LLVMArrayType::get(b.getI8Type(), 128)));
        f.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                     b.getI64IntegerAttr(64));
        f.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                     b.getUnitAttr());
      }
      f->removeAttr(kTensorMapArgsAttrName);
    });
  }
};
} // namespace
