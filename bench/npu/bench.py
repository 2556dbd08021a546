"""NPU benchmarks on the simulator (npu-910): GEMMs compiled by
convert-sinter-to-npu, placed by npu-plan-scratchpads, written as C++ by
npu-to-cpp and timed by the simulator (timing only) on all 32 cores,
against the roofline of the target description: max(2MNK / cube peak,
compulsory bytes / HBM bandwidth).

Usage: /usr/bin/python3 bench/npu/bench.py [--build-dir build] [--only NAME]
Prints a markdown table.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# npu-910 (lib/Dialect/Sinter/IR/TargetPresets.cpp): 32 cores at 1 GHz,
# f16 cube 256 TFLOP/s, HBM 1200 GB/s.
CORES, CLOCK_GHZ, CUBE_FLOPS, HBM_BYTES = 32, 1.0, 256e12, 1200e9

# (name, M, N, K, W4A16 group size or 0 for f16 weights)
SHAPES = [("gemm_4096", 4096, 4096, 4096, 0), ("decode_16x4096x11008", 16, 11008, 4096, 0),
          ("decode_16x11008x4096", 16, 4096, 11008, 0),
          ("w4a16_16x4096x11008", 16, 11008, 4096, 128), ("w4a16_16x11008x4096", 16, 4096, 11008, 128)]


def w4a16_mlir(M, N, K, group):
    """f16 activations x int4 weights with f16 scales per `group` rows of k."""
    G = -(-K // group)
    return (f"func.func @kernel(%a: tensor<{M}x{K}xf16>, %q: tensor<{K}x{N}xi4>, %s: tensor<{G}x{N}xf16>)"
            f" -> tensor<{M}x{N}xf16> {{\n"
            f"  %o = tensor.empty() : tensor<{M}x{N}xf16>\n"
            f"  %y = sinter.gemm ins(%a, %q : tensor<{M}x{K}xf16>, tensor<{K}x{N}xi4>) scales(%s : tensor<{G}x{N}xf16>)"
            f" outs(%o : tensor<{M}x{N}xf16>) {{acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, "
            f"group_size = {group}>}} -> tensor<{M}x{N}xf16>\n  return %y : tensor<{M}x{N}xf16>\n}}\n")


# (name, B, H, HKV, SQ, SK, D, causal)
ATTENTION = [("attention_b1_h16_s4096_d128_causal", 1, 16, 16, 4096, 4096, 128, True),
             ("decode_b16_hq32_hkv8_s8192_d128", 16, 32, 8, 1, 8192, 128, False)]


def attention_mlir(B, H, HKV, SQ, SK, D, causal):
    q, kv = f"tensor<{B}x{H}x{SQ}x{D}xf16>", f"tensor<{B}x{HKV}x{SK}x{D}xf16>"
    mask = " {mask = #sinter.mask<causal>}" if causal else ""
    return (f"func.func @kernel(%q: {q}, %k: {kv}, %v: {kv}) -> {q} {{\n  %o = tensor.empty() : {q}\n"
            f"  %r = sinter.attention ins(%q, %k, %v : {q}, {kv}, {kv}) outs(%o : {q}){mask} -> {q}\n"
            f"  return %r : {q}\n}}\n")


def compile_kernel(bindir, lib, tmp, name, mlir, driver, defs=()):
    """The kernel's C++ (convert-sinter-to-npu, npu-plan-scratchpads,
    npu-to-cpp) built with `driver` into an executable."""
    src = os.path.join(tmp, f"{name}.mlir")
    with open(src, "w") as f:
        f.write(mlir)
    ir = subprocess.run([os.path.join(bindir, "sinter-opt"), src, "--sinter-attach-target=target=npu-910",
                         "--convert-sinter-to-npu", "--npu-plan-scratchpads"],
                        check=True, capture_output=True, text=True).stdout
    cpp = os.path.join(tmp, f"{name}.cpp")
    subprocess.run([os.path.join(bindir, "sinter-translate"), "--npu-to-cpp", "-o", cpp],
                   input=ir, check=True, text=True)
    exe = os.path.join(tmp, name)
    subprocess.run(["c++", "-std=c++17", "-O2", *defs, os.path.join(HERE, driver), cpp,
                    "-I", os.path.join(ROOT, "include"), lib, "-o", exe], check=True)
    return exe


def parse(name, out):
    pipes, cycles = {}, None
    for line in out.splitlines():
        parts = line.split()
        if parts[0] == "pipe":
            pipes[parts[1]] = int(parts[2])
        elif parts[0] == "cycles":
            cycles = int(parts[1])
        elif parts[0] == "hazards":
            sys.exit(f"{name}: the kernel has pipe hazards: {line}")
    return pipes, cycles


def busy(pipes, cycles):
    return " / ".join(f"{100 * pipes[p] / cycles:.0f} %" for p in ("MTE2", "MTE1", "M", "FIX", "V", "MTE3"))


def gemm_mlir(M, N, K):
    return (f"func.func @kernel(%a: tensor<{M}x{K}xf16>, %b: tensor<{K}x{N}xf16>) -> tensor<{M}x{N}xf16> {{\n"
            f"  %o = tensor.empty() : tensor<{M}x{N}xf16>\n"
            f"  %y = sinter.gemm ins(%a, %b : tensor<{M}x{K}xf16>, tensor<{K}x{N}xf16>) outs(%o : tensor<{M}x{N}xf16>)"
            f" {{acc_type = f32}} -> tensor<{M}x{N}xf16>\n  return %y : tensor<{M}x{N}xf16>\n}}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    bindir = os.path.join(args.build_dir, "bin")
    lib = os.path.join(args.build_dir, "lib", "libsinter_npusim.a")
    print("| kernel | M x N x K | simulated us | roofline us | of roofline | bound | "
          "core 0: MTE2 / MTE1 / M / FIX / V / MTE3 busy |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        fp16_us = {}
        for name, M, N, K, group in SHAPES:
            if args.only not in name:
                continue
            exe = compile_kernel(bindir, lib, tmp, name,
                                 w4a16_mlir(M, N, K, group) if group else gemm_mlir(M, N, K), "driver.cpp",
                                 [f"-DSINTER_W4A16_GROUP={group}"] if group else [])
            out = subprocess.run([exe, str(M), str(N), str(K), str(CORES)], check=True,
                                 capture_output=True, text=True).stdout
            pipes, cycles = parse(name, out)
            sim_us = cycles / (CLOCK_GHZ * 1e3)
            compute_us = 2 * M * N * K / CUBE_FLOPS * 1e6
            weight_bytes = K * N // 2 + -(-K // group) * N * 2 if group else K * N * 2
            memory_us = ((M * K + M * N) * 2 + weight_bytes) / HBM_BYTES * 1e6
            roof = max(compute_us, memory_us)
            shape = (M, N, K)
            if not group:
                fp16_us[shape] = sim_us
            speedup = f"; {fp16_us[shape] / sim_us:.2f}x over f16 weights" if group and shape in fp16_us else ""
            print(f"| {name} | {M} x {N} x {K} | {sim_us:.1f} | {roof:.1f} | {roof / sim_us:.2f} | "
                  f"{'compute' if compute_us >= memory_us else 'memory'}{speedup} | {busy(pipes, cycles)} |",
                  flush=True)
        # Attention: FLOPs 4 B H S^2 D (halved when causal); bytes Q, K, V, O.
        for name, B, H, HKV, SQ, SK, D, causal in ATTENTION:
            if args.only not in name:
                continue
            exe = compile_kernel(bindir, lib, tmp, name, attention_mlir(B, H, HKV, SQ, SK, D, causal),
                                 "attention_driver.cpp")
            out = subprocess.run([exe, str(B), str(H), str(HKV), str(SQ), str(SK), str(D), str(int(causal)),
                                  str(CORES)], check=True, capture_output=True, text=True).stdout
            pipes, cycles = parse(name, out)
            sim_us = cycles / (CLOCK_GHZ * 1e3)
            compute_us = 4 * B * H * SQ * SK * D / (2 if causal else 1) / CUBE_FLOPS * 1e6
            memory_us = (2 * B * H * SQ + 2 * B * HKV * SK) * D * 2 / HBM_BYTES * 1e6
            roof = max(compute_us, memory_us)
            print(f"| {name} | B{B} H{H} (KV {HKV}) Sq{SQ} Skv{SK} D{D} | {sim_us:.1f} | {roof:.1f} | "
                  f"{roof / sim_us:.2f} | "
                  f"{'compute' if compute_us >= memory_us else 'memory'} | {busy(pipes, cycles)} |", flush=True)


if __name__ == "__main__":
    main()
