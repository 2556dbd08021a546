// RUN: sinter-opt %s --sinter-decompose | FileCheck %s

// Dynamic M and N: the accumulator is sized from the operands with
// tensor.dim, and the epilogue writes into the given init.
// CHECK-LABEL: func @gemm
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[M:.*]] = tensor.dim %arg0, %[[C0]] : tensor<?x8xf32>
// CHECK-DAG: %[[N:.*]] = tensor.dim %arg1, %[[C1]] : tensor<8x?xf32>
// CHECK: tensor.empty(%[[M]], %[[N]]) : tensor<?x?xf32>
// CHECK: linalg.generic {{.*}} outs(%arg2 : tensor<?x?xf32>)
func.func @gemm(%a: tensor<?x8xf32>, %b: tensor<8x?xf32>, %c: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = sinter.gemm ins(%a, %b : tensor<?x8xf32>, tensor<8x?xf32>) outs(%c : tensor<?x?xf32>) {acc_type = f32} -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// CHECK-LABEL: func @attention
// CHECK: tensor.dim %arg0, %{{.*}} : tensor<1x2x?x8xf32>
// CHECK: tensor.dim %arg1, %{{.*}} : tensor<1x2x?x8xf32>
// CHECK-NOT: sinter.
func.func @attention(%q: tensor<1x2x?x8xf32>, %k: tensor<1x2x?x8xf32>, %o: tensor<1x2x?x8xf32>) -> tensor<1x2x?x8xf32> {
  %r = sinter.attention ins(%q, %k, %k : tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>, tensor<1x2x?x8xf32>) outs(%o : tensor<1x2x?x8xf32>)
      {mask = #sinter.mask<causal>} -> tensor<1x2x?x8xf32>
  return %r : tensor<1x2x?x8xf32>
}

// Without an explicit scale, a dynamic head dimension gets 1/sqrt(D) at run time.
// CHECK-LABEL: func @dynamic_head_dim
// CHECK: %[[D:.*]] = tensor.dim %arg0, %{{.*}} : tensor<1x2x3x?xf32>
// CHECK: math.rsqrt
func.func @dynamic_head_dim(%q: tensor<1x2x3x?xf32>, %o: tensor<1x2x3x?xf32>) -> tensor<1x2x3x?xf32> {
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x3x?xf32>, tensor<1x2x3x?xf32>, tensor<1x2x3x?xf32>) outs(%o : tensor<1x2x3x?xf32>) -> tensor<1x2x3x?xf32>
  return %r : tensor<1x2x3x?xf32>
}
