# The log-sum-exp output makes attention over split K/V mergeable: running
# attention on two halves of the keys and combining by LSE reproduces
# attention over all keys (the flash-decoding combine), with GQA, bf16.
# RUN: %python %s | FileCheck %s
# CHECK: PASS merged halves
# CHECK: PASS merged lse
import numpy as np
from refs import attention, rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(41)
B, Hq, Hkv, Sq, Skv, D = 1, 4, 2, 3, 30, 16
half = 17
q = round_to(r.standard_normal((B, Hq, Sq, D)), "bf16")
k = round_to(r.standard_normal((B, Hkv, Skv, D)), "bf16")
v = round_to(r.standard_normal((B, Hkv, Skv, D)), "bf16")
ot, lt = T((B, Hq, Sq, D), "f32"), T((B, Hq, Sq), "f32")


def part(kk, vv):
    kt = T(kk.shape, "bf16")
    mod = f"""
func.func @f(%q: {T(q.shape, 'bf16')}, %k: {kt}, %v: {kt}) -> ({ot}, {lt}) {{
  %o = tensor.empty() : {ot}
  %l = tensor.empty() : {lt}
  %r:2 = sinter.attention ins(%q, %k, %v : {T(q.shape, 'bf16')}, {kt}, {kt}) outs(%o, %l : {ot}, {lt}) -> {ot}, {lt}
  return %r#0, %r#1 : {ot}, {lt}
}}"""
    return run(mod, "f", [Arg(q, "bf16"), Arg(kk, "bf16"), Arg(vv, "bf16")], [("f32", (B, Hq, Sq, D)), ("f32", (B, Hq, Sq))])


o1, l1 = part(k[:, :, :half], v[:, :, :half])
o2, l2 = part(k[:, :, half:], v[:, :, half:])
lse = np.logaddexp(l1, l2)
merged = o1 * np.exp(l1 - lse)[..., None] + o2 * np.exp(l2 - lse)[..., None]
want_o, want_lse = attention(q, k, v)
check("merged halves", merged, want_o, 1e-5, 1e-4)
check("merged lse", lse, want_lse, 1e-5, 1e-5)
