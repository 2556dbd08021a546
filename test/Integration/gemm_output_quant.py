# Output quantization in the epilogue: y = clamp(round(acc * row_scale *
# col_scale + bias), -128, 127) stored as i8, plus the row absmax of the
# unquantized value as an extra reduction (dynamic per-token scale). Ragged.
# RUN: %python %s | FileCheck %s
# CHECK: PASS quantized output
# CHECK: PASS row absmax
import numpy as np
from refs import rng
from harness import Arg, check, run, tensor_type as T

r = rng(37)
M, K, N = 15, 33, 22
a = r.standard_normal((M, K)).astype(np.float32)
b = r.standard_normal((K, N)).astype(np.float32)
rs = r.uniform(1, 4, M).astype(np.float32)
cs = r.uniform(1, 4, N).astype(np.float32)
bias = r.standard_normal(N).astype(np.float32)
ot, mt = T((M, N), "i8"), T((M,), "f32")
mod = f"""
func.func @f(%a: {T(a.shape, 'f32')}, %b: {T(b.shape, 'f32')}, %rs: {T((M,), 'f32')}, %cs: {T((N,), 'f32')}, %bias: {T((N,), 'f32')}) -> ({ot}, {mt}) {{
  %o = tensor.empty() : {ot}
  %m = tensor.empty() : {mt}
  %y:2 = sinter.gemm ins(%a, %b : {T(a.shape, 'f32')}, {T(b.shape, 'f32')})
      epilogue_ins(%rs, %cs, %bias : {T((M,), 'f32')}, {T((N,), 'f32')}, {T((N,), 'f32')}) outs(%o, %m : {ot}, {mt})
      {{acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (m)>, affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (n)>],
        reductions = [#sinter.reduction<max, n>]}} -> {ot}, {mt}
    epilogue {{
    ^bb0(%acc: f32, %r: f32, %c: f32, %bv: f32):
      %x0 = arith.mulf %acc, %r : f32
      %x1 = arith.mulf %x0, %c : f32
      %x = arith.addf %x1, %bv : f32
      %rd = math.roundeven %x : f32
      %lo = arith.constant -128.0 : f32
      %hi = arith.constant 127.0 : f32
      %c0 = arith.maximumf %rd, %lo : f32
      %c1 = arith.minimumf %c0, %hi : f32
      %q = arith.fptosi %c1 : f32 to i8
      %ab = math.absf %x : f32
      sinter.yield %q, %ab : i8, f32
    }}
  return %y#0, %y#1 : {ot}, {mt}
}}"""
q, mx = run(mod, "f", [Arg(a, "f32"), Arg(b, "f32"), Arg(rs, "f32"), Arg(cs, "f32"), Arg(bias, "f32")],
            [("i8", (M, N)), ("f32", (M,))])
x = (a.astype(np.float64) @ b) * rs[:, None] * cs[None, :] + bias
want = np.clip(np.round(x), -128, 127)
assert (np.abs(x) > 127).any() and (np.abs(x) < 127).any(), "test must exercise clamping and rounding"
# f32 vs f64 rounding may move a value across a .5 boundary: allow 1 code.
check("quantized output", q, want, 1)
assert np.mean(q == want) > 0.97, "too many off-by-one codes"
check("row absmax", mx, np.abs(x).max(1), 1e-4, 1e-5)
