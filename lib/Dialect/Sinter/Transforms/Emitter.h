//===- Emitter.h - IR construction helpers for sinter rewrites --*- C++ -*-===//
//
// Private to the sinter transforms: a builder bundled with a location and
// the helpers every decomposition and tiling needs (constants, conversions,
// linalg.generic construction).
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_LIB_TRANSFORMS_EMITTER_H
#define SINTER_LIB_TRANSFORMS_EMITTER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "sinter/Support/ScalarBuilder.h"
#include <cmath>

namespace mlir::sinter::detail {
using utils::IteratorType;
constexpr IteratorType kPar = IteratorType::parallel;
constexpr IteratorType kRed = IteratorType::reduction;

using BodyFn = function_ref<SmallVector<Value>(ValueRange args)>;

/// A builder bundled with a location and the helpers every decomposition
/// needs: the scalar IR of ScalarBuilder, tensors, affine maps and
/// linalg.generic construction.
struct Emitter : ScalarBuilder {
  Type f32Type() { return b.getF32Type(); }
  Type i32() { return b.getI32Type(); }

  Value f(double v) { return cst(f32Type(), v); }
  Value negInf() { return f(-INFINITY); }
  Value zero(Type t) { return cst(t, 0); }

  Value div(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  Value max(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? arith::MaximumFOp::create(b, loc, x, y).getResult()
               : arith::MaxSIOp::create(b, loc, x, y).getResult();
  }
  Value notI1(Value x) {
    return arith::XOrIOp::create(b, loc, x,
                                 arith::ConstantIntOp::create(b, loc, 1, 1));
  }
  Value clampIndex(Value v, Value lo, Value hi) {
    return arith::MinSIOp::create(b, loc, arith::MaxSIOp::create(b, loc, v, lo),
                                  hi);
  }
  Value index(int64_t dim) { return linalg::IndexOp::create(b, loc, dim); }
  Value dim(Value t, int64_t d) { return tensor::DimOp::create(b, loc, t, d); }

  SmallVector<OpFoldResult> sizes(Value t) {
    return tensor::getMixedSizes(b, loc, t);
  }
  Value empty(ArrayRef<OpFoldResult> shape, Type elem) {
    return tensor::EmptyOp::create(b, loc, shape, elem);
  }
  Value fill(Value init, Value v) {
    return linalg::FillOp::create(b, loc, ValueRange{v}, ValueRange{init})
        .getResult(0);
  }
  Value filled(ArrayRef<OpFoldResult> shape, Type elem, double v) {
    return fill(empty(shape, elem), cst(elem, v));
  }

  /// An affine map over `numDims` loops whose results are the listed dims;
  /// a negative entry stands for the constant 0 (a broadcast size-1 dim).
  AffineMap map(unsigned numDims, ArrayRef<int64_t> dims) {
    SmallVector<AffineExpr> exprs;
    for (int64_t d : dims)
      exprs.push_back(d < 0 ? getAffineConstantExpr(0, ctx())
                            : getAffineDimExpr(d, ctx()));
    return AffineMap::get(numDims, 0, exprs, ctx());
  }
  AffineMap identity(unsigned n) {
    return AffineMap::getMultiDimIdentityMap(n, ctx());
  }
  /// The identity over `n` loops with loop `drop` removed from the results.
  AffineMap dropping(unsigned n, unsigned drop) {
    SmallVector<int64_t> dims;
    for (unsigned i = 0; i < n; ++i)
      if (i != drop)
        dims.push_back(i);
    return map(n, dims);
  }

  SmallVector<Value> generic(ValueRange ins, ValueRange outs,
                             ArrayRef<AffineMap> maps,
                             ArrayRef<IteratorType> iters, BodyFn body) {
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange(outs), ins, outs, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          // GenericOp::build hands back this same builder, positioned in
          // the new block, so `body` can keep using this emitter.
          assert(&nb == &b && "expected the emitter's builder");
          linalg::YieldOp::create(nb, nl, body(args));
        });
    return SmallVector<Value>(op.getResults().begin(), op.getResults().end());
  }
  Value generic1(ValueRange ins, Value out, ArrayRef<AffineMap> maps,
                 ArrayRef<IteratorType> iters,
                 function_ref<Value(ValueRange)> body) {
    return generic(
        ins, out, maps, iters,
        [&](ValueRange args) -> SmallVector<Value> { return {body(args)}; })[0];
  }
};

inline SmallVector<IteratorType> iters(int64_t n, ArrayRef<int64_t> reduced = {}) {
  SmallVector<IteratorType> its(n, kPar);
  for (int64_t r : reduced)
    its[r] = kRed;
  return its;
}

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// Clones the single-block `region` with its arguments bound to `args` at
/// the builder's insertion point and returns the values it yields.
inline SmallVector<Value> inlineRegion(OpBuilder &b, Region &region, ValueRange args) {
  Block &block = region.front();
  IRMapping mapping;
  mapping.map(block.getArguments(), args);
  for (Operation &op : block.without_terminator())
    b.clone(op, mapping);
  return llvm::map_to_vector(
      block.getTerminator()->getOperands(),
      [&](Value v) { return mapping.lookupOrDefault(v); });
}


/// Rotary embedding of `x` along its last dim, with table row
/// `index(seqDim) + posOffset` for each element.
Value buildRope(Emitter &e, Value x, Value cos, Value sin, Value init,
                int64_t seqDim, bool interleaved, int64_t posOffset);

} // namespace mlir::sinter::detail

#endif // SINTER_LIB_TRANSFORMS_EMITTER_H
