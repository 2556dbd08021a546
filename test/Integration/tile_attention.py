# The flash form of sinter.attention (--sinter-tile) against float64 numpy
# and against the untiled reference decomposition, on ragged shapes (no
# extent is a multiple of its block): causal GQA with a query offset,
# sliding window + softcap + bias with LSE, token-major layout with RoPE,
# rows that see no key, and split-KV decode (flash-decoding) with LSE.
# RUN: %python %s | FileCheck %s
# CHECK: PASS causal gqa tiled
# CHECK: PASS causal gqa tiled = untiled
# CHECK: PASS window softcap bias tiled
# CHECK: PASS window softcap bias lse tiled
# CHECK: PASS bshd rope tiled
# CHECK: PASS empty rows tiled
# CHECK: PASS empty rows lse tiled
# CHECK: PASS split-kv decode tiled
# CHECK: PASS split-kv decode lse tiled
# CHECK: PASS split-kv causal chunk tiled
# CHECK: PASS model-chosen tiles
import numpy as np
from refs import attention, rope, rng
from harness import Arg, check, run, tensor_type as T

r = rng(11)
TILE = "--sinter-attach-target=target=x86-avx512 --sinter-tile"


def module(q, k, v, attrs, bias=None, lse=False, rope_tables=None, layout_bshd=False):
    qt, kt, vt = T(q.shape, "f32"), T(k.shape, "f32"), T(v.shape, "f32")
    if layout_bshd:
        B, S, H, _ = q.shape
    else:
        B, H, S, _ = q.shape
    ot = T(q.shape[:3] + (v.shape[3],), "f32")
    lt = T((B, H, S), "f32")
    params = [f"%q: {qt}", f"%k: {kt}", f"%v: {vt}"]
    extra = ""
    if bias is not None:
        params.append(f"%bias: {T(bias.shape, 'f32')}")
        extra += f" bias(%bias : {T(bias.shape, 'f32')})"
    if rope_tables is not None:
        ct = T(rope_tables[0].shape, "f32")
        params += [f"%c: {ct}", f"%s: {ct}"]
        extra += f" rope(%c, %s : {ct}, {ct})"
    outs = f"%o, %l : {ot}, {lt}" if lse else f"%o : {ot}"
    res = f"{ot}, {lt}" if lse else ot
    ret = "%r#0, %r#1" if lse else "%r"
    name = "%r:2" if lse else "%r"
    return f"""
func.func @f({", ".join(params)}) -> ({res}) {{
  %o = tensor.empty() : {ot}
  %l = tensor.empty() : {lt}
  {name} = sinter.attention ins(%q, %k, %v : {qt}, {kt}, {vt}){extra} outs({outs}) {{{attrs}}} -> {res}
  return {ret} : {res}
}}"""


def both(mod, args, results):
    tiled = run(mod, "f", args, results, extra_passes=TILE)
    untiled = run(mod, "f", args, results)
    return tiled, untiled


def f32(*shape, s=1.0):
    return (r.standard_normal(shape) * s).astype(np.float32)


# Causal GQA, 4 query heads on 2 KV heads, query offset 3; blocks 4 x 5.
q, k, v = f32(2, 4, 10, 16), f32(2, 2, 13, 16), f32(2, 2, 13, 8)
mod = module(q, k, v, "mask = #sinter.mask<causal>, query_offset = 3 : i64, "
             "sinter.tile_sizes = array<i64: 4, 5, 1>")
