"""Prints 'same' when two trained weight files moved a tensor away from the same
initial weights by the same step: max |(a - init) - (b - init)| at most 1e-5 of
max |b - init|, which must not be 0 (the step changed something)."""
import sys

sys.path.insert(0, sys.argv[1])
import safetensors  # noqa: E402  (tests/e2e/safetensors.py)

init, a, b = (safetensors.read(p)[sys.argv[5]] for p in sys.argv[2:5])
step = (b - init).abs().max().item()
diff = ((a - init) - (b - init)).abs().max().item()
print("same" if step > 0 and diff <= 1e-5 * step else "differ", diff, step)
