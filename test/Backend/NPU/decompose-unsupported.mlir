// RUN: sinter-opt %s --sinter-npu-decompose-unsupported | FileCheck %s

// A norm on its own has no NPU kernel: it becomes linalg (a row reduction,
// then the scaling), which sinter-partition and convert-sinter-to-npu make
// vector programs of.
// CHECK-LABEL: func @rms
// CHECK-NOT: sinter.rms_norm
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: math.rsqrt
// CHECK-NOT: tensor.dim
func.func @rms(%x: tensor<3x8xf32>, %g: tensor<8xf32>) -> tensor<3x8xf32> {
  %r = sinter.rms_norm ins(%x, %g : tensor<3x8xf32>, tensor<8xf32>) outs(%x : tensor<3x8xf32>) -> tensor<3x8xf32>
  return %r : tensor<3x8xf32>
}

// An f16 GEMM runs on the cube: left alone.
// CHECK-LABEL: func @gemm_f16
// CHECK: sinter.gemm
func.func @gemm_f16(%a: tensor<32x16xf16>, %b: tensor<16x32xf16>) -> tensor<32x32xf32> {
  %o = tensor.empty() : tensor<32x32xf32>
  %y = sinter.gemm ins(%a, %b : tensor<32x16xf16>, tensor<16x32xf16>) outs(%o : tensor<32x32xf32>) {acc_type = f32} -> tensor<32x32xf32>
  return %y : tensor<32x32xf32>
}

// The cube multiplies f16/bf16 only: an f32 GEMM becomes a contraction.
// CHECK-LABEL: func @gemm_f32
// CHECK-NOT: sinter.gemm
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
func.func @gemm_f32(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// Epilogue constants run as the vector unit's scalar ops: the GEMM keeps
// its kernel.
// CHECK-LABEL: func @gemm_constant_epilogue
// CHECK: sinter.gemm {{.*}} epilogue
// CHECK: arith.mulf
func.func @gemm_constant_epilogue(%a: tensor<32x16xf16>, %b: tensor<16x32xf16>) -> tensor<32x32xf32> {
  %o = tensor.empty() : tensor<32x32xf32>
  %y = sinter.gemm ins(%a, %b : tensor<32x16xf16>, tensor<16x32xf16>) outs(%o : tensor<32x32xf32>) {acc_type = f32} -> tensor<32x32xf32> epilogue {
  ^bb0(%acc: f32):
    %c = arith.constant 0.5 : f32
    %m = arith.mulf %acc, %c : f32
    sinter.yield %m : f32
  }
  return %y : tensor<32x32xf32>
}

// A reciprocal (a constant dividend) has no vector-unit form: the GEMM
// keeps its contraction on the cube (the f32 accumulator out); the
// epilogue becomes linalg.
// CHECK-LABEL: func @gemm_reciprocal_epilogue
// CHECK: %[[ACC:.*]] = sinter.gemm ins(%arg0, %arg1 : tensor<32x16xf16>, tensor<16x32xf16>) outs(%{{.*}} : tensor<32x32xf32>) {acc_type = f32} -> tensor<32x32xf32>
// CHECK-NOT: epilogue
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<32x32xf32>)
// CHECK: arith.divf
func.func @gemm_reciprocal_epilogue(%a: tensor<32x16xf16>, %b: tensor<16x32xf16>) -> tensor<32x32xf32> {
  %o = tensor.empty() : tensor<32x32xf32>
  %y = sinter.gemm ins(%a, %b : tensor<32x16xf16>, tensor<16x32xf16>) outs(%o : tensor<32x32xf32>) {acc_type = f32} -> tensor<32x32xf32> epilogue {
  ^bb0(%acc: f32):
    %c = arith.constant 1.0 : f32
    %m = arith.divf %c, %acc : f32
    sinter.yield %m : f32
  }
  return %y : tensor<32x32xf32>
}

