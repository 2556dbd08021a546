// RUN: sinter-opt %s -split-input-file -verify-diagnostics

func.func @budget(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{sinks (4) + window (6) exceed the capacity C (8)}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<sink_window>, sinks = 4 : i64, window = 6 : i64}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @needs_scores(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{the heavy_hitter policy needs per-token scores}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<heavy_hitter>}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @unused_scores(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %s: tensor<1x2x64xf32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{the sink_window policy does not use scores}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>) scores(%s : tensor<1x2x64xf32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<sink_window>}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @retention_attrs(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %s: tensor<1x2x64xf32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{'decay' and 'threshold' are required by, and only valid with, the retention policy}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>) scores(%s : tensor<1x2x64xf32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<retention>, decay = 0.9 : f32}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @decay_range(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %s: tensor<1x2x64xf32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{decay must be in (0, 1], got 1.5}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>) scores(%s : tensor<1x2x64xf32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<retention>, decay = 1.5 : f32, threshold = 0.1 : f32}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @scores_shape(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %s: tensor<1x2x63xf32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{scores has shape [1, 2, 63] but expected [1, 2, 64] (dimension 2 differs)}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>) scores(%s : tensor<1x2x63xf32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<heavy_hitter>}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @kept_shape(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x9xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{kept positions has shape [1, 2, 9] but expected [1, 2, 8] (dimension 2 differs)}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x9xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<sink_window>}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x9xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @negative(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{sinks and window must be non-negative}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<sink_window>, window = -2 : i64}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}

// -----

func.func @overflow(%k: tensor<1x2x64x16xf32>, %l: tensor<1xi32>, %k0: tensor<1x2x8x16xf32>, %p: tensor<1x2x8xi32>, %n: tensor<1x2xi32>) {
  // expected-error @+1 {{sinks (9223372036854775807) + window (5) exceed the capacity C (8)}}
  %r:4 = sinter.kv.evict ins(%k, %k, %l : tensor<1x2x64x16xf32>, tensor<1x2x64x16xf32>, tensor<1xi32>)
      outs(%k0, %k0, %p, %n : tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>)
      {policy = #sinter.evict_policy<sink_window>, sinks = 9223372036854775807 : i64, window = 5 : i64}
      -> tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8xi32>, tensor<1x2xi32>
  return
}
