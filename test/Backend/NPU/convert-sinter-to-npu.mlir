// RUN: sinter-opt --sinter-attach-target=target=npu-910 %s --split-input-file --convert-sinter-to-npu | FileCheck %s

// A GEMM with a bias row becomes an NPU kernel: tensors become global
// memrefs, the result the last argument, the rank-1 bias a [1, N] row.
// Tiles are 128 x 128 here (smaller whole fractals otherwise), k
// blocks of 128 (4 here); the tiles are split over the cores.
// CHECK-LABEL: func.func @bias(
// CHECK-SAME:    %[[A:.*]]: memref<256x512xf16>, %[[B:.*]]: memref<512x128xf16>, %[[BIAS:.*]]: memref<1x128xf32>, %[[Y:.*]]: memref<256x128xf32>) {
// Two sets of k-block buffers (L1 and L0), so one loads while the other
// computes.
// CHECK:         %[[AL1:.*]] = npu.alloc : memref<128x128xf16, #npu.space<l1>>
// CHECK:         npu.alloc : memref<128x128xf16, #npu.space<l1>>
// CHECK:         %[[AL0:.*]] = npu.alloc : memref<128x128xf16, #npu.space<l0a>>
// CHECK:         npu.alloc : memref<128x128xf16, #npu.space<l0b>>
// CHECK:         %[[AL1B:.*]] = npu.alloc : memref<128x128xf16, #npu.space<l1>>
// CHECK:         npu.alloc : memref<128x128xf16, #npu.space<l1>>
// CHECK:         %[[AL0B:.*]] = npu.alloc : memref<128x128xf16, #npu.space<l0a>>
// CHECK:         npu.alloc : memref<128x128xf16, #npu.space<l0b>>
// CHECK:         %[[ACC:.*]] = npu.alloc : memref<128x128xf32, #npu.space<l0c>>
// CHECK:         %[[CUB:.*]] = npu.alloc : memref<128x128xf32, #npu.space<ub>>
// CHECK:         %[[BUB:.*]] = npu.alloc : memref<1x128xf32, #npu.space<ub>>
// Every buffer starts free (event i for buffer set i).
// CHECK:         npu.set_flag mte1 -> mte2, 0
// CHECK:         npu.set_flag m -> mte1, 0
// CHECK:         npu.set_flag mte1 -> mte2, 1
// CHECK:         npu.set_flag m -> mte1, 1
// CHECK:         npu.set_flag fix -> m, 0
// CHECK:         npu.set_flag mte3 -> fix, 0
// CHECK:         npu.set_flag v -> mte2, 0
// CHECK:         %[[CORE:.*]] = npu.core_id
// CHECK:         %[[CORES:.*]] = npu.num_cores
// CHECK:         scf.for %{{.*}} = %[[CORE]] to %c2 step %[[CORES]] {
// CHECK:           memref.subview %[[BIAS]]
// CHECK:           npu.dma %{{.*}}, %[[BUB]]
// CHECK:           npu.set_flag mte2 -> v, 0
// Block 0 (set 0) sets the accumulator; blocks 1, 2 (sets 1, 0) in a loop
// of pairs and block 3 (set 1) add to it.
// CHECK:           npu.wait_flag mte1 -> mte2, 0
// CHECK:           npu.dma %{{.*}}, %[[AL1]] {target_layout = #npu.layout<nz>}
// CHECK:           npu.dma %[[AL1]], %[[AL0]] {source_layout = #npu.layout<nz>, target_layout = #npu.layout<nz>}
// CHECK:           npu.mmad %[[AL0]], %{{.*}}, %[[ACC]] :
// CHECK:           scf.for %{{.*}} = %c1{{.*}} to %c3{{.*}} step %c2
// CHECK:             npu.wait_flag mte1 -> mte2, 1
// CHECK:             npu.mmad %[[AL0B]], %{{.*}}, %[[ACC]] {accumulate}
// CHECK:             npu.wait_flag mte1 -> mte2, 0
// CHECK:             npu.mmad %[[AL0]], %{{.*}}, %[[ACC]] {accumulate}
// CHECK:           }
// CHECK:           npu.dma %{{.*}}, %[[AL1B]] {target_layout = #npu.layout<nz>}
// CHECK:           npu.mmad %[[AL0B]], %{{.*}}, %[[ACC]] {accumulate}
// CHECK:           npu.dma %[[ACC]], %[[CUB]] {source_layout = #npu.layout<nz>}
// CHECK:           npu.vbinary add %[[CUB]], %[[BUB]], %[[R:.*]] :
// CHECK:           npu.set_flag v -> mte3, 0
// CHECK:           npu.wait_flag v -> mte3, 0
// CHECK:           %[[OUT:.*]] = memref.subview %[[Y]]
// CHECK:           npu.dma %[[R]], %[[OUT]]
// CHECK:           npu.set_flag mte3 -> fix, 0
// CHECK:         }
// The free flags are drained.
// CHECK:         npu.wait_flag mte1 -> mte2, 0
// CHECK:         npu.wait_flag m -> mte1, 0
// CHECK:         npu.wait_flag mte1 -> mte2, 1
// CHECK:         npu.wait_flag m -> mte1, 1
// CHECK:         return
func.func @bias(%a: tensor<256x512xf16>, %b: tensor<512x128xf16>, %bias: tensor<128xf32>) -> tensor<256x128xf32> {
  %o = tensor.empty() : tensor<256x128xf32>
  %y = sinter.gemm ins(%a, %b : tensor<256x512xf16>, tensor<512x128xf16>) epilogue_ins(%bias : tensor<128xf32>) outs(%o : tensor<256x128xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<256x128xf32>
    epilogue {
    ^bb0(%acc: f32, %bv: f32):
      %s = arith.addf %acc, %bv : f32
      sinter.yield %s : f32
    }
  return %y : tensor<256x128xf32>
}

// -----

// No epilogue, a bf16 result: the accumulator is cast on the vector unit.
// CHECK-LABEL: func.func @plain(
// CHECK:         npu.vcast %{{.*}}, %{{.*}} : memref<64x64xf32, #npu.space<ub>>, memref<64x64xbf16, #npu.space<ub>>
func.func @plain(%a: tensor<64x32xbf16>, %b: tensor<32x64xbf16>) -> tensor<64x64xbf16> {
  %o = tensor.empty() : tensor<64x64xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<64x32xbf16>, tensor<32x64xbf16>) outs(%o : tensor<64x64xbf16>) {acc_type = f32} -> tensor<64x64xbf16>
  return %y : tensor<64x64xbf16>
}

