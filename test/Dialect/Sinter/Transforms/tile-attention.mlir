// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --sinter-tile | FileCheck %s

// Causal GQA (4 query heads on 2 KV heads): a tile holds both query heads
// of its group; the key loop ends at the diagonal; the mask runs only on
// blocks that cross it (scf.if); running max / sum / accumulator are
// carried through the loop.
// CHECK-LABEL: func.func @causal_gqa
// CHECK:         scf.forall (%[[B:.*]], %[[G:.*]], %[[T:.*]]) in (1, 2, 3) shared_outs(%[[O:.*]] = %arg3)
// CHECK:           %[[Q:.*]] = tensor.extract_slice %arg0[%[[B]], {{.*}}, {{.*}}, 0] [1, 2, {{.*}}, 16] [1, 1, 1, 1] : tensor<1x4x10x16xf32> to tensor<2x?x16xf32>
// CHECK:           %[[HI:.*]] = arith.minsi
// CHECK:           scf.for %[[K0:.*]] = %{{.*}} to %[[HI]] step %c4{{.*}} iter_args(%[[M:.*]] = %{{.*}}, %[[L:.*]] = %{{.*}}, %[[ACC:.*]] = %{{.*}}) -> (tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?x16xf32>)
// CHECK:             tensor.extract_slice %arg1[%[[B]], %[[G]], %[[K0]], 0] [1, 1, {{.*}}, 16] {{.*}} to tensor<?x16xf32>
// CHECK:             %[[NEEDS:.*]] = arith.cmpi sgt
// CHECK:             scf.if %[[NEEDS]] -> (tensor<2x?x?xf32>)
// CHECK:               arith.cmpi sle
// CHECK:             math.exp
// CHECK:             scf.yield
// CHECK:           scf.forall.in_parallel
// CHECK:             tensor.parallel_insert_slice %{{.*}} into %[[O]][%[[B]], {{.*}}, {{.*}}, 0] [1, 2, {{.*}}, 16]
// CHECK:         } {sinter.memory_level = "smem"}
func.func @causal_gqa(%q: tensor<1x4x10x16xf32>, %k: tensor<1x2x13x16xf32>, %v: tensor<1x2x13x16xf32>, %o: tensor<1x4x10x16xf32>) -> tensor<1x4x10x16xf32> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<1x4x10x16xf32>, tensor<1x2x13x16xf32>, tensor<1x2x13x16xf32>) outs(%o : tensor<1x4x10x16xf32>) {mask = #sinter.mask<causal>, sinter.tile_sizes = array<i64: 4, 4, 1>} -> tensor<1x4x10x16xf32>
  return %0 : tensor<1x4x10x16xf32>
}

// -----

// No mask: every key block, no scf.if; the model chooses the blocks.
// CHECK-LABEL: func.func @unmasked
// CHECK:         scf.forall
// CHECK:           scf.for
// CHECK-NOT:       scf.if
// CHECK:         } {sinter.memory_level = "smem"}
func.func @unmasked(%q: tensor<2x8x256x64xbf16>, %k: tensor<2x8x256x64xbf16>, %v: tensor<2x8x256x64xbf16>, %o: tensor<2x8x256x64xbf16>) -> tensor<2x8x256x64xbf16> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<2x8x256x64xbf16>, tensor<2x8x256x64xbf16>, tensor<2x8x256x64xbf16>) outs(%o : tensor<2x8x256x64xbf16>) -> tensor<2x8x256x64xbf16>
  return %0 : tensor<2x8x256x64xbf16>
}

// -----

// Sliding window: the key loop starts at the block holding the window's
// first key, and the band test also checks the window's edge.
// CHECK-LABEL: func.func @window
// CHECK:         scf.forall
// CHECK:           %[[FIRST:.*]] = arith.divsi
// CHECK:           %[[LO:.*]] = arith.muli %[[FIRST]]
// CHECK:           scf.for %{{.*}} = %[[LO]] to
// CHECK:             arith.cmpi sgt
// CHECK:             arith.cmpi sle
// CHECK:             arith.ori
// CHECK:             scf.if
func.func @window(%q: tensor<1x2x32x16xf32>, %k: tensor<1x2x32x16xf32>, %v: tensor<1x2x32x16xf32>, %o: tensor<1x2x32x16xf32>) -> tensor<1x2x32x16xf32> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>) outs(%o : tensor<1x2x32x16xf32>) {mask = #sinter.mask<sliding_window>, window = 8 : i64, sinter.tile_sizes = array<i64: 8, 8, 1>} -> tensor<1x2x32x16xf32>
  return %0 : tensor<1x2x32x16xf32>
}

// -----

