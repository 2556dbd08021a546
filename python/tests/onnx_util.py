"""Small ONNX graphs for the importer's tests."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

ONNX_TYPES = {np.float32: TensorProto.FLOAT, np.float16: TensorProto.FLOAT16, np.int64: TensorProto.INT64,
              np.int32: TensorProto.INT32, np.bool_: TensorProto.BOOL}


def model(nodes, inputs, outputs, initializers=(), opset=17):
    """inputs/outputs: [(name, np dtype, shape)]; initializers: {name: array}."""
    g = helper.make_graph(
        nodes, "test",
        [helper.make_tensor_value_info(n, ONNX_TYPES[t], s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, ONNX_TYPES[t], s) for n, t, s in outputs],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in dict(initializers).items()])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
