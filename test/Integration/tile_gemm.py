# sinter.gemm tiled through its TilingInterface (--sinter-tile with pinned
# tiles that do not divide the shapes) against the untiled reference
# decomposition and float64 numpy: epilogue operands with bias, row-scale
# and residual maps; transposed operands; batched A with shared and
# batched B; pairwise (SwiGLU) with a row reduction (keeps n whole);
# W4A16 grouped weights with zero points; int8 per-channel; a_row_sum_sq.
# RUN: %python %s | FileCheck %s
# CHECK: PASS epilogue maps tiled
# CHECK: PASS epilogue maps tiled = untiled
# CHECK: PASS transposed tiled
# CHECK: PASS batched shared B tiled
# CHECK: PASS batched B tiled
# CHECK: PASS pairwise swiglu tiled
# CHECK: PASS pairwise row sum tiled
# CHECK: PASS pairwise n-tiled
# CHECK: PASS w4a16 tiled
# CHECK: PASS w8a16 tiled
# CHECK: PASS a_row_sum_sq tiled
# CHECK: PASS column max tiled
# CHECK: PASS k blocks pairwise tiled
# CHECK: PASS packed-once B
# CHECK: PASS packed-once transposed B
# CHECK: PASS model-chosen gemm tiles
import subprocess
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, sinter_opt, tensor_type as T

r = rng(23)
TILE = "--sinter-attach-target=target=x86-avx512 --sinter-tile"
f32 = lambda *s: r.standard_normal(s).astype(np.float32)


def pin(m, n, k=64):
    return f"sinter.tile_sizes = array<i64: {m}, {n}, {k}>"


# Bias (n), row scale (m) and residual (m, n); M, N ragged for 8 x 16 tiles.
M, K, N = 37, 24, 45
a, b, bias, rs, res = f32(M, K), f32(K, N), f32(N), f32(M), f32(M, N)
mod = f"""
func.func @f(%a: {T((M,K),'f32')}, %b: {T((K,N),'f32')}, %bias: {T((N,),'f32')}, %rs: {T((M,),'f32')}, %res: {T((M,N),'f32')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M,K),'f32')}, {T((K,N),'f32')})
      epilogue_ins(%bias, %rs, %res : {T((N,),'f32')}, {T((M,),'f32')}, {T((M,N),'f32')})
      outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m)>, affine_map<(m, n) -> (m, n)>], {pin(8, 16)}}}
      -> {T((M,N),'f32')}
    epilogue {{
    ^bb0(%acc: f32, %bv: f32, %s: f32, %x: f32):
      %0 = arith.addf %acc, %bv : f32
      %1 = arith.mulf %0, %s : f32
      %2 = arith.addf %1, %x : f32
      sinter.yield %2 : f32
    }}
  return %y : {T((M,N),'f32')}
}}"""
args = [Arg(a, "f32"), Arg(b, "f32"), Arg(bias, "f32"), Arg(rs, "f32"), Arg(res, "f32")]
(y,) = run(mod, "f", args, [("f32", (M, N))], extra_passes=TILE)
(u,) = run(mod, "f", args, [("f32", (M, N))])
want = (a.astype(np.float64) @ b + bias) * rs[:, None] + res
check("epilogue maps tiled", y, want, 1e-4, 1e-5)
check("epilogue maps tiled = untiled", y, u, 1e-5, 1e-6)

# transpose_a and transpose_b.
at, bt = f32(K, M), f32(N, K)
mod = f"""
func.func @f(%a: {T((K,M),'f32')}, %b: {T((N,K),'f32')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((K,M),'f32')}, {T((N,K),'f32')}) outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, transpose_a, transpose_b, {pin(16, 8)}}} -> {T((M,N),'f32')}
  return %y : {T((M,N),'f32')}
}}"""
(y,) = run(mod, "f", [Arg(at, "f32"), Arg(bt, "f32")], [("f32", (M, N))], extra_passes=TILE)
check("transposed tiled", y, at.T.astype(np.float64) @ bt.T, 1e-4, 1e-5)

