//===- Partition.cpp - Kernels and a host program per function ------------===//
//
// sinter-partition: see Passes.td. Each computing op of a public function
// is outlined into a private kernel function; the function keeps the
// calls, the views, the constants and the empty tensors.
//
//===----------------------------------------------------------------------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "sinter/Analysis/Traffic.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERPARTITION
#include "sinter/Dialect/Sinter/Transforms/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

bool mlir::sinter::isContiguousSlice(tensor::ExtractSliceOp slice) {
  auto source = slice.getSourceType();
  if (!source.hasStaticShape() || !slice.hasUnitStride() ||
      ShapedType::isDynamicShape(slice.getStaticSizes()) ||
      ShapedType::isDynamicShape(slice.getStaticOffsets()))
    return false;
  // Row-major contiguous: unit sizes, then one dimension cut anywhere,
  // then whole dimensions.
  ArrayRef<int64_t> sizes = slice.getStaticSizes(),
                    offsets = slice.getStaticOffsets();
  int64_t d = 0, rank = source.getRank();
  while (d < rank && sizes[d] == 1)
    ++d;
  for (int64_t i = d + 1; i < rank; ++i)
    if (sizes[i] != source.getDimSize(i) || offsets[i] != 0)
      return false;
  return true;
}

int64_t mlir::sinter::getSliceByteOffset(tensor::ExtractSliceOp slice) {
  auto source = slice.getSourceType();
  int64_t linear = 0, stride = 1;
  for (int64_t d = source.getRank() - 1; d >= 0; --d) {
    linear += slice.getStaticOffsets()[d] * stride;
    stride *= source.getDimSize(d);
  }
  return linear * source.getElementType().getIntOrFloatBitWidth() / 8;
}

bool mlir::sinter::isHostView(Operation *op) {
  if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::CastOp>(op))
    return true;
  // A slice that starts 16-byte aligned (kernels read 16 bytes at a time).
  if (auto slice = dyn_cast<tensor::ExtractSliceOp>(op))
    return isContiguousSlice(slice) &&
           slice.getSourceType().getElementType().isIntOrFloat() &&
           getSliceByteOffset(slice) % 16 == 0;
  return false;
}

namespace {
/// The kind of kernel `op` makes: a sinter op's name, a linalg op's, or
/// what a tensor op does.
std::string kernelKind(Operation *op) {
  StringRef name = op->getName().getStringRef();
  std::string kind;
  if (isa<linalg::GenericOp>(op))
    kind = "generic";
  else if (isa<tensor::ExtractSliceOp, linalg::CopyOp>(op))
    kind = "copy";
  else
    kind = name.split('.').second.str();
  for (char &c : kind)
    if (c == '.')
      c = '_';
  return kind;
}

/// A fill whose every use is as the destination of a kernel op: it runs
/// inside those kernels.
bool isDestinationFill(Operation *op) {
  return isa<linalg::FillOp>(op) && isFreeOp(op);
}

/// A side-effect-free op with scalar results (constants and the index or
/// float arithmetic on them): kernels recompute what they need of it.
bool isScalarOp(Operation *op) {
  return isMemoryEffectFree(op) && op->getNumRegions() == 0 &&
         llvm::none_of(op->getResultTypes(),
                       [](Type t) { return isa<ShapedType>(t); });
}

/// What stays in the host program (and is not cloned into kernels as it
/// is).
bool isHostOp(Operation *op) {
  return isa<arith::ConstantOp, tensor::EmptyOp, func::ReturnOp>(op) ||
         isHostView(op) || isDestinationFill(op) || isScalarOp(op);
}

/// Whether a kernel makes `v` itself instead of reading it: an empty
/// destination, a destination fill, a scalar constant, or a view of one.
bool isMadeInKernel(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<tensor::EmptyOp>(def) || isDestinationFill(def))
    return true;
  if (isScalarOp(def))
    return llvm::all_of(def->getOperands(),
                        [](Value o) { return isMadeInKernel(o); });
  return isHostView(def) && isMadeInKernel(def->getOperand(0));
}

