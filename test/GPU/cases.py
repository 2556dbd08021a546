"""GPU execution test cases: the MLIR each case compiles and the torch
reference it is checked against. Shared by generate.py (on the build
machine: writes the MLIR, runs sinter-compile) and run.py (on the GPU
machine: runs the kernels, compares with the references).

Shapes are ragged (not multiples of the 64 x 64 x 16 kernel tile). The
epilogues cover the kinds the graph pipeline fuses: bias, activations (tanh
GELU, SiLU, ReLU), residual adds, row and column scales, dtype casts.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "python"))
from sinter.snippets import gelu_tanh  # noqa: E402

GELU = gelu_tanh("%x", "%g")


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


def attention(name, q, k, v, dtype, out_dtype=None, mask="none", window=None, softcap=None,
              offset=0, bshd=False, lse=False):
    """A func.func with one sinter.attention (Q/K/V shapes as stored)."""
    out_dtype = out_dtype or dtype
    o = tuple(q[:-1]) + (v[-1],)
    heads, seq = (2, 1) if bshd else (1, 2)
    lse_shape = (q[0], q[heads], q[seq])
    attrs = [f"mask = #sinter.mask<{mask}>"]
    if window is not None:
        attrs.append(f"window = {window}")
    if softcap is not None:
        attrs.append(f"softcap = {softcap} : f32")
    if offset:
        attrs.append(f"query_offset = {offset}")
    if bshd:
        attrs.append("layout = #sinter.layout<bshd>")
    outs = [T(o, out_dtype)] + ([T(lse_shape, "f32")] if lse else [])
    res = ", ".join(outs)
    text = (f"func.func @{name}(%q: {T(q, dtype)}, %k: {T(k, dtype)}, %v: {T(v, dtype)}) -> ({res}) {{\n"
            f"  %o = tensor.empty() : {outs[0]}\n")
    inits = "%o"
    if lse:
        text += f"  %l = tensor.empty() : {outs[1]}\n"
        inits = "%o, %l"
    n = len(outs)
    text += (f"  %r:{n} = sinter.attention ins(%q, %k, %v : {T(q, dtype)}, {T(k, dtype)}, {T(v, dtype)})\n"
             f"      outs({inits} : {res}) {{{', '.join(attrs)}}} -> {res}\n")
    text += "  return " + ", ".join(f"%r#{i}" for i in range(n)) + f" : {res}\n}}\n"
    return text


def attention_ref(t, q, k, v, mask="none", window=None, softcap=None, offset=0, bshd=False, lse=False):
    """Attention in float64 from the op's definition (and the log-sum-exp)."""
    if bshd:
        q, k, v = (x.transpose(1, 2) for x in (q, k, v))
    group = q.shape[1] // k.shape[1]
    k = k.repeat_interleave(group, dim=1)
    v = v.repeat_interleave(group, dim=1)
    s = (q @ k.transpose(-1, -2)) / q.shape[-1] ** 0.5
    if softcap is not None:
        s = softcap * t.tanh(s / softcap)
    sq, skv = q.shape[2], k.shape[2]
    pos = t.arange(sq, device=q.device)[:, None] + offset
    key = t.arange(skv, device=q.device)[None, :]
    visible = t.ones(sq, skv, dtype=t.bool, device=q.device)
    if mask != "none":
        visible &= key <= pos
    if mask == "sliding_window":
        visible &= (pos - key) < window
    s = s.masked_fill(~visible, float("-inf"))
    m = s.amax(-1, keepdim=True)
    m = t.where(t.isinf(m), t.zeros_like(m), m)
    p = t.exp(s - m)
    l = p.sum(-1, keepdim=True)
    o = (p @ v) / t.where(l == 0, t.ones_like(l), l)
    if bshd:
        o = o.transpose(1, 2)
    if not lse:
        return o
    return o, (m + t.log(l)).squeeze(-1)


def attention_case(name, q, k, v, dtype, tol, **kw):
    out_dtype = kw.pop("out_dtype", None)
    return dict(name=name, mlir=attention(name, q, k, v, dtype, out_dtype, **kw),
                inputs=[(q, dtype), (k, dtype), (v, dtype)],
                ref=lambda t, *x: attention_ref(t, *x, **kw), tol=tol)


def paged(name, q, cache, table, dtype, out_dtype=None, mask="causal", window=None):
    """A func.func with one sinter.paged_attention over caches `cache` =
    [num_blocks, block_size, Hkv, D] and a block table `table` = [B, max]."""
    out_dtype = out_dtype or dtype
    ot = T(q, out_dtype)
    attrs = [f"mask = #sinter.mask<{mask}>"] + ([f"window = {window}"] if window else [])
    types = f"{T(q, dtype)}, {T(cache, dtype)}, {T(cache, dtype)}, {T(table, 'i32')}, {T((q[0],), 'i32')}"
    return (f"func.func @{name}(%q: {T(q, dtype)}, %kc: {T(cache, dtype)}, %vc: {T(cache, dtype)}, "
            f"%bt: {T(table, 'i32')}, %lens: {T((q[0],), 'i32')}) -> {ot} {{\n"
            f"  %o = tensor.empty() : {ot}\n"
            f"  %r = sinter.paged_attention ins(%q, %kc, %vc, %bt, %lens : {types})\n"
            f"      outs(%o : {ot}) {{{', '.join(attrs)}}} -> {ot}\n"
            f"  return %r : {ot}\n}}\n")


