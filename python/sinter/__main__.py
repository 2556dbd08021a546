"""The sinter command line.

    python3 -m sinter compile model.onnx --target x86-avx512 -o out/
    python3 -m sinter report model.onnx --target nvidia-h100 -o report/

`compile` imports ONNX (or reads MLIR), compiles in process and writes the
artifacts and manifest, with a progress bar on stderr. `report` runs the
graph pipeline and prints the fusion (kernels and HBM traffic before and
after raising and fusion), traffic (per kernel) and tiling (the cost
model's choice per GEMM / attention) reports as tables, writes them to
OUT/report.md and draws a roofline plot of the kernels (OUT/roofline.png
or .svg).
"""

import argparse
import errno
import os
import re
import sys
import time
from typing import Dict, List

from . import compiler

_STAGES = ["import", "graph", "tile", "llvm", "object", "wrote"]


class _Progress:
    """A one-line progress bar over the compiler's stages (plain lines
    when stderr is not a terminal)."""

    def __init__(self, quiet: bool):
        self.quiet, self.tty = quiet, sys.stderr.isatty()
        self.start, self.step = time.time(), 0

    def __call__(self, line: str):
        if self.quiet:
            return
        stage = line.split(":", 1)[0].split(" ", 1)[0]
        if stage in _STAGES:
            self.step = max(self.step, _STAGES.index(stage) + 1)
        width = 24
        done = int(width * self.step / len(_STAGES))
        bar = "#" * done + "-" * (width - done)
        text = f"[{bar}] {self.step}/{len(_STAGES)} {time.time() - self.start:5.1f}s {line}"
        if self.tty:
            sys.stderr.write("\r\033[K" + text[:160])
            if stage == "wrote":
                sys.stderr.write("\n")
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _module(path: str, ctx, weights: str = "constants"):
    """(Module, weights passed as arguments) of a model file."""
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    return compiler._to_module(path, ctx, weights)


def cmd_compile(args) -> int:
    progress = _Progress(args.quiet)
    ctx = compiler.context()
    progress("import: reading " + args.model)
    module, weights = _module(args.model, ctx, args.weights)
    name = args.name or os.path.splitext(os.path.basename(args.model))[0]
    target = "" if args.target in ("cpu", "host") else args.target
    os.makedirs(args.output, exist_ok=True)
    module.compile(target=target, output_dir=args.output, name=name, no_graph=args.no_graph,
                   stop_after=args.stop_after or "", progress=progress)
    if weights:
        import numpy as np
        path = os.path.join(args.output, f"{name}.weights.npz")
        np.savez(path, *weights)
        if not args.quiet:
            sys.stderr.write(f"weights: {len(weights)} arrays, passed after the inputs in this order: {path}\n")
    if not args.quiet and args.stop_after:
        sys.stderr.write(f"stopped after {args.stop_after}\n")
    return 0


_ROW = re.compile(r"^\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s*$")


def parse_traffic(text: str) -> List[Dict]:
    """The per-function tables of sinter-report-traffic."""
    reports, cur = [], None
    for line in text.splitlines():
        if line.startswith("sinter traffic report: @"):
            fn, _, target = line[len("sinter traffic report: @"):].partition(" on ")
            cur = {"function": fn, "target": target, "kernels": [], "totals": {}}
            reports.append(cur)
            continue
        if cur is None:
            continue
        m = _ROW.match(line)
        if m:
            cur["kernels"].append({"index": int(m[1]), "kind": m[2], "op": m[3], "loc": m[4],
                                   "read": int(m[5]), "written": int(m[6]), "flops": int(m[7]),
                                   "time_us": float(m[8])})
            continue
        key, _, value = line.strip().partition(":")
        if key in ("kernels", "HBM bytes", "compulsory minimum", "ratio to minimum", "flops", "roofline time"):
            cur["totals"][key] = value.strip()
    return reports


def _target_numbers(module_text: str):
    """(outermost bandwidth GB/s, peak GOP/s for the model's main element
    type) of the module's target description."""
    bw = re.findall(r"#sinter\.memory<name = \"[^\"]+\", capacity = \d+, bandwidth = (\d+)", module_text)
    peaks = re.findall(r"#sinter\.peak<type = (\w+), unit = \"[^\"]*\", gops = (\d+)>", module_text)
    elems = re.findall(r"tensor<(?:\d+x)*(f32|f16|bf16|i8)>", module_text)
    main = max(set(elems), key=elems.count) if elems else "f32"
    best = [int(g) for t, g in peaks if t == main] or [int(g) for _, g in peaks]
    return (int(bw[0]) if bw else 0), (max(best) if best else 0)


