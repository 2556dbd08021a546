"""The compiler from Python: parse, run pipelines, compile, call.

`compile(model, target="cpu")` accepts MLIR text, a path to a .mlir or
.onnx file, an `onnx.ModelProto` or a `Module`, and returns a
`CompiledModule` (CPU: its functions are callable on numpy arrays) or, for
GPU and NPU targets, `Artifacts` (the output folder and the manifest).
"""

import json
import os
import tempfile
from typing import Callable, List, Optional, Sequence

from . import _sinter
from .runtime import Artifacts, CompiledModule, Function, load  # noqa: F401 (the package's API)

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


def _to_module(model, ctx: Context, weights: str, constants=()):
    """(Module, weights bound as trailing arguments)."""
    def onnx_module(m):
        from . import onnx as sonnx
        if weights == "arguments":
            text, arrays = sonnx.import_model_with_weights(m, constants=constants)
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
            weights: str = "constants", constants: Sequence[str] = (), **options):
    """Compiles `model` for `target` ("cpu" is the host's CPU preset).

    Returns a CompiledModule for CPU targets, Artifacts otherwise. ONNX
    weights are constants in the code (`weights="constants"`) or, with
    `weights="arguments"`, trailing {sinter.weight} arguments the
    CompiledModule passes itself (`Artifacts.weights` otherwise), except
    the initializers named in `constants` (tables such as RoPE's cos/sin
    that the compiler specializes on). Options:
    stop_after, gpu_gemm_schedule, k_block (as sinter-compile's)."""
    if weights not in ("constants", "arguments"):
        raise ValueError(f"weights must be 'constants' or 'arguments', got {weights!r}")
    if constants and weights != "arguments":
        raise ValueError("constants= names the initializers that stay constants when weights='arguments'")
    ctx = context()
    module, arrays = _to_module(model, ctx, weights, tuple(constants))
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
