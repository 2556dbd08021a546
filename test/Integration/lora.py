# A LoRA-adapted projection y = x.W + s.(x.A).B in plain linalg. The graph
# pipeline reads x once for the base and the low-rank down projection (one
# gemm over [W | A]) and adds the scaled low-rank update in the epilogue of
# the up projection; results match the unfused program (f32, 1e-5) and
# numpy.
# RUN: %python %s | FileCheck %s
# CHECK: tensor.concat dim(1)
# CHECK-COUNT-2: sinter.gemm
# CHECK: PASS lora: raised+fused vs unfused
# CHECK: PASS lora: raised+fused vs numpy
import subprocess
import numpy as np
from refs import rng
from harness import Arg, check, run, sinter_opt, tensor_type as T

M, K, N, R, S = 9, 40, 24, 4, 0.5
r = rng(81)
x = r.standard_normal((M, K)).astype(np.float32)
w = r.standard_normal((K, N)).astype(np.float32)
a = r.standard_normal((K, R)).astype(np.float32)
b = r.standard_normal((R, N)).astype(np.float32)


def mm(name, lhs, rhs, m, k, n):
    return f"""
  %{name}_e = tensor.empty() : {T((m, n), 'f32')}
  %{name}_z = linalg.fill ins(%zero : f32) outs(%{name}_e : {T((m, n), 'f32')}) -> {T((m, n), 'f32')}
  %{name} = linalg.matmul ins(%{lhs}, %{rhs} : {T((m, k), 'f32')}, {T((k, n), 'f32')}) outs(%{name}_z : {T((m, n), 'f32')}) -> {T((m, n), 'f32')}"""


mod = f"""
func.func @lora(%x: {T((M, K), 'f32')}, %w: {T((K, N), 'f32')} {{sinter.weight}}, %a: {T((K, R), 'f32')} {{sinter.weight}},
                %b: {T((R, N), 'f32')} {{sinter.weight}}) -> {T((M, N), 'f32')} {{
  %zero = arith.constant 0.0 : f32
{mm('base', 'x', 'w', M, K, N)}
{mm('t', 'x', 'a', M, K, R)}
{mm('u', 't', 'b', M, R, N)}
  %y_e = tensor.empty() : {T((M, N), 'f32')}
  %y = linalg.generic {{indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}}
      ins(%base, %u : {T((M, N), 'f32')}, {T((M, N), 'f32')}) outs(%y_e : {T((M, N), 'f32')}) {{
  ^bb0(%bv: f32, %uv: f32, %o: f32):
    %s = arith.constant {S} : f32
    %su = arith.mulf %s, %uv : f32
    %sum = arith.addf %bv, %su : f32
    linalg.yield %sum : f32
  }} -> {T((M, N), 'f32')}
  return %y : {T((M, N), 'f32')}
}}"""
ir = subprocess.run([sinter_opt(), "--sinter-attach-target=target=nvidia-h100", "--sinter-graph-pipeline"], input=mod, capture_output=True, text=True,
                    check=True).stdout
print("\n".join(l.strip() for l in ir.splitlines() if "sinter.gemm" in l or "tensor.concat" in l))
assert "linalg.generic" not in ir and "linalg.matmul" not in ir
args = [Arg(x, "f32"), Arg(w, "f32"), Arg(a, "f32"), Arg(b, "f32")]
(plain,) = run(mod, "lora", args, [("f32", (M, N))])
(fused,) = run(mod, "lora", args, [("f32", (M, N))], extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
check("lora: raised+fused vs unfused", fused, plain, 1e-5, 1e-5)
check("lora: raised+fused vs numpy", fused, x.astype(np.float64) @ w + S * (x.astype(np.float64) @ a) @ b, 1e-4, 1e-5)