/// A chain of insert_slices that tiles an empty tensor along one
/// dimension (how exporters write a concatenation) becomes one
/// tensor.concat: one kernel instead of one per piece, and no piece reads
/// the undefined elements of the empty tensor.
void concatInsertChains(func::FuncOp func) {
  SmallVector<tensor::InsertSliceOp> heads;
  func.walk([&](tensor::InsertSliceOp op) {
    if (op.getDest().getDefiningOp<tensor::EmptyOp>())
      heads.push_back(op);
  });
  for (tensor::InsertSliceOp head : heads) {
    RankedTensorType type = head.getDestType();
    if (!type.hasStaticShape())
      continue;
    SmallVector<tensor::InsertSliceOp> chain{head};
    while (chain.back()->hasOneUse())
      if (auto next = dyn_cast<tensor::InsertSliceOp>(
              *chain.back()->getUsers().begin());
          next && next.getDest() == chain.back().getResult())
        chain.push_back(next);
      else
        break;
    // The pieces differ in one dimension, cover the others whole and
    // tile the concatenated one exactly.
    std::optional<int64_t> dim;
    bool ok = chain.size() > 1;
    SmallVector<std::pair<int64_t, Value>> pieces;
    for (tensor::InsertSliceOp op : chain) {
      if (!ok)
        break;
      if (op.getSourceType().getRank() != type.getRank() ||
          !op.hasUnitStride() ||
          ShapedType::isDynamicShape(op.getStaticOffsets()) ||
          ShapedType::isDynamicShape(op.getStaticSizes())) {
        ok = false;
        break;
      }
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (op.getStaticOffsets()[d] == 0 &&
            op.getStaticSizes()[d] == type.getDimSize(d))
          continue;
        if (dim && *dim != d)
          ok = false;
        dim = d;
      }
      pieces.push_back({dim ? op.getStaticOffsets()[*dim] : 0, op.getSource()});
    }
    if (!ok || !dim)
      continue;
    llvm::sort(pieces, [](auto &a, auto &b) { return a.first < b.first; });
    int64_t at = 0;
    SmallVector<Value> inputs;
    for (auto [offset, source] : pieces) {
      ok &= offset == at;
      at += cast<RankedTensorType>(source.getType()).getDimSize(*dim);
      inputs.push_back(source);
    }
    if (!ok || at != type.getDimSize(*dim))
      continue;
    OpBuilder b(chain.back());
    auto concat =
        tensor::ConcatOp::create(b, chain.back().getLoc(), *dim, inputs);
    chain.back().getResult().replaceAllUsesWith(concat.getResult());
    for (tensor::InsertSliceOp op : llvm::reverse(chain))
      op.erase();
  }
}

/// Builds kernel functions for one host function.
struct Partitioner {
  func::FuncOp func;
  SymbolTable &symbols;
  int64_t next = 0;
  /// Host values that are the same on every call.
  llvm::DenseSet<Value> loadTime;
  /// Strided slices read by kernels only: cloned into each kernel that
  /// reads them (read-slices-in-kernels) instead of copied by their own.
  bool readSlicesInKernels = false;
  llvm::DenseSet<Operation *> slicesInKernels;

  bool isLoadTime(Value v) const { return loadTime.contains(v); }

