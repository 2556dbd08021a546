"""sinter.load: the one way to run artifacts from Python, on a machine
without a GPU: CPU artifacts load and run on numpy; GPU artifacts load
(their launch code and the runtime built into a library next to them)
and refuse what is not a CUDA tensor with a clear error."""
import os

import numpy as np
import pytest

import sinter

BLOCK = """
func.func @scale_add(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %r = linalg.add ins(%x, %y : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}
"""


def test_load_cpu(tmp_path):
    out = os.path.join(tmp_path, "cpu")
    sinter.compile(BLOCK, target="cpu", output_dir=out, name="m")
    model = sinter.load(out)
    x, y = np.random.rand(4, 8).astype(np.float32), np.random.rand(4, 8).astype(np.float32)
    np.testing.assert_allclose(model(x, y), x + y, rtol=1e-6)


def test_load_gpu_without_gpu(tmp_path):
    torch = pytest.importorskip("torch")
    out = os.path.join(tmp_path, "gpu")
    sinter.compile(BLOCK, target="nvidia-h100", output_dir=out, name="m")
    model = sinter.load(out)
    assert model.functions == ["scale_add"]
    assert [f for f in os.listdir(os.path.join(out, ".sinter-build")) if f.startswith("libm-") and f.endswith(".so")]
    model.reload_weights()  # nothing to remake; must exist and not fail
    x = torch.zeros(4, 8)
    with pytest.raises(ValueError, match="not a CUDA device"):
        model(x, x)
    with pytest.raises(TypeError, match="takes 2 tensors"):
        model(x)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no manifest"):
        sinter.load(str(tmp_path), "nothing")
    with pytest.raises(FileNotFoundError, match="0 manifests"):
        sinter.load(str(tmp_path))


def test_load_needs_no_compiler(tmp_path):
    """The runtime half imports and loads with no compiler extension (as on
    a GPU machine without LLVM/MLIR)."""
    import subprocess
    import sys
    out = os.path.join(tmp_path, "gpu")
    sinter.compile(BLOCK, target="nvidia-h100", output_dir=out, name="m")
    src = os.path.dirname(os.path.dirname(os.path.abspath(sinter.__file__)))
    code = ("import sys, sinter; m = sinter.load(sys.argv[1]); "
            "assert not any(k.startswith('sinter._sinter') for k in sys.modules), sorted(sys.modules); "
            "print(m.functions)")
    env = dict(os.environ, SINTER_BUILD_DIR=os.path.join(tmp_path, "no-build"), PYTHONPATH=src)
    done = subprocess.run([sys.executable, "-c", code, out], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "scale_add" in done.stdout


@pytest.mark.parametrize("target", ["cpu", "npu-910"])
def test_recompile_into_the_same_folder(target, tmp_path):
    """A second model compiled into the same folder under the same name, in
    the same process, runs its own code (a library loaded once is kept by
    its path: each build has a name of its own)."""
    out = os.path.join(tmp_path, "same")
    x, y = np.random.rand(4, 8).astype(np.float32), np.random.rand(4, 8).astype(np.float32)
    sinter.compile(BLOCK, target=target, output_dir=out, name="m")
    np.testing.assert_allclose(sinter.load(out)(x, y), x + y, rtol=1e-6)
    sinter.compile(BLOCK.replace("linalg.add", "linalg.mul"), target=target, output_dir=out, name="m")
    np.testing.assert_allclose(sinter.load(out)(x, y), x * y, rtol=1e-6)
