"""GPU benchmarks on the device machine, against the anchors in the same
run: Sinter's generated bf16 GEMMs vs cuBLAS (torch.matmul), and GEMM + bias
+ GELU vs cuBLASLt's fused epilogue (torch._addmm_activation) and
torch.compile. Times from CUDA events, best of 5 rounds of 10 launches after
a warm-up. Kernels come from test/GPU/generate.py (build machine).

Usage: python3 bench/gpu/bench.py [--artifacts build-gpu] [--out DIR]
Prints a markdown table; ratios > 1 mean Sinter is faster.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "test", "GPU"))
import cases  # noqa: E402
import run  # noqa: E402


def best_ms(torch, f, rounds=5, reps=10):
    f()
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(rounds):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(reps):
            f()
        end.record()
        torch.cuda.synchronize()
        best = min(best, start.elapsed_time(end) / reps)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--artifacts", default=os.path.join(ROOT, "build-gpu"))
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    args = ap.parse_args()
    import torch
    art = os.path.join(args.artifacts, "bench")
    dll = run.build_library(art, "bench", os.path.join(args.out, "lib-bench"))
    rows = []
    print(f"# Sinter GPU benchmarks on {torch.cuda.get_device_name()}, torch {torch.__version__}\n")
    print("| kernel | shape (MxNxK) | Sinter ms | Sinter TFLOP/s | anchor | anchor ms | Sinter speedup |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    for b in cases.BENCH:
        M, N, K = b["shape"]
        a = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(K, N, device="cuda", dtype=torch.bfloat16)
        out = torch.empty(M, N, device="cuda", dtype=torch.bfloat16)
        tensors = [a, w]
        anchors = [("cuBLAS torch.matmul", lambda: torch.matmul(a, w))]
        if b["kind"] == "gemm_bias_gelu":
            bias = torch.randn(N, device="cuda", dtype=torch.bfloat16)
            tensors.append(bias)
            anchors = [("cuBLASLt epilogue torch._addmm_activation",
                        lambda: torch._addmm_activation(bias, a, w, use_gelu=True))]
            try:
                fused = torch.compile(lambda x, y, z: torch.nn.functional.gelu(x @ y + z, approximate="tanh"))
                fused(a, w, bias)
                anchors.append(("torch.compile", lambda: fused(a, w, bias)))
            except Exception as e:  # noqa: BLE001 - report and go on
                print(f"(torch.compile unavailable: {type(e).__name__}: {e})")
        rc = run.call(dll, torch, b["name"], tensors + [out])
        if rc != 0:
            print(f"| {b['name']} | launch failed: {dll.sinter_rt_last_error().decode()} |")
            continue
        ms = best_ms(torch, lambda: run.call(dll, torch, b["name"], tensors + [out]))
        tflops = 2 * M * N * K / ms / 1e9
        for label, f in anchors:
            am = best_ms(torch, f)
            rows.append(dict(kernel=b["kind"], shape=[M, N, K], sinter_ms=ms, anchor=label, anchor_ms=am))
            print(f"| {b['kind']} | {M}x{N}x{K} | {ms:.3f} | {tflops:.1f} | {label} | {am:.3f} | {am / ms:.3f}x |",
                  flush=True)
    with open(os.path.join(args.out, "gpu-bench.json"), "w") as f:
        json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
