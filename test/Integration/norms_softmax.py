# RMSNorm (bf16 in, f32 out), LayerNorm (f32, rank 3, ragged rows) and
# softmax along a non-last dimension (f16).
# RUN: %python %s | FileCheck %s
# CHECK: PASS rms_norm
# CHECK: PASS layer_norm
# CHECK: PASS softmax dim 0
import numpy as np
from refs import layer_norm, rms_norm, rng, softmax
from harness import Arg, check, round_to, run, tensor_type as T

r = rng(2)
x = round_to(r.standard_normal((7, 45)) * 2, "bf16")
g = round_to(r.standard_normal(45), "bf16")
mod = f"""
func.func @f(%x: {T(x.shape, 'bf16')}, %g: {T(g.shape, 'bf16')}) -> {T(x.shape, 'f32')} {{
  %i = tensor.empty() : {T(x.shape, 'f32')}
  %y = sinter.rms_norm ins(%x, %g : {T(x.shape, 'bf16')}, {T(g.shape, 'bf16')}) outs(%i : {T(x.shape, 'f32')})
      {{epsilon = 1.0e-05 : f32}} -> {T(x.shape, 'f32')}
  return %y : {T(x.shape, 'f32')}
}}"""
(y,) = run(mod, "f", [Arg(x, "bf16"), Arg(g, "bf16")], [("f32", x.shape)])
check("rms_norm", y, rms_norm(x, g, 1e-5), 1e-5, 1e-5)

x = r.standard_normal((2, 5, 33)).astype(np.float32) + 3
g = r.standard_normal(33).astype(np.float32)
bb = r.standard_normal(33).astype(np.float32)
xt, pt = T(x.shape, "f32"), T(g.shape, "f32")
mod = f"""
func.func @f(%x: {xt}, %g: {pt}, %b: {pt}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.layer_norm ins(%x, %g, %b : {xt}, {pt}, {pt}) outs(%i : {xt}) -> {xt}
  return %y : {xt}
}}"""
(y,) = run(mod, "f", [Arg(x, "f32"), Arg(g, "f32"), Arg(bb, "f32")], [("f32", x.shape)])
check("layer_norm", y, layer_norm(x, g, bb, 1e-5), 1e-5, 1e-5)

x = round_to(r.standard_normal((11, 6)) * 4, "f16")
xt = T(x.shape, "f16")
mod = f"""
func.func @f(%x: {xt}) -> {xt} {{
  %i = tensor.empty() : {xt}
  %y = sinter.softmax ins(%x : {xt}) outs(%i : {xt}) {{dim = 0 : i64}} -> {xt}
  return %y : {xt}
}}"""
(y,) = run(mod, "f", [Arg(x, "f16")], [("f16", x.shape)])
check("softmax dim 0", y, softmax(x, 0), 1e-3, 1e-3)
