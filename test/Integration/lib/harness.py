"""The test harness (not product code; lit puts this folder on the path):
run MLIR functions on numpy arrays, either through the reference
semantics or through the product, and compare results.

`run(module, func, args, results)`:

* by default, on the reference path: the module is completed with a driver
  `main` that builds the inputs as dense constants, calls the function,
  widens every result to f32 (floats) or i64 (integers) and prints it with
  the MLIR runner utilities; `sinter-opt --sinter-reference-to-llvm` lowers
  the whole module (sinter ops through their reference decomposition) and
  `mlir-runner` JIT-runs it;
* with SINTER_RUN_MODE=aot in the environment (or `compile_options`), the
  way users run compiled code: `sinter.compile` (the whole pipeline, CPU
  backend) and the CompiledModule's function called on the arrays.

Tools are found through $SINTER_OPT, $SINTER_MLIR_RUNNER and
$SINTER_MLIR_LIB_DIR (lit sets them), falling back to build/bin and
/usr/lib/llvm-22.
"""

import os
import re
import subprocess
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np
from sinter.dtypes import round_bf16  # noqa: F401 (re-exported for tests)

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_LLVM = "/usr/lib/llvm-22"

FLOAT_TYPES = ("f32", "f16", "bf16", "f8E4M3FN")
INT_TYPES = ("i1", "i4", "i8", "i32", "i64", "index")


def _tool(env: str, default: str) -> str:
    return os.environ.get(env) or default


def sinter_opt() -> str:
    return _tool("SINTER_OPT", os.path.join(_ROOT, "build", "bin", "sinter-opt"))


def mlir_runner() -> str:
    return _tool("SINTER_MLIR_RUNNER", os.path.join(_LLVM, "bin", "mlir-runner"))


def mlir_lib_dir() -> str:
    return _tool("SINTER_MLIR_LIB_DIR", os.path.join(_LLVM, "lib"))


# ---------------------------------------------------------------------------
# Rounding helpers: make numpy inputs exactly representable in a dtype so the
# reference sees the same values the compiled code does.
# ---------------------------------------------------------------------------

def round_to(x, dtype: str) -> np.ndarray:
    x = np.asarray(x)
    if dtype == "f32":
        return x.astype(np.float32)
    if dtype == "f16":
        return x.astype(np.float16).astype(np.float32)
    if dtype == "bf16":
        return round_bf16(x)
    if dtype in INT_TYPES:
        return x.astype(np.int64)
    raise ValueError(f"unsupported dtype {dtype}")


@dataclass
class Arg:
    """One input: a numpy array and the MLIR element type it is passed as."""
    value: np.ndarray
    dtype: str


def tensor_type(shape: Sequence[int], dtype: str) -> str:
    dims = "x".join(str(d) for d in shape)
    return f"tensor<{dims}x{dtype}>" if dims else f"tensor<{dtype}>"


def _literal(a: np.ndarray, dtype: str) -> str:
    if dtype in FLOAT_TYPES:
        flat = [repr(float(v)) for v in round_to(a, dtype).ravel()]
        flat = [v.replace("inf", "0x7F800000") if "inf" in v else v for v in flat]
    else:
        flat = [str(int(v)) for v in a.ravel()]

    def nest(items, shape):
        if not shape:
            return items[0]
        step = len(items) // shape[0] if shape[0] else 0
        return "[" + ",".join(nest(items[i * step:(i + 1) * step], shape[1:])
                              for i in range(shape[0])) + "]"

    return f"dense<{nest(flat, list(a.shape))}>"


def _driver(func: str, args: Sequence[Arg], results: Sequence[Tuple[str, Sequence[int]]]) -> str:
    lines = ["func.func private @printMemrefI64(memref<*xi64>)",
             "func.func @__sinter_main() {"]
    names, types = [], []
    for i, arg in enumerate(args):
        t = tensor_type(arg.value.shape, arg.dtype)
        lines.append(f"  %a{i} = arith.constant {_literal(np.asarray(arg.value), arg.dtype)} : {t}")
        names.append(f"%a{i}")
        types.append(t)
    rtypes = [tensor_type(shape, dt) for dt, shape in results]
    call = f"func.call @{func}({', '.join(names)}) : ({', '.join(types)}) -> ({', '.join(rtypes)})"
    if len(results) == 1:
        lines.append(f"  %r0 = {call}")
        rnames = ["%r0"]
    else:
        lines.append(f"  %r:{len(results)} = {call}")
        rnames = [f"%r#{i}" for i in range(len(results))]
    # Every result is printed exactly as i64: floats as their f32 bit pattern.
    for i, ((dt, shape), rname, rt) in enumerate(zip(results, rnames, rtypes)):
        wt = tensor_type(shape, "i64")
        rank = len(shape)
        ids = ", ".join(f"d{k}" for k in range(rank))
        amap = f"affine_map<({ids}) -> ({ids})>"
        its = ", ".join(['"parallel"'] * rank)
        if dt in FLOAT_TYPES:
            f32 = "%x" if dt == "f32" else "%f"
            cast = ([] if dt == "f32" else [f"%f = arith.extf %x : {dt} to f32"]) + [
                f"%b = arith.bitcast {f32} : f32 to i32", "%y = arith.extui %b : i32 to i64"]
        elif dt == "index":
            cast = ["%y = arith.index_cast %x : index to i64"]
        elif dt == "i64":
            cast = ["%y = arith.addi %x, %x0 : i64"]
        else:
            cast = [f"%y = arith.extsi %x : {dt} to i64"]
        lines += [f"  %e{i} = tensor.empty() : {wt}",
                  f"  %w{i} = linalg.generic {{indexing_maps = [{amap}, {amap}], iterator_types = [{its}]}} "
                  f"ins({rname} : {rt}) outs(%e{i} : {wt}) {{",
                  f"  ^bb0(%x: {dt}, %o: i64):",
                  "    %x0 = arith.constant 0 : i64",
                  *["    " + c for c in cast],
                  "    linalg.yield %y : i64",
                  f"  }} -> {wt}"]
        mt = wt.replace("tensor", "memref")
        lines += [f"  %m{i} = bufferization.to_buffer %w{i} : {wt} to {mt}",
                  f"  %u{i} = memref.cast %m{i} : {mt} to memref<*xi64>",
                  f"  func.call @printMemrefI64(%u{i}) : (memref<*xi64>) -> ()"]
    lines += ["  return", "}"]
    return "\n".join(lines) + "\n"


