// RUN: sinter-opt %s --sinter-attach-target=target=nvidia-h100 --sinter-fuse --split-input-file | FileCheck %s
// RUN: sinter-opt %s --sinter-attach-target=target=nvidia-h100 --sinter-fuse=remarks=true --split-input-file -mlir-print-op-on-diagnostic=false 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Bias + ReLU, then a residual add: both generics move into the epilogue,
// their extra inputs become epilogue operands with their maps.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func @bias_relu_residual
// CHECK-NOT: linalg.generic
// CHECK: sinter.gemm {{.*}} epilogue_ins(%arg2, %arg3 : tensor<3xf32>, tensor<4x3xf32>)
// CHECK-SAME: epilogue_maps = [#[[COL]], #[[ID]]]
// CHECK: ^bb0(%[[ACC:.*]]: f32, %[[B:.*]]: f32, %[[R:.*]]: f32):
// CHECK: %[[X:.*]] = arith.addf %[[ACC]], %[[B]]
// CHECK: %[[Y:.*]] = arith.maximumf %[[X]]
// CHECK: %[[Z:.*]] = arith.addf %[[Y]], %[[R]]
// CHECK: sinter.yield %[[Z]] : f32
// REMARK: remark: fused linalg.generic ({{.*}}fuse-epilogue.mlir:{{[0-9]+}}:{{[0-9]+}}) into the epilogue of sinter.gemm ({{.*}}): saves 96 HBM bytes
// REMARK: remark: fused linalg.generic
func.func @bias_relu_residual(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %bias: tensor<3xf32>, %res: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %e = tensor.empty() : tensor<4x3xf32>
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%e : tensor<4x3xf32>) {acc_type = f32} -> tensor<4x3xf32>
  %1 = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0, %bias : tensor<4x3xf32>, tensor<3xf32>) outs(%e : tensor<4x3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    %zero = arith.constant 0.0 : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x3xf32>
  %2 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%1, %res : tensor<4x3xf32>, tensor<4x3xf32>) outs(%e : tensor<4x3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x3xf32>
  return %2 : tensor<4x3xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Output quantization with a per-row scale: the result type changes to i8
// and the existing epilogue is kept in front of the new payload.
// CHECK-LABEL: func @quantize_output
// CHECK: sinter.gemm {{.*}} epilogue_ins(%arg2, %arg3 : tensor<4x3xf32>, tensor<4xf32>) outs(%{{.*}} : tensor<4x3xi8>)
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: arith.fptosi {{.*}} : f32 to i8
// CHECK: sinter.yield {{.*}} : i8
func.func @quantize_output(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %res: tensor<4x3xf32>, %s: tensor<4xf32>) -> tensor<4x3xi8> {
  %e = tensor.empty() : tensor<4x3xf32>
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) epilogue_ins(%res : tensor<4x3xf32>) outs(%e : tensor<4x3xf32>)
      {acc_type = f32, epilogue_maps = [#id]} -> tensor<4x3xf32> epilogue {
  ^bb0(%acc: f32, %r: f32):
    %y = arith.addf %acc, %r : f32
    sinter.yield %y : f32
  }
  %eq = tensor.empty() : tensor<4x3xi8>
  %1 = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0, %s : tensor<4x3xf32>, tensor<4xf32>) outs(%eq : tensor<4x3xi8>) {
  ^bb0(%x: f32, %sc: f32, %o: i8):
    %m = arith.mulf %x, %sc : f32
    %q = arith.fptosi %m : f32 to i8
    linalg.yield %q : i8
  } -> tensor<4x3xi8>
  return %1 : tensor<4x3xi8>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Must stay unfused: the gemm output has a second consumer.
// CHECK-LABEL: func @two_consumers
// CHECK: sinter.gemm
// CHECK-NOT: epilogue
// CHECK: linalg.generic
// REMARK: remark: not fused into the epilogue of sinter.gemm ({{.*}}): the gemm output has other users
func.func @two_consumers(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %e = tensor.empty() : tensor<4x3xf32>
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%e : tensor<4x3xf32>) {acc_type = f32} -> tensor<4x3xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<4x3xf32>) outs(%e : tensor<4x3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// Must stay unfused: a row reduction of the output (needs the whole row),
// a transposing consumer, and a payload that reads loop indices.
// CHECK-LABEL: func @not_elementwise
// CHECK-COUNT-3: sinter.gemm
// CHECK-NOT: epilogue
// REMARK-DAG: the gemm output or the result is not read/written elementwise
// REMARK-DAG: the payload uses loop indices or regions
func.func @not_elementwise(%a: tensor<4x8xf32>, %a1: tensor<4x8xf32>, %a2: tensor<4x8xf32>, %b: tensor<8x4xf32>) -> (tensor<4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%e : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  %1 = sinter.gemm ins(%a1, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%e : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  %2 = sinter.gemm ins(%a2, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%e : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  %er = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%0 : tensor<4x4xf32>) outs(%er : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1, d0)>, #id], iterator_types = ["parallel", "parallel"]}
      ins(%1 : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<4x4xf32>
  %i = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%2 : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %c = linalg.index 0 : index
    %ci = arith.index_cast %c : index to i64
    %cf = arith.sitofp %ci : i64 to f32
    %y = arith.addf %x, %cf : f32
    linalg.yield %y : f32
  } -> tensor<4x4xf32>
  return %r, %t, %i : tensor<4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// The [batch * seq, d] product reshaped to [batch, seq, d] before its bias
// add (how ONNX exports write MatMul + Add): the add runs on the gemm's own
// shape, fuses into its epilogue, and the reshape moves after the gemm.
// CHECK-LABEL: func @bias_through_expand_shape
// CHECK-NOT: linalg.generic
// CHECK: %[[G:.*]] = sinter.gemm {{.*}} epilogue_ins(%arg2 : tensor<3xf32>)
// CHECK: tensor.expand_shape %[[G]] {{\[}}[0, 1], [2]] output_shape [2, 2, 3] : tensor<4x3xf32> into tensor<2x2x3xf32>
func.func @bias_through_expand_shape(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %bias: tensor<3xf32>) -> tensor<2x2x3xf32> {
  %e = tensor.empty() : tensor<4x3xf32>
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%e : tensor<4x3xf32>) {acc_type = f32} -> tensor<4x3xf32>
  %1 = tensor.expand_shape %0 [[0, 1], [2]] output_shape [2, 2, 3] : tensor<4x3xf32> into tensor<2x2x3xf32>
  %e3 = tensor.empty() : tensor<2x2x3xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%1, %bias : tensor<2x2x3xf32>, tensor<3xf32>) outs(%e3 : tensor<2x2x3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x2x3xf32>
  return %2 : tensor<2x2x3xf32>
}

// -----

// The same reshape in front of a reduction is left alone (only
// elementwise consumers move onto the gemm's shape).
// CHECK-LABEL: func @reduction_through_expand_shape
// CHECK: tensor.expand_shape
// CHECK: linalg.generic {{.*}}"reduction"
func.func @reduction_through_expand_shape(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<2x2xf32> {
  %e = tensor.empty() : tensor<4x3xf32>
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x3xf32>) outs(%e : tensor<4x3xf32>) {acc_type = f32} -> tensor<4x3xf32>
  %1 = tensor.expand_shape %0 [[0, 1], [2]] output_shape [2, 2, 3] : tensor<4x3xf32> into tensor<2x2x3xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%z : f32) outs(%e2 : tensor<2x2xf32>) -> tensor<2x2xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%1 : tensor<2x2x3xf32>) outs(%f : tensor<2x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x2xf32>
  return %2 : tensor<2x2xf32>
}
