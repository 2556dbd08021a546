# W4A16: bf16 activations times unsigned int4 weights stored [N, K] with
# grouped bf16 scales and int4 zero points; K = 70 is not a multiple of the
# group size 16.
# RUN: %python %s | FileCheck %s
# CHECK: PASS w4a16 grouped
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(11)
# W4A16: unsigned 4-bit weights in groups of 16 along K (K = 70 is ragged),
# with zero points; weights stored as [N, K] (transpose_b).
M, K, N, G = 9, 70, 12, 16
NG = -(-K // G)
a = round_to(r.standard_normal((M, K)), "bf16")
qt = r.integers(0, 16, (N, K))
scales = round_to(r.uniform(0.01, 0.05, (NG, N)), "bf16")
zps = r.integers(6, 10, (NG, N))
mod = f"""
func.func @f(%a: {T((M,K),'bf16')}, %q: {T((N,K),'i4')}, %s: {T((NG,N),'bf16')}, %z: {T((NG,N),'i4')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %q : {T((M,K),'bf16')}, {T((N,K),'i4')})
      scales(%s : {T((NG,N),'bf16')}) zero_points(%z : {T((NG,N),'i4')})
      outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, transpose_b,
        b_quant = #sinter.weight_quant<scheme = grouped, group_size = {G}, is_unsigned = true>}}
      -> {T((M,N),'f32')}
  return %y : {T((M,N),'f32')}
}}"""
# i4 constants are written as signed values with the same bits.
signed = lambda v: np.where(v >= 8, v - 16, v)
(y,) = run(mod, "f", [Arg(a, "bf16"), Arg(signed(qt), "i4"), Arg(scales, "bf16"), Arg(signed(zps), "i4")],
           [("f32", (M, N))])
kgroup = np.arange(K) // G
w = (qt.T - zps[kgroup, :]) * scales[kgroup, :]          # [K, N]
check("w4a16 grouped", y, a.astype(np.float64) @ w, 1e-4, 1e-4)
