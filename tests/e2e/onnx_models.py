#!/usr/bin/python3
"""Parity of torchvision's models imported from ONNX and compiled to executables.

usage: onnx_models.py MODEL [MODEL ...] --work DIR [--netc PATH] [--threads N]

MODEL is one of the names in MODELS below (resnet18, resnet18_b8, mobilenet_v2,
squeezenet1_1, vgg11, alexnet, shufflenet_v2_x1_0, efficientnet_b0). For each:
1. the model is built by torchvision 0.14 after torch.manual_seed(0), with batch-norm
   weights and running statistics drawn at random (torchvision_models.randomise_statistics,
   so that inference really uses them), in eval mode, and exported with
   torch.onnx.export(opset_version=13) to DIR/MODEL.onnx (PyTorch folds the batch norms
   into the convolutions);
2. `netc DIR/MODEL.onnx -o DIR/MODEL` compiles it to an executable;
3. the weights are the ONNX file's own initializers, read back with the onnx package
   (numpy_helper) and written as safetensors under their ONNX names (--weights), and a
   batch of random images is the input (--inputs, named as the ONNX graph input);
4. the executable's output is compared with the PyTorch module's on the same input in
   float64 (the f32 weights widened): max |netc - torch| <= 1e-4 max |torch|;
5. the executable run without --weights (the initializers it embeds) gives the same output
   bit for bit;
6. `netc DIR/MODEL.onnx --emit=net -o DIR/MODEL.net` prints the model as .net source (its
   weights beside it), and that source imports to the same IR as the ONNX file
   (`--emit=nn` of both, compared as text).
Prints `ok MODEL: ...` or `FAIL MODEL: ...` per model and exits 1 on any failure.
"""
import argparse
import os
import subprocess
import sys
import time

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402
import torchvision_models as tm  # noqa: E402

sys.path.append("/usr/lib/python3/dist-packages")
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

RTOL = 1e-4
M = torchvision.models
# name: (constructor, batch, image size). VGG-11 and AlexNet need 224: their adaptive
# pooling to 7x7 (6x6) exports only where the feature map is a multiple of it.
MODELS = {
    "resnet18": (M.resnet18, 1, 64),
    "resnet18_b8": (M.resnet18, 8, 32),
    "mobilenet_v2": (M.mobilenet_v2, 1, 64),
    "squeezenet1_1": (M.squeezenet1_1, 1, 64),
    "vgg11": (M.vgg11, 1, 224),
    "alexnet": (M.alexnet, 1, 224),
    "shufflenet_v2_x1_0": (M.shufflenet_v2_x1_0, 1, 64),
    "efficientnet_b0": (M.efficientnet_b0, 1, 64),
}


def export(name, work):
    """Builds, randomises and exports MODEL; returns (module, input, onnx path)."""
    ctor, batch, size = MODELS[name]
    torch.manual_seed(0)
    module = ctor()
    tm.randomise_statistics(module, torch.Generator().manual_seed(1))
    module.eval()
    x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(2))
    path = os.path.join(work, name + ".onnx")
    torch.onnx.export(module, x, path, opset_version=13, input_names=["image"],
                      output_names=["logits"])
    return module, x, path


def onnx_weights(path, out):
    """Writes the float initializers of the ONNX file at `path` as safetensors to `out`, under
    their ONNX names; returns their count. The bytes are the initializers' own (raw_data is
    little-endian f32 already), which keeps VGG-11's half gigabyte quick."""
    model = onnx.load(path)
    entries = []
    for init in model.graph.initializer:
        if init.data_type == onnx.TensorProto.FLOAT:
            raw = init.raw_data or numpy_helper.to_array(init).astype("<f4").tobytes()
            entries.append((init.name, "F32", list(init.dims), raw))
    with open(out, "wb") as f:
        f.write(st.pack(entries))
    return len(entries)


def check(name, args):
    t0 = time.time()
    module, x, path = export(name, args.work)
    exe = os.path.join(args.work, name)
    weights = os.path.join(args.work, name + ".weights.safetensors")
    inputs = os.path.join(args.work, name + ".inputs.safetensors")
    outputs = os.path.join(args.work, name + ".outputs.safetensors")
    count = onnx_weights(path, weights)
    st.write(inputs, {"image": x})
    t1 = time.time()
    subprocess.run([args.netc, path, "-o", exe], check=True)
    t2 = time.time()
    subprocess.run([exe, "--weights", weights, "--inputs", inputs, "--outputs", outputs,
                    "--threads", str(args.threads)], check=True)
    got = st.read(outputs)["logits"].double()
    with torch.no_grad():
        ref = module.double()(x.double())
    err = (got - ref).abs().max().item() / ref.abs().max().item()
    ok = got.shape == ref.shape and err <= RTOL
    print(f"{'ok' if ok else 'FAIL'} {name}: logits {list(got.shape)}, max |diff| / max |ref| = "
          f"{err:.2e} (tolerance {RTOL:.0e}); {count} initializers; export {t1 - t0:.1f} s, "
          f"netc {t2 - t1:.1f} s", flush=True)
    return ok & check_embedded(name, exe, inputs, outputs, args) & check_round_trip(name, path, args)


def check_embedded(name, exe, inputs, outputs, args):
    """Step 5: the embedded initializers are the weights of a run without --weights."""
    again = os.path.join(args.work, name + ".embedded.safetensors")
    subprocess.run([exe, "--inputs", inputs, "--outputs", again, "--threads", str(args.threads)],
                   check=True)
    same = torch.equal(st.read(again)["logits"], st.read(outputs)["logits"])
    print(f"{'ok' if same else 'FAIL'} {name}: the embedded weights give the same logits",
          flush=True)
    return same


def check_round_trip(name, path, args):
    """Step 6: --emit=net source imports to the IR of the ONNX file."""
    source = os.path.join(args.work, name + ".net")
    subprocess.run([args.netc, path, "--emit=net", "-o", source], check=True)
    ir = [subprocess.run([args.netc, f, "--emit=nn"], check=True, capture_output=True,
                         text=True).stdout for f in (path, source)]
    with open(source) as f:
        lines = len(f.read().splitlines())
    same = ir[0] == ir[1]
    print(f"{'ok' if same else 'FAIL'} {name}: --emit=net round trip ({lines} lines of .net)",
          flush=True)
    return same


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", choices=sorted(MODELS))
    parser.add_argument("--work", required=True)
    parser.add_argument("--netc", default="netc")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ok = True
    for name in args.models:
        ok &= check(name, args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
