//===- InitAll.cpp - Register everything the compiler has -----------------===//
#include "sinter/InitAll.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "sinter/Backend/Backend.h"
#include "sinter/Backend/CPU/CPUBackend.h"
#include "sinter/Backend/GPU/GPUBackend.h"
#include "sinter/Backend/NPU/NPUBackend.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/TilingInterfaceImpl.h"

#include <mutex>

using namespace mlir;

void mlir::sinter::registerAllBackends() {
  static std::once_flag once;
  std::call_once(once, [] {
    registerCPUBackend();
    registerGPUBackend();
    registerNPUBackend();
  });
}

void mlir::sinter::registerAllDialects(DialectRegistry &registry) {
  registerAllBackends();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<SinterDialect>();
  registerTilingInterfaceExternalModels(registry);
  for (const Backend *backend : getBackends())
    backend->registerDialects(registry);
}

void mlir::sinter::registerAllPasses() {
  registerAllBackends();
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::registerAllPasses();
    registerSinterPasses();
    registerSinterPipelines();
    for (const Backend *backend : getBackends())
      backend->registerPasses();
  });
}

void mlir::sinter::registerAllTranslations() {
  registerAllBackends();
  static std::once_flag once;
  std::call_once(once, [] {
    for (const Backend *backend : getBackends())
      backend->registerTranslations();
  });
}
