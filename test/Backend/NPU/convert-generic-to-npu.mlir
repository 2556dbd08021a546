// RUN: sinter-opt %s --split-input-file --sinter-attach-target=target=npu-910 --sinter-partition --sinter-plan-workspace --convert-sinter-to-npu | FileCheck %s

// The kernels of a host program that are not cube kernels become
// npu.vgeneric ops in @sinter_npu_kernels, under the kernels' names: a
// broadcast add (the bias read through (d0, d1) -> (d1)), a row sum whose
// destination fill becomes its init, a transpose (a permuted map), column
// slices (offset maps), a concat (one vgeneric per piece, the output map
// offset) and an embedding gather (the table read on the scalar unit). The
// host program and the tensor forms of its kernels are left as they are.

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[T:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[OFF2:.*]] = affine_map<(d0, d1) -> (d0, d1 + 2)>
// CHECK-DAG: #[[OFF4:.*]] = affine_map<(d0, d1) -> (d0, d1 + 4)>
// CHECK-LABEL: func.func private @block_0_generic(
// CHECK-SAME:      tensor<16x16xf32>
// CHECK-LABEL: func.func @block(
// CHECK-SAME:      attributes {sinter.host
// CHECK:         call @block_0_generic
// CHECK-LABEL: module @sinter_npu_kernels
// CHECK:       func.func @block_0_generic(%[[X:.*]]: memref<16x16xf32>, %[[B:.*]]: memref<16xf32>, %[[Y:.*]]: memref<16x16xf32>)
// CHECK:         npu.vgeneric ins(%[[X]], %[[B]] : memref<16x16xf32>, memref<16xf32>) outs(%[[Y]] : memref<16x16xf32>)
// CHECK-SAME:      indexing_maps = [#[[ID]], #[[COL]], #[[ID]]], inits = [unit], iterator_types = ["parallel", "parallel"], loop_ranges = array<i64: 16, 16>
// CHECK:         arith.addf
// CHECK:         npu.yield
// CHECK:       func.func @block_1_generic(
// CHECK:         npu.vgeneric
// CHECK-SAME:      chunk_cols = 16
// CHECK-SAME:      indexing_maps = [#[[ID]], #[[ROW]]], inits = [0.000000e+00 : f32], iterator_types = ["parallel", "reduction"]
// CHECK-NOT:     linalg.fill
// CHECK:       func.func @block_2_transpose(
// CHECK:         npu.vgeneric
// CHECK-SAME:      indexing_maps = [#[[T]], #[[ID]]]
// CHECK:       func.func @block_3_copy(%{{.*}}: memref<16x16xf32>, %{{.*}}: memref<16x4xf32>)
// CHECK:         indexing_maps = [#[[OFF2]], #[[ID]]]
// CHECK:       func.func @block_5_concat(%[[P1:.*]]: memref<16x4xf32>, %[[P2:.*]]: memref<16x8xf32>, %[[C:.*]]: memref<16x12xf32>)
// CHECK:         npu.vgeneric ins(%[[P1]] : memref<16x4xf32>) outs(%[[C]] : memref<16x12xf32>)
// CHECK-SAME:      indexing_maps = [#[[ID]], #[[ID]]]
// CHECK:         npu.vgeneric ins(%[[P2]] : memref<16x8xf32>) outs(%[[C]] : memref<16x12xf32>)
// CHECK-SAME:      indexing_maps = [#[[ID]], #[[OFF4]]]
// CHECK:       func.func @block_6_generic(%[[TABLE:.*]]: memref<10x16xf32>, %[[IDS:.*]]: memref<4xi64>, %{{.*}}: memref<4x16xf32>)
// CHECK:         npu.vgeneric ins(%[[IDS]] : memref<4xi64>)
// CHECK:         ^bb0(%{{.*}}: index, %[[J:.*]]: index, %[[I:.*]]: i64, %{{.*}}: f32):
// CHECK:           %[[R:.*]] = arith.index_cast %[[I]] : i64 to index
// CHECK:           memref.load %[[TABLE]][%{{.*}}, %{{.*}}] : memref<10x16xf32>
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
#red = affine_map<(d0, d1) -> (d0)>
func.func @block(%x: tensor<2x8x16xf32>, %b: tensor<16xf32>, %t: tensor<10x16xf32>, %ids: tensor<4xi64>)
    -> (tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16x12xf32>, tensor<4x16xf32>) {
  %xv = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x8x16xf32> into tensor<16x16xf32>
  %e = tensor.empty() : tensor<16x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%xv, %b : tensor<16x16xf32>, tensor<16xf32>) outs(%e : tensor<16x16xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<16x16xf32>
  %z = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<16xf32>
  %f = linalg.fill ins(%z : f32) outs(%er : tensor<16xf32>) -> tensor<16xf32>
  %r = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "reduction"]}
      ins(%y : tensor<16x16xf32>) outs(%f : tensor<16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  %et = tensor.empty() : tensor<16x16xf32>
  %tr = linalg.transpose ins(%y : tensor<16x16xf32>) outs(%et : tensor<16x16xf32>) permutation = [1, 0]
  %s1 = tensor.extract_slice %y[0, 2] [16, 4] [1, 1] : tensor<16x16xf32> to tensor<16x4xf32>
  %s2 = tensor.extract_slice %y[0, 8] [16, 8] [1, 1] : tensor<16x16xf32> to tensor<16x8xf32>
  %cat = tensor.concat dim(1) %s1, %s2 : (tensor<16x4xf32>, tensor<16x8xf32>) -> tensor<16x12xf32>
  %eg = tensor.empty() : tensor<4x16xf32>
  %g = linalg.generic {indexing_maps = [#red, #id], iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<4xi64>) outs(%eg : tensor<4x16xf32>) {
  ^bb0(%i: i64, %o: f32):
    %row = arith.index_cast %i : i64 to index
    %col = linalg.index 1 : index
    %v = tensor.extract %t[%row, %col] : tensor<10x16xf32>
    linalg.yield %v : f32
  } -> tensor<4x16xf32>
  return %y, %r, %tr, %cat, %g : tensor<16x16xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<16x12xf32>, tensor<4x16xf32>
}

// -----

// Views inside a kernel cost nothing: the input is read through its
// collapse (the map from the collapsed indices to the argument's, with
// the reshape's divisions simplified by the loops' ranges) and the result
// is written through a collapse and an expand into the [4, 64] output. A
// reduction into an argument's values reads them as one more input, taken
// on the first reduction step.

// CHECK-DAG: #[[READ:.*]] = affine_map<(d0, d1) -> (d0 floordiv 8, d0 mod 8, d1)>
// CHECK-DAG: #[[WRITE:.*]] = affine_map<(d0, d1) -> (d0 floordiv 4, d0 * 16 + d1 - (d0 floordiv 4) * 64)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: module @sinter_npu_kernels
// CHECK:       func.func @k_0_generic(%[[X:.*]]: memref<2x8x16xf32>, %[[ACC:.*]]: memref<16xf32>, %[[OUT:.*]]: memref<4x64xf32>, %[[SUM:.*]]: memref<16xf32>)
// CHECK:         npu.vgeneric ins(%[[X]] : memref<2x8x16xf32>) outs(%[[OUT]] : memref<4x64xf32>)
// CHECK-SAME:      indexing_maps = [#[[READ]], #[[WRITE]]]
// CHECK:         npu.vgeneric ins(%[[X]], %[[ACC]] : memref<2x8x16xf32>, memref<16xf32>) outs(%[[SUM]] : memref<16xf32>)
// CHECK-SAME:      indexing_maps = [#[[READ]], #[[ROW]], #[[ROW]]], inits = [unit], iterator_types = ["parallel", "reduction"]
// CHECK:         ^bb0(%{{.*}}: index, %[[K:.*]]: index, %[[A:.*]]: f32, %[[HELD:.*]]: f32, %[[CUR:.*]]: f32):
// CHECK:           %[[FIRST:.*]] = arith.cmpi eq, %[[K]], %{{.*}} : index
// CHECK:           %[[START:.*]] = arith.select %[[FIRST]], %[[HELD]], %[[CUR]] : f32
// CHECK:           arith.addf %[[A]], %[[START]] : f32
#id = affine_map<(d0, d1) -> (d0, d1)>
#red = affine_map<(d0, d1) -> (d0)>
func.func private @k_0_generic(%x: tensor<2x8x16xf32>, %acc: tensor<16xf32>) -> (tensor<4x64xf32>, tensor<16xf32>) attributes {sinter.kernel = "generic"} {
  %v = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x8x16xf32> into tensor<16x16xf32>
  %e = tensor.empty() : tensor<16x16xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%v : tensor<16x16xf32>) outs(%e : tensor<16x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<16x16xf32>
  %r = tensor.collapse_shape %g [[0, 1]] : tensor<16x16xf32> into tensor<256xf32>
  %q = tensor.expand_shape %r [[0, 1]] output_shape [4, 64] : tensor<256xf32> into tensor<4x64xf32>
  %s = linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "reduction"]}
      ins(%v : tensor<16x16xf32>) outs(%acc : tensor<16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %o : f32
    linalg.yield %t : f32
  } -> tensor<16xf32>
  return %q, %s : tensor<4x64xf32>, tensor<16xf32>
}
func.func @k(%x: tensor<2x8x16xf32>, %acc: tensor<16xf32>) -> (tensor<4x64xf32>, tensor<16xf32>) attributes {sinter.host} {
  %0:2 = call @k_0_generic(%x, %acc) : (tensor<2x8x16xf32>, tensor<16xf32>) -> (tensor<4x64xf32>, tensor<16xf32>)
  return %0#0, %0#1 : tensor<4x64xf32>, tensor<16xf32>
}
