//===- EmitKernelCpp.cpp - npu IR to C++ on the NPU kernel API ------------===//
#include "EmitKernelCpp.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>

using namespace mlir;
using namespace mlir::sinter::npu;

namespace {
/// The kernel API's name of a space or pipe: the dialect's, upper-cased
/// (kernels never allocate global memory, so "Global" is not needed).
template <typename Enum> std::string apiName(Enum e) {
  return stringifyEnum(e).upper();
}

FailureOr<std::string> dtypeName(Operation *op, Type t) {
  FailureOr<std::string> name = getKernelDType(t);
  if (failed(name))
    return op->emitError() << "npu-to-cpp: no kernel-API element type for "
                           << t;
  return name;
}

struct Emitter {
  explicit Emitter(raw_ostream &os) : os(os) {}
  raw_ostream &os;
  DenseMap<Value, std::string> names;
  int counter = 0;
  int indent = 1;

  std::string fresh(StringRef prefix) {
    return (prefix + std::to_string(counter++)).str();
  }
  raw_ostream &line() { return os.indent(2 * indent); }
  std::string of(Value v) { return names.lookup(v); }

  /// The kernel API's name of a binary vector op.
  static const char *binaryName(BinaryKind k) {
    static const char *names[] = {"Add", "Sub", "Mul", "Div", "Max", "Min"};
    return names[int(k)];
  }

  /// The layout a scratchpad buffer is kept in: the cube's buffers and any
  /// L1 buffer a DMA writes or reads as nz are NZ.
  static bool isNZ(AllocOp alloc) {
    MemorySpace s = *getMemorySpace(alloc.getType());
    if (s == MemorySpace::l0a || s == MemorySpace::l0b || s == MemorySpace::l0c)
      return true;
    // The buffer and its slices (a ring's slots).
    SmallVector<Value> views{alloc.getBuffer()};
    for (size_t i = 0; i < views.size(); ++i)
      for (Operation *user : views[i].getUsers()) {
        if (auto sv = dyn_cast<memref::SubViewOp>(user)) {
          views.push_back(sv.getResult());
          continue;
        }
        if (auto dma = dyn_cast<DmaOp>(user))
          if ((dma.getTarget() == views[i] &&
               dma.getTargetLayout() == Layout::nz) ||
              (dma.getSource() == views[i] &&
               dma.getSourceLayout() == Layout::nz))
            return true;
      }
    return false;
  }

  LogicalResult emitBlock(Block &block) {
    for (Operation &op : block)
      if (failed(emitOp(op)))
        return failure();
    return success();
  }

