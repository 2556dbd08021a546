// A LLaMA-style decoder block written with sinter ops.
//
//   h   = x + Wo · attention(rope(Wq · rmsnorm(x)), rope(Wk · rmsnorm(x)), Wv · rmsnorm(x))
//   out = h + Wdown · (silu(Wgate · rmsnorm(h)) * (Wup · rmsnorm(h)))
//
// Shapes: 37 tokens, hidden 64, 4 query heads and 2 K/V heads of size 16
// (GQA), MLP 96, f32. The residual adds and the SwiGLU product already sit
// in GEMM epilogues; attention is one causal GQA op. The same block in
// plain linalg/tosa is block_linalg.mlir; run.py checks both against numpy.

!x = tensor<37x64xf32>
!w = tensor<64x64xf32>
!wkv = tensor<64x32xf32>
!wup = tensor<64x96xf32>
!wdn = tensor<96x64xf32>
!g = tensor<64xf32>
!rot = tensor<37x8xf32>

func.func @decoder_block(%x: !x, %attn_norm: !g {sinter.weight}, %wq: !w {sinter.weight},
                         %wk: !wkv {sinter.weight}, %wv: !wkv {sinter.weight}, %wo: !w {sinter.weight},
                         %mlp_norm: !g {sinter.weight}, %wgate: !wup {sinter.weight},
                         %wup: !wup {sinter.weight}, %wdown: !wdn {sinter.weight},
                         %cos: !rot {sinter.weight}, %sin: !rot {sinter.weight}) -> !x {
  %e = tensor.empty() : !x
  %xn = sinter.rms_norm ins(%x, %attn_norm : !x, !g) outs(%e : !x) {epsilon = 1.0e-05 : f32} -> !x

  // Q/K/V projections, split into heads: [37, H*16] -> [1, H, 37, 16].
  %q0 = sinter.gemm ins(%xn, %wq : !x, !w) outs(%e : !x) {acc_type = f32} -> !x
  %ekv = tensor.empty() : tensor<37x32xf32>
  %k0 = sinter.gemm ins(%xn, %wk : !x, !wkv) outs(%ekv : tensor<37x32xf32>) {acc_type = f32} -> tensor<37x32xf32>
  %v0 = sinter.gemm ins(%xn, %wv : !x, !wkv) outs(%ekv : tensor<37x32xf32>) {acc_type = f32} -> tensor<37x32xf32>
  %q1 = tensor.expand_shape %q0 [[0, 1], [2, 3]] output_shape [1, 37, 4, 16] : !x into tensor<1x37x4x16xf32>
  %k1 = tensor.expand_shape %k0 [[0, 1], [2, 3]] output_shape [1, 37, 2, 16] : tensor<37x32xf32> into tensor<1x37x2x16xf32>
  %v1 = tensor.expand_shape %v0 [[0, 1], [2, 3]] output_shape [1, 37, 2, 16] : tensor<37x32xf32> into tensor<1x37x2x16xf32>
  %eq = tensor.empty() : tensor<1x4x37x16xf32>
  %ek = tensor.empty() : tensor<1x2x37x16xf32>
  %q2 = linalg.transpose ins(%q1 : tensor<1x37x4x16xf32>) outs(%eq : tensor<1x4x37x16xf32>) permutation = [0, 2, 1, 3]
  %k2 = linalg.transpose ins(%k1 : tensor<1x37x2x16xf32>) outs(%ek : tensor<1x2x37x16xf32>) permutation = [0, 2, 1, 3]
  %v2 = linalg.transpose ins(%v1 : tensor<1x37x2x16xf32>) outs(%ek : tensor<1x2x37x16xf32>) permutation = [0, 2, 1, 3]

  %q = sinter.rope ins(%q2, %cos, %sin : tensor<1x4x37x16xf32>, !rot, !rot) outs(%eq : tensor<1x4x37x16xf32>) -> tensor<1x4x37x16xf32>
  %k = sinter.rope ins(%k2, %cos, %sin : tensor<1x2x37x16xf32>, !rot, !rot) outs(%ek : tensor<1x2x37x16xf32>) -> tensor<1x2x37x16xf32>
  %o = sinter.attention ins(%q, %k, %v2 : tensor<1x4x37x16xf32>, tensor<1x2x37x16xf32>, tensor<1x2x37x16xf32>)
      outs(%eq : tensor<1x4x37x16xf32>) {mask = #sinter.mask<causal>} -> tensor<1x4x37x16xf32>

  // Merge heads and project back, adding the residual in the epilogue.
  %eo = tensor.empty() : tensor<1x37x4x16xf32>
  %o1 = linalg.transpose ins(%o : tensor<1x4x37x16xf32>) outs(%eo : tensor<1x37x4x16xf32>) permutation = [0, 2, 1, 3]
  %o2 = tensor.collapse_shape %o1 [[0, 1], [2, 3]] : tensor<1x37x4x16xf32> into !x
  %h = sinter.gemm ins(%o2, %wo : !x, !w) epilogue_ins(%x : !x) outs(%e : !x)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (m, n)>]} -> !x
    epilogue {
    ^bb0(%acc: f32, %res: f32):
      %s = arith.addf %acc, %res : f32
      sinter.yield %s : f32
    }

  // SwiGLU MLP: the gate projection feeds the up projection's epilogue.
  %hn = sinter.rms_norm ins(%h, %mlp_norm : !x, !g) outs(%e : !x) {epsilon = 1.0e-05 : f32} -> !x
  %ef = tensor.empty() : tensor<37x96xf32>
  %gate = sinter.gemm ins(%hn, %wgate : !x, !wup) outs(%ef : tensor<37x96xf32>) {acc_type = f32} -> tensor<37x96xf32>
  %act = sinter.gemm ins(%hn, %wup : !x, !wup) epilogue_ins(%gate : tensor<37x96xf32>) outs(%ef : tensor<37x96xf32>)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (m, n)>]} -> tensor<37x96xf32>
    epilogue {
    ^bb0(%up: f32, %gt: f32):
      %one = arith.constant 1.0 : f32
      %neg = arith.negf %gt : f32
      %ex = math.exp %neg : f32
      %den = arith.addf %one, %ex : f32
      %silu = arith.divf %gt, %den : f32
      %y = arith.mulf %silu, %up : f32
      sinter.yield %y : f32
    }
  %out = sinter.gemm ins(%act, %wdown : tensor<37x96xf32>, !wdn) epilogue_ins(%h : !x) outs(%e : !x)
      {acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (m, n)>]} -> !x
    epilogue {
    ^bb0(%acc: f32, %res: f32):
      %s = arith.addf %acc, %res : f32
      sinter.yield %s : f32
    }
  return %out : !x
}
