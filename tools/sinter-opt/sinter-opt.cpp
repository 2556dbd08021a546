//===- sinter-opt.cpp - The Sinter optimizer driver -----------------------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "sinter/InitAll.h"

int main(int argc, char **argv) {
  mlir::sinter::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::sinter::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Sinter optimizer driver\n", registry));
}
