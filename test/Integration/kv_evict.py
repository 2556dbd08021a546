# KV-cache eviction: StreamingLLM (sinks + recent window), H2O heavy hitters
# with per-head scores, and retention scores with decay and a threshold
# shared by all heads; ragged sequence lengths.
# RUN: %python %s | FileCheck %s
# CHECK: PASS sink_window
# CHECK: PASS heavy_hitter
# CHECK: PASS retention
import numpy as np
from refs import rng
from harness import Arg, check, run, tensor_type as T

r = rng(3)
B, H, S, D, Dv, C = 2, 3, 23, 4, 5, 10
lens = np.array([23, 9])
k = r.standard_normal((B, H, S, D)).astype(np.float32)
v = r.standard_normal((B, H, S, Dv)).astype(np.float32)


def reference(policy, scores, sinks, window, decay=None, threshold=None):
    kept = np.full((B, H, C), -1)
    count = np.zeros((B, H), dtype=np.int64)
    for b in range(B):
        n = lens[b]
        for h in range(H):
            forced = [p for p in range(n) if p < sinks or p >= n - window]
            cands = []
            if policy != "sink_window":
                sc = scores[b, h if scores.shape[1] > 1 else 0]
                for p in range(n):
                    if p in forced:
                        continue
                    val = float(np.float32(sc[p]))
                    if policy == "retention":
                        val = float(np.float32(sc[p]) * np.float32(decay) ** np.float32(n - 1 - p))
                        if val < threshold:
                            continue
                    cands.append((-val, p))
            cands.sort()
            chosen = [p for _, p in cands[:C - len(forced)]]
            ps = sorted(forced + chosen)
            kept[b, h, :len(ps)] = ps
            count[b, h] = len(ps)
    kk = np.zeros((B, H, C, D))
    vv = np.zeros((B, H, C, Dv))
    for b in range(B):
        for h in range(H):
            for c in range(count[b, h]):
                kk[b, h, c] = k[b, h, kept[b, h, c]]
                vv[b, h, c] = v[b, h, kept[b, h, c]]
    return kk, vv, kept, count


def module(attrs, scores_type):
    kt, vt = T(k.shape, "f32"), T(v.shape, "f32")
    kct, vct, pt, nt = T((B, H, C, D), "f32"), T((B, H, C, Dv), "f32"), T((B, H, C), "i32"), T((B, H), "i64")
    sc_arg = f", %s: {scores_type}" if scores_type else ""
    sc_use = f" scores(%s : {scores_type})" if scores_type else ""
    return f"""
func.func @f(%k: {kt}, %v: {vt}, %lens: {T((B,), 'i32')}{sc_arg}) -> ({kct}, {vct}, {pt}, {nt}) {{
  %k0 = tensor.empty() : {kct}
  %v0 = tensor.empty() : {vct}
  %p0 = tensor.empty() : {pt}
  %n0 = tensor.empty() : {nt}
  %r:4 = sinter.kv.evict ins(%k, %v, %lens : {kt}, {vt}, {T((B,), 'i32')}){sc_use}
      outs(%k0, %v0, %p0, %n0 : {kct}, {vct}, {pt}, {nt}) {{{attrs}}} -> {kct}, {vct}, {pt}, {nt}
  return %r#0, %r#1, %r#2, %r#3 : {kct}, {vct}, {pt}, {nt}
}}"""


outs = [("f32", (B, H, C, D)), ("f32", (B, H, C, Dv)), ("i32", (B, H, C)), ("i64", (B, H))]


def verify(name, got, want):
    for g, w, what in zip(got, want, ["keys", "values", "positions", "count"]):
        check(f"{name} {what}", g, w, 0)
    print(f"PASS {name}")


base = [Arg(k, "f32"), Arg(v, "f32"), Arg(lens, "i32")]
got = run(module("policy = #sinter.evict_policy<sink_window>, sinks = 2, window = 6", None), "f", base, outs)
verify("sink_window", got, reference("sink_window", None, 2, 6))

# Heavy hitters: scores with deliberate ties resolve to the earlier token.
scores = np.round(r.uniform(0, 4, (B, H, S)), 0).astype(np.float32)
got = run(module("policy = #sinter.evict_policy<heavy_hitter>, sinks = 1, window = 3", T(scores.shape, "f32")),
          "f", base + [Arg(scores, "f32")], outs)
verify("heavy_hitter", got, reference("heavy_hitter", scores, 1, 3))

shared = r.uniform(0, 1, (B, 1, S)).astype(np.float32)
got = run(module("policy = #sinter.evict_policy<retention>, window = 2, decay = 0.9 : f32, threshold = 0.2 : f32",
                 T(shared.shape, "f32")), "f", base + [Arg(shared, "f32")], outs)
verify("retention", got, reference("retention", shared, 0, 2, decay=0.9, threshold=0.2))
