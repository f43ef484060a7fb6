"""netc.compile of a small CNN, weights set through load_state_dict: forward and
one train step (loss, updated parameters) against PyTorch on the same weights."""

import sys

import numpy as np
import torch
import torch.nn.functional as F

import netc

source, out = sys.argv[1], sys.argv[2]
model = netc.compile(source, out=out)
print("compiled", model.name, [t.name for t in model.inputs], [t.name for t in model.outputs])

rng = np.random.default_rng(7)
weights = {t.name: (rng.standard_normal(t.shape) * 0.3).astype(np.float32) for t in model.params}
model.load_state_dict(weights)
x = rng.standard_normal((4, 3, 10, 10))  # float64: converted to the input's float32
y = rng.integers(0, 5, 4)


def twin(w, x):
    h = F.relu(F.conv2d(x, w["c1.weight"], w["c1.bias"], padding=1))
    h = F.max_pool2d(h, 2)
    h = F.relu(F.conv2d(h, w["c2.weight"], w["c2.bias"], stride=2))
    return F.linear(h.flatten(1), w["fc.weight"], w["fc.bias"])


w = {k: torch.tensor(v, requires_grad=True) for k, v in weights.items()}
tx = torch.tensor(x, dtype=torch.float32)
logits = twin(w, tx)
got = model.forward(x=x, y=y)["logits"]
err = float(np.abs(got - logits.detach().numpy()).max())
print("forward max error %.2e" % err)
assert got.dtype == np.float32 and got.shape == (4, 5)
assert err < 1e-5, err

loss = F.cross_entropy(logits, torch.tensor(y))
loss.backward()
got_loss = model.train_step(x=x, y=y)
print("loss error %.2e" % abs(got_loss - loss.item()))
assert abs(got_loss - loss.item()) < 1e-5
state = model.state_dict()
worst = max(float(np.abs(state[k] - (w[k] - 0.1 * w[k].grad).detach().numpy()).max())
            for k in weights)
print("sgd update max error %.2e" % worst)
assert worst < 1e-5, worst
assert model.steps == 1
print("forward and train step match PyTorch")
