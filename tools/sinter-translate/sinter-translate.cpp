//===- sinter-translate.cpp - Sinter's translations -----------------------===//
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "sinter/Target/NPU/NPUTarget.h"

int main(int argc, char **argv) {
  mlir::sinter::npu::registerNPUTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Sinter translation driver\n"));
}
