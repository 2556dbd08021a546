// RUN: sinter-opt %s | sinter-opt | FileCheck %s
// RUN: sinter-opt %s --mlir-print-op-generic | sinter-opt | FileCheck %s

// CHECK-LABEL: func @append_gather
// CHECK: sinter.kv.append ins(%{{.*}}, %{{.*}} : tensor<3x2x64xf16>, tensor<3xi64>) outs(%{{.*}} : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
// CHECK: sinter.kv.gather ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<32x16x2x64xf16>, tensor<2x4xi32>, tensor<2xi32>) outs(%{{.*}} : tensor<2x2x64x64xf16>) -> tensor<2x2x64x64xf16>
func.func @append_gather(%k: tensor<3x2x64xf16>, %slots: tensor<3xi64>, %cache: tensor<32x16x2x64xf16>,
    %bt: tensor<2x4xi32>, %lens: tensor<2xi32>, %g: tensor<2x2x64x64xf16>) -> tensor<2x2x64x64xf16> {
  %c = sinter.kv.append ins(%k, %slots : tensor<3x2x64xf16>, tensor<3xi64>) outs(%cache : tensor<32x16x2x64xf16>) -> tensor<32x16x2x64xf16>
  %r = sinter.kv.gather ins(%c, %bt, %lens : tensor<32x16x2x64xf16>, tensor<2x4xi32>, tensor<2xi32>) outs(%g : tensor<2x2x64x64xf16>) -> tensor<2x2x64x64xf16>
  return %r : tensor<2x2x64x64xf16>
}

// CHECK-LABEL: func @evict
// CHECK: sinter.kv.evict
// CHECK-SAME: scores(%{{.*}} : tensor<1x1x64xf32>)
// CHECK-SAME: policy = #sinter.evict_policy<retention>
func.func @evict(%k: tensor<1x2x64x16xf32>, %v: tensor<1x2x64x16xf32>, %lens: tensor<1xi32>, %s: tensor<1x1x64xf32>,
    %k0: tensor<1x2x32x16xf32>, %v0: tensor<1x2x32x16xf32>, %p0: tensor<1x2x32xi32>, %n0: tensor<1x2xi32>) -> tensor<1x2x32xi32> {
  %k2, %v2, %kept, %n = sinter.kv.evict ins(%k, %v, %lens : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      scores(%s : tensor<1x1x64xf32>) outs(%k0, %v0, %p0, %n0 : tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<retention>, window = 8 : i64, decay = 0.95 : f32, threshold = 0.01 : f32}
      -> tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32xi32>, tensor<1x2xi32>
  return %kept : tensor<1x2x32xi32>
}

// CHECK-LABEL: func @streaming
// CHECK: sinter.kv.evict
// CHECK-NOT: scores
// CHECK-SAME: policy = #sinter.evict_policy<sink_window>
func.func @streaming(%k: tensor<1x2x64x16xf32>, %lens: tensor<1xi32>,
    %k0: tensor<1x2x32x16xf32>, %p0: tensor<1x2x32xi32>, %n0: tensor<1x2xi32>) -> tensor<1x2xi32> {
  %k2, %v2, %kept, %n = sinter.kv.evict ins(%k, %k, %lens : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      outs(%k0, %k0, %p0, %n0 : tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<sink_window>, sinks = 4 : i64, window = 28 : i64}
      -> tensor<1x2x32x16xf32>, tensor<1x2x32x16xf32>, tensor<1x2x32xi32>, tensor<1x2xi32>
  return %n : tensor<1x2xi32>
}

// CHECK-LABEL: func @quant
// CHECK: sinter.kv.quantize ins(%{{.*}} : tensor<2x64x128xf16>) outs(%{{.*}}, %{{.*}} : tensor<2x64x128xf8E4M3FN>, tensor<2x128xf32>) {granularity = #sinter.granularity<per_channel>}
// CHECK: sinter.kv.dequantize
func.func @quant(%x: tensor<2x64x128xf16>, %q0: tensor<2x64x128xf8E4M3FN>, %s0: tensor<2x128xf32>) -> tensor<2x64x128xf16> {
  %q, %s = sinter.kv.quantize ins(%x : tensor<2x64x128xf16>) outs(%q0, %s0 : tensor<2x64x128xf8E4M3FN>, tensor<2x128xf32>)
      {granularity = #sinter.granularity<per_channel>} -> tensor<2x64x128xf8E4M3FN>, tensor<2x128xf32>
  %y = sinter.kv.dequantize ins(%q, %s : tensor<2x64x128xf8E4M3FN>, tensor<2x128xf32>) outs(%x : tensor<2x64x128xf16>)
      {granularity = #sinter.granularity<per_channel>} -> tensor<2x64x128xf16>
  return %y : tensor<2x64x128xf16>
}

// CHECK-LABEL: func @prune
// CHECK: sinter.kv.prune ins(%{{.*}} : tensor<64x128xf16>) outs(%{{.*}}, %{{.*}} : tensor<64x32xf16>, tensor<64x16xi8>) -> tensor<64x32xf16>, tensor<64x16xi8>
// CHECK: sinter.kv.densify ins(%{{.*}}, %{{.*}} : tensor<64x32xf16>, tensor<64x16xi8>) outs(%{{.*}} : tensor<64x128xf16>) -> tensor<64x128xf16>
func.func @prune(%x: tensor<64x128xf16>, %v0: tensor<64x32xf16>, %b0: tensor<64x16xi8>) -> tensor<64x128xf16> {
  %v, %b = sinter.kv.prune ins(%x : tensor<64x128xf16>) outs(%v0, %b0 : tensor<64x32xf16>, tensor<64x16xi8>) -> tensor<64x32xf16>, tensor<64x16xi8>
  %d = sinter.kv.densify ins(%v, %b : tensor<64x32xf16>, tensor<64x16xi8>) outs(%x : tensor<64x128xf16>) -> tensor<64x128xf16>
  return %d : tensor<64x128xf16>
}
