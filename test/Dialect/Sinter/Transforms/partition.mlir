// RUN: sinter-opt %s --split-input-file --sinter-partition | FileCheck %s

// Every sinter op is one kernel with what the graph stage fused into it;
// views stay in the host program; an empty destination, a view of one and
// a destination fill are made inside the kernels that write them.

// CHECK-LABEL: func.func private @block_0_rms_norm(
// CHECK-SAME:      %[[X:.*]]: tensor<2x8x16xf32>, %[[W:.*]]: tensor<16xf32>) -> tensor<2x8x16xf32> attributes {sinter.kernel = "rms_norm"}
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<2x8x16xf32>
// CHECK:         %[[N:.*]] = sinter.rms_norm ins(%[[X]], %[[W]] : {{.*}}) outs(%[[E]] : {{.*}})
// CHECK:         return %[[N]]
// CHECK-LABEL: func.func private @block_1_gemm(
// CHECK-SAME:      %[[A:.*]]: tensor<16x16xf32>, %[[B:.*]]: tensor<16x32xf32>, %[[BIAS:.*]]: tensor<32xf32>) -> tensor<16x32xf32> attributes {sinter.kernel = "gemm"}
// CHECK:         %[[E2:.*]] = tensor.empty() : tensor<2x8x32xf32>
// CHECK:         %[[C:.*]] = tensor.collapse_shape %[[E2]]
// CHECK:         sinter.gemm ins(%[[A]], %[[B]] : {{.*}}) epilogue_ins(%[[BIAS]] : tensor<32xf32>) outs(%[[C]] : tensor<16x32xf32>)
// CHECK:         arith.addf
// CHECK-LABEL: func.func private @block_2_generic(
// CHECK-SAME:      attributes {sinter.kernel = "generic"}
// CHECK:         %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:         %[[E3:.*]] = tensor.empty() : tensor<16xf32>
// CHECK:         %[[F:.*]] = linalg.fill ins(%[[Z]] : f32) outs(%[[E3]] : tensor<16xf32>)
// CHECK:         linalg.generic {{.*}} outs(%[[F]] : tensor<16xf32>)
// CHECK-LABEL: func.func @block(
// CHECK-SAME:      attributes {sinter.host}
// CHECK-NOT:     tensor.empty
// CHECK-NOT:     linalg.fill
// CHECK:         %[[N1:.*]] = call @block_0_rms_norm(%{{.*}}, %{{.*}})
// CHECK:         %[[V:.*]] = tensor.collapse_shape %[[N1]]
// CHECK:         %[[G:.*]] = call @block_1_gemm(%[[V]], %{{.*}}, %{{.*}})
// CHECK:         %[[S:.*]] = call @block_2_generic(%[[G]])
// CHECK:         %[[R:.*]] = tensor.expand_shape %[[G]]
// CHECK:         return %[[R]], %[[S]]
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (m)>
func.func @block(%x: tensor<2x8x16xf32>, %w: tensor<16xf32>, %wq: tensor<16x32xf32>, %bias: tensor<32xf32>)
    -> (tensor<2x8x32xf32>, tensor<16xf32>) {
  %e = tensor.empty() : tensor<2x8x16xf32>
  %n = sinter.rms_norm ins(%x, %w : tensor<2x8x16xf32>, tensor<16xf32>) outs(%e : tensor<2x8x16xf32>) {epsilon = 1.0e-5 : f32} -> tensor<2x8x16xf32>
  %a = tensor.collapse_shape %n [[0, 1], [2]] : tensor<2x8x16xf32> into tensor<16x16xf32>
  %e2 = tensor.empty() : tensor<2x8x32xf32>
  %o = tensor.collapse_shape %e2 [[0, 1], [2]] : tensor<2x8x32xf32> into tensor<16x32xf32>
  %g = sinter.gemm ins(%a, %wq : tensor<16x16xf32>, tensor<16x32xf32>) epilogue_ins(%bias : tensor<32xf32>)
      outs(%o : tensor<16x32xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<16x32xf32> epilogue {
  ^bb0(%acc: f32, %b: f32):
    %y = arith.addf %acc, %b : f32
    sinter.yield %y : f32
  }
  %zero = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e3 : tensor<16xf32>) -> tensor<16xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%g : tensor<16x32xf32>) outs(%f : tensor<16xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %sum = arith.addf %v, %acc : f32
    linalg.yield %sum : f32
  } -> tensor<16xf32>
  %r = tensor.expand_shape %g [[0, 1], [2]] output_shape [2, 8, 32] : tensor<16x32xf32> into tensor<2x8x32xf32>
  return %r, %s : tensor<2x8x32xf32>, tensor<16xf32>
}

