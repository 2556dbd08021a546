// RUN: sinter-opt %s --sinter-decompose | FileCheck %s

// int8 inputs accumulate exactly in i32; the default epilogue stores the
// accumulator as is.
// CHECK-LABEL: func @int8
// CHECK: arith.constant 0 : i32
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK-NEXT: ^bb0(%[[IN:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: linalg.yield %[[IN]] : i32
func.func @int8(%a: tensor<4x16xi8>, %b: tensor<16x8xi8>, %c: tensor<4x8xi32>) -> tensor<4x8xi32> {
  %0 = sinter.gemm ins(%a, %b : tensor<4x16xi8>, tensor<16x8xi8>) outs(%c : tensor<4x8xi32>) {acc_type = i32} -> tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// A row max of an integer epilogue value starts from INT32_MIN.
// CHECK-LABEL: func @int_max
// CHECK: arith.constant -2147483648 : i32
// CHECK: arith.maxsi
func.func @int_max(%a: tensor<4x16xi8>, %b: tensor<16x8xi8>, %c: tensor<4x8xi32>, %r: tensor<4xi32>) -> tensor<4xi32> {
  %0:2 = sinter.gemm ins(%a, %b : tensor<4x16xi8>, tensor<16x8xi8>) outs(%c, %r : tensor<4x8xi32>, tensor<4xi32>)
      {acc_type = i32, reductions = [#sinter.reduction<max, n>]} -> tensor<4x8xi32>, tensor<4xi32> epilogue {
  ^bb0(%acc: i32):
    sinter.yield %acc, %acc : i32, i32
  }
  return %0#1 : tensor<4xi32>
}
