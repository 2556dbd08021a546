"""Whole models on the NPU simulator, through the product's path:
`sinter.compile(..., target="npu-910")`, `sinter.load(folder)` and a call
on numpy arrays (the host program runs every kernel on the simulated
cores). The repository's torch blocks (exported to ONNX, f32 and bf16) and
the bundled decoder block (linalg and sinter spellings) are checked against
float64 references (torch on the CPU, the decoder's numpy reference) and
against the CPU backend's result."""
import copy
import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import sinter  # noqa: E402
from torch_blocks import GPT2Block, LlamaBlock, TinyLM, export  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# (atol, rtol): f32 within 1e-3; bf16 within what bf16 intermediates allow.
TOLERANCE = {"f32": (1e-3, 1e-3), "bf16": (6e-2, 4e-2)}


def torch_block(name):
    torch.manual_seed(0)
    blocks = {
        "encoder": lambda: (torch.nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True),
                            torch.randn(2, 11, 64)),
        "gpt2": lambda: (GPT2Block(), torch.randn(2, 13, 64)),
        "llama": lambda: (LlamaBlock(), torch.randn(2, 11, 64)),
        "tinylm": lambda: (TinyLM(), torch.randint(0, 50, (2, 9))),
    }
    module, x = blocks[name.replace("_bf16", "")]()
    module.eval()
    if name.endswith("_bf16"):
        module, x = copy.deepcopy(module).bfloat16(), x.bfloat16()
    return module, x


def check(got, want, dtype):
    atol, rtol = TOLERANCE[dtype]
    assert got.shape == want.shape
    err = np.abs(got.astype(np.float64) - want)
    bad = (err > atol + rtol * np.abs(want)) | ~np.isfinite(got)
    assert not bad.any(), f"{int(bad.sum())} of {got.size} differ; max |error| {err.max():.3g}"


@pytest.mark.parametrize("name", ["encoder", "gpt2", "llama", "tinylm", "gpt2_bf16", "llama_bf16"])
def test_torch_block_on_npu(name, tmp_path):
    module, x = torch_block(name)
    path = os.path.join(tmp_path, f"{name}.onnx")
    export(module, x, path)
    out = os.path.join(tmp_path, "npu")
    sinter.compile(path, target="npu-910", output_dir=out, name="m")
    model = sinter.load(out)
    assert isinstance(model, sinter.runtime.NPUModule)
    dtype = "bf16" if x.dtype == torch.bfloat16 else "f32"
    xs = x.float().numpy() if dtype == "bf16" else x.numpy()
    got = model(xs)
    with torch.no_grad():
        want = copy.deepcopy(module).double()(x.double() if x.is_floating_point() else x).numpy()
    check(got, want, dtype)
    # The CPU backend computes the same function.
    cpu = sinter.compile(path, target="cpu", output_dir=os.path.join(tmp_path, "cpu"))
    check(got, cpu(xs).astype(np.float64), dtype)
    # The timeline: one launch per kernel that is not load-time, cycles
    # adding up.
    fn = getattr(model, model.functions[0])
    spec = model.manifest["functions"][0]
    per_call = [k["name"] for k in spec["kernels"] if not k["load_time"]]
    assert [l["name"] for l in fn.report["launches"]] == per_call
    assert fn.report["cycles"] == sum(l["cycles"] for l in fn.report["launches"]) > 0
    assert spec["workspace_bytes"] <= spec["intermediate_bytes"]
    # A second call (the load-time results kept) gives the same values.
    np.testing.assert_array_equal(model(xs), got)


@pytest.mark.parametrize("spelling,dtype", [("linalg", "f32"), ("linalg", "bf16"), ("sinter", "f32")])
def test_decoder_block_on_npu(spelling, dtype, tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "examples", "decoder_block"))
    import gen_block
    import run as block_run
    from sinter.dtypes import round_bf16
    p = block_run.make_inputs(7)
    order = ["x", "attn_norm", "wq", "wk", "wv", "wo", "mlp_norm", "wgate", "wup", "wdown", "cos", "sin"]
    args = [p[k] if dtype == "f32" else round_bf16(p[k]) for k in order]
    want = block_run.reference(dict(zip(order, args)))
    if spelling == "linalg":
        src = gen_block.emit(block_run.S, block_run.HID, block_run.H, block_run.HKV, block_run.FF, dtype)
    else:
        with open(os.path.join(ROOT, "examples", "decoder_block", "block_sinter.mlir")) as f:
            src = f.read()
    model = sinter.compile(src, target="npu-910", output_dir=str(tmp_path), name="block")
    model = sinter.load(str(tmp_path))
    check(model(*args), want, dtype)


def test_npu_bad_arguments(tmp_path):
    src = os.path.join(ROOT, "test", "tools", "sinter-compile", "Inputs", "mlp_block.mlir")
    sinter.compile(src, target="npu-910", output_dir=str(tmp_path), name="mlp")
    model = sinter.load(str(tmp_path))
    x, g = np.ones((5, 64), np.float32), np.ones(64, np.float32)
    with pytest.raises(ValueError, match="arg0 must have shape"):
        model(np.ones((4, 64), np.float32), g)
    with pytest.raises(TypeError, match="takes 2 arrays"):
        model(x)
    # Fewer cores give the same values, in more cycles.
    y32 = model(x, g)
    cycles32 = model.block.report["cycles"]
    model.set_cores(1)
    np.testing.assert_array_equal(model(x, g), y32)
    assert model.block.report["cycles"] > cycles32


