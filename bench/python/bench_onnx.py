"""Imported torch blocks on the CPU: sinter.compile (ONNX import, raise,
fuse, tile, CPU backend) against torch's own forward (its CPU kernels:
oneDNN/MKL GEMMs), measured in the same run.

    /usr/bin/python3 bench/python/bench_onnx.py [--tokens 128] [--d 256] [--reps 20]
    /usr/bin/python3 bench/python/bench_onnx.py --fusion

--fusion prints, instead of times, what the graph pipeline makes of the
test-sized blocks (python/tests/test_torch_models.py): kernels as imported
and after raising and fusion, the GEMMs, attentions and norms among them,
and the HBM traffic over the compulsory minimum (x86-avx512).

Prints, per block, the median time of each, torch / sinter (above 1:
sinter is faster), sinter's GFLOP/s (the FLOPs sinter-report-traffic
counts for the fused graph) and the max |difference|. Debian 12's torch
1.13 runs its CPU GEMMs far from this machine's peak, so the GFLOP/s
column is the one to compare with docs/performance-cpu.md. Weights are passed as
arguments (weights="arguments") so the compile does not carry them as text.
"""
import argparse
import os
import re
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python", "tests"))
import sinter  # noqa: E402
from torch_blocks import GPT2Block, LlamaBlock, export  # noqa: E402


def median_time(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def fusion():
    torch.manual_seed(0)
    blocks = [
        ("TransformerEncoderLayer d 64, 2 x 11 tokens",
         torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=96, dropout=0.0, batch_first=True),
         torch.randn(2, 11, 64)),
        ("GPT-2 block d 64, 2 x 13 tokens", GPT2Block(seq=13), torch.randn(2, 13, 64)),
        ("LLaMA block d 64 (GQA 4/2, RoPE), 11 tokens", LlamaBlock(seq=11), torch.randn(1, 11, 64)),
    ]
    # Attention as other architectures write it (python/tests/test_architectures.py,
    # test_torch_models.py).
    from test_architectures import ARCHITECTURES, Attention, S
    from test_torch_models import MaskedAttention
    for arch, cfg in sorted(ARCHITECTURES.items()):
        blocks.append((f"{arch} attention d 64, 2 x {S} tokens", Attention(**cfg), torch.randn(2, S, 64)))
    blocks.append(("mistral_sliding_window attention (constant mask) d 64, 2 x 16 tokens", MaskedAttention(),
                   torch.randn(2, 16, 64)))
    print("| model (f32) | kernels | after | GEMMs | attention | norms | HBM traffic / compulsory |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for name, mod, x in blocks:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.onnx")
            export(mod.eval(), x, path)
            m = sinter.parse(sinter.onnx.import_model(path))
        before = m.run_pipeline("sinter-attach-target{target=x86-avx512},inline,canonicalize,sinter-report-traffic")
        after = m.run_pipeline("sinter-graph-pipeline,sinter-report-traffic")
        text = str(m)
        k = re.search(r"kernels: (\d+) \((\d+) gemm, (\d+) attention", after)
        norms = ", ".join(f"{text.count(op + ' ')} `{op[7:]}`" for op in ("sinter.layer_norm", "sinter.rms_norm")
                          if text.count(op + " "))
        imported = re.search(r"kernels: (\d+)", before)[1]
        ratio = re.search(r"ratio to minimum: ([\d.]+)", after)[1]
        print(f"| {name} | {imported} | {k[1]} | {k[2]} | {k[3]} | {norms} | {ratio} |")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--d", type=int, default=256)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--fusion", action="store_true", help="the fusion table instead of times")
    a = p.parse_args()
    if a.fusion:
        return fusion()
    torch.manual_seed(0)
    # The same threads for both: torch's intra-op pool and sinter's OpenMP.
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))
    torch.set_num_threads(threads)
    S, D = a.tokens, a.d
    blocks = [
        ("TransformerEncoderLayer", torch.nn.TransformerEncoderLayer(d_model=D, nhead=D // 64, dim_feedforward=4 * D,
                                                                     dropout=0.0, batch_first=True), (1, S, D)),
        ("GPT-2 block", GPT2Block(d=D, heads=D // 64, seq=S), (1, S, D)),
        ("LLaMA block (GQA, RoPE)", LlamaBlock(d=D, heads=D // 64, kv_heads=max(1, D // 128), mlp=8 * D // 3 // 16 * 16,
                                               seq=S), (1, S, D)),
    ]
    print(f"threads: torch {torch.get_num_threads()}, sinter (OpenMP) {threads}; torch {torch.__version__}")
    print("| block | tokens x d | torch ms | sinter ms | torch / sinter | torch GFLOP/s | sinter GFLOP/s | "
          "max abs diff | compile s |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, mod, shape in blocks:
        mod.eval()
        x = torch.randn(*shape)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.onnx")
            export(mod, x, path)
            t = time.perf_counter()
            compiled = sinter.compile(path, weights="arguments", output_dir=os.path.join(tmp, "out"))
            ct = time.perf_counter() - t
            xn = x.numpy()
            with torch.no_grad():
                want = mod(x).numpy()
                tt = median_time(lambda: mod(x), a.reps)
            got = compiled(xn)
            st = median_time(lambda: compiled(xn), a.reps)
            m = sinter.parse(sinter.onnx.import_model_with_weights(path)[0])
            report = m.run_pipeline("sinter-attach-target{target=x86-avx512},sinter-graph-pipeline,"
                                    "sinter-report-traffic")
            flops = int(re.search(r"flops: (\d+)", report)[1])
        print(f"| {name} | {S} x {D} | {tt * 1e3:.3f} | {st * 1e3:.3f} | {tt / st:.2f} | {flops / tt / 1e9:.1f} | "
              f"{flops / st / 1e9:.1f} | "
              f"{float(np.abs(got - want).max()):.2g} | {ct:.1f} |")


if __name__ == "__main__":
    main()
