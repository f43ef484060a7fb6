"""Compares the tensors of weights files (.npz) with a reference.

usage: compare.py [--update] TOL START.npz REFERENCE.npz OTHER.npz ...
The reference must have moved from START (the weights before training) by more than
100 * TOL (relative, in the norm below) in some tensor, so that a run that trained nothing
cannot pass. Each tensor of each OTHER file must match the reference's to TOL in relative
Euclidean norm, ||a - b|| <= TOL * ||b||, and the files must hold the same names. (Adam
divides by the root of a running mean of squared gradients, so an element whose
gradient nearly cancels over the batch moves by float noise amplified; the norm weighs
those few elements by their size, as torch.testing's relative tolerance of a tensor would
not.) Prints one line per file: 'match FILE (N tensors, worst ERR; largest element
difference MAX of the tensor's largest magnitude)' or 'MISMATCH FILE: NAME ERR'.
With --update, each tensor's difference is measured against the reference's change from
START instead of its size (a tensor that did not change: against its size).
"""
import sys

import numpy as np


def rel(a, b):
    a, b = a.astype(np.float64), b.astype(np.float64)
    return np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)


args = sys.argv[1:]
update = args[0] == "--update"
if update:
    args = args[1:]
tol = float(args[0])
start, ref = np.load(args[1]), np.load(args[2])
sys.argv = [sys.argv[0]] + args
moved = max(rel(ref[n], start[n]) for n in ref.files)
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
    worst, element, bad = 0.0, 0.0, None
    for name in ref.files:
        a, b = other[name].astype(np.float64), ref[name].astype(np.float64)
        # --update: relative to the reference's change from START (after one step
        # of SGD, to the gradient), for the tensors that changed.
        base = b - start[name].astype(np.float64) if update else b
        if update and not base.any():
            base = b
        err = np.linalg.norm(a - b) / max(np.linalg.norm(base), 1e-300)
        worst = max(worst, err)
        element = max(element, np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))
        if err > tol and bad is None:
            bad = (name, err)
    if bad:
        print(f"MISMATCH {path}: {bad[0]} {bad[1]:.3g}")
        status = 1
    else:
        print(f"match {path} ({len(ref.files)} tensors, worst {worst:.2g}; largest element "
              f"difference {element:.2g} of the tensor's largest magnitude)")
sys.exit(status)