  LogicalResult emitOp(Operation &op) {
    return TypeSwitch<Operation *, LogicalResult>(&op)
        .Case([&](AllocOp alloc) -> LogicalResult {
          IntegerAttr offset = alloc.getOffsetAttr();
          if (!offset)
            return alloc.emitError("npu-to-cpp: npu.alloc has no offset; run "
                                   "--npu-plan-scratchpads first");
          MemRefType t = alloc.getType();
          FailureOr<std::string> dt = dtypeName(alloc, t.getElementType());
          if (failed(dt))
            return failure();
          std::string n = fresh("t");
          names[alloc.getBuffer()] = n;
          line() << "const Tile " << n
                 << " = core.local(Space::" << apiName(*getMemorySpace(t))
                 << ", DType::" << *dt << ", " << t.getDimSize(0) << ", "
                 << t.getDimSize(1) << ", " << offset.getInt()
                 << ", Layout::" << (isNZ(alloc) ? "NZ" : "ND") << ");\n";
          return success();
        })
        .Case([&](memref::SubViewOp sv) -> LogicalResult {
          auto type = cast<MemRefType>(sv.getType());
          if (type.getRank() != 2 || !sv.hasUnitStride())
            return sv.emitError("npu-to-cpp: subviews must be 2-d with "
                                "unit strides");
          auto cpp = [&](OpFoldResult o) {
            return isa<Attribute>(o)
                       ? std::to_string(
                             cast<IntegerAttr>(cast<Attribute>(o)).getInt())
                       : of(cast<Value>(o));
          };
          SmallVector<OpFoldResult> off = sv.getMixedOffsets(),
                                    size = sv.getMixedSizes();
          std::string n = fresh("t");
          names[sv.getResult()] = n;
          line() << "const Tile " << n << " = " << of(sv.getSource())
                 << ".slice(" << cpp(off[0]) << ", " << cpp(off[1]) << ", "
                 << cpp(size[0]) << ", " << cpp(size[1]) << ");\n";
          return success();
        })
        .Case([&](VGenericOp g) -> LogicalResult {
          return emitVGenericCpp(
              g, os, indent, [&](Value v) { return of(v); },
              [&](Type t) { return getKernelDType(t); }, counter++);
        })
        .Case([&](DmaOp dma) {
          line() << "core.copy(" << of(dma.getTarget()) << ", "
                 << of(dma.getSource())
                 << (dma.getTranspose() ? ", /*transpose=*/true" : "")
                 << ");\n";
          return success();
        })
        .Case([&](MmadOp mmad) {
          line() << "core.mmad(" << of(mmad.getAcc()) << ", "
                 << of(mmad.getLhs()) << ", " << of(mmad.getRhs()) << ", "
                 << (mmad.getAccumulate() ? "true" : "false") << ");\n";
          return success();
        })
        .Case([&](VBinaryOp v) {
          line() << "core.vbinary(Core::Binary::" << binaryName(v.getKind())
                 << ", " << of(v.getOut()) << ", " << of(v.getLhs()) << ", "
                 << of(v.getRhs()) << ");\n";
          return success();
        })
        .Case([&](VScalarOp v) {
          line() << "core.vscalar(Core::Binary::" << binaryName(v.getKind())
                 << ", " << of(v.getOut()) << ", " << of(v.getIn()) << ", "
                 << llvm::format("%.9ef", v.getScalar().convertToFloat())
                 << ");\n";
          return success();
        })
        .Case([&](VFillOp v) {
          float x = v.getValue().convertToFloat();
          line() << "core.vfill(" << of(v.getTile()) << ", "
                 << (std::isinf(x) ? (x < 0 ? "-INFINITY" : "INFINITY")
                                   : llvm::formatv("{0:e}f", x).str())
                 << ");\n";
          return success();
        })
        .Case([&](VMaskOp v) {
          line() << "core.vmask(" << of(v.getTile()) << ", "
                 << of(v.getDiagonal());
          if (v.getWindow() || v.getColumns())
            os << ", " << v.getWindow().value_or(0);
          if (v.getColumns())
            os << ", " << of(v.getColumns());
          os << ");\n";
          return success();
        })
        .Case([&](VUnaryOp v) {
          static const char *kinds[] = {"Exp", "Log",  "Relu",  "Abs",
                                        "Neg", "Sqrt", "Rsqrt", "Tanh"};
          line() << "core.vunary(Core::Unary::" << kinds[int(v.getKind())]
                 << ", " << of(v.getOut()) << ", " << of(v.getIn()) << ");\n";
          return success();
        })
        .Case([&](VCastOp v) {
          line() << "core.vcast(" << of(v.getOut()) << ", " << of(v.getIn())
                 << ");\n";
          return success();
        })
        .Case([&](VReduceOp v) {
          line() << "core.vreduce"
                 << (v.getKind() == ReduceKind::max ? "Max" : "Sum") << "("
                 << of(v.getOut()) << ", " << of(v.getIn()) << ");\n";
          return success();
        })
        .Case([&](VDequantOp v) {
          std::string zp = v.getZeroPoint() ? "&" + of(v.getZeroPoint())
                                            : std::string("nullptr");
          line() << "core.vdequant(" << of(v.getOut()) << ", " << of(v.getIn())
                 << ", " << of(v.getScale()) << ", " << zp << ", "
                 << (v.getGroupSizeAttr() ? v.getGroupSizeAttr().getInt() : 0)
                 << ");\n";
          return success();
        })
        .Case([&](SetFlagOp f) {
          line() << "core.setFlag(Pipe::" << apiName(f.getFrom())
                 << ", Pipe::" << apiName(f.getTo()) << ", " << f.getEvent()
                 << ");\n";
          return success();
        })
        .Case([&](WaitFlagOp f) {
          line() << "core.waitFlag(Pipe::" << apiName(f.getFrom())
                 << ", Pipe::" << apiName(f.getTo()) << ", " << f.getEvent()
                 << ");\n";
          return success();
        })
        .Case([&](CoreIdOp c) {
          names[c.getResult()] = "core.coreId";
          return success();
        })
        .Case([&](NumCoresOp c) {
          names[c.getResult()] = "core.numCores";
          return success();
        })
        .Case([&](arith::ConstantIndexOp c) {
          names[c.getResult()] = std::to_string(c.value());
          return success();
        })
        .Case<arith::AddIOp, arith::MulIOp, arith::SubIOp, arith::DivUIOp,
              arith::RemUIOp>([&](Operation *b) {
          const char *sym = isa<arith::AddIOp>(b)    ? "+"
                            : isa<arith::MulIOp>(b)  ? "*"
                            : isa<arith::SubIOp>(b)  ? "-"
                            : isa<arith::DivUIOp>(b) ? "/"
                                                     : "%";
          std::string n = fresh("i");
          names[b->getResult(0)] = n;
          line() << "const int64_t " << n << " = " << of(b->getOperand(0))
                 << " " << sym << " " << of(b->getOperand(1)) << ";\n";
          return success();
        })
        // Index values the kernels compare this way are non-negative when
        // unsigned (extents, block counts), so one form serves both.
        .Case<arith::MinUIOp, arith::MaxUIOp, arith::MinSIOp, arith::MaxSIOp>(
            [&](Operation *b) {
              std::string n = fresh("i");
              names[b->getResult(0)] = n;
              line() << "const int64_t " << n << " = std::"
                     << (isa<arith::MinUIOp, arith::MinSIOp>(b) ? "min" : "max")
                     << "<int64_t>(" << of(b->getOperand(0)) << ", "
                     << of(b->getOperand(1)) << ");\n";
              return success();
            })
        .Case([&](ReadIndexOp r) {
          std::string n = fresh("i");
          names[r.getValue()] = n;
          line() << "const int64_t " << n << " = core.readIndex("
                 << of(r.getTile()) << ", " << of(r.getRow()) << ", "
                 << of(r.getCol()) << ");\n";
          return success();
        })
        .Case([&](SameBufferOp s) {
          std::string n = fresh("b");
          names[s.getResult()] = n;
          line() << "const bool " << n << " = core.sameBuffer("
                 << of(s.getLhs()) << ", " << of(s.getRhs()) << ");\n";
          return success();
        })
        .Case([&](arith::CmpIOp c) -> LogicalResult {
          using Pr = arith::CmpIPredicate;
          static const std::pair<Pr, const char *> syms[] = {
              {Pr::eq, "=="}, {Pr::ne, "!="},  {Pr::slt, "<"}, {Pr::sle, "<="},
              {Pr::sgt, ">"}, {Pr::sge, ">="}, {Pr::ult, "<"}, {Pr::ule, "<="},
              {Pr::ugt, ">"}, {Pr::uge, ">="}};
          if (!c.getLhs().getType().isIndex())
            return c.emitError("npu-to-cpp: compares indices only");
          const char *sym = nullptr;
          for (auto [p, s] : syms)
            if (p == c.getPredicate())
              sym = s;
          bool isUnsigned = c.getPredicate() >= Pr::ult;
          std::string n = fresh("b");
          names[c.getResult()] = n;
          auto operand = [&](Value v) {
            return isUnsigned ? "uint64_t(" + of(v) + ")" : of(v);
          };
          line() << "const bool " << n << " = " << operand(c.getLhs()) << " "
                 << sym << " " << operand(c.getRhs()) << ";\n";
          return success();
        })
        .Case<arith::AndIOp, arith::OrIOp>([&](Operation *b) -> LogicalResult {
          if (!b->getResult(0).getType().isInteger(1))
            return b->emitError("npu-to-cpp: and/or of conditions (i1) only");
          std::string n = fresh("b");
          names[b->getResult(0)] = n;
          line() << "const bool " << n << " = " << of(b->getOperand(0))
                 << (isa<arith::AndIOp>(b) ? " && " : " || ")
                 << of(b->getOperand(1)) << ";\n";
          return success();
        })
        .Case([&](arith::SelectOp s) -> LogicalResult {
          if (!s.getType().isIndex())
            return s.emitError("npu-to-cpp: selects indices only");
          std::string n = fresh("i");
          names[s.getResult()] = n;
          line() << "const int64_t " << n << " = " << of(s.getCondition())
                 << " ? " << of(s.getTrueValue()) << " : "
                 << of(s.getFalseValue()) << ";\n";
          return success();
        })
        .Case([&](scf::IfOp branch) -> LogicalResult {
          if (branch.getNumResults())
            return branch.emitError("npu-to-cpp: conditionals with results "
                                    "are not supported");
          line() << "if (" << of(branch.getCondition()) << ") {\n";
          ++indent;
          for (Operation &inner : branch.thenBlock()->without_terminator())
            if (failed(emitOp(inner)))
              return failure();
          --indent;
          if (Block *otherwise = branch.elseBlock()) {
            line() << "} else {\n";
            ++indent;
            for (Operation &inner : otherwise->without_terminator())
              if (failed(emitOp(inner)))
                return failure();
            --indent;
          }
          line() << "}\n";
          return success();
        })
        .Case([&](scf::ForOp loop) -> LogicalResult {
          if (loop.getNumResults())
            return loop.emitError("npu-to-cpp: loops with results are not "
                                  "supported");
          std::string iv = fresh("i");
          names[loop.getInductionVar()] = iv;
          line() << "for (int64_t " << iv << " = " << of(loop.getLowerBound())
                 << "; " << iv << " < " << of(loop.getUpperBound()) << "; "
                 << iv << " += " << of(loop.getStep()) << ") {\n";
          ++indent;
          for (Operation &inner : loop.getBody()->without_terminator())
            if (failed(emitOp(inner)))
              return failure();
          --indent;
          line() << "}\n";
          return success();
        })
        .Case([&](func::ReturnOp ret) -> LogicalResult {
          if (ret.getNumOperands())
            return ret.emitError("npu-to-cpp: kernels return nothing; "
                                 "results are written to arguments");
          return success();
        })
        .Default([&](Operation *other) {
          return other->emitError() << "npu-to-cpp: '" << other->getName()
                                    << "' has no kernel-API form";
        });
  }
};
} // namespace

