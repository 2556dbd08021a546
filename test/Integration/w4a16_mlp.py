# A W4A16 SwiGLU MLP written in linalg: unsigned int4 gate/up weights with
# k-grouped bf16 scales and zero points, int8 per-channel down weights, each
# dequantized by an elementwise generic before a matmul. The graph pipeline
# turns every dequantization into the prologue of its sinter.gemm
# (b_quant), pairs the quantized gate and up projections into one pairwise
# gemm over concatenated int4 weights, scales and zero points, and the
# result matches the unfused program within bf16
# rounding (raising also skips the round trip of dequantized weights
# through bf16).
# RUN: %python %s | FileCheck %s
# CHECK: tensor<48x80xi4>) scales(%{{.*}} : tensor<3x80xbf16>) zero_points(%{{.*}} : tensor<3x80xi4>) {{.*}} b_quant = #sinter.weight_quant<scheme = grouped, group_size = 16, is_unsigned = true>{{.*}}pairwise
# CHECK: b_quant = #sinter.weight_quant<scheme = per_channel>
# CHECK: PASS w4a16 mlp: raised+fused vs unfused
# CHECK: PASS w4a16 mlp: raised+fused vs numpy
import subprocess
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, sinter_opt, tensor_type as T

M, K, F, G = 7, 48, 40, 16
NG = K // G
r = rng(71)
x = round_to(r.standard_normal((M, K)), "bf16")
qg, qu = r.integers(0, 16, (K, F)), r.integers(0, 16, (K, F))
sg = round_to(r.uniform(0.01, 0.05, (NG, F)), "bf16")
su = round_to(r.uniform(0.01, 0.05, (NG, F)), "bf16")
zg, zu = r.integers(5, 11, (NG, F)), r.integers(5, 11, (NG, F))
qd = r.integers(-127, 128, (F, K))
sd = round_to(r.uniform(0.005, 0.02, K), "bf16")
signed4 = lambda v: np.where(v >= 8, v - 16, v)


def deq4(name, q, s, z):
    return f"""
  %{name}_e = tensor.empty() : {T((K, F), 'bf16')}
  %{name} = linalg.generic {{indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (k floordiv {G}, n)>,
                                             affine_map<(k, n) -> (k floordiv {G}, n)>, affine_map<(k, n) -> (k, n)>],
                            iterator_types = ["parallel", "parallel"]}}
      ins(%{q}, %{s}, %{z} : {T((K, F), 'i4')}, {T((NG, F), 'bf16')}, {T((NG, F), 'i4')}) outs(%{name}_e : {T((K, F), 'bf16')}) {{
  ^bb0(%qv: i4, %sv: bf16, %zv: i4, %o: bf16):
    %qf = arith.uitofp %qv : i4 to f32
    %zf = arith.uitofp %zv : i4 to f32
    %sf = arith.extf %sv : bf16 to f32
    %d = arith.subf %qf, %zf : f32
    %w = arith.mulf %d, %sf : f32
    %wb = arith.truncf %w : f32 to bf16
    linalg.yield %wb : bf16
  }} -> {T((K, F), 'bf16')}"""


def matmul(name, a, b, m, k, n):
    """bf16 operands, f32 accumulation and result (mixed precision)."""
    return f"""
  %{name}_e = tensor.empty() : {T((m, n), 'f32')}
  %{name}_z = linalg.fill ins(%zero : f32) outs(%{name}_e : {T((m, n), 'f32')}) -> {T((m, n), 'f32')}
  %{name} = linalg.matmul ins(%{a}, %{b} : {T((m, k), 'bf16')}, {T((k, n), 'bf16')}) outs(%{name}_z : {T((m, n), 'f32')}) -> {T((m, n), 'f32')}"""


