# Per-token magnitude pruning to a bitmap-sparse form and its dense
# expansion: keeps exactly K largest-magnitude entries per row (ties to the
# lower index), bitmaps match bit for bit, densify(prune(x)) equals the
# pruned x. D = 21 leaves a partial last bitmap byte.
# RUN: %python %s | FileCheck %s
# CHECK: PASS prune values
# CHECK: PASS prune bitmap
# CHECK: PASS densify
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(17)
B, S, D, K = 2, 6, 21, 8
x = round_to(np.round(r.standard_normal((B, S, D)) * 4) / 4, "bf16")   # ties happen
NBY = -(-D // 8)
xt, vt, bt = T(x.shape, "bf16"), T((B, S, K), "bf16"), T((B, S, NBY), "i8")
mod = f"""
func.func @f(%x: {xt}) -> ({vt}, {bt}, {xt}) {{
  %v0 = tensor.empty() : {vt}
  %b0 = tensor.empty() : {bt}
  %v, %b = sinter.kv.prune ins(%x : {xt}) outs(%v0, %b0 : {vt}, {bt}) -> {vt}, {bt}
  %d0 = tensor.empty() : {xt}
  %d = sinter.kv.densify ins(%v, %b : {vt}, {bt}) outs(%d0 : {xt}) -> {xt}
  return %v, %b, %d : {vt}, {bt}, {xt}
}}"""
vals, bits, dense = run(mod, "f", [Arg(x, "bf16")], [("bf16", (B, S, K)), ("i8", (B, S, NBY)), ("bf16", x.shape)])

want_vals = np.zeros((B, S, K))
want_bits = np.zeros((B, S, NBY), dtype=np.int64)
want_dense = np.zeros_like(x)
for b in range(B):
    for s in range(S):
        order = sorted(range(D), key=lambda d: (-abs(x[b, s, d]), d))[:K]
        keep = sorted(order)
        want_vals[b, s] = x[b, s, keep]
        for d in keep:
            want_bits[b, s, d // 8] |= 1 << (d % 8)
            want_dense[b, s, d] = x[b, s, d]
want_bits = np.where(want_bits >= 128, want_bits - 256, want_bits)   # i8 is signed
check("prune values", vals, want_vals, 0)
check("prune bitmap", bits, want_bits, 0)
check("densify", dense, want_dense, 0)
