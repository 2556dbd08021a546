// RUN: sinter-opt %s --sinter-reference-to-llvm | FileCheck %s

// The reference pipeline leaves only the LLVM dialect: no tensors, no
// sinter ops, bf16 arithmetic expanded.
// CHECK: llvm.func @f
// CHECK-NOT: sinter.
// CHECK-NOT: tensor<
// CHECK-NOT: linalg.
func.func @f(%x: tensor<3x8xbf16>, %g: tensor<8xbf16>) -> tensor<3x8xbf16> {
  %r = sinter.rms_norm ins(%x, %g : tensor<3x8xbf16>, tensor<8xbf16>) outs(%x : tensor<3x8xbf16>) -> tensor<3x8xbf16>
  return %r : tensor<3x8xbf16>
}
