"""The run-time hyperparameters from Python: `hypers`, `lr` and `set_hyper`.

Usage: py_hyper.py LIBRARY  (examples/digits_py.net with B=8: adam, lr 0.002)
"""

import sys

import numpy as np

import netc

model = netc.load(sys.argv[1])
print("hypers", sorted(model.hypers.items()))
rng = np.random.default_rng(0)
batch = {"image": rng.random((8, 1, 8, 8)), "label": rng.integers(0, 10, 8)}

# lr 0: adam moves nothing.
model.lr = 0.0
print("lr", model.lr)
before = model.state_dict()
model.train_step(batch)
after = model.state_dict()
print("lr 0 leaves the weights:", all(np.array_equal(before[k], after[k]) for k in before))

# Two models from one seed, one set to lr 0.01 through set_hyper and one through lr, take
# the same step, unlike a third that keeps the compiled 0.002.
a, b, c = netc.load(sys.argv[1]), netc.load(sys.argv[1]), netc.load(sys.argv[1])
a.set_hyper("lr", 0.01)
b.lr = 0.01
for m in (a, b, c):
    m.train_step(batch)
sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
print("set_hyper equals lr:", all(np.array_equal(sa[k], sb[k]) for k in sa))
print("0.01 differs from 0.002:", any(not np.array_equal(sa[k], sc[k]) for k in sa))
try:
    model.set_hyper("momentum", 0.9)
except RuntimeError as e:
    print("unknown hyper: RuntimeError:", e)