// -----

// A contiguous slice (a row range) is a view; a column range is a copy
// kernel. Kernels on constants and sinter.weight arguments only are
// load-time (their results live on), but not the copy that writes a
// result from one.

// CHECK-LABEL: func.func private @slices_0_concat(
// CHECK-SAME:      attributes {sinter.kernel = "concat"}
// CHECK-LABEL: func.func private @slices_1_copy(
// CHECK-SAME:      %{{.*}}: tensor<8x16xf32>) -> tensor<8x4xf32> attributes {sinter.kernel = "copy"}
// CHECK:         tensor.extract_slice %{{.*}}[0, 4] [8, 4] [1, 1]
// CHECK-LABEL: func.func private @slices_2_transpose(
// CHECK-LABEL: func.func @slices(
// CHECK:         %[[W:.*]] = call @slices_0_concat(%{{.*}}, %{{.*}}) {sinter.load_time}
// CHECK:         %[[ROWS:.*]] = tensor.extract_slice %[[W]][2, 0] [3, 16] [1, 1]
// CHECK:         %[[COLS:.*]] = call @slices_1_copy(%arg0)
// CHECK-NOT:     sinter.load_time
// CHECK:         %[[T:.*]] = call @slices_2_transpose(%[[COLS]])
// CHECK:         %[[OUT:.*]] = call @slices_3_copy(%[[ROWS]]) :
// CHECK:         return %[[OUT]], %[[T]]
func.func @slices(%x: tensor<8x16xf32>, %w: tensor<4x16xf32> {sinter.weight}) -> (tensor<3x16xf32>, tensor<4x8xf32>) {
  %c = arith.constant dense<1.0> : tensor<4x16xf32>
  %cat = tensor.concat dim(0) %w, %c : (tensor<4x16xf32>, tensor<4x16xf32>) -> tensor<8x16xf32>
  %rows = tensor.extract_slice %cat[2, 0] [3, 16] [1, 1] : tensor<8x16xf32> to tensor<3x16xf32>
  %cols = tensor.extract_slice %x[0, 4] [8, 4] [1, 1] : tensor<8x16xf32> to tensor<8x4xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %t = linalg.transpose ins(%cols : tensor<8x4xf32>) outs(%e : tensor<4x8xf32>) permutation = [1, 0]
  return %rows, %t : tensor<3x16xf32>, tensor<4x8xf32>
}

// -----

// Every result is written whole by one kernel, on every call: an argument,
// a constant and a slice returned are copied, and so is a value returned a
// second time.

// CHECK-LABEL: func.func @results(
// CHECK:         %[[N:.*]] = call @results_0_softmax(%arg0)
// CHECK:         %[[S:.*]] = tensor.extract_slice %[[N]]
// CHECK:         %[[C0:.*]] = call @results_1_copy(%arg0)
// CHECK:         %[[C1:.*]] = call @results_2_copy(%[[N]])
// CHECK:         %[[C2:.*]] = call @results_3_copy(%[[S]])
// CHECK:         %[[C3:.*]] = call @results_4_copy(%{{.*}}) :
// CHECK:         return %[[N]], %[[C0]], %[[C1]], %[[C2]], %[[C3]]
func.func @results(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<2x8xf32>, tensor<4x8xf32>) {
  %e = tensor.empty() : tensor<4x8xf32>
  %n = sinter.softmax ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {dim = 1 : i64} -> tensor<4x8xf32>
  %s = tensor.extract_slice %n[1, 0] [2, 8] [1, 1] : tensor<4x8xf32> to tensor<2x8xf32>
  %c = arith.constant dense<2.0> : tensor<4x8xf32>
  return %n, %x, %n, %s, %c : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<2x8xf32>, tensor<4x8xf32>
}

