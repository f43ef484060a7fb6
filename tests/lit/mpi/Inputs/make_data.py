"""Writes seeded training samples for a model's inputs as .npz (numpy only).

usage: make_data.py OUT.npz N NAME:KIND:SHAPE ...
  KIND is f (float32, U(-1, 1)), p (float32, U(0, 1)) or iK (int64 in [0, K));
  SHAPE is the shape of one sample, 'x'-separated (empty for a scalar sample).
"""
import sys

import numpy as np

out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(1234)
arrays = {}
for spec in sys.argv[3:]:
    name, kind, shape = spec.split(":")
    dims = [n] + [int(d) for d in shape.split("x") if d]
    if kind == "f":
        arrays[name] = rng.uniform(-1, 1, dims).astype(np.float32)
    elif kind == "p":
        arrays[name] = rng.uniform(0, 1, dims).astype(np.float32)
    else:
        arrays[name] = rng.integers(0, int(kind[1:]), dims).astype(np.int64)
np.savez(out, **arrays)
