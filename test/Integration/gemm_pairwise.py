# Pairwise gemms: the epilogue receives the accumulators of columns n and
# n + N of B = [Wg | Wu] (SwiGLU in bf16 with a transposed B, and GeGLU with
# tanh-GELU in f32 plus a bias), on ragged shapes; and the fused SwiGLU of
# fuse-pairwise.mlir matches its unfused form.
# RUN: %python %s | FileCheck %s
# CHECK: PASS pairwise swiglu bf16
# CHECK: PASS pairwise geglu f32
# CHECK: PASS fused swiglu unchanged
import os
import numpy as np
from refs import gelu_tanh, rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(91)
M, K, N = 11, 37, 13
x = round_to(r.standard_normal((M, K)), "bf16")
wt = round_to(r.standard_normal((2 * N, K)) / np.sqrt(K), "bf16")   # [2N, K]
mod = f"""
func.func @f(%x: {T((M, K), 'bf16')}, %w: {T((2 * N, K), 'bf16')}) -> {T((M, N), 'bf16')} {{
  %o = tensor.empty() : {T((M, N), 'bf16')}
  %y = sinter.gemm ins(%x, %w : {T((M, K), 'bf16')}, {T((2 * N, K), 'bf16')}) outs(%o : {T((M, N), 'bf16')})
      {{acc_type = f32, pairwise, transpose_b}} -> {T((M, N), 'bf16')} epilogue {{
  ^bb0(%g: f32, %u: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %g : f32
    %e = math.exp %n : f32
    %d = arith.addf %e, %one : f32
    %s = arith.divf %g, %d : f32
    %y = arith.mulf %s, %u : f32
    %t = arith.truncf %y : f32 to bf16
    sinter.yield %t : bf16
  }}
  return %y : {T((M, N), 'bf16')}
}}"""
(y,) = run(mod, "f", [Arg(x, "bf16"), Arg(wt, "bf16")], [("bf16", (M, N))])
acc = x.astype(np.float64) @ wt.T
g, u = acc[:, :N], acc[:, N:]
check("pairwise swiglu bf16", y, g / (1 + np.exp(-g)) * u, 0.02, 0.01)

x = r.standard_normal((M, K)).astype(np.float32)
w = r.standard_normal((K, 2 * N)).astype(np.float32)
bias = r.standard_normal(N).astype(np.float32)
mod = f"""
func.func @f(%x: {T((M, K), 'f32')}, %w: {T((K, 2 * N), 'f32')}, %b: {T((N,), 'f32')}) -> {T((M, N), 'f32')} {{
  %o = tensor.empty() : {T((M, N), 'f32')}
  %y = sinter.gemm ins(%x, %w : {T((M, K), 'f32')}, {T((K, 2 * N), 'f32')}) epilogue_ins(%b : {T((N,), 'f32')})
      outs(%o : {T((M, N), 'f32')}) {{acc_type = f32, pairwise, epilogue_maps = [affine_map<(m, n) -> (n)>]}}
      -> {T((M, N), 'f32')} epilogue {{
  ^bb0(%g0: f32, %u: f32, %bv: f32):
    %g = arith.addf %g0, %bv : f32
    %c0 = arith.constant 0.5 : f32
    %c1 = arith.constant 1.0 : f32
    %c2 = arith.constant 0.7978845608028654 : f32
    %c3 = arith.constant 0.044715 : f32
    %g2 = arith.mulf %g, %g : f32
    %g3 = arith.mulf %g2, %g : f32
    %t0 = arith.mulf %c3, %g3 : f32
    %t1 = arith.addf %g, %t0 : f32
    %t2 = arith.mulf %c2, %t1 : f32
    %t3 = math.tanh %t2 : f32
    %t4 = arith.addf %c1, %t3 : f32
    %t5 = arith.mulf %g, %t4 : f32
    %ge = arith.mulf %c0, %t5 : f32
    %y = arith.mulf %ge, %u : f32
    sinter.yield %y : f32
  }}
  return %y : {T((M, N), 'f32')}
}}"""
(y,) = run(mod, "f", [Arg(x, "f32"), Arg(w, "f32"), Arg(bias, "f32")], [("f32", (M, N))])
acc = x.astype(np.float64) @ w
check("pairwise geglu f32", y, gelu_tanh(acc[:, :N] + bias) * acc[:, N:], 1e-4, 1e-5)

src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Dialect", "Sinter", "Transforms",
                        "fuse-pairwise.mlir")).read().split("// -----")[0]
args = [Arg(r.standard_normal((4, 16)).astype(np.float32), "f32"),
        Arg(r.standard_normal((16, 8)).astype(np.float32), "f32"),
        Arg(r.standard_normal((16, 8)).astype(np.float32), "f32")]
(plain,) = run(src, "swiglu", args, [("f32", (4, 8))])
(fused,) = run(src, "swiglu", args, [("f32", (4, 8))], extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-fuse")
check("fused swiglu unchanged", fused, plain, 1e-5, 1e-5)
