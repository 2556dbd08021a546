"""The ONNX importer op by op: each graph is imported, compiled for the
host CPU and run on numpy inputs, against a numpy formula of the op's
definition (ragged, non-tile-multiple shapes)."""
import math

import numpy as np
import pytest
from onnx import helper

import sinter
from onnx_util import model

R = np.random.default_rng(0)
F = np.float32


def rand(*shape, lo=-1.0, hi=1.0):
    return R.uniform(lo, hi, size=shape).astype(F)


def run(m, *xs):
    return sinter.compile(m)(*xs)


def erf(x):
    return np.vectorize(math.erf)(x.astype(np.float64))


def check(got, want, tol=1e-5):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol, atol=tol)


BINARY = {
    "Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide,
}


@pytest.mark.parametrize("op", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((3, 7), (3, 7)), ((2, 3, 7), (7,)), ((5, 1), (1, 6)), ((2, 1, 5), (3, 1))])
def test_binary_broadcast(op, shapes):
    a, b = rand(*shapes[0]), rand(*shapes[1], lo=0.5, hi=2.0)
    out = np.broadcast_shapes(*shapes)
    m = model([helper.make_node(op, ["a", "b"], ["y"])], [("a", F, shapes[0]), ("b", F, shapes[1])],
              [("y", F, out)])
    check(run(m, a, b), BINARY[op](a, b))


def test_pow_sqrt_reciprocal():
    x = rand(4, 9, lo=0.1, hi=3.0)
    m = model([helper.make_node("Pow", ["x", "two"], ["p"]), helper.make_node("Sqrt", ["p"], ["s"]),
               helper.make_node("Reciprocal", ["s"], ["r"]), helper.make_node("Pow", ["x", "e"], ["q"]),
               helper.make_node("Add", ["r", "q"], ["y"])],
              [("x", F, (4, 9))], [("y", F, (4, 9))], {"two": np.array(2.0, F), "e": np.array(1.7, F)})
    check(run(m, x), 1 / np.sqrt(x ** 2) + x ** 1.7, 1e-5)


UNARY = {
    "Erf": erf, "Tanh": np.tanh, "Sigmoid": lambda x: 1 / (1 + np.exp(-x)), "Relu": lambda x: np.maximum(x, 0),
    "Exp": np.exp, "Neg": np.negative, "Abs": np.abs,
}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary(op):
    x = rand(3, 5, 11, lo=-3, hi=3)
    m = model([helper.make_node(op, ["x"], ["y"])], [("x", F, x.shape)], [("y", F, x.shape)])
    check(run(m, x), UNARY[op](x), 2e-6)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu(approximate):
    x = rand(6, 13, lo=-4, hi=4)
    m = model([helper.make_node("Gelu", ["x"], ["y"], approximate=approximate)], [("x", F, x.shape)],
              [("y", F, x.shape)], opset=20)
    if approximate == "none":
        want = 0.5 * x * (1 + erf(x / math.sqrt(2)))
    else:
        want = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    check(run(m, x), want, 1e-5)


@pytest.mark.parametrize("op,fn", [("ReduceMean", np.mean), ("ReduceSum", np.sum), ("ReduceMax", np.max)])
@pytest.mark.parametrize("axes,keepdims", [([-1], 1), ([1], 0), ([0, 2], 1)])
def test_reductions(op, fn, axes, keepdims):
    x = rand(3, 7, 5)
    want = fn(x, axis=tuple(axes), keepdims=bool(keepdims))
    # opset 18 takes the axes as an input.
    m = model([helper.make_node(op, ["x", "axes"], ["y"], keepdims=keepdims)], [("x", F, x.shape)],
              [("y", F, want.shape)], {"axes": np.array(axes, np.int64)}, opset=18)
    check(run(m, x), want, 1e-5)
    # opset 13 (ReduceSum's axes are an input from 13, the others' from 18).
    if op != "ReduceSum":
        m = model([helper.make_node(op, ["x"], ["y"], axes=axes, keepdims=keepdims)], [("x", F, x.shape)],
                  [("y", F, want.shape)], opset=13)
        check(run(m, x), want, 1e-5)


