# Raising and fusion preserve results: programs written in linalg/tosa give
# the same numbers before and after `--sinter-graph-pipeline` (raise +
# fuse), including the bundled decoder block, a GEMM with a transposed
# output, an accumulating matmul, and a tosa bias + sigmoid epilogue.
# Results of the unfused program through --sinter-decompose are the
# reference; f32 results must agree to 1e-5.
# RUN: %python %s | FileCheck %s
# CHECK: PASS transposed-output gemm
# CHECK: PASS accumulating matmul
# CHECK: PASS tosa bias+sigmoid epilogue
# CHECK: PASS decoder block (graph pipeline)
# CHECK: PASS raised causal gqa attention
# CHECK: PASS raised sliding-window attention
# CHECK: PASS raised softcap attention
# CHECK: PASS raised token-major attention
# CHECK: PASS raised layer_norm
import os
import subprocess
import numpy as np
from refs import rng
from harness import Arg, check, run, sinter_opt, tensor_type as T

r = rng(51)


def same(name, mod, func, args, results, atol=1e-5):
    plain = run(mod, func, args, results)
    fused = run(mod, func, args, results, extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
    for i, (p, f) in enumerate(zip(plain, fused)):
        check(name if len(plain) == 1 else f"{name} #{i}", f, p, atol, atol)


a = r.standard_normal((5, 9)).astype(np.float32)
b = r.standard_normal((9, 7)).astype(np.float32)
c = r.standard_normal((7, 5)).astype(np.float32)
mod = f"""
func.func @f(%a: {T(a.shape,'f32')}, %b: {T(b.shape,'f32')}, %c: {T(c.shape,'f32')}) -> {T((7,5),'f32')} {{
  %0 = linalg.generic {{indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (n, m)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%a, %b : {T(a.shape,'f32')}, {T(b.shape,'f32')}) outs(%c : {T((7,5),'f32')}) {{
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }} -> {T((7,5),'f32')}
  return %0 : {T((7,5),'f32')}
}}"""
same("transposed-output gemm", mod, "f", [Arg(a, "f32"), Arg(b, "f32"), Arg(c, "f32")], [("f32", (7, 5))])
np.testing.assert_allclose(run(mod, "f", [Arg(a, "f32"), Arg(b, "f32"), Arg(c, "f32")], [("f32", (7, 5))])[0],
                           c + (a.astype(np.float64) @ b).T, rtol=1e-5, atol=1e-5)

x = r.standard_normal((2, 6, 11)).astype(np.float32)
w = r.standard_normal((2, 11, 4)).astype(np.float32)
acc = r.standard_normal((2, 6, 4)).astype(np.float32)
mod = f"""
func.func @f(%x: {T(x.shape,'f32')}, %w: {T(w.shape,'f32')}, %c: {T(acc.shape,'f32')}) -> {T(acc.shape,'f32')} {{
  %0 = linalg.batch_matmul ins(%x, %w : {T(x.shape,'f32')}, {T(w.shape,'f32')}) outs(%c : {T(acc.shape,'f32')}) -> {T(acc.shape,'f32')}
  return %0 : {T(acc.shape,'f32')}
}}"""
same("accumulating matmul", mod, "f", [Arg(x, "f32"), Arg(w, "f32"), Arg(acc, "f32")], [("f32", acc.shape)])

x = r.standard_normal((8, 16)).astype(np.float32)
w = r.standard_normal((16, 4)).astype(np.float32)
bias = r.standard_normal((1, 4)).astype(np.float32)
mod = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Dialect", "Sinter", "Transforms",
                        "graph-pipeline.mlir")).read()
same("tosa bias+sigmoid epilogue", mod, "mlp", [Arg(x, "f32"), Arg(w, "f32"), Arg(bias, "f32")], [("f32", (8, 4))])

import importlib.util
ex = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "decoder_block")
spec = importlib.util.spec_from_file_location("block_run", os.path.join(ex, "run.py"))
block = importlib.util.module_from_spec(spec)
spec.loader.exec_module(block)
params = block.make_inputs(3)
order = ["x", "attn_norm", "wq", "wk", "wv", "wo", "mlp_norm", "wgate", "wup", "wdown", "cos", "sin"]
same("decoder block (graph pipeline)", open(os.path.join(ex, "block_linalg.mlir")).read(), "decoder_block",
     [Arg(params[n], "f32") for n in order], [("f32", (block.S, block.HID))])

