"""ONNX import: an ONNX graph as a function on tensors in linalg/tensor/
arith/math, ready for the compiler's raise -> fuse pipeline.

    text = sinter.onnx.import_model("model.onnx")      # MLIR text
    mod = sinter.compile("model.onnx", target="cpu")   # or all at once

Shapes must be static (export with fixed sizes). Initializers become
`dense_resource` constants (small ones inline `dense` literals); nodes
whose inputs are all constants (the Shape -> Gather -> Concat -> Reshape
chains PyTorch exports) are folded with numpy at import. Elementwise ops
with numpy broadcasting become `linalg.generic`s whose maps drop the
broadcast dimensions (a bias is a row of the output, as the fusion passes
expect); MatMul/Gemm become `linalg.matmul`/`linalg.batch_matmul`;
Softmax `linalg.softmax`; LayerNormalization the two-pass form that
sinter-raise recognizes. docs/onnx.md lists every op and its limits.

An unsupported op, attribute or dynamic shape raises OnnxImportError
naming the node, its op type and the reason.
"""

import math
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

__all__ = ["OnnxImportError", "import_model", "SUPPORTED_OPS"]


class OnnxImportError(ValueError):
    """An ONNX graph the importer cannot express: names the node, its op
    type and the reason."""


# ONNX element types -> (MLIR element type, numpy dtype).
_ELEM = {1: ("f32", np.float32), 10: ("f16", np.float16), 11: ("f64", np.float64),
         16: ("bf16", None), 7: ("i64", np.int64), 6: ("i32", np.int32),
         3: ("i8", np.int8), 9: ("i1", np.bool_)}
_NP_TO_ELEM = {np.dtype(np.float32): "f32", np.dtype(np.float16): "f16", np.dtype(np.float64): "f64",
               np.dtype(np.int64): "i64", np.dtype(np.int32): "i32", np.dtype(np.int8): "i8",
               np.dtype(np.bool_): "i1"}
_FLOATS = ("f32", "f16", "bf16", "f64")
# Ops whose sums a half-precision accumulator would spoil: computed in f32
# on bf16/f16 tensors. (Softmax is not among them: linalg.softmax becomes
# sinter.softmax or attention, which accumulate in f32 themselves.)
_F32_INSIDE = ("LayerNormalization", "LogSoftmax", "ReduceMean", "ReduceSum")
# MLIR element type -> numpy dtype. numpy has no bf16: bf16 constants are
# float32 arrays of bf16 values (rounded when emitted).
_NP_OF = {e: t for e, t in _ELEM.values() if t is not None}
_NP_OF["bf16"] = np.float32


def _bf16_bits(a: np.ndarray) -> np.ndarray:
    """The bf16 bit patterns (uint16) of float values, rounded to nearest
    even."""
    from .dtypes import round_bf16
    return (round_bf16(np.asarray(a, np.float32)).view(np.uint32) >> 16).astype(np.uint16)


def _ttype(shape: Sequence[int], elem: str) -> str:
    return "tensor<" + "".join(f"{d}x" for d in shape) + elem + ">"


def _np_elem(a: np.ndarray) -> str:
    if a.dtype not in _NP_TO_ELEM:
        raise OnnxImportError(f"constant of dtype {a.dtype} is not supported")
    return _NP_TO_ELEM[a.dtype]


class _Value:
    """A tensor of the graph: an SSA value, or a numpy constant (folded
    until an op needs it as a tensor)."""

    def __init__(self, shape, elem, ssa=None, const=None, expr=None):
        self.shape, self.elem, self.ssa, self.const = tuple(int(d) for d in shape), elem, ssa, const
        # A constant that stays in the code when weights are arguments.
        self.pinned = False
        # A pending elementwise computation (_Expr), emitted when a
        # non-elementwise op needs the tensor; `uses` (graph values only)
        # lets a single consumer take it into its own payload.
        self.expr, self.uses = expr, None

    @property
    def rank(self):
        return len(self.shape)


class _Expr:
    """An elementwise computation not yet emitted: its leaves (tensors,
    each with the output dimension each of its dimensions reads, None for
    a broadcast unit dimension) and a payload from one scalar per leaf."""

    def __init__(self, leaves, body, uses_index=False):
        self.leaves, self.body, self.uses_index = leaves, body, uses_index


class _Node:
    def __init__(self, node):
        self.node = node
        self.attrs = {}
        import onnx
        import onnx.helper
        import onnx.numpy_helper
        for a in node.attribute:
            self.attrs[a.name] = onnx.helper.get_attribute_value(a)

    def attr(self, name, default=None):
        v = self.attrs.get(name, default)
        return v.decode() if isinstance(v, bytes) else v

    def error(self, why: str) -> OnnxImportError:
        n = self.node
        return OnnxImportError(f"node '{n.name or n.output[0]}' ({n.op_type}): {why}")


