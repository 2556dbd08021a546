// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-fuse --split-input-file | FileCheck %s
// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-fuse=remarks=true --split-input-file -mlir-print-op-on-diagnostic=false 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

#id = affine_map<(d0, d1) -> (d0, d1)>

// SwiGLU: silu(x.Wg) * (x.Wu) becomes one pairwise gemm over [Wg | Wu].
// CHECK-LABEL: func @swiglu
// CHECK: %[[W:.*]] = tensor.concat dim(1) %arg1, %arg2 : (tensor<16x8xf32>, tensor<16x8xf32>) -> tensor<16x16xf32>
// CHECK: sinter.gemm ins(%arg0, %[[W]] : tensor<4x16xf32>, tensor<16x16xf32>) outs(%{{.*}} : tensor<4x8xf32>) {acc_type = f32, pairwise}
// CHECK: ^bb0(%[[G:.*]]: f32, %[[U:.*]]: f32):
// CHECK: math.exp
// CHECK: arith.mulf %{{.*}}, %[[U]]
// CHECK-NOT: linalg.generic
// REMARK: remark: fused the gated pair sinter.gemm ({{.*}}) and sinter.gemm ({{.*}}) into one pairwise gemm: saves 768 HBM bytes
func.func @swiglu(%x: tensor<4x16xf32>, %wg: tensor<16x8xf32> {sinter.weight}, %wu: tensor<16x8xf32> {sinter.weight}) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %g = sinter.gemm ins(%x, %wg : tensor<4x16xf32>, tensor<16x8xf32>) outs(%e : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %u = sinter.gemm ins(%x, %wu : tensor<4x16xf32>, tensor<16x8xf32>) outs(%e : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %u : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%gv: f32, %uv: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %gv : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %s = arith.divf %gv, %d : f32
    %r = arith.mulf %s, %uv : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Left alone as a pair: the projections read different activations (the
// generic still fuses into one of them as a plain epilogue).
// CHECK-LABEL: func @different_inputs
// CHECK-NOT: pairwise
// CHECK-COUNT-2: sinter.gemm
func.func @different_inputs(%x: tensor<4x16xf32>, %x2: tensor<4x16xf32>, %wg: tensor<16x8xf32> {sinter.weight}, %wu: tensor<16x8xf32> {sinter.weight}) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %g = sinter.gemm ins(%x, %wg : tensor<4x16xf32>, tensor<16x8xf32>) outs(%e : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %u = sinter.gemm ins(%x2, %wu : tensor<4x16xf32>, tensor<16x8xf32>) outs(%e : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %u : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%gv: f32, %uv: f32, %o: f32):
    %r = arith.mulf %gv, %uv : f32
    linalg.yield %r : f32
  } -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
