"""python3 -m sinter compile / report."""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import helper

import sinter

from onnx_util import model

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
F = np.float32


def sinter_cli(*args):
    env = dict(os.environ, PYTHONPATH=PKG)
    return subprocess.run([sys.executable, "-m", "sinter", *args], capture_output=True, text=True, env=env)


def mlp(path):
    rng = np.random.default_rng(0)
    m = model([helper.make_node("MatMul", ["x", "w1"], ["h"]), helper.make_node("Add", ["h", "b1"], ["hb"]),
               helper.make_node("Relu", ["hb"], ["r"]), helper.make_node("MatMul", ["r", "w2"], ["y"])],
              [("x", F, (7, 24))], [("y", F, (7, 10))],
              {"w1": rng.standard_normal((24, 40)).astype(F), "b1": rng.standard_normal(40).astype(F),
               "w2": rng.standard_normal((40, 10)).astype(F)})
    onnx.save(m, path)


def test_compile(tmp_path):
    mlp(str(tmp_path / "mlp.onnx"))
    r = sinter_cli("compile", str(tmp_path / "mlp.onnx"), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert "6/6" in r.stderr and "wrote" in r.stderr
    for f in ("mlp.o", "libmlp.a", "mlp.h", "mlp.json"):
        assert (tmp_path / "out" / f).exists()
    r = sinter_cli("compile", str(tmp_path / "mlp.onnx"), "--target", "npu-910", "-o", str(tmp_path / "npu"),
                   "--quiet")
    # The NPU backend takes the whole model (a host program of kernels on
    # the simulator), computing what the CPU build computes.
    assert r.returncode == 0, r.stderr
    for f in ("mlp.cpp", "mlp.h", "mlp.json"):
        assert (tmp_path / "npu" / f).exists()
    x = np.random.default_rng(1).standard_normal((7, 24)).astype(F)
    npu, cpu = sinter.load(str(tmp_path / "npu")), sinter.load(str(tmp_path / "out"))
    np.testing.assert_allclose(npu(x), cpu(x), rtol=1e-5, atol=1e-5)


def test_compile_weights_as_arguments(tmp_path):
    mlp(str(tmp_path / "mlp.onnx"))
    r = sinter_cli("compile", str(tmp_path / "mlp.onnx"), "-o", str(tmp_path / "out"), "--weights", "arguments")
    assert r.returncode == 0, r.stderr
    header = (tmp_path / "out" / "mlp.h").read_text()
    # x, then the three weights (w1, b1, w2), then the result.
    assert "arg3: f32 [40, 10]" in header and "result0: f32 [7, 10] (output)" in header
    w = np.load(tmp_path / "out" / "mlp.weights.npz")
    assert [w[k].shape for k in sorted(w.files, key=lambda k: int(k.split("_")[1]))] == [(24, 40), (40,), (40, 10)]


def test_report(tmp_path):
    mlp(str(tmp_path / "mlp.onnx"))
    r = sinter_cli("report", str(tmp_path / "mlp.onnx"), "--target", "x86-avx512", "-o", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    assert "## Fusion" in r.stdout and "sinter.gemm" in r.stdout and "## Tiling" in r.stdout
    text = (tmp_path / "rep" / "report.md").read_text()
    # The bias add and the ReLU fuse into the first GEMM: 2 kernels after.
    row = next(line for line in text.splitlines() if line.startswith("| main |"))
    assert row.split("|")[3].strip() == "2", row
    assert (tmp_path / "rep" / "roofline.png").read_bytes()[:4] == b"\x89PNG"


def test_errors(tmp_path):
    r = sinter_cli("compile", str(tmp_path / "missing.onnx"))
    assert r.returncode == 1 and "No such file" in r.stderr
    m = model([helper.make_node("Hardmax", ["x"], ["y"], name="pick")], [("x", F, (2, 3))], [("y", F, (2, 3))])
    onnx.save(m, str(tmp_path / "bad.onnx"))
    r = sinter_cli("compile", str(tmp_path / "bad.onnx"), "--quiet")
    assert r.returncode == 1 and "node 'pick' (Hardmax): unsupported op" in r.stderr