# The attention spellings of raise-attention.mlir (causal GQA with repeated
# heads, sliding window with an offset and a finite mask value), raised and
# compared with the numpy attention reference (linalg.softmax has no
# reference lowering of its own).
from refs import attention
tdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Dialect", "Sinter", "Transforms")
att = open(os.path.join(tdir, "raise-attention.mlir")).read().split("// -----")
q = r.standard_normal((4, 5, 8)).astype(np.float32)
k = r.standard_normal((2, 5, 8)).astype(np.float32)
v = r.standard_normal((2, 5, 8)).astype(np.float32)
(o,) = run(att[0], "causal_gqa", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")], [("f32", (4, 5, 8))],
           extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
want = attention(q[None], k[None], v[None], scale=0.353553385, mask="causal")[0][0]
check("raised causal gqa attention", o, want, 1e-5, 1e-5)
q = r.standard_normal((2, 2, 3, 4)).astype(np.float32)
k = r.standard_normal((2, 2, 7, 4)).astype(np.float32)
v = r.standard_normal((2, 2, 7, 4)).astype(np.float32)
(o,) = run(att[1], "sliding_window", [Arg(q, "f32"), Arg(k, "f32"), Arg(v, "f32")], [("f32", (2, 2, 3, 4))],
           extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
want = attention(q, k, v, scale=0.5, mask="sliding_window", window=3, query_offset=4)[0]
check("raised sliding-window attention", o, want, 1e-5, 1e-5)
q = r.standard_normal((2, 5, 16)).astype(np.float32) * 4
kt = r.standard_normal((2, 16, 5)).astype(np.float32) * 4
v = r.standard_normal((2, 5, 16)).astype(np.float32)
(o,) = run(att[3], "softcap", [Arg(q, "f32"), Arg(kt, "f32"), Arg(v, "f32")], [("f32", (2, 5, 16))],
           extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
want = attention(q[None], kt.transpose(0, 2, 1)[None], v[None], scale=0.25, softcap=30.0)[0][0]
check("raised softcap attention", o, want, 1e-5, 1e-5)
qs = r.standard_normal((5, 2, 8)).astype(np.float32)
ks = r.standard_normal((5, 2, 8)).astype(np.float32)
vs = r.standard_normal((5, 2, 8)).astype(np.float32)
(o,) = run(att[4], "token_major", [Arg(qs, "f32"), Arg(ks, "f32"), Arg(vs, "f32")], [("f32", (2, 5, 8))],
           extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
tm = lambda t: t.transpose(1, 0, 2)[None]
want = attention(tm(qs), tm(ks), tm(vs), scale=1.0)[0][0]
check("raised token-major attention", o, want, 1e-5, 1e-5)

# LayerNorm with the mean and the variance taken inside the reductions and
# no beta, raised and compared with numpy.
from refs import layer_norm
x = (r.standard_normal((6, 20)) * 2 + 1).astype(np.float32)
g = r.standard_normal(20).astype(np.float32)
ln_mod = f"""
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
#col = affine_map<(d0, d1) -> (d1)>
func.func @ln(%x: tensor<6x20xf32>, %g: tensor<20xf32>) -> tensor<6x20xf32> {{
  %zero = arith.constant 0.0 : f32
  %er = tensor.empty() : tensor<6xf32>
  %z = linalg.fill ins(%zero : f32) outs(%er : tensor<6xf32>) -> tensor<6xf32>
  %mean = linalg.generic {{indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}}
      ins(%x : tensor<6x20xf32>) outs(%z : tensor<6xf32>) {{
  ^bb0(%v: f32, %a: f32):
    %inv = arith.constant 0.05 : f32
    %t = arith.mulf %v, %inv : f32
    %s = arith.addf %a, %t : f32
    linalg.yield %s : f32
  }} -> tensor<6xf32>
  %var = linalg.generic {{indexing_maps = [#id, #row, #row], iterator_types = ["parallel", "reduction"]}}
      ins(%x, %mean : tensor<6x20xf32>, tensor<6xf32>) outs(%z : tensor<6xf32>) {{
  ^bb0(%v: f32, %m: f32, %a: f32):
    %d = arith.subf %v, %m : f32
    %d2 = arith.mulf %d, %d : f32
    %inv = arith.constant 0.05 : f32
    %t = arith.mulf %d2, %inv : f32
    %s = arith.addf %a, %t : f32
    linalg.yield %s : f32
  }} -> tensor<6xf32>
  %e = tensor.empty() : tensor<6x20xf32>
  %y = linalg.generic {{indexing_maps = [#id, #row, #row, #col, #id], iterator_types = ["parallel", "parallel"]}}
      ins(%x, %mean, %var, %g : tensor<6x20xf32>, tensor<6xf32>, tensor<6xf32>, tensor<20xf32>) outs(%e : tensor<6x20xf32>) {{
  ^bb0(%v: f32, %m: f32, %vv: f32, %gv: f32, %o: f32):
    %eps = arith.constant 1.0e-05 : f32
    %d = arith.subf %v, %m : f32
    %ve = arith.addf %vv, %eps : f32
    %sd = math.sqrt %ve : f32
    %n = arith.divf %d, %sd : f32
    %r = arith.mulf %gv, %n : f32
    linalg.yield %r : f32
  }} -> tensor<6x20xf32>
  return %y : tensor<6x20xf32>
}}"""
ir = subprocess.run([sinter_opt(), "--sinter-attach-target=target=nvidia-h100", "--sinter-graph-pipeline"], input=ln_mod, capture_output=True, text=True,
                    check=True).stdout
assert "sinter.layer_norm" in ir and "linalg.generic" not in ir, ir
(y,) = run(ln_mod, "ln", [Arg(x, "f32"), Arg(g, "f32")], [("f32", (6, 20))], extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
check("raised layer_norm", y, layer_norm(x, g, np.zeros(20), 1e-5), 1e-5, 1e-5)
