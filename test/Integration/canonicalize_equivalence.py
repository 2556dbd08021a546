# Canonicalization must not change results: attention masks relaxed by
# --canonicalize (window -> causal, causal decode -> none) and a dropped
# trivial epilogue compute bit-identical outputs to the original IR.
# RUN: %python %s | FileCheck %s
# CHECK: PASS window->causal unchanged
# CHECK: PASS causal decode->none unchanged
# CHECK: PASS trivial epilogue unchanged
import numpy as np
from refs import rng
from harness import Arg, check, run, tensor_type as T

r = rng(8)


def both(mod, args, results):
    plain = run(mod, "f", args, results)
    canon = run(mod, "f", args, results, extra_passes="--canonicalize")
    return plain, canon


q = r.standard_normal((1, 2, 8, 16)).astype(np.float32)
qt = T(q.shape, "f32")
mod = f"""
func.func @f(%q: {qt}) -> {qt} {{
  %o = tensor.empty() : {qt}
  %r = sinter.attention ins(%q, %q, %q : {qt}, {qt}, {qt}) outs(%o : {qt})
      {{mask = #sinter.mask<sliding_window>, window = 8 : i64}} -> {qt}
  return %r : {qt}
}}"""
(a,), (b,) = both(mod, [Arg(q, "f32")], [("f32", q.shape)])
check("window->causal unchanged", b, a, 0)

q1 = r.standard_normal((1, 2, 1, 16)).astype(np.float32)
k = r.standard_normal((1, 2, 9, 16)).astype(np.float32)
q1t, kt = T(q1.shape, "f32"), T(k.shape, "f32")
mod = f"""
func.func @f(%q: {q1t}, %k: {kt}) -> {q1t} {{
  %o = tensor.empty() : {q1t}
  %r = sinter.attention ins(%q, %k, %k : {q1t}, {kt}, {kt}) outs(%o : {q1t})
      {{mask = #sinter.mask<causal>, query_offset = 8 : i64}} -> {q1t}
  return %r : {q1t}
}}"""
(a,), (b,) = both(mod, [Arg(q1, "f32"), Arg(k, "f32")], [("f32", q1.shape)])
check("causal decode->none unchanged", b, a, 0)

x = r.standard_normal((5, 7)).astype(np.float32)
w = r.standard_normal((7, 3)).astype(np.float32)
mod = f"""
func.func @f(%a: tensor<5x7xbf16>, %b: tensor<7x3xbf16>) -> tensor<5x3xbf16> {{
  %o = tensor.empty() : tensor<5x3xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<5x7xbf16>, tensor<7x3xbf16>) outs(%o : tensor<5x3xbf16>) {{acc_type = f32}} -> tensor<5x3xbf16>
    epilogue {{
    ^bb0(%acc: f32):
      %t = arith.truncf %acc : f32 to bf16
      sinter.yield %t : bf16
    }}
  return %y : tensor<5x3xbf16>
}}"""
(a,), (b,) = both(mod, [Arg(x, "bf16"), Arg(w, "bf16")], [("bf16", (5, 3))])
check("trivial epilogue unchanged", b, a, 0)
