#!/usr/bin/python3
"""Data-parallel training on this machine: allreduce cost and 1-rank versus N-rank throughput.

Usage: bench/mpi.py [--netc build/bin/netc] [--ranks 2 4] [--max-bytes 67108864] [--reps 20]
                    [--model examples/lenet.net] [--batch 32] [--steps 400] [--skip-train]

1. Allreduce: bench/mpi_allreduce.c (built with mpicc) times MPI_Allreduce of float sums
   from 4 bytes to --max-bytes on N local ranks (median of --reps, slowest rank). Each N
   gets a least-squares fit of t(n) = a + b * n (weights 1/t, so small and large messages
   count alike) and, for the ring algorithm's cost 2 (p - 1) alpha + 2 (p - 1) / p * n * beta,
   the alpha (latency per message) and beta (seconds per byte) it implies.
2. Throughput: the model (batch --batch per rank, set with sed on its leading input
   extents) trains --steps steps on one rank with all cores, one rank with one thread, and
   N ranks with one thread each; samples per second from the executable's
   "trained S steps in T s" line (rank 0's), a global batch being N * --batch samples.

--project PARAMS STEP_SECONDS prints the alpha-beta projection of docs/distributed.md
instead: the allreduce of PARAMS f32 gradients (allreduce_time) at 8, 64 and 512 ranks on 25 and 100 Gb/s
links (LINKS below), with and without overlap of the backward pass.

Not part of the test suite: run it on a quiet machine. docs/distributed.md holds the
numbers of one run and the projections made from them.
"""

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none")
MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none"]


def allreduce_table(work, ranks, max_bytes, reps):
    exe = os.path.join(work, "mpi_allreduce")
    subprocess.run(["mpicc", "-O2", os.path.join(HERE, "mpi_allreduce.c"), "-o", exe],
                   check=True)
    out = subprocess.run(MPIRUN + ["-np", str(ranks), exe, str(max_bytes), str(reps)],
                         check=True, capture_output=True, text=True, env=ENV).stdout
    return [(int(b), float(t)) for b, t, _ in (line.split() for line in out.splitlines())]


def fit(rows, p):
    n = np.array([r[0] for r in rows], dtype=float)
    t = np.array([r[1] for r in rows], dtype=float)
    w = 1.0 / t
    a, b = np.linalg.lstsq(np.stack([w, n * w], axis=1), t * w, rcond=None)[0]
    alpha = a / (2 * (p - 1))
    beta = b * p / (2 * (p - 1))
    return a, b, alpha, beta


def throughput(args, work):
    src = open(os.path.join(ROOT, args.model)).read()
    # The leading extent of every input is the batch.
    first = re.search(r"input \w+: \w+\[(\d+)", src).group(1)
    src = re.sub(r"(input \w+: \w+\[)" + first + r"\b", r"\g<1>" + str(args.batch), src)
    net = os.path.join(work, "model.net")
    open(net, "w").write(src)
    exe = os.path.join(work, "model")
    subprocess.run([args.netc, net, "-o", exe], check=True)
    rows = []
    for ranks, threads in [(1, 0), (1, 1)] + [(n, 1) for n in args.ranks]:
        cmd = [exe, "--train", "--steps", str(args.steps), "--threads", str(threads)]
        if ranks > 1:
            cmd = MPIRUN + ["-np", str(ranks)] + cmd
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=ENV).stdout
        m = re.search(r"trained (\d+) steps in ([\d.]+) s", out)
        steps, seconds = int(m.group(1)), float(m.group(2))
        rows.append((ranks, threads or os.cpu_count(), steps * ranks * args.batch / seconds))
    return rows


# The projection's network links: (name, bytes per second, alpha per message). The alphas
# are assumptions, not measurements: MPI over TCP on 25 Gb/s Ethernet, over RDMA (RoCE or
# InfiniBand) on 100 Gb/s.
LINKS = [("25 Gb/s", 25e9 / 8, 20e-6), ("100 Gb/s", 100e9 / 8, 3e-6)]