@pytest.mark.parametrize("axis", [-1, 1])
def test_softmax(axis):
    x = rand(2, 9, 13, lo=-4, hi=4)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    m = model([helper.make_node("Softmax", ["x"], ["y"], axis=axis)], [("x", F, x.shape)], [("y", F, x.shape)])
    check(run(m, x), e / e.sum(axis=axis, keepdims=True), 1e-6)


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax(axis):
    x = rand(7, 13, lo=-20, hi=20)
    m = model([helper.make_node("LogSoftmax", ["x"], ["y"], axis=axis)], [("x", F, x.shape)], [("y", F, x.shape)])
    mx = x.max(axis=axis, keepdims=True)
    check(run(m, x), x - mx - np.log(np.exp(x - mx).sum(axis=axis, keepdims=True)), 1e-5)


def test_layer_norm():
    x, g, b = rand(2, 5, 24), rand(24), rand(24)
    m = model([helper.make_node("LayerNormalization", ["x", "g", "b"], ["y"], epsilon=1e-5)],
              [("x", F, x.shape)], [("y", F, x.shape)], {"g": g, "b": b})
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    check(run(m, x), (x - mu) / np.sqrt(var + 1e-5) * g + b, 1e-5)


@pytest.mark.parametrize("sa,sb", [((5, 7), (7, 3)), ((2, 5, 7), (7, 3)), ((2, 5, 7), (2, 7, 3)),
                                   ((3, 1, 5, 7), (4, 7, 6)), ((7,), (7, 3))])
def test_matmul(sa, sb):
    a, b = rand(*sa), rand(*sb)
    want = np.matmul(a, b)
    m = model([helper.make_node("MatMul", ["a", "b"], ["y"])], [("a", F, sa), ("b", F, sb)], [("y", F, want.shape)])
    check(run(m, a, b), want, 1e-5)


@pytest.mark.parametrize("transA,transB,alpha,beta", [(0, 1, 1.0, 1.0), (1, 0, 0.5, 2.0)])
def test_gemm(transA, transB, alpha, beta):
    a = rand(9, 6) if transA else rand(6, 9)
    w = rand(5, 9) if transB else rand(9, 5)
    c = rand(5)
    m = model([helper.make_node("Gemm", ["a", "w", "c"], ["y"], transA=transA, transB=transB, alpha=alpha, beta=beta)],
              [("a", F, a.shape)], [("y", F, (6, 5))], {"w": w, "c": c})
    A = a.T if transA else a
    W = w.T if transB else w
    check(run(m, a), alpha * A @ W + beta * c, 1e-5)


def test_transpose_reshape_flatten_squeeze_unsqueeze():
    x = rand(2, 3, 4, 5)
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 1, 3]),
             helper.make_node("Reshape", ["t", "s"], ["r"]),          # [2, 4, 15]
             helper.make_node("Unsqueeze", ["r", "ax"], ["u"]),       # [2, 1, 4, 15]
             helper.make_node("Squeeze", ["u", "ax"], ["q"]),         # [2, 4, 15]
             helper.make_node("Flatten", ["q"], ["y"], axis=2)]       # [8, 15]
    m = model(nodes, [("x", F, x.shape)], [("y", F, (8, 15))],
              {"s": np.array([0, 4, -1], np.int64), "ax": np.array([1], np.int64)})
    check(run(m, x), x.transpose(0, 2, 1, 3).reshape(8, 15), 0)


