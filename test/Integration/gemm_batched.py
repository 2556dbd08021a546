# Batched GEMMs with both operands batched and transposed (f16 in, f32 out),
# and a column-scale + bias epilogue whose bias is indexed per (batch, n).
# RUN: %python %s | FileCheck %s
# CHECK: PASS batched transposed
# CHECK: PASS batched per-batch bias
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(13)
Bt, M, K, N = 3, 10, 27, 14
at = round_to(r.standard_normal((Bt, K, M)), "f16")      # A^T per batch
bt = round_to(r.standard_normal((Bt, N, K)), "f16")      # B^T per batch
ot = T((Bt, M, N), "f32")
mod = f"""
func.func @f(%a: {T(at.shape, 'f16')}, %b: {T(bt.shape, 'f16')}) -> {ot} {{
  %o = tensor.empty() : {ot}
  %y = sinter.gemm ins(%a, %b : {T(at.shape, 'f16')}, {T(bt.shape, 'f16')}) outs(%o : {ot})
      {{acc_type = f32, transpose_a, transpose_b}} -> {ot}
  return %y : {ot}
}}"""
(y,) = run(mod, "f", [Arg(at, "f16"), Arg(bt, "f16")], [("f32", (Bt, M, N))])
want = np.einsum("bkm,bnk->bmn", at.astype(np.float64), bt.astype(np.float64))
check("batched transposed", y, want, 1e-4, 1e-5)

a = r.standard_normal((Bt, M, K)).astype(np.float32)
b = r.standard_normal((Bt, K, N)).astype(np.float32)
colscale = r.standard_normal(N).astype(np.float32)
bias = r.standard_normal((Bt, N)).astype(np.float32)
mod = f"""
func.func @f(%a: {T(a.shape, 'f32')}, %b: {T(b.shape, 'f32')}, %s: {T((N,), 'f32')}, %bias: {T((Bt, N), 'f32')}) -> {ot} {{
  %o = tensor.empty() : {ot}
  %y = sinter.gemm ins(%a, %b : {T(a.shape, 'f32')}, {T(b.shape, 'f32')}) epilogue_ins(%s, %bias : {T((N,), 'f32')}, {T((Bt, N), 'f32')})
      outs(%o : {ot}) {{acc_type = f32, epilogue_maps = [affine_map<(b, m, n) -> (n)>, affine_map<(b, m, n) -> (b, n)>]}} -> {ot}
    epilogue {{
    ^bb0(%acc: f32, %sv: f32, %bv: f32):
      %x = arith.mulf %acc, %sv : f32
      %y = arith.addf %x, %bv : f32
      sinter.yield %y : f32
    }}
  return %y : {ot}
}}"""
(y,) = run(mod, "f", [Arg(a, "f32"), Arg(b, "f32"), Arg(colscale, "f32"), Arg(bias, "f32")], [("f32", (Bt, M, N))])
want = (a.astype(np.float64) @ b) * colscale + bias[:, None, :]
check("batched per-batch bias", y, want, 1e-4, 1e-5)
