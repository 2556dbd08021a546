// RUN: sinter-opt %s --sinter-decompose --canonicalize --sinter-raise | FileCheck %s

// Raising recognizes the norms in the form the reference decomposition
// writes them (a different spelling from the hand-written tests): decompose
// then raise gives the ops back.
// CHECK-LABEL: func @norms
// CHECK-DAG: sinter.layer_norm ins(%arg0, %arg1, %arg2 : tensor<3x16xf32>, tensor<16xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<3x16xf32>) -> tensor<3x16xf32>
// CHECK-DAG: sinter.rms_norm ins(%arg0, %arg1 : tensor<3x16xf32>, tensor<16xf32>) {{.*}} {epsilon = 1.000000e-03 : f32}
// CHECK-NOT: linalg.generic
func.func @norms(%x: tensor<3x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> (tensor<3x16xf32>, tensor<3x16xf32>) {
  %e = tensor.empty() : tensor<3x16xf32>
  %l = sinter.layer_norm ins(%x, %g, %b : tensor<3x16xf32>, tensor<16xf32>, tensor<16xf32>) outs(%e : tensor<3x16xf32>) -> tensor<3x16xf32>
  %r = sinter.rms_norm ins(%x, %g : tensor<3x16xf32>, tensor<16xf32>) outs(%e : tensor<3x16xf32>) {epsilon = 1.0e-03 : f32} -> tensor<3x16xf32>
  return %l, %r : tensor<3x16xf32>, tensor<3x16xf32>
}
