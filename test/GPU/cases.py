"""GPU execution test cases: the MLIR each case compiles and the torch
reference it is checked against. Shared by generate.py (on the build
machine: writes the MLIR, runs sinter-compile) and run.py (on the GPU
machine: runs the kernels, compares with the references).

Shapes are ragged (not multiples of the 64 x 64 x 16 kernel tile). The
epilogues cover the kinds the graph pipeline fuses: bias, activations (tanh
GELU, SiLU, ReLU), residual adds, row and column scales, dtype casts.
"""

GELU = """
      %h = arith.constant 0.5 : f32
      %one = arith.constant 1.0 : f32
      %ck = arith.constant 0.7978845608 : f32
      %cc = arith.constant 0.044715 : f32
      %x2 = arith.mulf %x, %x : f32
      %x3 = arith.mulf %x2, %x : f32
      %t0 = arith.mulf %cc, %x3 : f32
      %t1 = arith.addf %x, %t0 : f32
      %t2 = arith.mulf %ck, %t1 : f32
      %t3 = math.tanh %t2 : f32
      %t4 = arith.addf %one, %t3 : f32
      %t5 = arith.mulf %x, %t4 : f32
      %g = arith.mulf %h, %t5 : f32"""


def T(shape, dtype):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + dtype + ">"


def gemm(name, a, b, out, dtype_ab, dtype_out, epi_ins=(), maps=(), body=None,
         transpose_a=False, transpose_b=False):
    """A func.func with one sinter.gemm; `body` is the epilogue's ops, from
    %acc and the block arguments %e0, %e1, ... to a yielded %y."""
    args = [f"%a: {T(a, dtype_ab)}", f"%b: {T(b, dtype_ab)}"]
    args += [f"%in{i}: {T(s, d)}" for i, (s, d) in enumerate(epi_ins)]
    attrs = ["acc_type = f32"]
    if transpose_a:
        attrs.append("transpose_a")
    if transpose_b:
        attrs.append("transpose_b")
    if maps:
        attrs.append("epilogue_maps = [" + ", ".join(f"affine_map<{m}>" for m in maps) + "]")
    ot = T(out, dtype_out)
    text = f"func.func @{name}({', '.join(args)}) -> {ot} {{\n"
    text += f"  %o = tensor.empty() : {ot}\n"
    epi = ""
    if epi_ins:
        names = ", ".join(f"%in{i}" for i in range(len(epi_ins)))
        types = ", ".join(T(s, d) for s, d in epi_ins)
        epi = f" epilogue_ins({names} : {types})"
    text += (f"  %y = sinter.gemm ins(%a, %b : {T(a, dtype_ab)}, {T(b, dtype_ab)}){epi} "
             f"outs(%o : {ot}) {{{', '.join(attrs)}}} -> {ot}")
    if body is not None:
        bargs = ["%acc: f32"] + [f"%e{i}: {d}" for i, (_, d) in enumerate(epi_ins)]
        text += f"\n    epilogue {{\n    ^bb0({', '.join(bargs)}):{body}\n      sinter.yield %y : {dtype_out}\n    }}"
    text += "\n  return %y : " + ot + "\n}\n"
    return text


