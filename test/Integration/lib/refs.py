"""Independent numpy references for the sinter ops (float64 loop-free math).

These are written from the op descriptions, not from the decomposition, so
an integration test compares two separate implementations.
"""
import numpy as np

from harness import tensor_type  # noqa: F401  (re-exported for tests)


def rng(seed=0):
    return np.random.default_rng(seed)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


def attention(q, k, v, scale=None, mask="none", query_offset=0, window=None,
              softcap=None, bias=None, seq_lens=None):
    """q [B,Hq,Sq,D], k/v [B,Hkv,Skv,*]; returns (O, lse)."""
    B, Hq, Sq, D = q.shape
    Hkv, Skv = k.shape[1], k.shape[2]
    g = Hq // Hkv
    k = np.repeat(k, g, axis=1)
    v = np.repeat(v, g, axis=1)
    scale = 1.0 / np.sqrt(D) if scale is None else scale
    s = np.einsum("bhid,bhjd->bhij", q.astype(np.float64), k.astype(np.float64)) * scale
    if softcap is not None:
        s = softcap * np.tanh(s / softcap)
    if bias is not None:
        s = s + bias
    i = np.arange(Sq)[:, None]
    j = np.arange(Skv)[None, :]
    vis = np.ones((B, 1, Sq, Skv), dtype=bool)
    for b in range(B):
        if seq_lens is not None:
            n = int(seq_lens[b])
            pos = n - Sq + i
            valid = j < n
        else:
            pos = i + query_offset
            valid = np.ones_like(j, dtype=bool)
        m = valid & np.ones_like(pos, dtype=bool)
        if mask in ("causal", "sliding_window"):
            m = m & (j <= pos)
        if mask == "sliding_window":
            m = m & (j > pos - window)
        vis[b, 0] = m
    s = np.where(vis, s, -np.inf)
    mx = s.max(-1, keepdims=True)
    safe = np.where(np.isneginf(mx), 0.0, mx)
    p = np.exp(s - safe)
    l = p.sum(-1, keepdims=True)
    o = np.einsum("bhij,bhjd->bhid", p, v.astype(np.float64))
    o = np.where(l > 0, o / np.where(l > 0, l, 1), 0.0)
    lse = np.where(l[..., 0] > 0, safe[..., 0] + np.log(np.where(l[..., 0] > 0, l[..., 0], 1)), -np.inf)
    return o, lse


def rms_norm(x, gamma, eps):
    x = x.astype(np.float64)
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * gamma


def layer_norm(x, gamma, beta, eps):
    x = x.astype(np.float64)
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def softmax(x, axis):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def rope(x, cos, sin, mode="half", seq_axis=-2):
    """cos/sin [S, R/2] broadcast along `seq_axis` of x."""
    x = x.astype(np.float64)
    r = 2 * cos.shape[1]
    shape = [1] * x.ndim
    shape[seq_axis] = cos.shape[0]
    shape[-1] = cos.shape[1]
    c = cos.reshape(shape)
    s = sin.reshape(shape)
    out = x.copy()
    if mode == "half":
        x1, x2 = x[..., : r // 2], x[..., r // 2: r]
        out[..., : r // 2] = x1 * c - x2 * s
        out[..., r // 2: r] = x2 * c + x1 * s
    else:
        x1, x2 = x[..., 0:r:2], x[..., 1:r:2]
        out[..., 0:r:2] = x1 * c - x2 * s
        out[..., 1:r:2] = x2 * c + x1 * s
    return out
