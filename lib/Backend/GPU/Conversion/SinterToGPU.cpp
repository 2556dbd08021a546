//===- SinterToGPU.cpp - Outline sinter ops into GPU kernels --------------===//
//
// convert-sinter-to-gpu: each exported function's one sinter op becomes
// kernels in `gpu.module @sinter_kernels`, built by its kernel family (one
// file each: GemmSimt, GemmMma, GemmWgmma, FlashAttention, WgmmaAttention,
// KVCacheKernels), which returns the launches as a KernelPlan; this pass
// records every plan on its function the same way (grid, block, shared
// bytes, the later kernels, the workspace, the TMA descriptors).
//
//===----------------------------------------------------------------------===//
#include "GemmKernel.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "sinter/Analysis/Traffic.h"
#include "sinter/Backend/GPU/Passes.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_CONVERTSINTERTOGPU
#include "sinter/Backend/GPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;
using gpu_kernels::KernelLaunch;
using gpu_kernels::KernelPlan;

namespace {
/// A sinter op the GPU backend has a kernel family for.
bool isSinterKernelOp(Operation *op) {
  return isa<GemmOp, AttentionOp, PagedAttentionOp, KVGatherOp, KVAppendOp,
             KVQuantizeOp, KVEvictOp>(op);
}

/// Made in the kernel, not read: an empty destination, a fill used only as
/// a destination, a scalar constant, or a view of one.
bool isKernelLocal(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def)
    return false;
  if (isa<tensor::EmptyOp>(def) || (isa<linalg::FillOp>(def) && isFreeOp(def)))
    return true;
  if (isa<arith::ConstantOp>(def))
    return !isa<ShapedType>(v.getType());
  return isHostView(def) && isKernelLocal(def->getOperand(0));
}

/// The one op of `func` that becomes its kernels (a sinter op the backend
/// has a family for, or a tensor op for the generic kernel), or an error
/// naming what is in the way.
FailureOr<Operation *>
singleKernelOp(func::FuncOp func, const gpu_kernels::GPUResources &resources) {
  Operation *kernelOp = nullptr;
  for (Operation &op : func.getBody().front()) {
    if (isa<func::ReturnOp>(op) ||
        llvm::all_of(op.getResults(), [](Value r) { return isKernelLocal(r); }))
      continue;
    bool kernel = isSinterKernelOp(&op) || gpu_kernels::isGenericKernelOp(&op);
    if (kernel && !kernelOp) {
      kernelOp = &op;
      continue;
    }
    if (kernel)
      return func.emitError()
                 << "GPU target: function @" << func.getName()
                 << " needs more than one kernel (a second '" << op.getName()
                 << "'); partition it first (sinter-partition)",
             failure();
    return func.emitError() << "GPU target: function @" << func.getName()
                            << " has '" << op.getName()
                            << "', which the GPU backend has no kernel for",
           failure();
  }
  if (!kernelOp)
    return func.emitError() << "GPU target: function @" << func.getName()
                            << " has no op to compile",
           failure();
  std::string what = kernelOp->getName().getStringRef().str();
  if (what.rfind("sinter.", 0) == 0)
    what = what.substr(strlen("sinter."));
  // What the kernel makes itself may only be written (a destination) or be
  // a scalar; reading an empty tensor would read undefined values.
  auto dps = dyn_cast<DestinationStyleOpInterface>(kernelOp);
  for (OpOperand &use : kernelOp->getOpOperands()) {
    Value v = use.get();
    if (isa<BlockArgument>(v) ||
        (isKernelLocal(v) && (!isa<ShapedType>(v.getType()) ||
                              (dps && dps.isDpsInit(&use)))))
      continue;
    return kernelOp->emitError()
               << "GPU target: an operand of the " << what << " in @"
               << func.getName() << " is not an argument of the function",
           failure();
  }
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  if (ret.getOperands() != kernelOp->getResults())
    return func.emitError()
               << "GPU target: @" << func.getName() << " must return the "
               << what << "'s results in order",
           failure();
  std::string why = gpu_kernels::isGenericKernelOp(kernelOp)
                        ? gpu_kernels::unsupportedGeneric(kernelOp)
                        : gpu_kernels::unsupportedSinterOp(kernelOp, resources);
  if (!why.empty())
    return kernelOp->emitError() << "GPU target: cannot compile the " << what
                                 << " in @" << func.getName() << ": " << why,
           failure();
  return kernelOp;
}

MemRefType memrefOf(Type t) {
  auto r = cast<RankedTensorType>(t);
  return MemRefType::get(r.getShape(), r.getElementType());
}

