// RUN: sinter-opt %s --sinter-raise --split-input-file | FileCheck %s

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// Causal GQA attention spelled with batch_matmuls, an explicit K transpose,
// a scale+mask generic, a linalg softmax, and K/V heads repeated with
// broadcast + collapse_shape.
// CHECK-LABEL: func @causal_gqa
// CHECK-DAG: %[[Q:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1], [2], [3]] output_shape [1, 4, 5, 8] : tensor<4x5x8xf32> into tensor<1x4x5x8xf32>
// CHECK-DAG: %[[K:.*]] = tensor.expand_shape %arg1 {{.*}} into tensor<1x2x5x8xf32>
// CHECK-DAG: %[[V:.*]] = tensor.expand_shape %arg2 {{.*}} into tensor<1x2x5x8xf32>
// CHECK: %[[O:.*]] = sinter.attention ins(%[[Q]], %[[K]], %[[V]] : tensor<1x4x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>)
// CHECK-SAME: {mask = #sinter.mask<causal>, scale = 0.353553385 : f32}
// CHECK: tensor.collapse_shape %[[O]] {{.*}} into tensor<4x5x8xf32>
// CHECK-NOT: sinter.gemm
// CHECK-NOT: sinter.softmax
func.func @causal_gqa(%q: tensor<4x5x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x8xf32>) -> tensor<4x5x8xf32> {
  %zero = arith.constant 0.0 : f32
  %eb = tensor.empty() : tensor<2x2x5x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x5x8xf32>) outs(%eb : tensor<2x2x5x8xf32>) dimensions = [1]
  %vb = linalg.broadcast ins(%v : tensor<2x5x8xf32>) outs(%eb : tensor<2x2x5x8xf32>) dimensions = [1]
  %kr = tensor.collapse_shape %kb [[0, 1], [2], [3]] : tensor<2x2x5x8xf32> into tensor<4x5x8xf32>
  %vr = tensor.collapse_shape %vb [[0, 1], [2], [3]] : tensor<2x2x5x8xf32> into tensor<4x5x8xf32>
  %ekt = tensor.empty() : tensor<4x8x5xf32>
  %kt = linalg.transpose ins(%kr : tensor<4x5x8xf32>) outs(%ekt : tensor<4x8x5xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<4x5x5xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<4x5x5xf32>) -> tensor<4x5x5xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<4x5x8xf32>, tensor<4x8x5xf32>) outs(%zs : tensor<4x5x5xf32>) -> tensor<4x5x5xf32>
  %m = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<4x5x5xf32>) outs(%es : tensor<4x5x5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %scale = arith.constant 0.353553385 : f32
    %ninf = arith.constant 0xFF800000 : f32
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %keep = arith.cmpi ule, %j, %i : index
    %sv = arith.mulf %x, %scale : f32
    %r = arith.select %keep, %sv, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<4x5x5xf32>
  %p = linalg.softmax dimension(2) ins(%m : tensor<4x5x5xf32>) outs(%es : tensor<4x5x5xf32>) -> tensor<4x5x5xf32>
  %eo = tensor.empty() : tensor<4x5x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  %o = linalg.batch_matmul ins(%p, %vr : tensor<4x5x5xf32>, tensor<4x5x8xf32>) outs(%zo : tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
  return %o : tensor<4x5x8xf32>
}

// -----

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A sliding window with a query offset (queries are the last 3 of 7 keys),
// in [B, H, S, D] layout with K given transposed through the matmul maps.
// CHECK-LABEL: func @sliding_window
// CHECK: sinter.attention ins(%arg0, %arg1, %arg2 : tensor<2x2x3x4xf32>, tensor<2x2x7x4xf32>, tensor<2x2x7x4xf32>)
// CHECK-SAME: mask = #sinter.mask<sliding_window>
// CHECK-SAME: query_offset = 4
// CHECK-SAME: scale = 5.000000e-01
// CHECK-SAME: window = 3
func.func @sliding_window(%q: tensor<2x2x3x4xf32>, %k: tensor<2x2x7x4xf32>, %v: tensor<2x2x7x4xf32>) -> tensor<2x2x3x4xf32> {
  %zero = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<2x2x3x7xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x2x3x7xf32>) -> tensor<2x2x3x7xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, i, j, d) -> (b, h, i, d)>, affine_map<(b, h, i, j, d) -> (b, h, j, d)>, affine_map<(b, h, i, j, d) -> (b, h, i, j)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x2x3x4xf32>, tensor<2x2x7x4xf32>) outs(%zs : tensor<2x2x3x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<2x2x3x7xf32>
  %m = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x2x3x7xf32>) outs(%es : tensor<2x2x3x7xf32>) {
  ^bb0(%x: f32, %o: f32):
    %c4 = arith.constant 4 : index
    %c3 = arith.constant 3 : index
    %half = arith.constant 0.5 : f32
    %ninf = arith.constant -1.0e+30 : f32
    %i = linalg.index 2 : index
    %j = linalg.index 3 : index
    %pos = arith.addi %i, %c4 : index
    %le = arith.cmpi sle, %j, %pos : index
    %jw = arith.addi %j, %c3 : index
    %gt = arith.cmpi sgt, %jw, %pos : index
    %vis = arith.andi %le, %gt : i1
    %sv = arith.mulf %x, %half : f32
    %r = arith.select %vis, %sv, %ninf : f32
    linalg.yield %r : f32
  } -> tensor<2x2x3x7xf32>
  %p = linalg.softmax dimension(3) ins(%m : tensor<2x2x3x7xf32>) outs(%es : tensor<2x2x3x7xf32>) -> tensor<2x2x3x7xf32>
  %eo = tensor.empty() : tensor<2x2x3x4xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x2x3x4xf32>) -> tensor<2x2x3x4xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, i, d, j) -> (b, h, i, j)>, affine_map<(b, h, i, d, j) -> (b, h, j, d)>, affine_map<(b, h, i, d, j) -> (b, h, i, d)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x2x3x7xf32>, tensor<2x2x7x4xf32>) outs(%zo : tensor<2x2x3x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %pr = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %pr : f32
    linalg.yield %r : f32
  } -> tensor<2x2x3x4xf32>
  return %o : tensor<2x2x3x4xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// Left alone: the probabilities are also returned, so the softmax and both
