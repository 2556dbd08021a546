# Gathering ragged sequences from a paged cache whose block tables hold
# garbage (-1 and out-of-range ids) past each sequence's end: those entries
# are never read, and positions past the end come back as zeros.
# RUN: %python %s | FileCheck %s
# CHECK: PASS gather i64 table
# CHECK: PASS gather index table
import numpy as np
from refs import rng
from harness import Arg, check, run, tensor_type as T

r = rng(29)
NB, BS, H, D = 7, 4, 3, 5
lens = np.array([9, 0, 4])
table = np.array([[3, 0, 6, -1], [-1, 99, -7, 2], [5, 1000, -1, -1]])
B, MB = table.shape
S = 11                                             # < MB * BS, > every length
cache = r.standard_normal((NB, BS, H, D)).astype(np.float32)
want = np.zeros((B, H, S, D))
for b in range(B):
    for s in range(lens[b]):
        want[b, :, s] = cache[table[b, s // BS], s % BS]
for it in ["i64", "index"]:
    ct, btt, lt, ot = T(cache.shape, "f32"), T(table.shape, it), T((B,), "i32"), T((B, H, S, D), "f32")
    mod = f"""
func.func @f(%c: {ct}, %bt: {btt}, %l: {lt}) -> {ot} {{
  %o = tensor.empty() : {ot}
  %g = sinter.kv.gather ins(%c, %bt, %l : {ct}, {btt}, {lt}) outs(%o : {ot}) -> {ot}
  return %g : {ot}
}}"""
    (got,) = run(mod, "f", [Arg(cache, "f32"), Arg(table, it), Arg(lens, "i32")], [("f32", (B, H, S, D))])
    check(f"gather {it} table", got, want, 0)
