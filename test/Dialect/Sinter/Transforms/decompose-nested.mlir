// RUN: sinter-opt %s --pass-pipeline='builtin.module(func.func(sinter-decompose))' | FileCheck %s

// The pass is op-agnostic: it can run per function, and reaches ops nested
// in regions of other ops.
// CHECK-LABEL: func @in_loop
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK-NOT: sinter.softmax
func.func @in_loop(%x: tensor<4x8xf32>, %n: index) -> tensor<4x8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%t = %x) -> tensor<4x8xf32> {
    %s = sinter.softmax ins(%t : tensor<4x8xf32>) outs(%t : tensor<4x8xf32>) {dim = 1 : i64} -> tensor<4x8xf32>
    scf.yield %s : tensor<4x8xf32>
  }
  return %r : tensor<4x8xf32>
}
