"""The compiler from Python: parse, run pipelines, compile, call.

`compile(model, target="cpu")` accepts MLIR text, a path to a .mlir or
.onnx file, an `onnx.ModelProto` or a `Module`, and returns a
`CompiledModule` (CPU: its functions are callable on numpy arrays) or, for
GPU and NPU targets, `Artifacts` (the output folder and the manifest).
"""

import ctypes
import glob
import json
import os
import subprocess
import tempfile
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from . import _sinter

CompileError = _sinter.CompileError
Context = _sinter.Context
Module = _sinter.Module

_context: Optional[Context] = None


def context() -> Context:
    """The process's shared Context."""
    global _context
    if _context is None:
        _context = Context()
    return _context


def parse(text: str) -> Module:
    """A Module from MLIR text."""
    return context().parse(text)


_NP = {"f32": np.float32, "f64": np.float64, "f16": np.float16, "bf16": np.uint16,
       "i1": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
       "index": np.int64, "i4": np.uint8}
_CPU_TARGETS = ("x86-avx512", "x86-avx2", "aarch64-neon")


def _install_prefix() -> Optional[str]:
    try:
        from . import _install  # written by cmake --install
        return _install.PREFIX
    except ImportError:
        return None


def _runtime_lib() -> str:
    """libsinter_runtime.a: $SINTER_RUNTIME_LIB, the build tree's or the
    install prefix's."""
    from . import _build  # noqa: F401 (set by the package's __init__)
    cands = [os.environ.get("SINTER_RUNTIME_LIB"), os.path.join(_build, "lib", "libsinter_runtime.a")]
    prefix = _install_prefix()
    if prefix:
        cands.append(os.path.join(prefix, "lib", "libsinter_runtime.a"))
    for c in cands:
        if c and os.path.exists(c):
            return c
    raise CompileError("libsinter_runtime.a not found (set $SINTER_RUNTIME_LIB)")


def _omp_dir() -> str:
    found = sorted(glob.glob("/usr/lib/llvm-*/lib/libomp.so")) + sorted(glob.glob("/usr/lib/*/libomp.so"))
    if not found:
        raise CompileError("libomp.so not found (install libomp-dev)")
    return os.path.dirname(found[-1])


def _cc() -> str:
    for c in (os.environ.get("CC"), "clang-22", "cc", "gcc"):
        if c and subprocess.run(["which", c], capture_output=True).returncode == 0:
            return c
    raise CompileError("no C compiler found (set $CC)")


class Artifacts:
    """What a compile wrote: the folder, the base name and the manifest."""

    def __init__(self, output_dir: str, name: str, manifest: dict):
        self.output_dir, self.name, self.manifest = output_dir, name, manifest
        # With weights="arguments": the arrays the functions take after
        # their inputs, in order.
        self.weights: List[np.ndarray] = []

    def path(self, key: str) -> str:
        return os.path.join(self.output_dir, self.manifest[key])

    @property
    def functions(self) -> List[str]:
        return [f["name"] for f in self.manifest["functions"]]

    def __repr__(self):
        return f"Artifacts({self.output_dir!r}, {self.name!r}, target={self.manifest.get('target')!r})"


class Function:
    """One exported function of a CPU library, called on numpy arrays.

    Inputs are passed zero-copy when they are C-contiguous with the
    manifest's dtype (f16 as float16, bf16 as its uint16 bits); others are
    converted. Outputs are new arrays (returned alone or as a tuple);
    in/out arguments are updated in place when passed zero-copy."""

    def __init__(self, lib: ctypes.CDLL, spec: dict, bound: Sequence[np.ndarray] = ()):
        self.spec = spec
        # Trailing inputs supplied by the module (weights passed as
        # arguments), kept alive and C-contiguous here.
        self.bound = [np.ascontiguousarray(b) for b in bound]
        self.name = spec["name"]
        self._fn = getattr(lib, spec["symbol"])
        self._fn.restype = None
        self._fn.argtypes = [ctypes.c_void_p] * len(spec["arguments"])
        inputs = [a for a in spec["arguments"] if a["role"] != "output"]
        self.inputs = inputs[:len(inputs) - len(self.bound)]
        self.outputs = [a for a in spec["arguments"] if a["role"] == "output"]

    def __call__(self, *args: np.ndarray):
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.name} takes {len(self.inputs)} arrays "
                            f"({', '.join(a['name'] for a in self.inputs)}), got {len(args)}")
        keep, ptrs, outs = [], [], []
        it = iter(list(args) + self.bound)
        for a in self.spec["arguments"]:
            dt, shape = _NP[a["dtype"]], tuple(a["shape"])
            if a["role"] == "output":
                out = np.empty(shape, dtype=dt)
                outs.append(out)
                ptrs.append(out.ctypes.data)
                continue
            x = next(it)
            if not isinstance(x, np.ndarray):
                x = np.asarray(x)
            if x.shape != shape:
                raise ValueError(f"{self.name}: {a['name']} must have shape {shape}, got {x.shape}")
            if a["dtype"] == "i4":
                x = (x.astype(np.int64) & 0xF).astype(np.uint8)
            x = np.ascontiguousarray(x, dtype=dt)
            keep.append(x)
            ptrs.append(x.ctypes.data)
        self._fn(*ptrs)
        return outs[0] if len(outs) == 1 else tuple(outs)


