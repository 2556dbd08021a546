"""The Python path: a torch block exported to ONNX, compiled by Sinter for
the host CPU, run from numpy and compared with torch; then the reports.

    /usr/bin/python3 examples/onnx-torch/run.py [--out DIR]

Uses the installed `sinter` package (scripts/setup.sh installs it), or
this checkout's python/ and build/ when run from the source tree.
"""
import argparse
import os
import sys
import time
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    import sinter
except ImportError:  # not installed: this checkout's package and build
    sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
    import sinter


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    # d_model 64, 4 heads, FFN 96, batch 2 x 11 tokens (not tile multiples).
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=96, dropout=0.0,
                                             batch_first=True).eval()
    x = torch.randn(2, 11, 64)
    path = os.path.join(args.out, "encoder_layer.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Grad stays on so torch exports the unfused layer (its fast path
        # has no ONNX form).
        torch.onnx.export(layer, (x,), path, opset_version=17, input_names=["x"], output_names=["y"])
    print(f"exported nn.TransformerEncoderLayer to {path}")

    t = time.time()
    module = sinter.compile(path, target="cpu", output_dir=os.path.join(args.out, "cpu"), name="encoder_layer")
    print(f"compiled for {module.manifest['target']} in {time.time() - t:.1f} s: "
          f"{', '.join(sorted(os.listdir(module.output_dir)))}")
    y = module(x.numpy())
    with torch.no_grad():
        want = layer(x).numpy()
    err = float(np.abs(y - want).max())
    print(f"max |sinter - torch| = {err:.3g} over {y.size} outputs")
    if not err < 1e-4:
        print("FAIL")
        return 1
    from sinter.__main__ import main as cli
    rc = cli(["report", path, "--target", "x86-avx512", "-o", os.path.join(args.out, "report")])
    print("PASS" if rc == 0 else "FAIL (report)")
    return rc


if __name__ == "__main__":
    sys.exit(main())
