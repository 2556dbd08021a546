"""Running compiled artifacts from Python: the one path from artifacts to
results, and the part of the package that needs neither the compiler nor
LLVM/MLIR (it imports on a GPU machine that has only a C compiler, the
CUDA driver and torch).

    model = sinter.load("out/")        # the folder sinter.compile wrote
    y = model(x)                       # CPU: numpy arrays; GPU: torch CUDA tensors

* CPU artifacts load as a CompiledModule: a shared library linked from the
  object, called on numpy arrays (element types by `sinter.dtypes`).
* GPU artifacts load as a GPUModule: the launch code built with the
  runtime into a shared library (cached next to the artifacts), each
  function called on CUDA tensors (torch, or anything with
  `__cuda_array_interface__`) on the current stream, with shape, dtype and
  device checks.
"""
import ctypes
import json
import os
import subprocess
from typing import Dict, List, Optional, Sequence

import numpy as np

from . import dtypes, toolchain


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

    def __init__(self, lib: ctypes.CDLL, spec: dict, bound: Sequence[np.ndarray] = (), restype=None):
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
        self._fn.restype = restype
        self._fn.argtypes = [ctypes.c_void_p] * len(spec["arguments"])

    def __call__(self, *args):
        keep, ptrs, outs = self._marshal(args)
        self._fn(*ptrs)
        return self._results(outs)

    def _marshal(self, args):
        """(arrays kept alive, pointers in argument order, (output, dtype)
        pairs) for a call on `args`; checks their number and shapes."""
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
            x = np.ascontiguousarray(dtypes.to_storage(x, a["dtype"]))
            keep.append(x)
            ptrs.append(x.ctypes.data)
        return keep, ptrs, outs

    @staticmethod
    def _results(outs):
        results = [dtypes.from_storage(out, dt) for out, dt in outs]
        return results[0] if len(results) == 1 else tuple(results)


class CompiledModule(Artifacts):
    """A CPU compile loaded as a shared library: `mod.NAME(...)` calls an
    exported function; `mod(...)` calls the only (or the first) one."""

    def __init__(self, output_dir: str, name: str, manifest: dict, weights: Sequence[np.ndarray] = ()):
        super().__init__(output_dir, name, manifest)
        self.weights = list(weights)
        obj = os.path.join(output_dir, manifest["object"])
        so = _library_path(output_dir, name, [obj])
        omp = toolchain.omp_lib_dir()
        cmd = [toolchain.c_compiler(), "-shared", "-o", so, obj,
               toolchain.runtime_lib(), f"-L{omp}", "-lomp", "-lm", "-lstdc++", f"-Wl,-rpath,{omp}"]
        built = subprocess.run(cmd, capture_output=True, text=True)
        if built.returncode != 0:
            raise toolchain.ToolchainError(f"linking {so} failed:\n{built.stderr}")
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




# MLIR element type -> torch dtype name (bf16 is native in torch).
_TORCH = {"f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16", "i1": "bool",
          "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "index": "int64", "i4": "int8",
          "f8E4M3FN": "float8_e4m3fn"}


def _runtime_sources() -> str:
    """The folder with the runtime's sources (Runtime.cpp, CudaLauncher.cpp)
    and headers: installed inside the package, or the source tree's."""
    here = os.path.dirname(os.path.abspath(__file__))
    for root in (os.path.join(here, "_runtime"), os.path.dirname(os.path.dirname(here))):
        if os.path.exists(os.path.join(root, "lib", "Runtime", "CudaLauncher.cpp")):
            return root
    raise toolchain.ToolchainError("the runtime's sources are not found (a broken install?)")


def _library_path(folder: str, name: str, inputs: List[str]) -> str:
    """FOLDER/lib<name>-<digest>.so, the digest of what it is built from.
    A process keeps a shared library it loaded by its path, so a library
    rebuilt under the same name (a recompile into the same folder) would
    silently run the old code: every build gets a name of its own, and the
    older builds of `name` in the folder are removed."""
    import hashlib
    digest = hashlib.sha1()
    for path in inputs:
        digest.update(path.encode())
        with open(path, "rb") as f:
            digest.update(f.read())
    lib = os.path.join(folder, f"lib{name}-{digest.hexdigest()[:16]}.so")
    for old in os.listdir(folder):
        if old.startswith(f"lib{name}-") and old.endswith(".so") and os.path.join(folder, old) != lib:
            try:
                os.remove(os.path.join(folder, old))
            except OSError:
                pass
    return lib


def _build_gpu_library(folder: str, manifest: dict) -> str:
    """lib<name>.so from the launch code and the runtime, rebuilt when the
    launch code is newer."""
    root = _runtime_sources()
    runtime = [os.path.join(root, "lib", "Runtime", f) for f in ("Runtime.cpp", "CudaLauncher.cpp")]
    return _build_library(folder, manifest, runtime, ["-ldl"])


