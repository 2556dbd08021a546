//===- PayloadEval.cpp - Evaluate scalar linalg payloads ------------------===//
#include "PayloadEval.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>

using namespace mlir;

static std::optional<bool> evalCmpF(arith::CmpFPredicate p, double a,
                                    double b) {
  using P = arith::CmpFPredicate;
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (p) {
  case P::OEQ:
    return !unordered && a == b;
  case P::ONE:
    return !unordered && a != b;
  case P::OGT:
    return !unordered && a > b;
  case P::OGE:
    return !unordered && a >= b;
  case P::OLT:
    return !unordered && a < b;
  case P::OLE:
    return !unordered && a <= b;
  case P::UEQ:
    return unordered || a == b;
  case P::UNE:
    return unordered || a != b;
  case P::UGT:
    return unordered || a > b;
  case P::UGE:
    return unordered || a >= b;
  case P::ULT:
    return unordered || a < b;
  case P::ULE:
    return unordered || a <= b;
  case P::ORD:
    return !unordered;
  case P::UNO:
    return unordered;
  case P::AlwaysTrue:
    return true;
  case P::AlwaysFalse:
    return false;
  }
  return std::nullopt;
}

static std::optional<bool> evalCmpI(arith::CmpIPredicate p, double a,
                                    double b) {
  using P = arith::CmpIPredicate;
  switch (p) {
  case P::eq:
    return a == b;
  case P::ne:
    return a != b;
  case P::slt:
  case P::ult:
    return a < b;
  case P::sle:
  case P::ule:
    return a <= b;
  case P::sgt:
  case P::ugt:
    return a > b;
  case P::sge:
  case P::uge:
    return a >= b;
  }
  return std::nullopt;
}

std::optional<double> mlir::sinter::evaluatePayload(Block &block,
                                                    ArrayRef<double> args,
                                                    ArrayRef<int64_t> indices,
                                                    unsigned result) {
  if (args.size() != block.getNumArguments())
    return std::nullopt;
  llvm::DenseMap<Value, double> env;
  for (auto [arg, v] : llvm::zip(block.getArguments(), args))
    env[arg] = v;
  auto get = [&](Value v) -> std::optional<double> {
    auto it = env.find(v);
    if (it != env.end())
      return it->second;
    // Constants defined outside the payload.
    if (auto c = v.getDefiningOp<arith::ConstantOp>()) {
      if (auto f = dyn_cast<FloatAttr>(c.getValue()))
        return f.getValueAsDouble();
      if (auto i = dyn_cast<IntegerAttr>(c.getValue()))
        return double(i.getValue().getSExtValue());
    }
    return std::nullopt;
  };
  for (Operation &op : block) {
    if (auto y = dyn_cast<linalg::YieldOp>(op))
      return result < y.getNumOperands() ? get(y.getOperand(result))
                                         : std::nullopt;
    SmallVector<double> in;
    for (Value v : op.getOperands()) {
      std::optional<double> x = get(v);
      if (!x)
        return std::nullopt;
      in.push_back(*x);
    }
    std::optional<double> r =
        llvm::TypeSwitch<Operation *, std::optional<double>>(&op)
            .Case<arith::ConstantOp>([&](auto c) -> std::optional<double> {
              return get(c.getResult());
            })
            .Case<arith::AddFOp, arith::AddIOp>(
                [&](auto) { return in[0] + in[1]; })
            .Case<arith::SubFOp, arith::SubIOp>(
                [&](auto) { return in[0] - in[1]; })
            .Case<arith::MulFOp, arith::MulIOp>(
                [&](auto) { return in[0] * in[1]; })
            .Case<arith::DivFOp>([&](auto) { return in[0] / in[1]; })
            .Case<arith::NegFOp>([&](auto) { return -in[0]; })
            .Case<arith::MaximumFOp, arith::MaxNumFOp, arith::MaxSIOp>(
                [&](auto) { return std::max(in[0], in[1]); })
            .Case<arith::MinimumFOp, arith::MinNumFOp, arith::MinSIOp>(
                [&](auto) { return std::min(in[0], in[1]); })
            // Unsigned conversions agree with signed ones on the
            // non-negative samples callers use for them.
            .Case<arith::ExtFOp, arith::TruncFOp, arith::SIToFPOp,
                  arith::UIToFPOp, arith::IndexCastOp, arith::ExtSIOp,
                  arith::ExtUIOp>([&](auto) { return in[0]; })
            .Case<arith::SelectOp>(
                [&](auto) { return in[0] != 0 ? in[1] : in[2]; })
            .Case<arith::CmpFOp>([&](auto c) -> std::optional<double> {
              auto b = evalCmpF(c.getPredicate(), in[0], in[1]);
              return b ? std::optional<double>(*b) : std::nullopt;
            })
            .Case<arith::CmpIOp>([&](auto c) -> std::optional<double> {
              auto b = evalCmpI(c.getPredicate(), in[0], in[1]);
              return b ? std::optional<double>(*b) : std::nullopt;
            })
            .Case<arith::AndIOp>([&](auto) { return double(in[0] && in[1]); })
            .Case<arith::OrIOp>([&](auto) { return double(in[0] || in[1]); })
            .Case<math::ExpOp>([&](auto) { return std::exp(in[0]); })
            .Case<math::LogOp>([&](auto) { return std::log(in[0]); })
            .Case<math::SqrtOp>([&](auto) { return std::sqrt(in[0]); })
            .Case<math::RsqrtOp>([&](auto) { return 1.0 / std::sqrt(in[0]); })
            .Case<math::TanhOp>([&](auto) { return std::tanh(in[0]); })
            .Case<math::ErfOp>([&](auto) { return std::erf(in[0]); })
            .Case<math::AbsFOp>([&](auto) { return std::fabs(in[0]); })
            .Case<math::PowFOp>([&](auto) { return std::pow(in[0], in[1]); })
            .Case<linalg::IndexOp>([&](auto idx) -> std::optional<double> {
              if (idx.getDim() >= indices.size())
                return std::nullopt;
              return double(indices[idx.getDim()]);
            })
            .Default([](Operation *) { return std::nullopt; });
    if (!r || op.getNumResults() != 1)
      return std::nullopt;
    env[op.getResult(0)] = *r;
  }
  return std::nullopt;
}

bool mlir::sinter::payloadMatches(
    Block &block, const std::function<SmallVector<double>(int)> &sample,
    const std::function<double(ArrayRef<double>)> &expected, unsigned result) {
  for (int i = 0; i < 16; ++i) {
    SmallVector<double> args = sample(i);
    std::optional<double> got = evaluatePayload(block, args, {}, result);
    double want = expected(args);
    if (!got)
      return false;
    if (std::isinf(want) || std::isinf(*got)) {
      if (*got != want)
        return false;
      continue;
    }
    if (std::fabs(*got - want) > 1e-6 * std::max(1.0, std::fabs(want)))
      return false;
  }
  return true;
}
