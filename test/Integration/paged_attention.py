# Paged KV cache: append new tokens of several sequences into a shuffled
# block cache (with padding slots), gather them back, and run decode and
# chunked-prefill attention through the block table. Checked against dense
# attention over each sequence's own K/V.
# RUN: %python %s | FileCheck %s
# CHECK: PASS gather
# CHECK: PASS decode output
# CHECK: PASS decode lse
# CHECK: PASS chunked prefill
import numpy as np
from refs import attention, rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(42)
NB, BS, Hkv, Hq, D = 12, 4, 2, 4, 16
MB = 5                                  # blocks per sequence in the table
lens = np.array([7, 18, 11])            # ragged, not multiples of BS
B = len(lens)
# Each sequence owns distinct, shuffled physical blocks.
perm = r.permutation(NB)
table = np.full((B, MB), -1)
used = 0
for b, n in enumerate(lens):
    nblk = -(-n // BS)
    table[b, :nblk] = perm[used:used + nblk]
    used += nblk

# Tokens to append: all tokens of all sequences, plus two padding rows.
keys = [round_to(r.standard_normal((n, Hkv, D)), "f16") for n in lens]
vals = [round_to(r.standard_normal((n, Hkv, D)), "f16") for n in lens]
slots = np.concatenate([[table[b, t // BS] * BS + t % BS for t in range(n)]
                        for b, n in enumerate(lens)] + [[-1, -1]])
T_new = len(slots)
pad = np.zeros((2, Hkv, D))
knew = np.concatenate(keys + [pad])
vnew = np.concatenate(vals + [pad])
cache0 = round_to(r.standard_normal((NB, BS, Hkv, D)), "f16")  # stale contents

S = MB * BS
ct, ut, st = T((NB, BS, Hkv, D), "f16"), T((T_new, Hkv, D), "f16"), T((T_new,), "i64")
btt, lt, gt = T((B, MB), "i32"), T((B,), "i32"), T((B, Hkv, S, D), "f16")


def module(Sq, mask):
    qt, ot, lset = T((B, Hq, Sq, D), "f16"), T((B, Hq, Sq, D), "f16"), T((B, Hq, Sq), "f32")
    return f"""
func.func @f(%cache: {ct}, %knew: {ut}, %vnew: {ut}, %slots: {st}, %bt: {btt}, %lens: {lt}, %q: {qt})
    -> ({gt}, {ot}, {lset}) {{
  %kc = sinter.kv.append ins(%knew, %slots : {ut}, {st}) outs(%cache : {ct}) -> {ct}
  %vc = sinter.kv.append ins(%vnew, %slots : {ut}, {st}) outs(%cache : {ct}) -> {ct}
  %g0 = tensor.empty() : {gt}
  %kg = sinter.kv.gather ins(%kc, %bt, %lens : {ct}, {btt}, {lt}) outs(%g0 : {gt}) -> {gt}
  %o0 = tensor.empty() : {ot}
  %l0 = tensor.empty() : {lset}
  %o:2 = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : {qt}, {ct}, {ct}, {btt}, {lt})
      outs(%o0, %l0 : {ot}, {lset}) {{mask = #sinter.mask<{mask}>}} -> {ot}, {lset}
  return %kg, %o#0, %o#1 : {gt}, {ot}, {lset}
}}"""


def reference(q, mask):
    Sq = q.shape[2]
    o = np.zeros((B, Hq, Sq, D))
    lse = np.zeros((B, Hq, Sq))
    for b, n in enumerate(lens):
        k = keys[b].transpose(1, 0, 2)[None]
        v = vals[b].transpose(1, 0, 2)[None]
        ob, lb = attention(q[b:b + 1], k, v, mask=mask, query_offset=n - Sq)
        o[b], lse[b] = ob[0], lb[0]
    return o, lse


for Sq, mask, name in [(1, "none", "decode"), (5, "causal", "chunked prefill")]:
    q = round_to(r.standard_normal((B, Hq, Sq, D)), "f16")
    args = [Arg(cache0, "f16"), Arg(knew, "f16"), Arg(vnew, "f16"), Arg(slots, "i64"),
            Arg(table, "i32"), Arg(lens, "i32"), Arg(q, "f16")]
    kg, o, lse = run(module(Sq, mask), "f", args,
                     [("f16", (B, Hkv, S, D)), ("f16", (B, Hq, Sq, D)), ("f32", (B, Hq, Sq))])
    want_o, want_lse = reference(q, mask)
    if Sq == 1:
        want_k = np.zeros((B, Hkv, S, D))
        for b, n in enumerate(lens):
            want_k[b, :, :n] = keys[b].transpose(1, 0, 2)
        check("gather", kg, want_k, 0)
        check("decode output", o, want_o, 2e-3, 2e-3)
        check("decode lse", lse, want_lse, 1e-4, 1e-5)
    else:
        check("chunked prefill", o, want_o, 2e-3, 2e-3)
