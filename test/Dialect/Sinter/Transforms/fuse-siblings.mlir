// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-fuse --split-input-file | FileCheck %s

// Three projections of the same activations (QKV) become one gemm over
// concatenated weights; the results are slices of its output. The weights
// are {sinter.weight} arguments (or constants): their concatenation runs
// once, not on every call.
// CHECK-LABEL: func @qkv
// CHECK: %[[W:.*]] = tensor.concat dim(1) %arg1, %arg2, %arg3 : (tensor<16x8xf32>, tensor<16x4xf32>, tensor<16x4xf32>) -> tensor<16x16xf32>
// CHECK: %[[G:.*]] = sinter.gemm ins(%arg0, %[[W]] : tensor<4x16xf32>, tensor<16x16xf32>) outs(%{{.*}} : tensor<4x16xf32>)
// CHECK-DAG: tensor.extract_slice %[[G]][0, 0] [4, 8] [1, 1]
// CHECK-DAG: tensor.extract_slice %[[G]][0, 8] [4, 4] [1, 1]
// CHECK-DAG: tensor.extract_slice %[[G]][0, 12] [4, 4] [1, 1]
// CHECK-NOT: sinter.gemm
func.func @qkv(%x: tensor<4x16xf32>, %wq: tensor<16x8xf32> {sinter.weight}, %wk: tensor<16x4xf32> {sinter.weight}, %wv: tensor<16x4xf32> {sinter.weight})
    -> (tensor<4x8xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e8 = tensor.empty() : tensor<4x8xf32>
  %e4 = tensor.empty() : tensor<4x4xf32>
  %q = sinter.gemm ins(%x, %wq : tensor<4x16xf32>, tensor<16x8xf32>) outs(%e8 : tensor<4x8xf32>) {acc_type = f32} -> tensor<4x8xf32>
  %k = sinter.gemm ins(%x, %wk : tensor<4x16xf32>, tensor<16x4xf32>) outs(%e4 : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  %v = sinter.gemm ins(%x, %wv : tensor<4x16xf32>, tensor<16x4xf32>) outs(%e4 : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  return %q, %k, %v : tensor<4x8xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Left alone: different epilogues, and an epilogue operand indexed by n.
// CHECK-LABEL: func @not_siblings
// CHECK-COUNT-4: sinter.gemm ins(%arg0
func.func @not_siblings(%x: tensor<4x16xf32>, %w: tensor<16x4xf32>, %bias: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %a = sinter.gemm ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) outs(%e : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32> epilogue {
  ^bb0(%acc: f32):
    %t = math.tanh %acc : f32
    sinter.yield %t : f32
  }
  %b = sinter.gemm ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) outs(%e : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32> epilogue {
  ^bb0(%acc: f32):
    %t = math.exp %acc : f32
    sinter.yield %t : f32
  }
  %c = sinter.gemm ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) epilogue_ins(%bias : tensor<4xf32>) outs(%e : tensor<4x4xf32>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<4x4xf32> epilogue {
  ^bb0(%acc: f32, %bv: f32):
    %t = arith.addf %acc, %bv : f32
    sinter.yield %t : f32
  }
  %d = sinter.gemm ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) epilogue_ins(%bias : tensor<4xf32>) outs(%e : tensor<4x4xf32>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]} -> tensor<4x4xf32> epilogue {
  ^bb0(%acc: f32, %bv: f32):
    %t = arith.addf %acc, %bv : f32
    sinter.yield %t : f32
  }
  return %a, %b, %c, %d : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Weights that are ordinary arguments would be concatenated on every call:
// 768 bytes of weights moved twice to save reading A (256 bytes) twice, so
// the projections stay apart.
// CHECK-LABEL: func @per_call_weights
// CHECK-NOT: tensor.concat
// CHECK-COUNT-3: sinter.gemm ins(%arg0
func.func @per_call_weights(%x: tensor<4x16xf32>, %wq: tensor<16x4xf32>, %wk: tensor<16x4xf32>, %wv: tensor<16x4xf32>)
    -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %e4 = tensor.empty() : tensor<4x4xf32>
  %q = sinter.gemm ins(%x, %wq : tensor<4x16xf32>, tensor<16x4xf32>) outs(%e4 : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  %k = sinter.gemm ins(%x, %wk : tensor<4x16xf32>, tensor<16x4xf32>) outs(%e4 : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  %v = sinter.gemm ins(%x, %wv : tensor<4x16xf32>, tensor<16x4xf32>) outs(%e4 : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32>
  return %q, %k, %v : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
