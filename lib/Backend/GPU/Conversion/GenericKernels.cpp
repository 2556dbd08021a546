//===- GenericKernels.cpp - Any leftover tensor op as a SIMT kernel -------===//
//
// The one general GPU path for what a graph leaves besides the sinter ops
// (and for sinter ops the backend has no kernel for, once decomposed): any
// linalg op (elementwise, broadcasts, transposes, copies, fills,
// reductions, gathers through tensor.extract, linalg.index), tensor.concat,
// a strided tensor.extract_slice and tensor.insert_slice, on any element
// type:
//
//   thread t of block b owns element (b * 256 + t) of the op's parallel
//   iteration space (row-major, the last dimension fastest, so a warp's
//   loads and stores of a contiguous output are coalesced)
//   the reduction dimensions run as a loop nest in that thread, the
//   accumulators starting from the destination's values (a fill's value,
//   or the destination tensor read)
//   the payload is cloned on the loaded elements; the results are stored
//
// A reduction along the innermost loop (a row's sum, max or sum of
// squares: what norms and softmax decompose into) instead gives each
// element of the parallel space one warp: the lanes stride the reduction
// space together (coalesced), each folding its elements into a partial
// result from the combiner's identity; xor shuffles combine the lanes and
// lane 0 folds in the destination's value and stores.
//
//===----------------------------------------------------------------------===//
#include "KernelBuilder.h"
#include "mlir/Dialect/Affine/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::sinter;
using namespace mlir::sinter::gpu_kernels;

namespace {
constexpr int64_t kThreads = 256;

/// The value `v` (a kernel function value) is made from, through views of
/// empties: the fill (or empty) behind a destination, else null.
Operation *destinationSource(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (isa<tensor::EmptyOp, linalg::FillOp>(def))
      return def;
    if (!isHostView(def))
      return nullptr;
    v = def->getOperand(0);
  }
  return nullptr;
}

/// Whether `op` is the scalar work a generic kernel can clone.
bool isScalarPayloadOp(Operation &op) {
  if (isa<linalg::IndexOp, linalg::YieldOp, tensor::ExtractOp>(op))
    return true;
  Dialect *d = op.getDialect();
  return d && (d->getNamespace() == "arith" || d->getNamespace() == "math") &&
         llvm::all_of(op.getOperandTypes(),
                      [](Type t) { return t.isIntOrIndexOrFloat(); });
}

/// The op that folds a value into result `i`'s accumulator (the yielded
/// value is `combiner(accumulator, x)` with `x` independent of every
/// accumulator), when it is associative and commutative; else null.
Operation *reductionCombiner(linalg::LinalgOp op, unsigned i) {
  Block &block = op->getRegion(0).front();
  Value yielded = block.getTerminator()->getOperand(i);
  Operation *def = yielded.getDefiningOp();
  if (!def || def->getBlock() != &block || def->getNumOperands() != 2 ||
      !isa<arith::AddFOp, arith::AddIOp, arith::MulFOp, arith::MulIOp,
           arith::MaximumFOp, arith::MaxNumFOp, arith::MinimumFOp,
           arith::MinNumFOp, arith::MaxSIOp, arith::MinSIOp, arith::MaxUIOp,
           arith::MinUIOp, arith::AndIOp, arith::OrIOp, arith::XOrIOp>(def))
    return nullptr;
  Value acc = op.getRegionOutputArgs()[i];
  Value x = def->getOperand(0) == acc ? def->getOperand(1)
                                      : def->getOperand(1) == acc
                                            ? def->getOperand(0)
                                            : Value();
  if (!x)
    return nullptr;
  // x must not read any accumulator (through the payload's ops).
  SmallVector<Value> work{x};
  llvm::DenseSet<Value> seen;
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (llvm::is_contained(op.getRegionOutputArgs(), v))
      return nullptr;
    if (Operation *d = v.getDefiningOp(); d && d->getBlock() == &block)
      llvm::append_range(work, d->getOperands());
  }
  return def;
}