// -----

// Ragged edges: 150 x 200 x 141 takes tiles of 128 (2 x 2 of them) and k
// blocks of 128 (2); the copies at the edges read min(128, size - offset)
// rows or columns into padded tiles, and the result's edge tiles are
// cropped on the way out.
// CHECK-LABEL: func.func @ragged(
// CHECK-SAME:    memref<150x200xf16>, %{{.*}}: memref<200x141xf16>, %{{.*}}: memref<150x141xf32>)
// CHECK:         %[[MR:.*]] = arith.minui %{{.*}}, %{{.*}} : index
// CHECK:         %[[KR:.*]] = arith.minui %{{.*}}, %{{.*}} : index
// CHECK:         %[[AE:.*]] = memref.subview %arg0[%{{.*}}, %{{.*}}] [%[[MR]], %[[KR]]] [1, 1] : memref<150x200xf16> to memref<?x?xf16, strided<[200, 1], offset: ?>>
// CHECK:         npu.dma %[[AE]], %{{.*}} {target_layout = #npu.layout<nz>} : memref<?x?xf16, strided<[200, 1], offset: ?>>, memref<128x128xf16, #npu.space<l1>>
// CHECK:         npu.dma %{{.*}}, %{{.*}} : memref<128x128xf32, #npu.space<ub>>, memref<?x?xf32, strided<[141, 1], offset: ?>>
func.func @ragged(%a: tensor<150x200xf16>, %b: tensor<200x141xf16>) -> tensor<150x141xf32> {
  %o = tensor.empty() : tensor<150x141xf32>
  %y = sinter.gemm ins(%a, %b : tensor<150x200xf16>, tensor<200x141xf16>) outs(%o : tensor<150x141xf32>) {acc_type = f32} -> tensor<150x141xf32>
  return %y : tensor<150x141xf32>
}

// -----

// A ragged key sequence (90 keys: one block of 96) masks the padded keys
// with vmask's `columns` (90 - the block's first key); the 50 queries take
// a padded block of 64, cropped on the way out.
// CHECK-LABEL: func.func @ragged_attention(
// CHECK:         npu.alloc : memref<64x96xf32, #npu.space<ub>>
// CHECK:         npu.vmask %{{.*}}, %{{.*}} columns %{{.*}} : memref<64x96xf32, #npu.space<ub>>
// CHECK:         npu.dma %{{.*}}, %{{.*}} : memref<64x32xf32, #npu.space<ub>>, memref<?x32xf32, strided<[32, 1], offset: ?>>
func.func @ragged_attention(%q: tensor<1x2x50x32xf16>, %k: tensor<1x2x90x32xf16>, %v: tensor<1x2x90x32xf16>) -> tensor<1x2x50x32xf32> {
  %o = tensor.empty() : tensor<1x2x50x32xf32>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x50x32xf16>, tensor<1x2x90x32xf16>, tensor<1x2x90x32xf16>) outs(%o : tensor<1x2x50x32xf32>) -> tensor<1x2x50x32xf32>
  return %r : tensor<1x2x50x32xf32>
}