class _Importer:
    def __init__(self, opset: int, inline_limit: int = 16, weights_as_arguments: bool = False):
        self.lines: List[str] = []
        self.resources: List[Tuple[str, str]] = []
        self.counter = 0
        self.opset = opset
        self.inline_limit = inline_limit
        self.materialized: Dict[int, _Value] = {}
        # weights_as_arguments: constants larger than inline_limit become
        # trailing {sinter.weight} arguments (their arrays in `weights`).
        self.weights_as_arguments = weights_as_arguments
        self.weights: List[Tuple[str, np.ndarray]] = []

    # --- emission helpers -------------------------------------------------
    def fresh(self, hint="v") -> str:
        self.counter += 1
        return f"%{hint}{self.counter}"

    def emit(self, line: str):
        self.lines.append("  " + line)

    def tensor(self, v: _Value) -> str:
        """v's SSA name, materializing a constant or a pending expression."""
        if v.ssa is not None:
            return v.ssa
        if v.expr is not None:
            v.ssa = self.materialize(v)
            v.expr = None
            return v.ssa
        key = id(v)
        if key not in self.materialized:
            v.ssa = self.constant(v.const, v.elem, v.pinned)
            self.materialized[key] = v
        return v.ssa

    def constant(self, a: np.ndarray, elem: str, pinned: bool = False) -> str:
        t = _ttype(a.shape, elem)
        if self.weights_as_arguments and a.size > self.inline_limit and elem != "i1" and not pinned:
            n = f"%w{len(self.weights)}"
            if elem == "bf16":  # float32 values that bf16 holds exactly
                a = (_bf16_bits(a).astype(np.uint32) << 16).view(np.float32)
            self.weights.append((t, np.ascontiguousarray(a)))
            return n
        n = self.fresh("cst")
        if a.size <= self.inline_limit:
            body = _nested([_literal(x, elem) for x in a.reshape(-1)], a.shape)
            self.emit(f"{n} = arith.constant dense<{body}> : {t}")
            return n
        if elem == "i1":
            # LLVM has no i1 blob: bytes, compared with zero.
            bytes_ = _Value(a.shape, "i8", ssa=self.constant(a.astype(np.int8), "i8"))
            v = self.elementwise([bytes_], "i1", lambda s: self.cmp("ne", s[0], self.sconst(0, "i8"), "i8"))
            return self.tensor(v)
        res = f"onnx_{len(self.resources)}"
        if elem == "bf16":
            a = _bf16_bits(a)
        data = a.astype(a.dtype.newbyteorder("<")).tobytes()
        align = max(1, a.dtype.itemsize)
        self.resources.append((res, "0x" + align.to_bytes(4, "little").hex() + data.hex()))
        self.emit(f"{n} = arith.constant dense_resource<{res}> : {t}")
        return n

    def empty(self, shape, elem) -> str:
        n = self.fresh("e")
        self.emit(f"{n} = tensor.empty() : {_ttype(shape, elem)}")
        return n

    def scalar_const(self, value, elem, indent="") -> str:
        n = self.fresh("c")
        self.emit(f"{indent}{n} = arith.constant {_scalar_literal(value, elem)}")
        return n

    def fill(self, shape, elem, value) -> str:
        c = self.scalar_const(value, elem)
        e = self.empty(shape, elem)
        n = self.fresh("f")
        self.emit(f"{n} = linalg.fill ins({c} : {elem}) outs({e} : {_ttype(shape, elem)}) -> {_ttype(shape, elem)}")
        return n

    # --- shapes ---------------------------------------------------------------
    def reshape(self, v: _Value, shape) -> _Value:
        shape = tuple(int(d) for d in shape)
        if int(np.prod(shape, dtype=np.int64)) != int(np.prod(v.shape, dtype=np.int64)):
            raise OnnxImportError(f"cannot reshape {list(v.shape)} to {list(shape)}")
        if v.const is not None:
            return _Value(shape, v.elem, const=v.const.reshape(shape))
        if shape == v.shape:
            return v
        src = self.tensor(v)
        st, tt = _ttype(v.shape, v.elem), _ttype(shape, v.elem)
        if v.rank == 0 or len(shape) == 0:
            n = self.fresh("r")
            if v.rank == 0:
                self.emit(f"{n} = tensor.expand_shape {src} [] output_shape {list(shape)} : {st} into {tt}")
            else:
                self.emit(f"{n} = tensor.collapse_shape {src} [] : {st} into {tt}")
            return _Value(shape, v.elem, ssa=n)
        groups = _groups(v.shape, shape)
        if groups and all(len(s) == 1 for s, _ in groups):
            n = self.fresh("r")
            re = [t for _, t in groups]
            self.emit(f"{n} = tensor.expand_shape {src} {re} output_shape {list(shape)} : {st} into {tt}")
            return _Value(shape, v.elem, ssa=n)
        if groups and all(len(t) == 1 for _, t in groups):
            n = self.fresh("r")
            re = [s for s, _ in groups]
            self.emit(f"{n} = tensor.collapse_shape {src} {re} : {st} into {tt}")
            return _Value(shape, v.elem, ssa=n)
        flat = self.reshape(v, (int(np.prod(v.shape)),))
        return self.reshape(flat, shape)

    def drop_units(self, v: _Value, keep: Sequence[bool]) -> _Value:
        """v without the unit dimensions where keep is False."""
        shape = tuple(d for d, k in zip(v.shape, keep) if k)
        return self.reshape(v, shape)

    # --- elementwise ------------------------------------------------------------
    def elementwise(self, inputs: Sequence[_Value], out_elem: str,
                    body: Callable[[List[str]], str], shape=None) -> _Value:
        """The elementwise op body(inputs) over their broadcast shape, as a
        pending expression: a single-use elementwise input is taken into
        the payload (one linalg.generic for a chain such as x / sqrt(mean
        + eps) * w, which is what sinter-raise matches), the rest become
        operands when the expression is emitted."""
        out_shape = tuple(shape) if shape is not None else tuple(np.broadcast_shapes(*[x.shape for x in inputs]))
        R = len(out_shape)
        leaves, parts, uses_index = [], [], False
        for x in inputs:
            off = R - x.rank
            dims = tuple(None if d == 1 and out_shape[off + k] != 1 else off + k for k, d in enumerate(x.shape))
            if x.const is not None and x.const.size == 1:
                # A scalar constant is a constant of the payload, not an operand.
                parts.append(("scalar", x.const.reshape(-1)[0], x.elem))
                continue
            kind = _causal_kind(x, out_shape)
            if kind:
                # A causal mask buffer is computed from the indices (what
                # sinter-raise recognizes), not read.
                parts.append(("mask", kind, x.elem))
                uses_index = True
                continue
            if x.expr is not None and x.uses == 1 and (x.shape == out_shape or not x.expr.uses_index):
                start = len(leaves)
                for lv, ld in x.expr.leaves:
                    leaves.append((lv, tuple(None if d is None else dims[d] for d in ld)))
                parts.append(("expr", x.expr, start, len(x.expr.leaves)))
                uses_index |= x.expr.uses_index
                continue
            parts.append(("leaf", len(leaves)))
            leaves.append((x, dims))

        def payload(args, R=R):
            vals = []
            for part in parts:
                if part[0] == "scalar":
                    vals.append(self.sconst(part[1], part[2]))
                elif part[0] == "mask":
                    vals.append(self.causal_payload(part[1], R, part[2]))
                elif part[0] == "expr":
                    vals.append(part[1].body(args[part[2]:part[2] + part[3]]))
                else:
                    vals.append(args[part[1]])
            return body(vals)
        return _Value(out_shape, out_elem, expr=_Expr(leaves, payload, uses_index))

    def materialize(self, v: _Value) -> str:
        """Emits v's pending expression as one linalg.generic."""
        expr, out_shape, out_elem = v.expr, v.shape, v.elem
        R = len(out_shape)
        # One operand per distinct (tensor, dimensions) leaf.
        operands, index = [], []
        for lv, ld in expr.leaves:
            key = next((k for k, (ov, od) in enumerate(operands) if ov is lv and od == ld), None)
            if key is None:
                key = len(operands)
                operands.append((lv, ld))
            index.append(key)
        ins, types, maps = [], [], []
        for lv, ld in operands:
            keep = [d is not None for d in ld]
            y = self.drop_units(lv, keep) if not all(keep) else lv
            ins.append(self.tensor(y))
            types.append(_ttype(y.shape, y.elem))
            maps.append(f"affine_map<({', '.join(f'd{i}' for i in range(R))}) -> "
                        f"({', '.join(f'd{d}' for d in ld if d is not None)})>")
        ident = f"affine_map<({', '.join(f'd{i}' for i in range(R))}) -> ({', '.join(f'd{i}' for i in range(R))})>"
        e = self.empty(out_shape, out_elem)
        n = self.fresh("g")
        its = ", ".join(['"parallel"'] * R)
        self.emit(f"{n} = linalg.generic {{indexing_maps = [{', '.join(maps + [ident])}], iterator_types = [{its}]}}"
                  + (f" ins({', '.join(ins)} : {', '.join(types)})" if ins else "")
                  + f" outs({e} : {_ttype(out_shape, out_elem)}) {{")
        args = [self.fresh("a") for _ in operands]
        o = self.fresh("o")
        self.emit("^bb0(" + "".join(f"{a}: {lv.elem}, " for a, (lv, _) in zip(args, operands)) + f"{o}: {out_elem}):")
        r = expr.body([args[k] for k in index])
        self.emit(f"  linalg.yield {r} : {out_elem}")
        self.emit(f"}} -> {_ttype(out_shape, out_elem)}")
        return n

    def causal_payload(self, band, R: int, elem: str) -> str:
        """In a payload over R dims: key j visible to query i (i + lo <= j <=
        i + hi; lo None: no lower bound) as a bool, true where hidden for
        'bool_masked', or as the additive mask 0 / -inf."""
        kind, lo, hi = band
        i, j, keep = self.fresh("s"), self.fresh("s"), self.fresh("s")
        self.emit(f"  {i} = linalg.index {R - 2} : index")
        self.emit(f"  {j} = linalg.index {R - 1} : index")

        def shifted(v, by):
            if by == 0:
                return v
            c, t = self.fresh("s"), self.fresh("s")
            self.emit(f"  {c} = arith.constant {by} : index")
            self.emit(f"  {t} = arith.addi {v}, {c} : index")
            return t
        # j <= i + hi (as j - hi <= i when hi < 0, unsigned-safe), and
        # j >= i + lo (as j + (-lo) >= i when lo < 0).
        if hi >= 0:
            self.emit(f"  {keep} = arith.cmpi ule, {j}, {shifted(i, hi)} : index")
        else:
            self.emit(f"  {keep} = arith.cmpi ule, {shifted(j, -hi)}, {i} : index")
        if lo is not None:
            low, both = self.fresh("s"), self.fresh("s")
            if lo <= 0:
                self.emit(f"  {low} = arith.cmpi uge, {shifted(j, -lo)}, {i} : index")
            else:
                self.emit(f"  {low} = arith.cmpi uge, {j}, {shifted(i, lo)} : index")
            self.emit(f"  {both} = arith.andi {keep}, {low} : i1")
            keep = both
        if kind == "bool_masked":  # true where the key is hidden
            hidden, true = self.fresh("s"), self.fresh("s")
            self.emit(f"  {true} = arith.constant true")
            self.emit(f"  {hidden} = arith.xori {keep}, {true} : i1")
            return hidden
        if kind == "bool":
            return keep
        r = self.fresh("s")
        self.emit(f"  {r} = arith.select {keep}, {self.sconst(0.0, elem)}, {self.sconst(-math.inf, elem)} : {elem}")
        return r

    def op(self, text: str, elem: str) -> str:
        n = self.fresh("s")
        self.emit(f"  {n} = {text} : {elem}")
        return n

    def cmp(self, pred: str, a: str, b: str, elem: str) -> str:
        n = self.fresh("s")
        kind = "cmpf" if elem in _FLOATS else "cmpi"
        self.emit(f"  {n} = arith.{kind} {pred}, {a}, {b} : {elem}")
        return n

    def sconst(self, value, elem) -> str:
        """A scalar constant inside a payload."""
        return self.scalar_const(value, elem, indent="  ")

    def convert(self, s: str, src: str, dst: str) -> str:
        if src == dst:
            return s
        n = self.fresh("s")
        fb = {"f16": 16, "bf16": 16, "f32": 32, "f64": 64}
        ib = {"i1": 1, "i8": 8, "i32": 32, "i64": 64}
        if src in fb and dst in fb:
            op = "arith.extf" if fb[dst] > fb[src] else "arith.truncf"
            if fb[dst] == fb[src]:  # f16 <-> bf16 through f32
                t = self.convert(s, src, "f32")
                return self.convert(t, "f32", dst)
        elif src in ib and dst in fb:
            op = "arith.uitofp" if src == "i1" else "arith.sitofp"
        elif src in fb and dst in ib:
            if dst == "i1":
                z = self.sconst(0.0, src)
                return self.cmp("une", s, z, src)
            op = "arith.fptosi"
        else:
            if dst == "i1":
                z = self.sconst(0, src)
                return self.cmp("ne", s, z, src)
            op = "arith.extui" if src == "i1" else ("arith.extsi" if ib[dst] > ib[src] else "arith.trunci")
        self.emit(f"  {n} = {op} {s} : {src} to {dst}")
        return n

    # --- reductions --------------------------------------------------------------
    def reduce(self, x: _Value, axes: Sequence[int], keepdims: bool, kind: str) -> _Value:
        R = x.rank
        axes = sorted(set(a % R for a in axes)) if axes else list(range(R))
        kept = [i for i in range(R) if i not in axes]
        out_shape = tuple(x.shape[i] for i in kept)
        init = {"sum": 0.0, "max": -math.inf, "min": math.inf, "prod": 1.0}[kind]
        if x.elem not in _FLOATS:
            init = {"sum": 0, "max": np.iinfo(np.int64).min, "min": np.iinfo(np.int64).max, "prod": 1}[kind]
        acc = self.fill(out_shape, x.elem, init)
        d = ", ".join(f"d{i}" for i in range(R))
        omap = f"affine_map<({d}) -> ({', '.join(f'd{i}' for i in kept)})>"
        its = ", ".join('"reduction"' if i in axes else '"parallel"' for i in range(R))
        n = self.fresh("red")
        ot = _ttype(out_shape, x.elem)
        # A single-use elementwise input (x * x of a mean of squares) is
        # computed in the reduction's payload.
        fused = x.expr is not None and x.uses == 1 and not x.expr.uses_index and all(
            all(d is not None for d in ld) for _, ld in x.expr.leaves)
        leaves = x.expr.leaves if fused else [(x, tuple(range(R)))]
        maps = [f"affine_map<({d}) -> ({', '.join(f'd{i}' for i in ld)})>" for _, ld in leaves]
        ins = [self.tensor(lv) for lv, _ in leaves]
        self.emit(f"{n} = linalg.generic {{indexing_maps = [{', '.join(maps)}, {omap}], iterator_types = [{its}]}}"
                  f" ins({', '.join(ins)} : {', '.join(_ttype(lv.shape, lv.elem) for lv, _ in leaves)})"
                  f" outs({acc} : {ot}) {{")
        args = [self.fresh("a") for _ in leaves]
        o = self.fresh("o")
        self.emit("^bb0(" + "".join(f"{a}: {lv.elem}, " for a, (lv, _) in zip(args, leaves)) + f"{o}: {x.elem}):")
        a = x.expr.body(args) if fused else args[0]
        fl = x.elem in _FLOATS
        op = {"sum": "arith.addf" if fl else "arith.addi", "prod": "arith.mulf" if fl else "arith.muli",
              "max": "arith.maximumf" if fl else "arith.maxsi", "min": "arith.minimumf" if fl else "arith.minsi"}[kind]
        r = self.op(f"{op} {o}, {a}", x.elem)
        self.emit(f"  linalg.yield {r} : {x.elem}")
        self.emit(f"}} -> {ot}")
        v = _Value(out_shape, x.elem, ssa=n)
        if keepdims:
            v = self.reshape(v, tuple(1 if i in axes else x.shape[i] for i in range(R)))
        return v