(o,), (ref,) = both(mod, [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")], [("f32", (2, 4, 10, 8))])
check("causal gqa tiled", o, attention(q, k, v, mask="causal", query_offset=3)[0], 1e-5, 1e-4)
check("causal gqa tiled = untiled", o, ref, 1e-5, 1e-4)

# Sliding window 5, softcap, bias broadcast over batch; LSE too.
q, k, v = f32(2, 4, 17, 8, s=2), f32(2, 2, 17, 8, s=2), f32(2, 2, 17, 8)
bias = f32(1, 4, 17, 17)
mod = module(q, k, v, "mask = #sinter.mask<sliding_window>, window = 5 : i64, softcap = 2.5 : f32, "
             "sinter.tile_sizes = array<i64: 3, 4, 1>", bias=bias, lse=True)
o, lse = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32"), Arg(bias, "f32")],
             [("f32", q.shape), ("f32", (2, 4, 17))], extra_passes=TILE)
want_o, want_lse = attention(q, k, v, mask="sliding_window", window=5, softcap=2.5, bias=bias)
check("window softcap bias tiled", o, want_o, 1e-5, 1e-4)
check("window softcap bias lse tiled", lse, want_lse, 1e-5, 1e-5)

# Token-major [B, S, H, D] with RoPE (interleaved) and a query offset.
B, Sq, Skv, Hq, Hkv, D = 1, 5, 11, 6, 2, 8
q, k, v = f32(B, Sq, Hq, D), f32(B, Skv, Hkv, D), f32(B, Skv, Hkv, D)
ang = np.arange(Skv)[:, None] * 10000.0 ** (-np.arange(D // 2) / (D // 2))
cos, sin = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
mod = module(q, k, v, "mask = #sinter.mask<causal>, query_offset = 6 : i64, "
             "layout = #sinter.layout<bshd>, rope_mode = #sinter.rope_mode<interleaved>, "
             "sinter.tile_sizes = array<i64: 2, 3, 1>", rope_tables=(cos, sin), layout_bshd=True)
(o,) = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32"), Arg(cos, "f32"), Arg(sin, "f32")],
           [("f32", q.shape)], extra_passes=TILE)
hm = lambda t: t.transpose(0, 2, 1, 3)
qr = rope(hm(q), cos[6:], sin[6:], mode="interleaved")
kr = rope(hm(k), cos, sin, mode="interleaved")
check("bshd rope tiled", o, hm(attention(qr, kr, hm(v), mask="causal", query_offset=6)[0]), 1e-5, 1e-4)

# query_offset -3: the first three queries see no key.
q, k, v = f32(1, 2, 9, 8), f32(1, 2, 9, 8), f32(1, 2, 9, 8)
mod = module(q, k, v, "mask = #sinter.mask<causal>, query_offset = -3 : i64, "
             "sinter.tile_sizes = array<i64: 2, 4, 1>", lse=True)
o, lse = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")],
             [("f32", q.shape), ("f32", (1, 2, 9))], extra_passes=TILE)
want_o, want_lse = attention(q, k, v, mask="causal", query_offset=-3)
assert np.all(o[:, :, :3] == 0) and np.all(np.isneginf(lse[:, :, :3]))
check("empty rows tiled", o, want_o, 1e-5, 1e-4)
check("empty rows lse tiled", lse, want_lse, 1e-5, 1e-5)

# Decode: one query token, 37 keys, blocks of 4 split 3 ways (10 blocks:
# splits of 4, 4 and 2 blocks), MQA (4 heads on 1 KV head), LSE.
q, k, v = f32(2, 4, 1, 16), f32(2, 1, 37, 16), f32(2, 1, 37, 8)
mod = module(q, k, v, "sinter.tile_sizes = array<i64: 1, 4, 3>", lse=True)
o, lse = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")],
             [("f32", (2, 4, 1, 8)), ("f32", (2, 4, 1))], extra_passes=TILE)
want_o, want_lse = attention(q, k, v)
check("split-kv decode tiled", o, want_o, 1e-5, 1e-4)
check("split-kv decode lse tiled", lse, want_lse, 1e-5, 1e-5)

# A causal prefill chunk split 4 ways: some splits of early tiles are empty.
q, k, v = f32(1, 2, 6, 8), f32(1, 2, 19, 8), f32(1, 2, 19, 8)
mod = module(q, k, v, "mask = #sinter.mask<causal>, query_offset = 13 : i64, "
             "sinter.tile_sizes = array<i64: 4, 3, 4>")
(o,) = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")], [("f32", q.shape)], extra_passes=TILE)
check("split-kv causal chunk tiled", o, attention(q, k, v, mask="causal", query_offset=13)[0], 1e-5, 1e-4)

# No pin: the cost model picks the blocks (one tile covers this small problem).
q, k, v = f32(1, 2, 33, 16), f32(1, 2, 33, 16), f32(1, 2, 33, 16)
mod = module(q, k, v, "mask = #sinter.mask<causal>")
(o,) = run(mod, "f", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")], [("f32", q.shape)], extra_passes=TILE)
check("model-chosen tiles", o, attention(q, k, v, mask="causal")[0], 1e-5, 1e-4)
