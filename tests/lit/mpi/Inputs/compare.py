"""Compares the tensors of weights files (.npz) against the first one.

usage: compare.py TOL START.npz REFERENCE.npz OTHER.npz ...
The reference must have moved from START (the weights before training) by more than
100 * TOL somewhere, so that a run that trained nothing cannot pass. Each tensor must match the reference's to TOL relative to the reference's largest
magnitude (max |a - b| <= TOL * max |b|), and the files must hold the same names. Prints
one line per file: 'match FILE (N tensors, worst RELERR)' or 'MISMATCH FILE: NAME RELERR'.
"""
import sys

import numpy as np

tol = float(sys.argv[1])
start, ref = np.load(sys.argv[2]), np.load(sys.argv[3])
moved = max(np.abs(ref[n].astype(np.float64) - start[n]).max() / max(np.abs(start[n]).max(), 1e-30)
            for n in ref.files)
if moved <= 100 * tol:
    print(f"MISMATCH {sys.argv[3]}: moved only {moved:.3g} from {sys.argv[2]}")
    sys.exit(1)
status = 0
for path in sys.argv[4:]:
    other = np.load(path)
    if sorted(other.files) != sorted(ref.files):
        print(f"MISMATCH {path}: tensors {sorted(other.files)} != {sorted(ref.files)}")
        status = 1
        continue
    worst, bad = 0.0, None
    for name in ref.files:
        a, b = other[name].astype(np.float64), ref[name].astype(np.float64)
        scale = max(np.abs(b).max(), 1e-30)
        err = np.abs(a - b).max() / scale
        worst = max(worst, err)
        if err > tol and bad is None:
            bad = (name, err)
    if bad:
        print(f"MISMATCH {path}: {bad[0]} {bad[1]:.3g}")
        status = 1
    else:
        print(f"match {path} ({len(ref.files)} tensors, worst {worst:.2g})")
sys.exit(status)
