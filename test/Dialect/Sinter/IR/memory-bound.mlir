// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s --mlir-print-op-generic | sinter-opt | FileCheck %s

// CHECK-LABEL: func @norms
// CHECK: sinter.rms_norm ins(%{{.*}}, %{{.*}} : tensor<8x4096xbf16>, tensor<4096xbf16>) outs(%{{.*}} : tensor<8x4096xbf16>) {epsilon = 9.99999974E-6 : f32} -> tensor<8x4096xbf16>
// CHECK: sinter.layer_norm ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8x4096xbf16>, tensor<4096xbf16>, tensor<4096xbf16>) outs(%{{.*}} : tensor<8x4096xf32>) -> tensor<8x4096xf32>
func.func @norms(%x: tensor<8x4096xbf16>, %g: tensor<4096xbf16>, %y: tensor<8x4096xbf16>, %z: tensor<8x4096xf32>) -> (tensor<8x4096xbf16>, tensor<8x4096xf32>) {
  %0 = sinter.rms_norm ins(%x, %g : tensor<8x4096xbf16>, tensor<4096xbf16>) outs(%y : tensor<8x4096xbf16>) {epsilon = 1.0e-05 : f32} -> tensor<8x4096xbf16>
  %1 = sinter.layer_norm ins(%x, %g, %g : tensor<8x4096xbf16>, tensor<4096xbf16>, tensor<4096xbf16>) outs(%z : tensor<8x4096xf32>) -> tensor<8x4096xf32>
  return %0, %1 : tensor<8x4096xbf16>, tensor<8x4096xf32>
}

// CHECK-LABEL: func @softmax_rope
// CHECK: sinter.softmax ins(%{{.*}} : tensor<4x?xf32>) outs(%{{.*}} : tensor<4x?xf32>) {dim = 1 : i64} -> tensor<4x?xf32>
// CHECK: sinter.rope
// CHECK-SAME: mode = #sinter.rope_mode<interleaved>
// CHECK-SAME: seq_dim = 1 : i64
func.func @softmax_rope(%x: tensor<4x?xf32>, %r: tensor<1x16x8x64xf16>, %c: tensor<16x32xf32>) -> (tensor<4x?xf32>, tensor<1x16x8x64xf16>) {
  %0 = sinter.softmax ins(%x : tensor<4x?xf32>) outs(%x : tensor<4x?xf32>) {dim = 1 : i64} -> tensor<4x?xf32>
  %1 = sinter.rope ins(%r, %c, %c : tensor<1x16x8x64xf16>, tensor<16x32xf32>, tensor<16x32xf32>) outs(%r : tensor<1x16x8x64xf16>)
      {mode = #sinter.rope_mode<interleaved>, seq_dim = 1 : i64} -> tensor<1x16x8x64xf16>
  return %0, %1 : tensor<4x?xf32>, tensor<1x16x8x64xf16>
}
