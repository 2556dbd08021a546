# NPU kernels against sinter's reference decomposition on the CPU: each
# function is compiled with `sinter-compile --target=npu-910`, run on the
# simulator over 2 cores (a generated harness reads the inputs and writes
# the outputs as f32), and compared with `harness.run` (the
# --sinter-decompose path, JIT-run by mlir-runner) on the same inputs.
# RUN: %python %s %sinter_obj %t | FileCheck %s
# CHECK: PASS gemm bias tanh
# CHECK: PASS gemm [n, k] batched
# CHECK: PASS w4a16 grouped
# CHECK: PASS ragged gemm epilogue
# CHECK: PASS ragged gemm [n, k] batched
# CHECK: PASS ragged decode gemm
# CHECK: PASS attention causal gqa
# CHECK: PASS attention window softcap
# CHECK: PASS decode gqa
# CHECK: PASS ragged attention causal gqa
# CHECK: PASS ragged attention cross
# CHECK: PASS ragged decode
# CHECK: PASS kv.gather
# CHECK: PASS kv.append
import json
import os
import subprocess
import sys

import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, tensor_type as T

OBJ, WORK = sys.argv[1], sys.argv[2]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.makedirs(WORK, exist_ok=True)

HARNESS = r"""
#include "NAME.h"
#include <cstdio>
#include <vector>
using namespace sinter::npu;
static const struct { DType t; long rows, cols; bool out; } kArgs[] = { ARGS };
int main(int argc, char **argv) {
  const int n = sizeof(kArgs) / sizeof(kArgs[0]), cores = 2;
  std::vector<std::vector<uint8_t>> mem;
  std::vector<float> result;
  for (int id = 0; id < cores; ++id) {
    Core core(NAME_config(), id, cores);
    std::vector<Tile> tiles;
    for (int i = 0; i < n; ++i) {
      long bytes = (kArgs[i].rows * kArgs[i].cols * bits(kArgs[i].t) + 7) / 8;
      tiles.push_back(core.globalTile(core.global(bytes), kArgs[i].t, kArgs[i].rows, kArgs[i].cols));
      if (id) { core.data(tiles[i].buffer) = mem[i]; continue; }
      if (kArgs[i].out) continue;
      std::FILE *f = std::fopen(argv[1 + i], "rb");
      std::vector<float> v(kArgs[i].rows * kArgs[i].cols);
      if (!f || std::fread(v.data(), 4, v.size(), f) != v.size()) return 2;
      std::fclose(f);
      for (long r = 0; r < kArgs[i].rows; ++r)
        for (long c = 0; c < kArgs[i].cols; ++c)
          core.set(tiles[i], r, c, v[r * kArgs[i].cols + c]);
    }
    KERNEL(core, TILES);
    if (!core.hazards().empty()) { std::printf("hazard: %s\n", core.hazards()[0].c_str()); return 3; }
    mem.clear();
    for (int i = 0; i < n; ++i) mem.push_back(core.data(tiles[i].buffer));
    if (id + 1 == cores) {
      const Tile &o = tiles[n - 1];
      std::FILE *f = std::fopen(argv[n], "wb");
      for (long r = 0; r < o.rows; ++r)
        for (long c = 0; c < o.cols; ++c) { float x = core.get(o, r, c); std::fwrite(&x, 4, 1, f); }
      std::fclose(f);
    }
  }
  return 0;
}
"""
DTYPES = {"f16": "F16", "bf16": "BF16", "f32": "F32", "i8": "I8", "i4": "I4", "i32": "I32", "i64": "I64"}


