"""The one table of element types: how each MLIR element type of a compiled
function's arguments is stored in memory (as the generated C headers and
manifests say) and how numpy arrays become that storage and come back.

=========  ==============  ========  ====================================
MLIR       numpy storage   C type    passing numpy arrays in
=========  ==============  ========  ====================================
f32, f64   float32/64      float     converted if another dtype
f16        float16         uint16_t  (its bits) converted if not float16
bf16       uint16 (bits)   uint16_t  uint16 arrays are taken as bf16
                                     bits; float arrays are rounded to
                                     the nearest bf16 (ties to even)
f8E4M3FN   uint8 (bits)    uint8_t   uint8 bits only (no numpy fp8)
i1         bool            bool
i4         uint8           uint8_t   one element per byte, low 4 bits
                                     (two's complement), upper bits 0
i8..i64    int8..int64     intN_t
index      int64           int64_t
=========  ==============  ========  ====================================

Results come back as numpy arrays in the closest numpy type: bf16 as
float32 (exact), f16 as float16, i4 as int8 (sign-extended), f8E4M3FN as
its uint8 bits.
"""
from typing import Dict, NamedTuple

import numpy as np


class DType(NamedTuple):
    storage: type   # numpy dtype of the bytes the C interface takes
    c_type: str


TABLE: Dict[str, DType] = {
    "f32": DType(np.float32, "float"),
    "f64": DType(np.float64, "double"),
    "f16": DType(np.float16, "uint16_t"),
    "bf16": DType(np.uint16, "uint16_t"),
    "f8E4M3FN": DType(np.uint8, "uint8_t"),
    "i1": DType(np.bool_, "bool"),
    "i4": DType(np.uint8, "uint8_t"),
    "i8": DType(np.int8, "int8_t"),
    "i16": DType(np.int16, "int16_t"),
    "i32": DType(np.int32, "int32_t"),
    "i64": DType(np.int64, "int64_t"),
    "index": DType(np.int64, "int64_t"),
}


def lookup(dtype: str) -> DType:
    try:
        return TABLE[dtype]
    except KeyError:
        raise TypeError(f"element type {dtype!r} has no numpy form "
                        f"(known: {', '.join(TABLE)})") from None


def round_bf16(x) -> np.ndarray:
    """The nearest bf16 values (ties to even), as float32."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


def to_storage(x, dtype: str) -> np.ndarray:
    """`x` as the C-contiguous array of `dtype`'s storage the compiled code
    reads; `x` itself when it already is one (zero-copy)."""
    storage = lookup(dtype).storage
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if dtype == "bf16" and x.dtype != np.uint16:
        if not np.issubdtype(x.dtype, np.number) and x.dtype != np.bool_:
            raise TypeError(f"cannot pass a {x.dtype} array as bf16")
        return np.ascontiguousarray(
            (round_bf16(x).view(np.uint32) >> 16).astype(np.uint16))
    if dtype == "f8E4M3FN" and x.dtype != np.uint8:
        raise TypeError("pass f8E4M3FN arguments as uint8 arrays of their bits "
                        f"(got {x.dtype})")
    if dtype == "i4" and x.dtype != np.uint8:
        return np.ascontiguousarray((x.astype(np.int64) & 0xF).astype(np.uint8))
    return np.ascontiguousarray(x, dtype=storage)


def from_storage(raw: np.ndarray, dtype: str) -> np.ndarray:
    """A result's storage as the closest numpy array (see the table)."""
    if dtype == "bf16":
        return (raw.astype(np.uint32) << 16).view(np.float32)
    if dtype == "i4":
        low = raw.astype(np.int8) & 0xF
        return np.where(low >= 8, low - 16, low).astype(np.int8)
    return raw
