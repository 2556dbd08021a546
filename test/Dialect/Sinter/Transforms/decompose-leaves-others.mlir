// RUN: sinter-opt %s --sinter-decompose | FileCheck %s

// Ops of other dialects are left exactly as they were, including linalg
// ops and functions without any sinter op; the target description
// survives.
// CHECK: module attributes {sinter.target = #sinter.target<name = "tiny"
// CHECK-LABEL: func @plain
// CHECK-NEXT: %[[R:.*]] = linalg.matmul ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x4xf32>) outs(%arg2 : tensor<4x4xf32>) -> tensor<4x4xf32>
// CHECK-NEXT: %[[E:.*]] = math.exp %[[R]] : tensor<4x4xf32>
// CHECK-NEXT: return %[[E]]
module attributes {sinter.target = #sinter.target<name = "tiny", kind = "cpu", cores = 1,
    levels = [#sinter.memory<name = "dram", capacity = 1024, bandwidth = 1>], peaks = [],
    matrix_shape = [1, 1, 1], vector_bytes = 16>} {
  func.func @plain(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
    %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c : tensor<4x4xf32>) -> tensor<4x4xf32>
    %1 = math.exp %0 : tensor<4x4xf32>
    return %1 : tensor<4x4xf32>
  }
}
