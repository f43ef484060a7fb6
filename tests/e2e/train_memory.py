#!/usr/bin/python3
"""The train step's peak memory: --emit=stats's prediction against the executable.

usage: train_memory.py --work DIR [--netc PATH] [--tolerance 0.1] MODEL.net [-D NAME=VALUE ...]

Compiles MODEL.net to an executable, runs `EXE --train --steps 3 --threads 2` under
bench/memory.py's launcher (the peak resident set size of that process alone, getrusage's
ru_maxrss) and reads `netc MODEL.net --emit=stats`'s "peak training step" (the executable's
prediction). Prints both and `PASS` when the prediction is within the tolerance of the
measurement (relative), `FAIL` and exit status 1 otherwise. Peak RSS does not depend on
timing: every buffer of the step is touched in every step.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
import memory  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", required=True)
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--tolerance", type=float, default=0.1)
    ap.add_argument("model")
    ap.add_argument("-D", action="append", default=[])
    args = ap.parse_args()
    netc = [args.netc, args.model] + [a for d in args.D for a in ("-D", d)]
    exe = os.path.join(args.work, "model")
    subprocess.run(netc + ["--emit=exe", "-o", exe], check=True)
    env = dict(os.environ)
    _, measured = memory.peak_of([exe, "--train", "--steps", "3", "--threads", "2"], env)
    predicted = memory.predicted(netc, env)
    mib = 2.0 ** 20
    error = (predicted - measured) / measured
    print("measured peak RSS %.1f MiB, predicted %.1f MiB, error %+.1f%%" % (
        measured / mib, predicted / mib, 100 * error))
    ok = abs(error) <= args.tolerance
    print("%s train memory %s: within %.0f%%" % ("PASS" if ok else "FAIL",
                                                  os.path.basename(args.model),
                                                  100 * args.tolerance))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
