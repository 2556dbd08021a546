// Parses a module with a sinter op, decomposes it and prints the result,
// and looks a target preset up (the backends register them), using only
// the installed headers and libraries.
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "sinter/Dialect/Sinter/IR/SinterOps.h"
#include "sinter/Dialect/Sinter/IR/Target.h"
#include "sinter/Dialect/Sinter/Transforms/Passes.h"
#include "sinter/InitAll.h"
#include "llvm/Support/raw_ostream.h"

int main() {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::sinter::SinterDialect, mlir::func::FuncDialect>();
  const char *src = R"mlir(
    func.func @f(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
      %y = sinter.softmax ins(%x : tensor<2x4xf32>) outs(%x : tensor<2x4xf32>) {dim = 1 : i64} -> tensor<2x4xf32>
      return %y : tensor<2x4xf32>
    })mlir";
  auto module = mlir::parseSourceString<mlir::ModuleOp>(src, &ctx);
  if (!module)
    return 1;
  mlir::PassManager pm(&ctx);
  pm.addPass(mlir::sinter::createSinterDecompose());
  if (mlir::failed(pm.run(*module)))
    return 1;
  mlir::sinter::registerAllBackends();
  auto target = mlir::sinter::getTargetPreset(&ctx, "npu-910");
  llvm::outs() << "preset " << target.getName() << " cores "
               << target.getCores() << "\n";
  module->print(llvm::outs());
  return 0;
}