def test_npu_gemm_residual_epilogue(tmp_path):
    """A bf16 GEMM adding a bf16 residual in its epilogue, several output
    tiles per core: the residual's load buffer is not reused for the
    result the store still reads (the simulator raises on the hazard)."""
    from sinter.dtypes import round_bf16
    M, N, K = 512, 256, 128
    src = f"""
#map = affine_map<(d0, d1) -> (d0, d1)>
func.func @g(%a: tensor<{M}x{K}xbf16>, %b: tensor<{K}x{N}xbf16>, %r: tensor<{M}x{N}xbf16>) -> tensor<{M}x{N}xbf16> {{
  %o = tensor.empty() : tensor<{M}x{N}xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<{M}x{K}xbf16>, tensor<{K}x{N}xbf16>) epilogue_ins(%r : tensor<{M}x{N}xbf16>)
      outs(%o : tensor<{M}x{N}xbf16>) {{acc_type = f32, epilogue_maps = [#map]}} -> tensor<{M}x{N}xbf16> epilogue {{
  ^bb0(%acc: f32, %res: bf16):
    %t = arith.truncf %acc : f32 to bf16
    %s = arith.addf %res, %t : bf16
    sinter.yield %s : bf16
  }}
  return %y : tensor<{M}x{N}xbf16>
}}
"""
    sinter.compile(src, target="npu-910", output_dir=str(tmp_path), name="g")
    model = sinter.load(str(tmp_path))
    model.set_cores(2)
    rng = np.random.default_rng(3)
    a, b, r = (round_bf16(rng.standard_normal(s).astype(np.float32) * 0.1) for s in ((M, K), (K, N), (M, N)))
    got = model(a, b, r)
    want = r.astype(np.float64) + a.astype(np.float64) @ b.astype(np.float64)
    check(got, want, "bf16")
    assert [l["name"] for l in model.g.report["launches"]] == ["g_0_gemm"]


def test_npu_gemm_constant_epilogue(tmp_path):
    """Epilogue constants on the vector unit's scalar ops (GELU's tanh form,
    and c - x as -x + c) keep the GEMM one cube kernel."""
    from sinter.dtypes import round_bf16
    M, N, K = 256, 128, 64
    src = f"""
func.func @g(%a: tensor<{M}x{K}xbf16>, %b: tensor<{K}x{N}xbf16>) -> tensor<{M}x{N}xf32> {{
  %o = tensor.empty() : tensor<{M}x{N}xf32>
  %y = sinter.gemm ins(%a, %b : tensor<{M}x{K}xbf16>, tensor<{K}x{N}xbf16>) outs(%o : tensor<{M}x{N}xf32>)
      {{acc_type = f32}} -> tensor<{M}x{N}xf32> epilogue {{
  ^bb0(%x: f32):
    %c0 = arith.constant 0.044715 : f32
    %c1 = arith.constant 0.7978845608 : f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %two = arith.constant 2.0 : f32
    %x2 = arith.mulf %x, %x : f32
    %x3 = arith.mulf %x2, %x : f32
    %t0 = arith.mulf %c0, %x3 : f32
    %t1 = arith.addf %x, %t0 : f32
    %t2 = arith.mulf %t1, %c1 : f32
    %t3 = math.tanh %t2 : f32
    %t4 = arith.addf %t3, %one : f32
    %t5 = arith.mulf %half, %x : f32
    %g = arith.mulf %t5, %t4 : f32
    %r = arith.subf %two, %g : f32
    sinter.yield %r : f32
  }}
  return %y : tensor<{M}x{N}xf32>
}}
"""
    sinter.compile(src, target="npu-910", output_dir=str(tmp_path), name="g")
    model = sinter.load(str(tmp_path))
    assert [k["name"] for k in model.manifest["functions"][0]["kernels"]] == ["g_0_gemm"]
    rng = np.random.default_rng(4)
    a, b = (round_bf16(rng.standard_normal(s).astype(np.float32) * 0.3) for s in ((M, K), (K, N)))
    x = a.astype(np.float64) @ b.astype(np.float64)
    want = 2.0 - 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))
    check(model(a, b), want, "f32")


def test_npu_weights_as_arguments(tmp_path):
    """Weights as arguments: what weights alone make (the concatenated QKV
    and gate/up projections) runs at load time, and again when new weight
    arrays come in."""
    module, x = torch_block("llama")
    path = os.path.join(tmp_path, "llama.onnx")
    export(module, x, path)
    out = os.path.join(tmp_path, "npu")
    art = sinter.compile(path, target="npu-910", output_dir=out, name="m", weights="arguments",
                         constants=["cos", "sin", "mask"])
    kernels = art.manifest["functions"][0]["kernels"]
    assert any(k["load_time"] for k in kernels)
    model = sinter.load(out, weights=art.weights)
    with torch.no_grad():
        want = copy.deepcopy(module).double()(x.double()).numpy()
    check(model(x.numpy()), want, "f32")
    # The same function with the weights passed after the input: new
    # weight arrays make the load-time results again.
    unbound = sinter.load(out, weights=[])
    fn = getattr(unbound, unbound.functions[0])
    check(fn(x.numpy(), *art.weights), want, "f32")
    scaled = [w * 0.5 for w in art.weights]
    state = {k: v * 0.5 if v.is_floating_point() and k not in ("cos", "sin", "mask") else v
             for k, v in module.state_dict().items()}
    halved = copy.deepcopy(module)
    halved.load_state_dict(state)
    with torch.no_grad():
        want_half = halved.double()(x.double()).numpy()
    check(fn(x.numpy(), *scaled), want_half, "f32")
