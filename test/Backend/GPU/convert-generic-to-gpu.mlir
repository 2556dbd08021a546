// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-partition --convert-sinter-to-gpu | FileCheck %s

// Tensor ops with no kernel family become generic kernels: one thread per
// element of the parallel space (256-thread blocks, a bounds check), the
// reduction loops in the thread, operands read through their indexing maps.

// CHECK-LABEL: func.func private @rowsum_scale_0_generic
// CHECK-SAME: sinter.gpu.block = array<i64: 256, 1, 1>, sinter.gpu.grid = array<i64: 1, 1, 1>
// CHECK-LABEL: func.func @rowsum_scale
// CHECK-SAME: sinter.host
// CHECK: call @rowsum_scale_0_generic
// CHECK: call @rowsum_scale_1_generic

// The reduction: 3 rows, each thread sums its row of 40 from the fill's
// value (made in the kernel, not read).
// CHECK-LABEL: gpu.func @rowsum_scale_0_generic(%{{.*}}: memref<3x40xf32>, %{{.*}}: memref<3xf32>) kernel
// CHECK: %[[TID:.*]] = arith.addi
// CHECK: arith.cmpi ult, %[[TID]], %c3
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SUM:.*]] = scf.for %[[K:.*]] = %{{.*}} to %c40 step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32)
// CHECK: memref.load %{{.*}}[%[[TID]], %[[K]]]
// CHECK: memref.store %[[SUM]], %{{.*}}[%[[TID]]]

// The elementwise op: 120 threads, (row, column) from the thread index,
// the row statistic and the weight broadcast through their maps.
// CHECK-LABEL: gpu.func @rowsum_scale_1_generic
// CHECK: arith.cmpi ult, %{{.*}}, %c120
// CHECK: %[[COL:.*]] = arith.remui %{{.*}}, %c40
// CHECK: %[[ROW:.*]] = arith.divui %{{.*}}, %c40
// CHECK: memref.load %{{.*}}[%[[ROW]], %[[COL]]] : memref<3x40xf32>
// CHECK: memref.load %{{.*}}[%[[ROW]]] : memref<3xf32>
// CHECK: memref.load %{{.*}}[%[[COL]]] : memref<40xbf16>
// CHECK: math.rsqrt
// CHECK: arith.truncf
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[ROW]], %[[COL]]] : memref<3x40xbf16>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @rowsum_scale(%x: tensor<3x40xf32>, %g: tensor<40xbf16>) -> tensor<3x40xbf16> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<3xf32>) -> tensor<3xf32>
  %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<3x40xf32>) outs(%f : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.mulf %in, %in : f32
    %a = arith.addf %out, %m : f32
    linalg.yield %a : f32
  } -> tensor<3xf32>
  %o = tensor.empty() : tensor<3x40xbf16>
  %y = linalg.generic {indexing_maps = [#id, #row, affine_map<(d0, d1) -> (d1)>, #id], iterator_types = ["parallel", "parallel"]} ins(%x, %s, %g : tensor<3x40xf32>, tensor<3xf32>, tensor<40xbf16>) outs(%o : tensor<3x40xbf16>) {
  ^bb0(%in: f32, %r: f32, %w: bf16, %out: bf16):
    %q = math.rsqrt %r : f32
    %t = arith.mulf %in, %q : f32
    %wf = arith.extf %w : bf16 to f32
    %u = arith.mulf %t, %wf : f32
    %v = arith.truncf %u : f32 to bf16
    linalg.yield %v : bf16
  } -> tensor<3x40xbf16>
  return %y : tensor<3x40xbf16>
}

// A concat reads the input whose range holds the element; a strided slice
// that is not a view (step 2) is a copy kernel reading offset + i * stride.
// CHECK-LABEL: gpu.func @concat_slice_0_concat
// CHECK-SAME: %[[A:.*]]: memref<2x5xf32>, %[[B:.*]]: memref<2x3xf32>, %{{.*}}: memref<2x8xf32>)
// CHECK: %[[C:.*]] = arith.remui %{{.*}}, %c8
// CHECK: arith.cmpi ult, %[[C]], %c5
// CHECK: memref.load %[[A]]
// CHECK: } else {
// CHECK: arith.subi %[[C]], %c5
// CHECK: memref.load %[[B]]
// CHECK-LABEL: gpu.func @concat_slice_1_copy
// CHECK: %[[J:.*]] = arith.remui %{{.*}}, %c4
// CHECK: %[[J2:.*]] = arith.muli %[[J]], %c2
// CHECK: %[[COL2:.*]] = arith.addi %c1{{.*}}, %[[J2]]
// CHECK: memref.load %{{.*}}[%{{.*}}, %[[COL2]]] : memref<2x8xf32>
func.func @concat_slice(%a: tensor<2x5xf32>, %b: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %c = tensor.concat dim(1) %a, %b : (tensor<2x5xf32>, tensor<2x3xf32>) -> tensor<2x8xf32>
  %s = tensor.extract_slice %c[0, 1] [2, 4] [1, 2] : tensor<2x8xf32> to tensor<2x4xf32>
  return %s : tensor<2x4xf32>
}

