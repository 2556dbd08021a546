# The RMSNorm re-expression RMSNorm(x).W = diag(1/rms(x)).x.(diag(g).W)
# computes the same results as the norm followed by the gemms: f32 to 1e-5,
# bf16 within bf16 rounding (the rounding moves from the normalized
# activations to the scaled weights). Functions from fuse-rms-norm.mlir.
# RUN: %python %s | FileCheck %s
# CHECK: PASS folded norm from gemm #0
# CHECK: PASS folded norm from gemm #1
# CHECK: PASS folded norm from argument (bf16)
import os
import numpy as np
from refs import rng
from harness import Arg, check, run

src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Dialect", "Sinter", "Transforms",
                        "fuse-rms-norm.mlir")).read().split("// -----")
r = rng(61)
args = [Arg(r.standard_normal((4, 32)).astype(np.float32), "f32"),
        Arg(r.standard_normal((32, 16)).astype(np.float32), "f32"),
        Arg((1 + 0.2 * r.standard_normal(16)).astype(np.float32), "f32"),
        Arg(r.standard_normal((16, 8)).astype(np.float32), "f32"),
        Arg(r.standard_normal((8, 16)).astype(np.float32), "f32")]
res = [("f32", (4, 8)), ("f32", (4, 8))]
plain = run(src[0], "from_gemm", args, res)
fused = run(src[0], "from_gemm", args, res, extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-fuse")
for i in range(2):
    check(f"folded norm from gemm #{i}", fused[i], plain[i], 1e-5, 1e-5)

args = [Arg(r.standard_normal((4, 16)), "bf16"), Arg(1 + 0.2 * r.standard_normal(16), "bf16"),
        Arg(r.standard_normal((16, 8)), "bf16")]
(plain,) = run(src[1], "from_argument", args, [("bf16", (4, 8))])
(fused,) = run(src[1], "from_argument", args, [("bf16", (4, 8))], extra_passes="--sinter-attach-target=target=nvidia-h100 --sinter-fuse")
check("folded norm from argument (bf16)", fused, plain, 0.05, 0.02)
