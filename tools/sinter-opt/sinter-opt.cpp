//===- sinter-opt.cpp - The Sinter optimizer driver -----------------------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "sinter/Dialect/NPU/IR/NPUOps.h"
#include "sinter/Dialect/NPU/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/Dialect/Sinter/Transforms/TilingInterfaceImpl.h"
#include "sinter/Target/CPU/CPUTarget.h"
#include "sinter/Target/GPU/GPUTarget.h"
#include "sinter/Target/NPU/NPUTarget.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::sinter::registerSinterPasses();
  mlir::sinter::registerSinterPipelines();
  mlir::sinter::registerCPUTargetPasses();
  mlir::sinter::registerGPUTargetPasses();
  mlir::sinter::npu::registerNPUPasses();
  mlir::sinter::registerSinterNPUPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::sinter::SinterDialect, mlir::sinter::npu::NPUDialect>();
  mlir::sinter::registerTilingInterfaceExternalModels(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Sinter optimizer driver\n", registry));
}
