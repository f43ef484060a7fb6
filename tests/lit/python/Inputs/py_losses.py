import sys

import numpy as np

import netc

model = netc.load(sys.argv[1])
print("losses", model.losses)
batch = {"x": np.ones((4, 3)), "t": np.zeros((4, 2))}
try:
    model.train_step(batch)
except ValueError as e:
    print("no loss=: ValueError:", e)


def changed(before, after):
    return sorted(k.split(".")[0] for k in before if not np.array_equal(before[k], after[k]))


before = model.state_dict()
model.train_step(batch, loss="first")
after = model.state_dict()
print("first trains a only:", changed(before, after) == ["a", "a"])
model.train_step(batch, loss="second")
print("second trains b only:", changed(after, model.state_dict()) == ["b", "b"])
print("steps", model.steps)
