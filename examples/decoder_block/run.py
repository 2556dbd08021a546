#!/usr/bin/env python3
"""Run the bundled LLaMA-style decoder block on the CPU and check it.

Both spellings of the block (block_sinter.mlir with sinter ops, and
block_linalg.mlir in plain linalg/tosa) are compiled for the host CPU with
`sinter.compile` (raise and fuse, tile, the CPU backend), called on the
same seeded random weights as numpy arrays, and compared with an
independent numpy implementation (float64) and with each other. The HBM
traffic summary of the linalg spelling is printed before and after the
graph compiler (`sinter-graph-pipeline`: raise into sinter ops and fuse).
Exits non-zero if any check fails.

Usage: run.py [--seed N] [--out DIR]
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import sinter  # noqa: E402

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


def check(name, got, want, atol, rtol):
    """Compares with the reference; exits on a mismatch."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    err = np.abs(got - want)
    worst = float(err.max())
    if not (err <= atol + rtol * np.abs(want)).all():
        sys.exit(f"FAIL {name}: max_abs_err={worst:.3g} (atol={atol}, rtol={rtol})")
    print(f"PASS {name}: max_abs_err={worst:.3g} (atol={atol}, rtol={rtol}, n={err.size})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="where the artifacts go (default: a temporary folder)")
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="sinter-decoder-block-")
    params = make_inputs(args.seed)
    order = ["x", "attn_norm", "wq", "wk", "wv", "wo", "mlp_norm", "wgate", "wup", "wdown", "cos", "sin"]
    inputs = [params[n] for n in order]
    want = reference(params)
    print(f"decoder block: {S} tokens, hidden {HID}, {H} query / {HKV} KV heads of {DH}, MLP {FF}, f32")
    outs = {}
    for name in ("block_sinter.mlir", "block_linalg.mlir"):
        t0 = time.time()
        block = sinter.compile(os.path.join(HERE, name), target="cpu",
                               output_dir=os.path.join(out, name.split(".")[0]), name="decoder_block")
        outs[name] = block.decoder_block(*inputs)
        print(f"  compiled {name} for {block.manifest['target']} (graph, tile, CPU backend) and ran it "
              f"in {time.time() - t0:.2f}s")
        check(f"{name} vs numpy reference", outs[name], want, atol=1e-4, rtol=1e-4)
    check("block_sinter.mlir vs block_linalg.mlir", outs["block_sinter.mlir"], outs["block_linalg.mlir"],
          atol=1e-4, rtol=1e-4)

    # What the graph compiler did to the plain spelling, on the host's CPU.
    with open(os.path.join(HERE, "block_linalg.mlir")) as fh:
        text = fh.read()
    target = f"sinter-attach-target{{target={block.manifest['target']}}}"
    for label, passes in (("as written", target), ("after --sinter-graph-pipeline",
                                                   target + ",sinter-graph-pipeline")):
        report = sinter.parse(text).run_pipeline(passes + ",sinter-report-traffic")
        summary = [l.strip() for l in report.splitlines() if l.strip().startswith(("kernels:", "ratio"))]
        print(f"  block_linalg.mlir {label}: " + "; ".join(summary))
    print("decoder block OK")


if __name__ == "__main__":
    main()
