//===- GenericKernels.cpp - Leftover tensor ops as NPU vector programs ----===//
//
// Every kernel of a host program that is not a sinter op with a cube
// kernel (elementwise and broadcast maps, reductions, transposes, casts,
// fills, slices, concatenations and insert_slice chains, gathers through
// tensor.extract, and the sinter ops decomposed for lack of a kernel)
// becomes npu.vgeneric ops over the kernel's global memrefs: DMA gathers
// each operand's elements into the unified buffer, the vector unit runs
// the payload, DMA scatters the results (see NPUOps.td).
//
// Views cost nothing here either: every tensor of the kernel function is
// read or written through an Access, its root memref (a kernel argument)
// and the affine map from the tensor's indices to the root's. Reshapes
// are the map between two row-major shapes, slices an offset and a
// stride, so a vgeneric's operand map is the access map composed with the
// op's indexing map.
//
//===----------------------------------------------------------------------===//
#include "NPUKernels.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::npu;

namespace {
/// Where a tensor of the kernel function lives: element `idx` of the
/// tensor is element `map(idx)` of `root` (a kernel argument).
struct Access {
  Value root;
  AffineMap map;
};

/// The map from indices of a row-major `from` shape to the indices of the
/// same element in a row-major `to` shape (a reshape).
AffineMap reshapeMap(ArrayRef<int64_t> from, ArrayRef<int64_t> to,
                     MLIRContext *ctx) {
  AffineExpr linear = getAffineConstantExpr(0, ctx);
  int64_t stride = 1;
  for (int64_t d = int64_t(from.size()) - 1; d >= 0; --d) {
    linear = linear + getAffineDimExpr(d, ctx) * stride;
    stride *= from[d];
  }
  SmallVector<AffineExpr> results;
  stride = 1;
  SmallVector<int64_t> strides(to.size());
  for (int64_t d = int64_t(to.size()) - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= to[d];
  }
  for (size_t d = 0; d < to.size(); ++d) {
    AffineExpr e = strides[d] == 1 ? linear : linear.floorDiv(strides[d]);
    if (d > 0)
      e = e % to[d];
    results.push_back(simplifyAffineExpr(e, from.size(), 0));
  }
  return AffineMap::get(from.size(), 0, results, ctx);
}

/// The map from a slice's indices to its source's (offsets, strides, and
/// the constant offsets of dimensions a rank-reducing slice drops).
FailureOr<AffineMap> sliceMap(ArrayRef<int64_t> offsets,
                              ArrayRef<int64_t> sizes,
                              ArrayRef<int64_t> strides,
                              ArrayRef<int64_t> resultShape, MLIRContext *ctx) {
  SmallVector<AffineExpr> results;
  unsigned r = 0;
  for (size_t d = 0; d < offsets.size(); ++d) {
    bool kept = r < resultShape.size() && resultShape[r] == sizes[d] &&
                // a unit dimension is dropped only when the result has
                // fewer dimensions left than the source
                !(sizes[d] == 1 && resultShape.size() - r < offsets.size() - d);
    if (kept)
      results.push_back(getAffineDimExpr(r++, ctx) * strides[d] + offsets[d]);
    else if (sizes[d] == 1)
      results.push_back(getAffineConstantExpr(offsets[d], ctx));
    else
      return failure();
  }
  if (r != resultShape.size())
    return failure();
  return AffineMap::get(resultShape.size(), 0, results, ctx);
}

AffineMap compose(AffineMap outer, AffineMap inner) {
  return simplifyAffineMap(outer.compose(inner));
}

/// The values `e` takes with dimension d in [0, ranges[d]).
std::pair<int64_t, int64_t> rangeOf(AffineExpr e, ArrayRef<int64_t> ranges) {
  if (auto c = dyn_cast<AffineConstantExpr>(e))
    return {c.getValue(), c.getValue()};
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return {0, ranges[d.getPosition()] - 1};
  auto bin = cast<AffineBinaryOpExpr>(e);
  auto [llo, lhi] = rangeOf(bin.getLHS(), ranges);
  auto [rlo, rhi] = rangeOf(bin.getRHS(), ranges);
  switch (e.getKind()) {
  case AffineExprKind::Add:
    return {llo + rlo, lhi + rhi};
  case AffineExprKind::Mul: {
    int64_t a = llo * rlo, b = llo * rhi, c = lhi * rlo, d = lhi * rhi;
    return {std::min({a, b, c, d}), std::max({a, b, c, d})};
  }
  case AffineExprKind::Mod:
    return {0, rhi - 1};
  default: // floordiv, ceildiv by a positive constant
    return {llvm::divideFloorSigned(llo, rhi),
            llvm::divideCeilSigned(lhi, rhi)};
  }
}

/// `e` simplified with the loops' ranges: `x mod n` and `x floordiv n` of
/// an x in [0, n) are x and 0, and a multiple of n added to x passes
/// through both (what reshapes of row-major shapes compose into).
AffineExpr simplifyWithRanges(AffineExpr e, ArrayRef<int64_t> ranges) {
  auto bin = dyn_cast<AffineBinaryOpExpr>(e);
  if (!bin)
    return e;
  AffineExpr l = simplifyWithRanges(bin.getLHS(), ranges),
             r = simplifyWithRanges(bin.getRHS(), ranges);
  auto n = dyn_cast<AffineConstantExpr>(r);
  bool isMod = e.getKind() == AffineExprKind::Mod,
       isDiv = e.getKind() == AffineExprKind::FloorDiv;
  if ((isMod || isDiv) && n && n.getValue() > 0) {
    int64_t N = n.getValue();
    auto inRange = [&](AffineExpr x) {
      auto [lo, hi] = rangeOf(x, ranges);
      return lo >= 0 && hi < N;
    };
    if (inRange(l))
      return isMod ? l : getAffineConstantExpr(0, e.getContext());
    // (m + x) with m a multiple of N.
    if (l.getKind() == AffineExprKind::Add) {
      auto add = cast<AffineBinaryOpExpr>(l);
      for (auto [m, x] : {std::pair(add.getLHS(), add.getRHS()),
                          std::pair(add.getRHS(), add.getLHS())})
        if (m.isMultipleOf(N) && inRange(x))
          return isMod ? x
                       : simplifyAffineExpr(m.floorDiv(N), ranges.size(), 0);
      // (a * c + x) with c dividing N and x in [0, c): the division and
      // remainder by N are a's by N / c (times c, plus x, for the
      // remainder).
      for (auto [m, x] : {std::pair(add.getLHS(), add.getRHS()),
                          std::pair(add.getRHS(), add.getLHS())}) {
        auto mul = dyn_cast<AffineBinaryOpExpr>(m);
        if (!mul || m.getKind() != AffineExprKind::Mul)
          continue;
        auto c = dyn_cast<AffineConstantExpr>(mul.getRHS());
        if (!c || c.getValue() <= 0 || N % c.getValue())
          continue;
        auto [lo, hi] = rangeOf(x, ranges);
        if (lo < 0 || hi >= c.getValue())
          continue;
        AffineExpr a = mul.getLHS();
        int64_t q = N / c.getValue();
        AffineExpr result = isMod ? simplifyWithRanges(a % q, ranges) * c + x
                                  : simplifyWithRanges(a.floorDiv(q), ranges);
        return simplifyAffineExpr(result, ranges.size(), 0);
      }
    }
  }
  AffineExpr out;
  switch (e.getKind()) {
  case AffineExprKind::Add:
    out = l + r;
    break;
  case AffineExprKind::Mul:
    out = l * r;
    break;
  case AffineExprKind::Mod:
    out = l % r;
    break;
  case AffineExprKind::FloorDiv:
    out = l.floorDiv(r);
    break;
  default:
    out = l.ceilDiv(r);
    break;
  }
  return simplifyAffineExpr(out, ranges.size(), 0);
}

struct GenericKernelBuilder {
  func::FuncOp f; // a clone, generalized
  ModuleOp kernels;
  TargetAttr target;
  OpBuilder b;
  Location loc;
  llvm::DenseMap<Value, Access> access;
  func::FuncOp kernel;

