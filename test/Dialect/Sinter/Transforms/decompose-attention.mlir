// RUN: sinter-opt %s --sinter-decompose | FileCheck %s

// CHECK-DAG: #[[BCAST:.*]] = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>

// GQA reads K/V head h / (Hq / Hkv) through a floordiv map; the causal mask
// compares key and query positions with linalg.index; the row max guards
// fully masked rows.
// CHECK-DAG: #[[KV:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1 floordiv 4, d3, d4)>
// CHECK-LABEL: func @causal_gqa
// CHECK: %[[SCALE:.*]] = arith.constant 1.250000e-01 : f32
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KV]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.*}}, %[[SCALE]] : f32
// CHECK-DAG: linalg.index 2
// CHECK-DAG: linalg.index 3
// CHECK: arith.cmpi sle
// CHECK: arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK-NOT: sinter.
func.func @causal_gqa(%q: tensor<1x8x5x64xf16>, %k: tensor<1x2x7x64xf16>, %o: tensor<1x8x5x64xf16>, %l: tensor<1x8x5xf32>)
    -> (tensor<1x8x5x64xf16>, tensor<1x8x5xf32>) {
  %r:2 = sinter.attention ins(%q, %k, %k : tensor<1x8x5x64xf16>, tensor<1x2x7x64xf16>, tensor<1x2x7x64xf16>)
      outs(%o, %l : tensor<1x8x5x64xf16>, tensor<1x8x5xf32>) {mask = #sinter.mask<causal>, query_offset = 2 : i64}
      -> tensor<1x8x5x64xf16>, tensor<1x8x5xf32>
  return %r#0, %r#1 : tensor<1x8x5x64xf16>, tensor<1x8x5xf32>
}

// Softcap is a tanh; the bias broadcasts size-1 dims through constant map results.
// CHECK-LABEL: func @softcap_bias
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BCAST]], #{{.*}}]
// CHECK: math.tanh
// CHECK-NOT: arith.cmpi sle
func.func @softcap_bias(%q: tensor<2x2x3x4xf32>, %b: tensor<1x1x3x3xf32>, %o: tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32> {
  %r = sinter.attention ins(%q, %q, %q : tensor<2x2x3x4xf32>, tensor<2x2x3x4xf32>, tensor<2x2x3x4xf32>) bias(%b : tensor<1x1x3x3xf32>)
      outs(%o : tensor<2x2x3x4xf32>) {softcap = 30.0 : f32} -> tensor<2x2x3x4xf32>
  return %r : tensor<2x2x3x4xf32>
}

// Paged attention gathers K and V through the block table, then masks keys
// past each sequence's length.
// CHECK-LABEL: func @paged
// CHECK-COUNT-2: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<2x3xi32>
// CHECK: arith.cmpi slt
// CHECK-NOT: sinter.
func.func @paged(%q: tensor<2x4x1x8xf32>, %kc: tensor<6x4x2x8xf32>, %bt: tensor<2x3xi32>, %lens: tensor<2xi32>, %o: tensor<2x4x1x8xf32>) -> tensor<2x4x1x8xf32> {
  %r = sinter.paged_attention ins(%q, %kc, %kc, %bt, %lens : tensor<2x4x1x8xf32>, tensor<6x4x2x8xf32>, tensor<6x4x2x8xf32>, tensor<2x3xi32>, tensor<2xi32>)
      outs(%o : tensor<2x4x1x8xf32>) -> tensor<2x4x1x8xf32>
  return %r : tensor<2x4x1x8xf32>
}