  /// Creates the kernel of `ops` (in program order; the last one's results
  /// are the kernel's) before `ops.front()` and replaces them by a call.
  FailureOr<func::CallOp> outline(ArrayRef<Operation *> ops, StringRef kind,
                                  bool mayRunAtLoad = true) {
    OpBuilder hb(ops.front());
    llvm::SetVector<Value> inputs;
    llvm::SetVector<Operation *> clones; // helper ops cloned into the kernel
    // Values the ops read from outside the group.
    llvm::SetVector<Value> used;
    for (Operation *op : ops)
      op->walk([&](Operation *inner) {
        for (Value v : inner->getOperands()) {
          // Defined by the group (or in its regions), or a block argument
          // of one of its regions.
          Operation *owner =
              isa<BlockArgument>(v)
                  ? cast<BlockArgument>(v).getOwner()->getParentOp()
                  : v.getDefiningOp();
          if (llvm::any_of(ops,
                           [&](Operation *g) { return g->isAncestor(owner); }))
            continue;
          used.insert(v);
        }
      });
    // Empty destinations, destination fills and scalar constants are made
    // inside the kernel; other values come in as arguments.
    std::function<LogicalResult(Value)> collect =
        [&](Value v) -> LogicalResult {
      Operation *def = v.getDefiningOp();
      if (def && (isMadeInKernel(v) || slicesInKernels.contains(def))) {
        for (Value operand : def->getOperands())
          if (failed(collect(operand)))
            return failure();
        clones.insert(def);
        return success();
      }
      if (!isa<RankedTensorType>(v.getType()))
        return ops.front()->emitError()
               << "sinter-partition: a kernel reads the host value " << v
               << ", which is not a tensor";
      inputs.insert(v);
      return success();
    };
    for (Value v : used)
      if (failed(collect(v)))
        return failure();

    Operation *last = ops.back();
    SmallVector<Type> argTypes, resultTypes;
    for (Value v : inputs)
      argTypes.push_back(v.getType());
    for (Value r : last->getResults())
      resultTypes.push_back(r.getType());
    std::string name =
        (func.getName() + "_" + llvm::Twine(next++) + "_" + kind).str();
    OpBuilder mb(func);
    auto kernel = func::FuncOp::create(
        mb, last->getLoc(), name, mb.getFunctionType(argTypes, resultTypes));
    kernel.setPrivate();
    kernel->setAttr(kKernelAttrName, mb.getStringAttr(kind));
    symbols.insert(kernel);
    Block *body = kernel.addEntryBlock();
    OpBuilder kb = OpBuilder::atBlockEnd(body);
    IRMapping map;
    for (auto [v, arg] : llvm::zip(inputs, body->getArguments()))
      map.map(v, arg);
    // Helpers in program order (operands before users).
    SmallVector<Operation *> helpers(clones.begin(), clones.end());
    llvm::sort(helpers, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    for (Operation *h : helpers)
      kb.clone(*h, map);
    for (Operation *op : ops)
      kb.clone(*op, map);
    SmallVector<Value> results;
    for (Value r : last->getResults())
      results.push_back(map.lookup(r));
    func::ReturnOp::create(kb, last->getLoc(), results);

    auto call = func::CallOp::create(hb, last->getLoc(), kernel,
                                     SmallVector<Value>(inputs.getArrayRef()));
    if (mayRunAtLoad &&
        llvm::all_of(inputs, [&](Value v) { return isLoadTime(v); })) {
      call->setAttr(kLoadTimeAttrName, hb.getUnitAttr());
      for (Value r : call.getResults())
        loadTime.insert(r);
    }
    last->replaceAllUsesWith(call.getResults());
    for (Operation *op : llvm::reverse(ops))
      op->erase();
    return call;
  }

  /// A kernel that copies `v` into a new tensor (for results that no
  /// kernel writes whole); it runs on every call, as it writes a result.
  Value copyKernel(OpBuilder &hb, Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    auto empty = tensor::EmptyOp::create(hb, v.getLoc(), type.getShape(),
                                         type.getElementType());
    auto copy = linalg::CopyOp::create(hb, v.getLoc(), v, empty.getResult());
    FailureOr<func::CallOp> call = outline({copy}, "copy",
                                           /*mayRunAtLoad=*/false);
    if (failed(call))
      return {};
    return call->getResult(0);
  }

  LogicalResult run() {
    concatInsertChains(func);
    Block &block = func.getBody().front();
    for (BlockArgument arg : block.getArguments())
      if (func.getArgAttr(arg.getArgNumber(), kWeightArgAttrName))
        loadTime.insert(arg);
    SmallVector<Operation *> work;
    for (Operation &op : block) {
      if (isa<func::CallOp>(op))
        return op.emitError("sinter-partition: calls are not supported in a "
                            "function to partition; inline them first");
      work.push_back(&op);
    }
    for (Operation *op : work) {
      if (isa<arith::ConstantOp>(op) ||
          (isHostView(op) && isLoadTime(op->getOperand(0)))) {
        for (Value r : op->getResults())
          loadTime.insert(r);
        continue;
      }
      if (isHostOp(op))
        continue;
      if (readSlicesInKernels && isa<tensor::ExtractSliceOp>(op)) {
        // Read by kernels only, directly or through views (which then go
        // into the kernels with it).
        SmallVector<Operation *> chain;
        std::function<bool(Operation *)> kernelsOnly = [&](Operation *o) {
          chain.push_back(o);
          return !o->use_empty() &&
                 llvm::all_of(o->getUsers(), [&](Operation *u) {
                   if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp,
                           tensor::CastOp>(u))
                     return kernelsOnly(u);
                   return !isHostOp(u);
                 });
        };
        if (kernelsOnly(op)) {
          slicesInKernels.insert(chain.begin(), chain.end());
          continue;
        }
      }
      if (failed(outline({op}, kernelKind(op))))
        return failure();
    }

    // Every result is written whole by one kernel: the root of its views
    // is a kernel result, returned once, and the views do not cut it.
    auto ret = cast<func::ReturnOp>(block.getTerminator());
    llvm::DenseSet<Value> written;
    OpBuilder hb(ret);
    for (OpOperand &operand : ret->getOpOperands()) {
      Value root = operand.get();
      bool whole = true;
      while (Operation *def = root.getDefiningOp()) {
        if (!isHostView(def))
          break;
        whole &= !isa<tensor::ExtractSliceOp>(def);
        root = def->getOperand(0);
      }
      auto call = root.getDefiningOp<func::CallOp>();
      if (whole && call && !call->hasAttr(kLoadTimeAttrName) &&
          written.insert(root).second)
        continue;
      Value copy = copyKernel(hb, operand.get());
      if (!copy)
        return failure();
      operand.set(copy);
      written.insert(copy);
    }

    // Host ops nothing uses any more (fills and empties now in kernels).
    bool changed = true;
    while (changed) {
      changed = false;
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
        if (!isa<func::ReturnOp>(op) && op.use_empty() &&
            (isHostOp(&op) || isMemoryEffectFree(&op))) {
          op.erase();
          changed = true;
        }
    }
    func->setAttr(kHostAttrName, UnitAttr::get(func.getContext()));
    return success();
  }
};

struct PartitionPass : public sinter::impl::SinterPartitionBase<PartitionPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs;
    for (auto f : module.getOps<func::FuncOp>())
      if (f.isPublic() && !f.isExternal() && !f->hasAttr(kHostAttrName))
        funcs.push_back(f);
    for (func::FuncOp f : funcs) {
      Partitioner p{f, symbols, 0, {}, readSlicesInKernels, {}};
      if (failed(p.run()))
        return signalPassFailure();
    }
  }
};
} // namespace
