"""Compile the bundled decoder block ahead of time and run it from C++.

1. `sinter-compile examples/decoder_block/block_linalg.mlir` (raise, fuse,
   tile, CPU backend) -> decoder_block.o / libdecoder_block.a /
   decoder_block.h / decoder_block.json in the output directory;
2. builds examples/aot-cpu/main.cpp against the library, the Sinter runtime
   and libomp;
3. writes the inputs and the float64 numpy reference output, and runs the
   program, which checks its output.

Usage: run.py [--build-dir build] [--out build/examples/aot-cpu]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "examples", "decoder_block"))
from run import make_inputs, reference  # noqa: E402  (decoder_block/run.py)
from sinter.toolchain import cxx_compiler as cxx, omp_lib_dir  # noqa: E402

ORDER = ["x", "attn_norm", "wq", "wk", "wv", "wo", "mlp_norm", "wgate", "wup", "wdown", "cos", "sin"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--target", default=None, help="x86-avx512 or x86-avx2 (default: host)")
    args = ap.parse_args()
    out = args.out or os.path.join(args.build_dir, "examples", "aot-cpu")
    os.makedirs(out, exist_ok=True)

    cmd = [os.path.join(args.build_dir, "bin", "sinter-compile"),
           os.path.join(ROOT, "examples", "decoder_block", "block_linalg.mlir"),
           "-o", out, "--name", "decoder_block"]
    if args.target:
        cmd.append(f"--target={args.target}")
    subprocess.run(cmd, check=True)

    exe = os.path.join(out, "aot-decoder-block")
    omp = omp_lib_dir()
    subprocess.run([cxx(), "-O2", "-std=c++17", "-I", out, "-I", os.path.join(ROOT, "include"),
                    os.path.join(HERE, "main.cpp"), os.path.join(out, "libdecoder_block.a"),
                    os.path.join(args.build_dir, "lib", "libsinter_runtime.a"),
                    f"-L{omp}", "-lomp", "-lm", f"-Wl,-rpath,{omp}", "-o", exe], check=True)
    print(f"built {exe}")

    params = make_inputs(0)
    data = os.path.join(out, "data")
    os.makedirs(data, exist_ok=True)
    for name in ORDER:
        params[name].astype("float32").tofile(os.path.join(data, name + ".bin"))
    reference(params).astype("float32").tofile(os.path.join(data, "expected.bin"))
    sys.exit(subprocess.run([exe, data]).returncode)


if __name__ == "__main__":
    main()