/// The identity of `combiner` on `type`.
TypedAttr combinerIdentity(Operation *combiner, Type type) {
  Builder b(combiner->getContext());
  if (auto f = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = f.getFloatSemantics();
    if (isa<arith::MulFOp>(combiner))
      return b.getFloatAttr(f, 1.0);
    if (isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner))
      return b.getFloatAttr(f, llvm::APFloat::getInf(sem, /*Negative=*/true));
    if (isa<arith::MinimumFOp, arith::MinNumFOp>(combiner))
      return b.getFloatAttr(f, llvm::APFloat::getInf(sem, false));
    return b.getFloatAttr(f, 0.0);
  }
  unsigned w = type.getIntOrFloatBitWidth();
  llvm::APInt v = llvm::APInt::getZero(w);
  if (isa<arith::MulIOp>(combiner))
    v = llvm::APInt(w, 1);
  else if (isa<arith::AndIOp, arith::MinUIOp>(combiner))
    v = llvm::APInt::getAllOnes(w);
  else if (isa<arith::MaxSIOp>(combiner))
    v = llvm::APInt::getSignedMinValue(w);
  else if (isa<arith::MinSIOp>(combiner))
    v = llvm::APInt::getSignedMaxValue(w);
  return b.getIntegerAttr(type, v);
}

/// Whether `op` reduces along its innermost loop, over enough elements
/// for a warp, with combiners the lanes can merge: the warp-per-element
/// schedule.
bool usesWarpReduction(Operation *op) {
  auto l = dyn_cast<linalg::LinalgOp>(op);
  if (!l || l.getNumReductionLoops() == 0)
    return false;
  SmallVector<utils::IteratorType> iters = l.getIteratorTypesArray();
  if (iters.back() != utils::IteratorType::reduction)
    return false;
  int64_t reduced = 1;
  for (auto [r, it] : llvm::zip(l.getStaticLoopRanges(), iters))
    if (it == utils::IteratorType::reduction)
      reduced *= r;
  if (reduced < 64)
    return false;
  // Shuffles move 32-bit values.
  for (unsigned i = 0; i < l.getNumDpsInits(); ++i)
    if (!reductionCombiner(l, i) ||
        getElementTypeOrSelf(l.getDpsInits()[i].getType())
                .getIntOrFloatBitWidth() != 32)
      return false;
  return true;
}

struct GenericKernel : KernelBuilder {
  func::FuncOp f;
  /// The kernel's memref for each value of the kernel function.
  IRMapping memrefs;

  /// Indices of element `linear` of a row-major space of `sizes`.
  SmallVector<Value> delinearize(Value linear, ArrayRef<int64_t> sizes) {
    SmallVector<Value> ids(sizes.size());
    Value rest = linear;
    for (int64_t d = int64_t(sizes.size()) - 1; d >= 0; --d) {
      ids[d] = d ? remu(rest, sizes[d]) : rest;
      if (d)
        rest = divu(rest, sizes[d]);
    }
    return ids;
  }

  /// `map` applied to the loop indices `ids`.
  SmallVector<Value> apply(AffineMap map, ArrayRef<Value> ids) {
    SmallVector<Value> out;
    for (AffineExpr e : map.getResults()) {
      if (auto c = dyn_cast<AffineConstantExpr>(e))
        out.push_back(idx(c.getValue()));
      else if (auto d = dyn_cast<AffineDimExpr>(e))
        out.push_back(ids[d.getPosition()]);
      else
        out.push_back(affine::expandAffineExpr(b, loc, e, ids, {}));
    }
    return out;
  }

  /// A value the op reads from outside: a kernel parameter's memref, or a
  /// scalar the kernel function computes (constants), cloned here.
  Value outside(Value v, IRMapping &scalars) {
    if (Value m = memrefs.lookupOrNull(v))
      return m;
    if (Value s = scalars.lookupOrNull(v))
      return s;
    Operation *def = v.getDefiningOp();
    for (Value operand : def->getOperands())
      outside(operand, scalars);
    return b.clone(*def, scalars)->getResult(0);
  }

