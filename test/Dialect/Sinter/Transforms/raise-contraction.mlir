// RUN: sinter-opt %s --sinter-raise --split-input-file | FileCheck %s

// CHECK-LABEL: func @matmul_zero_init
// CHECK-NOT: linalg.matmul
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<4x8xf16>, tensor<8x3xf16>) outs(%[[E]] : tensor<4x3xf32>) {acc_type = f32} -> tensor<4x3xf32>
// CHECK-NOT: epilogue
func.func @matmul_zero_init(%a: tensor<4x8xf16>, %b: tensor<8x3xf16>) -> tensor<4x3xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf16>, tensor<8x3xf16>) outs(%f : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A non-zero initial value is added in the epilogue.
// CHECK-LABEL: func @matmul_accumulate
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<4x8xbf16>, tensor<8x3xbf16>) epilogue_ins(%arg2 : tensor<4x3xbf16>) outs(%arg2 : tensor<4x3xbf16>)
// CHECK: ^bb0(%[[ACC:.*]]: f32, %[[C:.*]]: bf16):
// CHECK: %[[W:.*]] = arith.extf %[[C]] : bf16 to f32
// CHECK: %[[S:.*]] = arith.addf %[[ACC]], %[[W]] : f32
// CHECK: %[[T:.*]] = arith.truncf %[[S]] : f32 to bf16
// CHECK: sinter.yield %[[T]] : bf16
func.func @matmul_accumulate(%a: tensor<4x8xbf16>, %b: tensor<8x3xbf16>, %c: tensor<4x3xbf16>) -> tensor<4x3xbf16> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xbf16>, tensor<8x3xbf16>) outs(%c : tensor<4x3xbf16>) -> tensor<4x3xbf16>
  return %0 : tensor<4x3xbf16>
}

// -----

// Transposed B through the named op's indexing maps ("folded" spelling).
// CHECK-LABEL: func @matmul_transpose_b_maps
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<3x8xf32>)
// CHECK-SAME: transpose_b
func.func @matmul_transpose_b_maps(%a: tensor<4x8xf32>, %bt: tensor<3x8xf32>) -> tensor<4x3xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %0 = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%a, %bt : tensor<4x8xf32>, tensor<3x8xf32>) outs(%f : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Explicit transposes of either operand fold into the flags.
// CHECK-LABEL: func @explicit_transposes
// CHECK-NOT: linalg.transpose
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<8x4xf32>, tensor<3x8xf32>)
// CHECK-SAME: transpose_a
// CHECK-SAME: transpose_b
func.func @explicit_transposes(%at: tensor<8x4xf32>, %bt: tensor<3x8xf32>) -> tensor<4x3xf32> {
  %ea = tensor.empty() : tensor<4x8xf32>
  %a = linalg.transpose ins(%at : tensor<8x4xf32>) outs(%ea : tensor<4x8xf32>) permutation = [1, 0]
  %eb = tensor.empty() : tensor<8x3xf32>
  %b = linalg.transpose ins(%bt : tensor<3x8xf32>) outs(%eb : tensor<8x3xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<4x3xf32>) -> tensor<4x3xf32>
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%f : tensor<4x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// batch_matmul, and weights broadcast across the batch through linalg.broadcast.
// CHECK-LABEL: func @batched
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<2x4x8xf32>, tensor<2x8x3xf32>)
// CHECK: sinter.gemm ins(%arg0, %arg2 : tensor<2x4x8xf32>, tensor<8x3xf32>)
// CHECK-NOT: linalg.broadcast
func.func @batched(%a: tensor<2x4x8xf32>, %b: tensor<2x8x3xf32>, %w: tensor<8x3xf32>) -> (tensor<2x4x3xf32>, tensor<2x4x3xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  %0 = linalg.batch_matmul ins(%a, %b : tensor<2x4x8xf32>, tensor<2x8x3xf32>) outs(%f : tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  %eb = tensor.empty() : tensor<2x8x3xf32>
  %wb = linalg.broadcast ins(%w : tensor<8x3xf32>) outs(%eb : tensor<2x8x3xf32>) dimensions = [0]
  %1 = linalg.batch_matmul ins(%a, %wb : tensor<2x4x8xf32>, tensor<2x8x3xf32>) outs(%f : tensor<2x4x3xf32>) -> tensor<2x4x3xf32>
  return %0, %1 : tensor<2x4x3xf32>, tensor<2x4x3xf32>
}

// -----

// A generic with a multiply-add payload is a contraction too (operands in
// either order, int8 with i32 accumulation).
// CHECK-LABEL: func @generic_int8
// CHECK: sinter.gemm ins(%arg0, %arg1 : tensor<4x8xi8>, tensor<8x3xi8>) outs(%{{.*}} : tensor<4x3xi32>) {acc_type = i32}
func.func @generic_int8(%a: tensor<4x8xi8>, %b: tensor<8x3xi8>) -> tensor<4x3xi32> {
  %z = arith.constant 0 : i32
  %e = tensor.empty() : tensor<4x3xi32>
  %f = linalg.fill ins(%z : i32) outs(%e : tensor<4x3xi32>) -> tensor<4x3xi32>
  %0 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%b, %a : tensor<8x3xi8>, tensor<4x8xi8>) outs(%f : tensor<4x3xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extsi %x : i8 to i32
    %ye = arith.extsi %y : i8 to i32
    %p = arith.muli %ye, %xe : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// Left alone: unsigned extensions (sinter.gemm reads i8 as signed).
// CHECK-LABEL: func @unsigned_left_alone
// CHECK: linalg.generic
// CHECK-NOT: sinter.gemm
func.func @unsigned_left_alone(%a: tensor<4x8xi8>, %b: tensor<8x3xi8>, %c: tensor<4x3xi32>) -> tensor<4x3xi32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xi8>, tensor<8x3xi8>) outs(%c : tensor<4x3xi32>) {
  ^bb0(%x: i8, %y: i8, %acc: i32):
    %xe = arith.extui %x : i8 to i32
    %ye = arith.extui %y : i8 to i32
    %p = arith.muli %xe, %ye : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  } -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// A transposed output ([n, m]) is the product of the transposed operands,
// swapped; a payload that is not a multiply-add is left alone.
// CHECK-LABEL: func @not_gemms
// CHECK: sinter.gemm ins(%arg1, %arg0 : tensor<8x3xf32>, tensor<4x8xf32>) epilogue_ins(%arg2 : tensor<3x4xf32>)
// CHECK-SAME: transpose_a, transpose_b
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @not_gemms(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %c: tensor<3x4xf32>, %d: tensor<4x3xf32>) -> (tensor<3x4xf32>, tensor<4x3xf32>) {
  %0 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (n, m)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%c : tensor<3x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x4xf32>
  %1 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%d : tensor<4x3xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x3xf32>
  return %0, %1 : tensor<3x4xf32>, tensor<4x3xf32>
}
