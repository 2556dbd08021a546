# GEMM epilogues on ragged shapes: bias + tanh-GELU + residual (f32 and bf16),
# a batched GEMM with shared weights and a per-row scale, and a plain GEMM
# without an epilogue region.
# RUN: %python %s | FileCheck %s
# CHECK: PASS f32 bias+gelu+residual
# CHECK: PASS bf16 bias+gelu+residual
# CHECK: PASS batched row-scale
# CHECK: PASS plain f16
import numpy as np
from refs import gelu_tanh, rng
from harness import Arg, check, round_to, run, tensor_type as T

def gelu_residual_region(dt):
    """Epilogue: y = gelu_tanh(acc + bias) + residual, stored as `dt`."""
    lines = [f"^bb0(%acc: f32, %bv: {dt}, %rv: {dt}):"]
    if dt == "f32":
        bf, rf = "%bv", "%rv"
    else:
        lines += [f"%bf = arith.extf %bv : {dt} to f32", f"%rf = arith.extf %rv : {dt} to f32"]
        bf, rf = "%bf", "%rf"
    lines += [f"%x = arith.addf %acc, {bf} : f32",
              "%c0 = arith.constant 0.5 : f32",
              "%c1 = arith.constant 1.0 : f32",
              "%c2 = arith.constant 0.7978845608028654 : f32",
              "%c3 = arith.constant 0.044715 : f32",
              "%x2 = arith.mulf %x, %x : f32",
              "%x3 = arith.mulf %x2, %x : f32",
              "%t0 = arith.mulf %c3, %x3 : f32",
              "%t1 = arith.addf %x, %t0 : f32",
              "%t2 = arith.mulf %c2, %t1 : f32",
              "%t3 = math.tanh %t2 : f32",
              "%t4 = arith.addf %c1, %t3 : f32",
              "%t5 = arith.mulf %x, %t4 : f32",
              "%g = arith.mulf %c0, %t5 : f32",
              f"%y = arith.addf %g, {rf} : f32"]
    if dt == "f32":
        lines.append("sinter.yield %y : f32")
    else:
        lines += [f"%o = arith.truncf %y : f32 to {dt}", f"sinter.yield %o : {dt}"]
    return "\n        ".join(lines)


def bias_gelu_residual(dt, M, K, N, seed, atol, rtol):
    r = rng(seed)
    a = round_to(r.standard_normal((M, K)), dt)
    b = round_to(r.standard_normal((K, N)) / np.sqrt(K), dt)
    bias = round_to(r.standard_normal(N), dt)
    res = round_to(r.standard_normal((M, N)), dt)
    body = gelu_residual_region(dt)
    mod = f"""
func.func @f(%a: {T((M,K),dt)}, %b: {T((K,N),dt)}, %bias: {T((N,),dt)}, %res: {T((M,N),dt)}) -> {T((M,N),dt)} {{
  %init = tensor.empty() : {T((M,N),dt)}
  %y = sinter.gemm ins(%a, %b : {T((M,K),dt)}, {T((K,N),dt)})
      epilogue_ins(%bias, %res : {T((N,),dt)}, {T((M,N),dt)})
      outs(%init : {T((M,N),dt)})
      {{acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>, affine_map<(m, n) -> (m, n)>]}}
      -> {T((M,N),dt)} epilogue {{
        {body}
      }}
  return %y : {T((M,N),dt)}
}}"""
    (y,) = run(mod, "f", [Arg(a, dt), Arg(b, dt), Arg(bias, dt), Arg(res, dt)], [(dt, (M, N))])
    want = gelu_tanh(a.astype(np.float64) @ b + bias) + res
    check(f"{dt} bias+gelu+residual", y, want, atol, rtol)


bias_gelu_residual("f32", 37, 50, 29, 1, 1e-4, 1e-5)
bias_gelu_residual("bf16", 21, 67, 33, 2, 0.05, 0.01)

# Batched A [2, 13, 19] with B [19, 11] shared by both batches; the epilogue
# multiplies by a per-row (batch, m) scale.
r = rng(3)
a = r.standard_normal((2, 13, 19)).astype(np.float32)
b = r.standard_normal((19, 11)).astype(np.float32)
scale = r.standard_normal((2, 13)).astype(np.float32)
mod = f"""
func.func @f(%a: {T((2,13,19),'f32')}, %b: {T((19,11),'f32')}, %s: {T((2,13),'f32')}) -> {T((2,13,11),'f32')} {{
  %init = tensor.empty() : {T((2,13,11),'f32')}
  %y = sinter.gemm ins(%a, %b : {T((2,13,19),'f32')}, {T((19,11),'f32')})
      epilogue_ins(%s : {T((2,13),'f32')}) outs(%init : {T((2,13,11),'f32')})
      {{acc_type = f32, epilogue_maps = [affine_map<(b, m, n) -> (b, m)>]}} -> {T((2,13,11),'f32')}
    epilogue {{
    ^bb0(%acc: f32, %sv: f32):
      %y = arith.mulf %acc, %sv : f32
      sinter.yield %y : f32
    }}
  return %y : {T((2,13,11),'f32')}
}}"""
(y,) = run(mod, "f", [Arg(a, "f32"), Arg(b, "f32"), Arg(scale, "f32")], [("f32", (2, 13, 11))])
check("batched row-scale", y, (a.astype(np.float64) @ b) * scale[..., None], 1e-4, 1e-5)

# No epilogue region: the f32 accumulator is rounded to f16.
a = round_to(r.standard_normal((9, 31)), "f16")
b = round_to(r.standard_normal((31, 7)), "f16")
mod = f"""
func.func @f(%a: {T((9,31),'f16')}, %b: {T((31,7),'f16')}) -> {T((9,7),'f16')} {{
  %init = tensor.empty() : {T((9,7),'f16')}
  %y = sinter.gemm ins(%a, %b : {T((9,31),'f16')}, {T((31,7),'f16')}) outs(%init : {T((9,7),'f16')})
      {{acc_type = f32}} -> {T((9,7),'f16')}
  return %y : {T((9,7),'f16')}
}}"""
(y,) = run(mod, "f", [Arg(a, "f16"), Arg(b, "f16")], [("f16", (9, 7))])
check("plain f16", y, a.astype(np.float64) @ b, 0.02, 2e-3)
