"""Whole transformer blocks on the GPU: Sinter against torch eager and
torch.compile (default and max-autotune) in the same run.

Blocks (bf16, the torch modules of python/tests/torch_blocks.py):
  llama7b  a LLaMA-7B-shaped decoder layer: hidden 4096, 32 query / 8 KV
           heads of 128, SwiGLU MLP 11008, 1 x 2048 tokens
  gpt2m    a GPT-2-medium-shaped block: hidden 1024, 16 heads, MLP 4096,
           4 x 1024 tokens

Build machine (exports each block to ONNX with torch 1.13, compiles it with
`sinter.compile(..., target="nvidia-h100", weights="arguments")` and
records which torch parameter every weight argument is):
    /usr/bin/python3 bench/gpu/blocks.py generate [--out build-gpu/blocks]
GPU machine (builds the same modules, binds their parameters to the
weight arguments, checks Sinter's output against torch's and times both):
    python3 bench/gpu/blocks.py run [--artifacts build-gpu/blocks] [--out DIR]
        [--only llama7b] [--no-autotune]

Times are CUDA-event times of the whole block, best of 5 rounds of 10
calls after a warm-up. Sinter is timed as its launch sequence called from
Python (`GPUFunction.prepare`) and as one CUDA graph replay; torch eager
runs the module with SDPA (FlashAttention) attention. Prints a markdown
table (ratios > 1: Sinter faster) and writes gpu-blocks.json.
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "python", "tests"))

BLOCKS = {
    "llama7b": dict(kind="llama", d=4096, heads=32, kv_heads=8, mlp=11008, batch=1, seq=2048),
    "gpt2m": dict(kind="gpt2", d=1024, heads=16, batch=4, seq=1024),
}


def make_module(cfg, sdpa=False):
    from torch_blocks import GPT2Block, LlamaBlock
    if cfg["kind"] == "llama":
        return LlamaBlock(d=cfg["d"], heads=cfg["heads"], kv_heads=cfg["kv_heads"], mlp=cfg["mlp"],
                          seq=cfg["seq"], sdpa=sdpa)
    return GPT2Block(d=cfg["d"], heads=cfg["heads"], seq=cfg["seq"], sdpa=sdpa)


def bind_weights(weights, module):
    """For each weight argument the torch parameter or buffer it holds
    (as it is, or transposed), found by value."""
    state = {k: v.float().numpy() for k, v in module.state_dict().items()}
    binding = []
    for i, w in enumerate(weights):
        found = None
        for name, p in state.items():
            if p.shape == w.shape and np.array_equal(p, w, equal_nan=True):
                found = {"param": name, "transpose": False}
            elif p.ndim == 2 and p.T.shape == w.shape and np.array_equal(p.T, w, equal_nan=True):
                found = {"param": name, "transpose": True}
            if found:
                break
        if not found:
            raise RuntimeError(f"weight argument {i} {w.shape} is no parameter of the module")
        binding.append(found)
    return binding


def generate(out, only):
    import torch
    import sinter
    from torch_blocks import export
    for name, cfg in BLOCKS.items():
        if only and name not in only:
            continue
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(0)
        module = make_module(cfg).bfloat16().eval()
        x = torch.randn(cfg["batch"], cfg["seq"], cfg["d"]).bfloat16()
        path = os.path.join(d, f"{name}.onnx")
        export(module, x, path)
        import onnx
        names = {t.name for t in onnx.load(path, load_external_data=False).graph.initializer}
        # RoPE tables and the mask stay constants (the compiler raises RoPE
        # and the causal mask from them); the parameters are arguments.
        art = sinter.compile(path, target="nvidia-h100", output_dir=d, name=name, weights="arguments",
                             constants=[c for c in ("cos", "sin", "mask") if c in names])
        os.remove(path)
        with open(os.path.join(d, "binding.json"), "w") as f:
            json.dump({"config": cfg, "weights": bind_weights(art.weights, module)}, f, indent=1)
        fn = art.manifest["functions"][0]
        print(f"generated {name}: {len(fn['kernels'])} kernels, workspace {fn['workspace_bytes']} B", flush=True)


def kernel_profile(torch, f, calls=5):
    """A markdown table of the kernels one call of `f` runs, by total GPU
    time (averaged over `calls` calls)."""
    from torch.profiler import ProfilerActivity, profile
    with torch.no_grad():
        f()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(calls):
                f()
            torch.cuda.synchronize()
    rows = []
    for e in prof.key_averages():
        t = getattr(e, "device_time_total", None) or getattr(e, "cuda_time_total", 0)
        if t > 0 and e.count >= calls:
            rows.append((t / calls, e.count // calls, e.key))
    rows.sort(reverse=True)
    lines = ["| kernel | launches | us |", "| --- | ---: | ---: |"]
    lines += [f"| {k[:70]} | {n} | {t:.1f} |" for t, n, k in rows[:25]]
    lines.append(f"| total | | {sum(t for t, _, _ in rows):.1f} |")
    return "\n".join(lines)


def run(art, only, out, autotune, profile=False):
    from bench import best_ms  # bench/gpu/bench.py: the same timing for both
    import torch
    import sinter
    rows = []
    print(f"# Whole blocks on {torch.cuda.get_device_name()}, torch {torch.__version__}\n")
    print("| block | Sinter ms (launches) | Sinter ms (CUDA graph) | anchor | anchor ms | Sinter speedup "
          "(graph) |")
    print("| --- | ---: | ---: | --- | ---: | ---: |")
    for name, cfg in BLOCKS.items():
        d = os.path.join(art, name)
        if (only and name not in only) or not os.path.exists(os.path.join(d, "binding.json")):
            continue
        binding = json.load(open(os.path.join(d, "binding.json")))
        torch.manual_seed(0)
        module = make_module(cfg, sdpa=True).bfloat16().cuda().eval()
        state = module.state_dict()
        model = sinter.load(d, name)
        spec = model.manifest["functions"][0]
        # The weight arguments in the manifest's dtypes (the importer keeps
        # a norm's scale in f32 when it computes the norm in f32).
        types = {"bf16": torch.bfloat16, "f32": torch.float32, "f16": torch.float16}
        wspecs = [a for a in spec["arguments"] if a["role"] == "input"][1:]
        weights = [(state[b["param"]].t() if b["transpose"] else state[b["param"]]).to(types[a["dtype"]])
                   .contiguous() for b, a in zip(binding["weights"], wspecs)]
        x = torch.randn(cfg["batch"], cfg["seq"], cfg["d"], device="cuda").bfloat16()
        fn = getattr(model, spec["name"])
        launch = fn.prepare(x, *weights)
        launch()
        with torch.no_grad():
            want = module(x)
        torch.cuda.synchronize()
        got = launch.outputs
        err = ((got.float() - want.float()).abs().max() / want.float().abs().max()).item()
        ms = best_ms(torch, launch)
        graph = fn.capture(x, *weights)
        gms = best_ms(torch, graph.graph.replay)
        info = dict(block=name, config=cfg, kernels=len(spec["kernels"]), sinter_ms=ms, sinter_graph_ms=gms,
                    workspace_bytes=spec["workspace_bytes"], intermediate_bytes=spec["intermediate_bytes"],
                    max_rel_diff_vs_torch=err, anchors={})
        print(f"<!-- {name}: {info['kernels']} kernels; workspace {spec['workspace_bytes'] / 2**20:.1f} MiB of "
              f"{spec['intermediate_bytes'] / 2**20:.1f} MiB intermediates; max |Sinter - torch| "
              f"{err:.2g} of max |torch| -->")
        anchors = [("torch eager (SDPA)", lambda m=module: m(x))]
        modes = [("torch.compile", {})] + ([("torch.compile max-autotune", {"mode": "max-autotune"})]
                                           if autotune else [])
        for label, kw in modes:
            try:
                compiled = torch.compile(module, **kw)
                with torch.no_grad():
                    compiled(x)
                anchors.append((label, lambda c=compiled: c(x)))
            except Exception as e:  # noqa: BLE001 - an unavailable anchor is reported
                print(f"| {name} | | | {label}: unavailable ({type(e).__name__}: {str(e)[:80]}) | | |")
        for label, f in anchors:
            with torch.no_grad():
                am = best_ms(torch, f)
            info["anchors"][label] = am
            print(f"| {name} | {ms:.3f} | {gms:.3f} | {label} | {am:.3f} | {am / ms:.2f}x ({am / gms:.2f}x) |",
                  flush=True)
        if profile:
            for label, f in [("Sinter", launch)] + anchors[1:2]:
                print(f"\n{name}, {label}: GPU time by kernel (one call, from torch.profiler)\n")
                print(kernel_profile(torch, f))
        rows.append(info)
        del model, launch, graph, weights, module
        torch.cuda.empty_cache()
    with open(os.path.join(out, "gpu-blocks.json"), "w") as f:
        json.dump(rows, f, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["generate", "run"])
    ap.add_argument("--artifacts", "--out-dir", dest="artifacts",
                    default=os.path.join(ROOT, "build-gpu", "blocks"))
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    ap.add_argument("--only", default="")
    ap.add_argument("--no-autotune", action="store_true", help="skip torch.compile max-autotune")
    ap.add_argument("--profile", action="store_true", help="print the kernels of one call, by GPU time")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    if args.mode == "generate":
        generate(args.artifacts, only)
    else:
        run(args.artifacts, only, args.out, not args.no_autotune, args.profile)


if __name__ == "__main__":
    main()
