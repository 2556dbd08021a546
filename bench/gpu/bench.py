"""GPU benchmarks on the device machine, against the anchors in the same
run: Sinter's generated bf16 GEMMs vs cuBLAS (torch.matmul), GEMM + bias +
GELU vs cuBLASLt's fused epilogue (torch._addmm_activation) and
torch.compile, and bf16 attention forward vs PyTorch SDPA's FlashAttention-2
and cuDNN backends. Times from CUDA events, best of 5 rounds of 10 launches
after a warm-up. Kernels come from test/GPU/generate.py (build machine).

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
sys.path.insert(0, os.path.join(ROOT, "python"))
import cases  # noqa: E402
import sinter  # noqa: E402


def prepared(model, name, tensors):
    """The compiled function `name` on `tensors` (inputs, then outputs),
    checked once: a no-argument launcher (sinter's GPUFunction.prepare)."""
    fn = getattr(model, name)
    n = len(fn.outputs)
    return fn.prepare(*tensors[:-n], out=tensors[-n:])


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


def bench_attention(torch, model, b):
    """One attention shape against SDPA's flash and cuDNN backends."""
    from torch.nn.attention import SDPBackend, sdpa_kernel
    B, H, S, D = b["shape"]
    causal = b["causal"]
    q, k, v = (torch.randn(B, H, S, D, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    out = torch.empty_like(q)
    flops = 4 * B * H * S * S * D / (2 if causal else 1)
    shape = f"B{B} H{H} S{S} D{D} {'causal' if causal else 'no mask'}"
    try:
        launch = prepared(model, b["name"], [q, k, v, out])
        launch()
        torch.cuda.synchronize()
    except RuntimeError as e:
        print(f"| attention | {shape} | launch failed: {e} |")
        return []
    ms = best_ms(torch, launch)
    rows = []
    for label, backend in (("SDPA flash (FlashAttention-2)", SDPBackend.FLASH_ATTENTION),
                           ("SDPA cuDNN", SDPBackend.CUDNN_ATTENTION)):
        def f():
            with sdpa_kernel([backend]):
                return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
        try:
            ref = f()
            err = (ref.float() - out.float()).abs().max().item()
            am = best_ms(torch, f)
        except Exception as e:  # noqa: BLE001 - an unavailable backend is reported
            print(f"| attention | {shape} | {ms:.3f} | {flops / ms / 1e9:.1f} | {label}: unavailable "
                  f"({type(e).__name__}) | | |")
            continue
        rows.append(dict(kernel="attention", shape=[B, H, S, D], causal=causal, sinter_ms=ms, anchor=label,
                         anchor_ms=am, max_abs_diff=err))
        print(f"| attention | {shape} | {ms:.3f} | {flops / ms / 1e9:.1f} | {label} ({flops / am / 1e9:.0f} "
              f"TFLOP/s; max diff {err:.2g}) | {am:.3f} | {am / ms:.3f}x |", flush=True)
    return rows


def copy_bandwidth(torch):
    """The device's copy bandwidth in bytes/s: read + write of a 2 GiB
    device-to-device copy."""
    src = torch.empty(1 << 30, device="cuda", dtype=torch.int16)
    dst = torch.empty_like(src)
    ms = best_ms(torch, lambda: dst.copy_(src))
    return 2 * src.numel() * 2 / (ms * 1e-3)


def bench_decode(torch, model, b):
    """Paged decode as bytes of K and V read per second, against the copy
    bandwidth, and against torch gathering the pages and running SDPA."""
    B, Hq, Hkv, S, D, bs = b["shape"]
    blocks = B * S // bs
    q = torch.randn(B, Hq, 1, D, device="cuda", dtype=torch.bfloat16)
    kc = torch.randn(blocks, bs, Hkv, D, device="cuda", dtype=torch.bfloat16)
    vc = torch.randn_like(kc)
    table = torch.randperm(blocks, device="cuda", dtype=torch.int32).reshape(B, S // bs)
    lens = torch.full((B,), S, device="cuda", dtype=torch.int32)
    out = torch.empty_like(q)
    shape = f"B{B} Hq{Hq} Hkv{Hkv} S{S} D{D}, blocks of {bs}"
    tensors = [q, kc, vc, table, lens, out]
    try:
        launch = prepared(model, b["name"], tensors)
        launch()
        torch.cuda.synchronize()
    except RuntimeError as e:
        print(f"| decode | {shape} | launch failed: {e} |")
        return []
    ms = best_ms(torch, launch)
    kv_bytes = 2 * B * S * Hkv * D * 2
    tbs = kv_bytes / (ms * 1e-3) / 1e12
    copy = copy_bandwidth(torch) / 1e12
    rows = [dict(kernel="decode", shape=list(b["shape"]), sinter_ms=ms, kv_tb_s=tbs, copy_tb_s=copy)]
    print(f"| decode | {shape} | {ms:.3f} | {tbs:.2f} TB/s of KV | device copy bandwidth {copy:.2f} TB/s | | "
          f"{tbs / copy:.3f} of copy |", flush=True)

    def torch_decode():
        idx = table.long()
        k = kc[idx].reshape(B, S, Hkv, D).transpose(1, 2)
        v = vc[idx].reshape(B, S, Hkv, D).transpose(1, 2)
        return torch.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    try:
        err = (torch_decode().float() - out.float()).abs().max().item()
        am = best_ms(torch, torch_decode)
        rows.append(dict(kernel="decode", shape=list(b["shape"]), sinter_ms=ms,
                         anchor="torch gather + SDPA", anchor_ms=am, max_abs_diff=err))
        print(f"| decode | {shape} | {ms:.3f} | | torch gather + SDPA (max diff {err:.2g}) | {am:.3f} | "
              f"{am / ms:.3f}x |", flush=True)
    except Exception as e:  # noqa: BLE001
        print(f"| decode | {shape} | {ms:.3f} | | torch gather + SDPA unavailable ({type(e).__name__}: {e}) | | |")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--artifacts", default=os.path.join(ROOT, "build-gpu"))
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    ap.add_argument("--only", default="", help="run the benchmarks whose name contains this")
    args = ap.parse_args()
    import torch
    art = os.path.join(args.artifacts, "bench")
    model = sinter.load(art, "bench")
    rows = []
    print(f"# Sinter GPU benchmarks on {torch.cuda.get_device_name()}, torch {torch.__version__}\n")
    print("| kernel | shape | Sinter ms | Sinter TFLOP/s | anchor | anchor ms | Sinter speedup |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: |")
    for b in cases.BENCH:
        if args.only not in b["name"]:
            continue
        if b["kind"] == "attention":
            rows += bench_attention(torch, model, b)
            continue
        if b["kind"] == "decode":
            rows += bench_decode(torch, model, b)
            continue
        M, N, K = b["shape"]
        a = torch.randn(M, K, device="cuda", dtype=torch.bfloat16)
        # B as [N, K] (nn.Linear's weight layout) or [K, N]; the anchors
        # multiply by the same matrix in the same layout.
        bt = b.get("bt", False)
        wt = torch.randn(N, K, device="cuda", dtype=torch.bfloat16) if bt else None
        w = wt.t() if bt else torch.randn(K, N, device="cuda", dtype=torch.bfloat16)
        out = torch.empty(M, N, device="cuda", dtype=torch.bfloat16)
        tensors = [a, wt if bt else w]
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
        try:
            launch = prepared(model, b["name"], tensors + [out])
            launch()
        except RuntimeError as e:
            print(f"| {b['name']} | launch failed: {e} |")
            continue
        torch.cuda.synchronize()
        ref = torch.matmul(a, w) if b["kind"] == "gemm" else None
        rel = ((out.float() - ref.float()).abs().max() / ref.float().abs().max()).item() if ref is not None else None
        ms = best_ms(torch, launch)
        tflops = 2 * M * N * K / ms / 1e9
        for label, f in anchors:
            am = best_ms(torch, f)
            rows.append(dict(kernel=b["kind"], shape=[M, N, K], b_layout="NK" if bt else "KN", sinter_ms=ms,
                             anchor=label, anchor_ms=am, max_rel_diff_vs_cublas=rel))
            layout = "B [N,K]" if bt else "B [K,N]"
            if rel is not None:
                label += f" (max diff {rel:.1g} of max)"
            print(f"| {b['kind']} | {M}x{N}x{K} {layout} | {ms:.3f} | {tflops:.1f} | {label} | {am:.3f} | "
                  f"{am / ms:.3f}x |", flush=True)
    with open(os.path.join(args.out, "gpu-bench.json"), "w") as f:
        json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
