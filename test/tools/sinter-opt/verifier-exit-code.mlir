// RUN: not sinter-opt %s 2>&1 | FileCheck %s
// RUN: not sinter-opt %s --sinter-decompose 2>&1 | FileCheck %s

// Invalid IR stops before any pass runs, with a located diagnostic.
// CHECK: verifier-exit-code.mlir:[[@LINE+2]]:{{[0-9]+}}: error: 'sinter.rms_norm' op scale/shift has shape [7] but expected [8]
func.func @f(%x: tensor<4x8xf32>, %g: tensor<7xf32>) -> tensor<4x8xf32> {
  %0 = sinter.rms_norm ins(%x, %g : tensor<4x8xf32>, tensor<7xf32>) outs(%x : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