// A pairwise (SwiGLU) GEMM: the cube computes both halves as one [M, 2N]
// contraction; the gate and up halves are sliced for the epilogue.
// CHECK-LABEL: func @gemm_pairwise
// CHECK: %[[BOTH:.*]] = sinter.gemm ins(%arg0, %arg1 : tensor<32x16xbf16>, tensor<16x64xbf16>) outs(%{{.*}} : tensor<32x64xf32>) {acc_type = f32}
// CHECK: tensor.extract_slice %[[BOTH]][0, 0] [32, 32]
// CHECK: tensor.extract_slice %[[BOTH]][0, 32] [32, 32]
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @gemm_pairwise(%a: tensor<32x16xbf16>, %b: tensor<16x64xbf16>) -> tensor<32x32xbf16> {
  %o = tensor.empty() : tensor<32x32xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<32x16xbf16>, tensor<16x64xbf16>) outs(%o : tensor<32x32xbf16>) {acc_type = f32, pairwise} -> tensor<32x32xbf16> epilogue {
  ^bb0(%g: f32, %u: f32):
    %p = arith.mulf %g, %u : f32
    %t = arith.truncf %p : f32 to bf16
    sinter.yield %t : bf16
  }
  return %y : tensor<32x32xbf16>
}

// Token-major attention is transposed to [B, H, S, D] for the NPU's
// FlashAttention kernel and its output transposed back.
// CHECK-LABEL: func @attn_bshd
// CHECK-COUNT-3: linalg.transpose {{.*}} permutation = [0, 2, 1, 3]
// CHECK: %[[O:.*]] = sinter.attention {{.*}} -> tensor<1x2x16x16xf16>
// CHECK: linalg.transpose ins(%[[O]] : tensor<1x2x16x16xf16>) outs(%{{.*}} : tensor<1x16x2x16xf16>) permutation = [0, 2, 1, 3]
func.func @attn_bshd(%q: tensor<1x16x2x16xf16>, %k: tensor<1x16x2x16xf16>, %v: tensor<1x16x2x16xf16>) -> tensor<1x16x2x16xf16> {
  %o = tensor.empty() : tensor<1x16x2x16xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x16x2x16xf16>, tensor<1x16x2x16xf16>, tensor<1x16x2x16xf16>)
      outs(%o : tensor<1x16x2x16xf16>) {mask = #sinter.mask<causal>, layout = #sinter.layout<bshd>} -> tensor<1x16x2x16xf16>
  return %r : tensor<1x16x2x16xf16>
}

// Attention with fused RoPE keeps its FlashAttention kernel: only the
// RoPE is unfused (and, having no kernel of its own, decomposed).
// CHECK-LABEL: func @attn_rope
// CHECK-NOT: sinter.rope
// CHECK: sinter.attention
// CHECK-NOT: rope_cos
func.func @attn_rope(%q: tensor<1x2x16x16xf16>, %k: tensor<1x2x16x16xf16>, %v: tensor<1x2x16x16xf16>,
                     %cos: tensor<16x8xf32>, %sin: tensor<16x8xf32>) -> tensor<1x2x16x16xf16> {
  %o = tensor.empty() : tensor<1x2x16x16xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x16x16xf16>, tensor<1x2x16x16xf16>, tensor<1x2x16x16xf16>)
      rope(%cos, %sin : tensor<16x8xf32>, tensor<16x8xf32>) outs(%o : tensor<1x2x16x16xf16>) {mask = #sinter.mask<causal>} -> tensor<1x2x16x16xf16>
  return %r : tensor<1x2x16x16xf16>
}

// The KV-cache ops other than append and gather have no NPU kernel.
// CHECK-LABEL: func @evict
// CHECK-NOT: sinter.kv.evict
// CHECK: return
func.func @evict(%k: tensor<1x2x16x4xf32>, %l: tensor<1xi32>, %s: tensor<1x2x16xf32>, %k0: tensor<1x2x8x4xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) -> tensor<1x2x8xi32> {
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>, tensor<1xi32>) scores(%s : tensor<1x2x16xf32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<retention>, window = 2 : i64, decay = 0.9 : f32, threshold = 0.1 : f32}
      -> tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return %r#2 : tensor<1x2x8xi32>
}