def paged_ref(t, q, kc, vc, table, lens, mask="causal", window=None):
    """Each sequence's tokens gathered from the caches, then attention_ref
    with its queries at the end of the sequence."""
    bs = kc.shape[1]
    outs = []
    for b in range(q.shape[0]):
        n = int(lens[b])
        if n == 0:
            outs.append(t.zeros_like(q[b:b + 1]))
            continue
        tok = t.arange(n, device=q.device)
        blocks = table[b].long()[tok // bs]
        k = kc[blocks, tok % bs].transpose(0, 1)[None]  # [1, Hkv, n, D]
        v = vc[blocks, tok % bs].transpose(0, 1)[None]
        outs.append(attention_ref(t, q[b:b + 1], k, v, mask=mask, window=window, offset=n - q.shape[2]))
    return t.cat(outs)


def paged_case(name, q, cache, lens, dtype, tol, seed=7, **kw):
    """Block tables are a random permutation of the cache's blocks (each
    sequence owns its own); `lens` are the sequence lengths."""
    import random
    bs, nblocks = cache[1], cache[0]
    width = max(1, -(-max(lens) // bs))
    perm = list(range(nblocks))
    random.Random(seed).shuffle(perm)
    assert len(lens) * width <= nblocks
    table = [perm[i * width:(i + 1) * width] for i in range(len(lens))]
    out_dtype = kw.pop("out_dtype", None)
    return dict(name=name, mlir=paged(name, q, cache, (len(lens), width), dtype, out_dtype, **kw),
                inputs=[(q, dtype), (cache, dtype), (cache, dtype), ((len(lens), width), "i32", table),
                        ((len(lens),), "i32", lens)],
                ref=lambda t, *x: paged_ref(t, *x, **kw), tol=tol)


def kv_gather_ref(t, cache, table, lens, seq):
    bs = cache.shape[1]
    B, H, D = table.shape[0], cache.shape[2], cache.shape[3]
    out = t.zeros(B, H, seq, D, dtype=cache.dtype, device=cache.device)
    for b in range(B):
        n = int(lens[b])
        tok = t.arange(n, device=cache.device)
        out[b, :, :n] = cache[table[b].long()[tok // bs], tok % bs].transpose(0, 1)
    return out


def kv_append_ref(t, update, slots, cache):
    out = cache.clone()
    bs, cap = cache.shape[1], cache.shape[0] * cache.shape[1]
    for i, s in enumerate(slots.tolist()):  # in order: the later token wins
        if 0 <= s < cap:
            out[s // bs, s % bs] = update[i]
    return out


def kv_quantize_ref(t, x, dim=-1, fp8=False):
    """Scales over `dim` (-1: per token, -2: per channel); int8 codes, or
    fp8 e4m3 codes as their bits."""
    amax = x.abs().amax(dim, keepdim=True)
    scale = t.where(amax == 0, t.ones_like(amax), amax / (448 if fp8 else 127))
    if fp8:
        q = (x / scale).float().to(t.float8_e4m3fn).view(t.uint8)
    else:
        q = t.clamp(t.round(x / scale), -127, 127)  # round half to even
    return q, scale.squeeze(dim)


def w8(name, m, k, n, dtype, scheme, group=0, unsigned=False, zp=False, transpose_b=False, bits=8):
    """A W8A16 (or, with bits=4, W4A16) sinter.gemm: `dtype` activations
    [M, K] times int8/int4 weights ([K, N], or [N, K] with transpose_b),
    f32 scales (and zero points) per column or per group of k. The tensor
    cores multiply in `dtype`, so the kernel rounds each dequantized weight
    to it, as every W8A16 kernel does; the reference rounds the same way
    (the rest is float64). int4 elements take a byte each, in the low bits
    (the ABI's sub-byte layout)."""
    qt = f"i{bits}"
    groups = -(-k // group) if scheme == "grouped" else 0
    sshape = (groups, n) if groups else (n,)
    bshape = (n, k) if transpose_b else (k, n)
    quant = f"scheme = {scheme}" + (f", group_size = {group}" if group else "") + \
        (", is_unsigned = true" if unsigned else "")
    attrs = "acc_type = f32" + (", transpose_b" if transpose_b else "") + f", b_quant = #sinter.weight_quant<{quant}>"
    ins = f"%a: {T((m, k), dtype)}, %q: {T(bshape, qt)}, %s: {T(sshape, 'f32')}"
    extra = f" scales(%s : {T(sshape, 'f32')})"
    if zp:
        ins += f", %z: {T(sshape, qt)}"
        extra += f" zero_points(%z : {T(sshape, qt)})"
    ot = T((m, n), dtype)
    mlir = (f"func.func @{name}({ins}) -> {ot} {{\n  %o = tensor.empty() : {ot}\n"
            f"  %y = sinter.gemm ins(%a, %q : {T((m, k), dtype)}, {T(bshape, qt)}){extra}\n"
            f"      outs(%o : {ot}) {{{attrs}}} -> {ot}\n  return %y : {ot}\n}}\n")

    def decode(t, x):
        """The stored bytes as the weights' values."""
        x = x.double()
        if bits == 4:
            return x if unsigned else t.where(x >= 8, x - 16, x)
        return x.remainder(256) if unsigned else x

    def ref(t, a, q, s, z=None):
        q = decode(t, q)
        if transpose_b:
            q = q.T
        kk = t.arange(k, device=q.device)
        sc = s[kk // group] if groups else s[None, :]
        w = q
        if z is not None:
            zz = decode(t, z)
            w = w - (zz[kk // group] if groups else zz[None, :])
        w = (w * sc).to(getattr(t, {"bf16": "bfloat16", "f16": "float16"}[dtype])).double()
        return a @ w
    import random
    rnd = random.Random(sum(map(ord, name)))  # the same values in every process
    lo, hi = (0, 15) if bits == 4 and unsigned else (-8, 7) if bits == 4 else (-128, 127)
    nib = (lambda v: v & 15) if bits == 4 else (lambda v: v)
    qvals = [[nib(rnd.randint(lo, hi)) for _ in range(bshape[1])] for _ in range(bshape[0])]
    scales = [[rnd.uniform(0.001, 0.02) for _ in range(sshape[-1])] for _ in range(groups or 1)]
    inputs = [((m, k), dtype), (bshape, qt, qvals), (sshape, "f32", scales if groups else scales[0])]
    if zp:
        zr = (0, 15) if bits == 4 and unsigned else (-8, 7) if bits == 4 else (-8, 8)
        zvals = [[nib(rnd.randint(*zr)) for _ in range(sshape[-1])] for _ in range(groups or 1)]
        inputs.append((sshape, qt, zvals if groups else zvals[0]))
    return dict(name=name, mlir=mlir, inputs=inputs, ref=ref, tol=(2e-2, 2e-2))


def gemm_general(name, a, b, outs, dtype_ab, attrs, body_args, body, yields, acc="f32"):
    """A sinter.gemm with a free-form epilogue: `outs` are (shape, dtype)
    of the results (reductions last), `attrs` the op's attributes besides
    acc_type, `body_args` the epilogue's block arguments, `yields` the
    yielded values (with types)."""
    ots = ", ".join(T(s, d) for s, d in outs)
    text = f"func.func @{name}(%a: {T(a, dtype_ab)}, %b: {T(b, dtype_ab)}) -> ({ots}) {{\n"
    for i, (s, d) in enumerate(outs):
        text += f"  %o{i} = tensor.empty() : {T(s, d)}\n"
    names = ", ".join(f"%o{i}" for i in range(len(outs)))
    res = ", ".join(f"%r#{i}" for i in range(len(outs)))
    text += (f"  %r:{len(outs)} = sinter.gemm ins(%a, %b : {T(a, dtype_ab)}, {T(b, dtype_ab)}) outs({names} : {ots}) "
             f"{{acc_type = {acc}{', ' if attrs else ''}{attrs}}} -> {ots}\n")
    if body is not None:
        text += f"    epilogue {{\n    ^bb0({body_args}):{body}\n      sinter.yield {yields}\n    }}\n"
    text += f"  return {res} : {ots}\n}}\n"
    return text


SWIGLU = ("\n      %n = arith.negf %g : f32\n      %e = math.exp %n : f32\n      %one = arith.constant 1.0 : f32"
          "\n      %d = arith.addf %one, %e : f32\n      %s = arith.divf %g, %d : f32\n      %p = arith.mulf %s, %u : f32")


def swiglu_ref(t, a, b, n, transpose_b=False, row_ss=False):
    y = a @ (b.T if transpose_b else b)
    g, u = y[..., :n], y[..., n:]
    p = g / (1 + t.exp(-g)) * u
    if row_ss:
        p = p / t.sqrt((a * a).sum(-1, keepdim=True) / a.shape[-1] + 1e-6)
    return p


def kv_evict(name, B, H, S, D, Dv, C, policy, sinks, window, shared_scores=False, decay=None, threshold=None):
    """A func.func with one sinter.kv.evict (bf16 caches, i32 outputs)."""
    kt, vt = T((B, H, S, D), "bf16"), T((B, H, S, Dv), "bf16")
    ko, vo, pt, ct = T((B, H, C, D), "bf16"), T((B, H, C, Dv), "bf16"), T((B, H, C), "i32"), T((B, H), "i32")
    st = T((B, 1 if shared_scores else H, S), "f32")
    scores = policy != "sink_window"
    args = f"%k: {kt}, %v: {vt}, %lens: {T((B,), 'i32')}" + (f", %s: {st}" if scores else "")
    attrs = f"policy = #sinter.evict_policy<{policy}>, sinks = {sinks}, window = {window}"
    if decay is not None:
        attrs += f", decay = {decay} : f32, threshold = {threshold} : f32"
    res = f"{ko}, {vo}, {pt}, {ct}"
    return (f"func.func @{name}({args}) -> ({res}) {{\n"
            f"  %k0 = tensor.empty() : {ko}\n  %v0 = tensor.empty() : {vo}\n"
            f"  %p0 = tensor.empty() : {pt}\n  %n0 = tensor.empty() : {ct}\n"
            f"  %r:4 = sinter.kv.evict ins(%k, %v, %lens : {kt}, {vt}, {T((B,), 'i32')})"
            + (f" scores(%s : {st})" if scores else "") +
            f" outs(%k0, %v0, %p0, %n0 : {res}) {{{attrs}}} -> {res}\n"
            f"  return %r#0, %r#1, %r#2, %r#3 : {res}\n}}\n")


def kv_evict_ref(t, k, v, lens, scores=None, policy="heavy_hitter", sinks=0, window=0, C=0, decay=None,
                 threshold=None):
    """The op's definition, token by token."""
    B, H, S, _ = k.shape
    ko = t.zeros(B, H, C, k.shape[3], dtype=k.dtype, device=k.device)
    vo = t.zeros(B, H, C, v.shape[3], dtype=v.dtype, device=v.device)
    kept = t.full((B, H, C), -1, dtype=t.int64, device=k.device)
    count = t.zeros(B, H, dtype=t.int64, device=k.device)
    for b in range(B):
        n = min(int(lens[b]), S)
        for h in range(H):
            forced = [p for p in range(n) if p < sinks or int(lens[b]) - p <= window]
            cands = []
            if policy != "sink_window":
                sc = scores[b, 0 if scores.shape[1] == 1 else h].tolist()
                for p in range(n):
                    if p in forced:
                        continue
                    x = sc[p]
                    if policy == "retention":
                        x *= decay ** (int(lens[b]) - 1 - p)
                        if x < threshold:
                            continue
                    cands.append((-x, p))
            chosen = [p for _, p in sorted(cands)[:C - len(forced)]]
            keep = sorted(forced + chosen)
            count[b, h] = len(keep)
            for c, p in enumerate(keep):
                kept[b, h, c] = p
                ko[b, h, c] = k[b, h, p]
                vo[b, h, c] = v[b, h, p]
    return ko, vo, kept, count


def kv_evict_case(name, B, H, S, D, Dv, C, lens, policy, sinks, window, shared_scores=False, decay=None,
                  threshold=None, ties=False):
    import random
    rnd = random.Random(sum(map(ord, name)))
    inputs = [((B, H, S, D), "bf16"), ((B, H, S, Dv), "bf16"), ((B,), "i32", lens)]
    if policy != "sink_window":
        hs = 1 if shared_scores else H
        vals = [[[round(rnd.random(), 1) if ties else rnd.random() for _ in range(S)] for _ in range(hs)]
                for _ in range(B)]
        inputs.append(((B, hs, S), "f32", vals))
    kw = dict(policy=policy, sinks=sinks, window=window, C=C, decay=decay, threshold=threshold)
    return dict(name=name, mlir=kv_evict(name, B, H, S, D, Dv, C, policy, sinks, window, shared_scores, decay,
                                         threshold),
                inputs=inputs, ref=lambda t, *x: kv_evict_ref(t, *x, **kw), tol=(0, 0))


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
    # 16-byte aligned rows (K, N multiples of 8), ragged M and partial last
    # tiles: on sm_90a the wgmma kernel with an N-major B.
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
    # Reductions in the epilogue: the row sum of squares (along n) and the
    # column max (along m) of the accumulator, batched, ragged.
    red_mlir = """func.func @gemm_bf16_reductions(%a: tensor<2x70x40xbf16>, %b: tensor<40x90xbf16>) -> (tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>) {
  %o = tensor.empty() : tensor<2x70x90xbf16>
  %s0 = tensor.empty() : tensor<2x70xf32>
  %m0 = tensor.empty() : tensor<2x90xf32>
  %y, %ss, %mx = sinter.gemm ins(%a, %b : tensor<2x70x40xbf16>, tensor<40x90xbf16>) outs(%o, %s0, %m0 : tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>) {acc_type = f32, reductions = [#sinter.reduction<sum_sq, n>, #sinter.reduction<max, m>]} -> tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>
    epilogue {
    ^bb0(%acc: f32):
      %t = arith.truncf %acc : f32 to bf16
      sinter.yield %t, %acc, %acc : bf16, f32, f32
    }
  return %y, %ss, %mx : tensor<2x70x90xbf16>, tensor<2x70xf32>, tensor<2x90xf32>
}
"""
    c.append(dict(name="gemm_bf16_reductions", mlir=red_mlir,
                  inputs=[((2, 70, 40), "bf16"), ((40, 90), "bf16")],
                  ref=lambda t, a, b: (a @ b, ((a @ b) ** 2).sum(-1), (a @ b).amax(-2)),
                  tol=[(2e-2, 2e-2), (1e-2, 1e-4), (1e-4, 1e-5)]))
    # Hopper's warpgroup MMA: A [M, K], B [N, K] (K-major both), ragged M
    # and N, K a multiple of 64 or not (zero-filled past K).
    c.append(dict(
        name="gemm_bf16_wgmma_bias",
        mlir=gemm("gemm_bf16_wgmma_bias", (300, 512), (264, 512), (300, 264), "bf16", "bf16", transpose_b=True,
                  epi_ins=[((264,), "f32")], maps=["(m, n) -> (n)"],
                  body="\n      %s = arith.addf %acc, %e0 : f32\n      %y = arith.truncf %s : f32 to bf16"),
        inputs=[((300, 512), "bf16"), ((264, 512), "bf16"), ((264,), "f32")],
        ref=lambda t, a, b, bias: a @ b.T + bias, tol=(5e-2, 2e-2)))
    c.append(dict(
        name="gemm_f16_wgmma_ragged_k",
        mlir=gemm("gemm_f16_wgmma_ragged_k", (130, 200), (77, 200), (130, 77), "f16", "f32", transpose_b=True),
        inputs=[((130, 200), "f16"), ((77, 200), "f16")],
        ref=lambda t, a, b: a @ b.T, tol=(2e-3, 2e-3)))
    c.append(dict(
        name="gemm_bf16_wgmma_1000",
        mlir=gemm("gemm_bf16_wgmma_1000", (1000, 1000), (999, 1000), (1000, 999), "bf16", "f32", transpose_b=True),
        inputs=[((1000, 1000), "bf16"), ((999, 1000), "bf16")],
        ref=lambda t, a, b: a @ b.T, tol=(5e-3, 5e-3)))
    # More 128 x 256 tiles (17 x 9) than the H100 has SMs: the persistent
    # kernel's blocks take several tiles each, the ring's stages and phases
    # carried from tile to tile; bias and tanh-GELU on the accumulators.
    c.append(dict(
        name="gemm_bf16_wgmma_persistent",
        mlir=gemm("gemm_bf16_wgmma_persistent", (2100, 520), (2100, 520), (2100, 2100), "bf16", "bf16",
                  transpose_b=True, epi_ins=[((2100,), "bf16")], maps=["(m, n) -> (n)"],
                  body="\n      %bf = arith.extf %e0 : bf16 to f32\n      %x = arith.addf %acc, %bf : f32" + GELU +
                       "\n      %y = arith.truncf %g : f32 to bf16"),
        inputs=[((2100, 520), "bf16"), ((2100, 520), "bf16"), ((2100,), "bf16")],
        ref=lambda t, a, b, bias: t.nn.functional.gelu(a @ b.T + bias, approximate="tanh"), tol=(5e-2, 2e-2)))
    # B as [K, N] (N-major) on the wgmma kernel: more tiles than SMs,
    # ragged M, N and K (776 = 12 k blocks and 8).
    c.append(dict(
        name="gemm_bf16_wgmma_kn_persistent",
        mlir=gemm("gemm_bf16_wgmma_kn_persistent", (2100, 776), (776, 2100), (2100, 2100), "bf16", "f32"),
        inputs=[((2100, 776), "bf16"), ((776, 2100), "bf16")],
        ref=lambda t, a, b: a @ b, tol=(5e-3, 5e-3)))
    # The mma.sync kernel's 16-byte staging of a [K, N] B (batched, so not
    # the wgmma kernel).
    c.append(dict(
        name="gemm_bf16_aligned_batched_kn",
        mlir=gemm("gemm_bf16_aligned_batched_kn", (2, 136, 256), (256, 200), (2, 136, 200), "bf16", "bf16"),
        inputs=[((2, 136, 256), "bf16"), ((256, 200), "bf16")],
        ref=lambda t, a, b: a @ b, tol=(5e-2, 2e-2)))
    # W8A16: int8 weights dequantized in registers while B is staged
    # (per-channel with zero points; grouped, unsigned; B as [N, K]).
    c.append(w8("w8a16_bf16_channel_zp", 70, 96, 50, "bf16", "per_channel", zp=True))
    c.append(w8("w8a16_f16_grouped_unsigned", 33, 200, 72, "f16", "grouped", group=64, unsigned=True, zp=True))
    c.append(w8("w8a16_bf16_bt_grouped", 65, 128, 40, "bf16", "grouped", group=32, transpose_b=True))
    # W4A16: int4 weights (a byte each) with grouped scales, signed as
    # [N, K]; unsigned with zero points per channel as [K, N].
    c.append(w8("w4a16_bf16_bt_grouped", 70, 200, 96, "bf16", "grouped", group=64, transpose_b=True, bits=4))
    c.append(w8("w4a16_f16_channel_unsigned_zp", 33, 72, 50, "f16", "per_channel", unsigned=True, zp=True, bits=4))
    # Pairwise (SwiGLU: B holds gate and up side by side) with the RMSNorm
    # statistics of A folded in (a_row_sum_sq), ragged M, N and K on the
    # tensor cores; B as [2N, K] with a row-sum reduction of the output;
    # f32 on the SIMT kernel.
    rms = ("\n      %ms = arith.mulf %ss, %inv_k : f32\n      %eps = arith.constant 1.0e-6 : f32"
           "\n      %v = arith.addf %ms, %eps : f32\n      %rs = math.rsqrt %v : f32\n      %q = arith.mulf %p, %rs : f32")
    for name, dt, (m, k, n) in (("gemm_bf16_swiglu_rmsnorm", "bf16", (70, 72, 100)),
                                ("gemm_f32_swiglu_rmsnorm", "f32", (45, 50, 37))):
        inv_k = f"\n      %inv_k = arith.constant {1.0 / k!r} : f32"
        cast = "\n      %y = arith.truncf %q : f32 to bf16" if dt == "bf16" else "\n      %y = arith.addf %q, %q : f32"
        c.append(dict(
            name=name,
            mlir=gemm_general(name, (m, k), (k, 2 * n), [((m, n), dt)], dt, "pairwise, a_row_sum_sq",
                              "%g: f32, %u: f32, %ss: f32", SWIGLU + inv_k + rms + cast, f"%y : {dt}"),
            inputs=[((m, k), dt), ((k, 2 * n), dt)],
            ref=(lambda n, dt: lambda t, a, b: swiglu_ref(t, a, b, n, row_ss=True) * (1 if dt == "bf16" else 2))(n, dt),
            tol=(2e-2, 2e-2) if dt == "bf16" else (1e-4, 1e-4)))
    c.append(dict(
        name="gemm_f16_swiglu_bt_rowsum",
        mlir=gemm_general("gemm_f16_swiglu_bt_rowsum", (67, 96), (2 * 90, 96), [((67, 90), "f16"), ((67,), "f32")],
                          "f16", "transpose_b, pairwise, reductions = [#sinter.reduction<sum, n>]",
                          "%g: f32, %u: f32", SWIGLU + "\n      %y = arith.truncf %p : f32 to f16",
                          "%y, %p : f16, f32"),
        inputs=[((67, 96), "f16"), ((2 * 90, 96), "f16")],
        ref=lambda t, a, b: (lambda p: (p, p.sum(-1)))(swiglu_ref(t, a, b, 90, transpose_b=True)),
        tol=[(2e-3, 2e-3), (5e-2, 2e-3)]))
    # Pairwise on Hopper's warpgroup MMA (no reductions, no row statistics):
    # B as [2N, K] and as [K, 2N]; N ragged and over one 128-column tile,
    # M over one 128-row tile, bf16 out through TMA stores (N * 2 bytes a
    # multiple of 16) and f16 out from registers (N * 2 bytes not).
    for name, dt, (m, k, n), bt in (("gemm_bf16_swiglu_wgmma_bt", "bf16", (200, 136, 264), True),
                                    ("gemm_f16_swiglu_wgmma_kn", "f16", (130, 64, 140), False)):
        bshape = (2 * n, k) if bt else (k, 2 * n)
        c.append(dict(
            name=name,
            mlir=gemm_general(name, (m, k), bshape, [((m, n), dt)], dt,
                              ("transpose_b, " if bt else "") + "pairwise", "%g: f32, %u: f32",
                              SWIGLU + f"\n      %y = arith.truncf %p : f32 to {dt}", f"%y : {dt}"),
            inputs=[((m, k), dt), (bshape, dt)],
            ref=(lambda n, bt: lambda t, a, b: swiglu_ref(t, a, b, n, transpose_b=bt))(n, bt),
            tol=(2e-2, 2e-2)))
    # f32 with reductions on the SIMT kernel: the row sum of squares of
    # the output and its column max, batched and ragged.
    c.append(dict(
        name="gemm_f32_reductions",
        mlir=gemm_general("gemm_f32_reductions", (2, 70, 33), (33, 90),
                          [((2, 70, 90), "f32"), ((2, 70), "f32"), ((2, 90), "f32")], "f32",
                          "reductions = [#sinter.reduction<sum_sq, n>, #sinter.reduction<max, m>]",
                          "%acc: f32", "", "%acc, %acc, %acc : f32, f32, f32"),
        inputs=[((2, 70, 33), "f32"), ((33, 90), "f32")],
        ref=lambda t, a, b: (lambda y: (y, (y * y).sum(-1), y.amax(-2)))(a @ b),
        tol=[(1e-4, 1e-4), (1e-3, 1e-4), (1e-4, 1e-4)]))
    # i8 x i8 with i32 accumulators (exact), and an epilogue that scales the
    # accumulator to f32.
    import random
    rnd = random.Random(11)
    ai = [[rnd.randint(-128, 127) for _ in range(77)] for _ in range(65)]
    bi = [[rnd.randint(-128, 127) for _ in range(43)] for _ in range(77)]
    c.append(dict(name="gemm_i8_i32",
                  mlir=gemm_general("gemm_i8_i32", (65, 77), (77, 43), [((65, 43), "i32")], "i8", "", "", None, "",
                                    acc="i32"),
                  inputs=[((65, 77), "i8", ai), ((77, 43), "i8", bi)],
                  ref=lambda t, a, b: a.double() @ b.double(), tol=(0, 0)))
    c.append(dict(name="gemm_i8_scaled_f32",
                  mlir=gemm_general("gemm_i8_scaled_f32", (65, 77), (77, 43), [((65, 43), "f32")], "i8", "",
                                    "%acc: i32", "\n      %f = arith.sitofp %acc : i32 to f32"
                                    "\n      %sc = arith.constant 0.015625 : f32\n      %y = arith.mulf %f, %sc : f32",
                                    "%y : f32", acc="i32"),
                  inputs=[((65, 77), "i8", ai), ((77, 43), "i8", bi)],
                  ref=lambda t, a, b: (a.double() @ b.double()) / 64, tol=(0, 0)))
    # Attention: ragged sequence lengths (not multiples of the 64-row
    # tiles), every mask kind, GQA and MQA, both layouts, softcap, the
    # log-sum-exp, rows that see no key.
    c.append(attention_case("attn_bf16_causal_gqa_lse", (2, 8, 100, 64), (2, 2, 100, 64), (2, 2, 100, 64),
                            "bf16", (2e-2, 2e-2), mask="causal", lse=True))
    c.append(attention_case("attn_f16_nomask_d128", (1, 4, 77, 128), (1, 4, 150, 128), (1, 4, 150, 128),
                            "f16", (2e-3, 2e-3), out_dtype="f32"))
    c.append(attention_case("attn_bf16_window_softcap_mqa", (1, 4, 70, 64), (1, 1, 200, 64), (1, 1, 200, 64),
                            "bf16", (2e-2, 2e-2), mask="sliding_window", window=50, softcap=30.0, offset=130))
    # Queries past the keys with a short window: rows from position 163 on
    # see no key (zero output, log-sum-exp -inf).
    c.append(attention_case("attn_bf16_window_empty_rows", (1, 2, 70, 32), (1, 2, 100, 32), (1, 2, 100, 32),
                            "bf16", (2e-2, 2e-2), mask="sliding_window", window=64, offset=130, lse=True))
    # The same on Hopper's wgmma kernel (D = 64): rows with no key.
    c.append(attention_case("attn_bf16_window_empty_rows_d64", (1, 2, 70, 64), (1, 2, 100, 64), (1, 2, 100, 64),
                            "bf16", (2e-2, 2e-2), mask="sliding_window", window=64, offset=130, lse=True))
    # D = 128, causal GQA with the log-sum-exp, 300 queries and keys (2.3
    # blocks of 128).
    c.append(attention_case("attn_bf16_causal_gqa_lse_d128", (2, 8, 300, 128), (2, 2, 300, 128), (2, 2, 300, 128),
                            "bf16", (2e-2, 2e-2), mask="causal", lse=True))
    c.append(attention_case("attn_bf16_bshd_causal_d96", (2, 129, 6, 96), (2, 129, 3, 96), (2, 129, 3, 96),
                            "bf16", (2e-2, 2e-2), mask="causal", bshd=True))
    # Paged decode (split-KV + combine): GQA, a sequence of length 0 and one
    # of length 1, ragged lengths; chunked prefill (3 queries) with a window.
    c.append(paged_case("paged_bf16_decode_gqa", (4, 8, 1, 64), (64, 16, 2, 64), [150, 0, 1, 77],
                        "bf16", (2e-2, 2e-2)))
    c.append(paged_case("paged_f16_prefill_window", (2, 4, 3, 128), (20, 16, 4, 128), [100, 5],
                        "f16", (2e-3, 2e-3), out_dtype="f32", mask="sliding_window", window=40))
    # KV-cache ops. Gather: ragged lengths (70 fills 4.4 blocks), one empty
    # sequence. Append: a padding token (-1), a slot past the cache (skipped),
    # a slot named twice (the later token wins), the last slot; once into a
    # separate result, once in place (result = cache).
    c.append(dict(name="kv_gather_bf16",
                  mlir=("func.func @kv_gather_bf16(%c: tensor<40x16x2x64xbf16>, %bt: tensor<3x5xi32>, "
                        "%lens: tensor<3xi32>) -> tensor<3x2x70x64xbf16> {\n"
                        "  %o = tensor.empty() : tensor<3x2x70x64xbf16>\n"
                        "  %r = sinter.kv.gather ins(%c, %bt, %lens : tensor<40x16x2x64xbf16>, tensor<3x5xi32>, "
                        "tensor<3xi32>) outs(%o : tensor<3x2x70x64xbf16>) -> tensor<3x2x70x64xbf16>\n"
                        "  return %r : tensor<3x2x70x64xbf16>\n}\n"),
                  inputs=[((40, 16, 2, 64), "bf16"),
                          ((3, 5), "i32", [[7, 3, 31, 12, 0], [5, 5, 5, 5, 5], [39, 20, 1, 2, 4]]),
                          ((3,), "i32", [70, 0, 33])],
                  ref=lambda t, c_, bt, lens: kv_gather_ref(t, c_, bt, lens, 70), tol=(0, 0)))
    append_mlir = ("func.func @NAME(%k: tensor<6x2x64xbf16>, %slots: tensor<6xi64>, "
                   "%cache: tensor<40x16x2x64xbf16>) -> tensor<40x16x2x64xbf16> {\n"
                   "  %r = sinter.kv.append ins(%k, %slots : tensor<6x2x64xbf16>, tensor<6xi64>) "
                   "outs(%cache : tensor<40x16x2x64xbf16>) -> tensor<40x16x2x64xbf16>\n"
                   "  return %r : tensor<40x16x2x64xbf16>\n}\n")
    for name, alias in (("kv_append_bf16", None), ("kv_append_bf16_in_place", 2)):
        c.append(dict(name=name, mlir=append_mlir.replace("NAME", name),
                      inputs=[((6, 2, 64), "bf16"), ((6,), "i64", [3, -1, 100, 3, 639, 640]),
                              ((40, 16, 2, 64), "bf16")],
                      ref=kv_append_ref, tol=(0, 0), alias=alias))
    c.append(dict(name="kv_quantize_int8",
                  mlir=("func.func @kv_quantize_int8(%x: tensor<2x70x100xbf16>) -> (tensor<2x70x100xi8>, tensor<2x70xf32>) {\n"
                        "  %q0 = tensor.empty() : tensor<2x70x100xi8>\n"
                        "  %s0 = tensor.empty() : tensor<2x70xf32>\n"
                        "  %q, %s = sinter.kv.quantize ins(%x : tensor<2x70x100xbf16>) outs(%q0, %s0 : "
                        "tensor<2x70x100xi8>, tensor<2x70xf32>) {granularity = #sinter.granularity<per_token>} "
                        "-> tensor<2x70x100xi8>, tensor<2x70xf32>\n"
                        "  return %q, %s : tensor<2x70x100xi8>, tensor<2x70xf32>\n}\n"),
                  inputs=[((2, 70, 100), "bf16")],
                  # q may differ by one where x / scale lands on a rounding
                  # tie in f32 but not in float64.
                  ref=kv_quantize_ref, tol=[(1, 0), (0, 1e-6)]))
    # Eviction: heavy hitters with tied scores (ties go to the earlier
    # position) and a sequence shorter than the budget; retention
    # with shared scores and a threshold; sink + window.
    c.append(kv_evict_case("kv_evict_heavy_hitter", 2, 3, 100, 64, 48, 40, [100, 30], "heavy_hitter", 4, 8,
                           ties=True))
    c.append(kv_evict_case("kv_evict_retention", 2, 2, 300, 32, 32, 64, [290, 300], "retention", 2, 16,
                           shared_scores=True, decay=0.99, threshold=0.1))
    c.append(kv_evict_case("kv_evict_sink_window", 1, 2, 70, 64, 64, 12, [65], "sink_window", 2, 10))
    # Per channel (scales over the tokens), and fp8 e4m3 per token (codes
    # within one step: x / scale may round differently in f32 and float64).
    c.append(dict(name="kv_quantize_int8_channel",
                  mlir=("func.func @kv_quantize_int8_channel(%x: tensor<2x70x100xf16>) -> (tensor<2x70x100xi8>, tensor<2x100xf32>) {\n"
                        "  %q0 = tensor.empty() : tensor<2x70x100xi8>\n"
                        "  %s0 = tensor.empty() : tensor<2x100xf32>\n"
                        "  %q, %s = sinter.kv.quantize ins(%x : tensor<2x70x100xf16>) outs(%q0, %s0 : "
                        "tensor<2x70x100xi8>, tensor<2x100xf32>) {granularity = #sinter.granularity<per_channel>} "
                        "-> tensor<2x70x100xi8>, tensor<2x100xf32>\n"
                        "  return %q, %s : tensor<2x70x100xi8>, tensor<2x100xf32>\n}\n"),
                  inputs=[((2, 70, 100), "f16")],
                  ref=lambda t, x: kv_quantize_ref(t, x, dim=-2), tol=[(1, 0), (0, 1e-6)]))
    c.append(dict(name="kv_quantize_fp8",
                  mlir=("func.func @kv_quantize_fp8(%x: tensor<3x50x128xbf16>) -> (tensor<3x50x128xf8E4M3FN>, tensor<3x50xf32>) {\n"
                        "  %q0 = tensor.empty() : tensor<3x50x128xf8E4M3FN>\n"
                        "  %s0 = tensor.empty() : tensor<3x50xf32>\n"
                        "  %q, %s = sinter.kv.quantize ins(%x : tensor<3x50x128xbf16>) outs(%q0, %s0 : "
                        "tensor<3x50x128xf8E4M3FN>, tensor<3x50xf32>) {granularity = #sinter.granularity<per_token>} "
                        "-> tensor<3x50x128xf8E4M3FN>, tensor<3x50xf32>\n"
                        "  return %q, %s : tensor<3x50x128xf8E4M3FN>, tensor<3x50xf32>\n}\n"),
                  inputs=[((3, 50, 128), "bf16")],
                  ref=lambda t, x: kv_quantize_ref(t, x, fp8=True), tol=[(1, 0), (0, 1e-6)]))
    # Cache blocks that do not divide the 64-key tiles (24 tokens) with
    # D = 96 (rows copied chunk by chunk), and small blocks (8 tokens).
    c.append(paged_case("paged_bf16_bs24_d96", (2, 6, 2, 96), (30, 24, 3, 96), [100, 47],
                        "bf16", (2e-2, 2e-2), seed=3))
    c.append(paged_case("paged_f16_bs8", (1, 4, 1, 64), (50, 8, 2, 64), [333],
                        "f16", (2e-3, 2e-3), seed=5, mask="none"))
    c.append(attention_case("attn_f16_causal_long", (1, 2, 1000, 64), (1, 2, 1000, 64), (1, 2, 1000, 64),
                            "f16", (2e-3, 2e-3), mask="causal"))
    return c


CASES = _cases()

# Benchmarks (bench/gpu): the shapes of issue 6's GEMM and attention rows.
# GEMMs in both weight layouts: [K, N] (mma.sync kernel) and [N, K]
# (nn.Linear's, K-major: the wgmma kernel).
BENCH = [
    dict(name="bench_gemm_bt_4096",
         mlir=gemm("bench_gemm_bt_4096", (4096, 4096), (4096, 4096), (4096, 4096), "bf16", "bf16",
                   transpose_b=True),
         shape=(4096, 4096, 4096), kind="gemm", bt=True),
    dict(name="bench_gemm_bt_8192",
         mlir=gemm("bench_gemm_bt_8192", (8192, 8192), (8192, 8192), (8192, 8192), "bf16", "bf16",
                   transpose_b=True),
         shape=(8192, 8192, 8192), kind="gemm", bt=True),
    dict(name="bench_gemm_bt_bias_gelu_4096",
         mlir=gemm("bench_gemm_bt_bias_gelu_4096", (4096, 4096), (4096, 4096), (4096, 4096), "bf16", "bf16",
                   transpose_b=True, epi_ins=[((4096,), "bf16")], maps=["(m, n) -> (n)"],
                   body="\n      %bf = arith.extf %e0 : bf16 to f32\n      %x = arith.addf %acc, %bf : f32" + GELU +
                        "\n      %y = arith.truncf %g : f32 to bf16"),
         shape=(4096, 4096, 4096), kind="gemm_bias_gelu", bt=True),
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
] + [
    dict(name=f"bench_attn_b{B}_h{H}_s{S}_d{D}_{mask}",
         mlir=attention(f"bench_attn_b{B}_h{H}_s{S}_d{D}_{mask}", (B, H, S, D), (B, H, S, D), (B, H, S, D),
                        "bf16", mask=mask),
         shape=(B, H, S, D), kind="attention", causal=mask == "causal")
    for B, H, S, D in ((4, 16, 4096, 128), (8, 16, 2048, 64)) for mask in ("causal", "none")
] + [
    # Decode over a paged cache: B16 Hq32 Hkv8, 8192 tokens each, D128,
    # blocks of 16 tokens.
    dict(name="bench_decode_b16_hq32_hkv8_s8192_d128",
         mlir=paged("bench_decode_b16_hq32_hkv8_s8192_d128", (16, 32, 1, 128), (8192, 16, 8, 128),
                    (16, 512), "bf16"),
         shape=(16, 32, 8, 8192, 128, 16), kind="decode"),
]
