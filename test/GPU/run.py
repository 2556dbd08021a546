"""GPU-machine half of the GPU tests: loads what generate.py produced with
`sinter.load` (the launch code built with Sinter's runtime by the C
compiler; no LLVM or MLIR needed) and runs every case of cases.py on CUDA
tensors against torch references computed in float64 from the same
inputs. Also checks that bad arguments get errors, not crashes, from
Python and from the C functions themselves.

Usage: python3 test/GPU/run.py [--artifacts build-gpu] [--only a,b] [--out DIR]
Prints PASS/FAIL per case; exits 1 if any case fails.
"""
import argparse
import ctypes
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))
import cases  # noqa: E402
import sinter  # noqa: E402

# i4 elements take a byte each (the ABI's sub-byte layout).
# i4 elements take a byte each (the ABI's sub-byte layout); fp8 results
# are compared as their bit patterns.
DTYPES = {"f32": "float32", "f16": "float16", "bf16": "bfloat16", "i8": "int8", "i4": "int8", "i32": "int32",
          "i64": "int64", "f8E4M3FN": "uint8"}


def make_inputs(torch, specs, seed):
    """Random normal floats; integer inputs (block tables, lengths) carry
    their values as a third item."""
    g = torch.Generator(device="cuda").manual_seed(seed)
    out = []
    for spec in specs:
        shape, dt = spec[0], spec[1]
        if len(spec) == 3:  # values given (block tables, lengths, quantized weights)
            out.append(torch.tensor(spec[2], dtype=getattr(torch, DTYPES[dt]), device="cuda").reshape(shape))
            continue
        out.append(torch.randn(*shape, generator=g, device="cuda", dtype=torch.float32)
                   .to(getattr(torch, DTYPES[dt])))
    return out


def as_kernel_dtype(torch, t, dtype):
    """fp8 results are made and compared as their bits (uint8)."""
    return t.view(torch.float8_e4m3fn) if dtype == "f8E4M3FN" else t


def run_case(model, torch, manifest_fn, case):
    ins = make_inputs(torch, case["inputs"], 1234)
    out_specs = [a for a in manifest_fn["arguments"] if a["role"] == "output"]
    def fresh(a):
        dt = getattr(torch, DTYPES[a["dtype"]])
        if dt.is_floating_point:
            return torch.full(a["shape"], float("nan"), device="cuda", dtype=dt)
        return torch.full(a["shape"], -99 if dt.is_signed else 171, device="cuda", dtype=dt)
    outs = [fresh(a) for a in out_specs]
    # The reference sees the inputs as they were before the call.
    before = [t.double() if t.is_floating_point() else t.clone() for t in ins]
    if case.get("alias") is not None:
        outs[0] = ins[case["alias"]]  # in place: the result is that input
    try:
        getattr(model, case["name"])(*ins, out=[as_kernel_dtype(torch, o, a["dtype"])
                                               for o, a in zip(outs, out_specs)])
    except RuntimeError as e:
        return False, f"launch failed: {e}"
    torch.cuda.synchronize()
    want = case["ref"](torch, *before)
    if not isinstance(want, tuple):
        want = (want,)
    if len(want) != len(outs):
        return False, f"the reference gives {len(want)} results, the kernel {len(outs)}"
    tols = case["tol"] if isinstance(case["tol"], list) else [case["tol"]] * len(outs)
    details = []
    for r, (got, w) in enumerate(zip(outs, want)):
        atol, rtol = tols[r]
        got, w = got.double(), w.double()
        # Equal infinities (a log-sum-exp of -inf for a row that sees no
        # key) match; any other non-finite value fails.
        same_inf = torch.isinf(w) & (got == w)
        err = torch.where(same_inf, torch.zeros_like(got), (got - w).abs())
        bad = (err > atol + rtol * torch.where(same_inf, torch.zeros_like(w), w).abs()) | ~(torch.isfinite(got) | same_inf)
        if bad.any():
            i = int(bad.flatten().nonzero()[0])
            return False, (f"result {r}: {int(bad.sum())} of {got.numel()} elements differ; first at flat {i}: "
                           f"got {got.flatten()[i].item()}, want {w.flatten()[i].item()}")
        details.append(f"max_abs_err={err.max().item():.3g}")
    return True, f"{', '.join(details)} (tol={case['tol']}, n={outs[0].numel()})"


def negative_checks(model, torch, case, manifest_fn):
    """A CPU tensor is refused by sinter.load's functions; a host pointer
    and a NULL pointer are refused, with a message, by the C function
    itself (what C callers get)."""
    results = []
    ins = make_inputs(torch, case["inputs"], 1)
    out = torch.empty(manifest_fn["arguments"][-1]["shape"], device="cuda",
                      dtype=getattr(torch, DTYPES[manifest_fn["arguments"][-1]["dtype"]]))
    try:
        getattr(model, case["name"])(ins[0].cpu(), *ins[1:])
        results.append(("CPU tensor refused (Python)", False, "no error"))
    except ValueError as e:
        results.append(("CPU tensor refused (Python)", "not a CUDA device" in str(e), str(e)))
    dll = model._lib
    dll.sinter_rt_last_error.restype = ctypes.c_char_p

    def call(fn, tensors):
        stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
        return getattr(dll, fn)(stream, *[ctypes.c_void_p(t.data_ptr()) for t in tensors])
    host = ins[0].cpu()
    rc = call(case["name"], [host] + ins[1:] + [out])
    msg = (dll.sinter_rt_last_error() or b"").decode()
    results.append(("host pointer refused", rc == -1 and "not device memory" in msg, msg))
    stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
    args = [ctypes.c_void_p(t.data_ptr()) for t in ins] + [ctypes.c_void_p(0)]
    rc = getattr(dll, case["name"])(stream, *args)
    msg = (dll.sinter_rt_last_error() or b"").decode()
    results.append(("NULL output refused", rc == -1 and "NULL" in msg, msg))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--artifacts", default=os.path.join(ROOT, "build-gpu"))
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    args = ap.parse_args()
    import torch
    art = os.path.join(args.artifacts, "tests")
    manifest = json.load(open(os.path.join(art, "tests.json")))
    fns = {f["name"]: f for f in manifest["functions"]}
    model = sinter.load(art, "tests")
    only = set(filter(None, args.only.split(",")))
    failed, report = 0, []
    for case in cases.CASES:
        if only and case["name"] not in only:
            continue
        ok, msg = run_case(model, torch, fns[case["name"]], case)
        failed += not ok
        report.append({"case": case["name"], "pass": ok, "detail": msg})
        print(f"{'PASS' if ok else 'FAIL'} {case['name']}: {msg}", flush=True)
    if not only:
        first = cases.CASES[0]
        for name, ok, msg in negative_checks(model, torch, first, fns[first["name"]]):
            failed += not ok
            report.append({"case": name, "pass": ok, "detail": msg})
            print(f"{'PASS' if ok else 'FAIL'} {name}: {msg}", flush=True)
    with open(os.path.join(args.out, "gpu-tests.json"), "w") as f:
        json.dump(report, f, indent=2)
    print(f"{len(report) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