/// Records how to launch `f`'s kernels on it (see Passes.h).
void recordPlan(OpBuilder &b, func::FuncOp f, const KernelPlan &plan) {
  auto dims = [&](const KernelLaunch &l) {
    return std::make_pair(b.getDenseI64ArrayAttr(l.grid),
                          b.getDenseI64ArrayAttr({l.threads, 1, 1}));
  };
  const KernelLaunch &first = plan.launches.front();
  auto [grid, block] = dims(first);
  f->setAttr(kGPUGridAttrName, grid);
  f->setAttr(kGPUBlockAttrName, block);
  f->setAttr(kGPUSharedBytesAttrName, b.getI64IntegerAttr(first.sharedBytes));
  if (plan.workspaceBytes)
    f->setAttr(kGPUWorkspaceBytesAttrName,
               b.getI64IntegerAttr(plan.workspaceBytes));
  SmallVector<Attribute> next;
  for (const KernelLaunch &l : ArrayRef(plan.launches).drop_front()) {
    auto [g, blk] = dims(l);
    next.push_back(b.getDictionaryAttr(
        {b.getNamedAttr("kernel", b.getStringAttr(l.name)),
         b.getNamedAttr("grid", g), b.getNamedAttr("block", blk),
         b.getNamedAttr("shared_bytes", b.getI64IntegerAttr(l.sharedBytes))}));
  }
  if (!next.empty())
    f->setAttr(kGPUNextKernelsAttrName, b.getArrayAttr(next));
  SmallVector<Attribute> maps;
  for (const gpu_kernels::TensorMap &m : plan.tensorMaps) {
    SmallVector<NamedAttribute> entries{
        b.getNamedAttr("arg", b.getI64IntegerAttr(m.arg)),
        b.getNamedAttr("rows", b.getI64IntegerAttr(m.rows)),
        b.getNamedAttr("cols", b.getI64IntegerAttr(m.cols)),
        b.getNamedAttr("box_rows", b.getI64IntegerAttr(m.boxRows)),
        b.getNamedAttr("box_cols", b.getI64IntegerAttr(m.boxCols)),
        b.getNamedAttr("elem_bytes", b.getI64IntegerAttr(m.elemBytes))};
    if (m.batches)
      entries.push_back(
          b.getNamedAttr("batches", b.getI64IntegerAttr(m.batches)));
    maps.push_back(b.getDictionaryAttr(entries));
  }
  if (!maps.empty())
    f->setAttr(kGPUTensorMapsAttrName, b.getArrayAttr(maps));
}

struct ConvertSinterToGPUPass
    : public sinter::impl::ConvertSinterToGPUBase<ConvertSinterToGPUPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(module.getContext());
    if (gemmSchedule != "auto" && gemmSchedule != "cooperative" &&
        gemmSchedule != "pingpong") {
      module.emitError() << "convert-sinter-to-gpu: unknown gemm-schedule '"
                         << gemmSchedule
                         << "' (expected auto, cooperative or pingpong)";
      return signalPassFailure();
    }
    FailureOr<gpu_kernels::GPUResources> gpu =
        gpu_kernels::getGPUResources(module, "convert-sinter-to-gpu");
    if (failed(gpu))
      return signalPassFailure();
    gpu_kernels::GPUResources resources = *gpu;
    resources.gemmPingpong = gemmSchedule == "pingpong";
    SmallVector<func::FuncOp> funcs;
    // The kernels of host programs (sinter-partition), and public functions
    // of one op.
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal() &&
          (f->hasAttr(kKernelAttrName) ||
           (f.isPublic() && !f->hasAttr(kHostAttrName))))
        funcs.push_back(f);
    if (funcs.empty())
      return;
    auto kernels = module.lookupSymbol<gpu::GPUModuleOp>(kGPUKernelModuleName);
    if (!kernels) {
      b.setInsertionPointToEnd(module.getBody());
      kernels =
          gpu::GPUModuleOp::create(b, module.getLoc(), kGPUKernelModuleName);
    }
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
    bool failedAny = false;
    for (func::FuncOp f : funcs) {
      FailureOr<Operation *> kernelOp = singleKernelOp(f, resources);
      if (failed(kernelOp)) {
        failedAny = true;
        continue;
      }
      SmallVector<Type> params;
      for (Type t : f.getArgumentTypes())
        params.push_back(memrefOf(t));
      for (Type t : f.getResultTypes())
        params.push_back(memrefOf(t));
      b.setInsertionPointToEnd(kernels.getBody());
      KernelPlan plan =
          llvm::TypeSwitch<Operation *, KernelPlan>(*kernelOp)
              .Case([&](GemmOp gemm) {
                return gpu_kernels::createGemmKernels(b, gemm, f, params,
                                                      resources);
              })
              .Case<AttentionOp, PagedAttentionOp>([&](Operation *op) {
                return gpu_kernels::createAttentionKernels(b, op, f, params,
                                                           resources);
              })
              .Case<KVGatherOp, KVAppendOp, KVQuantizeOp, KVEvictOp>(
                  [&](Operation *op) {
                    return gpu_kernels::createKVCacheKernels(b, op, f, params,
                                                             resources);
                  })
              .Default([&](Operation *op) {
                return gpu_kernels::createGenericKernels(b, op, f, params,
                                                         resources);
              });
      recordPlan(b, f, plan);
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace

FailureOr<gpu_kernels::GPUResources>
gpu_kernels::getGPUResources(Operation *diag, StringRef pass) {
  FailureOr<TargetAttr> target = requireTarget(diag, pass);
  if (failed(target))
    return failure();
  StringRef chip = target->getConfigString("chip");
  if (target->getKind() != "gpu" || chip.empty())
    return diag->emitError() << pass << ": target '" << target->getName()
                             << "' is not a GPU with a config.chip (its kind "
                                "is '"
                             << target->getKind() << "')",
           failure();
  GPUResources resources{target->getCores(), 0, chip == "sm_90a"};
  for (auto level : target->getLevels().getAsRange<MemoryLevelAttr>())
    if (level.getName() == "smem")
      resources.sharedBytesPerSM = level.getCapacity();
  return resources;
}

std::string gpu_kernels::unsupportedSinterOp(Operation *op,
                                             const GPUResources &gpu) {
  if (auto gemm = dyn_cast<GemmOp>(op))
    return unsupportedGemm(gemm);
  if (isa<AttentionOp, PagedAttentionOp>(op))
    return unsupportedAttention(op);
  if (isa<KVGatherOp, KVAppendOp, KVQuantizeOp, KVEvictOp>(op))
    return unsupportedKVCache(op, gpu);
  return "the GPU backend has no kernel for '" +
         op->getName().getStringRef().str() + "'";
}
