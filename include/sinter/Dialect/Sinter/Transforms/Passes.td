//===- Passes.td - Sinter passes ---------------------------*- tablegen -*-===//
#ifndef SINTER_TRANSFORMS_PASSES_TD
#define SINTER_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SinterDecompose : Pass<"sinter-decompose"> {
  let summary = "Lower every sinter op to plain linalg/tensor/arith/math/scf IR";
  let description = [{
    Gives each sinter op its executable reference semantics: the result is
    plain upstream IR on tensors that any MLIR pipeline can bufferize, lower
    and run. The decomposition favours clarity over speed (attention is
    materialized, not flash-tiled; eviction and pruning rank with
    quadratic reductions); every optimized lowering is checked against it.

    Example:
    ```mlir
    %y = sinter.softmax ins(%x : tensor<4x8xf32>) outs(%i : tensor<4x8xf32>)
        {dim = 1 : i64} -> tensor<4x8xf32>
    ```
    becomes a max reduction, an exp/sum reduction and a division as
    `linalg.generic` ops.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SinterAttachTarget : Pass<"sinter-attach-target", "::mlir::ModuleOp"> {
  let summary = "Attach a named #sinter.target preset to the module";
  let description = [{
    Sets the module's `sinter.target` attribute to one of the built-in
    presets (`nvidia-h100`, `x86-avx512`, `x86-avx2`, `npu-910`). Tiling,
    fusion and the backends read hardware facts from that attribute only.
    An existing description is replaced.
  }];
  let dependentDialects = ["::mlir::sinter::SinterDialect"];
  let options = [
    Option<"targetName", "target", "std::string", "\"x86-avx2\"",
           "Name of the target preset">
  ];
}

#endif // SINTER_TRANSFORMS_PASSES_TD
