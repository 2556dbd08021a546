//===- ExportCInterface.cpp - Plain C entry points ------------------------===//
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "sinter/Backend/CPU/Passes.h"

namespace mlir::sinter {
#define GEN_PASS_DEF_SINTERMARKCEXPORTS
#define GEN_PASS_DEF_SINTEREXPORTCINTERFACE
#include "sinter/Backend/CPU/Passes.h.inc"
} // namespace mlir::sinter

using namespace mlir;
using namespace mlir::sinter;

namespace {
/// True if anything may write through `v` (following views and casts).
bool mayWrite(Value v) {
  SmallVector<Value> work{v};
  while (!work.empty()) {
    Value cur = work.pop_back_val();
    for (OpOperand &use : cur.getUses()) {
      Operation *user = use.getOwner();
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == cur) {
          work.push_back(view->getResult(0));
          continue;
        }
      }
      if (isa<memref::CastOp, memref::ReinterpretCastOp>(user)) {
        work.push_back(user->getResult(0));
        continue;
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects)
        return true; // unknown users (calls, ...) may write
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffectsOnValue(cur, list);
      if (llvm::any_of(list, [](const MemoryEffects::EffectInstance &e) {
            return isa<MemoryEffects::Write>(e.getEffect());
          }))
        return true;
    }
  }
  return false;
}

struct MarkCExportsPass
    : public sinter::impl::SinterMarkCExportsBase<MarkCExportsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    WalkResult fp8 = module.walk([](Operation *op) {
      for (Type t : op->getResultTypes())
        if (isa<Float8E4M3FNType, Float8E5M2Type>(getElementTypeOrSelf(t))) {
          op->emitError() << "computes in " << getElementTypeOrSelf(t)
                          << ", which the CPU backend does not support yet";
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    if (fp8.wasInterrupted())
      return signalPassFailure();
    Builder b(&getContext());
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !func.isPublic())
        continue;
      if (func.getNumResults()) {
        func.emitError() << "cannot export '" << func.getSymName()
                         << "': a result is not a buffer of static shape "
                            "the caller can provide";
        return signalPassFailure();
      }
      SmallVector<Attribute> types;
      SmallVector<bool> written;
      for (BlockArgument arg : func.getArguments()) {
        auto t = dyn_cast<MemRefType>(arg.getType());
        if (!t || !t.hasStaticShape() || !t.getLayout().isIdentity()) {
          func.emitError() << "cannot export '" << func.getSymName()
                           << "': argument " << arg.getArgNumber()
                           << " has type " << arg.getType()
                           << "; the C interface needs static shapes";
          return signalPassFailure();
        }
        types.push_back(TypeAttr::get(t));
        written.push_back(mayWrite(arg));
      }
      func->setAttr(kCArgTypesAttrName, b.getArrayAttr(types));
      func->setAttr(kCArgWrittenAttrName, b.getDenseBoolArrayAttr(written));
    }
  }
};

struct ExportCInterfacePass
    : public sinter::impl::SinterExportCInterfaceBase<ExportCInterfacePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<LLVM::LLVMFuncOp> marked;
    for (auto f : module.getOps<LLVM::LLVMFuncOp>())
      if (f->hasAttr(kCArgTypesAttrName))
        marked.push_back(f);
    OpBuilder b(ctx);
    auto ptrT = LLVM::LLVMPointerType::get(ctx);
    auto i64 = b.getI64Type();
    for (LLVM::LLVMFuncOp impl : marked) {
      auto types = impl->getAttrOfType<ArrayAttr>(kCArgTypesAttrName);
      std::string name = impl.getSymName().str();
      if (!isa<LLVM::LLVMVoidType>(impl.getFunctionType().getReturnType())) {
        impl.emitError() << "exported function '" << name
                         << "' must not return values";
        return signalPassFailure();
      }
      if (failed(SymbolTable::replaceAllSymbolUses(
              impl, b.getStringAttr(name + ".sinter_impl"), module)))
        return signalPassFailure();
      impl.setSymName(name + ".sinter_impl");
      impl.setLinkage(LLVM::Linkage::Internal);
      impl->removeAttr(kCArgTypesAttrName);

      b.setInsertionPointAfter(impl);
      SmallVector<Type> params(types.size(), ptrT);
      auto wrapper = LLVM::LLVMFuncOp::create(
          b, impl.getLoc(), name,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), params));
      wrapper->setAttr(kCArgWrittenAttrName,
                       impl->getAttr(kCArgWrittenAttrName));
      impl->removeAttr(kCArgWrittenAttrName);
      Block *entry = wrapper.addEntryBlock(b);
      b.setInsertionPointToStart(entry);
      Location loc = impl.getLoc();
      auto c64 = [&](int64_t v) {
        return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v))
            .getResult();
      };
      SmallVector<Value> args;
      for (auto [i, attr] : llvm::enumerate(types)) {
        auto t = cast<MemRefType>(cast<TypeAttr>(attr).getValue());
        Value p = entry->getArgument(i);
        args.append({p, p, c64(0)});
        SmallVector<int64_t> strides(t.getRank(), 1);
        for (int64_t d = t.getRank() - 2; d >= 0; --d)
          strides[d] = strides[d + 1] * t.getDimSize(d + 1);
        for (int64_t s : t.getShape())
          args.push_back(c64(s));
        for (int64_t s : strides)
          args.push_back(c64(s));
      }
      if (args.size() != impl.getNumArguments()) {
        impl.emitError() << "unexpected lowered signature of '" << name << "'";
        return signalPassFailure();
      }
      LLVM::CallOp::create(b, loc, impl, args);
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }
  }
};
} // namespace