def _cases():
    c = []
    # Plain f32, ragged everywhere.
    c.append(dict(name="gemm_f32", mlir=gemm("gemm_f32", (100, 70), (70, 50), (100, 50), "f32", "f32"),
                  inputs=[((100, 70), "f32"), ((70, 50), "f32")],
                  ref=lambda t, a, b: a @ b, tol=(1e-4, 1e-4)))
    # bf16, batch of 2 with B shared, bias + tanh-GELU + bf16 residual.
    c.append(dict(
        name="gemm_bf16_bias_gelu_residual",
        mlir=gemm("gemm_bf16_bias_gelu_residual", (2, 67, 33), (33, 90), (2, 67, 90), "bf16", "bf16",
                  epi_ins=[((90,), "f32"), ((2, 67, 90), "bf16")],
                  maps=["(b, m, n) -> (n)", "(b, m, n) -> (b, m, n)"],
                  body="\n      %x = arith.addf %acc, %e0 : f32" + GELU +
                       "\n      %r = arith.extf %e1 : bf16 to f32\n      %s = arith.addf %g, %r : f32"
                       "\n      %y = arith.truncf %s : f32 to bf16"),
        inputs=[((2, 67, 33), "bf16"), ((33, 90), "bf16"), ((90,), "f32"), ((2, 67, 90), "bf16")],
        ref=lambda t, a, b, bias, r: t.nn.functional.gelu(a @ b + bias, approximate="tanh") + r,
        tol=(2e-2, 2e-2)))
    # f16 with B transposed ([N, K] weights), SiLU, f32 output.
    c.append(dict(
        name="gemm_f16_bt_silu",
        mlir=gemm("gemm_f16_bt_silu", (130, 72), (45, 72), (130, 45), "f16", "f32", transpose_b=True,
                  body="\n      %one = arith.constant 1.0 : f32\n      %n = arith.negf %acc : f32"
                       "\n      %e = math.exp %n : f32\n      %d = arith.addf %one, %e : f32"
                       "\n      %y = arith.divf %acc, %d : f32"),
        inputs=[((130, 72), "f16"), ((45, 72), "f16")],
        ref=lambda t, a, b: t.nn.functional.silu(a @ b.T), tol=(2e-3, 2e-3)))
    # f32 with A transposed, per-row and per-column scales, ReLU.
    c.append(dict(
        name="gemm_f32_at_scales_relu",
        mlir=gemm("gemm_f32_at_scales_relu", (29, 77), (29, 66), (77, 66), "f32", "f32", transpose_a=True,
                  epi_ins=[((77,), "f32"), ((66,), "f32")],
                  maps=["(m, n) -> (m)", "(m, n) -> (n)"],
                  body="\n      %p = arith.mulf %acc, %e0 : f32\n      %q = arith.mulf %p, %e1 : f32"
                       "\n      %z = arith.constant 0.0 : f32\n      %y = arith.maximumf %q, %z : f32"),
        inputs=[((29, 77), "f32"), ((29, 66), "f32"), ((77,), "f32"), ((66,), "f32")],
        ref=lambda t, a, b, rs, cs: t.relu((a.T @ b) * rs[:, None] * cs[None, :]), tol=(1e-4, 1e-4)))
    # A batched B (one weight per batch element), bf16 in, bf16 out, no epilogue.
    c.append(dict(
        name="gemm_bf16_batched",
        mlir=gemm("gemm_bf16_batched", (3, 65, 40), (3, 40, 70), (3, 65, 70), "bf16", "bf16"),
        inputs=[((3, 65, 40), "bf16"), ((3, 40, 70), "bf16")],
        ref=lambda t, a, b: a @ b, tol=(2e-2, 2e-2)))
    # 16-byte aligned rows (K, N multiples of 8): the vector staging path of
    # the tensor-core kernel, ragged M and partial last tiles.
    c.append(dict(
        name="gemm_bf16_aligned_bias",
        mlir=gemm("gemm_bf16_aligned_bias", (300, 512), (512, 264), (300, 264), "bf16", "bf16",
                  epi_ins=[((264,), "bf16")], maps=["(m, n) -> (n)"],
                  body="\n      %bf = arith.extf %e0 : bf16 to f32\n      %s = arith.addf %acc, %bf : f32"
                       "\n      %y = arith.truncf %s : f32 to bf16"),
        inputs=[((300, 512), "bf16"), ((512, 264), "bf16"), ((264,), "bf16")],
        ref=lambda t, a, b, bias: a @ b + bias, tol=(5e-2, 2e-2)))
    c.append(dict(
        name="gemm_f16_aligned_bt",
        mlir=gemm("gemm_f16_aligned_bt", (2, 136, 256), (2, 200, 256), (2, 136, 200), "f16", "f16",
                  transpose_b=True),
        inputs=[((2, 136, 256), "f16"), ((2, 200, 256), "f16")],
        ref=lambda t, a, b: a @ b.transpose(-1, -2), tol=(2e-2, 2e-3)))
    # Larger, still ragged.
    c.append(dict(
        name="gemm_bf16_1000",
        mlir=gemm("gemm_bf16_1000", (1000, 1001), (1001, 999), (1000, 999), "bf16", "f32"),
        inputs=[((1000, 1001), "bf16"), ((1001, 999), "bf16")],
        ref=lambda t, a, b: a @ b, tol=(5e-3, 5e-3)))
    return c


CASES = _cases()

# Benchmarks (bench/gpu): the shapes of issue 6's GEMM rows.
BENCH = [
    dict(name="bench_gemm_4096", mlir=gemm("bench_gemm_4096", (4096, 4096), (4096, 4096), (4096, 4096), "bf16", "bf16"),
         shape=(4096, 4096, 4096), kind="gemm"),
    dict(name="bench_gemm_8192", mlir=gemm("bench_gemm_8192", (8192, 8192), (8192, 8192), (8192, 8192), "bf16", "bf16"),
         shape=(8192, 8192, 8192), kind="gemm"),
    dict(name="bench_gemm_bias_gelu_4096",
         mlir=gemm("bench_gemm_bias_gelu_4096", (4096, 4096), (4096, 4096), (4096, 4096), "bf16", "bf16",
                   epi_ins=[((4096,), "bf16")], maps=["(m, n) -> (n)"],
                   body="\n      %bf = arith.extf %e0 : bf16 to f32\n      %x = arith.addf %acc, %bf : f32" + GELU +
                        "\n      %y = arith.truncf %g : f32 to bf16"),
         shape=(4096, 4096, 4096), kind="gemm_bias_gelu"),
]
