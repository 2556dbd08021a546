"""Sinter: an MLIR compiler for transformer workloads (Python side).

    import sinter
    mod = sinter.compile("model.onnx", target="cpu")   # or MLIR text, a
    y = mod(x)                                         # ModelProto, a Module

* `sinter.compile` imports ONNX (`sinter.onnx`), runs the compiler in
  process (the `_sinter` extension over the C API, include/sinter-c/
  compiler.h) and, for CPU targets, loads the artifacts as a
  CompiledModule callable on numpy arrays (the one way to run compiled
  code; element types by `sinter.dtypes`); for GPU and NPU targets it
  returns the artifacts and the manifest.
* `sinter.parse` / `sinter.Context` give Modules to print and run pass
  pipelines on; `sinter.passes()` and `sinter.targets()` list what
  pipelines and compiles can name.
* `sinter.toolchain` finds the compilers and runtime that programs built
  against the artifacts need.
* `python3 -m sinter compile|report` is the command line.
"""

import os as _os

__version__ = "0.1.0"

# The compiled extension sits beside these files once installed; in a
# build tree it is in <build>/python/sinter ($SINTER_BUILD_DIR, default
# <source>/build).
_build = _os.environ.get("SINTER_BUILD_DIR") or _os.path.join(
    _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))), "build")
_ext = _os.path.join(_build, "python", "sinter")
if _os.path.isdir(_ext) and _ext not in __path__:
    __path__.append(_ext)

__all__ = ["Artifacts", "CompileError", "CompiledModule", "Context", "Module", "compile", "load", "parse",
           "pass_is_registered", "passes", "targets"]


def __getattr__(name):
    # The compiler (and its extension) load on first use: sinter.load,
    # sinter.dtypes and sinter.toolchain work without the extension (on a
    # machine with no LLVM/MLIR).
    if name in ("load", "GPUModule"):
        from . import runtime
        return getattr(runtime, name)
    if name in __all__:
        from . import compiler
        return getattr(compiler, name)
    if name == "onnx":
        import importlib
        return importlib.import_module(".onnx", __name__)
    raise AttributeError(f"module 'sinter' has no attribute {name!r}")
