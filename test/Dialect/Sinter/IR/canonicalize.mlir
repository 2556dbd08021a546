// RUN: sinter-opt %s --canonicalize --split-input-file | FileCheck %s

// A window that reaches key 0 from the last query is just causal.
// CHECK-LABEL: func @window_to_causal
// CHECK: {mask = #sinter.mask<causal>}
// CHECK-NOT: window
func.func @window_to_causal(%q: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) outs(%q : tensor<1x2x8x16xf32>)
      {mask = #sinter.mask<sliding_window>, window = 8 : i64} -> tensor<1x2x8x16xf32>
  return %r : tensor<1x2x8x16xf32>
}

// -----

// One key short of reaching key 0: the window must stay.
// CHECK-LABEL: func @window_kept
// CHECK: {mask = #sinter.mask<sliding_window>, window = 7 : i64}
func.func @window_kept(%q: tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32> {
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) outs(%q : tensor<1x2x8x16xf32>)
      {mask = #sinter.mask<sliding_window>, window = 7 : i64} -> tensor<1x2x8x16xf32>
  return %r : tensor<1x2x8x16xf32>
}

// -----

// Decode step: one query at the last position sees every key.
// CHECK-LABEL: func @causal_decode
// CHECK: sinter.attention
// CHECK-NOT: mask
// CHECK-NOT: query_offset
func.func @causal_decode(%q: tensor<1x2x1x16xf32>, %k: tensor<1x2x9x16xf32>) -> tensor<1x2x1x16xf32> {
  %r = sinter.attention ins(%q, %k, %k : tensor<1x2x1x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x16xf32>) outs(%q : tensor<1x2x1x16xf32>)
      {mask = #sinter.mask<causal>, query_offset = 8 : i64} -> tensor<1x2x1x16xf32>
  return %r : tensor<1x2x1x16xf32>
}

// -----

// Prefill: causal really masks.
// CHECK-LABEL: func @causal_kept
// CHECK: {mask = #sinter.mask<causal>, query_offset = 7 : i64}
func.func @causal_kept(%q: tensor<1x2x2x16xf32>, %k: tensor<1x2x9x16xf32>) -> tensor<1x2x2x16xf32> {
  %r = sinter.attention ins(%q, %k, %k : tensor<1x2x2x16xf32>, tensor<1x2x9x16xf32>, tensor<1x2x9x16xf32>) outs(%q : tensor<1x2x2x16xf32>)
      {mask = #sinter.mask<causal>, query_offset = 7 : i64} -> tensor<1x2x2x16xf32>
  return %r : tensor<1x2x2x16xf32>
}

// -----

// Dynamic lengths: nothing is known, nothing changes.
// CHECK-LABEL: func @dynamic_kept
// CHECK: {mask = #sinter.mask<sliding_window>, window = 1000 : i64}
func.func @dynamic_kept(%q: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
  %r = sinter.attention ins(%q, %q, %q : tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>, tensor<1x2x?x16xf32>) outs(%q : tensor<1x2x?x16xf32>)
      {mask = #sinter.mask<sliding_window>, window = 1000 : i64} -> tensor<1x2x?x16xf32>
  return %r : tensor<1x2x?x16xf32>
}

// -----

// An epilogue that only rounds the accumulator is the default.
// CHECK-LABEL: func @trivial_epilogue
// CHECK: sinter.gemm {{.*}} -> tensor<4x4xbf16>
// CHECK-NOT: epilogue
func.func @trivial_epilogue(%a: tensor<4x8xbf16>, %b: tensor<8x4xbf16>, %c: tensor<4x4xbf16>) -> tensor<4x4xbf16> {
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xbf16>, tensor<8x4xbf16>) outs(%c : tensor<4x4xbf16>) {acc_type = f32} -> tensor<4x4xbf16> epilogue {
  ^bb0(%acc: f32):
    %t = arith.truncf %acc : f32 to bf16
    sinter.yield %t : bf16
  }
  return %0 : tensor<4x4xbf16>
}

// -----

// Real epilogue work stays.
// CHECK-LABEL: func @real_epilogue
// CHECK: epilogue
// CHECK: math.tanh
func.func @real_epilogue(%a: tensor<4x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %0 = sinter.gemm ins(%a, %b : tensor<4x8xf32>, tensor<8x4xf32>) outs(%c : tensor<4x4xf32>) {acc_type = f32} -> tensor<4x4xf32> epilogue {
  ^bb0(%acc: f32):
    %t = math.tanh %acc : f32
    sinter.yield %t : f32
  }
  return %0 : tensor<4x4xf32>
}

// -----

// Pruning that keeps everything round-trips to the input...
// CHECK-LABEL: func @prune_all
// CHECK-NEXT: return %arg0
func.func @prune_all(%x: tensor<4x8xf16>, %v: tensor<4x8xf16>, %b: tensor<4x1xi8>) -> tensor<4x8xf16> {
  %r:2 = sinter.kv.prune ins(%x : tensor<4x8xf16>) outs(%v, %b : tensor<4x8xf16>, tensor<4x1xi8>) -> tensor<4x8xf16>, tensor<4x1xi8>
  %d = sinter.kv.densify ins(%r#0, %r#1 : tensor<4x8xf16>, tensor<4x1xi8>) outs(%x : tensor<4x8xf16>) -> tensor<4x8xf16>
  return %d : tensor<4x8xf16>
}

// -----

// ...but real pruning does not.
// CHECK-LABEL: func @prune_some
// CHECK: sinter.kv.densify
func.func @prune_some(%x: tensor<4x8xf16>, %v: tensor<4x3xf16>, %b: tensor<4x1xi8>) -> tensor<4x8xf16> {
  %r:2 = sinter.kv.prune ins(%x : tensor<4x8xf16>) outs(%v, %b : tensor<4x3xf16>, tensor<4x1xi8>) -> tensor<4x3xf16>, tensor<4x1xi8>
  %d = sinter.kv.densify ins(%r#0, %r#1 : tensor<4x3xf16>, tensor<4x1xi8>) outs(%x : tensor<4x8xf16>) -> tensor<4x8xf16>
  return %d : tensor<4x8xf16>
}