// Split-KV decode: the forall gains a split dimension writing f32 partial
// outputs and LSEs; a combine reduces over the splits into the results.
// CHECK-LABEL: func.func @split_kv
// CHECK:         %[[PO:.*]] = tensor.empty() : tensor<4x1x4x1x16xf32>
// CHECK:         %[[PL:.*]] = tensor.empty() : tensor<4x1x4x1xf32>
// CHECK:         %[[P:.*]]:2 = scf.forall (%{{.*}}, %{{.*}}, %{{.*}}, %[[S:.*]]) in (1, 1, 1, 4) shared_outs(%{{.*}} = %[[PO]], %{{.*}} = %[[PL]])
// CHECK:           tensor.extract_slice %arg0[{{.*}}] [1, 4, {{.*}}, 16] {{.*}} to tensor<4x?x16xf32>
// CHECK:           tensor.parallel_insert_slice %{{.*}}[%[[S]], {{.*}}] [1, 1, 4, {{.*}}, 16]
// CHECK:           tensor.parallel_insert_slice %{{.*}}[%[[S]], {{.*}}] [1, 1, 4, {{.*}}]
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[P]]#1
// CHECK:         linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[P]]#0, %[[P]]#1
// CHECK:         %[[OUT:.*]] = linalg.generic {{.*}} outs(%arg3 : tensor<1x4x1x16xf32>)
// CHECK:         %[[LSE:.*]] = linalg.generic {{.*}} outs(%arg4 : tensor<1x4x1xf32>)
// CHECK:         return %[[OUT]], %[[LSE]]
func.func @split_kv(%q: tensor<1x4x1x16xf32>, %k: tensor<1x1x64x16xf32>, %v: tensor<1x1x64x16xf32>, %o: tensor<1x4x1x16xf32>, %l: tensor<1x4x1xf32>) -> (tensor<1x4x1x16xf32>, tensor<1x4x1xf32>) {
  %0:2 = sinter.attention ins(%q, %k, %v : tensor<1x4x1x16xf32>, tensor<1x1x64x16xf32>, tensor<1x1x64x16xf32>) outs(%o, %l : tensor<1x4x1x16xf32>, tensor<1x4x1xf32>) {sinter.tile_sizes = array<i64: 1, 8, 4>} -> tensor<1x4x1x16xf32>, tensor<1x4x1xf32>
  return %0#0, %0#1 : tensor<1x4x1x16xf32>, tensor<1x4x1xf32>
}

// -----

// Token-major layout: the query tile is [tokens, heads, D] and keys are
// sliced along dim 1.
// CHECK-LABEL: func.func @bshd
// CHECK:         tensor.extract_slice %arg0[{{.*}}, {{.*}}, {{.*}}, 0] [1, {{.*}}, 2, 16] {{.*}} to tensor<?x2x16xf32>
// CHECK:         tensor.extract_slice %arg1[{{.*}}, {{.*}}, {{.*}}, 0] [1, {{.*}}, 1, 16] {{.*}} to tensor<?x16xf32>
func.func @bshd(%q: tensor<1x9x4x16xf32>, %k: tensor<1x9x2x16xf32>, %v: tensor<1x9x2x16xf32>, %o: tensor<1x9x4x16xf32>) -> tensor<1x9x4x16xf32> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<1x9x4x16xf32>, tensor<1x9x2x16xf32>, tensor<1x9x2x16xf32>) outs(%o : tensor<1x9x4x16xf32>) {layout = #sinter.layout<bshd>, mask = #sinter.mask<causal>, sinter.tile_sizes = array<i64: 4, 4, 1>} -> tensor<1x9x4x16xf32>
  return %0 : tensor<1x9x4x16xf32>
}

// -----

// Dynamic shapes are left alone.
// CHECK-LABEL: func.func @dynamic
// CHECK-NOT:     scf.forall
// CHECK:         sinter.attention
func.func @dynamic(%q: tensor<1x2x?x16xf32>, %k: tensor<1x2x?x16xf32>, %v: tensor<1x2x?x16xf32>, %o: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %0 = sinter.attention ins(%q, %k, %v : tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) outs(%o : tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32>
  return %0 : tensor<1x2x?x16xf32>
}

// -----

// Paged attention: both caches are gathered per (sequence, head), the
// lengths and query positions (counted from each sequence's end) become an
// additive mask, and the attention takes the flash form.
// CHECK-LABEL: func.func @paged
// CHECK:         scf.forall {{.*}} -> (tensor<2x2x32x16xf32>)
// CHECK:           sinter.kv.gather
// CHECK:         scf.forall {{.*}} -> (tensor<2x2x32x16xf32>)
// CHECK:           sinter.kv.gather
// CHECK:         %[[BIAS:.*]] = linalg.generic {{.*}} ins(%arg4 : tensor<2xi32>) outs(%{{.*}} : tensor<2x1x3x32xf32>)
// CHECK:           arith.cmpi slt
// CHECK:           arith.cmpi sle
// CHECK:         scf.forall
// CHECK:           tensor.extract_slice %[[BIAS]]
// CHECK-NOT:     sinter.paged_attention
func.func @paged(%q: tensor<2x4x3x16xf32>, %kc: tensor<10x8x2x16xf32>, %vc: tensor<10x8x2x16xf32>, %bt: tensor<2x4xi32>, %lens: tensor<2xi32>, %o: tensor<2x4x3x16xf32>) -> tensor<2x4x3x16xf32> {
  %0 = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : tensor<2x4x3x16xf32>, tensor<10x8x2x16xf32>, tensor<10x8x2x16xf32>, tensor<2x4xi32>, tensor<2xi32>) outs(%o : tensor<2x4x3x16xf32>) {mask = #sinter.mask<causal>} -> tensor<2x4x3x16xf32>
  return %0 : tensor<2x4x3x16xf32>
}
