// RUN: not sinter-opt %s 2>&1 | FileCheck %s

// A syntax error is reported with its location and a non-zero exit.
// CHECK: malformed.mlir:[[@LINE+2]]:{{[0-9]+}}: error: expected ')'
func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = sinter.softmax ins(%x : tensor<4x8xf32> outs(%x : tensor<4x8xf32>) {dim = 1 : i64} -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
