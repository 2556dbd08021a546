# Ops on dynamically shaped tensors: the decomposition sizes everything with
# tensor.dim. Static inputs are cast to dynamic types at the call.
# RUN: %python %s | FileCheck %s
# CHECK: PASS dynamic attention
# CHECK: PASS dynamic gemm
# CHECK: PASS dynamic rms_norm
import numpy as np
from refs import attention, rms_norm, rng
from harness import Arg, check, run, tensor_type as T

r = rng(31)
q = r.standard_normal((1, 4, 11, 8)).astype(np.float32)
k = r.standard_normal((1, 2, 19, 8)).astype(np.float32)
qs, ks = T(q.shape, "f32"), T(k.shape, "f32")
qd, kd = "tensor<1x4x?x8xf32>", "tensor<1x2x?x8xf32>"
mod = f"""
func.func @attn(%q: {qd}, %k: {kd}) -> {qd} {{
  %c2 = arith.constant 2 : index
  %sq = tensor.dim %q, %c2 : {qd}
  %o = tensor.empty(%sq) : {qd}
  %r = sinter.attention ins(%q, %k, %k : {qd}, {kd}, {kd}) outs(%o : {qd})
      {{mask = #sinter.mask<sliding_window>, window = 6 : i64, query_offset = 8 : i64}} -> {qd}
  return %r : {qd}
}}
func.func @f(%q: {qs}, %k: {ks}) -> {qs} {{
  %qc = tensor.cast %q : {qs} to {qd}
  %kc = tensor.cast %k : {ks} to {kd}
  %r = func.call @attn(%qc, %kc) : ({qd}, {kd}) -> {qd}
  %s = tensor.cast %r : {qd} to {qs}
  return %s : {qs}
}}"""
(o,) = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32")], [("f32", q.shape)])
check("dynamic attention", o, attention(q, k, k, mask="sliding_window", window=6, query_offset=8)[0], 1e-5, 1e-5)

a = r.standard_normal((13, 9)).astype(np.float32)
b = r.standard_normal((9, 6)).astype(np.float32)
g = r.standard_normal(9).astype(np.float32)
mod = f"""
func.func @mm(%a: tensor<?x?xf32>, %b: tensor<?x?xf32>, %g: tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %a, %c0 : tensor<?x?xf32>
  %k = tensor.dim %a, %c1 : tensor<?x?xf32>
  %n = tensor.dim %b, %c1 : tensor<?x?xf32>
  %o = tensor.empty(%m, %n) : tensor<?x?xf32>
  %y = sinter.gemm ins(%a, %b : tensor<?x?xf32>, tensor<?x?xf32>) outs(%o : tensor<?x?xf32>) {{acc_type = f32}} -> tensor<?x?xf32>
  %e = tensor.empty(%m, %k) : tensor<?x?xf32>
  %z = sinter.rms_norm ins(%a, %g : tensor<?x?xf32>, tensor<?xf32>) outs(%e : tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y, %z : tensor<?x?xf32>, tensor<?x?xf32>
}}
func.func @f(%a: tensor<13x9xf32>, %b: tensor<9x6xf32>, %g: tensor<9xf32>) -> (tensor<13x6xf32>, tensor<13x9xf32>) {{
  %ac = tensor.cast %a : tensor<13x9xf32> to tensor<?x?xf32>
  %bc = tensor.cast %b : tensor<9x6xf32> to tensor<?x?xf32>
  %gc = tensor.cast %g : tensor<9xf32> to tensor<?xf32>
  %r:2 = func.call @mm(%ac, %bc, %gc) : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>)
  %y = tensor.cast %r#0 : tensor<?x?xf32> to tensor<13x6xf32>
  %z = tensor.cast %r#1 : tensor<?x?xf32> to tensor<13x9xf32>
  return %y, %z : tensor<13x6xf32>, tensor<13x9xf32>
}}"""
y, z = run(mod, "f", [Arg(a, "f32"), Arg(b, "f32"), Arg(g, "f32")], [("f32", (13, 6)), ("f32", (13, 9))])
check("dynamic gemm", y, a.astype(np.float64) @ b, 1e-5, 1e-5)
check("dynamic rms_norm", z, rms_norm(a, g, 1e-6), 1e-5, 1e-5)
