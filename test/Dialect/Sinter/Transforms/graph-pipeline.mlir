// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-graph-pipeline | FileCheck %s
// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-graph-pipeline=fusion-remarks=true -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK

// The bias add and the sigmoid are one generic by then (elementwise fusion).
// REMARK: remark: fused linalg.generic ({{.*}}graph-pipeline.mlir:{{[0-9]+}}:{{[0-9]+}}) into the epilogue of sinter.gemm ({{.*}}graph-pipeline.mlir:{{[0-9]+}}:{{[0-9]+}}): saves 256 HBM bytes

// tosa and helper functions are lowered and inlined, the matmul is raised
// and the tosa bias add + sigmoid land in its epilogue.
// CHECK-LABEL: func @mlp
// CHECK-NOT: tosa.
// CHECK-NOT: linalg.matmul
// CHECK: %[[BIAS:.*]] = tensor.collapse_shape %arg2 {{\[\[}}0, 1]] : tensor<1x4xf32> into tensor<4xf32>
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<8x16xf32>, tensor<16x4xf32>) epilogue_ins(%[[BIAS]] : tensor<4xf32>)
// CHECK: epilogue
// CHECK: arith.constant 1.000000e+00 : f32
// CHECK: math.exp
// CHECK-NOT: linalg.generic
func.func private @matmul(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %c = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x4xf32>) outs(%f : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %c : tensor<8x4xf32>
}
func.func @mlp(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %bias: tensor<1x4xf32>) -> tensor<8x4xf32> {
  %h = call @matmul(%x, %w) : (tensor<8x16xf32>, tensor<16x4xf32>) -> tensor<8x4xf32>
  %y = tosa.add %h, %bias : (tensor<8x4xf32>, tensor<1x4xf32>) -> tensor<8x4xf32>
  %s = tosa.sigmoid %y : (tensor<8x4xf32>) -> tensor<8x4xf32>
  return %s : tensor<8x4xf32>
}
