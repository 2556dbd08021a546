// RUN: sinter-opt %s --sinter-decompose | FileCheck %s

// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>

// CHECK-LABEL: func @rms
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: math.rsqrt
func.func @rms(%x: tensor<3x8xf32>, %g: tensor<8xf32>) -> tensor<3x8xf32> {
  %r = sinter.rms_norm ins(%x, %g : tensor<3x8xf32>, tensor<8xf32>) outs(%x : tensor<3x8xf32>) -> tensor<3x8xf32>
  return %r : tensor<3x8xf32>
}

// Two-pass layer norm: a sum, then squared deviations from the mean.
// CHECK-LABEL: func @layer
// CHECK-COUNT-2: iterator_types = ["parallel", "reduction"]
// CHECK: math.rsqrt
func.func @layer(%x: tensor<3x8xf32>, %g: tensor<8xf32>) -> tensor<3x8xf32> {
  %r = sinter.layer_norm ins(%x, %g, %g : tensor<3x8xf32>, tensor<8xf32>, tensor<8xf32>) outs(%x : tensor<3x8xf32>) -> tensor<3x8xf32>
  return %r : tensor<3x8xf32>
}

// Softmax along dim 0 reduces the first loop and reads row stats by (d1).
// CHECK-LABEL: func @softmax
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[COL]]], iterator_types = ["reduction", "parallel"]}
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%x: tensor<3x8xf16>) -> tensor<3x8xf16> {
  %r = sinter.softmax ins(%x : tensor<3x8xf16>) outs(%x : tensor<3x8xf16>) {dim = 0 : i64} -> tensor<3x8xf16>
  return %r : tensor<3x8xf16>
}

// Dynamic sizes flow through tensor.dim.
// CHECK-LABEL: func @softmax_dynamic
// CHECK: tensor.dim
// CHECK: tensor.empty(%{{.*}}) : tensor<?xf32>
func.func @softmax_dynamic(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %r = sinter.softmax ins(%x : tensor<?x8xf32>) outs(%x : tensor<?x8xf32>) {dim = 1 : i64} -> tensor<?x8xf32>
  return %r : tensor<?x8xf32>
}

// Rope reads the partner feature and the cos/sin tables with tensor.extract.
// CHECK-LABEL: func @rope
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2x5x8xf32>
// CHECK: tensor.extract %{{.*}} : tensor<5x3xf32>
// CHECK: tensor.extract %{{.*}} : tensor<5x3xf32>
func.func @rope(%x: tensor<2x5x8xf32>, %c: tensor<5x3xf32>) -> tensor<2x5x8xf32> {
  %r = sinter.rope ins(%x, %c, %c : tensor<2x5x8xf32>, tensor<5x3xf32>, tensor<5x3xf32>) outs(%x : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %r : tensor<2x5x8xf32>
}
