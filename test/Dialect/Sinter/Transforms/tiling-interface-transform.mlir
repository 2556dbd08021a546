// RUN: sinter-opt %s --transform-interpreter --canonicalize | FileCheck %s
// The transform dialect tiles a consumer and fuses sinter.gemm into the
// loop as a producer through the gemm's TilingInterface: the fused gemm
// reads a row block of A, a column block of B and the bias slice of its
// tile, and the untiled gemm is gone.

// CHECK-LABEL: func.func @tile_fuse
// CHECK-NOT:     sinter.gemm
// CHECK:         scf.forall (%[[I:.*]], %[[J:.*]]) in (4, 2)
// CHECK:           %[[A:.*]] = tensor.extract_slice %arg0[{{.*}}, 0] [16, 32] [1, 1] : tensor<64x32xf32> to tensor<16x32xf32>
// CHECK:           %[[B:.*]] = tensor.extract_slice %arg1[0, {{.*}}] [32, {{.*}}] [1, 1] : tensor<32x48xf32> to tensor<32x?xf32>
// CHECK:           %[[BIAS:.*]] = tensor.extract_slice %arg2[{{.*}}] [{{.*}}] [1] : tensor<48xf32> to tensor<?xf32>
// CHECK:           %[[G:.*]] = sinter.gemm ins(%[[A]], %[[B]] : tensor<16x32xf32>, tensor<32x?xf32>) epilogue_ins(%[[BIAS]] : tensor<?xf32>)
// CHECK:           linalg.exp ins(%[[G]] : tensor<16x?xf32>)
module attributes {transform.with_named_sequence} {
  func.func @tile_fuse(%a: tensor<64x32xf32>, %b: tensor<32x48xf32>, %bias: tensor<48xf32>) -> tensor<64x48xf32> {
    %o = tensor.empty() : tensor<64x48xf32>
    %g = sinter.gemm ins(%a, %b : tensor<64x32xf32>, tensor<32x48xf32>) epilogue_ins(%bias : tensor<48xf32>) outs(%o : tensor<64x48xf32>) {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>], sinter.fuse_me} -> tensor<64x48xf32>
      epilogue {
      ^bb0(%acc: f32, %bv: f32):
        %s = arith.addf %acc, %bv : f32
        sinter.yield %s : f32
      }
    %e = tensor.empty() : tensor<64x48xf32>
    %r = linalg.exp ins(%g : tensor<64x48xf32>) outs(%e : tensor<64x48xf32>) -> tensor<64x48xf32>
    return %r : tensor<64x48xf32>
  }

  // Tiling the gemm itself (k stays whole: tile size 0).
  // CHECK-LABEL: func.func @tile_gemm
  // CHECK:         scf.forall ({{.*}}) in (3, 3)
  // CHECK:           sinter.gemm ins({{.*}} : tensor<?x32xf32>, tensor<32x?xf32>) outs({{.*}} : tensor<?x?xf32>)
  // CHECK:           tensor.parallel_insert_slice
  func.func @tile_gemm(%a: tensor<20x32xf32>, %b: tensor<32x40xf32>) -> tensor<20x40xf32> {
    %o = tensor.empty() : tensor<20x40xf32>
    %g = sinter.gemm ins(%a, %b : tensor<20x32xf32>, tensor<32x40xf32>) outs(%o : tensor<20x40xf32>) {acc_type = f32, sinter.tile_me} -> tensor<20x40xf32>
    return %g : tensor<20x40xf32>
  }
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %exp = transform.structured.match ops{["linalg.exp"]} in %root : (!transform.any_op) -> !transform.any_op
    %gemm = transform.structured.match ops{["sinter.gemm"]} attributes{sinter.fuse_me} in %root : (!transform.any_op) -> !transform.any_op
    %t, %loop = transform.structured.tile_using_forall %exp tile_sizes [16, 32] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused, %l2 = transform.structured.fuse_into_containing_op %gemm into %loop : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %g2 = transform.structured.match ops{["sinter.gemm"]} attributes{sinter.tile_me} in %root : (!transform.any_op) -> !transform.any_op
    %t2, %l3 = transform.structured.tile_using_forall %g2 tile_sizes [8, 16, 0] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