def _causal_kind(x: "_Value", out_shape):
    """(kind, lo, hi) when constant x is a banded attention mask over the
    last two dims of out_shape, the same for every leading index: key j is
    visible to query i where i + lo <= j <= i + hi (lo None: no lower
    bound; causal is (None, 0), a sliding window of w is (1 - w, 0)); kind
    'bool' (true where visible), 'bool_masked' (true where hidden) or
    'additive' (0 / -inf). None otherwise. The payload computes it from the
    indices (what sinter-raise classifies), instead of reading it."""
    a = x.const
    if a is None or a.ndim < 2 or len(out_shape) < 2 or a.shape[-2:] != tuple(out_shape[-2:]):
        return None
    if any(d != 1 for d in a.shape[:-2]) or a.shape[-1] < 2:
        return None
    sq, sk = a.shape[-2:]
    m = a.reshape(sq, sk)
    if a.dtype == np.bool_:
        candidates = [("bool", m), ("bool_masked", ~m)]
    elif np.issubdtype(a.dtype, np.floating) and np.all((m == 0) | np.isneginf(m)):
        candidates = [("additive", m == 0)]
    else:
        return None
    ii, jj = np.indices((sq, sk))
    d = jj - ii
    for kind, visible in candidates:
        if not visible.any() or visible.all():
            continue
        lo, hi = int(d[visible].min()), int(d[visible].max())
        if not np.array_equal(visible, (d >= lo) & (d <= hi)):
            continue
        # No lower bound when it cuts nothing off.
        return (kind, None if lo <= -(sq - 1) else lo, hi)
    return None


def _literal(value, elem: str) -> str:
    """`value` as an element of an `elem` attribute (non-finite floats as
    their bits)."""
    if elem == "i1":
        return "true" if value else "false"
    if elem not in _FLOATS:
        return str(int(value))
    f = float(value)
    if math.isfinite(f):
        return repr(f)
    if math.isnan(f):
        return {"f32": "0x7FC00000", "f16": "0x7E00", "bf16": "0x7FC0", "f64": "0x7FF8000000000000"}[elem]
    return {"f32": ("0x7F800000", "0xFF800000"), "f16": ("0x7C00", "0xFC00"), "bf16": ("0x7F80", "0xFF80"),
            "f64": ("0x7FF0000000000000", "0xFFF0000000000000")}[elem][f < 0]


def _scalar_literal(value, elem: str) -> str:
    """`value : elem` as an arith.constant's attribute."""
    lit = _literal(value, elem)
    return lit if elem == "i1" else f"{lit} : {elem}"


def _nested(vals: List[str], shape) -> str:
    """The body of a dense<...> literal: [[a, b], [c, d]] for shape (2, 2)."""
    if not shape:
        return vals[0]
    step = int(np.prod(shape[1:], dtype=np.int64))
    return "[" + ", ".join(_nested(vals[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])) + "]"


def _groups(src, dst):
    """Pairs of (source dims, target dims) with equal products, in order,
    or None when the shapes do not line up that way."""
    groups, i, j = [], 0, 0
    while i < len(src) or j < len(dst):
        if i == len(src):
            if dst[j] != 1 or not groups:
                return None
            groups[-1][1].append(j)
            j += 1
            continue
        if j == len(dst):
            if src[i] != 1 or not groups:
                return None
            groups[-1][0].append(i)
            i += 1
            continue
        gs, gd, ps, pd = [i], [j], src[i], dst[j]
        i, j = i + 1, j + 1
        while ps != pd:
            if ps < pd:
                if i == len(src):
                    return None
                gs.append(i)
                ps *= src[i]
                i += 1
            else:
                if j == len(dst):
                    return None
                gd.append(j)
                pd *= dst[j]
                j += 1
        groups.append((gs, gd))
    return groups


# --- numpy folding of all-constant nodes (shape arithmetic and friends) -------
def _np_unary(f):
    return lambda n, xs: [f(xs[0])]


