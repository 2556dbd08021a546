//===- EmitVGeneric.cpp - npu.vgeneric as kernel-API calls ----------------===//
//
// An npu.vgeneric becomes a chunk loop on the kernel API: per chunk, a
// Core::gather per input (MTE2), Core::vcompute with the body as a C++
// lambda (V), a Core::scatter per output (MTE3), two buffer sets in the
// unified buffer ordered by flags (see the op's description).
//
//===----------------------------------------------------------------------===//
#include "EmitKernelCpp.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::npu;

namespace {
/// The C++ type a body value is computed in.
FailureOr<std::string> cppType(Operation *op, Type t) {
  if (t.isF32() || t.isF16() || t.isBF16())
    return std::string("float");
  if (t.isF64())
    return std::string("double");
  if (t.isIndex())
    return std::string("int64_t");
  if (t.isInteger(1))
    return std::string("bool");
  for (unsigned w : {8u, 16u, 32u, 64u})
    if (t.isInteger(w))
      return "int" + std::to_string(w) + "_t";
  return op->emitError() << "npu-to-cpp: no C++ type for " << t, failure();
}

/// `expr` rounded to float type `t` (f16/bf16 round after every op, as the
/// reference does).
std::string rounded(Type t, const std::string &expr) {
  if (t.isBF16())
    return "sinter_bf16(" + expr + ")";
  if (t.isF16())
    return "sinter_f16(" + expr + ")";
  if (t.isF32())
    return "float(" + expr + ")";
  return expr;
}

std::string affineCpp(AffineExpr e, ArrayRef<std::string> dims) {
  switch (e.getKind()) {
  case AffineExprKind::Constant:
    return "int64_t(" + std::to_string(cast<AffineConstantExpr>(e).getValue()) +
           ")";
  case AffineExprKind::DimId:
    return dims[cast<AffineDimExpr>(e).getPosition()];
  case AffineExprKind::SymbolId:
    return "0";
  default:
    break;
  }
  auto bin = cast<AffineBinaryOpExpr>(e);
  std::string l = affineCpp(bin.getLHS(), dims),
              r = affineCpp(bin.getRHS(), dims);
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return "(" + l + " + " + r + ")";
  case AffineExprKind::Mul:
    return "(" + l + " * " + r + ")";
  case AffineExprKind::Mod:
    return "sinter_mod(" + l + ", " + r + ")";
  case AffineExprKind::FloorDiv:
    return "sinter_floordiv(" + l + ", " + r + ")";
  default:
    return "sinter_ceildiv(" + l + ", " + r + ")";
  }
}

std::string floatLiteral(double v) {
  if (std::isnan(v))
    return "std::numeric_limits<float>::quiet_NaN()";
  if (std::isinf(v))
    return v > 0 ? "std::numeric_limits<float>::infinity()"
                 : "-std::numeric_limits<float>::infinity()";
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.17g", v);
  return "float(" + s + ")";
}

struct BodyEmitter {
  BodyEmitter(raw_ostream &os, std::string indent,
              llvm::function_ref<std::string(Value)> globalName)
      : os(os), indent(std::move(indent)), globalName(globalName) {}
  raw_ostream &os;
  std::string indent;
  llvm::function_ref<std::string(Value)> globalName;
  DenseMap<Value, std::string> names;
  int counter = 0;

  std::string of(Value v) { return names.lookup(v); }

  LogicalResult define(Operation *op, const std::string &expr) {
    Value r = op->getResult(0);
    FailureOr<std::string> t = cppType(op, r.getType());
    if (failed(t))
      return failure();
    std::string n = "v" + std::to_string(counter++);
    names[r] = n;
    os << indent << "const " << *t << " " << n << " = " << expr << ";\n";
    return success();
  }

