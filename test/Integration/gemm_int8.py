# int8 x int8 -> i32 GEMM on a ragged shape: the i32 accumulator is exact,
# and an epilogue applies per-row and per-column dequantization scales.
# RUN: %python %s | FileCheck %s
# CHECK: PASS int8 exact accumulator
# CHECK: PASS int8 dequantized
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

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