class CompiledModule(Artifacts):
    """A CPU compile loaded as a shared library: `mod.NAME(...)` calls an
    exported function; `mod(...)` calls the only (or the first) one."""

    def __init__(self, output_dir: str, name: str, manifest: dict, weights: Sequence[np.ndarray] = ()):
        super().__init__(output_dir, name, manifest)
        self.weights = list(weights)
        so = os.path.join(output_dir, f"lib{name}.so")
        omp = _omp_dir()
        built = subprocess.run([_cc(), "-shared", "-o", so, os.path.join(output_dir, manifest["object"]),
                                _runtime_lib(), f"-L{omp}", "-lomp", "-lm", "-lstdc++", f"-Wl,-rpath,{omp}"],
                               capture_output=True, text=True)
        if built.returncode != 0:
            raise CompileError(f"linking {so} failed:\n{built.stderr}")
        self._lib = ctypes.CDLL(so)
        self._functions: Dict[str, Function] = {
            f["name"]: Function(self._lib, f, weights if len(manifest["functions"]) == 1 else ())
            for f in manifest["functions"]}

    def __getattr__(self, name: str) -> Function:
        fns = self.__dict__.get("_functions", {})
        if name in fns:
            return fns[name]
        raise AttributeError(name)

    def __call__(self, *args):
        return next(iter(self._functions.values()))(*args)


def _to_module(model, ctx: Context, weights: str):
    """(Module, weights bound as trailing arguments)."""
    def onnx_module(m):
        from . import onnx as sonnx
        if weights == "arguments":
            text, arrays = sonnx.import_model_with_weights(m)
            return ctx.parse(text), arrays
        return ctx.parse(sonnx.import_model(m)), []
    if isinstance(model, Module):
        return model.clone(), []
    if isinstance(model, str) and not model.lstrip().startswith(("func.func", "module", "#", "//", "!")) \
            and os.path.exists(model):
        if model.endswith(".onnx"):
            return onnx_module(model)
        return ctx.parse_file(model), []
    if isinstance(model, str) and model.endswith((".onnx", ".mlir")) and "\n" not in model:
        raise FileNotFoundError(f"no such file: {model}")
    if isinstance(model, str):
        return ctx.parse(model), []
    if type(model).__name__ == "ModelProto":
        return onnx_module(model)
    raise TypeError(f"cannot compile a {type(model).__name__} (MLIR text, a .mlir/.onnx path, "
                    "an onnx.ModelProto or a sinter.Module)")


def compile(model, target: str = "cpu", output_dir: Optional[str] = None, name: str = "model",
            no_graph: bool = False, progress: Optional[Callable[[str], None]] = None,
            weights: str = "constants", **options):
    """Compiles `model` for `target` ("cpu" is the host's CPU preset).

    Returns a CompiledModule for CPU targets, Artifacts otherwise. ONNX
    weights are constants in the code (`weights="constants"`) or, with
    `weights="arguments"`, trailing {sinter.weight} arguments the
    CompiledModule passes itself (`Artifacts.weights` otherwise). Options:
    stop_after, gpu_gemm_schedule, k_block (as sinter-compile's)."""
    if weights not in ("constants", "arguments"):
        raise ValueError(f"weights must be 'constants' or 'arguments', got {weights!r}")
    ctx = context()
    module, arrays = _to_module(model, ctx, weights)
    out = output_dir or tempfile.mkdtemp(prefix="sinter-")
    os.makedirs(out, exist_ok=True)
    preset = "" if target in ("cpu", "host") else target
    module.compile(target=preset, output_dir=out, name=name, no_graph=no_graph,
                   stop_after=options.get("stop_after", ""),
                   gpu_gemm_schedule=options.get("gpu_gemm_schedule", "auto"),
                   k_block=options.get("k_block", 0), progress=progress)
    if options.get("stop_after"):
        return Artifacts(out, name, {"functions": [], "stopped_after": options["stop_after"]})
    manifest = json.loads(ctx.read_manifest(out, name))
    if "object" in manifest:
        return CompiledModule(out, name, manifest, arrays)
    art = Artifacts(out, name, manifest)
    art.weights = arrays
    return art
