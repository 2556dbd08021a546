//===- ScalarBuilder.h - The scalar IR every generator writes ---*- C++ -*-===//
//
// A builder bundled with a location and the scalar IR that every IR
// generator in the compiler writes: constants, index and float arithmetic,
// comparisons, conversions and scf.if bodies. The sinter transforms'
// Emitter and the CPU, GPU and NPU kernel builders derive from it and add
// what is theirs (linalg.generic construction, vector micro-kernels, GPU
// pointers and MMA fragments, NPU scratchpads and DMA).
//
//===----------------------------------------------------------------------===//
#ifndef SINTER_SUPPORT_SCALARBUILDER_H
#define SINTER_SUPPORT_SCALARBUILDER_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::sinter {

struct ScalarBuilder {
  OpBuilder &b;
  Location loc;

  MLIRContext *ctx() const { return b.getContext(); }

  //===--------------------------------------------------------------------===//
  // Constants
  //===--------------------------------------------------------------------===//

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value f32(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  /// `v` as a constant of the scalar type `t` (float, integer or index).
  Value cst(Type t, double v) {
    if (isa<FloatType>(t))
      return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
    if (t.isIndex())
      return idx(static_cast<int64_t>(v));
    return arith::ConstantOp::create(
        b, loc, b.getIntegerAttr(t, static_cast<int64_t>(v)));
  }

  //===--------------------------------------------------------------------===//
  // Arithmetic: the integer op for integers and indices, the float op for
  // floats.
  //===--------------------------------------------------------------------===//

  Value add(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? arith::AddFOp::create(b, loc, x, y).getResult()
               : arith::AddIOp::create(b, loc, x, y).getResult();
  }
  Value sub(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? arith::SubFOp::create(b, loc, x, y).getResult()
               : arith::SubIOp::create(b, loc, x, y).getResult();
  }
  Value mul(Value x, Value y) {
    return isa<FloatType>(x.getType())
               ? arith::MulFOp::create(b, loc, x, y).getResult()
               : arith::MulIOp::create(b, loc, x, y).getResult();
  }
  /// Unsigned quotient and remainder of an index by a constant.
  Value divu(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, idx(y));
  }
  Value remu(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, idx(y));
  }
  Value minsi(Value x, Value y) {
    return arith::MinSIOp::create(b, loc, x, y).getResult();
  }
  Value maxsi(Value x, Value y) {
    return arith::MaxSIOp::create(b, loc, x, y).getResult();
  }

  //===--------------------------------------------------------------------===//
  // Comparisons and logic
  //===--------------------------------------------------------------------===//

  /// x < y for indices (unsigned).
  Value lt(Value x, Value y) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
  }
  Value cmpi(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value cmpf(arith::CmpFPredicate p, Value x, Value y) {
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  Value andi(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value ori(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }

  //===--------------------------------------------------------------------===//
  // Conversions
  //===--------------------------------------------------------------------===//

  /// Converts a scalar between float, integer (signed unless `isUnsigned`)
  /// and index types.
  Value convert(Value v, Type to, bool isUnsigned = false) {
    Type from = v.getType();
    if (from == to)
      return v;
    auto fromF = dyn_cast<FloatType>(from), toF = dyn_cast<FloatType>(to);
    if (fromF && toF)
      return fromF.getWidth() < toF.getWidth()
                 ? arith::ExtFOp::create(b, loc, to, v).getResult()
                 : arith::TruncFOp::create(b, loc, to, v).getResult();
    if (from.isIndex() || to.isIndex()) {
      if (toF || fromF)
        return convert(convert(v, b.getI64Type()), to);
      return arith::IndexCastOp::create(b, loc, to, v);
    }
    if (toF)
      return isUnsigned ? arith::UIToFPOp::create(b, loc, to, v).getResult()
                        : arith::SIToFPOp::create(b, loc, to, v).getResult();
    if (fromF)
      return arith::FPToSIOp::create(b, loc, to, v);
    unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
    if (fw < tw)
      return isUnsigned ? arith::ExtUIOp::create(b, loc, to, v).getResult()
                        : arith::ExtSIOp::create(b, loc, to, v).getResult();
    return arith::TruncIOp::create(b, loc, to, v);
  }
  Value toF32(Value v) { return convert(v, b.getF32Type()); }
  Value toIndex(Value v) { return convert(v, b.getIndexType()); }

  //===--------------------------------------------------------------------===//
  // Control flow
  //===--------------------------------------------------------------------===//

  /// Builds `body` inside an scf.if on `cond` (no else, no results).
  void ifThen(Value cond, llvm::function_ref<void()> body) {
    auto i = scf::IfOp::create(b, loc, TypeRange{}, cond, false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&i.getThenRegion().front());
    body();
  }
};

} // namespace mlir::sinter

#endif // SINTER_SUPPORT_SCALARBUILDER_H
