# The test harness itself: inputs reach the compiled code exactly (bf16, f16,
# i4, negative and large values), and `check` really fails on a mismatch,
# so the other tests can fail.
# RUN: %python %s | FileCheck %s
# CHECK: PASS identity f32
# CHECK: PASS identity bf16
# CHECK: PASS identity f16
# CHECK: PASS identity i4
# CHECK: check rejects a wrong result
# CHECK: check rejects a wrong shape
# CHECK: check rejects NaN
import numpy as np
from harness import Arg, check, round_bf16, run, tensor_type as T

vals = np.array([0.0, -0.0, 1.0, -2.5, 3.14159265, 1e-30, 6.5e4, -1e30, 1 / 3])
for dt, want in [("f32", vals.astype(np.float32)), ("bf16", round_bf16(vals)),
                 ("f16", np.clip(vals, -65504, 65504).astype(np.float16).astype(np.float32))]:
    x = want if dt != "f16" else want
    t = T(x.shape, dt)
    mod = f"func.func @f(%x: {t}) -> {t} {{\n  return %x : {t}\n}}"
    (got,) = run(mod, "f", [Arg(x, dt)], [(dt, x.shape)])
    check(f"identity {dt}", got, want, 0)

ints = np.array([-8, -1, 0, 7, 3])
(got,) = run(f"func.func @f(%x: {T((5,), 'i4')}) -> {T((5,), 'i4')} {{\n  return %x : {T((5,), 'i4')}\n}}",
             "f", [Arg(ints, "i4")], [("i4", (5,))])
check("identity i4", got, ints, 0)

for name, got, want in [("a wrong result", [1.0, 2.0], [1.0, 2.001]),
                        ("a wrong shape", [1.0, 2.0], [1.0, 2.0, 3.0]),
                        ("NaN", [np.nan], [0.0])]:
    try:
        check("must fail", np.array(got), np.array(want), 1e-6)
    except AssertionError as e:
        print(f"check rejects {name}: {e}")
    else:
        raise SystemExit(f"check accepted {name}")
