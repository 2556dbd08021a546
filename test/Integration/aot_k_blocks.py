# The CPU GEMM micro-kernel with k blocked (sinter.compile(k_block=64), as
# sinter-compile --k-block=64):
# partial sums kept in an f32 tile buffer across blocks, one epilogue at the
# end; ragged K = 150 (two full blocks and a partial one), pairwise + bias
# and a transposed plain GEMM, against float64 numpy.
# RUN: %python %s | FileCheck %s
# CHECK: PASS k-blocked pairwise
# CHECK: PASS k-blocked transposed
# CHECK: PASS k-blocked over a B packed once
import numpy as np
from refs import rng
from harness import Arg, check, run, tensor_type as T

r = rng(41)
M, K, N = 23, 150, 37
a = r.standard_normal((M, K)).astype(np.float32)
w = r.standard_normal((K, 2 * N)).astype(np.float32)
bias = r.standard_normal((N,)).astype(np.float32)
mod = f"""
func.func @f(%a: {T((M,K),'f32')}, %b: {T((K,2*N),'f32')}, %bias: {T((N,),'f32')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M,K),'f32')}, {T((K,2*N),'f32')}) epilogue_ins(%bias : {T((N,),'f32')})
      outs(%o : {T((M,N),'f32')}) {{acc_type = f32, pairwise, epilogue_maps = [affine_map<(m, n) -> (n)>]}}
      -> {T((M,N),'f32')}
    epilogue {{
    ^bb0(%g: f32, %u: f32, %bv: f32):
      %p = arith.mulf %g, %u : f32
      %q = arith.addf %p, %bv : f32
      sinter.yield %q : f32
    }}
  return %y : {T((M,N),'f32')}
}}
func.func @t(%a: {T((K,M),'f32')}, %b: {T((N,K),'f32')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((K,M),'f32')}, {T((N,K),'f32')}) outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, transpose_a, transpose_b}} -> {T((M,N),'f32')}
  return %y : {T((M,N),'f32')}
}}"""
(y,) = run(mod, "f", [Arg(a, "f32"), Arg(w, "f32"), Arg(bias, "f32")], [("f32", (M, N))], k_block=64)
acc = a.astype(np.float64) @ w
check("k-blocked pairwise", y, acc[:, :N] * acc[:, N:] + bias, 1e-3, 1e-5)
at, bt = a.T.copy(), w[:, :N].T.copy()
(y,) = run(mod, "t", [Arg(at, "f32"), Arg(bt, "f32")], [("f32", (M, N))], k_block=64)
check("k-blocked transposed", y, a.astype(np.float64) @ w[:, :N], 1e-4, 1e-5)

# Three rows of 32-row tiles share B, so it is packed once for the whole
# gemm and the k blocks index into that pack.
M2, K2, N2 = 90, 150, 100
a2 = r.standard_normal((M2, K2)).astype(np.float32)
b2 = r.standard_normal((K2, N2)).astype(np.float32)
mod2 = f"""
func.func @g(%a: {T((M2,K2),'f32')}, %b: {T((K2,N2),'f32')}) -> {T((M2,N2),'f32')} {{
  %o = tensor.empty() : {T((M2,N2),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M2,K2),'f32')}, {T((K2,N2),'f32')}) outs(%o : {T((M2,N2),'f32')})
      {{acc_type = f32, sinter.tile_sizes = array<i64: 32, 64, 64>}} -> {T((M2,N2),'f32')}
  return %y : {T((M2,N2),'f32')}
}}"""
(y,) = run(mod2, "g", [Arg(a2, "f32"), Arg(b2, "f32")], [("f32", (M2, N2))], k_block=64)
check("k-blocked over a B packed once", y, a2.astype(np.float64) @ b2, 1e-4, 1e-5)