def allreduce_time(p, nbytes, bandwidth, alpha):
    """Rabenseifner's allreduce (reduce-scatter by recursive halving, allgather by recursive
    doubling; what MPI libraries use for large messages): 2 log2(p) messages, and each rank
    sends and receives 2 (p - 1) / p of the buffer, the bandwidth optimum a ring reaches too."""
    return 2 * math.log2(p) * alpha + 2 * (p - 1) / p * nbytes / bandwidth


def project(params, compute, ranks=(8, 64, 512), backward=2 / 3):
    """Step time and efficiency of data-parallel training at `compute` seconds per step
    per rank: without overlap the allreduce follows the backward pass; with bucketing and
    overlap it hides behind the backward pass (`backward` of the step) but for what is
    left over."""
    nbytes = 4 * params
    print(f"| link | ranks | allreduce (ms) | step, no overlap (ms) | efficiency | "
          f"step, overlap (ms) | efficiency |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, bw, alpha in LINKS:
        for p in ranks:
            t = allreduce_time(p, nbytes, bw, alpha)
            plain = compute + t
            overlap = compute + max(0.0, t - backward * compute)
            print(f"| {name} | {p} | {t * 1e3:.1f} | {plain * 1e3:.1f} | {compute / plain:.0%} "
                  f"| {overlap * 1e3:.1f} | {compute / overlap:.0%} |")


def largest_without_overlap(compute, ranks=(8, 64, 512)):
    """The most parameters (f32) whose allreduce, not overlapped, keeps 90% efficiency."""
    print("| link | " + " | ".join(f"{p} ranks" for p in ranks) + " |")
    print("|---|" + "---:|" * len(ranks))
    for name, bw, alpha in LINKS:
        cells = []
        for p in ranks:
            budget = compute / 9 - 2 * math.log2(p) * alpha
            cells.append(f"{budget * bw / (2 * (p - 1) / p) / 4 / 1e6:.1f} M" if budget > 0
                         else "none (latency alone)")
        print(f"| {name} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--netc", default=os.path.join(ROOT, "build", "bin", "netc"))
    ap.add_argument("--ranks", type=int, nargs="+", default=[2, 4])
    ap.add_argument("--max-bytes", type=int, default=64 << 20)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--model", default="examples/lenet.net")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--project", nargs=2, type=float, metavar=("PARAMS", "STEP_SECONDS"),
                    help="only print the projection for a model of PARAMS f32 parameters "
                         "whose train step takes STEP_SECONDS on one rank")
    args = ap.parse_args()
    if args.project:
        params, compute = args.project
        print(f"## Projection: {params / 1e6:.2f} M parameters, {compute * 1e3:.0f} ms per step\n")
        project(params, compute)
        print("\nLargest model (parameters) at 90% efficiency without overlap:\n")
        largest_without_overlap(compute)
        return
    with tempfile.TemporaryDirectory() as work:
        print(f"## MPI_Allreduce (float sum) on this machine, {os.cpu_count()} cores\n")
        tables = {p: allreduce_table(work, p, args.max_bytes, args.reps) for p in args.ranks}
        print("| bytes | " + " | ".join(f"{p} ranks (us)" for p in args.ranks) + " |")
        print("|---:|" + "---:|" * len(args.ranks))
        for i, (size, _) in enumerate(tables[args.ranks[0]]):
            print(f"| {size} | " + " | ".join(f"{tables[p][i][1] * 1e6:.1f}" for p in args.ranks)
                  + " |")
        print("\n| ranks | a (us) | b (ns/byte) | alpha (us) | beta (ns/byte) | GB/s (1/beta) |")
        print("|---:|---:|---:|---:|---:|---:|")
        for p in args.ranks:
            a, b, alpha, beta = fit(tables[p], p)
            print(f"| {p} | {a * 1e6:.2f} | {b * 1e9:.3f} | {alpha * 1e6:.2f} | {beta * 1e9:.3f}"
                  f" | {1 / beta / 1e9:.2f} |")
        if args.skip_train:
            return
        print(f"\n## Training throughput: {args.model}, batch {args.batch} per rank\n")
        print("| ranks | threads each | samples/s | vs 1 rank, all cores |")
        print("|---:|---:|---:|---:|")
        rows = throughput(args, work)
        for ranks, threads, rate in rows:
            print(f"| {ranks} | {threads} | {rate:.0f} | {rate / rows[0][2]:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
