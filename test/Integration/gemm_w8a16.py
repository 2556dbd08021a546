# W8A16: f16 activations (given transposed, [K, M]) times i8 weights with
# per-channel f16 scales, on a ragged shape.
# RUN: %python %s | FileCheck %s
# CHECK: PASS w8a16 per-channel
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(11)
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
