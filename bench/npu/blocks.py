"""Whole transformer blocks on the NPU simulator (npu-910) against the
roofline of the target description.

Blocks (bf16, the torch modules of python/tests/torch_blocks.py; the same
as bench/gpu/blocks.py):
  llama7b  a LLaMA-7B-shaped decoder layer: hidden 4096, 32 query / 8 KV
           heads of 128, SwiGLU MLP 11008, 1 x 2048 tokens
  gpt2m    a GPT-2-medium-shaped block: hidden 1024, 16 heads, MLP 4096,
           4 x 1024 tokens

Each block is exported to ONNX with torch 1.13, compiled with
`sinter.compile(..., target="npu-910", weights="arguments")` (RoPE tables
and the mask stay constants), loaded with `sinter.load` and its host
program run in timing-only mode on the 32 simulated cores
(`NPUFunction.simulate_timing`). The roofline is max(FLOPs / cube peak,
compulsory bytes / HBM bandwidth): the GEMMs' and the causal attention's
FLOPs, the weights, the input and the output read or written once.

    /usr/bin/python3 bench/npu/blocks.py [--out build-npu/blocks] [--only llama7b]

Prints a markdown table (roofline / simulated: 1.0 is the roofline) and the
kernels that take the most time, and writes npu-blocks.json.
"""
import argparse
import collections
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "python", "tests"))
sys.path.insert(0, os.path.join(ROOT, "bench", "gpu"))

# npu-910 (lib/Backend/NPU/NPUBackend.cpp): f16/bf16 cube 256 TFLOP/s, HBM
# 1200 GB/s, 32 cores at 1 GHz.
CUBE_FLOPS, HBM_BYTES = 256e12, 1200e9


def roofline(cfg):
    """(FLOPs, compulsory bytes) of a block."""
    d, tokens = cfg["d"], cfg["batch"] * cfg["seq"]
    if cfg["kind"] == "llama":
        hd = d // cfg["heads"]
        params = d * d * 2 + 2 * d * cfg["kv_heads"] * hd + 3 * d * cfg["mlp"]
    else:
        params = 4 * d * d + 2 * d * 4 * d
    attention = 2 * cfg["batch"] * cfg["seq"] ** 2 * d  # QK^T and PV, causal half
    flops = 2 * tokens * params + attention
    nbytes = 2 * params + 2 * 2 * tokens * d
    return flops, nbytes


def main():
    import torch
    import sinter
    from blocks import BLOCKS, make_module
    from torch_blocks import export
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "build-npu", "blocks"))
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    only = [n for n in args.only.split(",") if n]
    rows, results = [], {}
    for name, cfg in BLOCKS.items():
        if only and name not in only:
            continue
        d = os.path.join(args.out, name)
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(0)
        module = make_module(cfg).bfloat16().eval()
        x = torch.randn(cfg["batch"], cfg["seq"], cfg["d"]).bfloat16()
        path = os.path.join(d, f"{name}.onnx")
        t0 = time.time()
        export(module, x, path)
        import onnx
        names = {t.name for t in onnx.load(path, load_external_data=False).graph.initializer}
        sinter.compile(path, target="npu-910", output_dir=d, name=name, weights="arguments",
                       constants=[c for c in ("cos", "sin", "mask") if c in names])
        os.remove(path)
        t1 = time.time()
        model = sinter.load(d, name, weights=[])
        fn = getattr(model, model.functions[0])
        report = fn.simulate_timing()
        t2 = time.time()
        flops, nbytes = roofline(cfg)
        roof_us = max(flops / CUBE_FLOPS, nbytes / HBM_BYTES) * 1e6
        spec = model.manifest["functions"][0]
        by_kind = collections.defaultdict(float)
        for launch in report["launches"]:
            kind = launch["name"].rsplit("_", 1)[-1] if not launch["name"].endswith("_generic") else "generic"
            by_kind[kind] += launch["cycles"] / 1000
        top = sorted(report["launches"], key=lambda l: -l["cycles"])[:8]
        results[name] = {
            "config": cfg, "simulated_us": report["us"], "roofline_us": roof_us,
            "compute_us": flops / CUBE_FLOPS * 1e6, "memory_us": nbytes / HBM_BYTES * 1e6,
            "launches": len(report["launches"]), "workspace_bytes": spec["workspace_bytes"],
            "intermediate_bytes": spec["intermediate_bytes"], "by_kind_us": dict(by_kind),
            "top": [{"name": l["name"], "us": l["cycles"] / 1000, "busy": l["busy"]} for l in top],
            "compile_s": t1 - t0, "simulate_s": t2 - t1}
        rows.append((name, report["us"], roof_us, flops / CUBE_FLOPS * 1e6, nbytes / HBM_BYTES * 1e6,
                     len(report["launches"]), spec["workspace_bytes"], spec["intermediate_bytes"]))
        print(f"{name}: simulated {report['us']:.1f} us, roofline {roof_us:.1f} us "
              f"(compile {t1 - t0:.0f} s, simulate {t2 - t1:.0f} s)", flush=True)
        for kind, us in sorted(by_kind.items(), key=lambda kv: -kv[1]):
            print(f"  {kind:12s} {us:10.1f} us")
        for l in top:
            print(f"  {l['name']:32s} {l['cycles'] / 1000:10.1f} us  busy {l['busy']}")
    print("\n| block | simulated (us) | roofline (us) | compute / memory bound (us) | roofline / simulated "
          "| kernels | workspace / intermediates (MB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, sim, roof, comp, mem, launches, ws, inter in rows:
        print(f"| {name} | {sim:.1f} | {roof:.1f} | {comp:.1f} / {mem:.1f} | {roof / sim:.2f} | {launches} "
              f"| {ws / 2**20:.1f} / {inter / 2**20:.1f} |")
    with open(os.path.join(args.out, "npu-blocks.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
