#!/usr/bin/python3
"""Compile time against depth: a plain MLP and a residual network at depth 8, 32 and 128.

Both models have a loss and an optimizer, so every compile builds the forward function and the
train step (`netc MODEL.net -D N=DEPTH -o EXE`, wall clock, the compile cache off). Compile time
that grows linearly with depth gives a constant time per layer (the last column).

  compile_scaling.py --netc build/bin/netc --work DIR [--depths 8 32 128]
"""

import argparse
import os
import subprocess
import sys
import time

MODELS = {
    "mlp": """# N blocks of linear + relu, 256 wide.
const N = 8
model mlp {
  input x: f32[32, 256]
  input t: f32[32, 256]
  repeat N { x = relu(linear(x, out=256)) }
  output y = x
  loss mse(y, t)
  train sgd(lr=0.01)
}
""",
    "resnet": """# N basic residual blocks (two 3x3 convolutions) of 16 channels at 32x32.
const N = 8
model resnet {
  input x: f32[1, 16, 32, 32]
  input t: f32[1, 16, 32, 32]
  repeat N {
    h = relu(conv2d(x, out=16, kernel=3, padding=1))
    x = relu(conv2d(h, out=16, kernel=3, padding=1) + x)
  }
  output y = x
  loss mse(y, t)
  train sgd(lr=0.01, momentum=0.9)
}
""",
}


def measure(netc, work, depths, env=None):
    """[(model, depth, layers, seconds)]: layers counts the linear or conv2d layers."""
    rows = []
    for name, source in MODELS.items():
        path = os.path.join(work, "scaling_%s.net" % name)
        with open(path, "w") as f:
            f.write(source)
        for n in depths:
            exe = os.path.join(work, "scaling_%s_%d" % (name, n))
            t0 = time.perf_counter()
            subprocess.run([netc, path, "-D", "N=%d" % n, "--no-compile-cache", "-o", exe],
                           check=True, capture_output=True, env=env)
            layers = n * (2 if name == "resnet" else 1)
            rows.append((name, n, layers, time.perf_counter() - t0))
            print("  %s depth %d: %.1f s" % (name, n, rows[-1][3]), flush=True)
    return rows


def markdown(rows):
    lines = ["", "## Compile time against depth", "",
             "bench/compile_scaling.py: a plain MLP (linear + relu, 256 wide) and a residual "
             "network (basic blocks of 16 channels at 32x32), forward and train step, compile "
             "cache off.", "",
             "| model | depth | layers | seconds | ms per layer |", "|---|---:|---:|---:|---:|"]
    for name, n, layers, secs in rows:
        lines.append("| %s | %d | %d | %.1f | %.0f |" % (name, n, layers, secs,
                                                        secs * 1e3 / layers))
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--netc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--depths", type=int, nargs="*", default=[8, 32, 128])
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    print("\n".join(markdown(measure(args.netc, args.work, args.depths))))


if __name__ == "__main__":
    sys.exit(main())
