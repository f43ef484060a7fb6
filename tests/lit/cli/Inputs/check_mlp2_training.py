"""Replays a training run of examples/mlp2.net in PyTorch (exe-train.test).

Usage: check_mlp2_training.py INITIAL_WEIGHTS DATA LOG FINAL_WEIGHTS
DATA holds x with a leading axis of batches and y of exactly one batch; step i uses
batch i mod count. Compares every printed loss and the final weights.
"""
import re
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import safetensors_io as st  # noqa: E402


def load(path):
    return {k: st.to_torch(v) for k, v in st.read(path)[0].items()}


w, data = load(sys.argv[1]), load(sys.argv[2])
printed = [float(m.group(1)) for m in re.finditer(r"^step \d+/\d+\s+loss (\S+)",
                                                  open(sys.argv[3]).read(), re.M)]
final = load(sys.argv[4])
x, y = data["x"], data["y"]
for k in w:
    w[k].requires_grad_(True)
losses = []
for i in range(len(printed)):
    xb = x[i % x.shape[0]]
    h = torch.tanh(F.linear(xb, w["fc1.weight"], w["fc1.bias"]))
    p = torch.sigmoid(F.linear(h, w["fc2.weight"], w["fc2.bias"]))
    loss = F.binary_cross_entropy(p, y) + 0.001 / 2 * (
        w["fc1.weight"].pow(2).sum() + w["fc2.weight"].pow(2).sum())
    losses.append(loss.item())
    for k in w:
        w[k].grad = None
    loss.backward()
    with torch.no_grad():
        for k in w:
            w[k] -= 0.1 * w[k].grad
for i, (a, b) in enumerate(zip(printed, losses)):
    assert abs(a - b) <= 1e-5 * max(1.0, abs(b)), f"step {i + 1}: printed {a}, torch {b}"
for k in w:
    err = (final[k] - w[k].detach()).abs().max().item()
    assert err <= 1e-5, f"{k}: max abs error {err}"
print(f"{len(printed)} losses and {len(w)} final parameters match PyTorch")
