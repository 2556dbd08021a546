//===- NPUOps.cpp - NPU target dialect: verifiers -------------------------===//
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sinter::npu;

#include "sinter/Dialect/NPU/IR/NPUDialect.cpp.inc"
#include "sinter/Dialect/NPU/IR/NPUEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sinter/Dialect/NPU/IR/NPUAttrs.cpp.inc"

void NPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sinter/Dialect/NPU/IR/NPUAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "sinter/Dialect/NPU/IR/NPUOps.cpp.inc"
      >();
}

FailureOr<MemorySpace> mlir::sinter::npu::getMemorySpace(MemRefType type) {
  Attribute space = type.getMemorySpace();
  if (!space)
    return MemorySpace::global;
  if (auto s = dyn_cast<MemorySpaceAttr>(space))
    return s.getValue();
  return failure();
}

namespace {
/// `v`'s NPU memory space, or an error on `op` naming `what`.
FailureOr<MemorySpace> spaceOf(Operation *op, Value v, StringRef what) {
  FailureOr<MemorySpace> s = getMemorySpace(cast<MemRefType>(v.getType()));
  if (failed(s))
    return op->emitOpError() << what << " has memory space "
                             << cast<MemRefType>(v.getType()).getMemorySpace()
                             << ", not an #npu.space",
           failure();
  return s;
}

/// Checks that `v` is a rank-2 tile in `space`.
LogicalResult expectTile(Operation *op, Value v, StringRef what,
                         MemorySpace space) {
  FailureOr<MemorySpace> s = spaceOf(op, v, what);
  if (failed(s))
    return failure();
  if (*s != space)
    return op->emitOpError() << what << " must be in " << stringifyEnum(space)
                             << ", not " << stringifyEnum(*s);
  if (cast<MemRefType>(v.getType()).getRank() != 2)
    return op->emitOpError()
           << what << " must be a rank-2 tile, got " << v.getType();
  return success();
}

bool isVectorFloat(Type t) { return t.isF16() || t.isBF16() || t.isF32(); }

/// Tiles in the nz layout are whole 16 x 16 fractals.
LogicalResult checkFractals(Operation *op, Value v, StringRef what) {
  auto shape = cast<MemRefType>(v.getType()).getShape();
  if (shape.size() != 2 || shape[0] % 16 || shape[1] % 16)
    return op->emitOpError()
           << what << " is in the nz layout, so its shape must be a multiple "
           << "of the 16 x 16 fractal, got " << v.getType();
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// Assembly: `from -> to`
//===----------------------------------------------------------------------===//

static ParseResult parsePipePair(OpAsmParser &parser, PipeAttr &from,
                                 PipeAttr &to) {
  auto pipe = [&](PipeAttr &attr) -> ParseResult {
    StringRef name;
    SMLoc at = parser.getCurrentLocation();
    if (parser.parseKeyword(&name))
      return failure();
    std::optional<Pipe> p = symbolizePipe(name);
    if (!p)
      return parser.emitError(at)
             << "unknown pipe '" << name << "' (mte2, mte1, m, fix, v, mte3)";
    attr = PipeAttr::get(parser.getContext(), *p);
    return success();
  };
  return failure(pipe(from) || parser.parseArrow() || pipe(to));
}

static void printPipePair(OpAsmPrinter &p, Operation *, PipeAttr from,
                          PipeAttr to) {
  p << stringifyEnum(from.getValue()) << " -> " << stringifyEnum(to.getValue());
}

#define GET_OP_CLASSES
#include "sinter/Dialect/NPU/IR/NPUOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Verifiers
//===----------------------------------------------------------------------===//

LogicalResult AllocOp::verify() {
  FailureOr<MemorySpace> s = spaceOf(*this, getBuffer(), "the buffer");
  if (failed(s))
    return failure();
  if (*s == MemorySpace::global)
    return emitOpError("allocates scratchpad buffers only (l1, l0a, l0b, "
                       "l0c, ub); global memory comes from the kernel's "
                       "arguments");
  if (IntegerAttr offset = getOffsetAttr(); offset && offset.getInt() < 0)
    return emitOpError() << "offset must be non-negative, got "
                         << offset.getInt();
  return success();
}

LogicalResult ReadIndexOp::verify() {
  if (failed(expectTile(*this, getTile(), "the tile", MemorySpace::global)))
    return failure();
  Type e = getTile().getType().getElementType();
  if (!(e.isInteger(8) || e.isInteger(32) || e.isInteger(64)))
    return emitOpError() << "reads i8, i32 or i64 elements, got " << e;
  return success();
}

LogicalResult SameBufferOp::verify() {
  for (auto [v, what] :
       {std::pair(getLhs(), "lhs"), std::pair(getRhs(), "rhs")})
    if (failed(expectTile(*this, v, what, MemorySpace::global)))
      return failure();
  return success();
}

LogicalResult DmaOp::verify() {
  FailureOr<MemorySpace> from = spaceOf(*this, getSource(), "the source");
  FailureOr<MemorySpace> to = spaceOf(*this, getTarget(), "the target");
  if (failed(from) || failed(to))
    return failure();
  auto srcType = getSource().getType(), dstType = getTarget().getType();
  for (auto [t, s, what] : {std::tuple(srcType, *from, "source"),
                            std::tuple(dstType, *to, "target")})
    if (!t.hasStaticShape() && s != MemorySpace::global)
      return emitOpError() << "takes a dynamically sized " << what
                           << " only in global memory (a ragged edge), got "
                           << t;
  if (getTranspose()) {
    if (*from != MemorySpace::l1 || *to != MemorySpace::l0b)
      return emitOpError() << "transposes only on the l1 -> l0b path";
    if (srcType.getDimSize(0) != dstType.getDimSize(1) ||
        srcType.getDimSize(1) != dstType.getDimSize(0))
      return emitOpError() << "transposes a tile: the target must be the "
                              "source's transpose, got "
                           << srcType << " -> " << dstType;
  } else if (srcType.getShape() != dstType.getShape()) {
    // Ragged edges: copies in from global memory pad a larger tile, copies
    // out to it crop one (dynamic sizes are the edge's, at most the tile's).
    auto within = [](MemRefType small, MemRefType large) {
      for (int64_t d = 0; d < small.getRank(); ++d)
        if (!small.isDynamicDim(d) && small.getDimSize(d) > large.getDimSize(d))
          return false;
      return !large.getNumDynamicDims();
    };
    bool pad = *from == MemorySpace::global && *to != MemorySpace::global &&
               within(srcType, dstType);
    bool crop = *to == MemorySpace::global && *from != MemorySpace::global &&
                within(dstType, srcType);
    if (!pad && !crop)
      return emitOpError()
             << "copies a tile of one shape (only a global source may be "
                "smaller than its target, padded, and only a global target "
                "smaller than its source, cropped): the source is "
             << srcType << ", the target " << dstType;
  }
  using S = MemorySpace;
  using L = Layout;
  Layout sl = getSourceLayout(), tl = getTargetLayout();
  // The machine's paths: (from, to, allowed (source, target) layouts).
  struct Path {
    S from, to;
    SmallVector<std::pair<L, L>> layouts;
  };
  const Path paths[] = {{S::global, S::l1, {{L::nd, L::nd}, {L::nd, L::nz}}},
                        {S::global, S::ub, {{L::nd, L::nd}}},
                        {S::l1, S::l0a, {{L::nz, L::nz}}},
                        {S::l1, S::l0b, {{L::nz, L::nz}}},
                        {S::l0c, S::ub, {{L::nz, L::nd}}},
                        {S::l0c, S::global, {{L::nz, L::nd}}},
                        {S::ub, S::global, {{L::nd, L::nd}}},
                        {S::ub, S::l1, {{L::nd, L::nd}, {L::nd, L::nz}}}};
  const Path *path = nullptr;
  for (const Path &p : paths)
    if (p.from == *from && p.to == *to)
      path = &p;
  if (!path)
    return emitOpError() << "has no data path from " << stringifyEnum(*from)
                         << " to " << stringifyEnum(*to)
                         << " (global -> l1/ub, l1 -> l0a/l0b, l0c -> "
                            "ub/global, ub -> global/l1)";
  if (!llvm::is_contained(path->layouts, std::make_pair(sl, tl)))
    return emitOpError() << "cannot turn the " << stringifyEnum(sl)
                         << " layout into " << stringifyEnum(tl) << " on the "
                         << stringifyEnum(*from) << " -> " << stringifyEnum(*to)
                         << " path";
  for (auto [v, l, what] : {std::tuple(getSource(), sl, "the source"),
                            std::tuple(getTarget(), tl, "the target")})
    if (l == L::nz && failed(checkFractals(*this, v, what)))
      return failure();
  Type se = srcType.getElementType(), te = dstType.getElementType();
  if (*from == S::l0c) {
    bool ok = se.isF32() ? isVectorFloat(te) : (se.isInteger(32) && se == te);
    if (!ok)
      return emitOpError() << "converts accumulators only from f32 to f32, "
                              "f16 or bf16, or keeps i32; got "
                           << se << " -> " << te;
  } else if (se != te) {
    return emitOpError() << "does not convert elements on the "
                         << stringifyEnum(*from) << " -> " << stringifyEnum(*to)
                         << " path (" << se << " -> " << te << ")";
  }
  return success();
}

LogicalResult MmadOp::verify() {
  if (failed(expectTile(*this, getLhs(), "lhs", MemorySpace::l0a)) ||
      failed(expectTile(*this, getRhs(), "rhs", MemorySpace::l0b)) ||
      failed(expectTile(*this, getAcc(), "acc", MemorySpace::l0c)))
    return failure();
  auto a = getLhs().getType(), b = getRhs().getType(), c = getAcc().getType();
  int64_t m = a.getDimSize(0), k = a.getDimSize(1), n = b.getDimSize(1);
  if (b.getDimSize(0) != k || c.getDimSize(0) != m || c.getDimSize(1) != n)
    return emitOpError() << "needs lhs [M, K], rhs [K, N] and acc [M, N], got "
                         << a << ", " << b << ", " << c;
  for (auto [v, what] : {std::pair(getLhs(), "lhs"), std::pair(getRhs(), "rhs"),
                         std::pair(getAcc(), "acc")})
    if (failed(checkFractals(*this, v, what)))
      return failure();
  Type ea = a.getElementType(), eb = b.getElementType(),
       ec = c.getElementType();
  bool ok = ea == eb && (((ea.isF16() || ea.isBF16()) && ec.isF32()) ||
                         (ea.isInteger(8) && ec.isInteger(32)));
  if (!ok)
    return emitOpError() << "multiplies f16 x f16 -> f32, bf16 x bf16 -> f32 "
                            "or i8 x i8 -> i32; got "
                         << ea << " x " << eb << " -> " << ec;
  return success();
}

LogicalResult VBinaryOp::verify() {
  for (auto [v, what] : {std::pair(getLhs(), "lhs"), std::pair(getRhs(), "rhs"),
                         std::pair(getOut(), "out")})
    if (failed(expectTile(*this, v, what, MemorySpace::ub)))
      return failure();
  auto l = getLhs().getType(), r = getRhs().getType(), o = getOut().getType();
  if (l.getShape() != o.getShape())
    return emitOpError() << "lhs and out must have one shape, got " << l
                         << " and " << o;
  auto rs = r.getShape(), os = o.getShape();
  bool broadcast = rs == os || (rs[0] == 1 && rs[1] == os[1]) ||
                   (rs[1] == 1 && rs[0] == os[0]);
  if (!broadcast)
    return emitOpError() << "rhs must have the output's shape, be a row [1, "
                         << os[1] << "] or a column [" << os[0] << ", 1], got "
                         << r;
  if (l.getElementType() != r.getElementType() ||
      l.getElementType() != o.getElementType() ||
      !isVectorFloat(o.getElementType()))
    return emitOpError() << "works on one element type, f16, bf16 or f32";
  return success();
}

LogicalResult VUnaryOp::verify() {
  if (failed(expectTile(*this, getIn(), "in", MemorySpace::ub)) ||
      failed(expectTile(*this, getOut(), "out", MemorySpace::ub)))
    return failure();
  if (getIn().getType().getShape() != getOut().getType().getShape() ||
      getIn().getType().getElementType() != getOut().getType().getElementType())
    return emitOpError() << "in and out must have one shape and element type";
  if (!isVectorFloat(getIn().getType().getElementType()))
    return emitOpError() << "works on f16, bf16 or f32";
  return success();
}

LogicalResult VScalarOp::verify() {
  if (failed(expectTile(*this, getIn(), "in", MemorySpace::ub)) ||
      failed(expectTile(*this, getOut(), "out", MemorySpace::ub)))
    return failure();
  if (getIn().getType() != getOut().getType())
    return emitOpError() << "in and out must have one shape and element type";
  if (!isVectorFloat(getIn().getType().getElementType()))
    return emitOpError() << "works on f16, bf16 or f32";
  return success();
}

LogicalResult VFillOp::verify() {
  if (failed(expectTile(*this, getTile(), "tile", MemorySpace::ub)))
    return failure();
  if (!isVectorFloat(getTile().getType().getElementType()))
    return emitOpError() << "works on f16, bf16 or f32";
  return success();
}

LogicalResult VMaskOp::verify() {
  if (failed(expectTile(*this, getTile(), "tile", MemorySpace::ub)))
    return failure();
  if (getWindow() && *getWindow() < 1)
    return emitOpError() << "window must be positive, got " << *getWindow();
  if (!isVectorFloat(getTile().getType().getElementType()))
    return emitOpError() << "works on f16, bf16 or f32";
  return success();
}

LogicalResult VCastOp::verify() {
  if (failed(expectTile(*this, getIn(), "in", MemorySpace::ub)) ||
      failed(expectTile(*this, getOut(), "out", MemorySpace::ub)))
    return failure();
  if (getIn().getType().getShape() != getOut().getType().getShape())
    return emitOpError() << "in and out must have one shape";
  if (!isVectorFloat(getIn().getType().getElementType()) ||
      !isVectorFloat(getOut().getType().getElementType()))
    return emitOpError() << "converts between f32, f16 and bf16";
  return success();
}

LogicalResult VReduceOp::verify() {
  if (failed(expectTile(*this, getIn(), "in", MemorySpace::ub)) ||
      failed(expectTile(*this, getOut(), "out", MemorySpace::ub)))
    return failure();
  auto in = getIn().getType(), out = getOut().getType();
  if (out.getDimSize(0) != in.getDimSize(0) || out.getDimSize(1) != 1)
    return emitOpError() << "reduces rows: out must be [" << in.getDimSize(0)
                         << ", 1], got " << out;
  if (in.getElementType() != out.getElementType() ||
      !isVectorFloat(in.getElementType()))
    return emitOpError() << "works on one element type, f16, bf16 or f32";
  return success();
}

LogicalResult VDequantOp::verify() {
  if (failed(expectTile(*this, getIn(), "in", MemorySpace::ub)) ||
      failed(expectTile(*this, getScale(), "scale", MemorySpace::ub)) ||
      failed(expectTile(*this, getOut(), "out", MemorySpace::ub)))
    return failure();
  if (getZeroPoint() &&
      failed(expectTile(*this, getZeroPoint(), "zero_point", MemorySpace::ub)))
    return failure();
  auto in = getIn().getType(), scale = getScale().getType(),
       out = getOut().getType();
  Type q = in.getElementType(), s = scale.getElementType();
  if (!(q.isInteger(8) || q.isInteger(4)))
    return emitOpError() << "dequantizes i8 or i4, got " << q;
  if (!(s.isF16() || s.isBF16()) || out.getElementType() != s)
    return emitOpError() << "scales and out must be f16 or bf16 of one type";
  if (in.getShape() != out.getShape())
    return emitOpError() << "in and out must have one shape";
  int64_t k = in.getDimSize(0), n = in.getDimSize(1);
  int64_t groups = 1;
  if (IntegerAttr attr = getGroupSizeAttr()) {
    int64_t g = attr.getInt();
    if (g <= 0)
      return emitOpError() << "group_size must be positive, got " << g;
    groups = llvm::divideCeil(k, g);
  }
  SmallVector<int64_t> want{groups, n};
  if (scale.getShape() != ArrayRef<int64_t>(want))
    return emitOpError() << "scales must be [" << groups << ", " << n
                         << "], got " << scale;
  if (getZeroPoint() && cast<MemRefType>(getZeroPoint().getType()) != scale)
    return emitOpError() << "zero points must have the scales' type";
  return success();
}

static LogicalResult verifyFlag(Operation *op, Pipe from, Pipe to,
                                int32_t event) {
  if (from == to)
    return op->emitOpError()
           << "orders two different pipes; ops on one pipe already run in "
              "program order (got "
           << stringifyEnum(from) << " -> " << stringifyEnum(to) << ")";
  if (event > 7)
    return op->emitOpError()
           << "event ids are 0 to 7 per pipe pair, got " << event;
  return success();
}

LogicalResult SetFlagOp::verify() {
  return verifyFlag(*this, getFrom(), getTo(), getEvent());
}
LogicalResult WaitFlagOp::verify() {
  return verifyFlag(*this, getFrom(), getTo(), getEvent());
}

LogicalResult VGenericOp::verify() {
  unsigned loops = getNumLoops();
  unsigned numIn = getInputs().size(), numOut = getOutputs().size();
  if (numOut == 0)
    return emitOpError() << "needs at least one output";
  if (getIteratorTypes().size() != loops)
    return emitOpError() << "has " << getIteratorTypes().size()
                         << " iterator types for " << loops << " loops";
  for (Attribute it : getIteratorTypes())
    if (cast<StringAttr>(it).getValue() != "parallel" &&
        cast<StringAttr>(it).getValue() != "reduction")
      return emitOpError() << "iterator types are \"parallel\" or "
                              "\"reduction\", got "
                           << it;
  for (int64_t r : getLoopRanges())
    if (r <= 0)
      return emitOpError() << "loop ranges must be positive";
  if (getIndexingMaps().size() != numIn + numOut)
    return emitOpError() << "needs one indexing map per operand ("
                         << numIn + numOut << "), got "
                         << getIndexingMaps().size();
  if (getInits().size() != numOut)
    return emitOpError() << "needs one init per output";
  SmallVector<Value> operands(getInputs());
  llvm::append_range(operands, getOutputs());
  for (auto [i, v] : llvm::enumerate(operands)) {
    auto type = cast<MemRefType>(v.getType());
    if (getMemorySpace(type) != MemorySpace::global)
      return emitOpError() << "operand " << i << " must be in global memory";
    AffineMap map = getIndexingMap(i);
    if (map.getNumDims() != loops || map.getNumSymbols() ||
        map.getNumResults() != unsigned(type.getRank()))
      return emitOpError() << "indexing map " << i << " must take the "
                           << loops << " loop indices to the "
                           << type.getRank() << " indices of operand " << i;
  }
  for (auto [j, init] : llvm::enumerate(getInits())) {
    Type elem = cast<MemRefType>(getOutputs()[j].getType()).getElementType();
    if (auto typed = dyn_cast<TypedAttr>(init)) {
      if (typed.getType() != elem)
        return emitOpError() << "init " << j << " must be a " << elem;
    } else if (!isa<UnitAttr>(init)) {
      return emitOpError() << "init " << j
                           << " must be a constant or a unit attribute";
    }
  }
  Block &body = getBody().front();
  SmallVector<Type> expected(loops, IndexType::get(getContext()));
  for (Value v : operands)
    expected.push_back(cast<MemRefType>(v.getType()).getElementType());
  if (body.getArgumentTypes() != ArrayRef<Type>(expected))
    return emitOpError() << "body must take the " << loops
                         << " loop indices and one element per operand";
  auto yield = dyn_cast_or_null<YieldOp>(
      body.empty() ? nullptr : body.getTerminator());
  if (!yield)
    return emitOpError() << "body must end in npu.yield";
  if (yield.getValues().getTypes() !=
      ArrayRef<Type>(expected).take_back(numOut))
    return emitOpError() << "body must yield one element per output";
  return success();
}
