"""Transformer blocks written in torch, for the whole-model tests: a GPT-2
block (pre-LayerNorm, causal multi-head attention, GELU-tanh MLP) and a
LLaMA block (RMSNorm, grouped-query attention with rotate-half RoPE,
SwiGLU MLP)."""
import math

import torch
from torch import nn


class GPT2Block(nn.Module):
    """`sdpa=True` computes the attention with torch's fused
    scaled_dot_product_attention (torch >= 2.0; the benchmarks' eager
    anchor), the same math as the explicit form that exports to ONNX."""

    def __init__(self, d=64, heads=4, seq=13, sdpa=False):
        super().__init__()
        self.sdpa = sdpa
        self.h, self.dh = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc, self.out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.act = nn.GELU(approximate="tanh")
        self.register_buffer("mask", torch.tril(torch.ones(seq, seq, dtype=torch.bool)))

    def forward(self, x):
        B, S, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=-1)
        q, k, v = (t.view(B, S, self.h, self.dh).transpose(1, 2) for t in (q, k, v))
        if self.sdpa:
            y = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) / math.sqrt(self.dh)
            att = att.masked_fill(~self.mask[:S, :S], float("-inf")).softmax(-1)
            y = att @ v
        y = y.transpose(1, 2).reshape(B, S, D)
        x = x + self.proj(y)
        return x + self.out(self.act(self.fc(self.ln2(x))))


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.w, self.eps = nn.Parameter(1 + 0.1 * torch.randn(d)), eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class LlamaBlock(nn.Module):
    """`sdpa=True`: attention by scaled_dot_product_attention (see
    GPT2Block)."""

    def __init__(self, d=64, heads=4, kv_heads=2, mlp=96, seq=11, sdpa=False):
        super().__init__()
        self.sdpa = sdpa
        self.h, self.kv, self.dh = heads, kv_heads, d // heads
        self.n1, self.n2 = RMSNorm(d), RMSNorm(d)
        self.wq = nn.Linear(d, d, bias=False)
        self.wk = nn.Linear(d, kv_heads * self.dh, bias=False)
        self.wv = nn.Linear(d, kv_heads * self.dh, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.gate, self.up = nn.Linear(d, mlp, bias=False), nn.Linear(d, mlp, bias=False)
        self.down = nn.Linear(mlp, d, bias=False)
        inv = 1.0 / (10000 ** (torch.arange(0, self.dh, 2).float() / self.dh))
        f = torch.outer(torch.arange(seq).float(), inv)
        emb = torch.cat((f, f), dim=-1)
        self.register_buffer("cos", emb.cos())
        self.register_buffer("sin", emb.sin())
        self.register_buffer("mask", torch.full((seq, seq), float("-inf")).triu(1))

    def forward(self, x):
        B, S, D = x.shape
        h = self.n1(x)
        q = self.wq(h).view(B, S, self.h, self.dh).transpose(1, 2)
        k = self.wk(h).view(B, S, self.kv, self.dh).transpose(1, 2)
        v = self.wv(h).view(B, S, self.kv, self.dh).transpose(1, 2)
        q = q * self.cos + rotate_half(q) * self.sin
        k = k * self.cos + rotate_half(k) * self.sin
        rep = self.h // self.kv
        if self.sdpa:
            y = nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        else:
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
            att = (q @ k.transpose(-2, -1)) / math.sqrt(self.dh) + self.mask
            y = att.softmax(-1) @ v
        y = y.transpose(1, 2).reshape(B, S, D)
        x = x + self.wo(y)
        h = self.n2(x)
        return x + self.down(nn.functional.silu(self.gate(h)) * self.up(h))


class TinyLM(nn.Module):
    """Token ids -> embedding + learned positions -> a LLaMA block ->
    LayerNorm -> vocabulary log-probabilities."""

    def __init__(self, vocab=50, d=64, seq=9):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(seq, d) * 0.1)
        self.block = LlamaBlock(d=d, seq=seq)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        h = self.emb(ids) + self.pos
        return self.head(self.norm(self.block(h))).log_softmax(-1)


def export(module, x, path, opset=17):
    """torch.onnx.export with static shapes; grad stays enabled so that
    nn.TransformerEncoderLayer takes its exportable (non-fused) path."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (x,), path, opset_version=opset, input_names=["x"], output_names=["y"])
