# Sliding-window attention with logit softcapping and an additive bias that
# broadcasts over batch and heads; rows that see no key (negative query
# offset) produce zeros and a log-sum-exp of -inf.
# RUN: %python %s | FileCheck %s
# CHECK: PASS window+softcap+bias output
# CHECK: PASS window+softcap+bias lse
# CHECK: PASS empty rows output
# CHECK: PASS empty rows lse
# CHECK: PASS rope inside attention
import numpy as np
from refs import attention, rng
from harness import Arg, check, run, tensor_type as T

r = rng(5)
B, Hq, Hkv, Sq, Skv, D, W = 2, 4, 2, 17, 17, 8, 5
q = r.standard_normal((B, Hq, Sq, D)).astype(np.float32) * 2
k = r.standard_normal((B, Hkv, Skv, D)).astype(np.float32) * 2
v = r.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
bias = r.standard_normal((1, 1, Sq, Skv)).astype(np.float32)
qt, kt, bt, lt = T(q.shape, "f32"), T(k.shape, "f32"), T(bias.shape, "f32"), T((B, Hq, Sq), "f32")
mod = f"""
func.func @f(%q: {qt}, %k: {kt}, %v: {kt}, %bias: {bt}) -> ({qt}, {lt}) {{
  %o = tensor.empty() : {qt}
  %l = tensor.empty() : {lt}
  %r:2 = sinter.attention ins(%q, %k, %v : {qt}, {kt}, {kt}) bias(%bias : {bt}) outs(%o, %l : {qt}, {lt})
      {{mask = #sinter.mask<sliding_window>, window = {W} : i64, softcap = 2.5 : f32}} -> {qt}, {lt}
  return %r#0, %r#1 : {qt}, {lt}
}}"""
args = [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32"), Arg(bias, "f32")]
o, lse = run(mod, "f", args, [("f32", q.shape), ("f32", (B, Hq, Sq))])
want_o, want_lse = attention(q, k, v, mask="sliding_window", window=W, softcap=2.5, bias=bias)
check("window+softcap+bias output", o, want_o, 1e-5, 1e-4)
check("window+softcap+bias lse", lse, want_lse, 1e-5, 1e-5)

# query_offset = -3: the first three queries see no key at all.
mod = mod.replace(f"{{mask = #sinter.mask<sliding_window>, window = {W} : i64, softcap = 2.5 : f32}}",
                  "{mask = #sinter.mask<causal>, query_offset = -3 : i64}")
o, lse = run(mod, "f", args, [("f32", q.shape), ("f32", (B, Hq, Sq))])
want_o, want_lse = attention(q, k, v, mask="causal", query_offset=-3, bias=bias)
assert np.all(o[:, :, :3] == 0) and np.all(np.isneginf(lse[:, :, :3]))
check("empty rows output", o, want_o, 1e-5, 1e-4)
check("empty rows lse", lse, want_lse, 1e-5, 1e-5)

# RoPE applied inside attention (half mode, full rotary dimension),
# with a query offset: queries use table rows i + offset, keys rows j.
from refs import rope
B, Hq, Hkv, Sq, Skv, D = 1, 4, 2, 3, 9, 8
off = Skv - Sq
q = r.standard_normal((B, Hq, Sq, D)).astype(np.float32)
k = r.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
v = r.standard_normal((B, Hkv, Skv, D)).astype(np.float32)
ang = np.arange(Skv)[:, None] * 10000.0 ** (-np.arange(D // 2) / (D // 2))
cos, sin = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
qt, kt, ct = T(q.shape, "f32"), T(k.shape, "f32"), T(cos.shape, "f32")
mod = f"""
func.func @f(%q: {qt}, %k: {kt}, %v: {kt}, %c: {ct}, %s: {ct}) -> {qt} {{
  %o = tensor.empty() : {qt}
  %r = sinter.attention ins(%q, %k, %v : {qt}, {kt}, {kt}) rope(%c, %s : {ct}, {ct}) outs(%o : {qt})
      {{mask = #sinter.mask<causal>, query_offset = {off} : i64}} -> {qt}
  return %r : {qt}
}}"""
(o,) = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32"), Arg(cos, "f32"), Arg(sin, "f32")],
           [("f32", q.shape)])
qr = rope(q, cos[off:], sin[off:])
kr = rope(k, cos, sin)
check("rope inside attention", o, attention(qr, kr, v, mask="causal", query_offset=off)[0], 1e-5, 1e-5)
