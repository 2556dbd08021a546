#!/usr/bin/env python3
"""Run the bundled LLaMA-style decoder block on the CPU and check it.

Both spellings of the block (block_sinter.mlir with sinter ops, and
block_linalg.mlir in plain linalg/tosa) are compiled with
`sinter-opt --sinter-reference-to-llvm`, executed with mlir-runner on the
same seeded random weights, and compared with an independent numpy
implementation (float64). The linalg spelling also goes through the graph
compiler (`--sinter-graph-pipeline`: raise into sinter ops and fuse), whose
HBM traffic summary is printed before and after. Exits non-zero if any
check fails.

Usage: run.py [--seed N]
"""
import argparse
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from sinter.runner import Arg, check, run, sinter_opt  # noqa: E402

S, HID, H, HKV, DH, FF = 37, 64, 4, 2, 16, 96
EPS = 1e-5


def make_inputs(seed):
    r = np.random.default_rng(seed)
    f = lambda *shape, s=1.0: (r.standard_normal(shape) * s).astype(np.float32)
    inv = 10000.0 ** (-np.arange(DH // 2) / (DH // 2))
    ang = np.arange(S)[:, None] * inv[None, :]
    return dict(
        x=f(S, HID), attn_norm=1 + f(HID, s=0.1),
        wq=f(HID, H * DH, s=HID ** -0.5), wk=f(HID, HKV * DH, s=HID ** -0.5),
        wv=f(HID, HKV * DH, s=HID ** -0.5), wo=f(H * DH, HID, s=(H * DH) ** -0.5),
        mlp_norm=1 + f(HID, s=0.1), wgate=f(HID, FF, s=HID ** -0.5),
        wup=f(HID, FF, s=HID ** -0.5), wdown=f(FF, HID, s=FF ** -0.5),
        cos=np.cos(ang).astype(np.float32), sin=np.sin(ang).astype(np.float32))


def reference(p, S=S, HID=HID, H=H, HKV=HKV):
    """The decoder block in float64 numpy, written from its definition.

    Shapes default to the bundled block; test/Integration reuses this with
    others (hidden HID split into H query heads, HKV K/V heads).
    """
    DH = HID // H
    d = {k: v.astype(np.float64) for k, v in p.items()}

    def rms(x, g):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + EPS) * g

    def heads(t, n):                       # [S, n*DH] -> [n, S, DH]
        return t.reshape(S, n, DH).transpose(1, 0, 2)

    def rope(t):
        x1, x2 = t[..., : DH // 2], t[..., DH // 2:]
        c, s = d["cos"], d["sin"]
        return np.concatenate([x1 * c - x2 * s, x2 * c + x1 * s], -1)

    xn = rms(d["x"], d["attn_norm"])
    q = rope(heads(xn @ d["wq"], H))
    k = np.repeat(rope(heads(xn @ d["wk"], HKV)), H // HKV, axis=0)
    v = np.repeat(heads(xn @ d["wv"], HKV), H // HKV, axis=0)
    sc = q @ k.transpose(0, 2, 1) / np.sqrt(DH)
    sc = np.where(np.tril(np.ones((S, S), dtype=bool)), sc, -np.inf)
    pr = np.exp(sc - sc.max(-1, keepdims=True))
    pr /= pr.sum(-1, keepdims=True)
    o = (pr @ v).transpose(1, 0, 2).reshape(S, HID)
    h = d["x"] + o @ d["wo"]
    hn = rms(h, d["mlp_norm"])
    g = hn @ d["wgate"]
    return h + ((g / (1 + np.exp(-g))) * (hn @ d["wup"])) @ d["wdown"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    params = make_inputs(args.seed)
    order = ["x", "attn_norm", "wq", "wk", "wv", "wo", "mlp_norm", "wgate", "wup", "wdown", "cos", "sin"]
    inputs = [Arg(params[n], "f32") for n in order]
    want = reference(params)
    print(f"decoder block: {S} tokens, hidden {HID}, {H} query / {HKV} KV heads of {DH}, MLP {FF}, f32")
    outs = {}
    for name in ("block_sinter.mlir", "block_linalg.mlir"):
        with open(os.path.join(HERE, name)) as fh:
            module = fh.read()
        t0 = time.time()
        (outs[name],) = run(module, "decoder_block", inputs, [("f32", (S, HID))])
        print(f"  ran {name} (decompose -> LLVM -> JIT) in {time.time() - t0:.2f}s")
        check(f"{name} vs numpy reference", outs[name], want, atol=1e-4, rtol=1e-4)
    check("block_sinter.mlir vs block_linalg.mlir", outs["block_sinter.mlir"], outs["block_linalg.mlir"],
          atol=1e-4, rtol=1e-4)

    # Graph compilation of the plain spelling.
    path = os.path.join(HERE, "block_linalg.mlir")
    for label, passes in (("as written", ["--sinter-attach-target=target=nvidia-h100"]), ("after --sinter-graph-pipeline", ["--sinter-attach-target=target=nvidia-h100", "--sinter-graph-pipeline"])):
        report = subprocess.run([sinter_opt(), path, *passes, "--sinter-report-traffic", "-o", "/dev/null"],
                                capture_output=True, text=True, check=True).stdout
        summary = [l.strip() for l in report.splitlines() if l.strip().startswith(("kernels:", "ratio"))]
        print(f"  block_linalg.mlir {label}: " + "; ".join(summary))
    with open(path) as fh:
        (fused,) = run(fh.read(), "decoder_block", inputs, [("f32", (S, HID))],
                       extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
    check("block_linalg.mlir raised+fused vs numpy reference", fused, want, atol=1e-4, rtol=1e-4)
    print("decoder block OK")


if __name__ == "__main__":
    main()
