#!/usr/bin/python3
"""PyTorch at its best: the memory allocator under which it runs fastest on this machine.

PyTorch frees its activations after every op. glibc's malloc hands large freed blocks back to
the kernel (munmap, trim), so the next op faults the same pages in again; on virtual machines
that can cost PyTorch several times its compute. netc's executables tune their own heap, so a
fair comparison tunes PyTorch's too. The candidates:

  glibc         the default settings
  glibc-tuned   MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ and MALLOC_TOP_PAD_ set so that
                freed blocks stay mapped
  jemalloc      libjemalloc2, through LD_PRELOAD (when installed)
  tcmalloc      libtcmalloc-minimal4, through LD_PRELOAD (when installed)

`choose()` times a probe of PyTorch work (the forward of the seed CNN, whose activations are
large, and a train step of resnet8) under each candidate, each in a fresh interpreter since the
allocator is fixed when a process starts, and returns the fastest. bench.py re-executes itself
under it (`run_under_best`); NETC_BENCH_ALLOCATOR=NAME skips the probe and picks NAME.

  allocators.py            prints the probe's times under every candidate and the choice
  allocators.py probe      (internal) times the probe in this process; prints JSON
"""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LIBDIR = "/usr/lib/x86_64-linux-gnu"
TUNED = {"MALLOC_MMAP_THRESHOLD_": "1000000000", "MALLOC_TRIM_THRESHOLD_": "100000000000",
         "MALLOC_TOP_PAD_": "1000000000"}
CANDIDATES = [
    ("glibc", {}),
    ("glibc-tuned", TUNED),
    ("jemalloc", {"LD_PRELOAD": os.path.join(LIBDIR, "libjemalloc.so.2")}),
    ("tcmalloc", {"LD_PRELOAD": os.path.join(LIBDIR, "libtcmalloc_minimal.so.4")}),
]
# Every variable a candidate sets: cleared from the inherited environment first, so that
# each candidate runs under its own settings alone.
VARIABLES = sorted({k for _, env in CANDIDATES for k in env})


def available():
    """The candidates whose libraries are present."""
    return [(name, env) for name, env in CANDIDATES
            if "LD_PRELOAD" not in env or os.path.exists(env["LD_PRELOAD"])]


def environment(env):
    out = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    out.update(env)
    return out


def probe():
    """Milliseconds of the probe in this process: the best of a few medians per workload."""
    import statistics

    import torch
    sys.path.insert(0, HERE)
    from torch_models import MODELS
    torch.set_num_threads(os.cpu_count() or 1)
    total = 0.0
    for name, step in (("cnn", "forward"), ("resnet8", "train_step")):
        torch.manual_seed(0)
        fn = getattr(MODELS[name](), step)
        fn()
        best = float("inf")
        for _ in range(3):
            ms = []
            for _ in range(5):
                t0 = time.perf_counter()
                fn()
                ms.append((time.perf_counter() - t0) * 1e3)
            best = min(best, statistics.median(ms))
        total += best
    return total


def choose():
    """(name, env, {name: probe ms}) of the fastest available candidate."""
    times = {}
    for name, env in available():
        try:
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "probe"],
                                 env=environment(env), check=True, capture_output=True,
                                 text=True).stdout
            times[name] = json.loads(out.strip().splitlines()[-1])["ms"]
        except (OSError, subprocess.CalledProcessError, ValueError, IndexError):
            continue  # a candidate that cannot run PyTorch is no candidate
    best = min(times, key=times.get)
    return best, dict(CANDIDATES)[best], times


def run_under_best():
    """In bench.py before PyTorch is imported: re-executes this process under the fastest
    allocator (once), and returns (name, {name: probe ms}) in the re-executed process."""
    chosen = os.environ.get("NETC_BENCH_ALLOCATOR")
    if chosen and os.environ.get("NETC_BENCH_ALLOCATOR_TIMES"):
        return chosen, json.loads(os.environ["NETC_BENCH_ALLOCATOR_TIMES"])
    if chosen:
        if chosen not in dict(CANDIDATES):
            sys.exit("NETC_BENCH_ALLOCATOR=%s: not one of %s" % (
                chosen, ", ".join(n for n, _ in CANDIDATES)))
        name, env, times = chosen, dict(CANDIDATES)[chosen], {}
    else:
        print("allocator probe ...", flush=True)
        name, env, times = choose()
        print("  " + "  ".join("%s %.1f ms" % kv for kv in times.items()) +
              "  -> " + name, flush=True)
    env = environment(env)
    env["NETC_BENCH_ALLOCATOR"] = name
    env["NETC_BENCH_ALLOCATOR_TIMES"] = json.dumps(times)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


if __name__ == "__main__":
    if sys.argv[1:] == ["probe"]:
        print(json.dumps({"ms": probe()}))
    else:
        name, _, times = choose()
        for n, ms in times.items():
            print("%-12s %8.1f ms%s" % (n, ms, "  <- fastest" if n == name else ""))