  std::string name;

  GenericKernelBuilder(func::FuncOp f, ModuleOp kernels, TargetAttr target,
                       StringRef name)
      : f(f), kernels(kernels), target(target), b(f.getContext()),
        loc(f.getLoc()), name(name) {}

  InFlightDiagnostic error(Operation *op) {
    return op->emitError() << "NPU target: cannot compile '" << op->getName()
                           << "' in kernel @" << name << ": ";
  }

  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<ShapedType>(v.getType()).getShape();
  }

  /// The kernel's signature and every tensor's access: arguments are their
  /// own roots; results are written into the trailing arguments, and what
  /// writes them (destinations, reshaped sources) into the same memory.
  void placeValues() {
    SmallVector<Type> params;
    for (Type t :
         llvm::concat<const Type>(f.getArgumentTypes(), f.getResultTypes())) {
      auto rt = cast<RankedTensorType>(t);
      params.push_back(MemRefType::get(rt.getShape(), rt.getElementType()));
    }
    b.setInsertionPointToEnd(kernels.getBody());
    kernel = func::FuncOp::create(b, loc, name, b.getFunctionType(params, {}));
    Block *entry = kernel.addEntryBlock();
    MLIRContext *ctx = f.getContext();
    auto identity = [&](Value v) {
      return AffineMap::getMultiDimIdentityMap(shapeOf(v).size(), ctx);
    };
    for (BlockArgument arg : f.getArguments())
      access[arg] = {entry->getArgument(arg.getArgNumber()), identity(arg)};
    Block &body = f.getBody().front();
    for (auto [i, v] : llvm::enumerate(body.getTerminator()->getOperands()))
      if (!access.count(v))
        access[v] = {entry->getArgument(f.getNumArguments() + i), identity(v)};
    // Backwards: a destination lives where its op's result does; the source
    // of a reshape where the reshape's result does.
    for (Operation &op : llvm::reverse(body)) {
      for (OpResult r : op.getResults()) {
        auto it = access.find(r);
        if (it == access.end())
          continue;
        Access a = it->second;
        auto give = [&](Value v, AffineMap m) {
          if (!access.count(v))
            access[v] = {a.root, compose(a.map, m)};
        };
        if (auto dps = dyn_cast<DestinationStyleOpInterface>(op))
          give(dps.getDpsInits()[r.getResultNumber()], identity(r));
        else if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                     tensor::CastOp>(op))
          give(op.getOperand(0),
               reshapeMap(shapeOf(op.getOperand(0)), shapeOf(r), ctx));
      }
    }
  }

  /// The access of `v`, forwards through views of placed values.
  FailureOr<Access> accessOf(Value v, Operation *user) {
    if (auto it = access.find(v); it != access.end())
      return it->second;
    Operation *def = v.getDefiningOp();
    MLIRContext *ctx = f.getContext();
    if (def &&
        isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(
            def)) {
      FailureOr<Access> src = accessOf(def->getOperand(0), user);
      if (failed(src))
        return failure();
      return access[v] = {
                 src->root,
                 compose(
                     src->map,
                     reshapeMap(shapeOf(v), shapeOf(def->getOperand(0)), ctx))};
    }
    if (auto slice = dyn_cast_or_null<tensor::ExtractSliceOp>(def)) {
      FailureOr<Access> src = accessOf(slice.getSource(), user);
      FailureOr<AffineMap> m = sliceMapOf(slice);
      if (failed(src) || failed(m))
        return failure();
      return access[v] = {src->root, compose(src->map, *m)};
    }
    return error(user) << "an operand is made in the kernel without a "
                          "buffer of its own (only arguments, views and the "
                          "kernel's results have one)",
           failure();
  }

  FailureOr<AffineMap> sliceMapOf(tensor::ExtractSliceOp slice) {
    for (ArrayRef<int64_t> v :
         {slice.getStaticOffsets(), slice.getStaticSizes(),
          slice.getStaticStrides()})
      if (ShapedType::isDynamicShape(v))
        return error(slice) << "dynamic offsets, sizes or strides", failure();
    FailureOr<AffineMap> m = sliceMap(
        slice.getStaticOffsets(), slice.getStaticSizes(),
        slice.getStaticStrides(), slice.getType().getShape(), f.getContext());
    if (failed(m))
      return error(slice) << "an unsupported rank-reducing slice", failure();
    return m;
  }

  /// Chunks of the parallel points and the reduction elements that two
  /// buffer sets of the unified buffer hold (at least 8 points where the
  /// reduction allows, no more points than a core's share).
  std::pair<int64_t, int64_t> chunk(int64_t P, int64_t R, ArrayRef<Type> ins,
                                    ArrayRef<Type> outs) {
    int64_t ub = 256 * 1024;
    if (MemoryLevelAttr l = target.getLevel("ub"))
      ub = l.getCapacity();
    auto bytes = [](Type t) {
      return std::max<int64_t>(1, (t.getIntOrFloatBitWidth() + 7) / 8);
    };
    int64_t in = 0, out = 0;
    for (Type t : ins)
      in += bytes(t);
    for (Type t : outs)
      out += bytes(t);
    // Per buffer set, leaving room for 32-byte alignment of every tile.
    int64_t budget = ub / 2 - 64 * int64_t(ins.size() + outs.size());
    int64_t cols = in ? std::clamp<int64_t>((budget / 8 - out) / in, 1, R) : 1;
    int64_t perPoint = in * cols + out;
    int64_t cores = std::max<int64_t>(1, target.getCores());
    int64_t rows =
        std::clamp<int64_t>(budget / perPoint, 1, llvm::divideCeil(P, cores));
    return {rows, cols};
  }

  /// A scalar `v` the payload reads from outside: cloned into the body
  /// (constants and scalar arithmetic on them).
  FailureOr<Value> scalarInto(Value v, IRMapping &map, Operation *user) {
    if (Value m = map.lookupOrNull(v))
      return m;
    Operation *def = v.getDefiningOp();
    if (!def || isa<ShapedType>(v.getType()) || def->getNumRegions() ||
        !isMemoryEffectFree(def))
      return error(user) << "the payload reads a value the kernel cannot "
                            "recompute",
             failure();
    for (Value o : def->getOperands())
      if (failed(scalarInto(o, map, user)))
        return failure();
    return b.clone(*def, map)->getResult(0);
  }

  /// One npu.vgeneric: `body(builder, loop indices, input elements, output
  /// elements)` builds the payload and returns the yielded values.
  using BodyFn = llvm::function_ref<FailureOr<SmallVector<Value>>(
      ValueRange ids, ValueRange ins, ValueRange outs)>;
  LogicalResult vgeneric(Operation *at, ArrayRef<int64_t> loops,
                         ArrayRef<utils::IteratorType> iters,
                         ArrayRef<std::pair<Access, AffineMap>> ins,
                         ArrayRef<std::pair<Access, AffineMap>> outs,
                         ArrayRef<Attribute> inits, BodyFn body) {
    SmallVector<Value> operands;
    SmallVector<Attribute> maps;
    SmallVector<Type> inTypes, outTypes,
        argTypes(loops.size(), b.getIndexType());
    for (auto [a, m] :
         llvm::concat<const std::pair<Access, AffineMap>>(ins, outs)) {
      operands.push_back(a.root);
      AffineMap composed = compose(a.map, m);
      SmallVector<AffineExpr> results;
      for (AffineExpr e : composed.getResults())
        results.push_back(simplifyWithRanges(e, loops));
      maps.push_back(AffineMapAttr::get(
          AffineMap::get(loops.size(), 0, results, f.getContext())));
      argTypes.push_back(cast<MemRefType>(a.root.getType()).getElementType());
    }
    for (auto &[a, m] : ins)
      inTypes.push_back(cast<MemRefType>(a.root.getType()).getElementType());
    for (auto &[a, m] : outs)
      outTypes.push_back(cast<MemRefType>(a.root.getType()).getElementType());
    int64_t P = 1, R = 1;
    SmallVector<Attribute> iterNames;
    for (auto [n, it] : llvm::zip(loops, iters)) {
      (it == utils::IteratorType::reduction ? R : P) *= n;
      iterNames.push_back(b.getStringAttr(
          it == utils::IteratorType::reduction ? "reduction" : "parallel"));
    }
    auto [rows, cols] = chunk(P, R, inTypes, outTypes);
    auto op = VGenericOp::create(
        b, at->getLoc(), ArrayRef(operands).take_front(ins.size()),
        ArrayRef(operands).drop_front(ins.size()), b.getArrayAttr(maps),
        b.getArrayAttr(iterNames), b.getDenseI64ArrayAttr(loops),
        b.getArrayAttr(inits), b.getI64IntegerAttr(rows),
        b.getI64IntegerAttr(cols));
    OpBuilder::InsertionGuard guard(b);
    Block *block = b.createBlock(&op.getBody(), {}, argTypes,
                                 SmallVector<Location>(argTypes.size(), loc));
    b.setInsertionPointToStart(block);
    ValueRange args = block->getArguments();
    FailureOr<SmallVector<Value>> yielded =
        body(args.take_front(loops.size()),
             args.drop_front(loops.size()).take_front(ins.size()),
             args.take_back(outs.size()));
    if (failed(yielded))
      return failure();
    npu::YieldOp::create(b, at->getLoc(), *yielded);
    return success();
  }

  /// Copies `src` into the part of `dst` that `place` (src indices -> dst
  /// indices) gives.
  LogicalResult copy(Operation *at, Value src, Access dst, AffineMap place) {
    FailureOr<Access> from = accessOf(src, at);
    if (failed(from))
      return failure();
    ArrayRef<int64_t> shape = shapeOf(src);
    AffineMap id =
        AffineMap::getMultiDimIdentityMap(shape.size(), f.getContext());
    SmallVector<utils::IteratorType> iters(shape.size(),
                                           utils::IteratorType::parallel);
    SmallVector<int64_t> loops(shape);
    if (loops.empty())
      loops.push_back(1), iters.push_back(utils::IteratorType::parallel),
          id = AffineMap::get(1, 0, {}, f.getContext()),
          place = AffineMap::get(1, 0, place.getResults(), f.getContext());
    return vgeneric(at, loops, iters, {{*from, id}}, {{dst, place}},
                    {b.getUnitAttr()},
                    [&](ValueRange, ValueRange in,
                        ValueRange) -> FailureOr<SmallVector<Value>> {
                      return SmallVector<Value>{in[0]};
                    });
  }

  /// The constant a fill writes, or null.
  static TypedAttr fillValue(linalg::FillOp fill) {
    Attribute a;
    if (matchPattern(fill.getInputs()[0], m_Constant(&a)))
      return dyn_cast<TypedAttr>(a);
    return nullptr;
  }

  /// A fill whose every use is as the init of a linalg op: the op starts
  /// its outputs from the constant instead.
  static bool isAbsorbedFill(Operation *op) {
    auto fill = dyn_cast<linalg::FillOp>(op);
    return fill && fillValue(fill) && !fill->use_empty() &&
           llvm::all_of(fill->getUses(), [](OpOperand &use) {
             auto l = dyn_cast<linalg::LinalgOp>(use.getOwner());
             return l && !isa<linalg::FillOp>(use.getOwner()) &&
                    l.isDpsInit(&use);
           });
  }

  LogicalResult convertFill(linalg::FillOp fill) {
    TypedAttr value = fillValue(fill);
    if (!value)
      return error(fill) << "a fill of a value that is not a constant",
             failure();
    FailureOr<Access> out = accessOf(fill.getResult(0), fill);
    if (failed(out))
      return failure();
    ArrayRef<int64_t> shape = shapeOf(fill.getResult(0));
    SmallVector<int64_t> loops(shape);
    AffineMap id =
        AffineMap::getMultiDimIdentityMap(shape.size(), f.getContext());
    if (loops.empty())
      loops.push_back(1), id = AffineMap::get(1, 0, {}, f.getContext());
    SmallVector<utils::IteratorType> iters(loops.size(),
                                           utils::IteratorType::parallel);
    return vgeneric(fill, loops, iters, {}, {{*out, id}}, {value},
                    [&](ValueRange, ValueRange,
                        ValueRange outs) -> FailureOr<SmallVector<Value>> {
                      return SmallVector<Value>{
                          arith::ConstantOp::create(b, loc, value)};
                    });
  }

  LogicalResult convertGeneric(linalg::GenericOp g) {
    SmallVector<int64_t> loops = g.getStaticLoopRanges();
    if (ShapedType::isDynamicShape(loops))
      return error(g) << "dynamic shapes", failure();
    SmallVector<utils::IteratorType> iters = g.getIteratorTypesArray();
    SmallVector<std::pair<Access, AffineMap>> ins, outs;
    for (OpOperand *in : g.getDpsInputOperands()) {
      if (!isa<RankedTensorType>(in->get().getType()))
        return error(g) << "a scalar input", failure();
      FailureOr<Access> a = accessOf(in->get(), g);
      if (failed(a))
        return failure();
      ins.push_back({*a, g.getMatchingIndexingMap(in)});
    }
    // Outputs start from a fill's constant, from nothing (an empty), or
    // from what the init holds (read as one more input).
    SmallVector<Attribute> inits;
    SmallVector<int> readInit(g.getNumDpsInits(), -1);
    for (auto [j, init] : llvm::enumerate(g.getDpsInitsMutable())) {
      FailureOr<Access> out = accessOf(g->getResult(j), g);
      if (failed(out))
        return failure();
      AffineMap m = g.getMatchingIndexingMap(&init);
      outs.push_back({*out, m});
      Operation *def = init.get().getDefiningOp();
      bool readsAcc = !g.getRegionOutputArgs()[j].use_empty();
      if (auto fill = dyn_cast_or_null<linalg::FillOp>(def);
          fill && isAbsorbedFill(fill)) {
        inits.push_back(fillValue(fill));
      } else if (!readsAcc || isa_and_nonnull<tensor::EmptyOp>(def)) {
        inits.push_back(b.getUnitAttr());
      } else {
        FailureOr<Access> held = accessOf(init.get(), g);
        if (failed(held))
          return failure();
        readInit[j] = ins.size();
        ins.push_back({*held, m});
        inits.push_back(b.getUnitAttr());
      }
    }
    SmallVector<unsigned> reductionLoops;
    for (auto [d, it] : llvm::enumerate(iters))
      if (it == utils::IteratorType::reduction)
        reductionLoops.push_back(d);
    Block &payload = g.getRegion().front();
    return vgeneric(
        g, loops, iters, ins, outs, inits,
        [&](ValueRange ids, ValueRange in,
            ValueRange acc) -> FailureOr<SmallVector<Value>> {
          IRMapping map;
          unsigned numIn = g.getNumDpsInputs();
          for (unsigned i = 0; i < numIn; ++i)
            map.map(payload.getArgument(i), in[i]);
          for (unsigned j = 0; j < g.getNumDpsInits(); ++j) {
            Value start = acc[j];
            if (readInit[j] >= 0) {
              // The init's value before the first reduction step, the
              // running value after it.
              Value held = in[readInit[j]];
              if (reductionLoops.empty()) {
                start = held;
              } else {
                Value first;
                Value zero = arith::ConstantIndexOp::create(b, loc, 0);
                for (unsigned d : reductionLoops) {
                  Value is = arith::CmpIOp::create(
                      b, loc, arith::CmpIPredicate::eq, ids[d], zero);
                  first = first ? arith::AndIOp::create(b, loc, first, is) : is;
                }
                start = arith::SelectOp::create(b, loc, first, held, acc[j]);
              }
            }
            map.map(payload.getArgument(numIn + j), start);
          }
          for (Operation &op : payload.without_terminator()) {
            for (Value o : op.getOperands())
              if (!map.contains(o) && o.getParentBlock() != &payload) {
                if (isa<RankedTensorType>(o.getType()))
                  continue; // tensor.extract's source, below
                if (failed(scalarInto(o, map, g)))
                  return failure();
              }
            if (auto index = dyn_cast<linalg::IndexOp>(op)) {
              map.map(index.getResult(), ids[index.getDim()]);
              continue;
            }
            if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
              // A gather: the scalar unit reads the element.
              FailureOr<Access> t = accessOf(extract.getTensor(), g);
              if (failed(t))
                return failure();
              SmallVector<Value> idx;
              for (Value i : extract.getIndices())
                idx.push_back(map.lookup(i));
              SmallVector<Value> rootIdx;
              for (AffineExpr e : t->map.getResults())
                rootIdx.push_back(affine::AffineApplyOp::create(
                    b, loc,
                    AffineMap::get(t->map.getNumDims(), 0, e, f.getContext()),
                    idx));
              map.map(extract.getResult(),
                      memref::LoadOp::create(b, loc, t->root, rootIdx));
              continue;
            }
            Dialect *d = op.getDialect();
            if (!d ||
                !(d->getNamespace() == "arith" ||
                  d->getNamespace() == "math") ||
                op.getNumRegions())
              return error(g) << "the payload's '" << op.getName()
                              << "' has no vector-unit form",
                     failure();
            b.clone(op, map);
          }
          SmallVector<Value> yielded;
          for (Value v : payload.getTerminator()->getOperands())
            yielded.push_back(map.lookupOrDefault(v));
          return yielded;
        });
  }

  LogicalResult convertOp(Operation &op) {
    MLIRContext *ctx = f.getContext();
    if (isa<func::ReturnOp, tensor::EmptyOp>(op) || isAbsorbedFill(&op))
      return success();
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(op))
      return success(); // accesses, made where they are read
    if (op.getNumRegions() == 0 && isMemoryEffectFree(&op) &&
        llvm::none_of(op.getResultTypes(),
                      [](Type t) { return isa<ShapedType>(t); }))
      return success(); // scalars, recomputed where they are used
    if (auto fill = dyn_cast<linalg::FillOp>(op))
      return convertFill(fill);
    if (auto g = dyn_cast<linalg::GenericOp>(op))
      return convertGeneric(g);
    if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op)) {
      // A copy (a view read by another op is an access, not a kernel).
      if (llvm::none_of(op.getUsers(),
                        [](Operation *u) { return isa<func::ReturnOp>(u); }))
        return success();
      FailureOr<Access> out = accessOf(slice.getResult(), &op);
      FailureOr<AffineMap> m = sliceMapOf(slice);
      FailureOr<Access> src = accessOf(slice.getSource(), &op);
      if (failed(out) || failed(m) || failed(src))
        return failure();
      // Read the source through the slice: copy "src" = the slice itself.
      access[slice.getResult()] = *out;
      Access through{src->root, compose(src->map, *m)};
      ArrayRef<int64_t> shape = shapeOf(slice.getResult());
      AffineMap id = AffineMap::getMultiDimIdentityMap(shape.size(), ctx);
      SmallVector<int64_t> loops(shape);
      SmallVector<utils::IteratorType> iters(loops.size(),
                                             utils::IteratorType::parallel);
      return vgeneric(&op, loops, iters, {{through, id}}, {{*out, id}},
                      {b.getUnitAttr()},
                      [&](ValueRange, ValueRange in,
                          ValueRange) -> FailureOr<SmallVector<Value>> {
                        return SmallVector<Value>{in[0]};
                      });
    }
    if (auto insert = dyn_cast<tensor::InsertSliceOp>(op)) {
      FailureOr<Access> out = accessOf(insert.getResult(), &op);
      if (failed(out))
        return failure();
      // The destination's contents first, unless they are already there
      // (an empty, a fill or an insert into the same buffer).
      Value dest = insert.getDest();
      FailureOr<Access> held = accessOf(dest, &op);
      if (failed(held))
        return failure();
      if (held->root != out->root &&
          failed(copy(
              &op, dest, *out,
              AffineMap::getMultiDimIdentityMap(shapeOf(dest).size(), ctx))))
        return failure();
      for (ArrayRef<int64_t> v :
           {insert.getStaticOffsets(), insert.getStaticSizes(),
            insert.getStaticStrides()})
        if (ShapedType::isDynamicShape(v))
          return error(&op) << "dynamic offsets, sizes or strides", failure();
      FailureOr<AffineMap> m =
          sliceMap(insert.getStaticOffsets(), insert.getStaticSizes(),
                   insert.getStaticStrides(), shapeOf(insert.getSource()), ctx);
      if (failed(m))
        return error(&op) << "an unsupported rank-expanding insert", failure();
      return copy(&op, insert.getSource(), *out, *m);
    }
    if (auto concat = dyn_cast<tensor::ConcatOp>(op)) {
      FailureOr<Access> out = accessOf(concat.getResult(), &op);
      if (failed(out))
        return failure();
      int64_t dim = concat.getDim(), offset = 0;
      for (Value in : concat.getInputs()) {
        unsigned rank = shapeOf(in).size();
        SmallVector<AffineExpr> results;
        for (unsigned d = 0; d < rank; ++d)
          results.push_back(getAffineDimExpr(d, ctx) + (d == dim ? offset : 0));
        if (failed(copy(&op, in, *out, AffineMap::get(rank, 0, results, ctx))))
          return failure();
        offset += shapeOf(in)[dim];
      }
      return success();
    }
    return error(&op) << "the NPU backend has no kernel for it yet", failure();
  }

  LogicalResult build() {
    placeValues();
    b.setInsertionPointToStart(&kernel.getBody().front());
    for (Operation &op : f.getBody().front())
      if (failed(convertOp(op)))
        return failure();
    func::ReturnOp::create(b, loc);
    return success();
  }
};
} // namespace

LogicalResult mlir::sinter::npu::convertGenericKernel(func::FuncOp f,
                                                      ModuleOp kernels,
                                                      TargetAttr target) {
  // Work on a generalized copy: named linalg ops (copies, transposes,
  // broadcasts, matmuls of decomposed ops) as linalg.generic.
  OpBuilder ob(f.getContext());
  ob.setInsertionPointToEnd(kernels.getBody());
  auto work = cast<func::FuncOp>(ob.clone(*f));
  work.setSymName((f.getName() + "__generalized").str());
  IRRewriter rewriter(f.getContext());
  SmallVector<linalg::LinalgOp> named;
  work.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp, linalg::FillOp>(op))
      named.push_back(op);
  });
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    if (failed(linalg::generalizeNamedOp(rewriter, op))) {
      work.erase();
      return op->emitError() << "NPU target: cannot generalize '"
                             << op->getName() << "' in kernel @" << f.getName();
    }
  }
  GenericKernelBuilder builder(work, kernels, target, f.getName());
  LogicalResult result = builder.build();
  if (failed(result) && builder.kernel)
    builder.kernel.erase();
  work.erase();
  return result;
}