_NUM = re.compile(r"-?\d+")


def _parse(output: str, results) -> List[np.ndarray]:
    chunks = output.split("Unranked Memref")[1:]
    if len(chunks) != len(results):
        raise RuntimeError(f"expected {len(results)} printed results, got {len(chunks)}:\n{output}")
    arrays = []
    for chunk, (dt, shape) in zip(chunks, results):
        data = chunk.split("data =", 1)[1]
        arr = np.array([int(v) for v in _NUM.findall(data)], dtype=np.int64)
        if arr.size != int(np.prod(shape)):
            raise RuntimeError(f"result has {arr.size} values, expected shape {shape}")
        arr = arr.reshape(shape)
        if dt in FLOAT_TYPES:
            arr = arr.astype(np.uint32).view(np.float32).astype(np.float64)
        arrays.append(arr)
    return arrays


def run(module: str, func: str, args: Sequence[Arg],
        results: Sequence[Tuple[str, Sequence[int]]],
        extra_passes: str = "", **compile_options) -> List[np.ndarray]:
    """Runs `func` of `module` on `args` and returns its results.

    `results` lists (element type, shape) per result of `func`. Inputs are
    rounded to their element type first (see `round_to`). `extra_passes`
    (sinter-opt flags, separated by spaces) run before the reference
    lowering; they do not apply to the compiled path, whose pipeline is
    sinter-compile's. `compile_options` (e.g. k_block=64) select the
    compiled path and go to `sinter.compile`.
    """
    if os.environ.get("SINTER_RUN_MODE") == "aot" or compile_options:
        return run_compiled(module, func, args, **compile_options)
    text = module + "\n" + _driver(func, args, results)
    # `extra_passes`: sinter-opt flags, separated by spaces.
    pipeline = extra_passes.split() + ["--sinter-reference-to-llvm"]
    lowered = subprocess.run([sinter_opt(), *pipeline], input=text, capture_output=True, text=True)
    if lowered.returncode != 0:
        raise RuntimeError(f"sinter-opt failed:\n{lowered.stderr}")
    libs = ",".join(os.path.join(mlir_lib_dir(), lib) for lib in (
        "libmlir_runner_utils.so", "libmlir_c_runner_utils.so", "libmlir_apfloat_wrappers.so"))
    ran = subprocess.run([mlir_runner(), "-e", "__sinter_main", "--entry-point-result=void",
                          f"-shared-libs={libs}"], input=lowered.stdout, capture_output=True, text=True)
    if ran.returncode != 0:
        raise RuntimeError(f"mlir-runner failed ({ran.returncode}):\n{ran.stderr}")
    return _parse(ran.stdout, results)


def run_compiled(module: str, func: str, args: Sequence[Arg], target: str = "cpu",
                 **options) -> List[np.ndarray]:
    """`func` of `module` compiled by `sinter.compile` (MLIR text in, the
    host CPU's artifacts out) and called through its CompiledModule."""
    import tempfile

    import sinter
    with tempfile.TemporaryDirectory(prefix="sinter-test-") as out_dir:
        compiled = sinter.compile(module, target=target, output_dir=out_dir, **options)
        out = getattr(compiled, func)(*[np.asarray(a.value) for a in args])
    return list(out) if isinstance(out, tuple) else [out]


def check(name: str, got, want, atol: float, rtol: float = 0.0) -> float:
    """Compares `got` with the reference `want`; raises on mismatch.

    Prints one line with the worst absolute error so test logs show margins.
    """
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} != reference {want.shape}")
    with np.errstate(invalid="ignore"):
        return _check(name, got, want, atol, rtol)


def _check(name, got, want, atol, rtol):
    same_inf = (np.isinf(got) & np.isinf(want) & (np.sign(got) == np.sign(want)))
    err = np.where(same_inf, 0.0, np.abs(got - want))
    err = np.where(np.isnan(err), np.inf, err)
    bound = atol + rtol * np.abs(np.where(same_inf, 0.0, want))
    worst = float(err.max()) if err.size else 0.0
    bad = err > bound
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        raise AssertionError(f"{name}: {int(bad.sum())} of {err.size} elements differ; "
                             f"first at {i}: got {got[i]}, want {want[i]} (atol={atol}, rtol={rtol})")
    print(f"PASS {name}: max_abs_err={worst:.3g} (atol={atol}, rtol={rtol}, n={err.size})")
    return worst
