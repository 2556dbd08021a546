# Norms, softmax and RoPE tiled through their TilingInterface
# (--sinter-tile, pinned ragged tiles and model-chosen ones) against numpy
# and, bit for bit, against the untiled decomposition.
# RUN: %python %s | FileCheck %s
# CHECK: PASS tiled rms_norm
# CHECK: PASS tiled rms_norm = untiled
# CHECK: PASS tiled layer_norm
# CHECK: PASS tiled layer_norm = untiled
# CHECK: PASS tiled softmax dim 1
# CHECK: PASS tiled softmax dim 1 = untiled
# CHECK: PASS tiled rope seq_dim 1
# CHECK: PASS tiled rope seq_dim 1 = untiled
import subprocess
import numpy as np
from refs import layer_norm, rms_norm, rope, rng, softmax
from harness import Arg, check, run, sinter_opt, tensor_type as T

r = rng(37)
TILE = "--sinter-attach-target=target=x86-avx512 --sinter-tile"


def both(name, mod, args, shape, want, atol, rtol):
    out = subprocess.run([sinter_opt(), *TILE.split()], input=mod, capture_output=True, text=True, check=True).stdout
    assert "scf.forall" in out, out
    (got,) = run(mod, "f", args, [("f32", shape)], extra_passes=TILE)
    (ref,) = run(mod, "f", args, [("f32", shape)])
    check(name, got, want, atol, rtol)
    check(name + " = untiled", got, ref, 0)


x = r.standard_normal((3, 7, 40)).astype(np.float32)
g = r.standard_normal((40,)).astype(np.float32)
bta = r.standard_normal((40,)).astype(np.float32)
xt, gt = T(x.shape, "f32"), T(g.shape, "f32")
mod = f"""
func.func @f(%x: {xt}, %g: {gt}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.rms_norm ins(%x, %g : {xt}, {gt}) outs(%i : {xt}) {{epsilon = 1.0e-05 : f32, sinter.tile_sizes = array<i64: 2, 3, 0>}} -> {xt}
  return %y : {xt}
}}"""
both("tiled rms_norm", mod, [Arg(x, "f32"), Arg(g, "f32")], x.shape, rms_norm(x, g, 1e-5), 1e-5, 1e-5)

mod = f"""
func.func @f(%x: {xt}, %g: {gt}, %b: {gt}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.layer_norm ins(%x, %g, %b : {xt}, {gt}, {gt}) outs(%i : {xt}) -> {xt}
  return %y : {xt}
}}"""
both("tiled layer_norm", mod, [Arg(x, "f32"), Arg(g, "f32"), Arg(bta, "f32")], x.shape,
     layer_norm(x, g, bta, 1e-5), 1e-5, 1e-5)

mod = f"""
func.func @f(%x: {xt}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.softmax ins(%x : {xt}) outs(%i : {xt}) {{dim = 1 : i64, sinter.tile_sizes = array<i64: 1, 0, 16>}} -> {xt}
  return %y : {xt}
}}"""
both("tiled softmax dim 1", mod, [Arg(x, "f32")], x.shape, softmax(x, 1), 1e-6, 1e-5)

# RoPE on [B, S, H, D] with seq_dim 1: table rows follow the sequence tiles.
B, S, H, D = 2, 11, 3, 8
xr = r.standard_normal((B, S, H, D)).astype(np.float32)
ang = np.arange(S)[:, None] * 10000.0 ** (-np.arange(D // 2) / (D // 2))
cos, sin = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
xt, ct = T(xr.shape, "f32"), T(cos.shape, "f32")
mod = f"""
func.func @f(%x: {xt}, %c: {ct}, %s: {ct}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.rope ins(%x, %c, %s : {xt}, {ct}, {ct}) outs(%i : {xt}) {{seq_dim = 1 : i64, sinter.tile_sizes = array<i64: 1, 4, 2, 0>}} -> {xt}
  return %y : {xt}
}}"""
want = rope(xr.transpose(0, 2, 1, 3), cos, sin).transpose(0, 2, 1, 3)
both("tiled rope seq_dim 1", mod, [Arg(xr, "f32"), Arg(cos, "f32"), Arg(sin, "f32")], xr.shape, want, 1e-5, 1e-5)
