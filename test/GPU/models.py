"""Whole models on the GPU, through the product's path: `sinter.compile(...,
target="nvidia-h100")` on the build machine, `sinter.load(folder)` and a
call on torch CUDA tensors on the GPU machine.

The models are the repository's torch blocks exported to ONNX
(nn.TransformerEncoderLayer, the GPT-2 block, the LLaMA block, the tiny
language model with its embedding and LogSoftmax) and the bundled decoder
block in both spellings (plain linalg/tosa and sinter ops), in f32 and
bf16. References are computed on the build machine in float64 (torch on the
CPU for the torch blocks, the decoder block's numpy reference) from the
same inputs.

    /usr/bin/python3 test/GPU/models.py generate [--out build-gpu/models]
    python3 test/GPU/models.py run [--artifacts build-gpu/models] [--only a,b] [--out DIR]

`run` prints PASS/FAIL per model (and per check: a second call, a CUDA
graph replay, bad arguments refused) and exits 1 if any fails.
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))

# (atol, rtol) by the model's activation type: f32 within 1e-3; bf16 within
# what bf16 storage of every intermediate allows.
TOLERANCE = {"f32": (1e-3, 1e-3), "bf16": (6e-2, 4e-2)}


def torch_models():
    """name -> (module, example input) for the ONNX-exported torch blocks."""
    import torch
    sys.path.insert(0, os.path.join(ROOT, "python", "tests"))
    from torch_blocks import GPT2Block, LlamaBlock, TinyLM
    torch.manual_seed(0)
    return {
        "encoder": (torch.nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True),
                    torch.randn(2, 11, 64)),
        "gpt2": (GPT2Block(), torch.randn(2, 13, 64)),
        "llama": (LlamaBlock(), torch.randn(2, 11, 64)),
        "tinylm": (TinyLM(), torch.randint(0, 50, (2, 9))),
    }


def write_case(out, name, inputs, refs, dtype):
    d = os.path.join(out, name)
    np.savez(os.path.join(d, "io.npz"), **{f"x{i}": a for i, a in enumerate(inputs)},
             **{f"y{i}": a for i, a in enumerate(refs)})
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump({"name": name, "dtype": dtype, "inputs": len(inputs), "results": len(refs)}, f)


def generate(out):
    import sinter
    import torch
    models = torch_models()
    from torch_blocks import export
    os.makedirs(out, exist_ok=True)
    import copy
    # The GPT-2 and LLaMA blocks also in bf16 (exported as bf16 ONNX).
    for name in ("gpt2", "llama"):
        module, x = models[name]
        models[name + "_bf16"] = (copy.deepcopy(module).bfloat16(), x.bfloat16())
    for name, (module, x) in models.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        onnx_path = os.path.join(d, f"{name}.onnx")
        export(module, x, onnx_path)
        sinter.compile(onnx_path, target="nvidia-h100", output_dir=d, name=name)
        with torch.no_grad():
            ref = copy.deepcopy(module).double()(x.double() if x.is_floating_point() else x)
        dtype = "bf16" if x.dtype == torch.bfloat16 else "f32"
        write_case(out, name, [x.float().numpy() if dtype == "bf16" else x.numpy()], [ref.numpy()], dtype)
        print(f"generated {name}", flush=True)

    sys.path.insert(0, os.path.join(ROOT, "examples", "decoder_block"))
    import gen_block
    import run as block_run
    from sinter.dtypes import round_bf16
    p = block_run.make_inputs(7)
    order = ["x", "attn_norm", "wq", "wk", "wv", "wo", "mlp_norm", "wgate", "wup", "wdown", "cos", "sin"]
    for dtype in ("f32", "bf16"):
        args = [p[k] if dtype == "f32" else round_bf16(p[k]) for k in order]
        ref = block_run.reference(dict(zip(order, args)))
        for spelling in ("linalg", "sinter"):
            name = f"decoder_{spelling}_{dtype}"
            d = os.path.join(out, name)
            os.makedirs(d, exist_ok=True)
            if spelling == "linalg":
                src = gen_block.emit(block_run.S, block_run.HID, block_run.H, block_run.HKV, block_run.FF,
                                     dtype)
            else:
                with open(os.path.join(ROOT, "examples", "decoder_block", "block_sinter.mlir")) as f:
                    src = f.read()
                if dtype != "f32":
                    continue  # the sinter spelling is written in f32 only
            sinter.compile(src, target="nvidia-h100", output_dir=d, name=name)
            write_case(out, name, args, [ref.astype(np.float32)], dtype)
            print(f"generated {name}", flush=True)


def run(art, only, out):
    import torch
    import sinter
    report, failed = [], 0

    def record(case, ok, detail):
        nonlocal failed
        failed += not ok
        report.append({"case": case, "pass": bool(ok), "detail": detail})
        print(f"{'PASS' if ok else 'FAIL'} {case}: {detail}", flush=True)

    def compare(got, want, tol):
        got, want = got.double().cpu(), torch.from_numpy(want).double()
        if got.shape != want.shape:
            return False, f"shape {tuple(got.shape)}, want {tuple(want.shape)}"
        atol, rtol = tol
        err = (got - want).abs()
        bad = (err > atol + rtol * want.abs()) | ~torch.isfinite(got)
        if bad.any():
            i = int(bad.flatten().nonzero()[0])
            return False, (f"{int(bad.sum())} of {got.numel()} differ; first at {i}: "
                           f"got {got.flatten()[i].item():.6g}, want {want.flatten()[i].item():.6g}")
        return True, f"max_abs_err={err.max().item():.3g} (atol={atol}, rtol={rtol}, n={got.numel()})"

    names = sorted(n for n in os.listdir(art) if os.path.exists(os.path.join(art, n, "case.json")))
    for name in names:
        if only and name not in only:
            continue
        d = os.path.join(art, name)
        case = json.load(open(os.path.join(d, "case.json")))
        io = np.load(os.path.join(d, "io.npz"))
        tol = TOLERANCE[case["dtype"]]
        try:
            model = sinter.load(d, name)
            dt = torch.bfloat16 if case["dtype"] == "bf16" else None
            xs = []
            for i in range(case["inputs"]):
                t = torch.from_numpy(io[f"x{i}"]).cuda()
                xs.append(t.to(dt) if dt is not None and t.is_floating_point() else t)
            y = model(*xs)
            torch.cuda.synchronize()
            ys = y if isinstance(y, tuple) else (y,)
            ok, msg = compare(ys[0], io["y0"], tol)
            spec = model.manifest["functions"][0]
            record(name, ok, f"{msg}; {len(spec['kernels'])} kernels, workspace {spec['workspace_bytes']} B "
                             f"of {spec['intermediate_bytes']} B intermediates")
            # Again, on the module state the first call made: the same bits.
            y2 = model(*xs)
            y2 = y2 if isinstance(y2, tuple) else (y2,)
            record(f"{name}: second call", torch.equal(ys[0], y2[0]), "bitwise equal to the first")
            # The C function with the runtime's own workspace (what a C
            # caller without a workspace of its own uses).
            import ctypes
            outs = [torch.empty_like(t) for t in ys]
            fn = getattr(model._lib, spec["symbol"])
            fn.restype = ctypes.c_int
            stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
            rc = fn(stream, *[ctypes.c_void_p(t.data_ptr()) for t in xs + outs])
            torch.cuda.synchronize()
            record(f"{name}: C function {spec['symbol']}", rc == 0 and torch.equal(outs[0], ys[0]),
                   f"rc={rc}, equal to the Python call: {rc == 0 and torch.equal(outs[0], ys[0])}")
            # Captured once as a CUDA graph, replayed on new inputs.
            graph = model.functions[0]
            replay = getattr(model, graph).capture(*xs)
            xs2 = [x.flip(0) if x.is_floating_point() else x.flip(0) for x in xs[:1]] + xs[1:]
            want2 = model(*xs2)
            want2 = want2 if isinstance(want2, tuple) else (want2,)
            got2 = replay(*xs2)
            got2 = got2 if isinstance(got2, tuple) else (got2,)
            torch.cuda.synchronize()
            record(f"{name}: CUDA graph replay", torch.equal(got2[0], want2[0]),
                   "replayed on new inputs, equal to a direct call")
            if case["inputs"] > 1:
                # Weights as arguments: new weight tensors are noticed by
                # their pointers; weights changed in place after
                # reload_weights(). Both give what fresh weights give.
                ws = [w.clone() for w in xs[1:]]
                for w in ws:
                    w.mul_(0.5)
                fresh = model(xs[0], *ws)
                fresh = fresh if isinstance(fresh, tuple) else (fresh,)
                for w in xs[1:]:
                    w.mul_(0.5)
                model.reload_weights()
                again = model(*xs)
                again = again if isinstance(again, tuple) else (again,)
                torch.cuda.synchronize()
                record(f"{name}: weights changed", not torch.equal(fresh[0], ys[0]) and
                       torch.equal(again[0], fresh[0]),
                       "new weight tensors and weights changed in place (reload_weights) agree")
        except Exception as e:  # a failure to load or call is this model's failure
            record(name, False, f"{type(e).__name__}: {e}")
    # Bad arguments: clear errors, never a launch.
    if not only and "encoder" in names:  # a model of one input
        d = os.path.join(art, "encoder")
        model = sinter.load(d, "encoder")
        x = torch.from_numpy(np.load(os.path.join(d, "io.npz"))["x0"])
        for what, args, err in (("a CPU tensor", [x], ValueError), ("a wrong shape", [x.cuda()[:1]], ValueError),
                                ("a wrong dtype", [x.cuda().double()], TypeError)):
            try:
                model(*args)
                record(f"refuses {what}", False, "no error")
            except err as e:
                record(f"refuses {what}", True, str(e))
    with open(os.path.join(out, "gpu-models.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"{len(report) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["generate", "run"])
    ap.add_argument("--artifacts", default=os.path.join(ROOT, "build-gpu", "models"))
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    args = ap.parse_args()
    if args.mode == "generate":
        generate(args.artifacts)
        return 0
    return run(args.artifacts, set(filter(None, args.only.split(","))), args.out)


if __name__ == "__main__":
    sys.exit(main())