// GEMMs stay (raised individually).
// CHECK-LABEL: func @probs_used
// CHECK-NOT: sinter.attention
// CHECK: sinter.softmax
// CHECK: sinter.gemm
func.func @probs_used(%q: tensor<2x5x8xf32>, %kt: tensor<2x8x5xf32>, %v: tensor<2x5x8xf32>) -> (tensor<2x5x8xf32>, tensor<2x5x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %es = tensor.empty() : tensor<2x5x5xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%zs : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x5x5xf32>) outs(%es : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %eo = tensor.empty() : tensor<2x5x8xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%zo : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %o, %p : tensor<2x5x8xf32>, tensor<2x5x5xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// Logit softcapping (Gemma 2 style: cap * tanh(scale * s / cap)) without a
// mask folds into the attention op.
// CHECK-LABEL: func @softcap
// CHECK: sinter.attention
// CHECK-SAME: scale = 2.500000e-01
// CHECK-SAME: softcap = 3.000000e+01
func.func @softcap(%q: tensor<2x5x16xf32>, %kt: tensor<2x16x5xf32>, %v: tensor<2x5x16xf32>) -> tensor<2x5x16xf32> {
  %zero = arith.constant 0.0 : f32
  %ek = tensor.empty() : tensor<2x5x16xf32>
  %k = linalg.transpose ins(%kt : tensor<2x16x5xf32>) outs(%ek : tensor<2x5x16xf32>) permutation = [0, 2, 1]
  %ekt = tensor.empty() : tensor<2x16x5xf32>
  %k2 = linalg.transpose ins(%k : tensor<2x5x16xf32>) outs(%ekt : tensor<2x16x5xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x5x5xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = linalg.batch_matmul ins(%q, %k2 : tensor<2x5x16xf32>, tensor<2x16x5xf32>) outs(%zs : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %m = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x5x5xf32>) outs(%es : tensor<2x5x5xf32>) {
  ^bb0(%x: f32, %o: f32):
    %scale = arith.constant 0.25 : f32
    %cap = arith.constant 30.0 : f32
    %sx = arith.mulf %x, %scale : f32
    %d = arith.divf %sx, %cap : f32
    %t = math.tanh %d : f32
    %r = arith.mulf %t, %cap : f32
    linalg.yield %r : f32
  } -> tensor<2x5x5xf32>
  %p = linalg.softmax dimension(2) ins(%m : tensor<2x5x5xf32>) outs(%es : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %eo = tensor.empty() : tensor<2x5x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x5x5xf32>, tensor<2x5x16xf32>) outs(%zo : tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
  return %o : tensor<2x5x16xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// Heads split from token-major projections ([S, H, D] -> [H, S, D]) are read
// in that layout: the attention op takes the untransposed operands with
// layout = bshd and its result is transposed back for the existing users.
// CHECK-LABEL: func @token_major
// CHECK: %[[Q:.*]] = tensor.expand_shape %arg0 {{.*}} into tensor<1x5x2x8xf32>
// CHECK: sinter.attention ins(%[[Q]], {{.*}} : tensor<1x5x2x8xf32>, tensor<1x5x2x8xf32>, tensor<1x5x2x8xf32>)
// CHECK-SAME: layout = #sinter.layout<bshd>
// CHECK: linalg.transpose {{.*}} permutation = [1, 0, 2]
func.func @token_major(%qs: tensor<5x2x8xf32>, %ks: tensor<5x2x8xf32>, %vs: tensor<5x2x8xf32>) -> tensor<2x5x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x5x8xf32>
  %q = linalg.transpose ins(%qs : tensor<5x2x8xf32>) outs(%e : tensor<2x5x8xf32>) permutation = [1, 0, 2]
  %k = linalg.transpose ins(%ks : tensor<5x2x8xf32>) outs(%e : tensor<2x5x8xf32>) permutation = [1, 0, 2]
  %v = linalg.transpose ins(%vs : tensor<5x2x8xf32>) outs(%e : tensor<2x5x8xf32>) permutation = [1, 0, 2]
  %ekt = tensor.empty() : tensor<2x8x5xf32>
  %kt = linalg.transpose ins(%k : tensor<2x5x8xf32>) outs(%ekt : tensor<2x8x5xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<2x5x5xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x5x8xf32>, tensor<2x8x5xf32>) outs(%zs : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x5x5xf32>) outs(%es : tensor<2x5x5xf32>) -> tensor<2x5x5xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%e : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x5x5xf32>, tensor<2x5x8xf32>) outs(%zo : tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
  return %o : tensor<2x5x8xf32>
}

// -----

// torch's multi-head attention as ONNX exports it: q, k, v token-major
// [S, B*H, D]; q is scaled by 1 / sqrt(D) before Q K^T (the factor joins
// the attention's scale) and K comes in through one transpose that is both
// the head transpose and K^T (perm [1, 2, 0]: its last-two swap folds into
// the GEMM, what is left reads K token-major).
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @torch_mha
// CHECK: sinter.attention ins({{.*}} : tensor<1x7x4x8xf32>, tensor<1x7x4x8xf32>, tensor<1x7x4x8xf32>)
// CHECK-SAME: layout = #sinter.layout<bshd>, scale = 0.353553{{[0-9]*}} : f32
// CHECK-NOT: sinter.gemm
// CHECK-NOT: arith.divf
func.func @torch_mha(%q: tensor<7x4x8xf32>, %k: tensor<7x4x8xf32>, %v: tensor<7x4x8xf32>) -> tensor<4x7x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x7x8xf32>
  %qt = linalg.transpose ins(%q : tensor<7x4x8xf32>) outs(%e : tensor<4x7x8xf32>) permutation = [1, 0, 2]
  %vt = linalg.transpose ins(%v : tensor<7x4x8xf32>) outs(%e : tensor<4x7x8xf32>) permutation = [1, 0, 2]
  %qs = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%qt : tensor<4x7x8xf32>) outs(%e : tensor<4x7x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %c = arith.constant 2.82842708 : f32
    %y = arith.divf %x, %c : f32
    linalg.yield %y : f32
  } -> tensor<4x7x8xf32>
  %ekt = tensor.empty() : tensor<4x8x7xf32>
  %kt = linalg.transpose ins(%k : tensor<7x4x8xf32>) outs(%ekt : tensor<4x8x7xf32>) permutation = [1, 2, 0]
  %es = tensor.empty() : tensor<4x7x7xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<4x7x7xf32>) -> tensor<4x7x7xf32>
  %s = linalg.batch_matmul ins(%qs, %kt : tensor<4x7x8xf32>, tensor<4x8x7xf32>) outs(%zs : tensor<4x7x7xf32>) -> tensor<4x7x7xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<4x7x7xf32>) outs(%es : tensor<4x7x7xf32>) -> tensor<4x7x7xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%e : tensor<4x7x8xf32>) -> tensor<4x7x8xf32>
  %o = linalg.batch_matmul ins(%p, %vt : tensor<4x7x7xf32>, tensor<4x7x8xf32>) outs(%zo : tensor<4x7x8xf32>) -> tensor<4x7x8xf32>
  return %o : tensor<4x7x8xf32>
}

