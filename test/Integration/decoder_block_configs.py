# The generated decoder block at several shapes (MHA, GQA, MQA; ragged token
# counts; f32 and bf16), before and after the graph pipeline, against a
# float64 numpy implementation. Checks that raising and fusion recognize the
# block in every configuration: the fused program must contain exactly one
# attention op, no linalg matmuls and no RMSNorm left. Tolerances: 1e-4 for
# f32; 6e-2 for bf16 (every intermediate of the unfused spelling is rounded
# to bf16, through two residual blocks of magnitude ~4).
# RUN: %python %s | FileCheck %s
# CHECK: PASS mha f32
# CHECK: PASS gqa bf16
# CHECK: PASS mqa f32
import importlib.util
import os
import subprocess
import numpy as np
from refs import rng
from harness import Arg, check, round_to, run, sinter_opt

here = os.path.dirname(os.path.abspath(__file__))
example = os.path.join(here, "..", "..", "examples", "decoder_block")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(example, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = load("gen_block")
reference = load("run").reference   # the example's own numpy block, at any shape



for name, S, HID, H, HKV, FF, T, tol in [("mha f32", 19, 32, 2, 2, 40, "f32", 1e-4),
                                         ("gqa bf16", 23, 64, 8, 2, 72, "bf16", 6e-2),
                                         ("mqa f32", 29, 48, 4, 1, 56, "f32", 1e-4)]:
    DH = HID // H
    r = rng(HID + S)
    f = lambda *shape, s=1.0: round_to(r.standard_normal(shape) * s, T)
    ang = np.arange(S)[:, None] * 10000.0 ** (-np.arange(DH // 2) / (DH // 2))
    p = dict(x=f(S, HID), attn_norm=1 + f(HID, s=0.1), wq=f(HID, HID, s=HID ** -0.5),
             wk=f(HID, HKV * DH, s=HID ** -0.5), wv=f(HID, HKV * DH, s=HID ** -0.5), wo=f(HID, HID, s=HID ** -0.5),
             mlp_norm=1 + f(HID, s=0.1), wgate=f(HID, FF, s=HID ** -0.5), wup=f(HID, FF, s=HID ** -0.5),
             wdown=f(FF, HID, s=FF ** -0.5), cos=round_to(np.cos(ang), T), sin=round_to(np.sin(ang), T))
    mod = gen.emit(S, HID, H, HKV, FF, T)
    fused_ir = subprocess.run([sinter_opt(), "--sinter-attach-target=target=nvidia-h100", "--sinter-graph-pipeline"], input=mod, capture_output=True,
                              text=True, check=True).stdout
    assert fused_ir.count("sinter.attention") == 1, name
    assert "linalg.matmul" not in fused_ir and "sinter.rms_norm" not in fused_ir, name
    order = ["x", "attn_norm", "wq", "wk", "wv", "wo", "mlp_norm", "wgate", "wup", "wdown", "cos", "sin"]
    args = [Arg(p[n], T) for n in order]
    (fused,) = run(mod, "decoder_block", args, [(T, (S, HID))], extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-graph-pipeline")
    want = reference(p, S=S, HID=HID, H=H, HKV=HKV)
    if T == "f32":
        (plain,) = run(mod, "decoder_block", args, [(T, (S, HID))])
        check(f"{name} unfused", plain, want, tol, tol)
    check(name, fused, want, tol, tol)
