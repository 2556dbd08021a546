# Extra reduction results of the epilogue: a row sum of squares (RMSNorm
# statistics) and a row max along n, a column sum along m, on a ragged
# transposed-B GEMM.
# RUN: %python %s | FileCheck %s
# CHECK: PASS output
# CHECK: PASS row sum_sq
# CHECK: PASS row max
# CHECK: PASS column sum
# CHECK: PASS a_row_sum_sq
import numpy as np
from refs import rng
from harness import Arg, check, run, tensor_type as T

M, K, N = 23, 41, 17
r = rng(7)
a = r.standard_normal((M, K)).astype(np.float32)
bt = r.standard_normal((N, K)).astype(np.float32)   # B given as [N, K]
mod = f"""
func.func @f(%a: {T((M,K),'f32')}, %b: {T((N,K),'f32')}) -> ({T((M,N),'f32')}, {T((M,),'f32')}, {T((M,),'f32')}, {T((N,),'f32')}) {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %r1 = tensor.empty() : {T((M,),'f32')}
  %r2 = tensor.empty() : {T((M,),'f32')}
  %r3 = tensor.empty() : {T((N,),'f32')}
  %y:4 = sinter.gemm ins(%a, %b : {T((M,K),'f32')}, {T((N,K),'f32')})
      outs(%o, %r1, %r2, %r3 : {T((M,N),'f32')}, {T((M,),'f32')}, {T((M,),'f32')}, {T((N,),'f32')})
      {{acc_type = f32, transpose_b,
        reductions = [#sinter.reduction<sum_sq, n>, #sinter.reduction<max, n>, #sinter.reduction<sum, m>]}}
      -> {T((M,N),'f32')}, {T((M,),'f32')}, {T((M,),'f32')}, {T((N,),'f32')}
    epilogue {{
    ^bb0(%acc: f32):
      %h = arith.constant 0.5 : f32
      %x = arith.mulf %acc, %h : f32
      sinter.yield %x, %x, %acc, %x : f32, f32, f32, f32
    }}
  return %y#0, %y#1, %y#2, %y#3 : {T((M,N),'f32')}, {T((M,),'f32')}, {T((M,),'f32')}, {T((N,),'f32')}
}}"""
y, ss, mx, cs = run(mod, "f", [Arg(a, "f32"), Arg(bt, "f32")],
                    [("f32", (M, N)), ("f32", (M,)), ("f32", (M,)), ("f32", (N,))])
acc = a.astype(np.float64) @ bt.T
check("output", y, 0.5 * acc, 1e-4, 1e-5)
check("row sum_sq", ss, ((0.5 * acc) ** 2).sum(1), 1e-3, 1e-5)
check("row max", mx, acc.max(1), 1e-4, 1e-5)
check("column sum", cs, (0.5 * acc).sum(0), 1e-3, 1e-5)

# Row statistics of A handed to the epilogue (a_row_sum_sq), with A given
# transposed: y = acc / sqrt(sum_k a^2 / K).
at = r.standard_normal((K, M)).astype(np.float32)
b = r.standard_normal((K, N)).astype(np.float32)
mod = f"""
func.func @f(%a: {T((K,M),'f32')}, %b: {T((K,N),'f32')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((K,M),'f32')}, {T((K,N),'f32')}) outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, transpose_a, a_row_sum_sq}} -> {T((M,N),'f32')}
    epilogue {{
    ^bb0(%acc: f32, %ss: f32):
      %k = arith.constant {float(K)} : f32
      %m = arith.divf %ss, %k : f32
      %r = math.rsqrt %m : f32
      %y = arith.mulf %acc, %r : f32
      sinter.yield %y : f32
    }}
  return %y : {T((M,N),'f32')}
}}"""
(y,) = run(mod, "f", [Arg(at, "f32"), Arg(b, "f32")], [("f32", (M, N))])
a64 = at.T.astype(np.float64)
check("a_row_sum_sq", y, (a64 @ b) / np.sqrt((a64 ** 2).mean(1, keepdims=True)), 1e-4, 1e-5)
