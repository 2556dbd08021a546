//===- Traffic.cpp - HBM traffic and FLOP model ---------------------------===//
#include "sinter/Analysis/Traffic.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace mlir;
using namespace mlir::sinter;

static int64_t bytesOf(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return 0;
  return (t.getNumElements() * t.getElementType().getIntOrFloatBitWidth() + 7) /
         8;
}

static int64_t elementsOf(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() ? t.getNumElements() : 0;
}

/// Arithmetic ops in a region (each counts as one FLOP per element).
static int64_t countArith(Region &region) {
  int64_t n = 0;
  region.walk([&](Operation *op) {
    Dialect *d = op->getDialect();
    if (d && (d->getNamespace() == "arith" || d->getNamespace() == "math") &&
        !isa<arith::ConstantOp>(op))
      ++n;
  });
  return n;
}

bool mlir::sinter::isLoadTimeValue(Value v) {
  // Bounded walk through the producers.
  SmallVector<Value> work{v};
  llvm::SmallPtrSet<Value, 16> seen;
  while (!work.empty()) {
    Value cur = work.pop_back_val();
    if (!seen.insert(cur).second)
      continue;
    if (seen.size() > 64)
      return false;
    if (auto arg = dyn_cast<BlockArgument>(cur)) {
      auto func = dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (!func || arg.getOwner() != &func.getBody().front() ||
          !func.getArgAttr(arg.getArgNumber(), kWeightArgAttrName))
        return false;
      continue;
    }
    Operation *def = cur.getDefiningOp();
    if (isa<arith::ConstantOp>(def))
      continue;
    if (!isa<linalg::LinalgOp, tensor::EmptyOp, tensor::ExpandShapeOp,
             tensor::CollapseShapeOp, tensor::CastOp, tensor::ConcatOp,
             tensor::ExtractSliceOp>(def))
      return false;
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  return true;
}

bool mlir::sinter::isFreeOp(Operation *op) {
  // extract_slice bufferizes to a strided view that its consumer reads.
  if (isa<tensor::EmptyOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp,
          tensor::CastOp, tensor::ExtractSliceOp, arith::ConstantOp, YieldOp>(
          op))
    return true;
  if (isa<linalg::FillOp>(op))
    return llvm::all_of(op->getUses(), [](OpOperand &use) {
      auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
      return dps && dps.isDpsInit(&use);
    });
  return false;
}

/// Whether a DPS init's contents are read by `op`.
static bool readsInit(Operation *op, OpOperand &init) {
  if (isa<KVAppendOp>(op))
    return true;
  if (init.get().getDefiningOp<linalg::FillOp>() ||
      init.get().getDefiningOp<tensor::EmptyOp>())
    return false; // initialized on chip
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
    return linalgOp.payloadUsesValueFromOperand(&init);
  return false;
}

static KernelTraffic analyzeKernel(Operation *op) {
  KernelTraffic k{op, KernelKind::Other};
  llvm::SetVector<Value> read;
  auto dps = dyn_cast<DestinationStyleOpInterface>(op);
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<RankedTensorType>(operand.get().getType()))
      continue;
    if (dps && dps.isDpsInit(&operand) && !readsInit(op, operand))
      continue;
    read.insert(operand.get());
  }
  for (Value v : read)
    k.readBytes += bytesOf(v.getType());
  for (Value r : op->getResults())
    k.writeBytes += bytesOf(r.getType());

  if (auto gemm = dyn_cast<GemmOp>(op)) {
    k.kind = KernelKind::Gemm;
    auto aT = cast<RankedTensorType>(gemm.getA().getType());
    int64_t kDim = aT.getDimSize(aT.getRank() - (gemm.getTransposeA() ? 2 : 1));
    int64_t outElems = elementsOf(gemm.getResult(0).getType());
    k.flops = 2 * outElems * kDim * (gemm.getPairwise() ? 2 : 1);
    if (!gemm.getEpilogue().empty())
      k.flops += outElems * countArith(gemm.getEpilogue());
  } else if (isa<AttentionOp, PagedAttentionOp>(op)) {
    k.kind = KernelKind::Attention;
    auto qT = cast<RankedTensorType>(op->getOperand(0).getType());
    auto oT = cast<RankedTensorType>(op->getResult(0).getType());
    int64_t skv;
    if (auto a = dyn_cast<AttentionOp>(op))
      skv = cast<RankedTensorType>(a.getKey().getType())
                .getDimSize(a.getSeqDim());
    else {
      auto p = cast<PagedAttentionOp>(op);
      auto bt = cast<RankedTensorType>(p.getBlockTable().getType());
      auto kc = cast<RankedTensorType>(p.getKeyCache().getType());
      skv = bt.getDimSize(1) * kc.getDimSize(1);
    }
    int64_t rows = qT.getDimSize(0) * qT.getDimSize(1) * qT.getDimSize(2);
    k.flops = 2 * rows * skv * (qT.getDimSize(3) + oT.getDimSize(3));
    // Causal masks skip about half of the score matrix.
    auto mask = op->getAttrOfType<MaskKindAttr>("mask");
    if (mask && mask.getValue() != MaskKind::none)
      k.flops /= 2;
  } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    int64_t iterations = 1;
    for (int64_t r : linalgOp.getStaticLoopRanges())
      iterations *= ShapedType::isDynamic(r) ? 0 : r;
    k.flops = iterations * countArith(op->getRegion(0));
    if (linalg::isaContractionOpInterface(linalgOp))
      k.kind = KernelKind::Gemm;
  } else {
    int64_t elems = 0;
    for (Value r : op->getResults())
      elems += elementsOf(r.getType());
    k.flops = elems; // memory-bound ops: about one op per element
  }
  return k;
}

FunctionTraffic mlir::sinter::analyzeTraffic(func::FuncOp func) {
  FunctionTraffic t;
  for (BlockArgument arg : func.getArguments())
    t.compulsoryRead += bytesOf(arg.getType());
  func.walk([&](Operation *op) {
    if (auto c = dyn_cast<arith::ConstantOp>(op))
      t.compulsoryRead += bytesOf(c.getType());
    if (isa<func::ReturnOp>(op))
      for (Value v : op->getOperands())
        t.compulsoryWrite += bytesOf(v.getType());
  });
  for (Operation &op : func.getBody().getOps()) {
    if (isFreeOp(&op) || op.hasTrait<OpTrait::IsTerminator>())
      continue;
    if (!llvm::any_of(op.getResultTypes(), llvm::IsaPred<RankedTensorType>))
      continue;
    KernelTraffic k = analyzeKernel(&op);
    k.loadTime = llvm::all_of(op.getResults(), isLoadTimeValue);
    t.kernels.push_back(k);
  }
  return t;
}

/// Sum of one field over the per-call (not load-time) kernels.
static int64_t perCallSum(ArrayRef<KernelTraffic> kernels,
                          int64_t KernelTraffic::*field) {
  int64_t s = 0;
  for (const KernelTraffic &k : kernels)
    if (!k.loadTime)
      s += k.*field;
  return s;
}
int64_t FunctionTraffic::totalRead() const {
  return perCallSum(kernels, &KernelTraffic::readBytes);
}
int64_t FunctionTraffic::totalWrite() const {
  return perCallSum(kernels, &KernelTraffic::writeBytes);
}
int64_t FunctionTraffic::totalFlops() const {
  return perCallSum(kernels, &KernelTraffic::flops);
}
unsigned FunctionTraffic::count(KernelKind kind) const {
  return llvm::count_if(kernels, [&](const KernelTraffic &k) {
    return !k.loadTime && k.kind == kind;
  });
}
