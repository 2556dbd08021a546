// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --split-input-file --sinter-tile | FileCheck %s

// Chosen tiles: 64x128 output tiles in shared memory (128 tiles keep the
// 132 SMs busy), k whole (its step recorded for the backend), one batch
// index per tile.
// CHECK-LABEL: func.func @chosen
// CHECK:         scf.forall ({{.*}}) = (0, 0, 0) to (2, 512, 1024) step (1, 64, 128)
// CHECK:           %[[A:.*]] = tensor.extract_slice %arg0[{{.*}}, {{.*}}, 0] [1, 64, 512] [1, 1, 1]
// CHECK:           %[[B:.*]] = tensor.extract_slice %arg1[0, {{.*}}] [512, 128] [1, 1]
// CHECK:           sinter.gemm ins(%[[A]], %[[B]] : tensor<1x64x512xbf16>, tensor<512x128xbf16>)
// CHECK-SAME:        sinter.memory_level = "smem", sinter.tile_sizes = array<i64: 64, 128, 256>
// CHECK:         } {sinter.memory_level = "smem"}
func.func @chosen(%a: tensor<2x512x512xbf16>, %b: tensor<512x1024xbf16>, %c: tensor<2x512x1024xbf16>) -> tensor<2x512x1024xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<2x512x512xbf16>, tensor<512x1024xbf16>) outs(%c : tensor<2x512x1024xbf16>) {acc_type = f32} -> tensor<2x512x1024xbf16>
  return %0 : tensor<2x512x1024xbf16>
}

// -----

// Pinned tiles win; ragged edges give dynamic tile shapes; a pairwise gemm
// concatenates the gate and up columns of its tile; the bias follows n.
// CHECK-LABEL: func.func @pinned_pairwise
// CHECK:         scf.forall ({{.*}}, %[[N:.*]]) = (0, 0) to (100, 36) step (64, 16)
// CHECK:           %[[HI_OFF:.*]] = arith.addi %[[N]], %c36{{.*}} : index
// CHECK:           %[[LO:.*]] = tensor.extract_slice %arg1[0, %[[N]]] [64, {{.*}}]
// CHECK:           %[[HI:.*]] = tensor.extract_slice %arg1[0, %[[HI_OFF]]] [64, {{.*}}]
// CHECK:           %[[W:.*]] = tensor.concat dim(1) %[[LO]], %[[HI]]
// CHECK:           %[[BIAS:.*]] = tensor.extract_slice %arg2[%[[N]]]
// CHECK:           sinter.gemm ins({{.*}}, %[[W]] : tensor<?x64xbf16>, tensor<64x?xbf16>) epilogue_ins(%[[BIAS]] : tensor<?xf32>)
// CHECK-SAME:        pairwise
// CHECK-SAME:        sinter.tile_sizes = array<i64: 64, 16, 64>
func.func @pinned_pairwise(%a: tensor<100x64xbf16>, %b: tensor<64x72xbf16>, %bias: tensor<36xf32>, %c: tensor<100x36xbf16>) -> tensor<100x36xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<100x64xbf16>, tensor<64x72xbf16>) epilogue_ins(%bias : tensor<36xf32>) outs(%c : tensor<100x36xbf16>) {acc_type = f32, pairwise, epilogue_maps = [affine_map<(m, n) -> (n)>], sinter.tile_sizes = array<i64: 64, 16, 64>} -> tensor<100x36xbf16>
  epilogue {
  ^bb0(%g: f32, %u: f32, %bv: f32):
    %p = arith.mulf %g, %u : f32
    %q = arith.addf %p, %bv : f32
    %t = arith.truncf %q : f32 to bf16
    sinter.yield %t : bf16
  }
  return %0 : tensor<100x36xbf16>
}

// -----

// A row reduction (along n) needs whole rows: only m is tiled, and the
// reduction result is tiled with the rows.
// CHECK-LABEL: func.func @row_reduction
// CHECK:         scf.forall (%[[M:.*]]) = (0) to (256) step (64)
// CHECK:           sinter.gemm {{.*}} outs({{.*}} : tensor<64x512xbf16>, tensor<64xf32>)
// CHECK:           tensor.parallel_insert_slice {{.*}} into %{{.*}}[%[[M]], 0] [64, 512]
// CHECK:           tensor.parallel_insert_slice {{.*}} into %{{.*}}[%[[M]]] [64]
func.func @row_reduction(%a: tensor<256x128xbf16>, %b: tensor<128x512xbf16>, %c: tensor<256x512xbf16>, %s: tensor<256xf32>) -> (tensor<256x512xbf16>, tensor<256xf32>) {
  %0:2 = sinter.gemm ins(%a, %b : tensor<256x128xbf16>, tensor<128x512xbf16>) outs(%c, %s : tensor<256x512xbf16>, tensor<256xf32>) {acc_type = f32, reductions = [#sinter.reduction<sum_sq, n>], sinter.tile_sizes = array<i64: 64, 128, 64>} -> tensor<256x512xbf16>, tensor<256xf32>
  epilogue {
  ^bb0(%acc: f32):
    %t = arith.truncf %acc : f32 to bf16
    sinter.yield %t, %acc : bf16, f32
  }
  return %0#0, %0#1 : tensor<256x512xbf16>, tensor<256xf32>
}

// -----

// Left alone: dynamic shapes, and gemms a previous run already tiled.
// CHECK-LABEL: func.func @leave_alone
// CHECK-NOT:     scf.forall
// CHECK:         sinter.gemm ins(%arg0, %arg1
// CHECK:         sinter.gemm ins(%arg3, %arg4
// CHECK-NOT:     scf.forall
func.func @leave_alone(%a: tensor<?x64xf32>, %b: tensor<64x32xf32>, %c: tensor<?x32xf32>, %a2: tensor<256x64xf32>, %b2: tensor<64x256xf32>, %c2: tensor<256x256xf32>) -> (tensor<?x32xf32>, tensor<256x256xf32>) {
  %0 = sinter.gemm ins(%a, %b : tensor<?x64xf32>, tensor<64x32xf32>) outs(%c : tensor<?x32xf32>) {acc_type = f32} -> tensor<?x32xf32>
  %1 = sinter.gemm ins(%a2, %b2 : tensor<256x64xf32>, tensor<64x256xf32>) outs(%c2 : tensor<256x256xf32>) {acc_type = f32, sinter.memory_level = "smem"} -> tensor<256x256xf32>
  return %0, %1 : tensor<?x32xf32>, tensor<256x256xf32>
}