def _build_library(folder: str, manifest: dict, runtime: List[str], libs: List[str]) -> str:
    """lib<name>.so of the artifacts' sources and `runtime`, cached in
    FOLDER/.sinter-build and rebuilt when a source is newer."""
    root = _runtime_sources()
    name = manifest["name"]
    work = os.path.join(folder, ".sinter-build")
    os.makedirs(work, exist_ok=True)
    sources = [os.path.join(folder, src) for src in manifest["sources"]]
    lib = _library_path(work, name, sources + runtime)
    if os.path.exists(lib):
        return lib
    inc = ["-I", os.path.join(root, "include"), "-I", folder]
    objs = []
    for src in sources + runtime:
        obj = os.path.join(work, os.path.basename(src) + ".o")
        cxx = src.endswith(".cpp")
        cmd = [toolchain.cxx_compiler() if cxx else toolchain.c_compiler(), "-O2", "-fPIC",
               "-std=c++17" if cxx else "-std=c11", '-DSINTER_VERSION="runtime"', *inc, "-c", src, "-o", obj]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise toolchain.ToolchainError(f"building {src} failed:\n{done.stderr}")
        objs.append(obj)
    done = subprocess.run([toolchain.cxx_compiler(), "-shared", "-o", lib, *objs, *libs],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise toolchain.ToolchainError(f"linking {lib} failed:\n{done.stderr}")
    return lib


def _cuda_pointer(x, what: str):
    """(device pointer, shape, dtype name, device index) of a CUDA tensor:
    a torch tensor, or anything with __cuda_array_interface__."""
    if hasattr(x, "is_cuda"):  # torch
        if not x.is_cuda:
            raise ValueError(f"{what} is on {x.device}, not a CUDA device")
        if not x.is_contiguous():
            raise ValueError(f"{what} is not contiguous (row-major): call .contiguous()")
        return x.data_ptr(), tuple(x.shape), str(x.dtype).replace("torch.", ""), x.device.index
    iface = getattr(x, "__cuda_array_interface__", None)
    if iface is None:
        raise TypeError(f"{what} is a {type(x).__name__}; pass a CUDA tensor (torch, or anything with "
                        "__cuda_array_interface__)")
    if iface.get("strides") not in (None,):
        raise ValueError(f"{what} is not contiguous (row-major)")
    typestr = np.dtype(iface["typestr"]).name
    return iface["data"][0], tuple(iface["shape"]), typestr, None


class GPUFunction:
    """One compiled function of a GPU module, called on CUDA tensors.

    Inputs must match the manifest's shapes and dtypes exactly (no
    conversions happen on the device) and be contiguous on one CUDA device;
    outputs are new torch tensors on that device (or `out=`). The launches
    run on torch's current stream; the workspace comes from torch's caching
    allocator, so the call can be captured in a CUDA graph once the module's
    state exists (after a first call)."""

    def __init__(self, lib: ctypes.CDLL, spec: dict, bound: Sequence = ()):
        self.spec, self.name = spec, spec["name"]
        inputs = [a for a in spec["arguments"] if a["role"] != "output"]
        self.inputs = inputs[:len(inputs) - len(bound)]
        self.bound = list(bound)
        self.outputs = [a for a in spec["arguments"] if a["role"] == "output"]
        self.workspace_bytes = spec.get("workspace_bytes", 0)
        self._fn = getattr(lib, spec["symbol_with_workspace"])
        self._fn.restype = ctypes.c_int
        self._fn.argtypes = [ctypes.c_void_p] * (2 + len(spec["arguments"]))
        self._lib = lib

    def _prepare(self, args, out):
        """Checks the arguments; (pointers, outputs, workspace, device)."""
        import torch
        if len(args) != len(self.inputs):
            raise TypeError(f"{self.name} takes {len(self.inputs)} tensors "
                            f"({', '.join(a['name'] for a in self.inputs)}), got {len(args)}")
        ptrs, device = [], None
        for x, a in zip(list(args) + self.bound, [a for a in self.spec["arguments"] if a["role"] != "output"]):
            what = f"{self.name}: {a['name']}"
            p, shape, dt, dev = _cuda_pointer(x, what)
            if shape != tuple(a["shape"]):
                raise ValueError(f"{what} must have shape {tuple(a['shape'])}, got {shape}")
            if dt != _TORCH[a["dtype"]]:
                raise TypeError(f"{what} must be {_TORCH[a['dtype']]} ({a['dtype']}), got {dt}")
            if dev is not None:
                if device is not None and dev != device:
                    raise ValueError(f"{what} is on cuda:{dev}, the other tensors on cuda:{device}")
                device = dev
            ptrs.append(p)
        device = torch.device("cuda", device if device is not None else torch.cuda.current_device())
        outs = list(out) if out is not None else [
            torch.empty(a["shape"], dtype=getattr(torch, _TORCH[a["dtype"]]), device=device)
            for a in self.outputs]
        if len(outs) != len(self.outputs):
            raise TypeError(f"{self.name} has {len(self.outputs)} results, out= gives {len(outs)}")
        for o, a in zip(outs, self.outputs):
            p, shape, dt, _ = _cuda_pointer(o, f"{self.name}: {a['name']}")
            if shape != tuple(a["shape"]) or dt != _TORCH[a["dtype"]]:
                raise ValueError(f"{self.name}: {a['name']} must be {_TORCH[a['dtype']]} {tuple(a['shape'])}")
            ptrs.append(p)
        workspace = torch.empty(max(self.workspace_bytes, 1), dtype=torch.uint8, device=device)
        return ptrs, outs, workspace, device

    def _launch(self, ptrs, workspace, device):
        import torch
        stream = torch.cuda.current_stream(device).cuda_stream
        with torch.cuda.device(device):
            rc = self._fn(stream, workspace.data_ptr(), *ptrs)
        if rc != 0:
            self._lib.sinter_rt_last_error.restype = ctypes.c_char_p
            raise RuntimeError(f"{self.name}: {self._lib.sinter_rt_last_error().decode()}")

    def __call__(self, *args, out=None):
        ptrs, outs, workspace, device = self._prepare(args, out)
        self._launch(ptrs, workspace, device)
        return outs[0] if len(outs) == 1 else tuple(outs)

    def prepare(self, *args, out=None):
        """Checks the arguments once and returns a callable with no
        arguments that launches on the same tensors (the results in its
        `outputs`): for loops and benchmarks, with no checks or allocation
        per call."""
        ptrs, outs, workspace, device = self._prepare(args, out)

        def launch():
            self._launch(ptrs, workspace, device)
        launch.outputs = outs[0] if len(outs) == 1 else tuple(outs)
        launch.keep = (args, workspace)  # the tensors stay alive with it
        return launch

    def capture(self, *args) -> "CapturedCall":
        """This function's launches on `args`' shapes, captured once as a
        CUDA graph to replay."""
        return CapturedCall(self, args)


class CapturedCall:
    """One call of a GPUFunction captured as a CUDA graph (torch's
    CUDAGraph): `replay(*inputs)` copies the inputs into the captured
    buffers and replays every launch with no launch overhead per kernel.
    The results are the same tensors on every replay (clone them to keep
    one)."""

    def __init__(self, fn: "GPUFunction", args: Sequence):
        import torch
        self.inputs = [a.clone() for a in args]
        fn(*self.inputs)  # the module's state and image exist before capture
        torch.cuda.synchronize()
        self.graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(self.graph):
            self.outputs = fn(*self.inputs)

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            raise TypeError(f"the captured call takes {len(self.inputs)} tensors, got {len(args)}")
        for dst, src in zip(self.inputs, args):
            if tuple(src.shape) != tuple(dst.shape) or src.dtype != dst.dtype:
                raise ValueError(f"the captured call takes {dst.dtype} {tuple(dst.shape)}, "
                                 f"got {src.dtype} {tuple(src.shape)}")
            dst.copy_(src)
        self.graph.replay()
        return self.outputs


class GPUModule:
    """GPU artifacts loaded: `model.NAME(...)` calls a compiled function,
    `model(...)` the only (or first) one."""

    def __init__(self, folder: str, manifest: dict, weights: Sequence = ()):
        self.folder, self.manifest = folder, manifest
        self.name = manifest["name"]
        self._lib = ctypes.CDLL(_build_gpu_library(folder, manifest))
        fns = manifest["functions"]
        self._functions: Dict[str, GPUFunction] = {
            f["name"]: GPUFunction(self._lib, f, weights if len(fns) == 1 else ()) for f in fns}

    @property
    def functions(self) -> List[str]:
        return list(self._functions)

    def reload_weights(self):
        """Makes what the functions compute from their weights alone
        (concatenated or repacked weights, kept on the device) again on
        the next call: needed after changing weight values in place (new
        weight tensors are noticed by their pointers)."""
        getattr(self._lib, f"{self.name}_reload_weights")()

    def __getattr__(self, name: str) -> GPUFunction:
        fns = self.__dict__.get("_functions", {})
        if name in fns:
            return fns[name]
        raise AttributeError(name)

    def __call__(self, *args, **kw):
        return next(iter(self._functions.values()))(*args, **kw)


class NPUFunction(Function):
    """One host program of NPU artifacts, run on the simulator on numpy
    arrays (the same conversions as CPU functions: `sinter.dtypes`).
    `report` is the last call's timeline: cycles, microseconds and each
    kernel launch's cycles, per-pipe busy cycles and bytes."""

    def __init__(self, module: "NPUModule", spec: dict, bound: Sequence[np.ndarray] = ()):
        super().__init__(module._lib, spec, bound, restype=ctypes.c_int)
        self._module = module
        self.report: Optional[dict] = None

    def __call__(self, *args):
        keep, ptrs, outs = self._marshal(args)
        if self._fn(*ptrs) != 0:
            raise RuntimeError(getattr(self._module._lib, f"{self._module.name}_error")().decode())
        self.report = json.loads(getattr(self._module._lib, f"{self._module.name}_report")().decode())
        return self._results(outs)

    def simulate_timing(self) -> dict:
        """Runs the host program in timing-only mode (no values computed,
        no buffers: for shapes too large to compute element by element)
        and returns its report."""
        lib, name = self._module._lib, self._module.name
        getattr(lib, f"{name}_set_functional")(ctypes.c_int(0))
        try:
            rc = self._fn(*([None] * len(self.spec["arguments"])))
        finally:
            getattr(lib, f"{name}_set_functional")(ctypes.c_int(1))
        if rc != 0:
            raise RuntimeError(getattr(lib, f"{name}_error")().decode())
        self.report = json.loads(getattr(lib, f"{name}_report")().decode())
        return self.report


class NPUModule:
    """NPU artifacts loaded: the kernels and host programs built with the
    simulator into a shared library; `model.NAME(...)` runs a function on
    numpy arrays on the simulated cores."""

    def __init__(self, folder: str, manifest: dict, weights: Sequence = ()):
        self.folder, self.manifest = folder, manifest
        self.name = manifest["name"]
        root = _runtime_sources()
        sim = os.path.join(root, "lib", "NPUSim", "NPUSim.cpp")
        if not os.path.exists(sim):
            raise toolchain.ToolchainError(f"the NPU simulator's source {sim} is not found (a broken install?)")
        self._lib = ctypes.CDLL(_build_library(folder, manifest, [sim], []))
        for fn, res in (("error", ctypes.c_char_p), ("report", ctypes.c_char_p)):
            getattr(self._lib, f"{self.name}_{fn}").restype = res
        fns = manifest["functions"]
        self._functions: Dict[str, NPUFunction] = {
            f["name"]: NPUFunction(self, f, weights if len(fns) == 1 else ()) for f in fns}

    @property
    def functions(self) -> List[str]:
        return list(self._functions)

    def set_cores(self, n: int):
        """Runs on `n` simulated cores (default: the target's)."""
        self._lib[f"{self.name}_set_cores"](ctypes.c_int(n))

    def __getattr__(self, name: str) -> NPUFunction:
        fns = self.__dict__.get("_functions", {})
        if name in fns:
            return fns[name]
        raise AttributeError(name)

    def __call__(self, *args):
        return next(iter(self._functions.values()))(*args)


def load(folder: str, name: Optional[str] = None, weights: Optional[Sequence] = None):
    """The artifacts in `folder` (its only manifest, or NAME.json) ready to
    call: a CompiledModule (CPU), a GPUModule (GPU) or an NPUModule (the
    NPU simulator, on numpy arrays). `weights`: the
    arrays a compile with weights="arguments" takes after the inputs
    (default: NAME.weights.npz when it is there); GPU modules take them as
    CUDA tensors, uploaded once here from numpy if need be."""
    if name is None:
        found = [f[:-5] for f in sorted(os.listdir(folder)) if f.endswith(".json")]
        if len(found) != 1:
            raise FileNotFoundError(f"{folder} holds {len(found)} manifests; name the one to load")
        name = found[0]
    path = os.path.join(folder, name + ".json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no manifest {path}")
    with open(path) as f:
        manifest = json.load(f)
    if weights is None:
        npz = os.path.join(folder, name + ".weights.npz")
        weights = list(np.load(npz).values()) if os.path.exists(npz) else []
    if "object" in manifest:
        return CompiledModule(folder, name, manifest, weights)
    if "chip" in manifest:
        if weights:
            import torch
            weights = [w if hasattr(w, "is_cuda") else torch.from_numpy(np.asarray(w)).cuda() for w in weights]
        return GPUModule(folder, manifest, weights)
    if manifest.get("api") == "sinter/npu/npu_sim.h":
        return NPUModule(folder, manifest, weights)
    raise ValueError(f"{path} is a manifest for {manifest.get('target')!r}, which sinter.load cannot run")