  LogicalResult emit(Operation &op) {
    Type rt = op.getNumResults() == 1 ? op.getResult(0).getType() : Type();
    auto a = [&](unsigned i) { return of(op.getOperand(i)); };
    auto fbin = [&](const char *sym) {
      return define(&op, rounded(rt, a(0) + " " + sym + " " + a(1)));
    };
    auto fcall = [&](const std::string &fn) {
      std::string args;
      for (unsigned i = 0; i < op.getNumOperands(); ++i)
        args += (i ? ", " : "") + a(i);
      return define(&op, rounded(rt, fn + "(" + args + ")"));
    };
    // Integer arithmetic wraps: computed on uint64_t, cast back.
    auto ibin = [&](const char *sym) -> LogicalResult {
      FailureOr<std::string> t = cppType(&op, rt);
      if (failed(t))
        return failure();
      if (rt.isInteger(1))
        return define(&op, "bool(" + a(0) + " " + sym + " " + a(1) + ")");
      return define(&op, *t + "(uint64_t(" + a(0) + ") " + sym + " uint64_t(" +
                             a(1) + "))");
    };
    auto unsignedOf = [&](Value v) -> std::string {
      unsigned w =
          v.getType().isIndex() ? 64 : v.getType().getIntOrFloatBitWidth();
      if (w == 1)
        return of(v);
      return "uint" + std::to_string(std::max(8u, w)) + "_t(" + of(v) + ")";
    };
    auto cast = [&](const std::string &expr) -> LogicalResult {
      FailureOr<std::string> t = cppType(&op, rt);
      if (failed(t))
        return failure();
      if (isa<FloatType>(rt))
        return define(&op, rounded(rt, "float(" + expr + ")"));
      return define(&op, *t + "(" + expr + ")");
    };
    return TypeSwitch<Operation *, LogicalResult>(&op)
        .Case([&](arith::ConstantOp c) -> LogicalResult {
          Attribute v = c.getValue();
          if (auto f = dyn_cast<FloatAttr>(v))
            return define(&op, floatLiteral(f.getValueAsDouble()));
          if (auto i = dyn_cast<IntegerAttr>(v)) {
            FailureOr<std::string> t = cppType(&op, rt);
            if (failed(t))
              return failure();
            if (rt.isInteger(1))
              return define(&op, i.getValue().isZero() ? "false" : "true");
            return define(&op, *t + "(int64_t(" +
                                   std::to_string(i.getValue().getSExtValue()) +
                                   "LL))");
          }
          return op.emitError("npu-to-cpp: a non-scalar constant in a body");
        })
        .Case([&](arith::AddFOp) { return fbin("+"); })
        .Case([&](arith::SubFOp) { return fbin("-"); })
        .Case([&](arith::MulFOp) { return fbin("*"); })
        .Case([&](arith::DivFOp) { return fbin("/"); })
        .Case([&](arith::RemFOp) { return fcall("std::fmod"); })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>(
            [&](Operation *) { return fcall("sinter_fmax"); })
        .Case<arith::MinimumFOp, arith::MinNumFOp>(
            [&](Operation *) { return fcall("sinter_fmin"); })
        .Case([&](arith::NegFOp) { return define(&op, "-" + a(0)); })
        .Case<arith::ExtFOp, arith::TruncFOp>(
            [&](Operation *) { return define(&op, rounded(rt, a(0))); })
        .Case<arith::SIToFPOp>([&](Operation *) { return cast(a(0)); })
        .Case<arith::UIToFPOp>(
            [&](Operation *) { return cast(unsignedOf(op.getOperand(0))); })
        .Case<arith::FPToSIOp, arith::FPToUIOp, arith::ExtSIOp,
              arith::TruncIOp>([&](Operation *) { return cast(a(0)); })
        .Case<arith::IndexCastOp, arith::IndexCastUIOp>(
            [&](Operation *) { return cast(a(0)); })
        .Case(
            [&](arith::ExtUIOp) { return cast(unsignedOf(op.getOperand(0))); })
        .Case([&](arith::AddIOp) { return ibin("+"); })
        .Case([&](arith::SubIOp) { return ibin("-"); })
        .Case([&](arith::MulIOp) { return ibin("*"); })
        .Case([&](arith::AndIOp) { return ibin("&"); })
        .Case([&](arith::OrIOp) { return ibin("|"); })
        .Case([&](arith::XOrIOp) { return ibin("^"); })
        .Case([&](arith::ShLIOp) { return ibin("<<"); })
        .Case([&](arith::ShRSIOp) { return cast(a(0) + " >> " + a(1)); })
        .Case([&](arith::ShRUIOp) {
          return cast(unsignedOf(op.getOperand(0)) + " >> " + a(1));
        })
        .Case([&](arith::DivSIOp) { return cast(a(0) + " / " + a(1)); })
        .Case([&](arith::RemSIOp) { return cast(a(0) + " % " + a(1)); })
        .Case([&](arith::DivUIOp) {
          return cast(unsignedOf(op.getOperand(0)) + " / " +
                      unsignedOf(op.getOperand(1)));
        })
        .Case([&](arith::RemUIOp) {
          return cast(unsignedOf(op.getOperand(0)) + " % " +
                      unsignedOf(op.getOperand(1)));
        })
        .Case([&](arith::FloorDivSIOp) {
          return cast("sinter_floordiv(" + a(0) + ", " + a(1) + ")");
        })
        .Case([&](arith::CeilDivSIOp) {
          return cast("sinter_ceildiv(" + a(0) + ", " + a(1) + ")");
        })
        .Case<arith::MaxSIOp, arith::MinSIOp>([&](Operation *) {
          return cast(
              std::string(isa<arith::MaxSIOp>(op) ? "std::max" : "std::min") +
              "(" + a(0) + ", " + a(1) + ")");
        })
        .Case<arith::MaxUIOp, arith::MinUIOp>([&](Operation *) {
          return cast(
              std::string(isa<arith::MaxUIOp>(op) ? "std::max" : "std::min") +
              "(" + unsignedOf(op.getOperand(0)) + ", " +
              unsignedOf(op.getOperand(1)) + ")");
        })
        .Case([&](arith::SelectOp) {
          return define(&op, a(0) + " ? " + a(1) + " : " + a(2));
        })
        .Case([&](arith::CmpFOp c) -> LogicalResult {
          using P = arith::CmpFPredicate;
          std::string x = a(0), y = a(1);
          std::string nan = "(std::isnan(" + x + ") || std::isnan(" + y + "))";
          auto ordered = [&](const std::string &rel) {
            return "(!" + nan + " && " + x + " " + rel + " " + y + ")";
          };
          auto unordered = [&](const std::string &rel) {
            return "(" + nan + " || " + x + " " + rel + " " + y + ")";
          };
          std::string e;
          switch (c.getPredicate()) {
          case P::AlwaysFalse:
            e = "false";
            break;
          case P::AlwaysTrue:
            e = "true";
            break;
          case P::OEQ:
            e = ordered("==");
            break;
          case P::OGT:
            e = ordered(">");
            break;
          case P::OGE:
            e = ordered(">=");
            break;
          case P::OLT:
            e = ordered("<");
            break;
          case P::OLE:
            e = ordered("<=");
            break;
          case P::ONE:
            e = ordered("!=");
            break;
          case P::ORD:
            e = "!" + nan;
            break;
          case P::UEQ:
            e = unordered("==");
            break;
          case P::UGT:
            e = unordered(">");
            break;
          case P::UGE:
            e = unordered(">=");
            break;
          case P::ULT:
            e = unordered("<");
            break;
          case P::ULE:
            e = unordered("<=");
            break;
          case P::UNE:
            e = unordered("!=");
            break;
          case P::UNO:
            e = nan;
            break;
          }
          return define(&op, e);
        })
        .Case([&](arith::CmpIOp c) -> LogicalResult {
          using P = arith::CmpIPredicate;
          std::string x = a(0), y = a(1);
          std::string ux = unsignedOf(c.getLhs()), uy = unsignedOf(c.getRhs());
          std::string e;
          switch (c.getPredicate()) {
          case P::eq:
            e = x + " == " + y;
            break;
          case P::ne:
            e = x + " != " + y;
            break;
          case P::slt:
            e = x + " < " + y;
            break;
          case P::sle:
            e = x + " <= " + y;
            break;
          case P::sgt:
            e = x + " > " + y;
            break;
          case P::sge:
            e = x + " >= " + y;
            break;
          case P::ult:
            e = ux + " < " + uy;
            break;
          case P::ule:
            e = ux + " <= " + uy;
            break;
          case P::ugt:
            e = ux + " > " + uy;
            break;
          case P::uge:
            e = ux + " >= " + uy;
            break;
          }
          return define(&op, e);
        })
        .Case([&](math::ExpOp) { return fcall("std::exp"); })
        .Case([&](math::Exp2Op) { return fcall("std::exp2"); })
        .Case([&](math::ExpM1Op) { return fcall("std::expm1"); })
        .Case([&](math::LogOp) { return fcall("std::log"); })
        .Case([&](math::Log2Op) { return fcall("std::log2"); })
        .Case([&](math::Log1pOp) { return fcall("std::log1p"); })
        .Case([&](math::TanhOp) { return fcall("std::tanh"); })
        .Case([&](math::SqrtOp) { return fcall("std::sqrt"); })
        .Case([&](math::RsqrtOp) {
          return define(&op, rounded(rt, "1.0f / std::sqrt(" + a(0) + ")"));
        })
        .Case([&](math::AbsFOp) { return fcall("std::fabs"); })
        .Case([&](math::ErfOp) { return fcall("std::erf"); })
        .Case([&](math::PowFOp) { return fcall("std::pow"); })
        .Case([&](math::SinOp) { return fcall("std::sin"); })
        .Case([&](math::CosOp) { return fcall("std::cos"); })
        .Case([&](math::TanOp) { return fcall("std::tan"); })
        .Case([&](math::AtanOp) { return fcall("std::atan"); })
        .Case([&](math::FloorOp) { return fcall("std::floor"); })
        .Case([&](math::CeilOp) { return fcall("std::ceil"); })
        .Case([&](math::RoundOp) { return fcall("std::round"); })
        .Case([&](math::RoundEvenOp) { return fcall("std::nearbyint"); })
        .Case([&](math::FmaOp) { return fcall("std::fma"); })
        .Case([&](affine::AffineApplyOp apply) {
          SmallVector<std::string> dims;
          for (Value v : apply.getMapOperands())
            dims.push_back(of(v));
          return define(&op,
                        affineCpp(apply.getAffineMap().getResult(0), dims));
        })
        .Case([&](memref::LoadOp load) -> LogicalResult {
          // The scalar unit reads the element (a gather's table entry).
          auto type = load.getMemRefType();
          std::string linear = "int64_t(0)";
          for (auto [d, i] : llvm::enumerate(load.getIndices()))
            linear = "(" + linear + " * " + std::to_string(type.getDimSize(d)) +
                     " + " + of(i) + ")";
          std::string tile = globalName(load.getMemRef());
          if (tile.empty())
            return load.emitError("npu-to-cpp: a body reads a memref that "
                                  "is not a kernel argument");
          return define(&op, rounded(rt, "core.readValue(" + tile + ", " +
                                             linear + " / " + tile + ".cols, " +
                                             linear + " % " + tile + ".cols)"));
        })
        .Default([&](Operation *other) {
          return other->emitError() << "npu-to-cpp: '" << other->getName()
                                    << "' has no form in a vector program yet";
        });
  }
};
} // namespace