def on_npu(name, mod, func, args, out_shape):
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "m.mlir")
    with open(src, "w") as f:
        f.write(mod)
    subprocess.run([os.path.join(OBJ, "bin", "sinter-compile"), src, "--target=npu-910", "--no-graph", "-o", d,
                    "--name", "k", "--quiet"], check=True)
    manifest = json.load(open(os.path.join(d, "k.json")))
    # The function's one kernel (its host program calls only it), on the
    # kernel API with 2-d tiles.
    fn = next(f for f in manifest["functions"] if f["name"] == func)
    (kernel,) = [k for k in manifest["kernels"] if k["name"] == fn["kernels"][0]["name"]]
    specs = kernel["arguments"]
    cargs = ", ".join(f"{{DType::{DTYPES[a['dtype']]}, {a['shape'][0]}, {a['shape'][1]}, "
                      f"{'true' if a['role'] == 'output' else 'false'}}}" for a in specs)
    tiles = ", ".join(f"tiles[{i}]" for i in range(len(specs)))
    harness = HARNESS.replace("NAME", "k").replace("ARGS", cargs).replace("KERNEL", kernel["symbol"]).replace("TILES", tiles)
    with open(os.path.join(d, "main.cpp"), "w") as f:
        f.write(harness)
    exe = os.path.join(d, "run")
    subprocess.run(["c++", "-std=c++17", "-O1", os.path.join(d, "main.cpp"), os.path.join(d, "k.cpp"), "-I", d,
                    "-I", os.path.join(ROOT, "include"), os.path.join(OBJ, "lib", "libsinter_npusim.a"), "-o", exe],
                   check=True)
    files = []
    for i, a in enumerate(args):
        p = os.path.join(d, f"in{i}.bin")
        np.asarray(a.value, dtype=np.float32).tofile(p)
        files.append(p)
    out = os.path.join(d, "out.bin")
    subprocess.run([exe, *files, out], check=True)
    return np.fromfile(out, dtype=np.float32).reshape(out_shape)


def compare(name, mod, func, args, out_dtype, out_shape, atol, rtol):
    (want,) = run(mod, func, args, [(out_dtype, out_shape)])
    got = on_npu(name.replace(" ", "_").replace(",", ""), mod, func, args, out_shape)
    check(name, got, want, atol, rtol)


r = rng(7)

# GEMM with a row bias and tanh on the vector unit, 2 x 2 blocks.
M, K, N = 256, 384, 256
a = round_to(r.standard_normal((M, K)) * 0.1, "f16")
b = round_to(r.standard_normal((K, N)) * 0.1, "f16")
bias = round_to(r.standard_normal(N), "f32")
mod = f"""
func.func @g(%a: {T((M, K), 'f16')}, %b: {T((K, N), 'f16')}, %bias: {T((N,), 'f32')}) -> {T((M, N), 'f16')} {{
  %o = tensor.empty() : {T((M, N), 'f16')}
  %y = sinter.gemm ins(%a, %b : {T((M, K), 'f16')}, {T((K, N), 'f16')}) epilogue_ins(%bias : {T((N,), 'f32')})
      outs(%o : {T((M, N), 'f16')}) {{acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>]}} -> {T((M, N), 'f16')}
    epilogue {{
    ^bb0(%acc: f32, %bv: f32):
      %s = arith.addf %acc, %bv : f32
      %t = math.tanh %s : f32
      %h = arith.truncf %t : f32 to f16
      sinter.yield %h : f16
    }}
  return %y : {T((M, N), 'f16')}
}}"""
compare("gemm bias tanh", mod, "g", [Arg(a, "f16"), Arg(b, "f16"), Arg(bias, "f32")], "f16", (M, N), 2e-3, 2e-3)

# Batched A, B stored [N, K] (nn.Linear's layout), f32 output.
Bt, M, K, N = 2, 64, 128, 96
a = round_to(r.standard_normal((Bt, M, K)), "f16")
w = round_to(r.standard_normal((N, K)), "f16")
mod = f"""
func.func @g(%a: {T((Bt, M, K), 'f16')}, %w: {T((N, K), 'f16')}) -> {T((Bt, M, N), 'f32')} {{
  %o = tensor.empty() : {T((Bt, M, N), 'f32')}
  %y = sinter.gemm ins(%a, %w : {T((Bt, M, K), 'f16')}, {T((N, K), 'f16')}) outs(%o : {T((Bt, M, N), 'f32')})
      {{acc_type = f32, transpose_b}} -> {T((Bt, M, N), 'f32')}
  return %y : {T((Bt, M, N), 'f32')}
}}"""
compare("gemm [n, k] batched", mod, "g", [Arg(a, "f16"), Arg(w, "f16")], "f32", (Bt, M, N), 1e-3, 1e-4)

