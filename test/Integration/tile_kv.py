# KV-cache ops tiled through their TilingInterface (--sinter-tile, default
# and pinned ragged tiles) against numpy and the untiled decomposition:
# gather per (sequence, head), append per head (padding, out-of-range and
# repeated slots), int8 quantize/dequantize per token and per channel.
# RUN: %python %s | FileCheck %s
# CHECK: PASS tiled gather
# CHECK: PASS tiled gather pinned
# CHECK: PASS tiled append
# CHECK: PASS tiled quantize per_token codes
# CHECK: PASS tiled quantize per_token scales
# CHECK: PASS tiled dequantize per_token
# CHECK: PASS tiled quantize per_channel codes
# CHECK: PASS tiled quantize per_channel scales
# CHECK: PASS tiled dequantize per_channel
import subprocess
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, sinter_opt, tensor_type as T

r = rng(31)
TILE = "--sinter-attach-target=target=x86-avx512 --sinter-tile"


def tiled_run(mod, *a):
    out = subprocess.run([sinter_opt(), *TILE.split()], input=mod, capture_output=True, text=True, check=True).stdout
    assert "scf.forall" in out and 'sinter.memory_level = "l2"' in out, out
    return run(mod, *a, extra_passes=TILE)


# Gather: ragged lengths, garbage table entries past each sequence's end.
NB, BS, H, D = 7, 4, 3, 5
lens = np.array([9, 0, 4])
table = np.array([[3, 0, 6, -1], [-1, 99, -7, 2], [5, 1000, -1, -1]])
B, MB = table.shape
S = 11
cache = r.standard_normal((NB, BS, H, D)).astype(np.float32)
want = np.zeros((B, H, S, D))
for b in range(B):
    for s in range(lens[b]):
        want[b, :, s] = cache[table[b, s // BS], s % BS]
ct, btt, lt, ot = T(cache.shape, "f32"), T(table.shape, "i64"), T((B,), "i32"), T((B, H, S, D), "f32")
for name, attrs in (("tiled gather", ""), ("tiled gather pinned", " {sinter.tile_sizes = array<i64: 2, 2, 0, 3>}")):
    mod = f"""
func.func @f(%c: {ct}, %bt: {btt}, %l: {lt}) -> {ot} {{
  %o = tensor.empty() : {ot}
  %g = sinter.kv.gather ins(%c, %bt, %l : {ct}, {btt}, {lt}) outs(%o : {ot}){attrs} -> {ot}
  return %g : {ot}
}}"""
    (got,) = tiled_run(mod, "f", [Arg(cache, "f32"), Arg(table, "i64"), Arg(lens, "i32")], [("f32", (B, H, S, D))])
    check(name, got, want, 0)

# Append per head: padding (-1), out of range (15), slot 4 written twice.
NB, BS, H, D = 5, 3, 3, 4
slots = np.array([4, -1, 14, 0, 4, 15, 7])
cache = round_to(r.standard_normal((NB, BS, H, D)), "bf16")
new = round_to(r.standard_normal((len(slots), H, D)), "bf16")
ct, ut, stt = T(cache.shape, "bf16"), T(new.shape, "bf16"), T((len(slots),), "i32")
mod = f"""
func.func @f(%c: {ct}, %u: {ut}, %s: {stt}) -> {ct} {{
  %r = sinter.kv.append ins(%u, %s : {ut}, {stt}) outs(%c : {ct}) -> {ct}
  return %r : {ct}
}}"""
(got,) = tiled_run(mod, "f", [Arg(cache, "bf16"), Arg(new, "bf16"), Arg(slots, "i32")], [("bf16", cache.shape)])
want = cache.astype(np.float64).copy()
for t, s in enumerate(slots):
    if 0 <= s < NB * BS:
        want[s // BS, s % BS] = new[t]
check("tiled append", got, want, 0)

# Quantize + dequantize, pinned tiles that do not divide the shape.
Hq, Sq, Dq = 2, 13, 19
x = round_to(r.standard_normal((Hq, Sq, Dq)) * 3, "f16")
x[1, 4, :] = 0.0
for gran, axis, pin in (("per_token", -1, "1, 4, 0"), ("per_channel", -2, "1, 0, 5")):
    sshape = tuple(np.delete(np.array(x.shape), axis % 3))
    xt, qt, st = T(x.shape, "f16"), T(x.shape, "i8"), T(sshape, "f32")
    mod = f"""
func.func @f(%x: {xt}) -> ({qt}, {st}, {xt}) {{
  %q0 = tensor.empty() : {qt}
  %s0 = tensor.empty() : {st}
  %q, %s = sinter.kv.quantize ins(%x : {xt}) outs(%q0, %s0 : {qt}, {st})
      {{granularity = #sinter.granularity<{gran}>, sinter.tile_sizes = array<i64: {pin}>}} -> {qt}, {st}
  %y0 = tensor.empty() : {xt}
  %y = sinter.kv.dequantize ins(%q, %s : {qt}, {st}) outs(%y0 : {xt})
      {{granularity = #sinter.granularity<{gran}>, sinter.tile_sizes = array<i64: {pin.replace("0", "7")}>}} -> {xt}
  return %q, %s, %y : {qt}, {st}, {xt}
}}"""
    res = [("i8", x.shape), ("f32", sshape), ("f16", x.shape)]
    q, s, y = tiled_run(mod, "f", [Arg(x, "f16")], res)
    q0, s0, y0 = run(mod, "f", [Arg(x, "f16")], res)
    amax = np.abs(x).max(axis).astype(np.float32)
    want_s = np.where(amax == 0, np.float32(1), amax / np.float32(127))
    want_q = np.clip(np.round(x.astype(np.float32) / np.expand_dims(want_s, axis)), -127, 127)
    check(f"tiled quantize {gran} codes", q, want_q, 0)
    check(f"tiled quantize {gran} scales", s, want_s, 0)
    check(f"tiled dequantize {gran}", y, y0, 0)
