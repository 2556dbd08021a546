# KV-cache quantization round trips: int8 per-token and per-channel (exact
# scales and codes against numpy), and fp8-e4m3 per-token, on ragged shapes.
# Round-trip error bounds: int8 |x - x'| <= scale / 2; fp8 relative 2^-4.
# RUN: %python %s | FileCheck %s
# CHECK: PASS int8 per_token codes
# CHECK: PASS int8 per_token round trip
# CHECK: PASS int8 per_channel codes
# CHECK: PASS int8 per_channel round trip
# CHECK: PASS fp8 per_token round trip
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(9)
H, S, D = 2, 13, 19
x = round_to(r.standard_normal((H, S, D)) * 3, "f16")
x[1, 4, :] = 0.0                                   # an all-zero token


def module(qdt, gran, sshape):
    xt, qt, st = T(x.shape, "f16"), T(x.shape, qdt), T(sshape, "f32")
    return f"""
func.func @f(%x: {xt}) -> ({qt}, {st}, {xt}) {{
  %q0 = tensor.empty() : {qt}
  %s0 = tensor.empty() : {st}
  %q, %s = sinter.kv.quantize ins(%x : {xt}) outs(%q0, %s0 : {qt}, {st})
      {{granularity = #sinter.granularity<{gran}>}} -> {qt}, {st}
  %y0 = tensor.empty() : {xt}
  %y = sinter.kv.dequantize ins(%q, %s : {qt}, {st}) outs(%y0 : {xt})
      {{granularity = #sinter.granularity<{gran}>}} -> {xt}
  return %q, %s, %y : {qt}, {st}, {xt}
}}"""


for gran, axis in [("per_token", -1), ("per_channel", -2)]:
    sshape = tuple(np.delete(np.array(x.shape), axis % 3))
    q, s, y = run(module("i8", gran, sshape), "f", [Arg(x, "f16")],
                  [("i8", x.shape), ("f32", sshape), ("f16", x.shape)])
    amax = np.abs(x).max(axis).astype(np.float32)
    want_s = np.where(amax == 0, np.float32(1), amax / np.float32(127))
    check(f"int8 {gran} scales", s, want_s, 0)
    sexp = np.expand_dims(want_s, axis)
    want_q = np.clip(np.round(x.astype(np.float32) / sexp), -127, 127)
    check(f"int8 {gran} codes", q, want_q, 0)
    # Dequantized values are rounded to f16 on output (relative 2^-11).
    err = np.abs(y - x) - (sexp / 2 + np.abs(x) * 2 ** -10)
    assert err.max() <= 0, f"round trip error exceeds scale/2 by {err.max()}"
    print(f"PASS int8 {gran} round trip: max |x - x'| / scale = {(np.abs(y - x) / sexp).max():.3f}")

q, s, y = run(module("f8E4M3FN", "per_token", (H, S)), "f", [Arg(x, "f16")],
              [("f8E4M3FN", x.shape), ("f32", (H, S)), ("f16", x.shape)])
amax = np.abs(x).max(-1)
check("fp8 scales", s, np.where(amax == 0, 1, amax / 448), 0, 1e-6)
rel = np.abs(y - x) / (amax[..., None] + 1e-30)
# e4m3 has 3 mantissa bits: relative rounding error <= 2^-4 of |x|, plus
# subnormal flush near zero (bounded relative to the row maximum).
ok = np.abs(y - x) <= np.abs(x) * 2 ** -4 + amax[..., None] * 2 ** -9 + 1e-3
assert ok.all(), f"fp8 round trip out of bounds at {np.argwhere(~ok)[0]}"
print(f"PASS fp8 per_token round trip: max |x - x'| / rowmax = {rel.max():.4f}")