// -----

// Left alone: private functions, and functions already partitioned.

// CHECK-LABEL: func.func private @helper(
// CHECK-NOT:     call
// CHECK:         sinter.softmax
// CHECK-LABEL: func.func @done(
// CHECK-SAME:      attributes {sinter.host}
// CHECK-NEXT:    return %arg0
func.func private @helper(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %n = sinter.softmax ins(%x : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {dim = 1 : i64} -> tensor<4x8xf32>
  return %n : tensor<4x8xf32>
}
func.func @done(%x: tensor<4x8xf32>) -> tensor<4x8xf32> attributes {sinter.host} {
  return %x : tensor<4x8xf32>
}

// -----

// insert_slices that tile an empty tensor along one dimension (how the
// importer writes ONNX Concat) are one concat kernel; a chain that leaves
// a gap, or inserts into data, stays insert_slice kernels.
// CHECK-LABEL: func.func private @inserts_0_concat(
// CHECK-SAME: %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x5xf32>)
// CHECK: tensor.concat dim(1) %[[A]], %[[B]] : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CHECK-LABEL: func.func private @inserts_1_insert_slice(
// CHECK-LABEL: func.func private @inserts_2_insert_slice(
// CHECK: tensor.insert_slice
// CHECK-LABEL: func.func @inserts(
// CHECK: call @inserts_0_concat
// CHECK-NEXT: call @inserts_1_insert_slice
// CHECK-NEXT: call @inserts_2_insert_slice
func.func @inserts(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %d: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %e = tensor.empty() : tensor<2x8xf32>
  %0 = tensor.insert_slice %b into %e[0, 3] [2, 5] [1, 1] : tensor<2x5xf32> into tensor<2x8xf32>
  %1 = tensor.insert_slice %a into %0[0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
  %2 = tensor.insert_slice %a into %d[0, 0] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
  %3 = tensor.insert_slice %a into %2[0, 5] [2, 3] [1, 1] : tensor<2x3xf32> into tensor<2x8xf32>
  return %1, %3 : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// With read-slices-in-kernels, a strided slice that only kernels read
// (here through a reshape) goes into the kernel that reads it; without it,
// the slice is a copy kernel of its own.
// RUN: sinter-opt %s --split-input-file --sinter-partition=read-slices-in-kernels | FileCheck %s --check-prefix=INKERNEL
// INKERNEL-LABEL: func.func private @strided_0_generic(
// INKERNEL-SAME:      %[[X:.*]]: tensor<8x16xf32>) -> tensor<8x2x2xf32>
// INKERNEL:         %[[S:.*]] = tensor.extract_slice %[[X]][0, 4] [8, 4] [1, 1]
// INKERNEL:         %[[V:.*]] = tensor.expand_shape %[[S]]
// INKERNEL:         linalg.generic {{.*}} ins(%[[V]] : tensor<8x2x2xf32>)
// INKERNEL-LABEL: func.func @strided(
// INKERNEL-NOT:     tensor.extract_slice
// INKERNEL:         call @strided_0_generic(%arg0)
// CHECK-LABEL: func.func private @strided_0_copy(
// CHECK-LABEL: func.func private @strided_1_generic(
#id3 = affine_map<(a, b, c) -> (a, b, c)>
func.func @strided(%x: tensor<8x16xf32>) -> tensor<8x2x2xf32> {
  %s = tensor.extract_slice %x[0, 4] [8, 4] [1, 1] : tensor<8x16xf32> to tensor<8x4xf32>
  %v = tensor.expand_shape %s [[0], [1, 2]] output_shape [8, 2, 2] : tensor<8x4xf32> into tensor<8x2x2xf32>
  %e = tensor.empty() : tensor<8x2x2xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%v : tensor<8x2x2xf32>) outs(%e : tensor<8x2x2xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.mulf %a, %a : f32
    linalg.yield %t : f32
  } -> tensor<8x2x2xf32>
  return %y : tensor<8x2x2xf32>
}
