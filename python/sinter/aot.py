"""Compile MLIR ahead of time with sinter-compile and run the object.

`compile_and_run` writes the module, runs `sinter-compile`, generates a C++
driver from the manifest that reads the inputs from raw files, calls the
generated C entry point and writes the outputs, builds it with the host
C++ compiler against the object, the Sinter runtime and libomp, runs it and returns numpy
arrays. Tests use it to check generated code against the reference
decomposition (`sinter.runner.run`).

Tools: $SINTER_COMPILE (default build/bin/sinter-compile), $CXX (default
clang++-22, then c++), $SINTER_RUNTIME_LIB (default
build/lib/libsinter_runtime.a), $SINTER_OMP_LIB_DIR (default: the directory
of the first libomp.so found under /usr/lib).
"""

import glob
import json
import os
import subprocess
import tempfile
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .runner import _ROOT, Arg, round_bf16

_C_TYPES = {"f32": "float", "f64": "double", "bf16": "uint16_t", "f16": "uint16_t",
            "i1": "bool", "i4": "uint8_t", "i8": "int8_t", "i16": "int16_t",
            "i32": "int32_t", "i64": "int64_t", "index": "int64_t"}
_NP_TYPES = {"f32": np.float32, "f64": np.float64, "bf16": np.uint16, "f16": np.uint16,
             "i1": np.uint8, "i4": np.uint8, "i8": np.int8, "i16": np.int16,
             "i32": np.int32, "i64": np.int64, "index": np.int64}


def sinter_compile() -> str:
    return os.environ.get("SINTER_COMPILE") or os.path.join(_ROOT, "build", "bin", "sinter-compile")


def cxx() -> str:
    if os.environ.get("CXX"):
        return os.environ["CXX"]
    for c in ("clang++-22", "c++", "g++"):
        if subprocess.run(["which", c], capture_output=True).returncode == 0:
            return c
    raise RuntimeError("no C++ compiler found (set $CXX)")


def runtime_lib() -> str:
    return os.environ.get("SINTER_RUNTIME_LIB") or os.path.join(_ROOT, "build", "lib", "libsinter_runtime.a")


def omp_lib_dir() -> str:
    if os.environ.get("SINTER_OMP_LIB_DIR"):
        return os.environ["SINTER_OMP_LIB_DIR"]
    found = sorted(glob.glob("/usr/lib/llvm-*/lib/libomp.so")) + \
        sorted(glob.glob("/usr/lib/*/libomp.so"))
    if not found:
        raise RuntimeError("libomp.so not found (install libomp-dev or set $SINTER_OMP_LIB_DIR)")
    return os.path.dirname(found[-1])


def encode(value: np.ndarray, dtype: str) -> bytes:
    """The bytes the C interface expects for `value` as `dtype`."""
    if dtype == "bf16":
        return (round_bf16(value).view(np.uint32) >> 16).astype(np.uint16).tobytes()
    if dtype == "f16":
        return np.asarray(value, dtype=np.float16).view(np.uint16).tobytes()
    if dtype == "i4":  # low nibble, upper bits zero
        return (np.asarray(value).astype(np.int64) & 0xF).astype(np.uint8).tobytes()
    return np.ascontiguousarray(np.asarray(value).astype(_NP_TYPES[dtype])).tobytes()


def decode(data: bytes, dtype: str, shape) -> np.ndarray:
    raw = np.frombuffer(data, dtype=_NP_TYPES[dtype]).reshape(shape)
    if dtype == "bf16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if dtype == "f16":
        return raw.view(np.float16).astype(np.float32)
    if dtype == "i4":
        low = raw.astype(np.int64) & 0xF
        return np.where(low >= 8, low - 16, low)
    return raw.copy()


def _driver(name: str, fn: dict) -> str:
    lines = ['#include "%s.h"' % name, "#include <cstdio>", "#include <cstdlib>",
             "#include <vector>", "int main(int argc, char **argv) {"]
    call = []
    for i, a in enumerate(fn["arguments"]):
        n = int(np.prod(a["shape"])) if a["shape"] else 1
        ct = _C_TYPES[a["dtype"]]
        lines.append(f"  std::vector<{ct}> b{i}({max(n, 1)});")
        if a["role"] in ("input", "inout"):
            lines += [f'  {{ FILE *f = fopen("in{i}.bin", "rb"); if (!f || fread(b{i}.data(), sizeof({ct}), {n}, f) != {n}) return 2; fclose(f); }}']
        call.append(f"b{i}.data()")
    lines.append(f"  {fn['symbol']}({', '.join(call)});")
    for i, a in enumerate(fn["arguments"]):
        if a["role"] == "output":
            n = int(np.prod(a["shape"])) if a["shape"] else 1
            ct = _C_TYPES[a["dtype"]]
            lines.append(f'  {{ FILE *f = fopen("out{i}.bin", "wb"); fwrite(b{i}.data(), sizeof({ct}), {n}, f); fclose(f); }}')
    lines += ["  return 0;", "}"]
    return "\n".join(lines) + "\n"


def compile_and_run(module: str, func: str, args: Sequence[Arg],
                    results: Sequence[Tuple[str, Sequence[int]]],
                    target: Optional[str] = None, flags: Sequence[str] = (),
                    keep: Optional[str] = None) -> List[np.ndarray]:
    """Compiles `module` with sinter-compile, runs `func` on `args` through
    its C entry point and returns its results."""
    tmp = keep or tempfile.mkdtemp(prefix="sinter-aot-")
    os.makedirs(tmp, exist_ok=True)
    src = os.path.join(tmp, "kernels.mlir")
    with open(src, "w") as f:
        f.write(module)
    cmd = [sinter_compile(), src, "-o", tmp, "--name", "kernels", "--quiet", *flags]
    if target:
        cmd.append(f"--target={target}")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"sinter-compile failed:\n{done.stderr}")
    with open(os.path.join(tmp, "kernels.json")) as f:
        manifest = json.load(f)
    fn = next(x for x in manifest["functions"] if x["name"] == func)
    inputs = [a for a in fn["arguments"] if a["role"] != "output"]
    if len(inputs) != len(args):
        raise ValueError(f"{func} takes {len(inputs)} inputs, got {len(args)}")
    for i, a in enumerate(fn["arguments"]):
        if a["role"] != "output":
            arg = args[i]
            with open(os.path.join(tmp, f"in{i}.bin"), "wb") as f:
                f.write(encode(arg.value, a["dtype"]))
    with open(os.path.join(tmp, "main.cpp"), "w") as f:
        f.write(_driver("kernels", fn))
    omp = omp_lib_dir()
    build = subprocess.run([cxx(), "-O1", "-I", tmp, os.path.join(tmp, "main.cpp"),
                            os.path.join(tmp, "kernels.o"), runtime_lib(), f"-L{omp}", "-lomp", "-lm",
                            f"-Wl,-rpath,{omp}", "-o", os.path.join(tmp, "main")],
                           capture_output=True, text=True)
    if build.returncode != 0:
        raise RuntimeError(f"building the driver failed:\n{build.stderr}")
    ran = subprocess.run([os.path.join(tmp, "main")], cwd=tmp, capture_output=True, text=True)
    if ran.returncode != 0:
        raise RuntimeError(f"the compiled kernel failed ({ran.returncode}):\n{ran.stderr}")
    outs = []
    k = 0
    for i, a in enumerate(fn["arguments"]):
        if a["role"] == "output":
            dtype, shape = results[k]
            k += 1
            with open(os.path.join(tmp, f"out{i}.bin"), "rb") as f:
                outs.append(decode(f.read(), a["dtype"], a["shape"]))
    return outs
