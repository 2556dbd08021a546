# Rotary embeddings: half (NeoX/LLaMA) pairing on [B, H, S, D]; interleaved
# (GPT-J) pairing with partial rotary dimension on [B, S, H, D] (seq_dim=1).
# RUN: %python %s | FileCheck %s
# CHECK: PASS rope half
# CHECK: PASS rope interleaved partial
import numpy as np
from refs import rng, rope
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(4)


def tables(S, half, base=10000.0, offset=0):
    inv = base ** (-np.arange(half) / half)
    ang = (np.arange(S)[:, None] + offset) * inv[None, :]
    return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)


x = round_to(r.standard_normal((2, 3, 9, 16)), "f16")
cos, sin = tables(9, 8, offset=5)
xt, ct = T(x.shape, "f16"), T(cos.shape, "f32")
mod = f"""
func.func @f(%x: {xt}, %c: {ct}, %s: {ct}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.rope ins(%x, %c, %s : {xt}, {ct}, {ct}) outs(%i : {xt}) -> {xt}
  return %y : {xt}
}}"""
(y,) = run(mod, "f", [Arg(x, "f16"), Arg(cos, "f32"), Arg(sin, "f32")], [("f16", x.shape)])
check("rope half", y, rope(x, cos, sin, "half"), 2e-3, 2e-3)

x = r.standard_normal((1, 7, 2, 12)).astype(np.float32)
cos, sin = tables(7, 4)            # rotary dim 8 of 12
xt, ct = T(x.shape, "f32"), T(cos.shape, "f32")
mod = f"""
func.func @f(%x: {xt}, %c: {ct}, %s: {ct}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.rope ins(%x, %c, %s : {xt}, {ct}, {ct}) outs(%i : {xt})
      {{mode = #sinter.rope_mode<interleaved>, seq_dim = 1 : i64}} -> {xt}
  return %y : {xt}
}}"""
(y,) = run(mod, "f", [Arg(x, "f32"), Arg(cos, "f32"), Arg(sin, "f32")], [("f32", x.shape)])
check("rope interleaved partial", y, rope(x, cos, sin, "interleaved", seq_axis=1), 1e-6, 1e-6)
