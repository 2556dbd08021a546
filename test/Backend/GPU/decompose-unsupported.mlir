// RUN: sinter-opt --sinter-attach-target=target=nvidia-h100 %s --sinter-gpu-decompose-unsupported | FileCheck %s
// RUN: not sinter-opt %s --sinter-gpu-decompose-unsupported 2>&1 | FileCheck %s --check-prefix=NO-TARGET

// NO-TARGET: error: sinter-gpu-decompose-unsupported needs the module's target description

// A norm on its own has no GPU kernel: it becomes linalg (a row reduction,
// then the scaling), which sinter-partition makes generic kernels of.
// CHECK-LABEL: func @rms
// CHECK-NOT: sinter.rms_norm
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: math.rsqrt
// CHECK-NOT: tensor.dim
func.func @rms(%x: tensor<3x8xf32>, %g: tensor<8xf32>) -> tensor<3x8xf32> {
  %r = sinter.rms_norm ins(%x, %g : tensor<3x8xf32>, tensor<8xf32>) outs(%x : tensor<3x8xf32>) -> tensor<3x8xf32>
  return %r : tensor<3x8xf32>
}

// The GEMM has a kernel: left alone.
// CHECK-LABEL: func @gemm
// CHECK: sinter.gemm
func.func @gemm(%a: tensor<8x8xf32>, %b: tensor<8x8xf32>) -> tensor<8x8xf32> {
  %o = tensor.empty() : tensor<8x8xf32>
  %y = sinter.gemm ins(%a, %b : tensor<8x8xf32>, tensor<8x8xf32>) outs(%o : tensor<8x8xf32>) {acc_type = f32} -> tensor<8x8xf32>
  return %y : tensor<8x8xf32>
}

// f16 attention runs on the FlashAttention kernel; f32 attention (no
// tensor-core kernel) becomes its reference form: scores, a safe softmax
// (max, exp, sum) and the weighted sum of V, all linalg.
// CHECK-LABEL: func @attn_f16
// CHECK: sinter.attention
// CHECK-LABEL: func @attn_f32
// CHECK-NOT: sinter.
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: return
func.func @attn_f16(%q: tensor<1x2x8x64xf16>, %k: tensor<1x2x8x64xf16>, %v: tensor<1x2x8x64xf16>) -> tensor<1x2x8x64xf16> {
  %o = tensor.empty() : tensor<1x2x8x64xf16>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x8x64xf16>, tensor<1x2x8x64xf16>, tensor<1x2x8x64xf16>) outs(%o : tensor<1x2x8x64xf16>) -> tensor<1x2x8x64xf16>
  return %r : tensor<1x2x8x64xf16>
}
func.func @attn_f32(%q: tensor<1x2x8x64xf32>, %k: tensor<1x2x8x64xf32>, %v: tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32> {
  %o = tensor.empty() : tensor<1x2x8x64xf32>
  %r = sinter.attention ins(%q, %k, %v : tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>) outs(%o : tensor<1x2x8x64xf32>) -> tensor<1x2x8x64xf32>
  return %r : tensor<1x2x8x64xf32>
}
