#!/usr/bin/python3
"""Direct against Winograd convolution: the time of single 3x3 stride-1 layers.

usage: winograd.py [--netc PATH] [--threads T] [--iters N] [--work DIR]

Each layer (resnet8's 64 channels at 56x56, ResNet-18's stride-1 3x3 layers: 64 at 56x56,
128 at 28x28, 256 at 14x14, 512 at 7x7; batch 1, padding 1, bias) is compiled three times,
`--conv-algo=direct`, `winograd2` (F(2x2,3x3)) and `winograd4` (F(4x4,3x3)), into an
executable whose `--bench N --json --threads T` gives the forward time (median of N runs).
The three alternate over 3 rounds; each time is the median over rounds. Prints a Markdown
table with the multiply-adds of the direct convolution per second and what `--conv-algo=auto`
picks on this host for the layer.
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile

LAYERS = [("resnet8 / ResNet-18 conv2_x", 64, 56), ("ResNet-18 conv3_x", 128, 28),
          ("ResNet-18 conv4_x", 256, 14), ("ResNet-18 conv5_x", 512, 7)]
ALGOS = ["direct", "winograd2", "winograd4"]


def sh(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=20)
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="netc-winograd-")
    os.makedirs(work, exist_ok=True)
    print(f"| layer | C | HxW | direct ms | F(2x2) ms | F(4x4) ms | best / direct | "
          f"direct GMAC/s | auto picks |")
    print("|---|---|---|---|---|---|---|---|---|")
    for label, c, hw in LAYERS:
        net = os.path.join(work, f"conv{c}_{hw}.net")
        with open(net, "w") as f:
            f.write(f"model layer {{\n  input x: f32[1, {c}, {hw}, {hw}]\n"
                    f"  output y = conv2d(x, out={c}, kernel=3, padding=1)\n}}\n")
        exes = {}
        for algo in ALGOS:
            exes[algo] = os.path.join(work, f"conv{c}_{hw}_{algo}")
            sh([args.netc, net, f"--conv-algo={algo}", "-o", exes[algo]])
        times = {algo: [] for algo in ALGOS}
        for _ in range(3):
            for algo in ALGOS:
                out = json.loads(sh([exes[algo], "--bench", str(args.iters), "--json",
                                     "--threads", str(args.threads)]).stdout)
                times[algo].append(out["forward_ms"]["median"])
        ms = {algo: statistics.median(times[algo]) for algo in ALGOS}
        env = dict(os.environ, NETC_TUNE_VERBOSE="1")
        picked = sh([args.netc, net, "--emit=halide", "-o", os.devnull], env=env).stderr
        choice = next((w for w in ("direct", "winograd2", "winograd4") if f": {w} (" in picked),
                      "?")
        macs = c * c * 9 * hw * hw
        print(f"| {label} | {c} | {hw}x{hw} | {ms['direct']:.3f} | {ms['winograd2']:.3f} | "
              f"{ms['winograd4']:.3f} | {min(ms.values()) / ms['direct']:.2f} | "
              f"{macs / ms['direct'] / 1e6:.1f} | {choice} |")


if __name__ == "__main__":
    main()