# Batched A with a shared 2-D B, and with a batched B.
Bt = 3
a3, b3 = f32(Bt, M, K), f32(Bt, K, N)
for name, bshape, bref in (("batched shared B", (K, N), b), ("batched B", (Bt, K, N), b3)):
    mod = f"""
func.func @f(%a: {T((Bt,M,K),'f32')}, %b: {T(bshape,'f32')}) -> {T((Bt,M,N),'f32')} {{
  %o = tensor.empty() : {T((Bt,M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((Bt,M,K),'f32')}, {T(bshape,'f32')}) outs(%o : {T((Bt,M,N),'f32')})
      {{acc_type = f32, {pin(16, 16)}}} -> {T((Bt,M,N),'f32')}
  return %y : {T((Bt,M,N),'f32')}
}}"""
    (y,) = run(mod, "f", [Arg(a3, "f32"), Arg(bref, "f32")], [("f32", (Bt, M, N))], extra_passes=TILE)
    check(name + " tiled", y, np.matmul(a3.astype(np.float64), bref), 1e-4, 1e-5)

# Pairwise SwiGLU: B = [gate | up] along n; plus a row sum of the output.
wg = f32(K, 2 * N)
mod = f"""
func.func @f(%a: {T((M,K),'f32')}, %b: {T((K,2*N),'f32')}) -> ({T((M,N),'f32')}, {T((M,),'f32')}) {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %s = tensor.empty() : {T((M,),'f32')}
  %y:2 = sinter.gemm ins(%a, %b : {T((M,K),'f32')}, {T((K,2*N),'f32')}) outs(%o, %s : {T((M,N),'f32')}, {T((M,),'f32')})
      {{acc_type = f32, pairwise, reductions = [#sinter.reduction<sum, n>], {pin(8, 16)}}} -> {T((M,N),'f32')}, {T((M,),'f32')}
    epilogue {{
    ^bb0(%g: f32, %u: f32):
      %one = arith.constant 1.0 : f32
      %ng = arith.negf %g : f32
      %e = math.exp %ng : f32
      %d = arith.addf %one, %e : f32
      %sg = arith.divf %g, %d : f32
      %y = arith.mulf %sg, %u : f32
      sinter.yield %y, %y : f32, f32
    }}
  return %y#0, %y#1 : {T((M,N),'f32')}, {T((M,),'f32')}
}}"""
y, s = run(mod, "f", [Arg(a, "f32"), Arg(wg, "f32")], [("f32", (M, N)), ("f32", (M,))], extra_passes=TILE)
acc = a.astype(np.float64) @ wg
want = acc[:, :N] / (1 + np.exp(-acc[:, :N])) * acc[:, N:]
check("pairwise swiglu tiled", y, want, 1e-4, 1e-5)
check("pairwise row sum tiled", s, want.sum(1), 1e-3, 1e-5)
# Without the reduction n is tiled too: each tile concatenates its gate and
# up columns.
mod2 = (mod.replace(f", {T((M,),'f32')})", ")", 1)
        .replace(f"%s = tensor.empty() : {T((M,),'f32')}", "")
        .replace(f"outs(%o, %s : {T((M,N),'f32')}, {T((M,),'f32')})", f"outs(%o : {T((M,N),'f32')})")
        .replace("reductions = [#sinter.reduction<sum, n>], ", "")
        .replace(f"-> {T((M,N),'f32')}, {T((M,),'f32')}", f"-> {T((M,N),'f32')}")
        .replace("%y:2 =", "%y =").replace("sinter.yield %y, %y : f32, f32", "sinter.yield %y : f32")
        .replace(f"return %y#0, %y#1 : {T((M,N),'f32')}, {T((M,),'f32')}", f"return %y : {T((M,N),'f32')}"))
tiled = subprocess.run([sinter_opt(), *TILE.split()], input=mod2, capture_output=True, text=True, check=True).stdout
assert tiled.count("tensor.concat") == 1 and "step (8, 16)" in tiled, tiled
(y,) = run(mod2, "f", [Arg(a, "f32"), Arg(wg, "f32")], [("f32", (M, N))], extra_passes=TILE)
check("pairwise n-tiled", y, want, 1e-4, 1e-5)

