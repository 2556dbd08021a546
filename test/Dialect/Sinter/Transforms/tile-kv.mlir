// RUN: sinter-opt %s --split-input-file --sinter-tile=target=nvidia-h100 -verify-diagnostics | FileCheck %s

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