def _fold_table():
    def reshape(n, xs):
        shape = [int(d) for d in xs[1]]
        shape = [xs[0].shape[i] if d == 0 and not n.attr("allowzero", 0) else d for i, d in enumerate(shape)]
        return [xs[0].reshape(shape)]

    def unsqueeze(n, xs):
        axes = list(xs[1]) if len(xs) > 1 else n.attr("axes")
        y = xs[0]
        r = y.ndim + len(axes)
        for a in sorted(int(a) % r for a in axes):
            y = np.expand_dims(y, a)
        return [y]

    def squeeze(n, xs):
        axes = list(xs[1]) if len(xs) > 1 else n.attr("axes")
        return [np.squeeze(xs[0], axis=tuple(int(a) for a in axes) if axes is not None else None)]

    def gather(n, xs):
        return [np.take(xs[0], xs[1].astype(np.int64), axis=n.attr("axis", 0))]

    def concat(n, xs):
        return [np.concatenate(xs, axis=n.attr("axis"))]

    def slice_(n, xs):
        starts, ends = xs[1], xs[2]
        axes = xs[3] if len(xs) > 3 else np.arange(len(starts))
        steps = xs[4] if len(xs) > 4 else np.ones(len(starts), np.int64)
        sl = [slice(None)] * xs[0].ndim
        for s, e, a, st in zip(starts, ends, axes, steps):
            sl[int(a)] = slice(int(s), int(e), int(st))
        return [xs[0][tuple(sl)]]

    def cast(n, xs):
        to = n.attr("to")
        if to not in _ELEM or _ELEM[to][1] is None:
            raise n.error(f"cast to ONNX type {to} is not supported")
        return [xs[0].astype(_ELEM[to][1])]

    def constant_of_shape(n, xs):
        import onnx
        import onnx.helper
        import onnx.numpy_helper
        v = n.attr("value")
        val = onnx.numpy_helper.to_array(v) if v is not None else np.zeros(1, np.float32)
        return [np.full([int(d) for d in xs[0]], val.reshape(-1)[0], dtype=val.dtype)]

    def range_(n, xs):
        return [np.arange(xs[0], xs[1], xs[2]).astype(xs[0].dtype)]

    def where(n, xs):
        return [np.where(xs[0], xs[1], xs[2])]

    def expand(n, xs):
        return [xs[0] * np.ones([int(d) for d in xs[1]], dtype=xs[0].dtype)]

    def transpose(n, xs):
        return [np.transpose(xs[0], n.attr("perm"))]

    def div(n, xs):
        a, b = xs
        if np.issubdtype(a.dtype, np.integer):
            return [(np.trunc(a / b)).astype(a.dtype)]
        return [a / b]

    return {
        "Reshape": reshape, "Unsqueeze": unsqueeze, "Squeeze": squeeze, "Gather": gather,
        "Concat": concat, "Slice": slice_, "Cast": cast, "ConstantOfShape": constant_of_shape,
        "Range": range_, "Where": where, "Expand": expand, "Transpose": transpose,
        "Add": lambda n, xs: [xs[0] + xs[1]], "Sub": lambda n, xs: [xs[0] - xs[1]],
        "Mul": lambda n, xs: [xs[0] * xs[1]], "Div": div,
        "Equal": lambda n, xs: [np.equal(xs[0], xs[1])], "Less": lambda n, xs: [np.less(xs[0], xs[1])],
        "Greater": lambda n, xs: [np.greater(xs[0], xs[1])], "Not": _np_unary(np.logical_not),
        "Neg": _np_unary(np.negative), "Sqrt": _np_unary(np.sqrt),
        "Identity": lambda n, xs: [xs[0]],
        "Flatten": lambda n, xs: [xs[0].reshape(int(np.prod(xs[0].shape[:n.attr("axis", 1)])), -1)],
    }


_FOLD = _fold_table()


