#!/usr/bin/python3
"""Writes torchvision's weights for examples/resnet18.net (and the other torchvision examples)
as safetensors, with an input file.

usage: torchvision_weights.py MODEL --out W.safetensors [--inputs I.safetensors]
                              [--seed N] [--batch B] [--size H] [--from STATE_DICT.pt]

MODEL is resnet18, mobilenet_v2, efficientnet_b0 (torchvision 0.14's models) or unet (the
PyTorch twin of examples/unet.net in torchvision_models.py). The weights are those of the
model built after torch.manual_seed(N), with batch-norm statistics drawn at random too (see
torchvision_models.randomise_statistics), or those of a saved state_dict (--from, e.g.
pretrained weights saved with torch.save(model.state_dict(), PATH)). Every tensor of the
state_dict is written under its own name: parameters and buffers (running_mean, running_var
as f32, num_batches_tracked as i64), which are the names the example's parameters have, so
the compiled model loads the file with --weights. --inputs also writes a batch of B random
images of H x H (x) and targets (class indices, or masks for the U-Net), named as the
example's inputs; compile the example with the same sizes: netc examples/MODEL.net -D B=B
-D H=H.
"""
import argparse
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402
import torchvision_models as tm  # noqa: E402


def state(module):
    """The state_dict as written: floating tensors in f32, num_batches_tracked in i64."""
    out = {}
    for k, v in module.state_dict().items():
        v = v.detach().clone()
        out[k] = v.to(torch.int64) if k.endswith("num_batches_tracked") else v.to(torch.float32)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", choices=sorted(tm.SPECS))
    ap.add_argument("--out", required=True, help="the weights (safetensors)")
    ap.add_argument("--inputs", help="also write a batch of inputs here (safetensors)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=1, help="B of the inputs")
    ap.add_argument("--size", type=int, default=224, help="H of the inputs")
    ap.add_argument("--from", dest="source", help="load this torch.save'd state_dict instead "
                    "of drawing weights")
    ap.add_argument("--list", action="store_true", help="print the names and shapes written")
    args = ap.parse_args()

    module = tm.build(args.model, args.seed)
    if args.source:
        module.load_state_dict(torch.load(args.source, map_location="cpu"), strict=True)
    weights = state(module)
    st.write(args.out, weights)
    if args.list:
        for k, v in weights.items():
            print(f"{k} {str(v.dtype).replace('torch.', '')} {list(v.shape)}")
    if args.inputs:
        gen = torch.Generator().manual_seed(args.seed + 1)
        st.write(args.inputs, tm.SPECS[args.model].inputs(args.batch, args.size, gen))
    print(f"wrote {len(weights)} tensors to {args.out}"
          + (f" and inputs of batch {args.batch}, {args.size}x{args.size} to {args.inputs}"
             if args.inputs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
