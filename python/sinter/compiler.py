"""The compiler from Python: parse, run pipelines, compile, call.

`compile(model, target="cpu")` accepts MLIR text, a path to a .mlir or
.onnx file, an `onnx.ModelProto` or a `Module`, and returns a
`CompiledModule` (CPU: its functions are callable on numpy arrays) or, for
GPU and NPU targets, `Artifacts` (the output folder and the manifest).
"""

import ctypes
import json
import os
import subprocess
import tempfile
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np

from . import _sinter, dtypes, toolchain

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


def passes() -> List[str]:
    """The passes a pipeline can name (the names `sinter-opt --list-passes`
    lists; named pipelines such as sinter-graph-pipeline too, see
    `pass_is_registered`)."""
    names = []
    for line in _sinter.list_passes().splitlines():
        # "  --name   -   summary"; options are indented further.
        if line.startswith("  --") and not line.startswith("    "):
            names.append(line.split()[0][2:])
    return names


def pass_is_registered(name: str) -> bool:
    """Whether a pipeline can name `name` (a pass or a named pipeline)."""
    return _sinter.pass_is_registered(name)


def targets() -> List[str]:
    """The target presets `compile` takes (besides "cpu", the host's)."""
    return _sinter.list_targets().split()


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

    Arguments are converted to their element type's storage by the one
    dtype table (`sinter.dtypes`): an argument already C-contiguous with
    that storage is passed zero-copy (f16 as float16, bf16 as uint16 bits;
    float arrays for bf16 are rounded to it). Results are new arrays in the
    closest numpy type (bf16 as float32), returned alone or as a tuple;
    in/out arguments are updated in place when passed zero-copy. A wrong
    number of arrays or a wrong shape is a TypeError / ValueError naming the
    argument."""

    def __init__(self, lib: ctypes.CDLL, spec: dict, bound: Sequence[np.ndarray] = ()):
        self.spec = spec
        self.name = spec["name"]
        for a in spec["arguments"]:
            dtypes.lookup(a["dtype"])  # refuse unknown element types up front
        # Trailing inputs supplied by the module (weights passed as
        # arguments), kept alive in their storage here.
        inputs = [a for a in spec["arguments"] if a["role"] != "output"]
        self.inputs = inputs[:len(inputs) - len(bound)]
        self.bound = [dtypes.to_storage(x, a["dtype"]) for x, a in zip(bound, inputs[len(self.inputs):])]
        self.outputs = [a for a in spec["arguments"] if a["role"] == "output"]
        self._fn = getattr(lib, spec["symbol"])
        self._fn.restype = None
        self._fn.argtypes = [ctypes.c_void_p] * len(spec["arguments"])

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.name} takes {len(self.inputs)} arrays "
                            f"({', '.join(a['name'] for a in self.inputs)}), got {len(args)}")
        keep, ptrs, outs = [], [], []
        it = iter(list(args) + self.bound)
        for a in self.spec["arguments"]:
            shape = tuple(a["shape"])
            if a["role"] == "output":
                out = np.empty(shape, dtype=dtypes.lookup(a["dtype"]).storage)
                outs.append((out, a["dtype"]))
                ptrs.append(out.ctypes.data)
                continue
            x = next(it)
            if not isinstance(x, np.ndarray):
                x = np.asarray(x)
            if x.shape != shape:
                raise ValueError(f"{self.name}: {a['name']} must have shape {shape}, got {x.shape}")
            x = dtypes.to_storage(x, a["dtype"])
            keep.append(x)
            ptrs.append(x.ctypes.data)
        self._fn(*ptrs)
        results = [dtypes.from_storage(out, dt) for out, dt in outs]
        return results[0] if len(results) == 1 else tuple(results)


class CompiledModule(Artifacts):
    """A CPU compile loaded as a shared library: `mod.NAME(...)` calls an
    exported function; `mod(...)` calls the only (or the first) one."""

    def __init__(self, output_dir: str, name: str, manifest: dict, weights: Sequence[np.ndarray] = ()):
        super().__init__(output_dir, name, manifest)
        self.weights = list(weights)
        so = os.path.join(output_dir, f"lib{name}.so")
        try:
            omp = toolchain.omp_lib_dir()
            cmd = [toolchain.c_compiler(), "-shared", "-o", so, os.path.join(output_dir, manifest["object"]),
                   toolchain.runtime_lib(), f"-L{omp}", "-lomp", "-lm", "-lstdc++", f"-Wl,-rpath,{omp}"]
        except toolchain.ToolchainError as e:
            raise CompileError(str(e)) from None
        built = subprocess.run(cmd, capture_output=True, text=True)
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
