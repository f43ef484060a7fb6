#!/usr/bin/python3
"""Exported sequence models compiled by netc against PyTorch.

usage: onnx_seq.py --work DIR [--netc PATH] [--threads N] [MODEL...]

Each model (torch.manual_seed(0), eval mode) is exported with torch.onnx.export at opset 13:
  - transformer: nn.TransformerEncoderLayer(d_model 64, 4 heads, dim_feedforward 128,
    batch_first=True, dropout 0) on x [2, 16, 64], output y;
  - lstm: a 2-layer nn.LSTM(16, 32) on x [12, 3, 16], outputs y, h_n, c_n.
netc compiles the .onnx file to an executable (`netc m.onnx -o exe`), which runs on the
same input, given with --inputs, and on the weights written from the ONNX initializers
(onnx.numpy_helper) with --weights. Each output must match PyTorch's within 1e-4 of the
largest magnitude of PyTorch's output. Prints `ok MODEL OUTPUT` or `FAIL ...` per output and
`PASS onnx-seq: N checks` or `FAIL ...`; exits 1 on any failure.
"""
import argparse
import os
import subprocess
import sys
import warnings

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402
from onnx_models import onnx_weights  # noqa: E402


def transformer():
    torch.manual_seed(0)
    m = torch.nn.TransformerEncoderLayer(64, 4, dim_feedforward=128, dropout=0.0,
                                         batch_first=True).eval()
    return m, {"x": torch.randn(2, 16, 64)}, ["y"]


def lstm():
    torch.manual_seed(0)
    m = torch.nn.LSTM(16, 32, num_layers=2).eval()
    return m, {"x": torch.randn(12, 3, 16)}, ["y", "h_n", "c_n"]


MODELS = {"transformer": transformer, "lstm": lstm}


def run(name, args):
    module, inputs, output_names = MODELS[name]()
    stem = os.path.join(args.work, name)
    with torch.no_grad():
        refs = module(*inputs.values())
    # Exported with gradients enabled: under no_grad the encoder layer takes its fused
    # inference path, which has no ONNX export.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, tuple(inputs.values()), stem + ".onnx", opset_version=13,
                          input_names=list(inputs), output_names=output_names)
    refs = [refs] if torch.is_tensor(refs) else [refs[0], *refs[1]]
    onnx_weights(stem + ".onnx", stem + ".weights.safetensors")
    st.write(stem + ".in.safetensors", inputs)
    subprocess.run([args.netc, stem + ".onnx", "-o", stem], check=True)
    subprocess.run([stem, "--threads", str(args.threads), "--weights",
                    stem + ".weights.safetensors", "--inputs", stem + ".in.safetensors",
                    "--outputs", stem + ".out.safetensors"], check=True)
    got = st.read(stem + ".out.safetensors")
    failures = 0
    for out, ref in zip(output_names, refs):
        g = got.get(out)
        if g is None or list(g.shape) != list(ref.shape):
            why = "missing" if g is None else f"shape {list(g.shape)} != {list(ref.shape)}"
        else:
            err = (g.double() - ref.double()).abs().max().item()
            scale = ref.double().abs().max().item()
            why = None if err <= 1e-4 * scale else f"max error {err:.3g} > 1e-4 * {scale:.3g}"
        failures += why is not None
        print(f"ok {name} {out}" if why is None else f"FAIL {name} {out}: {why}")
    return len(output_names), failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="*", default=list(MODELS))
    ap.add_argument("--work", required=True)
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    checks = failures = 0
    for name in args.models:
        c, f = run(name, args)
        checks, failures = checks + c, failures + f
    verdict = "FAIL" if failures else "PASS"
    print(f"{verdict} onnx-seq: {checks} checks" + (f", {failures} failed" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