mod = f"""
func.func @mlp(%x: {T((M, K), 'bf16')}, %qg: {T((K, F), 'i4')} {{sinter.weight}}, %sg: {T((NG, F), 'bf16')} {{sinter.weight}},
               %zg: {T((NG, F), 'i4')} {{sinter.weight}}, %qu: {T((K, F), 'i4')} {{sinter.weight}},
               %su: {T((NG, F), 'bf16')} {{sinter.weight}}, %zu: {T((NG, F), 'i4')} {{sinter.weight}},
               %qd: {T((F, K), 'i8')} {{sinter.weight}}, %sd: {T((K,), 'bf16')} {{sinter.weight}}) -> {T((M, K), 'f32')} {{
  %zero = arith.constant 0.0 : f32
{deq4('wg', 'qg', 'sg', 'zg')}
{deq4('wu', 'qu', 'su', 'zu')}
  %wd_e = tensor.empty() : {T((F, K), 'bf16')}
  %wd = linalg.generic {{indexing_maps = [affine_map<(k, n) -> (k, n)>, affine_map<(k, n) -> (n)>, affine_map<(k, n) -> (k, n)>],
                        iterator_types = ["parallel", "parallel"]}}
      ins(%qd, %sd : {T((F, K), 'i8')}, {T((K,), 'bf16')}) outs(%wd_e : {T((F, K), 'bf16')}) {{
  ^bb0(%qv: i8, %sv: bf16, %o: bf16):
    %qf = arith.sitofp %qv : i8 to bf16
    %w = arith.mulf %qf, %sv : bf16
    linalg.yield %w : bf16
  }} -> {T((F, K), 'bf16')}
{matmul('gate', 'x', 'wg', M, K, F)}
{matmul('up', 'x', 'wu', M, K, F)}
  %act_e = tensor.empty() : {T((M, F), 'bf16')}
  %act = linalg.generic {{indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                         iterator_types = ["parallel", "parallel"]}}
      ins(%gate, %up : {T((M, F), 'f32')}, {T((M, F), 'f32')}) outs(%act_e : {T((M, F), 'bf16')}) {{
  ^bb0(%gf: f32, %uf: f32, %o: bf16):
    %ng = arith.negf %gf : f32
    %ex = math.exp %ng : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %ex, %one : f32
    %silu = arith.divf %gf, %den : f32
    %y = arith.mulf %silu, %uf : f32
    %yb = arith.truncf %y : f32 to bf16
    linalg.yield %yb : bf16
  }} -> {T((M, F), 'bf16')}
{matmul('down', 'act', 'wd', M, F, K)}
  return %down : {T((M, K), 'f32')}
}}"""
ir = subprocess.run([sinter_opt(), "--sinter-attach-target=target=nvidia-h100", "--sinter-graph-pipeline"], input=mod, capture_output=True, text=True, check=True).stdout
print("\n".join(l for l in ir.splitlines() if "b_quant" in l))
assert "linalg.matmul" not in ir
args = [Arg(x, "bf16"), Arg(signed4(qg), "i4"), Arg(sg, "bf16"), Arg(signed4(zg), "i4"), Arg(signed4(qu), "i4"),
        Arg(su, "bf16"), Arg(signed4(zu), "i4"), Arg(qd, "i8"), Arg(sd, "bf16")]
(plain,) = run(mod, "mlp", args, [("f32", (M, K))])
(fused,) = run(mod, "mlp", args, [("f32", (M, K))], extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
kg = np.arange(K) // G
wg = (qg - zg[kg]) * sg[kg]
wu = (qu - zu[kg]) * su[kg]
wd = qd * sd[None, :]
g, u = x.astype(np.float64) @ wg, x.astype(np.float64) @ wu
want = (g / (1 + np.exp(-g)) * u) @ wd
# Differences come from bf16 roundings (of the dequantized weights in the
# unfused program only, and of the SwiGLU activation in both), which are
# about 2^-8 of the terms summed: tolerance 2^-7 of the output scale.
tol = np.abs(want).max() * 2 ** -7
check("w4a16 mlp: raised+fused vs unfused", fused, plain, tol)
check("w4a16 mlp: raised+fused vs numpy", fused, want, tol)
