// RUN: not sinter-opt %s 2>&1 | FileCheck %s

// CHECK: unknown-op.mlir:[[@LINE+2]]:{{[0-9]+}}: error: custom op 'sinter.flash' is unknown
func.func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = sinter.flash %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
