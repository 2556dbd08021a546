//===- EmitObject.cpp - LLVM dialect to an optimized object file ----------===//
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "sinter/Target/CPU/CPUTarget.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::sinter;

FailureOr<CPUTargetMachineSpec>
mlir::sinter::getCPUTargetMachineSpec(StringRef name) {
  // Feature levels, not a particular part: code runs on every CPU of the
  // level (x86-64-v4 = AVX-512 F/BW/CD/DQ/VL, v3 = AVX2 + FMA).
  if (name == "x86-avx512")
    return CPUTargetMachineSpec{"x86_64-unknown-linux-gnu", "x86-64-v4", ""};
  if (name == "x86-avx2")
    return CPUTargetMachineSpec{"x86_64-unknown-linux-gnu", "x86-64-v3", ""};
  // Armv8.2-A cores with NEON (Neoverse N1 and later, Graviton 2+).
  if (name == "aarch64-neon")
    return CPUTargetMachineSpec{"aarch64-unknown-linux-gnu", "neoverse-n1",
                                "+neon"};
  return failure();
}

std::string mlir::sinter::getHostCPUTargetName() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512f") && features.lookup("avx512bw")
             ? "x86-avx512"
             : "x86-avx2";
}

LogicalResult mlir::sinter::emitObject(ModuleOp module,
                                       const CPUTargetMachineSpec &spec,
                                       llvm::raw_pwrite_stream &os) {
  MLIRContext *ctx = module.getContext();
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  ctx->appendDialectRegistry(registry);

  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();

  llvm::LLVMContext llvmCtx;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmCtx);
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");

  llvm::Triple triple(spec.triple);
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError("no LLVM target for ") << spec.triple << ": "
                                                   << error;
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, spec.cpu, spec.features, options, llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return module.emitError("cannot create an LLVM target machine for ")
           << spec.cpu;
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  // Let the vectorizers and codegen see the target's vector width.
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", spec.cpu);
    if (!spec.features.empty())
      f.addFnAttr("target-features", spec.features);
  }

  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(machine.get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm =
      pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
  mpm.run(*llvmModule, mam);

  llvm::legacy::PassManager codegen;
  if (machine->addPassesToEmitFile(codegen, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return module.emitError("the LLVM target cannot emit object files");
  codegen.run(*llvmModule);
  return success();
}
