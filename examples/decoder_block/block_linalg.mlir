// The decoder block of block_sinter.mlir written in plain linalg / tosa /
// arith / math on tensors, the way a framework exporter spells it: named
// matmuls, explicit transposes, GQA by repeating K/V heads, a max-subtracted
// softmax, x * sigmoid(x) for SiLU, tosa adds for the residuals.
//
// Shapes: 37 tokens, hidden 64, 4 query heads and 2 K/V heads of size 16,
// MLP 96, f32.

!x = tensor<37x64xf32>
!w = tensor<64x64xf32>
!wkv = tensor<64x32xf32>
!wup = tensor<64x96xf32>
!wdn = tensor<96x64xf32>
!g = tensor<64xf32>
!rot = tensor<37x8xf32>

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#rows3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#rot3 = affine_map<(d0, d1, d2) -> (d1, d2)>

// y = x / sqrt(mean(x^2) + 1e-5) * g
func.func private @rms_norm(%x: !x, %g: !g) -> !x {
  %zero = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<37xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<37xf32>) -> tensor<37xf32>
  %ss = linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : !x) outs(%acc : tensor<37xf32>) {
  ^bb0(%v: f32, %a: f32):
    %sq = arith.mulf %v, %v : f32
    %s = arith.addf %a, %sq : f32
    linalg.yield %s : f32
  } -> tensor<37xf32>
  %e = tensor.empty() : !x
  %y = linalg.generic {indexing_maps = [#id2, #row, #col, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %ss, %g : !x, tensor<37xf32>, !g) outs(%e : !x) {
  ^bb0(%v: f32, %s: f32, %gv: f32, %o: f32):
    %n = arith.constant 64.0 : f32
    %eps = arith.constant 1.0e-05 : f32
    %mean = arith.divf %s, %n : f32
    %d = arith.addf %mean, %eps : f32
    %r = math.rsqrt %d : f32
    %t = arith.mulf %v, %r : f32
    %u = arith.mulf %t, %gv : f32
    linalg.yield %u : f32
  } -> !x
  return %y : !x
}