// An insert_slice into data: the source inside the (strided) slice, the
// destination elsewhere.
// CHECK-LABEL: gpu.func @insert_0_insert_slice
// CHECK-SAME: (%[[SRC:.*]]: memref<2x3xf32>, %[[DST:.*]]: memref<2x8xf32>, %[[OUT:.*]]: memref<2x8xf32>)
// CHECK: %[[J:.*]] = arith.remui %{{.*}}, %c8
// CHECK: %[[REL:.*]] = arith.subi %[[J]], %c1
// CHECK: arith.cmpi ult, %[[REL]], %c5
// CHECK: arith.remui %[[REL]], %c2
// CHECK: %[[JS:.*]] = arith.divui %[[REL]], %c2
// CHECK: %[[V:.*]] = scf.if %{{.*}} -> (f32) {
// CHECK: memref.load %[[SRC]][%{{.*}}, %[[JS]]]
// CHECK: } else {
// CHECK: memref.load %[[DST]]
// CHECK: memref.store %[[V]], %[[OUT]]
func.func @insert(%a: tensor<2x3xf32>, %d: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %r = tensor.insert_slice %a into %d[0, 1] [2, 3] [1, 2] : tensor<2x3xf32> into tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// A reduction along the innermost loop over 64 or more elements: a warp per
// row, the lanes 32 apart, xor shuffles with the payload's combiners (max,
// then add), lane 0 folding in the destinations' values and storing.
// CHECK-LABEL: gpu.func @row_max_sumexp_0_generic
// CHECK: %[[ROW:.*]] = arith.divui %{{.*}}, %c32
// CHECK: arith.cmpi ult, %[[ROW]], %c5
// CHECK: %[[LANE:.*]] = arith.remui %{{.*}}, %c32
// CHECK: %[[P:.*]]:2 = scf.for %[[K:.*]] = %[[LANE]] to %c300 step %c32{{.*}} iter_args(%{{.*}} = %cst{{.*}}, %{{.*}} = %cst{{.*}}) -> (f32, f32)
// CHECK: memref.load %{{.*}}[%[[ROW]], %[[K]]] : memref<5x300xbf16>
// CHECK: gpu.shuffle xor %[[P]]#0, %c16_i32
// CHECK: arith.maximumf
// CHECK-COUNT-4: gpu.shuffle xor
// CHECK: gpu.shuffle xor %[[P]]#1, %c16_i32
// CHECK: arith.addf
// CHECK: %[[IS0:.*]] = arith.cmpi eq, %[[LANE]], %c0
// CHECK: scf.if %[[IS0]]
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[ROW]]] : memref<5xf32>
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[ROW]]] : memref<5xf32>
func.func @row_max_sumexp(%x: tensor<5x300xbf16>) -> (tensor<5xf32>, tensor<5xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5xf32>
  %fm = linalg.fill ins(%ninf : f32) outs(%e : tensor<5xf32>) -> tensor<5xf32>
  %fs = linalg.fill ins(%z : f32) outs(%e : tensor<5xf32>) -> tensor<5xf32>
  %r:2 = linalg.generic {indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<5x300xbf16>) outs(%fm, %fs : tensor<5xf32>, tensor<5xf32>) {
  ^bb0(%in: bf16, %m: f32, %s: f32):
    %f = arith.extf %in : bf16 to f32
    %mx = arith.maximumf %m, %f : f32
    %ex = math.exp %f : f32
    %sm = arith.addf %ex, %s : f32
    linalg.yield %mx, %sm : f32, f32
  } -> (tensor<5xf32>, tensor<5xf32>)
  return %r#0, %r#1 : tensor<5xf32>, tensor<5xf32>
}
