"""One registration: everything sinter-opt can name, the C API and Python
can name too, and the compiler knows the same targets as sinter-compile."""
import os
import re
import subprocess

import pytest

import sinter

BUILD = os.environ.get("SINTER_BUILD_DIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build")


def tool(name):
    path = os.path.join(BUILD, "bin", name)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not built")
    return path


def sinter_opt_passes():
    out = subprocess.run([tool("sinter-opt"), "--list-passes"], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[0][2:] for line in out.splitlines()
            if line.startswith("  --") and not line.startswith("    ")}


def sinter_opt_pipelines():
    out = subprocess.run([tool("sinter-opt"), "--help"], capture_output=True, text=True, check=True).stdout
    section = out.split("Pass Pipelines:", 1)[1]
    names = []
    for line in section.splitlines()[1:]:
        m = re.match(r"^\s{6}--([\w.-]+)\s", line)
        if m:
            names.append(m.group(1))
        elif line.strip() and not line.startswith(" " * 8):
            break  # the next section
    return names


def test_every_sinter_opt_pass_is_nameable_from_python():
    ours = set(sinter.passes())
    theirs = sinter_opt_passes()
    assert ours == theirs, (f"only in sinter-opt: {sorted(theirs - ours)}; "
                            f"only in the C API: {sorted(ours - theirs)}")
    # Every backend's passes, the ones the C API once could not name.
    for name in ("convert-sinter-to-gpu", "convert-sinter-to-npu", "npu-plan-scratchpads",
                 "sinter-cpu-vectorize-gemm", "sinter-gpu-tanh-on-sfu", "sinter-attach-target"):
        assert name in ours
    for name in ours:
        assert sinter.pass_is_registered(name), name


def test_every_sinter_opt_pipeline_is_nameable_from_python():
    pipelines = sinter_opt_pipelines()
    assert {"sinter-graph-pipeline", "sinter-lower-to-cpu", "sinter-reference-to-llvm"} <= set(pipelines)
    for name in pipelines:
        assert sinter.pass_is_registered(name), name
    assert not sinter.pass_is_registered("no-such-pass")


def test_a_backend_pass_runs_from_python():
    m = sinter.parse("""
      func.func @f(%a: tensor<64x32xf16>, %b: tensor<32x48xf16>) -> tensor<64x48xf16> {
        %o = tensor.empty() : tensor<64x48xf16>
        %y = sinter.gemm ins(%a, %b : tensor<64x32xf16>, tensor<32x48xf16>) outs(%o : tensor<64x48xf16>)
            {acc_type = f32} -> tensor<64x48xf16>
        return %y : tensor<64x48xf16>
      }""")
    m.run_pipeline("sinter-attach-target{target=npu-910},convert-sinter-to-npu,"
                   "func.func(npu-plan-scratchpads)")
    assert "npu.mmad" in str(m)


def test_targets_match_sinter_compile():
    out = subprocess.run([tool("sinter-compile"), "--list-targets"], capture_output=True, text=True,
                         check=True).stdout.split()
    assert sinter.targets() == out
    assert {"x86-avx512", "nvidia-h100", "npu-910"} <= set(out)
