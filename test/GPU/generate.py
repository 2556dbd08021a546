"""Build-machine half of the GPU tests and benchmarks: compiles the cases
of cases.py with `sinter-compile --target=nvidia-h100` into OUT/tests and
OUT/bench (cubin, PTX, header, launch source, manifest), and the whole
models of models.py into OUT/models. Copy OUT and the repository to a
machine with an H100 and run test/GPU/run_on_device.sh.

Usage: /usr/bin/python3 test/GPU/generate.py [--build-dir build] [--out build-gpu]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import cases  # noqa: E402
import models  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(ROOT, "build-gpu"))
    ap.add_argument("--target", default="nvidia-h100")
    ap.add_argument("--gemm-schedule", default="auto", help="Hopper GEMM schedule (auto, cooperative, pingpong)")
    args = ap.parse_args()
    sc = os.path.join(args.build_dir, "bin", "sinter-compile")
    for sub, group in (("tests", cases.CASES), ("bench", cases.BENCH)):
        d = os.path.join(args.out, sub)
        os.makedirs(d, exist_ok=True)
        src = os.path.join(d, f"{sub}.mlir")
        with open(src, "w") as f:
            f.write("\n".join(c["mlir"] for c in group))
        subprocess.run([sc, src, f"--target={args.target}", "--no-graph", "-o", d, "--name", sub,
                        f"--gpu-gemm-schedule={args.gemm_schedule}"],
                       check=True)
    if args.target == "nvidia-h100" and args.gemm_schedule == "auto":
        models.generate(os.path.join(args.out, "models"))


if __name__ == "__main__":
    main()