# W4A16: int4 codes with f16 scales per 64 rows of k.
M, K, N, G = 16, 256, 128, 64
a = round_to(r.standard_normal((M, K)), "f16")
q = r.integers(-8, 8, size=(K, N)).astype(np.float64)
s = round_to(r.uniform(0.01, 0.1, size=(K // G, N)), "f16")
mod = f"""
func.func @g(%a: {T((M, K), 'f16')}, %q: {T((K, N), 'i4')}, %s: {T((K // G, N), 'f16')}) -> {T((M, N), 'f16')} {{
  %o = tensor.empty() : {T((M, N), 'f16')}
  %y = sinter.gemm ins(%a, %q : {T((M, K), 'f16')}, {T((K, N), 'i4')}) scales(%s : {T((K // G, N), 'f16')})
      outs(%o : {T((M, N), 'f16')}) {{acc_type = f32, b_quant = #sinter.weight_quant<scheme = grouped, group_size = {G}>}}
      -> {T((M, N), 'f16')}
  return %y : {T((M, N), 'f16')}
}}"""
compare("w4a16 grouped", mod, "g", [Arg(a, "f16"), Arg(q, "i4"), Arg(s, "f16")], "f16", (M, N), 2e-2, 2e-3)


# Ragged edges (M, N and K not multiples of 16 or of the 128 tiles): the
# edge tiles are padded with zeros on the way in and cropped on the way
# out, here with row, column and tile epilogue operands.
M, K, N = 150, 200, 141
a = round_to(r.standard_normal((M, K)) * 0.1, "f16")
b = round_to(r.standard_normal((K, N)) * 0.1, "f16")
bias = round_to(r.standard_normal(N), "f32")
rs = round_to(r.uniform(0.5, 2, size=M), "f32")
res = round_to(r.standard_normal((M, N)), "f16")
mod = f"""
func.func @g(%a: {T((M, K), 'f16')}, %b: {T((K, N), 'f16')}, %bias: {T((N,), 'f32')}, %rs: {T((M,), 'f32')},
             %res: {T((M, N), 'f16')}) -> {T((M, N), 'f16')} {{
  %o = tensor.empty() : {T((M, N), 'f16')}
  %y = sinter.gemm ins(%a, %b : {T((M, K), 'f16')}, {T((K, N), 'f16')})
      epilogue_ins(%bias, %rs, %res : {T((N,), 'f32')}, {T((M,), 'f32')}, {T((M, N), 'f16')})
      outs(%o : {T((M, N), 'f16')}) {{acc_type = f32, epilogue_maps = [affine_map<(m, n) -> (n)>,
        affine_map<(m, n) -> (m)>, affine_map<(m, n) -> (m, n)>]}} -> {T((M, N), 'f16')}
    epilogue {{
    ^bb0(%acc: f32, %bv: f32, %sv: f32, %rv: f16):
      %s = arith.addf %acc, %bv : f32
      %t = math.tanh %s : f32
      %u = arith.mulf %t, %sv : f32
      %re = arith.extf %rv : f16 to f32
      %w = arith.addf %u, %re : f32
      %h = arith.truncf %w : f32 to f16
      sinter.yield %h : f16
    }}
  return %y : {T((M, N), 'f16')}
}}"""
compare("ragged gemm epilogue", mod, "g",
        [Arg(a, "f16"), Arg(b, "f16"), Arg(bias, "f32"), Arg(rs, "f32"), Arg(res, "f16")], "f16", (M, N),
        4e-3, 4e-3)

# Ragged, batched, B stored [N, K].
Bt, M, K, N = 3, 37, 90, 53
a = round_to(r.standard_normal((Bt, M, K)), "f16")
w = round_to(r.standard_normal((N, K)), "f16")
mod = f"""
func.func @g(%a: {T((Bt, M, K), 'f16')}, %w: {T((N, K), 'f16')}) -> {T((Bt, M, N), 'f32')} {{
  %o = tensor.empty() : {T((Bt, M, N), 'f32')}
  %y = sinter.gemm ins(%a, %w : {T((Bt, M, K), 'f16')}, {T((N, K), 'f16')}) outs(%o : {T((Bt, M, N), 'f32')})
      {{acc_type = f32, transpose_b}} -> {T((Bt, M, N), 'f32')}
  return %y : {T((Bt, M, N), 'f32')}
}}"""
compare("ragged gemm [n, k] batched", mod, "g", [Arg(a, "f16"), Arg(w, "f16")], "f32", (Bt, M, N), 1e-3, 1e-4)

# A decode-shaped ragged GEMM (5 rows, A resident in L1).
M, K, N = 5, 300, 130
a = round_to(r.standard_normal((M, K)), "f16")
b = round_to(r.standard_normal((K, N)), "f16")
mod = f"""
func.func @g(%a: {T((M, K), 'f16')}, %b: {T((K, N), 'f16')}) -> {T((M, N), 'f32')} {{
  %o = tensor.empty() : {T((M, N), 'f32')}
  %y = sinter.gemm ins(%a, %b : {T((M, K), 'f16')}, {T((K, N), 'f16')}) outs(%o : {T((M, N), 'f32')})
      {{acc_type = f32}} -> {T((M, N), 'f32')}
  return %y : {T((M, N), 'f32')}
}}"""
compare("ragged decode gemm", mod, "g", [Arg(a, "f16"), Arg(b, "f16")], "f32", (M, N), 1e-3, 1e-4)


def attention_mod(q, kv, out, attrs):
    return f"""
func.func @f(%q: {q}, %k: {kv}, %v: {kv}) -> {out} {{
  %o = tensor.empty() : {out}
  %r = sinter.attention ins(%q, %k, %v : {q}, {kv}, {kv}) outs(%o : {out}) {{{attrs}}} -> {out}
  return %r : {out}
}}"""


# Causal GQA attention, 2 query heads per KV head.
B, Hq, Hkv, S, D = 1, 4, 2, 256, 64
qv = round_to(r.standard_normal((B, Hq, S, D)), "f16")
kv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
vv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
mod = attention_mod(T(qv.shape, "f16"), T(kv.shape, "f16"), T(qv.shape, "f16"), "mask = #sinter.mask<causal>")
compare("attention causal gqa", mod, "f", [Arg(qv, "f16"), Arg(kv, "f16"), Arg(vv, "f16")], "f16",
        (B, Hq, S, D), 5e-3, 5e-3)

# A sliding window of 100 keys with softcapped logits.
mod = attention_mod(T(qv.shape, "f16"), T(kv.shape, "f16"), T(qv.shape, "f16"),
                    "mask = #sinter.mask<sliding_window>, window = 100, softcap = 3.0 : f32")
compare("attention window softcap", mod, "f", [Arg(qv, "f16"), Arg(kv, "f16"), Arg(vv, "f16")], "f16",
        (B, Hq, S, D), 5e-3, 5e-3)

# A decode: one query per head over 384 cached keys, 4 query heads per KV
# head.
B, Hq, Hkv, S, D = 2, 8, 2, 384, 128
qv = round_to(r.standard_normal((B, Hq, 1, D)), "f16")
kv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
vv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
mod = attention_mod(T(qv.shape, "f16"), T(kv.shape, "f16"), T(qv.shape, "f16"), "")
compare("decode gqa", mod, "f", [Arg(qv, "f16"), Arg(kv, "f16"), Arg(vv, "f16")], "f16", (B, Hq, 1, D), 5e-3, 5e-3)

# Ragged sequences: the last query block is padded and cropped, the last
# key block's padded keys masked. Causal over 200 positions (blocks of
# 128 and 72), GQA.
B, Hq, Hkv, S, D = 1, 4, 2, 200, 64
qv = round_to(r.standard_normal((B, Hq, S, D)), "f16")
kv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
vv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
mod = attention_mod(T(qv.shape, "f16"), T(kv.shape, "f16"), T(qv.shape, "f16"), "mask = #sinter.mask<causal>")
compare("ragged attention causal gqa", mod, "f", [Arg(qv, "f16"), Arg(kv, "f16"), Arg(vv, "f16")], "f16",
        (B, Hq, S, D), 5e-3, 5e-3)

# Unmasked, 50 queries over 90 keys (one padded block each), f32 output.
B, H, SQ, SK, D = 2, 2, 50, 90, 32
qv = round_to(r.standard_normal((B, H, SQ, D)), "f16")
kv = round_to(r.standard_normal((B, H, SK, D)), "f16")
vv = round_to(r.standard_normal((B, H, SK, D)), "f16")
mod = attention_mod(T(qv.shape, "f16"), T(kv.shape, "f16"), T(qv.shape, "f32"), "")
compare("ragged attention cross", mod, "f", [Arg(qv, "f16"), Arg(kv, "f16"), Arg(vv, "f16")], "f32",
        (B, H, SQ, D), 3e-3, 3e-3)

# A decode over 300 cached keys (blocks of 128, 128 and 44).
B, Hq, Hkv, S, D = 1, 4, 1, 300, 64
qv = round_to(r.standard_normal((B, Hq, 1, D)), "f16")
kv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
vv = round_to(r.standard_normal((B, Hkv, S, D)), "f16")
mod = attention_mod(T(qv.shape, "f16"), T(kv.shape, "f16"), T(qv.shape, "f16"), "")
compare("ragged decode", mod, "f", [Arg(qv, "f16"), Arg(kv, "f16"), Arg(vv, "f16")], "f16", (B, Hq, 1, D), 5e-3, 5e-3)

# kv.gather as a DMA program: ragged lengths, garbage (-1, out-of-range)
# table entries past each sequence's end, S not a multiple of the block.
NB, BS, H, D = 9, 16, 2, 64
lens = np.array([37, 0, 16])
table = np.array([[3, 0, 6, -1], [-1, 99, -7, 2], [5, 1000, -1, -1]])
B, MB = table.shape
S = 40
cache = round_to(r.standard_normal((NB, BS, H, D)), "f16")
ct, btt, lt, ot = T(cache.shape, "f16"), T(table.shape, "i32"), T((B,), "i64"), T((B, H, S, D), "f16")
mod = f"""
func.func @f(%c: {ct}, %bt: {btt}, %l: {lt}) -> {ot} {{
  %o = tensor.empty() : {ot}
  %g = sinter.kv.gather ins(%c, %bt, %l : {ct}, {btt}, {lt}) outs(%o : {ot}) -> {ot}
  return %g : {ot}
}}"""
compare("kv.gather", mod, "f", [Arg(cache, "f16"), Arg(table, "i32"), Arg(lens, "i64")], "f16", (B, H, S, D), 0, 0)

# kv.append as a DMA program: padding tokens (slot -1), two tokens for one
# slot (the later wins), slots on both cores' blocks.
NB, BS, H, D = 6, 16, 2, 40
T_ = 7
update = round_to(r.standard_normal((T_, H, D)), "f16")
slots = np.array([5, -1, 17, 5, 90, 33, 64])
cache = round_to(r.standard_normal((NB, BS, H, D)), "f16")
ut, st, ct = T(update.shape, "f16"), T((T_,), "i32"), T(cache.shape, "f16")
mod = f"""
func.func @f(%u: {ut}, %s: {st}, %c: {ct}) -> {ct} {{
  %r = sinter.kv.append ins(%u, %s : {ut}, {st}) outs(%c : {ct}) -> {ct}
  return %r : {ct}
}}"""
compare("kv.append", mod, "f", [Arg(update, "f16"), Arg(slots, "i32"), Arg(cache, "f16")], "f16", cache.shape, 0, 0)