FailureOr<std::string> mlir::sinter::npu::getKernelDType(Type t) {
  if (t.isF16())
    return std::string("F16");
  if (t.isBF16())
    return std::string("BF16");
  if (t.isF32())
    return std::string("F32");
  if (t.isInteger(8))
    return std::string("I8");
  if (t.isInteger(4))
    return std::string("I4");
  if (t.isInteger(32))
    return std::string("I32");
  if (t.isInteger(64))
    return std::string("I64");
  if (t.isInteger(1))
    return std::string("I1");
  return failure();
}

/// Whether `f` is a tensor-level function (a host program or a kernel's
/// tensor form), which has no kernel-API form of its own.
static bool isTensorLevel(func::FuncOp f) {
  return llvm::any_of(f.getFunctionType().getInputs(),
                      [](Type t) { return isa<TensorType>(t); }) ||
         llvm::any_of(f.getFunctionType().getResults(),
                      [](Type t) { return isa<TensorType>(t); });
}

static LogicalResult emitKernel(func::FuncOp f, raw_ostream &os) {
  Emitter e(os);
  os << "\nvoid " << f.getName() << "(Core &core";
  for (auto [i, arg] : llvm::enumerate(f.getArguments())) {
    auto type = dyn_cast<MemRefType>(arg.getType());
    if (!type || !type.hasStaticShape() ||
        *getMemorySpace(type) != MemorySpace::global)
      return f.emitError() << "npu-to-cpp: argument " << i
                           << " must be a static memref in global "
                              "memory, got "
                           << arg.getType();
    std::string n = "arg" + std::to_string(i);
    e.names[arg] = n;
    os << ", const Tile &" << n;
  }
  os << ") {\n";
  if (failed(e.emitBlock(f.getBody().front())))
    return failure();
  os << "}\n";
  return success();
}