def _table(rows: List[List[str]], header: List[str]) -> str:
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def cmd_report(args) -> int:
    ctx = compiler.context()
    module, _ = _module(args.model, ctx)
    target = args.target
    before = module.run_pipeline(f"sinter-attach-target{{target={target}}},inline,"
                                 "func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor),"
                                 "canonicalize,sinter-report-traffic")
    after = module.run_pipeline("sinter-graph-pipeline,sinter-report-traffic")
    tiling = module.run_pipeline("sinter-explain-tiling")
    b, a = parse_traffic(before), parse_traffic(after)
    bw, peak = _target_numbers(str(module))
    md = [f"# Sinter report: {os.path.basename(args.model)} on {target}", ""]
    md += ["## Fusion", "", _table(
        [[x["function"], x["totals"].get("kernels", "").split(" ")[0], y["totals"].get("kernels", "").split(" ")[0],
          x["totals"].get("HBM bytes", "").split(" ")[0], y["totals"].get("HBM bytes", "").split(" ")[0],
          y["totals"].get("ratio to minimum", "")] for x, y in zip(b, a)],
        ["function", "kernels before", "kernels after", "HBM bytes before", "HBM bytes after",
         "after / compulsory"]), ""]
    for r in a:
        md += [f"## Traffic: @{r['function']} (after fusion)", "", _table(
            [[k["index"], k["kind"], k["op"], k["loc"], k["read"], k["written"], k["flops"],
              f"{k['flops'] / max(1, k['read'] + k['written']):.2f}", f"{k['time_us']:.2f}"] for k in r["kernels"]],
            ["#", "kind", "op", "loc", "read B", "written B", "FLOPs", "FLOP/B", "roofline us"]), ""]
    md += ["## Tiling", "", "```", tiling.rstrip(), "```", ""]
    text = "\n".join(md)
    print(text)
    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "report.md"), "w") as f:
        f.write(text + "\n")
    plot = os.path.join(args.output, f"roofline.{args.format}")
    _roofline(a, bw, peak, target, plot)
    print(f"wrote {os.path.join(args.output, 'report.md')} and {plot}", file=sys.stderr)
    return 0


def _roofline(reports, bw_gbs: int, peak_gops: int, target: str, path: str):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    xs, ys, kinds = [], [], []
    for r in reports:
        for k in r["kernels"]:
            bytes_ = k["read"] + k["written"]
            if k["flops"] <= 0 or bytes_ <= 0:
                continue
            intensity = k["flops"] / bytes_
            xs.append(intensity)
            # Attainable GFLOP/s: the kernel at its roofline time.
            ys.append(min(intensity * bw_gbs, peak_gops) if bw_gbs and peak_gops
                      else k["flops"] / (k["time_us"] * 1e3))
            kinds.append(k["kind"])
    lo, hi = min(xs + [0.1]) / 2, max(xs + [100.0]) * 2
    if bw_gbs and peak_gops:
        import numpy as np
        i = np.logspace(np.log10(lo), np.log10(hi), 200)
        ax.plot(i, np.minimum(i * bw_gbs, peak_gops), "k-", lw=1, label=f"roof ({bw_gbs} GB/s, {peak_gops} GOP/s)")
    colors = {"gemm": "tab:blue", "attention": "tab:red", "other": "tab:gray"}
    for kind in sorted(set(kinds)):
        pts = [(x, y) for x, y, k in zip(xs, ys, kinds) if k == kind]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=18, c=colors.get(kind, "tab:green"), label=kind)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP / HBM byte)")
    ax.set_ylabel("attainable GFLOP/s")
    ax.set_title(f"kernels after fusion on {target}")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", lw=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m sinter", description="Sinter: compile models, see reports")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compile", help="compile an ONNX or MLIR model to artifacts")
    c.add_argument("model")
    presets = ", ".join(compiler.targets())
    c.add_argument("--target", default="cpu", help=f"cpu (the host's) or a preset: {presets}")
    c.add_argument("-o", "--output", default=".")
    c.add_argument("--name", default="")
    c.add_argument("--no-graph", action="store_true")
    c.add_argument("--stop-after", choices=["graph", "tile", "llvm"],
                   help="stop after a stage (the NPU has no llvm stage) and write its output")
    c.add_argument("--weights", choices=["constants", "arguments"], default="constants",
                   help="ONNX weights in the code, or as trailing arguments (saved to NAME.weights.npz)")
    c.add_argument("--quiet", action="store_true")
    r = sub.add_parser("report", help="fusion, traffic and tiling reports and a roofline plot")
    r.add_argument("model")
    r.add_argument("--target", default="x86-avx512", help=f"a preset: {presets}")
    r.add_argument("-o", "--output", default="sinter-report")
    r.add_argument("--format", choices=["png", "svg"], default="png")
    args = p.parse_args(argv)
    try:
        return cmd_compile(args) if args.command == "compile" else cmd_report(args)
    except (compiler.CompileError, FileNotFoundError, ValueError) as e:
        print(f"sinter: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
