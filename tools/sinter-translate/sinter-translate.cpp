//===- sinter-translate.cpp - Sinter's translations -----------------------===//
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "sinter/InitAll.h"

int main(int argc, char **argv) {
  mlir::sinter::registerAllTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "Sinter translation driver\n"));
}
