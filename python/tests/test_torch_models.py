"""Whole blocks exported from torch 1.13 to ONNX, imported, compiled for
the host CPU and run from numpy, against torch's own outputs."""
import collections
import os
import re

import numpy as np
import onnx
import pytest

torch = pytest.importorskip("torch")

import sinter  # noqa: E402
from torch_blocks import GPT2Block, LlamaBlock, TinyLM, export  # noqa: E402


def compile_and_compare(module, x, tmp_path, tol):
    module.eval()
    path = os.path.join(tmp_path, "block.onnx")
    export(module, x, path)
    ops = collections.Counter(n.op_type for n in onnx.load(path).graph.node)
    compiled = sinter.compile(path, output_dir=os.path.join(tmp_path, "out"))
    got = compiled(x.numpy())
    with torch.no_grad():
        want = module(x).numpy()
    assert got.shape == want.shape
    err = float(np.abs(got - want).max())
    assert err <= tol, f"max |error| {err:.3g} > {tol} (ops: {dict(ops)})"
    return compiled, ops


def test_transformer_encoder_layer(tmp_path):
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=96, dropout=0.0,
                                             batch_first=True)
    x = torch.randn(2, 11, 64)
    _, ops = compile_and_compare(layer, x, tmp_path, 1e-4)
    assert ops["LayerNormalization"] == 2 and ops["Softmax"] == 1


def test_gpt2_block(tmp_path):
    torch.manual_seed(1)
    x = torch.randn(2, 13, 64)
    _, ops = compile_and_compare(GPT2Block(seq=13), x, tmp_path, 1e-4)
    assert ops["Where"] >= 1 or ops["Not"] >= 1


def test_tiny_language_model(tmp_path):
    """int64 token ids in (the embedding is a Gather of the table), a
    LLaMA block, LogSoftmax over the vocabulary out."""
    torch.manual_seed(4)
    ids = torch.randint(0, 50, (2, 9))
    _, ops = compile_and_compare(TinyLM(), ids, tmp_path, 1e-4)
    assert ops["Gather"] >= 1 and ops["LogSoftmax"] == 1


def test_llama_block_gqa_rope(tmp_path):
    torch.manual_seed(2)
    x = torch.randn(1, 11, 64)
    compiled, ops = compile_and_compare(LlamaBlock(seq=11), x, tmp_path, 1e-4)
    assert ops["Concat"] >= 1  # rotate-half and the K/V head repeat


FUSION = {
    # block: (kernels at most, GEMMs, sinter ops that must appear, how many)
    "encoder": (11, 4, {"sinter.attention": 1, "sinter.layer_norm": 2}),
    "gpt2": (9, 4, {"sinter.attention": 1, "sinter.layer_norm": 2}),
    # GQA attention on the 2 K/V heads with the RoPE fused into it.
    "llama": (7, 4, {"sinter.attention": 1, "sinter.rms_norm": 2, ") rope(": 1}),
}


@pytest.mark.parametrize("block", sorted(FUSION))
def test_blocks_fuse(block, tmp_path):
    """What the graph pipeline makes of the imports: attention raised from
    its exported pieces (the q pre-scale in the scale, the causal mask
    buffer as an index predicate), the norms raised, bias adds and
    residuals in GEMM epilogues (docs/onnx.md)."""
    torch.manual_seed(0)
    module, x = {
        "encoder": (torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=96, dropout=0.0,
                                                     batch_first=True), torch.randn(2, 11, 64)),
        "gpt2": (GPT2Block(seq=13), torch.randn(2, 13, 64)),
        "llama": (LlamaBlock(seq=11), torch.randn(1, 11, 64)),
    }[block]
    path = os.path.join(tmp_path, "block.onnx")
    export(module.eval(), x, path)
    m = sinter.parse(sinter.onnx.import_model(path))
    out = m.run_pipeline("sinter-attach-target{target=x86-avx512},sinter-graph-pipeline,sinter-report-traffic")
    text = str(m)
    most, gemms, ops = FUSION[block]
    for op, count in ops.items():
        assert text.count(op if op.endswith("(") else op + " ") == count, (op, out)
    kernels = re.search(r"kernels: (\d+) \((\d+) gemm", out)
    assert int(kernels[1]) <= most and int(kernels[2]) == gemms, out