  /// Clones the payload `block` with its arguments bound to `args` and
  /// the loop indices `ids`; returns the yielded values.
  SmallVector<Value> payload(Block &block, ValueRange args, ArrayRef<Value> ids,
                             IRMapping &scalars) {
    IRMapping map;
    map.map(block.getArguments(), args);
    for (Operation &op : block.without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(op)) {
        map.map(index.getResult(), ids[index.getDim()]);
        continue;
      }
      for (Value v : op.getOperands())
        if (!map.contains(v) && v.getParentBlock() != &block)
          map.map(v, outside(v, scalars));
      if (auto extract = dyn_cast<tensor::ExtractOp>(op)) {
        SmallVector<Value> at;
        for (Value i : extract.getIndices())
          at.push_back(map.lookup(i));
        map.map(extract.getResult(),
                memref::LoadOp::create(b, loc, map.lookup(extract.getTensor()),
                                       at));
        continue;
      }
      b.clone(op, map);
    }
    SmallVector<Value> out;
    for (Value v : block.getTerminator()->getOperands())
      out.push_back(map.lookupOrDefault(v));
    return out;
  }

  /// A linalg op: parallel dimensions over the threads, reductions in a
  /// loop nest.
  void buildLinalg(linalg::LinalgOp op, ValueRange outs, int64_t total,
                   Value linear) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<int64_t> parSizes, parDims, redDims;
    for (auto [d, it] : llvm::enumerate(iters)) {
      if (it == utils::IteratorType::parallel) {
        parSizes.push_back(ranges[d]);
        parDims.push_back(d);
      } else {
        redDims.push_back(d);
      }
    }
    bool warp = usesWarpReduction(op);
    // Warp schedule: element `linear / 32` of the parallel space, lane
    // `linear % 32` (a warp's lanes share the element: the bounds check
    // and the shuffles are uniform in the warp).
    Value element = warp ? divu(linear, 32) : linear;
    ifThen(lt(element, idx(warp ? total / 32 : total)), [&] {
      IRMapping scalars;
      SmallVector<Value> ids(ranges.size());
      for (auto [d, v] : llvm::zip(parDims, delinearize(element, parSizes)))
        ids[d] = v;
      // Accumulators start from the destinations: a fill's value, the
      // destination read when it is data, anything for an empty one
      // (whose value the payload does not read).
      SmallVector<Value> inits;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        Type elem = getElementTypeOrSelf(init.get().getType());
        Operation *src = destinationSource(init.get());
        if (auto fill = dyn_cast_or_null<linalg::FillOp>(src)) {
          inits.push_back(outside(fill.getInputs()[0], scalars));
        } else if (src) {
          inits.push_back(
              arith::ConstantOp::create(b, loc, b.getZeroAttr(elem)));
        } else {
          // The destination's value at the parallel indices (reduction
          // indices do not appear in an output map).
          SmallVector<Value> at0(ids);
          for (int64_t d : redDims)
            at0[d] = idx(0);
          inits.push_back(memref::LoadOp::create(
              b, loc, outside(init.get(), scalars),
              apply(maps[init.getOperandNumber()], at0)));
        }
      }
      Block &block = op->getRegion(0).front();
      auto step = [&](ArrayRef<Value> at, ValueRange accs) {
        SmallVector<Value> args;
        for (OpOperand *in : op.getDpsInputOperands()) {
          Value v = outside(in->get(), scalars);
          if (!isa<MemRefType>(v.getType())) {
            args.push_back(v);
            continue;
          }
          args.push_back(memref::LoadOp::create(
              b, loc, v, apply(maps[in->getOperandNumber()], at)));
        }
        llvm::append_range(args, accs);
        return payload(block, args, at, scalars);
      };
      // The reduction loop nest, outermost first.
      std::function<SmallVector<Value>(size_t, SmallVector<Value>)> nest =
          [&](size_t r, SmallVector<Value> accs) -> SmallVector<Value> {
        if (r == redDims.size())
          return step(ids, accs);
        auto loop = scf::ForOp::create(b, loc, idx(0), idx(ranges[redDims[r]]),
                                       idx(1), accs);
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(loop.getBody());
        ids[redDims[r]] = loop.getInductionVar();
        scf::YieldOp::create(
            b, loc, nest(r + 1, SmallVector<Value>(loop.getRegionIterArgs())));
        return SmallVector<Value>(loop.getResults());
      };
      if (warp) {
        buildWarpReduction(op, outs, ids, redDims, inits, step, scalars,
                           remu(linear, 32));
        return;
      }
      SmallVector<Value> results = nest(0, inits);
      for (int64_t d : redDims)
        ids[d] = idx(0);
      for (auto [i, out] : llvm::enumerate(outs))
        memref::StoreOp::create(b, loc, results[i], out,
                                apply(maps[op.getNumDpsInputs() + i], ids));
    });
  }

  /// The lanes of one warp fold the reduction space of the element at
  /// `ids` (parallel dimensions set) in turn, 32 apart, each from the
  /// combiners' identities; the shuffles merge the partial results and
  /// lane 0 folds them into `inits` and stores.
  void buildWarpReduction(
      linalg::LinalgOp op, ValueRange outs, SmallVector<Value> ids,
      ArrayRef<int64_t> redDims, ArrayRef<Value> inits,
      llvm::function_ref<SmallVector<Value>(ArrayRef<Value>, ValueRange)> step,
      IRMapping &scalars, Value lane) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<int64_t> redSizes;
    int64_t reduced = 1;
    for (int64_t d : redDims) {
      redSizes.push_back(ranges[d]);
      reduced *= ranges[d];
    }
    SmallVector<Operation *> combiners;
    SmallVector<Value> identities;
    for (auto [i, init] : llvm::enumerate(inits)) {
      combiners.push_back(reductionCombiner(op, i));
      identities.push_back(arith::ConstantOp::create(
          b, loc, combinerIdentity(combiners.back(), init.getType())));
    }
    auto loop =
        scf::ForOp::create(b, loc, lane, idx(reduced), idx(32), identities);
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(loop.getBody());
      SmallVector<Value> at(ids);
      for (auto [d, v] : llvm::zip(
               redDims, delinearize(loop.getInductionVar(), redSizes)))
        at[d] = v;
      scf::YieldOp::create(b, loc, step(at, loop.getRegionIterArgs()));
    }
    // Combines with the same op kind as the payload's fold.
    auto combine = [&](Operation *combiner, Value x, Value y) {
      OperationState state(loc, combiner->getName());
      state.addOperands({x, y});
      state.addTypes(x.getType());
      state.addAttributes(combiner->getAttrs());
      return b.create(state)->getResult(0);
    };
    SmallVector<Value> results;
    for (auto [i, partial] : llvm::enumerate(loop.getResults())) {
      Value total = xorReduce(partial, {16, 8, 4, 2, 1}, [&](Value x, Value y) {
        return combine(combiners[i], x, y);
      });
      results.push_back(combine(combiners[i], inits[i], total));
    }
    for (int64_t d : redDims)
      ids[d] = idx(0);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                 idx(0)),
           [&] {
             for (auto [i, out] : llvm::enumerate(outs))
               memref::StoreOp::create(
                   b, loc, results[i], out,
                   apply(maps[op.getNumDpsInputs() + i], ids));
           });
  }

  /// tensor.concat: each output element from the input whose range along
  /// the concatenated dimension holds it.
  void buildConcat(tensor::ConcatOp op, Value out, int64_t total,
                   Value linear) {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t dim = op.getDim();
    ifThen(lt(linear, idx(total)), [&] {
      IRMapping scalars;
      SmallVector<Value> ids = delinearize(linear, type.getShape());
      Type elem = type.getElementType();
      // From the last input backwards: input i when ids[dim] >= its start.
      SmallVector<int64_t> starts;
      int64_t start = 0;
      for (Value in : op.getInputs()) {
        starts.push_back(start);
        start += cast<RankedTensorType>(in.getType()).getDimSize(dim);
      }
      std::function<Value(size_t)> pick = [&](size_t i) -> Value {
        auto load = [&] {
          SmallVector<Value> at(ids);
          at[dim] = sub(ids[dim], idx(starts[i]));
          return memref::LoadOp::create(b, loc,
                                        outside(op.getInputs()[i], scalars), at)
              .getResult();
        };
        if (i + 1 == starts.size())
          return load();
        auto branch = scf::IfOp::create(b, loc, TypeRange{elem},
                                        lt(ids[dim], idx(starts[i + 1])), true);
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(&branch.getThenRegion().front());
        scf::YieldOp::create(b, loc, load());
        b.setInsertionPointToStart(&branch.getElseRegion().front());
        scf::YieldOp::create(b, loc, pick(i + 1));
        return branch.getResult(0);
      };
      memref::StoreOp::create(b, loc, pick(0), out, ids);
    });
  }

  /// A strided tensor.extract_slice: each output element read from its
  /// place in the source.
  void buildSlice(tensor::ExtractSliceOp op, Value out, int64_t total,
                  Value linear) {
    ifThen(lt(linear, idx(total)), [&] {
      IRMapping scalars;
      auto type = op.getType();
      SmallVector<Value> ids = delinearize(linear, type.getShape());
      llvm::SmallBitVector dropped = op.getDroppedDims();
      SmallVector<Value> at;
      size_t next = 0;
      for (int64_t d = 0; d < op.getSourceType().getRank(); ++d) {
        Value i = dropped[d] ? idx(0) : ids[next++];
        at.push_back(add(idx(op.getStaticOffsets()[d]),
                         mul(i, idx(op.getStaticStrides()[d]))));
      }
      memref::StoreOp::create(
          b, loc,
          memref::LoadOp::create(b, loc, outside(op.getSource(), scalars), at),
          out, ids);
    });
  }

  /// tensor.insert_slice: the source's element where the slice covers the
  /// output, the destination's elsewhere (a fill's value, or zero for an
  /// empty destination, whose other elements nothing defines).
  void buildInsert(tensor::InsertSliceOp op, Value out, int64_t total,
                   Value linear) {
    ifThen(lt(linear, idx(total)), [&] {
      IRMapping scalars;
      RankedTensorType type = op.getDestType();
      Type elem = type.getElementType();
      SmallVector<Value> ids = delinearize(linear, type.getShape());
      llvm::SmallBitVector dropped = op.getDroppedDims();
      Value inside = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
      SmallVector<Value> at;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        int64_t off = op.getStaticOffsets()[d], size = op.getStaticSizes()[d],
                stride = op.getStaticStrides()[d];
        Value rel = sub(ids[d], idx(off));
        // ids[d] - off wraps below zero, so one unsigned compare bounds it.
        Value ok = lt(rel, idx((size - 1) * stride + 1));
        if (stride != 1)
          ok = arith::AndIOp::create(
              b, loc, ok,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                    remu(rel, stride), idx(0)));
        inside = arith::AndIOp::create(b, loc, inside, ok);
        if (!dropped[d])
          at.push_back(stride == 1 ? rel : divu(rel, stride));
      }
      auto branch = scf::IfOp::create(b, loc, TypeRange{elem}, inside, true);
      {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(&branch.getThenRegion().front());
        scf::YieldOp::create(
            b, loc,
            memref::LoadOp::create(b, loc, outside(op.getSource(), scalars), at)
                .getResult());
        b.setInsertionPointToStart(&branch.getElseRegion().front());
        Value dest;
        Operation *src = destinationSource(op.getDest());
        if (auto fill = dyn_cast_or_null<linalg::FillOp>(src))
          dest = outside(fill.getInputs()[0], scalars);
        else if (src)
          dest = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
        else
          dest = memref::LoadOp::create(b, loc, outside(op.getDest(), scalars),
                                        ids);
        scf::YieldOp::create(b, loc, dest);
      }
      memref::StoreOp::create(b, loc, branch.getResult(0), out, ids);
    });
  }
};

