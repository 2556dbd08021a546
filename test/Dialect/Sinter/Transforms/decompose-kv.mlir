// RUN: sinter-opt %s --sinter-decompose | FileCheck %s

// Append is a loop over new tokens that skips negative (padding) slots and
// writes rows into the cache with insert_slice, threading the cache value.
// CHECK-LABEL: func @append
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[C:.*]] = %{{.*}}) -> (tensor<8x4x2x16xf16>)
// CHECK: arith.cmpi sge
// CHECK: scf.if
// CHECK: tensor.extract_slice {{.*}} : tensor<3x2x16xf16> to tensor<2x16xf16>
// CHECK: tensor.insert_slice {{.*}} into %[[C]]
// CHECK: } else {
// CHECK: scf.yield %[[C]]
func.func @append(%k: tensor<3x2x16xf16>, %s: tensor<3xi32>, %c: tensor<8x4x2x16xf16>) -> tensor<8x4x2x16xf16> {
  %r = sinter.kv.append ins(%k, %s : tensor<3x2x16xf16>, tensor<3xi32>) outs(%c : tensor<8x4x2x16xf16>) -> tensor<8x4x2x16xf16>
  return %r : tensor<8x4x2x16xf16>
}

// CHECK-LABEL: func @gather
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}} : tensor<2x3xi32>
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.*}} : tensor<8x4x2x16xf16>
// CHECK: arith.select
func.func @gather(%c: tensor<8x4x2x16xf16>, %bt: tensor<2x3xi32>, %l: tensor<2xi32>, %g: tensor<2x2x12x16xf16>) -> tensor<2x2x12x16xf16> {
  %r = sinter.kv.gather ins(%c, %bt, %l : tensor<8x4x2x16xf16>, tensor<2x3xi32>, tensor<2xi32>) outs(%g : tensor<2x2x12x16xf16>) -> tensor<2x2x12x16xf16>
  return %r : tensor<2x2x12x16xf16>
}

// Eviction ranks candidates with a quadratic reduction, then compacts.
// CHECK-LABEL: func @evict
// CHECK: math.powf
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK-NOT: sinter.
func.func @evict(%k: tensor<1x2x16x4xf32>, %l: tensor<1xi32>, %s: tensor<1x2x16xf32>, %k0: tensor<1x2x8x4xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) -> tensor<1x2x8xi32> {
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x16x4xf32>, tensor<1x2x16x4xf32>, tensor<1xi32>) scores(%s : tensor<1x2x16xf32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<retention>, window = 2 : i64, decay = 0.9 : f32, threshold = 0.1 : f32}
      -> tensor<1x2x8x4xf32>, tensor<1x2x8x4xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return %r#2 : tensor<1x2x8xi32>
}

// int8 quantization: abs-max reduction, scale = absmax / 127, round to
// nearest even, clamp, convert. fp8 clamps to 448 and truncates.
// CHECK-LABEL: func @quantize
// CHECK: math.absf
// CHECK: arith.constant 1.270000e+02 : f32
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: arith.constant 4.480000e+02 : f32
// CHECK: arith.truncf %{{.*}} : f32 to f8E4M3FN
func.func @quantize(%x: tensor<4x8xf16>, %q: tensor<4x8xi8>, %s: tensor<4xf32>, %q8: tensor<4x8xf8E4M3FN>, %s8: tensor<8xf32>)
    -> (tensor<4x8xi8>, tensor<4x8xf8E4M3FN>) {
  %r:2 = sinter.kv.quantize ins(%x : tensor<4x8xf16>) outs(%q, %s : tensor<4x8xi8>, tensor<4xf32>) {granularity = #sinter.granularity<per_token>} -> tensor<4x8xi8>, tensor<4xf32>
  %f:2 = sinter.kv.quantize ins(%x : tensor<4x8xf16>) outs(%q8, %s8 : tensor<4x8xf8E4M3FN>, tensor<8xf32>) {granularity = #sinter.granularity<per_channel>} -> tensor<4x8xf8E4M3FN>, tensor<8xf32>
  return %r#0, %f#0 : tensor<4x8xi8>, tensor<4x8xf8E4M3FN>
}

// CHECK-LABEL: func @dequantize
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<4x8xi8>, tensor<8xf32>)
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.mulf
func.func @dequantize(%q: tensor<4x8xi8>, %s: tensor<8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = sinter.kv.dequantize ins(%q, %s : tensor<4x8xi8>, tensor<8xf32>) outs(%y : tensor<4x8xf32>) {granularity = #sinter.granularity<per_channel>} -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// CHECK-LABEL: func @prune
// CHECK: math.absf
// CHECK: arith.shli
// CHECK: arith.ori
// CHECK: arith.shrui
// CHECK-NOT: sinter.
func.func @prune(%x: tensor<4x16xf16>, %v: tensor<4x4xf16>, %b: tensor<4x2xi8>) -> tensor<4x16xf16> {
  %r:2 = sinter.kv.prune ins(%x : tensor<4x16xf16>) outs(%v, %b : tensor<4x4xf16>, tensor<4x2xi8>) -> tensor<4x4xf16>, tensor<4x2xi8>
  %d = sinter.kv.densify ins(%r#0, %r#1 : tensor<4x4xf16>, tensor<4x2xi8>) outs(%x : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %d : tensor<4x16xf16>
}