// Rotate-half RoPE on [H, 37, 16]: (x1, x2) -> (x1 c - x2 s, x2 c + x1 s).
func.func private @rope(%x: tensor<?x37x16xf32>, %cos: !rot, %sin: !rot) -> tensor<?x37x16xf32> {
  %c0 = arith.constant 0 : index
  %h = tensor.dim %x, %c0 : tensor<?x37x16xf32>
  %x1 = tensor.extract_slice %x[0, 0, 0] [%h, 37, 8] [1, 1, 1] : tensor<?x37x16xf32> to tensor<?x37x8xf32>
  %x2 = tensor.extract_slice %x[0, 0, 8] [%h, 37, 8] [1, 1, 1] : tensor<?x37x16xf32> to tensor<?x37x8xf32>
  %e = tensor.empty(%h) : tensor<?x37x8xf32>
  %y1, %y2 = linalg.generic {indexing_maps = [#id3, #id3, #rot3, #rot3, #id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x1, %x2, %cos, %sin : tensor<?x37x8xf32>, tensor<?x37x8xf32>, !rot, !rot) outs(%e, %e : tensor<?x37x8xf32>, tensor<?x37x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %s: f32, %o1: f32, %o2: f32):
    %ac = arith.mulf %a, %c : f32
    %bs = arith.mulf %b, %s : f32
    %bc = arith.mulf %b, %c : f32
    %as = arith.mulf %a, %s : f32
    %r1 = arith.subf %ac, %bs : f32
    %r2 = arith.addf %bc, %as : f32
    linalg.yield %r1, %r2 : f32, f32
  } -> (tensor<?x37x8xf32>, tensor<?x37x8xf32>)
  %ef = tensor.empty(%h) : tensor<?x37x16xf32>
  %p = tensor.insert_slice %y1 into %ef[0, 0, 0] [%h, 37, 8] [1, 1, 1] : tensor<?x37x8xf32> into tensor<?x37x16xf32>
  %y = tensor.insert_slice %y2 into %p[0, 0, 8] [%h, 37, 8] [1, 1, 1] : tensor<?x37x8xf32> into tensor<?x37x16xf32>
  return %y : tensor<?x37x16xf32>
}

func.func private @matmul(%a: !x, %b: !w) -> !x {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : !x
  %z = linalg.fill ins(%zero : f32) outs(%e : !x) -> !x
  %c = linalg.matmul ins(%a, %b : !x, !w) outs(%z : !x) -> !x
  return %c : !x
}

// [37, heads*16] -> [heads, 37, 16]
func.func private @split_heads(%t: tensor<37x?xf32>, %heads: index) -> tensor<?x37x16xf32> {
  %s = tensor.expand_shape %t [[0], [1, 2]] output_shape [37, %heads, 16] : tensor<37x?xf32> into tensor<37x?x16xf32>
  %e = tensor.empty(%heads) : tensor<?x37x16xf32>
  %r = linalg.transpose ins(%s : tensor<37x?x16xf32>) outs(%e : tensor<?x37x16xf32>) permutation = [1, 0, 2]
  return %r : tensor<?x37x16xf32>
}

func.func @decoder_block(%x: !x, %attn_norm: !g {sinter.weight}, %wq: !w {sinter.weight},
                         %wk: !wkv {sinter.weight}, %wv: !wkv {sinter.weight}, %wo: !w {sinter.weight},
                         %mlp_norm: !g {sinter.weight}, %wgate: !wup {sinter.weight},
                         %wup: !wup {sinter.weight}, %wdown: !wdn {sinter.weight},
                         %cos: !rot {sinter.weight}, %sin: !rot {sinter.weight}) -> !x {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %xn = call @rms_norm(%x, %attn_norm) : (!x, !g) -> !x

  %q0 = call @matmul(%xn, %wq) : (!x, !w) -> !x
  %ekv = tensor.empty() : tensor<37x32xf32>
  %zkv = linalg.fill ins(%zero : f32) outs(%ekv : tensor<37x32xf32>) -> tensor<37x32xf32>
  %k0 = linalg.matmul ins(%xn, %wk : !x, !wkv) outs(%zkv : tensor<37x32xf32>) -> tensor<37x32xf32>
  %v0 = linalg.matmul ins(%xn, %wv : !x, !wkv) outs(%zkv : tensor<37x32xf32>) -> tensor<37x32xf32>
  %q0d = tensor.cast %q0 : !x to tensor<37x?xf32>
  %k0d = tensor.cast %k0 : tensor<37x32xf32> to tensor<37x?xf32>
  %v0d = tensor.cast %v0 : tensor<37x32xf32> to tensor<37x?xf32>
  %q1 = call @split_heads(%q0d, %c4) : (tensor<37x?xf32>, index) -> tensor<?x37x16xf32>
  %k1 = call @split_heads(%k0d, %c2) : (tensor<37x?xf32>, index) -> tensor<?x37x16xf32>
  %v1 = call @split_heads(%v0d, %c2) : (tensor<37x?xf32>, index) -> tensor<?x37x16xf32>
  %qd = call @rope(%q1, %cos, %sin) : (tensor<?x37x16xf32>, !rot, !rot) -> tensor<?x37x16xf32>
  %kd = call @rope(%k1, %cos, %sin) : (tensor<?x37x16xf32>, !rot, !rot) -> tensor<?x37x16xf32>
  %q = tensor.cast %qd : tensor<?x37x16xf32> to tensor<4x37x16xf32>
  %k = tensor.cast %kd : tensor<?x37x16xf32> to tensor<2x37x16xf32>
  %v = tensor.cast %v1 : tensor<?x37x16xf32> to tensor<2x37x16xf32>

  // GQA: repeat each K/V head for the 2 query heads of its group.
  %eb = tensor.empty() : tensor<2x2x37x16xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x37x16xf32>) outs(%eb : tensor<2x2x37x16xf32>) dimensions = [1]
  %vb = linalg.broadcast ins(%v : tensor<2x37x16xf32>) outs(%eb : tensor<2x2x37x16xf32>) dimensions = [1]
  %kr = tensor.collapse_shape %kb [[0, 1], [2], [3]] : tensor<2x2x37x16xf32> into tensor<4x37x16xf32>
  %vr = tensor.collapse_shape %vb [[0, 1], [2], [3]] : tensor<2x2x37x16xf32> into tensor<4x37x16xf32>

  // scores = Q K^T / sqrt(16), causal mask, softmax.
  %ekt = tensor.empty() : tensor<4x16x37xf32>
  %kt = linalg.transpose ins(%kr : tensor<4x37x16xf32>) outs(%ekt : tensor<4x16x37xf32>) permutation = [0, 2, 1]
  %es = tensor.empty() : tensor<4x37x37xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<4x37x37xf32>) -> tensor<4x37x37xf32>
  %s0 = linalg.batch_matmul ins(%q, %kt : tensor<4x37x16xf32>, tensor<4x16x37xf32>) outs(%zs : tensor<4x37x37xf32>) -> tensor<4x37x37xf32>
  %s1 = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s0 : tensor<4x37x37xf32>) outs(%es : tensor<4x37x37xf32>) {
  ^bb0(%v_: f32, %o: f32):
    %scale = arith.constant 0.25 : f32
    %ninf = arith.constant 0xFF800000 : f32
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %keep = arith.cmpi ule, %j, %i : index
    %sv = arith.mulf %v_, %scale : f32
    %m = arith.select %keep, %sv, %ninf : f32
    linalg.yield %m : f32
  } -> tensor<4x37x37xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %er = tensor.empty() : tensor<4x37xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%er : tensor<4x37xf32>) -> tensor<4x37xf32>
  %mx = linalg.reduce ins(%s1 : tensor<4x37x37xf32>) outs(%mi : tensor<4x37xf32>) dimensions = [2]
    (%in: f32, %acc: f32) {
      %m = arith.maximumf %in, %acc : f32
      linalg.yield %m : f32
    }
  %p = linalg.generic {indexing_maps = [#id3, #rows3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s1, %mx : tensor<4x37x37xf32>, tensor<4x37xf32>) outs(%es : tensor<4x37x37xf32>) {
  ^bb0(%v_: f32, %m: f32, %o: f32):
    %d = arith.subf %v_, %m : f32
    %ex = math.exp %d : f32
    linalg.yield %ex : f32
  } -> tensor<4x37x37xf32>
  %zr = linalg.fill ins(%zero : f32) outs(%er : tensor<4x37xf32>) -> tensor<4x37xf32>
  %sum = linalg.reduce ins(%p : tensor<4x37x37xf32>) outs(%zr : tensor<4x37xf32>) dimensions = [2]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  %pn = linalg.generic {indexing_maps = [#id3, #rows3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p, %sum : tensor<4x37x37xf32>, tensor<4x37xf32>) outs(%es : tensor<4x37x37xf32>) {
  ^bb0(%v_: f32, %s: f32, %o: f32):
    %d = arith.divf %v_, %s : f32
    linalg.yield %d : f32
  } -> tensor<4x37x37xf32>
  %eo = tensor.empty() : tensor<4x37x16xf32>
  %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<4x37x16xf32>) -> tensor<4x37x16xf32>
  %o = linalg.batch_matmul ins(%pn, %vr : tensor<4x37x37xf32>, tensor<4x37x16xf32>) outs(%zo : tensor<4x37x16xf32>) -> tensor<4x37x16xf32>

  // Merge heads, project, residual.
  %et = tensor.empty() : tensor<37x4x16xf32>
  %ot = linalg.transpose ins(%o : tensor<4x37x16xf32>) outs(%et : tensor<37x4x16xf32>) permutation = [1, 0, 2]
  %om = tensor.collapse_shape %ot [[0], [1, 2]] : tensor<37x4x16xf32> into !x
  %attn = call @matmul(%om, %wo) : (!x, !w) -> !x
  %h = tosa.add %x, %attn : (!x, !x) -> !x

  // SwiGLU MLP with residual.
  %hn = call @rms_norm(%h, %mlp_norm) : (!x, !g) -> !x
  %ef = tensor.empty() : tensor<37x96xf32>
  %zf = linalg.fill ins(%zero : f32) outs(%ef : tensor<37x96xf32>) -> tensor<37x96xf32>
  %gate = linalg.matmul ins(%hn, %wgate : !x, !wup) outs(%zf : tensor<37x96xf32>) -> tensor<37x96xf32>
  %up = linalg.matmul ins(%hn, %wup : !x, !wup) outs(%zf : tensor<37x96xf32>) -> tensor<37x96xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %sig = tosa.sigmoid %gate : (tensor<37x96xf32>) -> tensor<37x96xf32>
  %silu = tosa.mul %gate, %sig, %shift : (tensor<37x96xf32>, tensor<37x96xf32>, tensor<1xi8>) -> tensor<37x96xf32>
  %act = tosa.mul %silu, %up, %shift : (tensor<37x96xf32>, tensor<37x96xf32>, tensor<1xi8>) -> tensor<37x96xf32>
  %ed = tensor.empty() : !x
  %zd = linalg.fill ins(%zero : f32) outs(%ed : !x) -> !x
  %down = linalg.matmul ins(%act, %wdown : tensor<37x96xf32>, !wdn) outs(%zd : !x) -> !x
  %out = tosa.add %h, %down : (!x, !x) -> !x
  return %out : !x
}