/// The elements the threads cover: the parallel iteration space (linalg)
/// or the output (tensor ops).
int64_t threadElements(Operation *op) {
  if (auto l = dyn_cast<linalg::LinalgOp>(op)) {
    int64_t n = usesWarpReduction(op) ? 32 : 1;
    for (auto [r, it] :
         llvm::zip(l.getStaticLoopRanges(), l.getIteratorTypesArray()))
      if (it == utils::IteratorType::parallel)
        n *= r;
    return n;
  }
  return cast<RankedTensorType>(op->getResult(0).getType()).getNumElements();
}
} // namespace

bool gpu_kernels::isGenericKernelOp(Operation *op) {
  return isa<linalg::LinalgOp, tensor::ConcatOp, tensor::ExtractSliceOp,
             tensor::InsertSliceOp>(op);
}

std::string gpu_kernels::unsupportedGeneric(Operation *op) {
  for (Type t : op->getOperandTypes())
    if (auto s = dyn_cast<ShapedType>(t); s && !s.hasStaticShape())
      return "dynamic shapes are not supported";
  if (auto slice = dyn_cast<OffsetSizeAndStrideOpInterface>(op))
    if (ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        ShapedType::isDynamicShape(slice.getStaticSizes()) ||
        ShapedType::isDynamicShape(slice.getStaticStrides()))
      return "dynamic slice offsets are not supported";
  auto l = dyn_cast<linalg::LinalgOp>(op);
  if (!l)
    return "";
  if (l->getNumRegions() != 1 || l->getRegion(0).empty())
    return "the op has no payload";
  for (AffineMap map : l.getIndexingMapsArray())
    if (map.getNumSymbols())
      return "an indexing map has symbols";
  for (OpOperand &init : l.getDpsInitsMutable()) {
    AffineMap map = l.getMatchingIndexingMap(&init);
    for (AffineExpr e : map.getResults()) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d && !isa<AffineConstantExpr>(e))
        return "an output's indexing map is not a projection";
      if (d && l.getIteratorTypesArray()[d.getPosition()] !=
                   utils::IteratorType::parallel)
        return "an output is indexed by a reduction dimension";
    }
  }
  for (Operation &inner : l->getRegion(0).front()) {
    if (!isScalarPayloadOp(inner))
      return "the payload has '" + inner.getName().getStringRef().str() +
             "', which is not scalar arithmetic";
    auto isFp8 = [](Type t) {
      return isa<Float8E4M3FNType, Float8E5M2Type>(t);
    };
    if (llvm::any_of(inner.getOperandTypes(), isFp8) ||
        llvm::any_of(inner.getResultTypes(), isFp8))
      return "fp8 arithmetic in a generic kernel is not supported yet ('" +
             inner.getName().getStringRef().str() + "' on fp8)";
  }
  return "";
}