// -----

// A q pre-scale that is not a constant factor (x * x) stays outside.
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func @q_squared
// CHECK: linalg.generic
// CHECK: sinter.attention {{.*}}scale = 1.000000e+00
func.func @q_squared(%q: tensor<4x7x8xf32>, %k: tensor<4x7x8xf32>, %v: tensor<4x7x8xf32>) -> tensor<4x7x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x7x8xf32>
  %qs = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%q : tensor<4x7x8xf32>) outs(%e : tensor<4x7x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %x : f32
    linalg.yield %y : f32
  } -> tensor<4x7x8xf32>
  %ekt = tensor.empty() : tensor<4x8x7xf32>
  %kt = linalg.transpose ins(%k : tensor<4x7x8xf32>) outs(%ekt : tensor<4x8x7xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<4x7x7xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<4x7x7xf32>) -> tensor<4x7x7xf32>
  %s = linalg.batch_matmul ins(%qs, %kt : tensor<4x7x8xf32>, tensor<4x8x7xf32>) outs(%zs : tensor<4x7x7xf32>) -> tensor<4x7x7xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<4x7x7xf32>) outs(%es : tensor<4x7x7xf32>) -> tensor<4x7x7xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%e : tensor<4x7x8xf32>) -> tensor<4x7x8xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<4x7x7xf32>, tensor<4x7x8xf32>) outs(%zo : tensor<4x7x8xf32>) -> tensor<4x7x8xf32>
  return %o : tensor<4x7x8xf32>
}

