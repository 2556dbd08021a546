# Integer and weight-quantized GEMMs on ragged shapes:
#  - i8 x i8 -> i32 with a dequantizing epilogue (row and column scales);
#  - f16 activations with i8 per-channel weights (W8A16), transposed A;
#  - bf16 activations with unsigned int4 grouped weights and zero points
#    (W4A16), K not a multiple of the group size.
# RUN: %python %s | FileCheck %s
# CHECK: PASS int8 exact accumulator
# CHECK: PASS int8 dequantized
# CHECK: PASS w8a16 per-channel
# CHECK: PASS w4a16 grouped
import numpy as np
from refs import rng
from sinter.runner import Arg, check, round_to, run, tensor_type as T

r = rng(11)

# int8 GEMM: the i32 accumulator is exact, the epilogue applies scales.
M, K, N = 19, 45, 13
a = r.integers(-128, 128, (M, K))
b = r.integers(-128, 128, (K, N))
sa = r.uniform(0.01, 0.1, M).astype(np.float32)
sb = r.uniform(0.01, 0.1, N).astype(np.float32)
mod = f"""
func.func @f(%a: {T((M,K),'i8')}, %b: {T((K,N),'i8')}, %sa: {T((M,),'f32')}, %sb: {T((N,),'f32')}) -> ({T((M,N),'i32')}, {T((M,N),'f32')}) {{
  %o = tensor.empty() : {T((M,N),'i32')}
  %acc = sinter.gemm ins(%a, %b : {T((M,K),'i8')}, {T((K,N),'i8')}) outs(%o : {T((M,N),'i32')})
      {{acc_type = i32}} -> {T((M,N),'i32')}
  %o2 = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M,K),'i8')}, {T((K,N),'i8')})
      epilogue_ins(%sa, %sb : {T((M,),'f32')}, {T((N,),'f32')}) outs(%o2 : {T((M,N),'f32')})
      {{acc_type = i32, epilogue_maps = [affine_map<(m, n) -> (m)>, affine_map<(m, n) -> (n)>]}}
      -> {T((M,N),'f32')}
    epilogue {{
    ^bb0(%c: i32, %x: f32, %z: f32):
      %cf = arith.sitofp %c : i32 to f32
      %s = arith.mulf %x, %z : f32
      %v = arith.mulf %cf, %s : f32
      sinter.yield %v : f32
    }}
  return %acc, %y : {T((M,N),'i32')}, {T((M,N),'f32')}
}}"""
acc, y = run(mod, "f", [Arg(a, "i8"), Arg(b, "i8"), Arg(sa, "f32"), Arg(sb, "f32")],
             [("i32", (M, N)), ("f32", (M, N))])
exact = a @ b
check("int8 exact accumulator", acc, exact, 0)
check("int8 dequantized", y, exact * (sa[:, None].astype(np.float64) * sb[None, :]), 1e-3, 1e-5)

# W8A16, per-channel scales, A given transposed ([K, M]).
M, K, N = 11, 37, 21
at = round_to(r.standard_normal((K, M)), "f16")
q = r.integers(-127, 128, (K, N))
s = round_to(r.uniform(0.001, 0.02, N), "f16")
mod = f"""
func.func @f(%a: {T((K,M),'f16')}, %q: {T((K,N),'i8')}, %s: {T((N,),'f16')}) -> {T((M,N),'f16')} {{
  %o = tensor.empty() : {T((M,N),'f16')}
  %y = sinter.gemm ins(%a, %q : {T((K,M),'f16')}, {T((K,N),'i8')}) scales(%s : {T((N,),'f16')})
      outs(%o : {T((M,N),'f16')})
      {{acc_type = f32, transpose_a, b_quant = #sinter.weight_quant<scheme = per_channel>}} -> {T((M,N),'f16')}
  return %y : {T((M,N),'f16')}
}}"""
(y,) = run(mod, "f", [Arg(at, "f16"), Arg(q, "i8"), Arg(s, "f16")], [("f16", (M, N))])
check("w8a16 per-channel", y, at.T.astype(np.float64) @ (q * s[None, :]), 5e-3, 2e-3)

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
