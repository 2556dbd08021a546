# Appending into a paged cache in place: rows land at slot / block_size and
# slot % block_size, padding (negative) and out-of-range slots are skipped,
# a repeated slot keeps the later token, and every other slot keeps its old
# contents. Checked for f32 and bf16 caches with i32 and index slots.
# RUN: %python %s | FileCheck %s
# CHECK: PASS append f32 i32-slots
# CHECK: PASS append bf16 index-slots
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(23)
NB, BS, H, D = 5, 3, 2, 4
slots = np.array([4, -1, 14, 0, 4, 15, 7])      # 4 twice, 15 out of range
Tn = len(slots)
for dt, st in [("f32", "i32"), ("bf16", "index")]:
    cache = round_to(r.standard_normal((NB, BS, H, D)), dt)
    new = round_to(r.standard_normal((Tn, H, D)), dt)
    ct, ut, stt = T(cache.shape, dt), T(new.shape, dt), T((Tn,), st)
    mod = f"""
func.func @f(%c: {ct}, %u: {ut}, %s: {stt}) -> {ct} {{
  %r = sinter.kv.append ins(%u, %s : {ut}, {stt}) outs(%c : {ct}) -> {ct}
  return %r : {ct}
}}"""
    (got,) = run(mod, "f", [Arg(cache, dt), Arg(new, dt), Arg(slots, st)], [(dt, cache.shape)])
    want = cache.astype(np.float64).copy()
    for t, s in enumerate(slots):
        if 0 <= s < NB * BS:
            want[s // BS, s % BS] = new[t]
    check(f"append {dt} {st}-slots", got, want, 0)