class _Graph:
    """Walks the graph's nodes, keeping name -> _Value."""

    def __init__(self, imp: _Importer, graph):
        self.imp, self.graph = imp, graph
        self.env: Dict[str, _Value] = {}
        # How many node inputs and graph outputs read each value.
        self.uses: Dict[str, int] = {}
        for node in graph.node:
            for name in node.input:
                self.uses[name] = self.uses.get(name, 0) + 1
        for out in graph.output:
            self.uses[out.name] = self.uses.get(out.name, 0) + 1

    def get(self, n: _Node, i: int) -> Optional[_Value]:
        names = n.node.input
        if i >= len(names) or names[i] == "":
            return None
        if names[i] not in self.env:
            raise n.error(f"input '{names[i]}' is not defined")
        return self.env[names[i]]

    def const_input(self, n: _Node, i: int, what: str) -> Optional[np.ndarray]:
        v = self.get(n, i)
        if v is None:
            return None
        if v.const is None:
            raise n.error(f"{what} (input {i}) must be a constant for static shapes")
        return v.const

    def run(self, node):
        n = _Node(node)
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            raise n.error(f"domain '{node.domain}' is not supported")
        if op == "Constant":
            self.env[node.output[0]] = self.constant_node(n)
            return
        ins = [self.get(n, i) for i in range(len(node.input))]
        if op in _FOLD and ins and all(v is not None and v.const is not None for v in ins):
            try:
                outs = _FOLD[op](n, [v.const for v in ins])
            except OnnxImportError:
                raise
            except Exception as e:  # a malformed constant subgraph
                raise n.error(f"cannot fold: {e}")
            # Folding bf16 (float32 arrays) stays bf16: a float result of
            # bf16 inputs is bf16 again.
            bf16 = any(v.elem == "bf16" for v in ins)
            for name, val in zip(node.output, outs):
                val = np.asarray(val)
                elem = _np_elem(val)
                if bf16 and elem == "f32":
                    elem = "bf16"
                self.env[name] = _Value(val.shape, elem, const=val)
                # What only pinned constants (and small ones) make is pinned.
                self.env[name].pinned = all(v.pinned or v.const.size <= 16 for v in ins)
            return
        handler = getattr(self, "op_" + op, None)
        if handler is None:
            raise n.error("unsupported op (see docs/onnx.md for the supported ones)")
        half = next((v.elem for v in ins if v is not None and v.elem in ("bf16", "f16")), None)
        if op in _F32_INSIDE and half:
            # As torch computes them: in f32 inside, half-precision outside.
            ins = [self._cast_value(v, "f32") if v is not None and v.elem == half else v for v in ins]
            outs = handler(n, ins)
            outs = [outs] if isinstance(outs, _Value) else outs
            outs = [self._cast_value(v, half) if v.elem == "f32" else v for v in outs]
        else:
            outs = handler(n, ins)
        if isinstance(outs, _Value):
            outs = [outs]
        for name, val in zip(node.output, outs):
            if name:
                self.env[name] = val
                if val.expr is not None:
                    val.uses = self.uses.get(name, 0)

    def constant_node(self, n: _Node) -> _Value:
        import onnx
        import onnx.helper
        import onnx.numpy_helper
        for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
            if key in n.attrs:
                v = n.attrs[key]
                if key == "value":
                    a = onnx.numpy_helper.to_array(v)
                    if v.data_type == 16:  # bf16 arrives as float32 values
                        return _Value(a.shape, "bf16", const=a)
                elif key.startswith("value_float"):
                    a = np.array(v, dtype=np.float32)
                else:
                    a = np.array(v, dtype=np.int64)
                return _Value(a.shape, _np_elem(a), const=a)
        raise n.error("only value, value_float(s) and value_int(s) constants are supported")

    # --- elementwise ------------------------------------------------------------
    def _binary(self, n, ins, fop, iop, out_elem=None):
        a, b = ins
        if a.elem != b.elem:
            raise n.error(f"operands have different element types ({a.elem}, {b.elem})")
        fl = a.elem in _FLOATS
        op = fop if fl else iop
        if op is None:
            raise n.error(f"not supported on {a.elem}")
        imp = self.imp
        return imp.elementwise([a, b], out_elem or a.elem, lambda s: imp.op(f"{op} {s[0]}, {s[1]}", a.elem))

    # Add, Sub, Mul, Div, Max, Min: see _binary_op below the class.

    def op_Pow(self, n, ins):
        a, b = ins
        imp = self.imp
        if a.elem not in _FLOATS:
            raise n.error("integer powers are not supported")
        if b.const is not None and b.const.size == 1 and float(b.const.reshape(-1)[0]) in (1.0, 2.0, 3.0, 0.5):
            e = float(b.const.reshape(-1)[0])

            def body(s):
                x = s[0]
                if e == 0.5:
                    return imp.op(f"math.sqrt {x}", a.elem)
                y = x
                for _ in range(int(e) - 1):
                    y = imp.op(f"arith.mulf {y}, {x}", a.elem)
                return y
            return imp.elementwise([a], a.elem, body)
        if b.elem != a.elem:
            b = self._cast_value(b, a.elem)
        return imp.elementwise([a, b], a.elem, lambda s: imp.op(f"math.powf {s[0]}, {s[1]}", a.elem))

    def _cmp(self, n, ins, fpred, ipred):
        a, b = ins
        imp = self.imp
        pred = fpred if a.elem in _FLOATS else ipred
        return imp.elementwise([a, b], "i1", lambda s: imp.cmp(pred, s[0], s[1], a.elem))

    def op_Equal(self, n, ins):
        return self._cmp(n, ins, "oeq", "eq")

    def op_Less(self, n, ins):
        return self._cmp(n, ins, "olt", "slt")

    def op_Greater(self, n, ins):
        return self._cmp(n, ins, "ogt", "sgt")

    def op_Not(self, n, ins):
        imp = self.imp
        return imp.elementwise(ins, "i1", lambda s: imp.op(f"arith.xori {s[0]}, {imp.sconst(1, 'i1')}", "i1"))

    def _unary(self, n, ins, body, floats_only=True):
        (x,) = ins[:1]
        if floats_only and x.elem not in _FLOATS:
            raise n.error(f"not supported on {x.elem}")
        return self.imp.elementwise([x], x.elem, lambda s: body(s[0], x.elem))

    # Sqrt, Exp, Log, Tanh, Erf, Abs, Neg: see _unary_op below the class.

    def op_Reciprocal(self, n, ins):
        imp = self.imp
        return self._unary(n, ins, lambda s, t: imp.op(f"arith.divf {imp.sconst(1.0, t)}, {s}", t))

    def op_Relu(self, n, ins):
        imp = self.imp
        return self._unary(n, ins, lambda s, t: imp.op(f"arith.maximumf {s}, {imp.sconst(0.0, t)}", t))

    def op_Sigmoid(self, n, ins):
        imp = self.imp

        def body(s, t):
            e = imp.op(f"math.exp {imp.op(f'arith.negf {s}', t)}", t)
            one = imp.sconst(1.0, t)
            return imp.op(f"arith.divf {one}, {imp.op(f'arith.addf {one}, {e}', t)}", t)
        return self._unary(n, ins, body)

    def op_Gelu(self, n, ins):
        imp = self.imp
        approx = n.attr("approximate", "none")

        def body(s, t):
            half, one = imp.sconst(0.5, t), imp.sconst(1.0, t)
            if approx == "tanh":
                c = imp.sconst(math.sqrt(2 / math.pi), t)
                k = imp.sconst(0.044715, t)
                x2 = imp.op(f"arith.mulf {s}, {s}", t)
                x3 = imp.op(f"arith.mulf {x2}, {s}", t)
                kx3 = imp.op(f"arith.mulf {k}, {x3}", t)
                u = imp.op(f"arith.addf {s}, {kx3}", t)
                inner = imp.op(f"arith.mulf {c}, {u}", t)
                g = imp.op(f"math.tanh {inner}", t)
            else:
                r2 = imp.sconst(1 / math.sqrt(2), t)
                g = imp.op(f"math.erf {imp.op(f'arith.mulf {s}, {r2}', t)}", t)
            hx = imp.op(f"arith.mulf {half}, {s}", t)
            return imp.op(f"arith.mulf {hx}, {imp.op(f'arith.addf {one}, {g}', t)}", t)
        if approx not in ("none", "tanh"):
            raise n.error(f"approximate='{approx}' is not supported")
        return self._unary(n, ins, body)

    def op_Where(self, n, ins):
        c, a, b = ins
        if c.elem != "i1":
            raise n.error("the condition must be bool")
        imp = self.imp
        return imp.elementwise([c, a, b], a.elem, lambda s: imp.op(f"arith.select {s[0]}, {s[1]}, {s[2]}", a.elem))

    def _cast_value(self, x: _Value, elem: str) -> _Value:
        if x.const is not None and elem != "bf16":
            a = x.const.astype(_NP_OF[elem])
            return _Value(a.shape, elem, const=a)
        imp = self.imp
        return imp.elementwise([x], elem, lambda s: imp.convert(s[0], x.elem, elem))

    def op_Cast(self, n, ins):
        to = n.attr("to")
        if to not in _ELEM:
            raise n.error(f"cast to ONNX type {to} is not supported")
        return self._cast_value(ins[0], _ELEM[to][0])

    def op_Identity(self, n, ins):
        return ins[0]

    def op_Dropout(self, n, ins):
        return ins[0]  # inference: the identity (no mask output)

    # --- reductions -----------------------------------------------------------------
    def _axes(self, n, ins):
        if len(ins) > 1 and ins[1] is not None:
            return [int(a) for a in self.const_input(n, 1, "axes")]
        a = n.attr("axes")
        return [int(x) for x in a] if a is not None else []

    def _reduce(self, n, ins, kind, mean=False):
        x = ins[0]
        axes = self._axes(n, ins)
        if not axes and n.attr("noop_with_empty_axes", 0):
            return x
        imp = self.imp
        y = imp.reduce(x, axes, bool(n.attr("keepdims", 1)), kind)
        if mean:
            count = int(np.prod([x.shape[a % x.rank] for a in axes])) if axes else int(np.prod(x.shape))
            c = _Value((), x.elem, const=np.array(count, dtype=_NP_OF.get(x.elem, np.float32)))
            y = imp.elementwise([y, c], x.elem, lambda s: imp.op(f"arith.divf {s[0]}, {s[1]}", x.elem))
        return y

    def op_ReduceSum(self, n, ins):
        return self._reduce(n, ins, "sum")

    def op_ReduceMean(self, n, ins):
        return self._reduce(n, ins, "sum", mean=True)

    def op_ReduceMax(self, n, ins):
        return self._reduce(n, ins, "max")

    def op_Softmax(self, n, ins):
        x = ins[0]
        axis = n.attr("axis", -1 if self.imp.opset >= 13 else 1) % x.rank
        if self.imp.opset < 13 and axis != x.rank - 1:
            raise n.error("opset < 13 Softmax flattens from its axis; only the last axis is supported")
        imp = self.imp
        e = imp.empty(x.shape, x.elem)
        out = imp.fresh("sm")
        t = _ttype(x.shape, x.elem)
        imp.emit(f"{out} = linalg.softmax dimension({axis}) ins({imp.tensor(x)} : {t}) outs({e} : {t}) -> {t}")
        return _Value(x.shape, x.elem, ssa=out)

    def op_LogSoftmax(self, n, ins):
        x = ins[0]
        if x.elem not in _FLOATS:
            raise n.error(f"not supported on {x.elem}")
        axis = n.attr("axis", -1 if self.imp.opset >= 13 else 1) % x.rank
        if self.imp.opset < 13 and axis != x.rank - 1:
            raise n.error("opset < 13 LogSoftmax flattens from its axis; only the last axis is supported")
        imp, t = self.imp, x.elem
        # x - max - log(sum(exp(x - max))), stable for large logits.
        imp.tensor(x)
        mx = imp.reduce(x, [axis], True, "max")
        d = imp.elementwise([x, mx], t, lambda s: imp.op(f"arith.subf {s[0]}, {s[1]}", t))
        imp.tensor(d)
        e = imp.elementwise([d], t, lambda s: imp.op(f"math.exp {s[0]}", t))
        e.uses = 1
        lse = imp.reduce(e, [axis], True, "sum")
        return imp.elementwise([d, lse], t, lambda s: imp.op(f"arith.subf {s[0]}, {imp.op(f'math.log {s[1]}', t)}", t))

    def op_LayerNormalization(self, n, ins):
        x, scale, bias = ins[0], ins[1], ins[2] if len(ins) > 2 else None
        axis = n.attr("axis", -1) % x.rank
        if axis != x.rank - 1:
            raise n.error("only normalization over the last axis is supported")
        if len(n.node.output) > 1 and any(n.node.output[1:]):
            raise n.error("the Mean and InvStdDev outputs are not supported")
        if x.elem not in _FLOATS:
            raise n.error(f"not supported on {x.elem}")
        eps = float(n.attr("epsilon", 1e-5))
        imp, t, R = self.imp, x.elem, x.rank
        inv_n = 1.0 / x.shape[-1]
        imp.tensor(x)  # read three times below: one tensor
        # The two-pass form sinter-raise turns into sinter.layer_norm:
        # s1 = sum(x), s2 = sum((x - s1 / n)^2), then the normalization.
        s1 = imp.reduce(x, [R - 1], False, "sum")
        rows = x.shape[:-1]
        acc = imp.fill(rows, t, 0.0)
        d = ", ".join(f"d{i}" for i in range(R))
        ident = f"affine_map<({d}) -> ({d})>"
        row = f"affine_map<({d}) -> ({', '.join(f'd{i}' for i in range(R - 1))})>"
        its = ", ".join(['"parallel"'] * (R - 1) + ['"reduction"'])
        s2 = imp.fresh("var")
        imp.emit(f"{s2} = linalg.generic {{indexing_maps = [{ident}, {row}, {row}], iterator_types = [{its}]}}"
                 f" ins({imp.tensor(x)}, {s1.ssa} : {_ttype(x.shape, t)}, {_ttype(rows, t)})"
                 f" outs({acc} : {_ttype(rows, t)}) {{")
        a, m, o = imp.fresh("a"), imp.fresh("a"), imp.fresh("o")
        imp.emit(f"^bb0({a}: {t}, {m}: {t}, {o}: {t}):")
        mean = imp.op(f"arith.mulf {m}, {imp.sconst(inv_n, t)}", t)
        dv = imp.op(f"arith.subf {a}, {mean}", t)
        sq = imp.op(f"arith.mulf {dv}, {dv}", t)
        r = imp.op(f"arith.addf {o}, {sq}", t)
        imp.emit(f"  linalg.yield {r} : {t}")
        imp.emit(f"}} -> {_ttype(rows, t)}")
        var = _Value(rows, t, ssa=s2)

        def norm(v):
            k = imp.sconst(inv_n, t)
            mu = imp.op(f"arith.mulf {v[1]}, {k}", t)
            var_ = imp.op(f"arith.mulf {v[2]}, {k}", t)
            c = imp.op(f"arith.subf {v[0]}, {mu}", t)
            rs = imp.op(f"math.rsqrt {imp.op(f'arith.addf {var_}, {imp.sconst(eps, t)}', t)}", t)
            y = imp.op(f"arith.mulf {imp.op(f'arith.mulf {c}, {rs}', t)}, {v[3]}", t)
            return imp.op(f"arith.addf {y}, {v[4]}", t) if len(v) > 4 else y
        # s1 and s2 are read per row; gamma and beta along the last dim.
        return self._rowwise(x, [s1, var], [scale] + ([bias] if bias is not None else []), norm)

    def _rowwise(self, x: _Value, row_stats, params, body) -> _Value:
        """A generic over x's shape reading x, per-row statistics (rank - 1)
        and last-dim parameters."""
        imp, R, t = self.imp, x.rank, x.elem
        d = ", ".join(f"d{i}" for i in range(R))
        ident = f"affine_map<({d}) -> ({d})>"
        row = f"affine_map<({d}) -> ({', '.join(f'd{i}' for i in range(R - 1))})>"
        last = f"affine_map<({d}) -> (d{R - 1})>"
        params = [self._broadcast_param(p, x.shape[-1]) for p in params]
        vals = [x] + list(row_stats) + params
        maps = [ident] + [row] * len(row_stats) + [last] * len(params) + [ident]
        e = imp.empty(x.shape, t)
        n = imp.fresh("g")
        its = ", ".join(['"parallel"'] * R)
        imp.emit(f"{n} = linalg.generic {{indexing_maps = [{', '.join(maps)}], iterator_types = [{its}]}}"
                 f" ins({', '.join(imp.tensor(v) for v in vals)} : {', '.join(_ttype(v.shape, v.elem) for v in vals)})"
                 f" outs({e} : {_ttype(x.shape, t)}) {{")
        args = [imp.fresh("a") for _ in vals]
        o = imp.fresh("o")
        imp.emit("^bb0(" + ", ".join(f"{a}: {v.elem}" for a, v in zip(args, vals)) + f", {o}: {t}):")
        r = body(args)
        imp.emit(f"  linalg.yield {r} : {t}")
        imp.emit(f"}} -> {_ttype(x.shape, t)}")
        return _Value(x.shape, t, ssa=n)

    def _broadcast_param(self, p: _Value, n: int) -> _Value:
        """A scale or bias as a vector of n."""
        if p.shape == (n,):
            return p
        if p.const is not None:
            a = np.broadcast_to(p.const, (n,)).copy() if p.const.size in (1, n) else None
            if a is not None:
                return _Value((n,), p.elem, const=a)
        if int(np.prod(p.shape)) == n:
            return self.imp.reshape(p, (n,))
        raise OnnxImportError(f"a LayerNormalization parameter of shape {list(p.shape)} (expected [{n}])")

    # --- contractions ---------------------------------------------------------------
    def _matmul(self, a: _Value, b: _Value) -> _Value:
        imp = self.imp
        if a.elem != b.elem:
            raise OnnxImportError(f"MatMul of {a.elem} and {b.elem}")
        a1, b1 = a.rank == 1, b.rank == 1
        if a1:
            a = imp.reshape(a, (1,) + a.shape)
        if b1:
            b = imp.reshape(b, b.shape + (1,))
        M, K = a.shape[-2:]
        K2, N = b.shape[-2:]
        if K != K2:
            raise OnnxImportError(f"MatMul shapes {list(a.shape)} x {list(b.shape)} do not contract")
        batch = tuple(np.broadcast_shapes(a.shape[:-2], b.shape[:-2]))
        t = a.elem
        zero = 0.0 if t in _FLOATS else 0
        if b.rank == 2:
            # B shared by the batch: the batch folds into M.
            P = int(np.prod(a.shape[:-1]))
            a2 = imp.reshape(a, (P, K))
            acc = imp.fill((P, N), t, zero)
            y = imp.fresh("mm")
            imp.emit(f"{y} = linalg.matmul ins({imp.tensor(a2)}, {imp.tensor(b)} : {_ttype(a2.shape, t)}, "
                     f"{_ttype(b.shape, t)}) outs({acc} : {_ttype((P, N), t)}) -> {_ttype((P, N), t)}")
            out = imp.reshape(_Value((P, N), t, ssa=y), a.shape[:-1] + (N,))
        elif a.shape[:-2] == b.shape[:-2] and len(batch) == 2:
            # [B, H, M, K] x [B, H, K, N] (attention's scores and P V): a
            # contraction over the batch dims as they are, so the ops on its
            # result (scale, mask, softmax) see the GEMM directly.
            d = "b0, b1, m, n, k"
            acc = imp.fill(batch + (M, N), t, zero)
            y = imp.fresh("bmm")
            ot = _ttype(batch + (M, N), t)
            mul, add = ("arith.mulf", "arith.addf") if t in _FLOATS else ("arith.muli", "arith.addi")
            imp.emit(f"{y} = linalg.generic {{indexing_maps = [affine_map<({d}) -> (b0, b1, m, k)>, "
                     f"affine_map<({d}) -> (b0, b1, k, n)>, affine_map<({d}) -> (b0, b1, m, n)>], "
                     f"iterator_types = [\"parallel\", \"parallel\", \"parallel\", \"parallel\", \"reduction\"]}}"
                     f" ins({imp.tensor(a)}, {imp.tensor(b)} : {_ttype(a.shape, t)}, {_ttype(b.shape, t)})"
                     f" outs({acc} : {ot}) {{")
            x1, x2, o = imp.fresh("a"), imp.fresh("a"), imp.fresh("o")
            imp.emit(f"^bb0({x1}: {t}, {x2}: {t}, {o}: {t}):")
            pr = imp.op(f"{mul} {x1}, {x2}", t)
            sm = imp.op(f"{add} {o}, {pr}", t)
            imp.emit(f"  linalg.yield {sm} : {t}")
            imp.emit(f"}} -> {ot}")
            out = _Value(batch + (M, N), t, ssa=y)
        else:
            Bn = int(np.prod(batch)) if batch else 1
            ab = self._broadcast_to(a, batch + (M, K))
            bb = self._broadcast_to(b, batch + (K, N))
            a3, b3 = imp.reshape(ab, (Bn, M, K)), imp.reshape(bb, (Bn, K, N))
            acc = imp.fill((Bn, M, N), t, zero)
            y = imp.fresh("bmm")
            imp.emit(f"{y} = linalg.batch_matmul ins({imp.tensor(a3)}, {imp.tensor(b3)} : {_ttype(a3.shape, t)}, "
                     f"{_ttype(b3.shape, t)}) outs({acc} : {_ttype((Bn, M, N), t)}) -> {_ttype((Bn, M, N), t)}")
            out = imp.reshape(_Value((Bn, M, N), t, ssa=y), batch + (M, N))
        if a1:
            out = imp.reshape(out, out.shape[:-2] + out.shape[-1:])
        if b1:
            out = imp.reshape(out, out.shape[:-1])
        return out

    def _broadcast_to(self, x: _Value, shape) -> _Value:
        shape = tuple(shape)
        if x.shape == shape:
            return x
        if x.const is not None:
            a = np.broadcast_to(x.const, shape).copy()
            return _Value(shape, x.elem, const=a)
        return self.imp.elementwise([x], x.elem, lambda s: s[0], shape=shape)

    def op_MatMul(self, n, ins):
        try:
            return self._matmul(ins[0], ins[1])
        except OnnxImportError as e:
            raise n.error(str(e))

    def op_Gemm(self, n, ins):
        a, b, c = ins[0], ins[1], ins[2] if len(ins) > 2 else None
        if a.rank != 2 or b.rank != 2:
            raise n.error("Gemm takes 2-d A and B")
        if n.attr("transA", 0):
            a = self._transpose(a, (1, 0))
        if n.attr("transB", 0):
            b = self._transpose(b, (1, 0))
        alpha, beta = float(n.attr("alpha", 1.0)), float(n.attr("beta", 1.0))
        imp = self.imp
        y = self._matmul(a, b)
        t = y.elem
        if alpha != 1.0:
            y = imp.elementwise([y], t, lambda s: imp.op(f"arith.mulf {s[0]}, {imp.sconst(alpha, t)}", t))
        if c is not None:
            if beta != 1.0:
                c = imp.elementwise([c], t, lambda s: imp.op(f"arith.mulf {s[0]}, {imp.sconst(beta, t)}", t))
            y = imp.elementwise([y, c], t, lambda s: imp.op(f"arith.addf {s[0]}, {s[1]}", t))
        return y

    # --- data movement ----------------------------------------------------------------
    def _transpose(self, x: _Value, perm) -> _Value:
        perm = [int(p) for p in perm]
        if perm == list(range(x.rank)):
            return x
        shape = tuple(x.shape[p] for p in perm)
        if x.const is not None:
            return _Value(shape, x.elem, const=np.transpose(x.const, perm).copy())
        imp = self.imp
        e = imp.empty(shape, x.elem)
        y = imp.fresh("tr")
        imp.emit(f"{y} = linalg.transpose ins({imp.tensor(x)} : {_ttype(x.shape, x.elem)}) "
                 f"outs({e} : {_ttype(shape, x.elem)}) permutation = {perm}")
        return _Value(shape, x.elem, ssa=y)

    def op_Transpose(self, n, ins):
        x = ins[0]
        perm = [int(p) for p in (n.attr("perm") or list(reversed(range(x.rank))))]
        R = len(perm)
        if x.const is None and R > 2 and perm[-2] > perm[-1] and perm[:-2] != list(range(R - 2)):
            # A head transpose and a K^T in one (torch writes
            # k.transpose(0, 1).transpose(1, 2) as perm [1, 2, 0]): two
            # transposes, so that the swap of the last two dimensions folds
            # into the consuming GEMM (transpose_b) when it is raised.
            first = perm[:-2] + [perm[-1], perm[-2]]
            return self._transpose(self._transpose(x, first), list(range(R - 2)) + [R - 1, R - 2])
        return self._transpose(x, perm)

    def op_Reshape(self, n, ins):
        x = ins[0]
        shape = [int(d) for d in self.const_input(n, 1, "the shape")]
        if not n.attr("allowzero", 0):
            shape = [x.shape[i] if d == 0 else d for i, d in enumerate(shape)]
        if shape.count(-1) > 1:
            raise n.error("more than one -1 in the shape")
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1]))
            shape[shape.index(-1)] = int(np.prod(x.shape)) // max(known, 1)
        try:
            return self.imp.reshape(x, shape)
        except OnnxImportError as e:
            raise n.error(str(e))

    def op_Flatten(self, n, ins):
        x = ins[0]
        axis = n.attr("axis", 1) % (x.rank + 1) if x.rank else 0
        return self.imp.reshape(x, (int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:]))))

    def op_Squeeze(self, n, ins):
        x = ins[0]
        axes = self._axes(n, ins)
        axes = [a % x.rank for a in axes] if axes else [i for i, d in enumerate(x.shape) if d == 1]
        for a in axes:
            if x.shape[a] != 1:
                raise n.error(f"cannot squeeze axis {a} of size {x.shape[a]}")
        return self.imp.reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))

    def op_Unsqueeze(self, n, ins):
        x = ins[0]
        axes = self._axes(n, ins)
        r = x.rank + len(axes)
        axes = sorted(a % r for a in axes)
        shape = list(x.shape)
        for a in axes:
            shape.insert(a, 1)
        return self.imp.reshape(x, shape)

    def op_Expand(self, n, ins):
        x = ins[0]
        shape = [int(d) for d in self.const_input(n, 1, "the shape")]
        return self._broadcast_to(x, tuple(np.broadcast_shapes(x.shape, tuple(shape))))

    def op_Shape(self, n, ins):
        x = ins[0]
        s = np.array(x.shape, dtype=np.int64)
        start, end = n.attr("start", 0), n.attr("end", None)
        s = s[start:end]
        return _Value(s.shape, "i64", const=s)

    def _extract(self, x: _Value, offsets, sizes, strides) -> _Value:
        if x.const is not None:
            sl = tuple(slice(o, o + s * st, st) for o, s, st in zip(offsets, sizes, strides))
            a = x.const[sl].copy()
            return _Value(a.shape, x.elem, const=a)
        if list(offsets) == [0] * x.rank and tuple(sizes) == x.shape:
            return x
        imp = self.imp
        y = imp.fresh("sl")
        out = tuple(sizes)
        imp.emit(f"{y} = tensor.extract_slice {imp.tensor(x)}{list(offsets)} {list(sizes)} {list(strides)} : "
                 f"{_ttype(x.shape, x.elem)} to {_ttype(out, x.elem)}")
        return _Value(out, x.elem, ssa=y)

    def op_Slice(self, n, ins):
        x = ins[0]
        if self.imp.opset < 10:
            starts, ends, axes = n.attr("starts"), n.attr("ends"), n.attr("axes")
            steps = None
        else:
            starts = self.const_input(n, 1, "starts")
            ends = self.const_input(n, 2, "ends")
            axes = self.const_input(n, 3, "axes") if len(ins) > 3 and ins[3] is not None else None
            steps = self.const_input(n, 4, "steps") if len(ins) > 4 and ins[4] is not None else None
        axes = list(range(len(starts))) if axes is None else [int(a) % x.rank for a in axes]
        steps = [1] * len(starts) if steps is None else [int(s) for s in steps]
        offsets, sizes, strides = [0] * x.rank, list(x.shape), [1] * x.rank
        for s, e, a, st in zip(starts, ends, axes, steps):
            if st <= 0:
                raise n.error("only positive steps are supported")
            d = x.shape[a]
            s, e = int(s), int(e)
            s = min(max(s + d if s < 0 else s, 0), d)
            e = min(max(e + d if e < 0 else e, 0), d)
            offsets[a], sizes[a], strides[a] = s, max(0, -(-(e - s) // st)), st
        return self._extract(x, offsets, sizes, strides)

    def op_Split(self, n, ins):
        x = ins[0]
        axis = n.attr("axis", 0) % x.rank
        outs = len(n.node.output)
        if len(ins) > 1 and ins[1] is not None:
            split = [int(s) for s in self.const_input(n, 1, "split")]
        elif n.attr("split") is not None:
            split = [int(s) for s in n.attr("split")]
        else:
            d = x.shape[axis]
            k = -(-d // outs)
            split = [k] * (outs - 1) + [d - k * (outs - 1)]
        if sum(split) != x.shape[axis]:
            raise n.error(f"split sizes {split} do not add up to {x.shape[axis]}")
        res, off = [], 0
        for s in split:
            offsets = [0] * x.rank
            sizes = list(x.shape)
            offsets[axis], sizes[axis] = off, s
            res.append(self._extract(x, offsets, sizes, [1] * x.rank))
            off += s
        return res

    def op_Concat(self, n, ins):
        axis = n.attr("axis") % ins[0].rank
        parts = [v for v in ins if v is not None and v.shape[axis] > 0]
        if any(p.elem != parts[0].elem for p in parts):
            raise n.error("inputs have different element types")
        shape = list(parts[0].shape)
        shape[axis] = sum(p.shape[axis] for p in parts)
        imp = self.imp
        t = _ttype(shape, parts[0].elem)
        cur = imp.empty(shape, parts[0].elem)
        off = 0
        for p in parts:
            offsets = [0] * len(shape)
            offsets[axis] = off
            y = imp.fresh("cat")
            imp.emit(f"{y} = tensor.insert_slice {imp.tensor(p)} into {cur}{offsets} {list(p.shape)} "
                     f"{[1] * len(shape)} : {_ttype(p.shape, p.elem)} into {t}")
            cur, off = y, off + p.shape[axis]
        return _Value(shape, parts[0].elem, ssa=cur)

    def op_Gather(self, n, ins):
        data, idx = ins
        axis = n.attr("axis", 0) % data.rank
        if idx.elem not in ("i64", "i32"):
            raise n.error("indices must be int64 or int32")
        if idx.const is not None and idx.const.ndim == 0:
            # One index: a slice without the axis.
            i = int(idx.const) % data.shape[axis]
            offsets = [0] * data.rank
            sizes = list(data.shape)
            offsets[axis], sizes[axis] = i, 1
            s = self._extract(data, offsets, sizes, [1] * data.rank)
            return self.imp.reshape(s, tuple(d for k, d in enumerate(s.shape) if k != axis))
        imp = self.imp
        out = data.shape[:axis] + idx.shape + data.shape[axis + 1:]
        R, q = len(out), idx.rank
        d = ", ".join(f"d{i}" for i in range(R))
        imap = f"affine_map<({d}) -> ({', '.join(f'd{axis + i}' for i in range(q))})>"
        omap = f"affine_map<({d}) -> ({d})>"
        e = imp.empty(out, data.elem)
        y = imp.fresh("gat")
        its = ", ".join(['"parallel"'] * R)
        ot = _ttype(out, data.elem)
        src = imp.tensor(data)
        imp.emit(f"{y} = linalg.generic {{indexing_maps = [{imap}, {omap}], iterator_types = [{its}]}}"
                 f" ins({imp.tensor(idx)} : {_ttype(idx.shape, idx.elem)}) outs({e} : {ot}) {{")
        a, o = imp.fresh("a"), imp.fresh("o")
        imp.emit(f"^bb0({a}: {idx.elem}, {o}: {data.elem}):")
        ii = imp.fresh("s")
        imp.emit(f"  {ii} = arith.index_cast {a} : {idx.elem} to index")
        # Negative indices count from the end.
        dim = imp.fresh("s")
        imp.emit(f"  {dim} = arith.constant {data.shape[axis]} : index")
        zero = imp.fresh("s")
        imp.emit(f"  {zero} = arith.constant 0 : index")
        neg = imp.fresh("s")
        imp.emit(f"  {neg} = arith.cmpi slt, {ii}, {zero} : index")
        wrapped = imp.fresh("s")
        imp.emit(f"  {wrapped} = arith.addi {ii}, {dim} : index")
        sel = imp.fresh("s")
        imp.emit(f"  {sel} = arith.select {neg}, {wrapped}, {ii} : index")
        coords = []
        for k in range(data.rank):
            if k == axis:
                coords.append(sel)
                continue
            j = k if k < axis else k - 1 + q
            c = imp.fresh("s")
            imp.emit(f"  {c} = linalg.index {j} : index")
            coords.append(c)
        v = imp.fresh("s")
        imp.emit(f"  {v} = tensor.extract {src}[{', '.join(coords)}] : {_ttype(data.shape, data.elem)}")
        imp.emit(f"  linalg.yield {v} : {data.elem}")
        imp.emit(f"}} -> {ot}")
        return _Value(out, data.elem, ssa=y)


def _binary_op(float_op: str, int_op: str):
    def handler(self, n, ins):
        return self._binary(n, ins, float_op, int_op)
    return handler


def _unary_op(mlir_op: str):
    def handler(self, n, ins):
        return self._unary(n, ins, lambda s, t: self.imp.op(f"{mlir_op} {s}", t))
    return handler


for _name, (_f, _i) in {"Add": ("arith.addf", "arith.addi"), "Sub": ("arith.subf", "arith.subi"),
                        "Mul": ("arith.mulf", "arith.muli"), "Div": ("arith.divf", "arith.divsi"),
                        "Max": ("arith.maximumf", "arith.maxsi"),
                        "Min": ("arith.minimumf", "arith.minsi")}.items():
    setattr(_Graph, "op_" + _name, _binary_op(_f, _i))
for _name, _op in {"Sqrt": "math.sqrt", "Exp": "math.exp", "Log": "math.log", "Tanh": "math.tanh",
                   "Erf": "math.erf", "Abs": "math.absf", "Neg": "arith.negf"}.items():
    setattr(_Graph, "op_" + _name, _unary_op(_op))


SUPPORTED_OPS = sorted({m[3:] for m in dir(_Graph) if m.startswith("op_")} | {"Constant"} | set(_FOLD))


def _load(model):
    import onnx
    import onnx.helper
    import onnx.numpy_helper
    if isinstance(model, str):
        return onnx.load(model)
    if isinstance(model, bytes):
        return onnx.load_from_string(model)
    return model


def _symbol(name: str) -> str:
    s = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return s if s and not s[0].isdigit() else "f_" + s


def import_model(model, func_name: str = "main", inline_limit: int = 16) -> str:
    """MLIR text for `model` (a path, serialized bytes or an
    onnx.ModelProto): one public function `func_name` taking the graph's
    inputs and returning its outputs; weights are constants in it."""
    return _import(model, func_name, inline_limit, False)[0]


def import_model_with_weights(model, func_name: str = "main", inline_limit: int = 16,
                              constants: Sequence[str] = ()):
    """(MLIR text, weights): as import_model, but every constant larger
    than inline_limit elements (the initializers, and what folding made of
    them) is a trailing function argument marked {sinter.weight}, in the
    order of `weights` (numpy arrays). Keeps large models' text small; the
    compiled function takes the weights after the inputs. The initializers
    named in `constants` (and what folding makes of them alone) stay
    constants in the code: tables the compiler specializes on, such as
    RoPE's cos/sin or a mask."""
    return _import(model, func_name, inline_limit, True, constants)


def _import(model, func_name: str, inline_limit: int, weights_as_arguments: bool, constants: Sequence[str] = ()):
    m = _load(model)
    opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), 13)
    g = m.graph
    imp = _Importer(opset, inline_limit, weights_as_arguments)
    walker = _Graph(imp, g)
    import onnx
    import onnx.helper
    import onnx.numpy_helper
    inits = {t.name for t in g.initializer}
    unknown = sorted(set(constants) - inits)
    if unknown:
        raise OnnxImportError(f"constants: {', '.join(unknown)} name no initializer of the graph")
    for t in g.initializer:
        if t.data_type not in _ELEM:
            raise OnnxImportError(f"initializer '{t.name}': element type {t.data_type} is not supported")
        a = onnx.numpy_helper.to_array(t)
        walker.env[t.name] = _Value(a.shape, _ELEM[t.data_type][0], const=a)
        walker.env[t.name].pinned = t.name in constants
    params = []
    for i, inp in enumerate(x for x in g.input if x.name not in inits):
        tt = inp.type.tensor_type
        if tt.elem_type not in _ELEM:
            raise OnnxImportError(f"input '{inp.name}': element type {tt.elem_type} is not supported")
        shape = []
        for d in tt.shape.dim:
            if not d.HasField("dim_value"):
                what = f"'{d.dim_param}'" if d.dim_param else "unknown"
                raise OnnxImportError(f"input '{inp.name}': dimension {len(shape)} is dynamic ({what}); "
                                      "export with static shapes")
            shape.append(d.dim_value)
        elem = _ELEM[tt.elem_type][0]
        ssa = f"%arg{i}"
        walker.env[inp.name] = _Value(shape, elem, ssa=ssa)
        params.append(f"{ssa}: {_ttype(shape, elem)}")
    for node in g.node:
        walker.run(node)
    rets = []
    for out in g.output:
        if out.name not in walker.env:
            raise OnnxImportError(f"output '{out.name}' is not computed by any node")
        v = walker.env[out.name]
        rets.append((imp.tensor(v), _ttype(v.shape, v.elem)))
    body = "\n".join(imp.lines)
    params += [f"%w{i}: {t} {{sinter.weight}}" for i, (t, _) in enumerate(imp.weights)]
    text = (f"// Imported from ONNX (opset {opset}) by sinter.onnx.\n"
            f"func.func @{_symbol(func_name)}({', '.join(params)}) -> ({', '.join(t for _, t in rets)}) {{\n"
            f"{body}\n  return {', '.join(s for s, _ in rets)} : {', '.join(t for _, t in rets)}\n}}\n")
    if imp.resources:
        blobs = ",\n".join(f"      {k}: \"{v}\"" for k, v in imp.resources)
        text += "\n{-#\n  dialect_resources: {\n    builtin: {\n" + blobs + "\n    }\n  }\n#-}\n"
    return text, [a for _, a in imp.weights]