def test_weights_as_arguments(tmp_path):
    """weights="arguments": the initializers are {sinter.weight} arguments
    (the MLIR text holds no weight blobs) that the module passes itself;
    the values are the same."""
    torch.manual_seed(3)
    block = GPT2Block(seq=13).eval()
    x = torch.randn(2, 13, 64)
    path = os.path.join(tmp_path, "block.onnx")
    export(block, x, path)
    text, weights = sinter.onnx.import_model_with_weights(path)
    assert "dense_resource" not in text and text.count("{sinter.weight}") == len(weights) > 4
    compiled = sinter.compile(path, weights="arguments", output_dir=os.path.join(tmp_path, "out"))
    assert len(compiled.main.inputs) == 1
    with torch.no_grad():
        want = block(x).numpy()
    assert float(np.abs(compiled(x.numpy()) - want).max()) <= 1e-4


@pytest.mark.parametrize("block", ["gpt2", "llama"])
def test_bf16_blocks(block, tmp_path):
    """A block exported in bf16 (bf16 initializers and Constant nodes):
    imported as bf16, norms and log-softmax computed in f32 inside, run on
    the CPU and compared with torch's float64 run of the same bf16 weights
    and input."""
    torch.manual_seed(5)
    module, x = {"gpt2": (GPT2Block(seq=13), torch.randn(2, 13, 64)),
                 "llama": (LlamaBlock(seq=11), torch.randn(2, 11, 64))}[block]
    module, x = module.bfloat16().eval(), x.bfloat16()
    path = os.path.join(tmp_path, "block.onnx")
    export(module, x, path)
    text = sinter.onnx.import_model(path)
    assert "xbf16>" in text and "xf64>" not in text
    compiled = sinter.compile(path, output_dir=os.path.join(tmp_path, "out"))
    got = compiled(x.float().numpy())
    with torch.no_grad():
        want = module.double()(x.double()).numpy()
    # bf16 activations between ops: a few bf16 ulps of values around 4.
    assert float(np.abs(got - want).max()) <= 0.05


class HFRMSNorm(torch.nn.Module):
    """Hugging Face's LlamaRMSNorm: statistics of an f32 copy, the weight
    applied after casting back."""

    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(d))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dtype)


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
def test_hf_rms_norm_raised(dtype, tmp_path):
    """The Hugging Face RMSNorm spelling raises to one sinter.rms_norm in
    f32 and bf16, on the CPU and the NPU, and matches torch."""
    torch.manual_seed(2)
    block = torch.nn.Sequential(HFRMSNorm(64), torch.nn.Linear(64, 32, bias=False)).eval()
    x = torch.randn(2, 5, 64)
    if dtype == "bf16":
        block, x = block.bfloat16(), x.bfloat16()
    path = os.path.join(tmp_path, "norm.onnx")
    export(block, x, path)
    sinter.compile(path, output_dir=os.path.join(tmp_path, "graph"), name="g", stop_after="graph")
    graph = open(os.path.join(tmp_path, "graph", "g.graph.mlir")).read()
    assert len(re.findall(r"sinter\.rms_norm ", graph)) == 1, graph
    assert "math.sqrt" not in graph and "math.rsqrt" not in graph
    with torch.no_grad():
        want = block.double()(x.double()).numpy()
    xs = x.float().numpy() if dtype == "bf16" else x.numpy()
    tol = 1e-4 if dtype == "f32" else 5e-2
    cpu = sinter.compile(path, output_dir=os.path.join(tmp_path, "cpu"))
    np.testing.assert_allclose(cpu(xs), want, atol=tol, rtol=tol)
    sinter.compile(path, target="npu-910", output_dir=os.path.join(tmp_path, "npu"), name="n")
    np.testing.assert_allclose(sinter.load(os.path.join(tmp_path, "npu"))(xs), want, atol=tol, rtol=tol)


class MaskedAttention(torch.nn.Module):
    """Self-attention with its mask as a constant buffer: a sliding window
    of `window` keys as an additive 0 / -inf mask (Mistral's), or an
    arbitrary boolean pattern."""

    def __init__(self, d=64, heads=4, seq=16, window=4, pattern=None):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.o = torch.nn.Linear(d, d)
        i, j = torch.arange(seq)[:, None], torch.arange(seq)[None, :]
        visible = (j <= i) & (j > i - window) if pattern is None else pattern
        self.register_buffer("mask", torch.where(visible, 0.0, float("-inf")))

    def forward(self, x):
        b, s, d = x.shape
        hd = d // self.heads
        q, k, v = (t.view(b, s, self.heads, hd).transpose(1, 2) for t in self.qkv(x).split(d, dim=-1))
        p = (q @ k.transpose(-1, -2) / hd ** 0.5 + self.mask).softmax(-1)
        return self.o((p @ v).transpose(1, 2).reshape(b, s, d))