LogicalResult mlir::sinter::npu::translateToNPUKernelCpp(ModuleOp module,
                                                         raw_ostream &os) {
  os << "// Generated by Sinter (npu-to-cpp). Do not edit.\n"
     << "#include \"sinter/npu/npu_sim.h\"\n\n"
     << "#include <algorithm>\n#include <cmath>\n#include <cstdint>\n"
     << "#include <limits>\n\n"
     << "using namespace sinter::npu;\n";
  bool helpers = false;
  module.walk([&](VGenericOp) { helpers = true; });
  if (helpers)
    os << "\n// Vector programs: rounding to f16/bf16 and floor division.\n"
       << "static inline float sinter_bf16(float x) { return "
          "bf16ToFloat(floatToBf16(x)); }\n"
       << "static inline float sinter_f16(float x) { return "
          "halfToFloat(floatToHalf(x)); }\n"
       << "static inline int64_t sinter_floordiv(int64_t a, int64_t b) { "
          "int64_t q = a / b; return (a % b != 0 && ((a < 0) != (b < 0))) ? "
          "q - 1 : q; }\n"
       << "static inline int64_t sinter_ceildiv(int64_t a, int64_t b) { "
          "return -sinter_floordiv(-a, b); }\n"
       << "static inline int64_t sinter_mod(int64_t a, int64_t b) { "
          "int64_t m = a % b; return m < 0 ? m + b : m; }\n"
       << "static inline float sinter_fmax(float a, float b) { return "
          "std::isnan(a) || std::isnan(b) ? "
          "std::numeric_limits<float>::quiet_NaN() : std::max(a, b); }\n"
       << "static inline float sinter_fmin(float a, float b) { return "
          "std::isnan(a) || std::isnan(b) ? "
          "std::numeric_limits<float>::quiet_NaN() : std::min(a, b); }\n";
  SmallVector<func::FuncOp> funcs;
  for (auto f : module.getOps<func::FuncOp>())
    if (!f.isExternal() && !isTensorLevel(f))
      funcs.push_back(f);
  for (auto nested : module.getOps<ModuleOp>())
    if (nested.getSymName() == "sinter_npu_kernels")
      for (auto f : nested.getOps<func::FuncOp>())
        if (!f.isExternal())
          funcs.push_back(f);
  for (func::FuncOp f : funcs)
    if (failed(emitKernel(f, os)))
      return failure();
  return success();
}

void mlir::sinter::npu::registerNPUTranslations() {
  TranslateFromMLIRRegistration registration(
      "npu-to-cpp", "npu IR to C++ on the NPU kernel API",
      [](Operation *op, raw_ostream &os) {
        auto module = dyn_cast<ModuleOp>(op);
        if (!module)
          return LogicalResult(op->emitError("npu-to-cpp: expected a module"));
        return translateToNPUKernelCpp(module, os);
      },
      [](DialectRegistry &registry) {
        // The module may carry its #sinter.target.
        registry
            .insert<NPUDialect, SinterDialect, arith::ArithDialect,
                    func::FuncDialect, memref::MemRefDialect, scf::SCFDialect,
                    math::MathDialect, affine::AffineDialect>();
      });
}