// -----

// GQA as torch exports repeat_interleave: each K/V head sliced out,
// broadcast to its G = 2 copies (a copying generic), collapsed and
// concatenated with insert_slices; the attention reads the 2 K/V heads.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#b5i = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#b5o = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @repeat_interleave_gqa
// CHECK: sinter.attention ins(%arg0, %arg1, %arg2 : tensor<1x4x5x8xf32>, tensor<1x2x5x8xf32>, tensor<1x2x5x8xf32>)
// CHECK-NOT: tensor.insert_slice
func.func @repeat_interleave_gqa(%q: tensor<1x4x5x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x4x5x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e5 = tensor.empty() : tensor<1x1x2x5x8xf32>
  %e4 = tensor.empty() : tensor<1x4x5x8xf32>
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %k1 = tensor.extract_slice %k[0, 1, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %kb0 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k0 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %kb1 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k1 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %kc0 = tensor.collapse_shape %kb0 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %kc1 = tensor.collapse_shape %kb1 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %kr0 = tensor.insert_slice %kc0 into %e4[0, 0, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %kr = tensor.insert_slice %kc1 into %kr0[0, 2, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %v1 = tensor.extract_slice %v[0, 1, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %vb0 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v0 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %vb1 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v1 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %vc0 = tensor.collapse_shape %vb0 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %vc1 = tensor.collapse_shape %vb1 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %vr0 = tensor.insert_slice %vc0 into %e4[0, 0, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %vr = tensor.insert_slice %vc1 into %vr0[0, 2, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %ekt = tensor.empty() : tensor<1x4x8x5xf32>
  %kt = linalg.transpose ins(%kr : tensor<1x4x5x8xf32>) outs(%ekt : tensor<1x4x8x5xf32>) permutation = [0, 1, 3, 2]
  %es = tensor.empty() : tensor<1x4x5x5xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, m, n, k) -> (b, h, m, k)>, affine_map<(b, h, m, n, k) -> (b, h, k, n)>, affine_map<(b, h, m, n, k) -> (b, h, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kt : tensor<1x4x5x8xf32>, tensor<1x4x8x5xf32>) outs(%zs : tensor<1x4x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %t = arith.addf %o, %p : f32
    linalg.yield %t : f32
  } -> tensor<1x4x5x5xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<1x4x5x5xf32>) outs(%es : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, m, n, k) -> (b, h, m, k)>, affine_map<(b, h, m, n, k) -> (b, h, k, n)>, affine_map<(b, h, m, n, k) -> (b, h, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %vr : tensor<1x4x5x5xf32>, tensor<1x4x5x8xf32>) outs(%zo : tensor<1x4x5x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o2: f32):
    %pr = arith.mulf %a, %b : f32
    %t = arith.addf %o2, %pr : f32
    linalg.yield %t : f32
  } -> tensor<1x4x5x8xf32>
  return %o : tensor<1x4x5x8xf32>
}

// -----

// Left alone: K's per-head copies are concatenated in the wrong order
// (head 1 first), which is not a repeat of K's heads, so neither is it
// the same repeat as V's: no attention.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#b5i = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
#b5o = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @repeat_interleave_swapped
// CHECK-NOT: sinter.attention
func.func @repeat_interleave_swapped(%q: tensor<1x4x5x8xf32>, %k: tensor<1x2x5x8xf32>, %v: tensor<1x2x5x8xf32>) -> tensor<1x4x5x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e5 = tensor.empty() : tensor<1x1x2x5x8xf32>
  %e4 = tensor.empty() : tensor<1x4x5x8xf32>
  %k0 = tensor.extract_slice %k[0, 0, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %k1 = tensor.extract_slice %k[0, 1, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %kb0 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k0 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %kb1 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%k1 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %kc0 = tensor.collapse_shape %kb0 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %kc1 = tensor.collapse_shape %kb1 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %kr0 = tensor.insert_slice %kc1 into %e4[0, 0, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %kr = tensor.insert_slice %kc0 into %kr0[0, 2, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %v0 = tensor.extract_slice %v[0, 0, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %v1 = tensor.extract_slice %v[0, 1, 0, 0] [1, 1, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> to tensor<1x1x5x8xf32>
  %vb0 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v0 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %vb1 = linalg.generic {indexing_maps = [#b5i, #b5o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%v1 : tensor<1x1x5x8xf32>) outs(%e5 : tensor<1x1x2x5x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<1x1x2x5x8xf32>
  %vc0 = tensor.collapse_shape %vb0 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %vc1 = tensor.collapse_shape %vb1 [[0], [1, 2], [3], [4]] : tensor<1x1x2x5x8xf32> into tensor<1x2x5x8xf32>
  %vr0 = tensor.insert_slice %vc0 into %e4[0, 0, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %vr = tensor.insert_slice %vc1 into %vr0[0, 2, 0, 0] [1, 2, 5, 8] [1, 1, 1, 1] : tensor<1x2x5x8xf32> into tensor<1x4x5x8xf32>
  %ekt = tensor.empty() : tensor<1x4x8x5xf32>
  %kt = linalg.transpose ins(%kr : tensor<1x4x5x8xf32>) outs(%ekt : tensor<1x4x8x5xf32>) permutation = [0, 1, 3, 2]
  %es = tensor.empty() : tensor<1x4x5x5xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(b, h, m, n, k) -> (b, h, m, k)>, affine_map<(b, h, m, n, k) -> (b, h, k, n)>, affine_map<(b, h, m, n, k) -> (b, h, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kt : tensor<1x4x5x8xf32>, tensor<1x4x8x5xf32>) outs(%zs : tensor<1x4x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %t = arith.addf %o, %p : f32
    linalg.yield %t : f32
  } -> tensor<1x4x5x5xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<1x4x5x5xf32>) outs(%es : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x5x8xf32>) -> tensor<1x4x5x8xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(b, h, m, n, k) -> (b, h, m, k)>, affine_map<(b, h, m, n, k) -> (b, h, k, n)>, affine_map<(b, h, m, n, k) -> (b, h, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %vr : tensor<1x4x5x5xf32>, tensor<1x4x5x8xf32>) outs(%zo : tensor<1x4x5x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o2: f32):
    %pr = arith.mulf %a, %b : f32
    %t = arith.addf %o2, %pr : f32
    linalg.yield %t : f32
  } -> tensor<1x4x5x8xf32>
  return %o : tensor<1x4x5x8xf32>
}

// -----

// An additive bias with no structure (a runtime [Sq, Skv] argument, shared
// by the batch and the heads) becomes the attention's bias operand, laid
// out as [1, 1, Sq, Skv]; the scores' scale stays the attention's.
// CHECK-LABEL: func @runtime_bias
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%arg3 : tensor<16x16xf32>) outs(%{{.*}} : tensor<1x1x16x16xf32>)
// CHECK: sinter.attention ins(%arg0, %arg1, %arg2 : {{.*}}) bias(%[[B]] : tensor<1x1x16x16xf32>) outs(%{{.*}}) {scale = 2.500000e-01 : f32}
// CHECK-NOT: sinter.softmax
#s4 = affine_map<(b, h, i, j) -> (b, h, i, j)>
#m4 = affine_map<(b, h, i, j) -> (i, j)>
func.func @runtime_bias(%q: tensor<2x4x16x16xf32>, %k: tensor<2x4x16x16xf32>, %v: tensor<2x4x16x16xf32>,
                        %bias: tensor<16x16xf32>) -> tensor<2x4x16x16xf32> {
  %e = tensor.empty() : tensor<2x4x16x16xf32>
  %s = sinter.gemm ins(%q, %k : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) outs(%e : tensor<2x4x16x16xf32>) {acc_type = f32, transpose_b} -> tensor<2x4x16x16xf32>
  %e2 = tensor.empty() : tensor<2x4x16x16xf32>
  %m = linalg.generic {indexing_maps = [#s4, #m4, #s4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %bias : tensor<2x4x16x16xf32>, tensor<16x16xf32>) outs(%e2 : tensor<2x4x16x16xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %c = arith.constant 0.25 : f32
    %y = arith.mulf %x, %c : f32
    %z = arith.addf %y, %b : f32
    linalg.yield %z : f32
  } -> tensor<2x4x16x16xf32>
  %e3 = tensor.empty() : tensor<2x4x16x16xf32>
  %p = sinter.softmax ins(%m : tensor<2x4x16x16xf32>) outs(%e3 : tensor<2x4x16x16xf32>) {dim = 3 : i64} -> tensor<2x4x16x16xf32>
  %e4 = tensor.empty() : tensor<2x4x16x16xf32>
  %o = sinter.gemm ins(%p, %v : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) outs(%e4 : tensor<2x4x16x16xf32>) {acc_type = f32} -> tensor<2x4x16x16xf32>
  return %o : tensor<2x4x16x16xf32>
}

// -----

// Left alone: the second operand multiplies the scores (not a bias).
// CHECK-LABEL: func @scores_times_operand
// CHECK-NOT: sinter.attention
// CHECK: sinter.softmax
func.func @scores_times_operand(%q: tensor<2x4x16x16xf32>, %k: tensor<2x4x16x16xf32>, %v: tensor<2x4x16x16xf32>,
                                %w: tensor<16x16xf32>) -> tensor<2x4x16x16xf32> {
  %e = tensor.empty() : tensor<2x4x16x16xf32>
  %s = sinter.gemm ins(%q, %k : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) outs(%e : tensor<2x4x16x16xf32>) {acc_type = f32, transpose_b} -> tensor<2x4x16x16xf32>
  %e2 = tensor.empty() : tensor<2x4x16x16xf32>
  %m = linalg.generic {indexing_maps = [affine_map<(b, h, i, j) -> (b, h, i, j)>, affine_map<(b, h, i, j) -> (i, j)>, affine_map<(b, h, i, j) -> (b, h, i, j)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %w : tensor<2x4x16x16xf32>, tensor<16x16xf32>) outs(%e2 : tensor<2x4x16x16xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %z = arith.mulf %x, %b : f32
    linalg.yield %z : f32
  } -> tensor<2x4x16x16xf32>
  %e3 = tensor.empty() : tensor<2x4x16x16xf32>
  %p = sinter.softmax ins(%m : tensor<2x4x16x16xf32>) outs(%e3 : tensor<2x4x16x16xf32>) {dim = 3 : i64} -> tensor<2x4x16x16xf32>
  %e4 = tensor.empty() : tensor<2x4x16x16xf32>
  %o = sinter.gemm ins(%p, %v : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) outs(%e4 : tensor<2x4x16x16xf32>) {acc_type = f32} -> tensor<2x4x16x16xf32>
  return %o : tensor<2x4x16x16xf32>
}

// -----

// A key-padding mask ([B, Skv], BERT's) stays one row per sequence: the
// bias is [B, 1, 1, Skv], not a [B, H, Sq, Skv] tensor.
// CHECK-LABEL: func @key_padding
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%arg3 : tensor<2x16xf32>) outs(%{{.*}} : tensor<2x1x1x16xf32>)
// CHECK: sinter.attention {{.*}} bias(%[[B]] : tensor<2x1x1x16xf32>)
#s4p = affine_map<(b, h, i, j) -> (b, h, i, j)>
#kp = affine_map<(b, h, i, j) -> (b, j)>
func.func @key_padding(%q: tensor<2x4x16x16xf32>, %k: tensor<2x4x16x16xf32>, %v: tensor<2x4x16x16xf32>,
                       %pad: tensor<2x16xf32>) -> tensor<2x4x16x16xf32> {
  %e = tensor.empty() : tensor<2x4x16x16xf32>
  %s = sinter.gemm ins(%q, %k : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) outs(%e : tensor<2x4x16x16xf32>) {acc_type = f32, transpose_b} -> tensor<2x4x16x16xf32>
  %e2 = tensor.empty() : tensor<2x4x16x16xf32>
  %m = linalg.generic {indexing_maps = [#s4p, #kp, #s4p], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %pad : tensor<2x4x16x16xf32>, tensor<2x16xf32>) outs(%e2 : tensor<2x4x16x16xf32>) {
  ^bb0(%x: f32, %b: f32, %o: f32):
    %z = arith.addf %x, %b : f32
    linalg.yield %z : f32
  } -> tensor<2x4x16x16xf32>
  %e3 = tensor.empty() : tensor<2x4x16x16xf32>
  %p = sinter.softmax ins(%m : tensor<2x4x16x16xf32>) outs(%e3 : tensor<2x4x16x16xf32>) {dim = 3 : i64} -> tensor<2x4x16x16xf32>
  %e4 = tensor.empty() : tensor<2x4x16x16xf32>
  %o = sinter.gemm ins(%p, %v : tensor<2x4x16x16xf32>, tensor<2x4x16x16xf32>) outs(%e4 : tensor<2x4x16x16xf32>) {acc_type = f32} -> tensor<2x4x16x16xf32>
  return %o : tensor<2x4x16x16xf32>
}
