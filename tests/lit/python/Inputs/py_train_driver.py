"""Trains a library opened with netc.load for the steps of the executable's
`--train --data` run and checks the same losses (its --log CSV) and the same
weights; state_dict and load_state_dict carry the trained state to a fresh model.

Usage: py_train_driver.py LIBRARY DATA.npz STEPS DRIVER_LOG.csv DRIVER_WEIGHTS OUT_DIR
"""

import csv
import os
import sys

import numpy as np

import netc

library, data, steps, log, driver_weights, out = sys.argv[1:]
steps = int(steps)
model = netc.load(library)
batches = np.load(data)
print("loaded", model.name, "losses", model.losses)

losses = []
for i in range(steps):
    batch = {name: batches[name][i % len(batches[name])] for name in batches.files}
    losses.append(model.train_step(batch))
assert model.steps == steps, model.steps

with open(log) as f:
    driver = [float(row["loss"]) for row in csv.DictReader(f)]
assert len(driver) == steps, driver
for i, (mine, theirs) in enumerate(zip(losses, driver)):
    print("step %d loss %.8g driver %.8g" % (i + 1, mine, theirs))
    assert abs(mine - theirs) <= 1e-6 * max(1.0, abs(theirs)), (i, mine, theirs)
print("losses equal the driver's")

# The same weights, bit for bit: written by this model, and read back into another.
mine = os.path.join(out, "python.safetensors")
model.save_weights(mine)
with open(mine, "rb") as a, open(driver_weights, "rb") as b:
    assert a.read() == b.read(), "the weights differ from the driver's"
print("saved weights equal the driver's")

state = model.state_dict()
other = netc.load(library, seed=5)
assert any(not np.array_equal(state[k], v) for k, v in other.state_dict().items())
other.load_weights(driver_weights)
assert all(np.array_equal(state[k], v) for k, v in other.state_dict().items())
print("load_weights of the driver's file gives the same state_dict")

# state_dict is a copy; load_state_dict restores it exactly.
fresh = netc.load(library, seed=9)
fresh.load_state_dict(state)
state[next(iter(state))][...] = 0
copy = os.path.join(out, "fresh.safetensors")
fresh.save_weights(copy)
with open(copy, "rb") as a, open(driver_weights, "rb") as b:
    assert a.read() == b.read(), "load_state_dict did not restore the weights"
print("state_dict round trip is exact")
