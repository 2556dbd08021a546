// RUN: sinter-opt %s --sinter-reference-to-llvm | FileCheck %s

// tosa input, mixed with sinter ops, lowers through the same pipeline.
// CHECK: llvm.func @f
// CHECK-NOT: tosa.
// CHECK-NOT: sinter.
func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %s = sinter.softmax ins(%x : tensor<4x8xf32>) outs(%x : tensor<4x8xf32>) {dim = 1 : i64} -> tensor<4x8xf32>
  %y = tosa.add %s, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %z = tosa.sigmoid %y : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}