def test_sliding_window_constant_mask(tmp_path):
    """A sliding window written as a constant additive mask becomes the
    attention's sliding_window attributes (no S x S tensor read), on the
    CPU and the NPU; a mask with no band structure becomes the attention's
    bias operand, computed right too."""
    torch.manual_seed(3)
    x = torch.randn(2, 16, 64)
    for pattern, raised in ((None, True), (torch.rand(16, 16) > 0.3, False)):
        block = MaskedAttention(pattern=pattern).eval()
        if pattern is not None:  # every query sees at least its own key
            block.mask.fill_diagonal_(0.0)
        path = os.path.join(tmp_path, "attn.onnx")
        export(block, x, path)
        sinter.compile(path, output_dir=os.path.join(tmp_path, "graph"), name="g", stop_after="graph")
        graph = open(os.path.join(tmp_path, "graph", "g.graph.mlir")).read()
        if raised:
            assert len(re.findall(r"sinter\.attention ", graph)) == 1
            assert "mask = #sinter.mask<sliding_window>" in graph and "window = 4" in graph
            assert "tensor<16x16xf32>" not in graph
        else:  # the mask is the attention's bias operand
            assert "sliding_window" not in graph
            assert len(re.findall(r"sinter\.attention ", graph)) == 1 and " bias(" in graph
            assert "sinter.softmax" not in graph
        with torch.no_grad():
            want = block(x).numpy()
        cpu = sinter.compile(path, output_dir=os.path.join(tmp_path, "cpu"))
        np.testing.assert_allclose(cpu(x.numpy()), want, atol=1e-4, rtol=1e-4)
        sinter.compile(path, target="npu-910", output_dir=os.path.join(tmp_path, "npu"), name="n")
        np.testing.assert_allclose(sinter.load(os.path.join(tmp_path, "npu"))(x.numpy()), want, atol=1e-4,
                                   rtol=1e-4)


class PaddedAttention(torch.nn.Module):
    """BERT-style self-attention with a runtime key-padding mask ([B, S],
    0 for tokens, -10000 for padding), added to the scores as
    mask[:, None, None, :]."""

    def __init__(self, d=64, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.o = torch.nn.Linear(d, d)

    def forward(self, x, mask):
        b, s, d = x.shape
        hd = d // self.heads
        q, k, v = (t.view(b, s, self.heads, hd).transpose(1, 2) for t in self.qkv(x).split(d, dim=-1))
        p = (q @ k.transpose(-1, -2) / hd ** 0.5 + mask[:, None, None, :]).softmax(-1)
        return self.o((p @ v).transpose(1, 2).reshape(b, s, d))


def test_runtime_key_padding_mask(tmp_path):
    """A runtime [B, S] padding mask becomes a [B, 1, 1, S] attention bias
    (no S x S tensor), right on the CPU and the NPU."""
    torch.manual_seed(4)
    block = PaddedAttention().eval()
    x = torch.randn(2, 16, 64)
    mask = torch.zeros(2, 16)
    mask[0, 11:] = -10000.0
    mask[1, 5:] = -10000.0
    path = os.path.join(tmp_path, "bert.onnx")
    torch.onnx.export(block, (x, mask), path, input_names=["x", "mask"], opset_version=17)
    sinter.compile(path, output_dir=os.path.join(tmp_path, "graph"), name="g", stop_after="graph")
    graph = open(os.path.join(tmp_path, "graph", "g.graph.mlir")).read()
    assert len(re.findall(r"sinter\.attention ", graph)) == 1
    assert "bias(" in graph and "tensor<2x1x1x16xf32>" in graph and "sinter.softmax" not in graph
    with torch.no_grad():
        want = block(x, mask).numpy()
    cpu = sinter.compile(path, output_dir=os.path.join(tmp_path, "cpu"))
    np.testing.assert_allclose(cpu(x.numpy(), mask.numpy()), want, atol=1e-4, rtol=1e-4)
    sinter.compile(path, target="npu-910", output_dir=os.path.join(tmp_path, "npu"), name="n")
    np.testing.assert_allclose(sinter.load(os.path.join(tmp_path, "npu"))(x.numpy(), mask.numpy()), want,
                               atol=1e-4, rtol=1e-4)
