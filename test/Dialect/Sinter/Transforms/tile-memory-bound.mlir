// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --sinter-tile -verify-diagnostics | FileCheck %s
// The memory-bound ops (KV cache, norms, softmax, RoPE) tile through their
// TilingInterface over the dimensions their semantics keeps independent.

// Gather: one (sequence, head) per tile; the tile reads its block-table row,
// its length and the head's slice of every cache block.
// CHECK-LABEL: func.func @gather
// CHECK:         scf.forall (%[[B:.*]], %[[H:.*]]) in (2, 4)
// CHECK:           tensor.extract_slice %arg0[0, 0, %[[H]], 0] [32, 16, 1, 64]
// CHECK:           tensor.extract_slice %arg1[%[[B]], 0] [1, 4]
// CHECK:           tensor.extract_slice %arg2[%[[B]]] [1]
// CHECK:           sinter.kv.gather {{.*}} -> tensor<1x1x64x64xf16>
// CHECK:         } {sinter.memory_level = "smem"}
func.func @gather(%cache: tensor<32x16x4x64xf16>, %bt: tensor<2x4xi32>, %lens: tensor<2xi32>, %o: tensor<2x4x64x64xf16>) -> tensor<2x4x64x64xf16> {
  %0 = sinter.kv.gather ins(%cache, %bt, %lens : tensor<32x16x4x64xf16>, tensor<2x4xi32>, tensor<2xi32>) outs(%o : tensor<2x4x64x64xf16>) -> tensor<2x4x64x64xf16>
  return %0 : tensor<2x4x64x64xf16>
}

// -----

// Append: one head per tile, all tokens (a repeated slot keeps the later
// token), the head's slice of the cache as destination.
// CHECK-LABEL: func.func @append
// CHECK:         scf.forall (%[[H:.*]]) in (2) shared_outs(%[[C:.*]] = %arg2)
// CHECK:           tensor.extract_slice %arg0[0, %[[H]], 0] [3, 1, 64]
// CHECK:           %[[DST:.*]] = tensor.extract_slice %[[C]][0, 0, %[[H]], 0] [32, 16, 1, 64]
// CHECK:           sinter.kv.append {{.*}} outs(%[[DST]] : tensor<32x16x1x64xf16>)
func.func @append(%k: tensor<3x2x64xf16>, %slots: tensor<3xi64>, %cache: tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16> {
  %0 = sinter.kv.append ins(%k, %slots : tensor<3x2x64xf16>, tensor<3xi64>) outs(%cache : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
  return %0 : tensor<32x16x2x64xf16>
}

// -----

// Per-token quantization: tokens tiled, channels (the scale's span) whole.
// CHECK-LABEL: func.func @quantize
// CHECK:         scf.forall ({{.*}}) = (0, 0) to (2, 4096) step (1, 64)
// CHECK:           sinter.kv.quantize {{.*}} -> tensor<1x64x128xi8>, tensor<1x64xf32>
func.func @quantize(%k: tensor<2x4096x128xf16>, %q: tensor<2x4096x128xi8>, %s: tensor<2x4096xf32>) -> (tensor<2x4096x128xi8>, tensor<2x4096xf32>) {
  %0:2 = sinter.kv.quantize ins(%k : tensor<2x4096x128xf16>) outs(%q, %s : tensor<2x4096x128xi8>, tensor<2x4096xf32>) {granularity = #sinter.granularity<per_token>} -> tensor<2x4096x128xi8>, tensor<2x4096xf32>
  return %0#0, %0#1 : tensor<2x4096x128xi8>, tensor<2x4096xf32>
}

// -----

func.func @split_sequence(%cache: tensor<32x16x4x64xf16>, %bt: tensor<2x4xi32>, %lens: tensor<2xi32>, %o: tensor<2x4x64x64xf16>) -> tensor<2x4x64x64xf16> {
  // expected-error @below {{dimension 2 must stay whole (tile size 0), not 16}}
  %0 = sinter.kv.gather ins(%cache, %bt, %lens : tensor<32x16x4x64xf16>, tensor<2x4xi32>, tensor<2xi32>) outs(%o : tensor<2x4x64x64xf16>) {sinter.tile_sizes = array<i64: 1, 1, 16, 0>} -> tensor<2x4x64x64xf16>
  return %0 : tensor<2x4x64x64xf16>
}

// -----

func.func @arity(%k: tensor<3x2x64xf16>, %slots: tensor<3xi64>, %cache: tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16> {
  // expected-error @below {{sinter.tile_sizes must have 3 entries, one per dimension}}
  %0 = sinter.kv.append ins(%k, %slots : tensor<3x2x64xf16>, tensor<3xi64>) outs(%cache : tensor<32x16x2x64xf16>) {sinter.tile_sizes = array<i64: 1, 1>} -> tensor<32x16x2x64xf16>
  return %0 : tensor<32x16x2x64xf16>
}

// -----

// RMSNorm: rows stream (two 8 KiB rows in and out fit a quarter of shared
// memory), the normalized dimension and gamma stay whole.
// CHECK-LABEL: func.func @rms_norm
// CHECK:         scf.forall (%[[R:.*]]) = (0) to (4096) step (2)
// CHECK:           tensor.extract_slice %arg0[%[[R]], 0] [2, 4096]
// CHECK:           tensor.extract_slice %arg1[0] [4096]
// CHECK:           sinter.rms_norm {{.*}} -> tensor<2x4096xbf16>
func.func @rms_norm(%x: tensor<4096x4096xbf16>, %g: tensor<4096xbf16>, %o: tensor<4096x4096xbf16>) -> tensor<4096x4096xbf16> {
  %0 = sinter.rms_norm ins(%x, %g : tensor<4096x4096xbf16>, tensor<4096xbf16>) outs(%o : tensor<4096x4096xbf16>) -> tensor<4096x4096xbf16>
  return %0 : tensor<4096x4096xbf16>
}

// -----

// RoPE: the tables' rows follow the sequence tile; the rotated dim is whole.
// CHECK-LABEL: func.func @rope
// CHECK:         scf.forall (%[[B:.*]], %[[H:.*]], %[[S:.*]]) = (0, 0, 0) to (1, 8, 16) step (1, 1, 4)
// CHECK:           tensor.extract_slice %arg1[%[[S]], 0] [4, 32]
// CHECK:           tensor.extract_slice %arg2[%[[S]], 0] [4, 32]
// CHECK:           sinter.rope {{.*}} -> tensor<1x1x4x64xf16>
func.func @rope(%x: tensor<1x8x16x64xf16>, %c: tensor<16x32xf32>, %s: tensor<16x32xf32>, %o: tensor<1x8x16x64xf16>) -> tensor<1x8x16x64xf16> {
  %0 = sinter.rope ins(%x, %c, %s : tensor<1x8x16x64xf16>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%o : tensor<1x8x16x64xf16>) {sinter.tile_sizes = array<i64: 1, 1, 4, 0>} -> tensor<1x8x16x64xf16>
  return %0 : tensor<1x8x16x64xf16>
}

// -----

func.func @softmax_whole(%x: tensor<4x128xf32>, %o: tensor<4x128xf32>) -> tensor<4x128xf32> {
  // expected-error @below {{dimension 1 must stay whole (tile size 0), not 32}}
  %0 = sinter.softmax ins(%x : tensor<4x128xf32>) outs(%o : tensor<4x128xf32>) {dim = 1 : i64, sinter.tile_sizes = array<i64: 1, 32>} -> tensor<4x128xf32>
  return %0 : tensor<4x128xf32>
}