LogicalResult mlir::sinter::npu::emitVGenericCpp(
    VGenericOp op, raw_ostream &os, int indentLevel,
    llvm::function_ref<std::string(Value)> globalName,
    llvm::function_ref<FailureOr<std::string>(Type)> dtypeOf, int id) {
  std::string in0(2 * indentLevel, ' '), in1 = in0 + "  ", in2 = in1 + "  ",
                                         in3 = in2 + "  ";
  unsigned loops = op.getNumLoops();
  unsigned numIn = op.getInputs().size(), numOut = op.getOutputs().size();
  ArrayRef<int64_t> ranges = op.getLoopRanges();
  SmallVector<unsigned> par, red;
  for (unsigned d = 0; d < loops; ++d)
    (op.isReductionLoop(d) ? red : par).push_back(d);
  int64_t P = 1, R = 1;
  for (unsigned d : par)
    P *= ranges[d];
  for (unsigned d : red)
    R *= ranges[d];
  int64_t RB = std::min<int64_t>(op.getChunkRows(), P),
          CB = std::min<int64_t>(op.getChunkCols(), R);
  SmallVector<Value> operands(op.getInputs());
  llvm::append_range(operands, op.getOutputs());
  std::string s = "g" + std::to_string(id) + "_";

  os << in0 << "{ // npu.vgeneric: " << P << " points x " << R
     << " reduced, chunks of " << RB << " x " << CB << "\n";
  os << in1 << "const int64_t P = " << P << ", R = " << R << ", RB = " << RB
     << ", CB = " << CB << ";\n";
  os << in1 << "int64_t p0 = 0, q0 = 0;\n";
  // Loop indices of point p (row-major over the parallel loops) and
  // reduction element q.
  os << in1 << "auto " << s
     << "loops = [&](int64_t p, int64_t q, int64_t *d) {\n"
     << in2 << "(void)p; (void)q; (void)d;\n";
  for (unsigned k = par.size(); k-- > 0;) {
    unsigned d = par[k];
    os << in2 << "d[" << d << "] = p % " << ranges[d] << "; p /= " << ranges[d]
       << ";\n";
  }
  for (unsigned k = red.size(); k-- > 0;) {
    unsigned d = red[k];
    os << in2 << "d[" << d << "] = q % " << ranges[d] << "; q /= " << ranges[d]
       << ";\n";
  }
  os << in1 << "};\n";
  SmallVector<std::string> dims;
  for (unsigned d = 0; d < loops; ++d)
    dims.push_back("d[" + std::to_string(d) + "]");
  // Each operand's element index in its global tile, and its bursts.
  bool reduces = !red.empty();
  unsigned inner = reduces ? red.back() : par.back();
  int64_t chunkInner = std::min<int64_t>(ranges[inner], reduces ? CB : RB);
  SmallVector<std::pair<int64_t, int64_t>> bursts; // (divisor, run)
  for (auto [i, v] : llvm::enumerate(operands)) {
    auto type = cast<MemRefType>(v.getType());
    AffineMap map = op.getIndexingMap(i);
    std::string linear = "int64_t(0)";
    for (auto [k, e] : llvm::enumerate(map.getResults()))
      linear = "(" + linear + " * " + std::to_string(type.getDimSize(k)) +
               " + " + affineCpp(e, dims) + ")";
    os << in1 << "auto " << s << "at" << i
       << " = [&](int64_t r, int64_t c) -> int64_t {\n"
       << in2 << "int64_t d[" << std::max(loops, 1u) << "];\n"
       << in2 << s << "loops(p0 + r, q0 + c, d);\n"
       << in2 << "return " << linear << ";\n"
       << in1 << "};\n";
    // Contiguous along the innermost loop: the last index is some
    // expression of the other loops plus that loop's index.
    AffineExpr innerDim = getAffineDimExpr(inner, op.getContext());
    bool contiguous = false;
    if (map.getNumResults()) {
      AffineExpr last = map.getResults().back();
      SmallVector<AffineExpr> zeroInner;
      for (unsigned d = 0; d < loops; ++d)
        zeroInner.push_back(d == inner
                                ? getAffineConstantExpr(0, op.getContext())
                                : getAffineDimExpr(d, op.getContext()));
      AffineExpr rest = last.replaceDims(zeroInner);
      contiguous = !rest.isFunctionOfDim(inner) &&
                   simplifyAffineExpr(rest + innerDim, loops, 0) ==
                       simplifyAffineExpr(last, loops, 0);
    }
    bool broadcast = !map.isFunctionOfDim(inner);
    bursts.push_back(contiguous  ? std::pair(chunkInner, chunkInner)
                     : broadcast ? std::pair(chunkInner, int64_t(1))
                                 : std::pair(int64_t(1), int64_t(1)));
  }
  // The unified buffer: two sets of [RB, CB] inputs and [RB, 1] outputs.
  int64_t offset = 0;
  SmallVector<std::string> dtypes;
  SmallVector<std::array<int64_t, 2>> ubOffsets;
  for (auto [i, v] : llvm::enumerate(operands)) {
    Type e = cast<MemRefType>(v.getType()).getElementType();
    FailureOr<std::string> dt = dtypeOf(e);
    if (failed(dt))
      return op.emitError()
             << "npu-to-cpp: no kernel-API element type for " << e;
    dtypes.push_back(*dt);
    int64_t bytes = (RB * (i < numIn ? CB : 1) *
                         std::max<int64_t>(8, e.getIntOrFloatBitWidth()) +
                     7) /
                    8;
    std::array<int64_t, 2> at;
    for (int k = 0; k < 2; ++k) {
      at[k] = offset;
      offset = llvm::alignTo(offset + bytes, 32);
    }
    ubOffsets.push_back(at);
  }
  os << in1 << "int64_t it = 0, pc = 0;\n"
     << in1
     << "for (p0 = core.coreId * RB; p0 < P; p0 += core.numCores * RB, "
        "++pc) {\n"
     << in2 << "const int64_t rows = std::min(RB, P - p0);\n"
     << in2 << "const int os = int(pc & 1);\n";
  auto ubTile = [&](unsigned i, const std::string &slot,
                    const std::string &cols) {
    return "core.local(Space::UB, DType::" + dtypes[i] + ", rows, " + cols +
           ", " + slot + " ? " + std::to_string(ubOffsets[i][1]) + " : " +
           std::to_string(ubOffsets[i][0]) + ")";
  };
  for (unsigned j = 0; j < numOut; ++j)
    os << in2 << "const Tile " << s << "o" << j << " = "
       << ubTile(numIn + j, "os", "1") << ";\n";
  os << in2 << "if (pc >= 2) core.waitFlag(Pipe::MTE3, Pipe::V, 2 + os);\n"
     << in2 << "for (q0 = 0; q0 < R; q0 += CB, ++it) {\n"
     << in3 << "const int64_t cols = std::min(CB, R - q0);\n"
     << in3 << "const int s = int(it & 1);\n"
     << in3 << "(void)cols; (void)s;\n";
  for (unsigned i = 0; i < numIn; ++i)
    os << in3 << "const Tile " << s << "i" << i << " = "
       << ubTile(i, "s", "cols") << ";\n";
  if (numIn) {
    os << in3 << "if (it >= 2) core.waitFlag(Pipe::V, Pipe::MTE2, s);\n";
    for (unsigned i = 0; i < numIn; ++i)
      os << in3 << "core.gather(" << s << "i" << i << ", "
         << globalName(operands[i]) << ", " << s << "at" << i
         << ", (rows * cols + " << bursts[i].first - 1 << ") / "
         << bursts[i].first << ", " << bursts[i].second << ");\n";
    os << in3 << "core.setFlag(Pipe::MTE2, Pipe::V, s);\n"
       << in3 << "core.waitFlag(Pipe::MTE2, Pipe::V, s);\n";
  }
  for (auto [j, init] : llvm::enumerate(op.getInits()))
    if (auto typed = dyn_cast<TypedAttr>(init)) {
      std::string value;
      if (auto f = dyn_cast<FloatAttr>(typed))
        value = floatLiteral(f.getValueAsDouble());
      else if (auto i = dyn_cast<IntegerAttr>(typed))
        value = "float(" + std::to_string(i.getValue().getSExtValue()) + ")";
      os << in3 << "if (q0 == 0) core.vfill(" << s << "o" << j << ", " << value
         << ");\n";
    }
  // The body.
  Block &body = op.getBody().front();
  int64_t ops = 0;
  for (Operation &inner : body.without_terminator())
    ops += !isa<arith::ConstantOp, affine::AffineApplyOp>(inner);
  os << in3 << "core.vcompute({";
  for (unsigned j = 0; j < numOut; ++j)
    os << (j ? ", " : "") << s << "o" << j;
  os << "}, {";
  for (unsigned i = 0; i < numIn; ++i)
    os << (i ? ", " : "") << s << "i" << i;
  os << "}, rows, cols, " << ops
     << ", [&](const double *in, double *acc, int64_t r, int64_t c) {\n";
  std::string in4 = in3 + "  ";
  os << in4 << "(void)in; (void)r; (void)c;\n";
  BodyEmitter be(os, in4, globalName);
  bool usesIds = llvm::any_of(body.getArguments().take_front(loops),
                              [](BlockArgument a) { return !a.use_empty(); });
  if (usesIds)
    os << in4 << "int64_t d[" << loops << "];\n"
       << in4 << s << "loops(p0 + r, q0 + c, d);\n";
  for (unsigned d = 0; d < loops; ++d)
    be.names[body.getArgument(d)] = "d[" + std::to_string(d) + "]";
  for (unsigned i = 0; i < numIn + numOut; ++i) {
    BlockArgument arg = body.getArgument(loops + i);
    if (arg.use_empty())
      continue;
    FailureOr<std::string> t = cppType(op, arg.getType());
    if (failed(t))
      return failure();
    std::string n = "a" + std::to_string(i);
    be.names[arg] = n;
    os << in4 << "const " << *t << " " << n << " = " << *t << "("
       << (i < numIn ? "in[" + std::to_string(i) + "]"
                     : "acc[" + std::to_string(i - numIn) + "]")
       << ");\n";
  }
  for (Operation &inner : body.without_terminator())
    if (failed(be.emit(inner)))
      return failure();
  for (auto [j, v] : llvm::enumerate(body.getTerminator()->getOperands()))
    os << in4 << "acc[" << j << "] = double(" << be.of(v) << ");\n";
  os << in3 << "});\n";
  if (numIn)
    os << in3 << "core.setFlag(Pipe::V, Pipe::MTE2, s);\n";
  os << in2 << "}\n"
     << in2 << "core.setFlag(Pipe::V, Pipe::MTE3, os);\n"
     << in2 << "core.waitFlag(Pipe::V, Pipe::MTE3, os);\n";
  for (unsigned j = 0; j < numOut; ++j)
    os << in2 << "core.scatter(" << globalName(operands[numIn + j]) << ", " << s
       << "o" << j << ", " << s << "at" << numIn + j << ", (rows + "
       << bursts[numIn + j].first - 1 << ") / " << bursts[numIn + j].first
       << ", " << bursts[numIn + j].second << ");\n";
  os << in2 << "core.setFlag(Pipe::MTE3, Pipe::V, 2 + os);\n" << in1 << "}\n";
  if (numIn)
    os << in1 << "for (int64_t k = std::max<int64_t>(0, it - 2); k < it; ++k)\n"
       << in2 << "core.waitFlag(Pipe::V, Pipe::MTE2, int(k & 1));\n";
  // The next op of the kernel may refill the unified buffer at once: its
  // loads wait for this op's vector work and stores.
  os << in1 << "for (int64_t k = std::max<int64_t>(0, pc - 2); k < pc; ++k)\n"
     << in2 << "core.waitFlag(Pipe::MTE3, Pipe::V, 2 + int(k & 1));\n"
     << in1 << "core.setFlag(Pipe::V, Pipe::MTE2, 4);\n"
     << in1 << "core.waitFlag(Pipe::V, Pipe::MTE2, 4);\n"
     << in1 << "core.setFlag(Pipe::MTE3, Pipe::MTE2, 4);\n"
     << in1 << "core.waitFlag(Pipe::MTE3, Pipe::MTE2, 4);\n"
     << in0 << "}\n";
  return success();
}