def test_gather():
    x = rand(10, 6)
    idx = np.array([[3, -1], [0, 9], [2, 2]], np.int64)
    m = model([helper.make_node("Gather", ["x", "i"], ["y"], axis=0)], [("x", F, x.shape), ("i", np.int64, idx.shape)],
              [("y", F, (3, 2, 6))])
    check(run(m, x, idx), x[idx % 10], 0)
    # A constant scalar index on axis 1.
    m = model([helper.make_node("Gather", ["x", "k"], ["y"], axis=1)], [("x", F, x.shape)], [("y", F, (10,))],
              {"k": np.array(4, np.int64)})
    check(run(m, x), x[:, 4], 0)


def test_slice_concat_split():
    x = rand(6, 10)
    nodes = [helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["s"]),   # x[1:5, 0:9:2] -> [4, 5]
             helper.make_node("Split", ["x", "parts"], ["p0", "p1"], axis=1),     # [6, 3], [6, 7]
             helper.make_node("Concat", ["p1", "p0"], ["c"], axis=1)]
    m = model(nodes, [("x", F, x.shape)], [("s", F, (4, 5)), ("c", F, (6, 10))],
              {"st": np.array([1, 0], np.int64), "en": np.array([5, 9], np.int64), "ax": np.array([0, 1], np.int64),
               "sp": np.array([1, 2], np.int64), "parts": np.array([3, 7], np.int64)})
    s, c = run(m, x)
    check(s, x[1:5, 0:9:2], 0)
    check(c, np.concatenate([x[:, 3:], x[:, :3]], axis=1), 0)


def test_where_cast_expand_equal():
    x, y = rand(4, 7), rand(4, 7)
    nodes = [helper.make_node("Greater", ["x", "y"], ["g"]),
             helper.make_node("Where", ["g", "x", "y"], ["w"]),
             helper.make_node("Cast", ["g"], ["gf"], to=1),
             helper.make_node("Add", ["w", "gf"], ["z"]),
             helper.make_node("Expand", ["b", "shape"], ["e"]),
             helper.make_node("Mul", ["z", "e"], ["out"])]
    b = rand(7)
    m = model(nodes, [("x", F, x.shape), ("y", F, y.shape)], [("out", F, (4, 7))],
              {"b": b, "shape": np.array([4, 7], np.int64)})
    check(run(m, x, y), (np.where(x > y, x, y) + (x > y)) * b, 1e-6)


def test_shape_folding():
    """The Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain PyTorch
    exports for x.view(B, S, H, D) folds at import (static shapes)."""
    x = rand(2, 3, 8)
    nodes = [helper.make_node("Shape", ["x"], ["sh"]),
             helper.make_node("Gather", ["sh", "zero"], ["b"], axis=0),
             helper.make_node("Gather", ["sh", "one"], ["s"], axis=0),
             helper.make_node("Unsqueeze", ["b", "ax"], ["b1"]),
             helper.make_node("Unsqueeze", ["s", "ax"], ["s1"]),
             helper.make_node("Concat", ["b1", "s1", "hd"], ["newshape"], axis=0),
             helper.make_node("Reshape", ["x", "newshape"], ["y"]),
             helper.make_node("Constant", [], ["k"], value_float=2.0),
             helper.make_node("Mul", ["y", "k"], ["z"])]
    m = model(nodes, [("x", F, x.shape)], [("z", F, (2, 3, 2, 4))],
              {"zero": np.array(0, np.int64), "one": np.array(1, np.int64), "ax": np.array([0], np.int64),
               "hd": np.array([2, 4], np.int64)})
    text = sinter.onnx.import_model(m)
    assert "tensor.expand_shape" in text and "Shape" not in text
    check(run(m, x), x.reshape(2, 3, 2, 4) * 2, 0)


def test_f16_model():
    a = rand(5, 12).astype(np.float16)
    w = rand(12, 7).astype(np.float16)
    m = model([helper.make_node("MatMul", ["a", "w"], ["y"]), helper.make_node("Tanh", ["y"], ["t"])],
              [("a", np.float16, a.shape)], [("t", np.float16, (5, 7))], {"w": w})
    got = run(m, a)
    assert got.dtype == np.float16
    check(got, np.tanh(a.astype(F) @ w.astype(F)), 4e-3)
