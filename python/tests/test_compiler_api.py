"""The compiler's C API through the package: modules, pipelines, reports,
compiles for every kind of target."""
import json
import os

import numpy as np
import pytest

import sinter

MATMUL = """
func.func @f(%a: tensor<8x16xf32>, %b: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<8x4xf32>) -> tensor<8x4xf32>
  %r = linalg.matmul ins(%a, %b : tensor<8x16xf32>, tensor<16x4xf32>) outs(%f : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %r : tensor<8x4xf32>
}
"""


def test_parse_print_clone():
    m = sinter.parse(MATMUL)
    assert "linalg.matmul" in str(m)
    assert '"linalg.matmul"' in m.print(generic=True)
    c = m.clone()
    c.run_pipeline("sinter-attach-target{target=x86-avx2},sinter-graph-pipeline")
    assert "sinter.gemm" in str(c) and "sinter.gemm" not in str(m)


def test_pipeline_reports_and_errors():
    m = sinter.parse(MATMUL)
    out = m.run_pipeline("builtin.module(sinter-attach-target{target=nvidia-h100},sinter-graph-pipeline,"
                         "sinter-report-traffic)")
    assert "sinter traffic report: @f on nvidia-h100" in out and "ratio to minimum: 1.000" in out
    with pytest.raises(sinter.CompileError, match="'no-such-pass' does not refer to a registered pass"):
        m.run_pipeline("no-such-pass")
    # Passes decide on the module's target description and never guess one.
    with pytest.raises(sinter.CompileError, match="sinter-fuse needs the module's target description"):
        sinter.parse(MATMUL).run_pipeline("sinter-graph-pipeline")


def test_compile_cpu_callable_zero_copy_inputs(tmp_path):
    lines = []
    mod = sinter.compile(MATMUL, output_dir=str(tmp_path), name="mm", progress=lines.append)
    assert any(line.startswith("graph:") for line in lines) and any("wrote" in line for line in lines)
    a = np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((16, 4)).astype(np.float32)
    np.testing.assert_allclose(mod.f(a, b), a @ b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mod(a, b), a @ b, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="arg0 must have shape"):
        mod.f(a[:4], b)
    with pytest.raises(TypeError, match="takes 2 arrays"):
        mod.f(a)
    assert os.path.exists(tmp_path / "mm.h") and mod.manifest["functions"][0]["name"] == "f"


def test_compile_gpu_and_npu_give_artifacts(tmp_path):
    npu = sinter.compile(MATMUL.replace("f32", "f16").replace("0.0 : f16", "0.0 : f16"), target="npu-910",
                         output_dir=str(tmp_path / "npu"), name="mm")
    assert isinstance(npu, sinter.Artifacts) and npu.manifest["target"] == "npu-910"
    assert os.path.exists(npu.path("header")) and npu.functions == ["f"]
    gpu = sinter.compile(MATMUL, target="nvidia-h100", output_dir=str(tmp_path / "gpu"), name="mm")
    assert gpu.manifest["chip"] == "sm_90a" and os.path.exists(gpu.path("ptx"))
    assert json.load(open(tmp_path / "gpu" / "mm.json"))["functions"][0]["name"] == "f"


def test_stop_after_stage(tmp_path):
    art = sinter.compile(MATMUL, output_dir=str(tmp_path), name="mm", stop_after="graph")
    assert "sinter.gemm" in open(tmp_path / "mm.graph.mlir").read()
    assert art.manifest["stopped_after"] == "graph"


BF16_GEMM = """
func.func @g(%a: tensor<5x24xbf16>, %b: tensor<24x7xbf16>) -> tensor<5x7xbf16> {
  %o = tensor.empty() : tensor<5x7xbf16>
  %y = sinter.gemm ins(%a, %b : tensor<5x24xbf16>, tensor<24x7xbf16>) outs(%o : tensor<5x7xbf16>)
      {acc_type = f32} -> tensor<5x7xbf16>
  return %y : tensor<5x7xbf16>
}
"""


def test_compiled_module_element_types(tmp_path):
    """bf16 through the one dtype table: float arrays are rounded to bf16,
    uint16 arrays are taken as bf16 bits (zero-copy), results come back as
    float32; a wrong shape or an fp8 float array is refused by name."""
    from sinter import dtypes
    mod = sinter.compile(BF16_GEMM, output_dir=str(tmp_path), name="g")
    rng = np.random.default_rng(3)
    a = rng.standard_normal((5, 24)).astype(np.float32)
    b = rng.standard_normal((24, 7)).astype(np.float32)
    y = mod.g(a, b)
    assert y.dtype == np.float32 and y.shape == (5, 7)
    want = dtypes.round_bf16(dtypes.round_bf16(a).astype(np.float64) @ dtypes.round_bf16(b))
    np.testing.assert_allclose(y, want, rtol=1e-2, atol=1e-2)
    bits = dtypes.to_storage(a, "bf16")
    assert bits.dtype == np.uint16 and dtypes.to_storage(bits, "bf16") is bits
    np.testing.assert_array_equal(mod.g(bits, dtypes.to_storage(b, "bf16")), y)
    with pytest.raises(ValueError, match=r"g: arg0 must have shape \(5, 24\)"):
        mod.g(a.T.copy(), b)
    with pytest.raises(TypeError, match="g takes 2 arrays"):
        mod.g(a)
    with pytest.raises(TypeError, match="pass f8E4M3FN arguments as uint8"):
        dtypes.to_storage(a, "f8E4M3FN")
    i4 = dtypes.to_storage(np.array([-8, -3, 0, 7]), "i4")
    np.testing.assert_array_equal(i4, [8, 13, 0, 7])
    np.testing.assert_array_equal(dtypes.from_storage(i4, "i4"), [-8, -3, 0, 7])
