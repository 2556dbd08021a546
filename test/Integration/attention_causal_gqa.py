# Causal GQA attention with a query offset (queries are the last Sq of Skv
# positions), ragged sizes, f16 inputs, the log-sum-exp output, and MQA
# without a mask in bf16.
# RUN: %python %s | FileCheck %s
# CHECK: PASS causal gqa output
# CHECK: PASS causal gqa lse
# CHECK: PASS mqa bf16
# CHECK: PASS bshd layout output
# CHECK: PASS bshd layout lse
import numpy as np
from refs import attention, rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(21)
B, Hq, Hkv, Sq, Skv, D = 2, 6, 2, 13, 29, 24
off = Skv - Sq
q = round_to(r.standard_normal((B, Hq, Sq, D)), "f16")
k = round_to(r.standard_normal((B, Hkv, Skv, D)), "f16")
v = round_to(r.standard_normal((B, Hkv, Skv, D)), "f16")
qt, kt, ot, lt = T(q.shape, "f16"), T(k.shape, "f16"), T((B, Hq, Sq, D), "f16"), T((B, Hq, Sq), "f32")
mod = f"""
func.func @f(%q: {qt}, %k: {kt}, %v: {kt}) -> ({ot}, {lt}) {{
  %o = tensor.empty() : {ot}
  %l = tensor.empty() : {lt}
  %r:2 = sinter.attention ins(%q, %k, %v : {qt}, {kt}, {kt}) outs(%o, %l : {ot}, {lt})
      {{mask = #sinter.mask<causal>, query_offset = {off} : i64}} -> {ot}, {lt}
  return %r#0, %r#1 : {ot}, {lt}
}}"""
o, lse = run(mod, "f", [Arg(q, "f16"), Arg(k, "f16"), Arg(v, "f16")], [("f16", (B, Hq, Sq, D)), ("f32", (B, Hq, Sq))])
want_o, want_lse = attention(q, k, v, mask="causal", query_offset=off)
check("causal gqa output", o, want_o, 2e-3, 2e-3)
check("causal gqa lse", lse, want_lse, 1e-4, 1e-5)

# MQA (one K/V head), no mask, explicit scale, bf16.
B, Hq, Hkv, Sq, Skv, D = 1, 4, 1, 7, 18, 16
q = round_to(r.standard_normal((B, Hq, Sq, D)), "bf16")
k = round_to(r.standard_normal((B, Hkv, Skv, D)), "bf16")
v = round_to(r.standard_normal((B, Hkv, Skv, D)), "bf16")
qt, kt, ot = T(q.shape, "bf16"), T(k.shape, "bf16"), T(q.shape, "bf16")
mod = f"""
func.func @f(%q: {qt}, %k: {kt}, %v: {kt}) -> {ot} {{
  %o = tensor.empty() : {ot}
  %r = sinter.attention ins(%q, %k, %v : {qt}, {kt}, {kt}) outs(%o : {ot}) {{scale = 0.3 : f32}} -> {ot}
  return %r : {ot}
}}"""
(o,) = run(mod, "f", [Arg(q, "bf16"), Arg(k, "bf16"), Arg(v, "bf16")], [("bf16", q.shape)])
check("mqa bf16", o, attention(q, k, v, scale=0.3)[0], 1e-2, 1e-2)

# Token-major layout ([B, S, H, D]) with GQA, causal with an offset, LSE.
B, Hq, Hkv, Sq, Skv, D = 2, 4, 2, 6, 11, 8
q = r.standard_normal((B, Sq, Hq, D)).astype(np.float32)
k = r.standard_normal((B, Skv, Hkv, D)).astype(np.float32)
v = r.standard_normal((B, Skv, Hkv, D)).astype(np.float32)
qt, kt, lt = T(q.shape, "f32"), T(k.shape, "f32"), T((B, Hq, Sq), "f32")
mod = f"""
func.func @f(%q: {qt}, %k: {kt}, %v: {kt}) -> ({qt}, {lt}) {{
  %o = tensor.empty() : {qt}
  %l = tensor.empty() : {lt}
  %r:2 = sinter.attention ins(%q, %k, %v : {qt}, {kt}, {kt}) outs(%o, %l : {qt}, {lt})
      {{layout = #sinter.layout<bshd>, mask = #sinter.mask<causal>, query_offset = 5 : i64}} -> {qt}, {lt}
  return %r#0, %r#1 : {qt}, {lt}
}}"""
o, lse = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")], [("f32", q.shape), ("f32", (B, Hq, Sq))])
want_o, want_lse = attention(q.transpose(0, 2, 1, 3), k.transpose(0, 2, 1, 3), v.transpose(0, 2, 1, 3),
                             mask="causal", query_offset=5)
check("bshd layout output", o, want_o.transpose(0, 2, 1, 3), 1e-5, 1e-5)
check("bshd layout lse", lse, want_lse, 1e-5, 1e-5)
