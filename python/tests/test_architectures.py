"""Attention written the way well-known architectures write it, exported by
torch, raised to one sinter.attention each (issue 18's suite, growing):
Gemma's logit softcap, GPT-NeoX's partial rotary embedding, Falcon's
multi-query attention, Qwen2's biased QKV projections with HF's repeat_kv
GQA. Each is checked in f32 and bf16 for the raised form, and in f32 for
its values on the CPU against torch."""
import os
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import sinter  # noqa: E402
from torch_blocks import export  # noqa: E402

S, D, H = 12, 64, 4


class Attention(torch.nn.Module):
    """Causal self-attention with the variations under test."""

    def __init__(self, kv_heads=H, softcap=None, rotary_dims=0, qkv_bias=False):
        super().__init__()
        self.kv_heads, self.softcap, self.rd = kv_heads, softcap, rotary_dims
        hd = D // H
        self.q = torch.nn.Linear(D, D, bias=qkv_bias)
        self.kv = torch.nn.Linear(D, 2 * kv_heads * hd, bias=qkv_bias)
        self.o = torch.nn.Linear(D, D, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(S, S, dtype=torch.bool)))
        if rotary_dims:
            inv = 1.0 / (10000 ** (torch.arange(0, rotary_dims, 2).float() / rotary_dims))
            f = torch.outer(torch.arange(S).float(), inv)
            emb = torch.cat((f, f), -1)
            self.register_buffer("cos", emb.cos())
            self.register_buffer("sin", emb.sin())

    def rotate(self, x):
        r = x[..., :self.rd]
        half = self.rd // 2
        r = r * self.cos + torch.cat((-r[..., half:], r[..., :half]), -1) * self.sin
        return torch.cat((r, x[..., self.rd:]), -1)

    def forward(self, x):
        b, s, _ = x.shape
        hd = D // H
        q = self.q(x).view(b, s, H, hd).transpose(1, 2)
        k, v = self.kv(x).split(self.kv_heads * hd, dim=-1)
        k = k.view(b, s, self.kv_heads, hd).transpose(1, 2)
        v = v.view(b, s, self.kv_heads, hd).transpose(1, 2)
        if self.rd:
            q, k = self.rotate(q), self.rotate(k)
        g = H // self.kv_heads
        if g > 1:  # Hugging Face's repeat_kv
            k = k[:, :, None].expand(b, self.kv_heads, g, s, hd).reshape(b, H, s, hd)
            v = v[:, :, None].expand(b, self.kv_heads, g, s, hd).reshape(b, H, s, hd)
        scores = q @ k.transpose(-1, -2) * hd ** -0.5
        if self.softcap:
            scores = self.softcap * torch.tanh(scores / self.softcap)
        scores = scores.masked_fill(~self.mask, float("-inf"))
        return self.o((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, D))


ARCHITECTURES = {
    "gemma_softcap": dict(kv_heads=1, softcap=50.0),
    "neox_partial_rotary": dict(rotary_dims=8),
    "falcon_mqa": dict(kv_heads=1),
    "qwen2_qkv_bias_gqa": dict(kv_heads=2, qkv_bias=True),
}


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_architecture_attention_raised(arch, dtype, tmp_path):
    torch.manual_seed(5)
    block = Attention(**ARCHITECTURES[arch]).eval()
    x = torch.randn(2, S, D)
    if dtype == "bf16":
        block, x = block.bfloat16(), x.bfloat16()
    path = os.path.join(tmp_path, f"{arch}.onnx")
    export(block, x, path)
    sinter.compile(path, output_dir=os.path.join(tmp_path, "graph"), name="g", stop_after="graph")
    graph = open(os.path.join(tmp_path, "graph", "g.graph.mlir")).read()
    attention = re.findall(r"sinter\.attention ins\(([^)]*)\)", graph)
    assert len(attention) == 1, graph
    assert "mask = #sinter.mask<causal>" in graph
    assert "sinter.softmax" not in graph and f"tensor<2x{H}x{S}x{S}x" not in graph
    cfg = ARCHITECTURES[arch]
    if cfg.get("softcap"):
        assert "softcap = 5.000000e+01" in graph
    kv = cfg.get("kv_heads", H)
    # K and V are read with their own heads (no repeat materialized).
    assert re.search(rf"tensor<2x{S}x{kv}x{D // H}x\w+>, tensor<2x{S}x{kv}x{D // H}x\w+>\s*$", attention[0]) or \
        re.search(rf"tensor<2x{kv}x{S}x{D // H}x\w+>, tensor<2x{kv}x{S}x{D // H}x\w+>\s*$", attention[0]), attention[0]
    if dtype == "f32":
        with torch.no_grad():
            want = block(x).numpy()
        cpu = sinter.compile(path, output_dir=os.path.join(tmp_path, "cpu"))
        np.testing.assert_allclose(cpu(x.numpy()), want, atol=1e-4, rtol=1e-4)
