"""Bad ONNX input gets an error naming the node, op type and reason."""
import numpy as np
import pytest
from onnx import helper

import sinter
from onnx_util import model
from sinter.onnx import OnnxImportError, import_model

F = np.float32


def test_unsupported_op_names_the_node():
    m = model([helper.make_node("Relu", ["x"], ["r"], name="act"),
               helper.make_node("Hardmax", ["r"], ["y"], name="pick")], [("x", F, (2, 3))], [("y", F, (2, 3))])
    with pytest.raises(OnnxImportError, match=r"node 'pick' \(Hardmax\): unsupported op"):
        import_model(m)


def test_dynamic_shape():
    m = model([helper.make_node("Relu", ["x"], ["y"])], [("x", F, ("batch", 3))], [("y", F, ("batch", 3))])
    with pytest.raises(OnnxImportError, match=r"input 'x': dimension 0 is dynamic \('batch'\)"):
        import_model(m)


def test_non_constant_shape():
    m = model([helper.make_node("Reshape", ["x", "s"], ["y"], name="view")],
              [("x", F, (2, 3)), ("s", np.int64, (2,))], [("y", F, (3, 2))])
    with pytest.raises(OnnxImportError, match=r"node 'view' \(Reshape\): the shape \(input 1\) must be a constant"):
        import_model(m)


def test_bad_attribute():
    m = model([helper.make_node("Gelu", ["x"], ["y"], name="g", approximate="erf")], [("x", F, (2, 3))],
              [("y", F, (2, 3))], opset=20)
    with pytest.raises(OnnxImportError, match=r"node 'g' \(Gelu\): approximate='erf' is not supported"):
        import_model(m)


def test_compile_errors_are_compile_errors():
    with pytest.raises(sinter.CompileError, match="cannot parse the module"):
        sinter.parse("func.func @f(")
    with pytest.raises(sinter.CompileError, match="unknown target 'tpu-9'"):
        sinter.compile("func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> { return %a : tensor<4xf32> }",
                       target="tpu-9")
    with pytest.raises(FileNotFoundError):
        sinter.onnx.import_model("/nonexistent/model.onnx")
    with pytest.raises(FileNotFoundError, match="no such file: /nonexistent/model.onnx"):
        sinter.compile("/nonexistent/model.onnx")