KernelPlan gpu_kernels::createGenericKernels(OpBuilder &b, Operation *op,
                                             func::FuncOp f,
                                             ArrayRef<Type> params,
                                             const GPUResources &gpu) {
  auto kernel =
      createKernelFunc(b, op->getLoc(), f.getName(), params, {}, kThreads);
  Block &entry = kernel.getBody().front();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&entry);
  GenericKernel k{{{b, op->getLoc()}}, f, {}};
  for (auto [i, arg] : llvm::enumerate(f.getArguments()))
    k.memrefs.map(arg, entry.getArgument(i));
  SmallVector<Value> outs;
  for (unsigned r = 0; r < f.getNumResults(); ++r)
    outs.push_back(entry.getArgument(f.getNumArguments() + r));
  int64_t total = threadElements(op);
  Value linear =
      k.add(k.mul(gpu::BlockIdOp::create(b, op->getLoc(), gpu::Dimension::x),
                  k.idx(kThreads)),
            gpu::ThreadIdOp::create(b, op->getLoc(), gpu::Dimension::x));
  if (auto l = dyn_cast<linalg::LinalgOp>(op))
    k.buildLinalg(l, outs, total, linear);
  else if (auto c = dyn_cast<tensor::ConcatOp>(op))
    k.buildConcat(c, outs[0], total, linear);
  else if (auto ins = dyn_cast<tensor::InsertSliceOp>(op))
    k.buildInsert(ins, outs[0], total, linear);
  else
    k.buildSlice(cast<tensor::ExtractSliceOp>(op), outs[0], total, linear);
  gpu::ReturnOp::create(b, op->getLoc());
  KernelPlan plan;
  plan.launches.push_back(
      {f.getName().str(),
       {std::max<int64_t>(1, llvm::divideCeil(total, kThreads)), 1, 1},
       kThreads});
  return plan;
}