# W4A16: unsigned int4 [N, K] with grouped scales and zero points.
G = 16
Kq = 70
NG = -(-Kq // G)
aq = round_to(r.standard_normal((M, Kq)), "bf16")
qt = r.integers(0, 16, (N, Kq))
sc = round_to(r.uniform(0.01, 0.05, (NG, N)), "bf16")
zp = r.integers(6, 10, (NG, N))
mod = f"""
func.func @f(%a: {T((M,Kq),'bf16')}, %q: {T((N,Kq),'i4')}, %s: {T((NG,N),'bf16')}, %z: {T((NG,N),'i4')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %q : {T((M,Kq),'bf16')}, {T((N,Kq),'i4')})
      scales(%s : {T((NG,N),'bf16')}) zero_points(%z : {T((NG,N),'i4')}) outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, transpose_b, b_quant = #sinter.weight_quant<scheme = grouped, group_size = {G}, is_unsigned = true>, {pin(16, 8)}}}
      -> {T((M,N),'f32')}
  return %y : {T((M,N),'f32')}
}}"""
signed = lambda v: np.where(v >= 8, v - 16, v)
(y,) = run(mod, "f", [Arg(aq, "bf16"), Arg(signed(qt), "i4"), Arg(sc, "bf16"), Arg(signed(zp), "i4")],
           [("f32", (M, N))], extra_passes=TILE)
kg = np.arange(Kq) // G
check("w4a16 tiled", y, aq.astype(np.float64) @ ((qt.T - zp[kg, :]) * sc[kg, :]), 1e-4, 1e-4)

# W8A16: int8 [K, N] with per-channel scales.
q8 = r.integers(-127, 128, (K, N))
s8 = r.uniform(0.01, 0.02, (N,)).astype(np.float32)
mod = f"""
func.func @f(%a: {T((M,K),'f32')}, %q: {T((K,N),'i8')}, %s: {T((N,),'f32')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %q : {T((M,K),'f32')}, {T((K,N),'i8')}) scales(%s : {T((N,),'f32')}) outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, b_quant = #sinter.weight_quant<scheme = per_channel>, {pin(8, 8)}}} -> {T((M,N),'f32')}
  return %y : {T((M,N),'f32')}
}}"""
(y,) = run(mod, "f", [Arg(a, "f32"), Arg(q8, "i8"), Arg(s8, "f32")], [("f32", (M, N))], extra_passes=TILE)
check("w8a16 tiled", y, a.astype(np.float64) @ (q8 * s8), 1e-4, 1e-5)

# a_row_sum_sq: RMS statistics of A's rows inside a tiled epilogue.
mod = f"""
func.func @f(%a: {T((M,K),'f32')}, %b: {T((K,N),'f32')}) -> {T((M,N),'f32')} {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M,K),'f32')}, {T((K,N),'f32')}) outs(%o : {T((M,N),'f32')})
      {{acc_type = f32, a_row_sum_sq, {pin(8, 16)}}} -> {T((M,N),'f32')}
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
(y,) = run(mod, "f", [Arg(a, "f32"), Arg(b, "f32")], [("f32", (M, N))], extra_passes=TILE)
a64 = a.astype(np.float64)
check("a_row_sum_sq tiled", y, (a64 @ b) / np.sqrt((a64 ** 2).mean(1))[:, None], 1e-4, 1e-5)

# A column max (reduction along m) keeps m whole; n is tiled.
mod = f"""
func.func @f(%a: {T((M,K),'f32')}, %b: {T((K,N),'f32')}) -> ({T((M,N),'f32')}, {T((N,),'f32')}) {{
  %o = tensor.empty() : {T((M,N),'f32')}
  %c = tensor.empty() : {T((N,),'f32')}
  %y:2 = sinter.gemm ins(%a, %b : {T((M,K),'f32')}, {T((K,N),'f32')}) outs(%o, %c : {T((M,N),'f32')}, {T((N,),'f32')})
      {{acc_type = f32, reductions = [#sinter.reduction<max, m>], {pin(8, 16)}}} -> {T((M,N),'f32')}, {T((N,),'f32')}
    epilogue {{
    ^bb0(%acc: f32):
      sinter.yield %acc, %acc : f32, f32
    }}
  return %y#0, %y#1 : {T((M,N),'f32')}, {T((N,),'f32')}
}}"""
y, c = run(mod, "f", [Arg(a, "f32"), Arg(b, "f32")], [("f32", (M, N)), ("f32", (N,))], extra_passes=TILE)
check("column max tiled", c, (a64 @ b).max(0), 1e-4, 1e-5)

# K = 600 spans three k blocks of the CPU micro-kernel (partial sums kept
# between blocks, epilogue once): pairwise with a bias, ragged everywhere.
M3, K3, N3 = 29, 600, 37
a3, w3, bias3 = f32(M3, K3), f32(K3, 2 * N3), f32(N3)
mod = f"""
func.func @f(%a: {T((M3,K3),'f32')}, %b: {T((K3,2*N3),'f32')}, %bias: {T((N3,),'f32')}) -> {T((M3,N3),'f32')} {{
  %o = tensor.empty() : {T((M3,N3),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M3,K3),'f32')}, {T((K3,2*N3),'f32')}) epilogue_ins(%bias : {T((N3,),'f32')})
      outs(%o : {T((M3,N3),'f32')}) {{acc_type = f32, pairwise, epilogue_maps = [affine_map<(m, n) -> (n)>], {pin(16, 16)}}}
      -> {T((M3,N3),'f32')}
    epilogue {{
    ^bb0(%g: f32, %u: f32, %bv: f32):
      %p = arith.mulf %g, %u : f32
      %q = arith.addf %p, %bv : f32
      sinter.yield %q : f32
    }}
  return %y : {T((M3,N3),'f32')}
}}"""
(y,) = run(mod, "f", [Arg(a3, "f32"), Arg(w3, "f32"), Arg(bias3, "f32")], [("f32", (M3, N3))], extra_passes=TILE)
acc3 = a3.astype(np.float64) @ w3
check("k blocks pairwise tiled", y, acc3[:, :N3] * acc3[:, N3:] + bias3, 1e-3, 1e-5)

# Column tiles that are a multiple of the CPU vector block (64): the CPU
# backend packs B once for all tiles; N = 100 leaves a ragged last tile.
M4, K4, N4 = 70, 50, 100
a4, b4, bt4 = f32(M4, K4), f32(K4, N4), f32(N4, K4)
for name, bshape, tb, bval, want4 in (
        ("packed-once B", (K4, N4), "", b4, a4.astype(np.float64) @ b4),
        ("packed-once transposed B", (N4, K4), "transpose_b, ", bt4, a4.astype(np.float64) @ bt4.T)):
    mod = f"""
func.func @f(%a: {T((M4,K4),'f32')}, %b: {T(bshape,'f32')}) -> {T((M4,N4),'f32')} {{
  %o = tensor.empty() : {T((M4,N4),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M4,K4),'f32')}, {T(bshape,'f32')}) outs(%o : {T((M4,N4),'f32')})
      {{acc_type = f32, {tb}{pin(32, 64)}}} -> {T((M4,N4),'f32')}
  return %y : {T((M4,N4),'f32')}
}}"""
    (y,) = run(mod, "f", [Arg(a4, "f32"), Arg(bval, "f32")], [("f32", (M4, N4))], extra_passes=TILE)
    check(name, y, want4, 1e-4, 1e-5)

# No pin: the model's tiles on a shape larger than one tile.
M2, K2, N2 = 300, 40, 70
a2, b2 = f32(M2, K2), f32(K2, N2)
mod = f"""
func.func @f(%a: {T((M2,K2),'f32')}, %b: {T((K2,N2),'f32')}) -> {T((M2,N2),'f32')} {{
  %o = tensor.empty() : {T((M2,N2),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M2,K2),'f32')}, {T((K2,N2),'f32')}) outs(%o : {T((M2,N2),'f32')}) {{acc_type = f32}} -> {T((M2,N2),'f32')}
  return %y : {T((M2,N2),'f32')}
}}"""
(y,) = run(mod, "f", [Arg(a2, "f32"), Arg(b2, "f32")], [("f32", (M2, N2))], extra_passes=TILE)
check("model-chosen gemm tiles", y, a2.astype(np.float64) @ b2, 1e-4, 1e-5)
