#!/usr/bin/python3
"""netc against PyTorch: times, ratios, GFLOP/s; writes bench/RESULTS.md and ratios.svg.

Run through bench/run.sh, which builds netc first. For every model and pass
(forward, train step) and for 1 thread and all cores, the compiled
executable (`MODEL --bench N --json --threads T`) and PyTorch alternate in
rounds on the same machine; each side's time is the median over rounds of
the per-round medians. FLOP counts come from `netc --emit=stats`, the peak
from bench/peak.c (fp32 FMAs, -O3 -march=native).

With `--baseline OTHER_NETC` (run.sh's `--baseline REV` builds one from a git
revision) every model is also compiled by that netc and timed in the same
rounds, which gives the column "netc / baseline": a change's effect on speed
measured on the same machine in the same run.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import allocators  # noqa: E402

if __name__ == "__main__":
    # PyTorch runs under the allocator fastest for it here (bench/allocators.py): this
    # process starts again under it before PyTorch is imported.
    ALLOCATOR, ALLOCATOR_TIMES = allocators.run_under_best()
import torch  # noqa: E402
from torch_models import MODELS  # noqa: E402
import chart  # noqa: E402
import compile_scaling  # noqa: E402
import memory  # noqa: E402

TRANSFORMER = {"B": 8, "T": 128, "D": 256, "HEADS": 8, "FF": 1024}
# (name, .net file, passes timed, issue-7 targets per pass: ratio netc/PyTorch at most).
BENCHES = [
    ("cnn", "examples/cnn.net", ["forward"], {"forward": 0.33}),
    ("cnn_train", "bench/models/cnn_train.net", ["train_step"], {"train_step": 0.5}),
    ("cnn_conv1", "bench/models/cnn_conv1.net", ["forward"], {}),
    ("cnn_conv2", "bench/models/cnn_conv2.net", ["forward"], {}),
    ("cnn_conv3", "bench/models/cnn_conv3.net", ["forward"], {}),
    ("resnet8", "bench/models/resnet8.net", ["forward", "train_step"],
     {"forward": 0.7, "train_step": 0.8}),
    ("mlpirate", "examples/mlpirate.net", ["forward", "train_step"], {"train_step": 0.8}),
    ("mlp2", "examples/mlp2.net", ["train_step"], {"train_step": 0.1}),
    ("lenet", "examples/lenet.net", ["train_step"], {"train_step": 0.1}),
    # torchvision's ResNet-18 at 224x224 (PyTorch: torchvision.models.resnet18), batch 1 and 8.
    ("resnet18_b1", ("examples/resnet18.net", {"B": 1}), ["forward", "train_step"], {}),
    ("resnet18_b8", ("examples/resnet18.net", {"B": 8}), ["forward", "train_step"], {}),
    # torchvision's MobileNetV2 at 224x224, batch 1 (depthwise convolutions).
    ("mobilenet_v2_b1", ("examples/mobilenet_v2.net", {"B": 1}), ["forward"], {"forward": 0.8}),
    # One pre-norm transformer layer (nn.TransformerEncoderLayer) at a working size:
    # 8 sequences of 128 tokens, width 256, 8 heads, MLP 1024.
    ("transformer", ("examples/transformer.net", TRANSFORMER),
     ["forward", "train_step"], {"forward": 0.8, "train_step": 0.9}),
]
# Examples compiled only for the compile-time column (target: 10 s each).
COMPILE_ONLY = ["examples/residual.net", "examples/dropout2.net", "examples/embedding.net",
                "examples/foo.net"]


def sh(cmd, **kw):
    # netc, its executables and the peak run under their own allocator settings, not
    # PyTorch's.
    kw.setdefault("env", allocators.environment({}))
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def machine_info(netc):
    info = {}
    try:
        lscpu = sh(["lscpu"])
        for key in ("Model name", "CPU(s)", "Thread(s) per core", "L2 cache", "L3 cache"):
            m = re.search(r"^%s:\s*(.+)$" % re.escape(key), lscpu, re.M)
            if m:
                info[key] = m.group(1).strip()
        flags = re.search(r"^Flags:\s*(.+)$", lscpu, re.M)
        if flags:
            f = flags.group(1).split()
            info["SIMD"] = " ".join(x for x in ("avx2", "fma", "avx512f") if x in f)
    except (OSError, subprocess.CalledProcessError):
        pass
    with open("/proc/meminfo") as f:
        info["Memory"] = "%.0f GiB" % (int(f.readline().split()[1]) / 2**20)
    info["Kernel"] = platform.release()
    info["netc"] = sh([netc, "--version"]).strip().replace("\n", "; ")
    info["PyTorch"] = torch.__version__
    onednn = re.search(r"MKL-DNN v([\d.]+)", torch.__config__.show())
    info["oneDNN (in PyTorch)"] = onednn.group(1) if onednn else "?"
    try:
        info["OpenBLAS"] = sh(["dpkg-query", "-W", "-f=${Version}", "libopenblas0-pthread"])
    except (OSError, subprocess.CalledProcessError):
        info["OpenBLAS"] = "not installed"
    info["C compiler"] = sh(["cc", "--version"]).splitlines()[0]
    info["Python"] = platform.python_version()
    probe = ", ".join("%s %.1f ms" % kv for kv in ALLOCATOR_TIMES.items())
    info["PyTorch's allocator"] = ALLOCATOR + (
        " (the fastest for PyTorch here; bench/allocators.py's probe: %s)" % probe
        if probe else " (NETC_BENCH_ALLOCATOR)")
    return info


def measure_peak(work, threads_list):
    exe = os.path.join(work, "peak")
    sh(["cc", "-O3", "-march=native", "-pthread", os.path.join(HERE, "peak.c"), "-o", exe])
    peak = {}
    for t in threads_list:
        # The best of three: the peak is what the machine can do.
        peak[t] = max(json.loads(sh([exe, str(t), "0.5"]))["gflops"] for _ in range(3))
    return peak


def net_args(net):
    """The netc arguments of a BENCHES .net entry ("FILE", or ("FILE", {CONST: VALUE}) for
    -D overrides) and its label in the compile-time table."""
    if isinstance(net, str):
        return [os.path.join(ROOT, net)], net
    path, defines = net
    flags = [f for k, v in defines.items() for f in ("-D", "%s=%s" % (k, v))]
    return [os.path.join(ROOT, path)] + flags, " ".join([path] + flags)


def flops(netc, net):
    out = sh([netc] + net_args(net)[0] + ["--emit=stats"])

    def grab(label):
        m = re.search(r"^%s\s+([\d,]+) FLOP" % label, out, re.M)
        return int(m.group(1).replace(",", "")) if m else 0

    fwd, bwd = grab("forward"), grab("backward")
    return {"forward": fwd, "train_step": fwd + bwd}


def uncached(netc):
    """The flag that keeps `netc` from copying a model compiled before out of its compile
    cache, so that compile times measure the compiler; none for a netc without that cache
    (a --baseline of an older revision)."""
    if netc not in _UNCACHED:
        help_text = subprocess.run([netc, "--help"], capture_output=True, text=True).stdout
        _UNCACHED[netc] = ["--no-compile-cache"] if "--no-compile-cache" in help_text else []
    return _UNCACHED[netc]


_UNCACHED = {}


def compile_model(netc, net, exe):
    t0 = time.perf_counter()
    sh([netc] + net_args(net)[0] + uncached(netc) + ["-o", exe])
    return time.perf_counter() - t0


def time_torch(fn, iters):
    ms = []
    for _ in range(iters):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ms)


def fresh(name):
    """The model with PyTorch's seeded initialisation, as each netc run starts
    from its own seeded weights: train steps then see the same weights in
    every round (weights that drift over many steps can change the speed)."""
    torch.manual_seed(0)
    return MODELS[name]()


def time_exe(exe, iters, t, passes, runs):
    out = json.loads(sh([exe, "--bench", str(iters), "--json", "--threads", str(t)]))
    for p in passes:
        runs[p].append(out[p + "_ms"]["median"])


def bench_model(name, exe, passes, threads, rounds, budget, base_exe=None):
    results = {}
    for t in threads:
        torch.set_num_threads(t)
        spec = fresh(name)
        for p in passes:  # warm-up, then the iteration count from one run
            getattr(spec, p)()
        t0 = time.perf_counter()
        for p in passes:
            getattr(spec, p)()
        one = time.perf_counter() - t0
        iters = max(3, min(200, int(budget / max(one, 1e-6))))
        netc_runs = {p: [] for p in passes}
        base_runs = {p: [] for p in passes}
        torch_runs = {p: [] for p in passes}
        sides = ["netc", "torch"] + (["base"] if base_exe else [])
        for r in range(rounds):
            # Rotate which side goes first so drifts in machine load hit all.
            order = sides[r % len(sides):] + sides[:r % len(sides)]
            for side in order:
                if side == "netc":
                    time_exe(exe, iters, t, passes, netc_runs)
                elif side == "base":
                    time_exe(base_exe, iters, t, passes, base_runs)
                else:
                    # Like the executable: fresh weights, one warm-up run, N timed runs.
                    spec = fresh(name)
                    for p in passes:
                        getattr(spec, p)()
                        torch_runs[p].append(time_torch(getattr(spec, p), iters))
        for p in passes:
            results[(p, t)] = {
                "netc": statistics.median(netc_runs[p]),
                "torch": statistics.median(torch_runs[p]),
                "base": statistics.median(base_runs[p]) if base_exe else None,
                "iters": iters,
            }
    return results


def write_results(path, info, peak, rows, compile_times, load_before, load_after, args,
                  memory_rows=(), scaling_rows=()):
    threads = sorted(peak)
    lines = ["# netc against PyTorch", "",
             "Generated by `bench/run.sh` (%s). Do not edit by hand." %
             time.strftime("%Y-%m-%d %H:%M %Z"), "",
             "## Machine", "", "| | |", "|---|---|"]
    for k, v in info.items():
        lines.append("| %s | %s |" % (k, v))
    lines.append("| Load average before / after | %s / %s (1, 5, 15 min; %d cores) |" % (
        ", ".join("%.2f" % x for x in load_before), ", ".join("%.2f" % x for x in load_after),
        os.cpu_count()))
    lines.append("| Measured fp32 peak (bench/peak.c) | %s |" % ", ".join(
        "%.1f GFLOP/s on %d thread%s" % (peak[t], t, "s" if t > 1 else "") for t in threads))
    lines += ["", "## Times", "",
              "Medians in ms over %d alternating rounds (each round: the median of N runs of "
              "each side). Ratio = netc / PyTorch (below 1: netc is faster); target from issue 7. "
              "GFLOP/s from `netc --emit=stats` FLOP counts; %% of peak against the measured "
              "peak on the same number of threads. The counts are the direct convolution's: "
              "where netc's default `--conv-algo=auto` times Winograd's F(2x2, 3x3) faster, "
              "it does fewer, and its %% of peak can pass 100%%." % args.rounds, "",
              "| model | pass | threads | netc ms | PyTorch ms | ratio | target | netc GFLOP/s "
              "(% peak) | PyTorch GFLOP/s (% peak) |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        pk = peak[row["threads"]]
        g_n = row["flop"] / row["netc"] / 1e6
        g_t = row["flop"] / row["torch"] / 1e6
        target = row.get("target")
        verdict = ""
        if target is not None:
            verdict = "%.2f %s" % (target, "met" if row["ratio"] <= target else "**missed**")
        lines.append("| %s | %s | %d | %.3f | %.3f | %.2f | %s | %.1f (%.0f%%) | %.1f (%.0f%%) |" % (
            row["model"], row["pass"].replace("_", " "), row["threads"], row["netc"], row["torch"],
            row["ratio"], verdict or "-", g_n, 100 * g_n / pk, g_t, 100 * g_t / pk))
    missed = [r for r in rows if r.get("target") is not None and r["ratio"] > r["target"]]
    if missed:
        lines += ["", "## Missed targets against the peak", "",
                  "The lowest ratio netc could reach were it to run at the measured peak "
                  "(PyTorch's time at the peak over its measured time, i.e. PyTorch's % of "
                  "peak): a target below it cannot be met by any schedule of the same FLOPs.",
                  "", "| model | pass | threads | ratio | target | ratio at 100% of peak |",
                  "|---|---|---:|---:|---:|---:|"]
        for row in missed:
            at_peak = row["flop"] / peak[row["threads"]] / 1e6 / row["torch"]
            lines.append("| %s | %s | %d | %.2f | %.2f | %.2f |" % (
                row["model"], row["pass"].replace("_", " "), row["threads"], row["ratio"],
                row["target"], at_peak))
    based = [r for r in rows if r.get("base")]
    if based:
        lines += ["", "## Against the baseline netc", "",
                  "The same models compiled by the baseline netc (`%s`) and timed in the same "
                  "rounds. Ratio = this netc / baseline (above 1: this netc is slower)." %
                  args.baseline, "",
                  "| model | pass | threads | netc ms | baseline ms | ratio |",
                  "|---|---|---:|---:|---:|---:|"]
        for row in based:
            lines.append("| %s | %s | %d | %.3f | %.3f | %.3f |" % (
                row["model"], row["pass"].replace("_", " "), row["threads"], row["netc"],
                row["base"], row["netc"] / row["base"]))
    lines += memory.markdown(memory_rows)
    lines += ["", "![ratios netc/PyTorch](ratios.svg)", "",
              "## Compile time", "",
              "`netc MODEL.net --no-compile-cache -o EXE`, wall clock, one at a time "
              "(target: at most 10 s).", "",
              "| model | seconds |", "|---|---:|"]
    for net, secs in compile_times:
        lines.append("| %s | %.1f |" % (net, secs))
    if scaling_rows:
        lines += compile_scaling.markdown(scaling_rows)
    lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--netc", required=True)
    ap.add_argument("--work", required=True, help="folder for executables")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--budget", type=float, default=0.5,
                    help="seconds per side per round, roughly (sets N)")
    ap.add_argument("--only", nargs="*", help="model names to run (default: all)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--baseline", help="another netc to time against in the same rounds")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ncores = os.cpu_count()
    threads = [1] if ncores == 1 else [1, ncores]

    load_before = loadavg()
    info = machine_info(args.netc)
    print("peak ...", flush=True)
    peak = measure_peak(args.work, threads)
    rows, compile_times, memory_rows = [], [], []
    for name, net, passes, targets in BENCHES:
        if args.only and name not in args.only:
            continue
        exe = os.path.join(args.work, name)
        secs = compile_model(args.netc, net, exe)
        compile_times.append((net_args(net)[1], secs))
        base_exe = None
        if args.baseline:
            base_exe = exe + ".baseline"
            compile_model(args.baseline, net, base_exe)
        fl = flops(args.netc, net)
        print("%s: compiled in %.1f s, timing ..." % (name, secs), flush=True)
        res = bench_model(name, exe, passes, threads, args.rounds, args.budget, base_exe)
        for p in passes:
            for t in threads:
                r = res[(p, t)]
                row = {"model": name, "pass": p, "threads": t, "netc": r["netc"],
                       "torch": r["torch"], "ratio": r["netc"] / r["torch"], "flop": fl[p],
                       "target": targets.get(p), "base": r["base"]}
                rows.append(row)
                print("  %-10s %d thr: netc %9.3f ms  torch %9.3f ms  ratio %.2f%s" % (
                    p, t, r["netc"], r["torch"], row["ratio"],
                    "  vs baseline %.3f" % (r["netc"] / r["base"]) if r["base"] else ""),
                    flush=True)
        if "train_step" in passes:
            m = memory.measure(name, exe, [args.netc] + net_args(net)[0], threads[-1],
                               allocators.environment({}), dict(os.environ))
            memory_rows.append((name, threads[-1], m))
            print("  memory: netc %.0f MiB, PyTorch %.0f MiB" % (
                m["netc"] / 2**20, m["torch"] / 2**20), flush=True)
    scaling_rows = []
    if not args.only:
        for net in COMPILE_ONLY:
            exe = os.path.join(args.work, os.path.splitext(os.path.basename(net))[0])
            compile_times.append((net, compile_model(args.netc, net, exe)))
        print("compile time against depth ...", flush=True)
        scaling_rows = compile_scaling.measure(args.netc, args.work, [8, 32, 128],
                                               env=allocators.environment({}))
    load_after = loadavg()
    write_results(args.out, info, peak, rows, compile_times, load_before, load_after, args,
                  memory_rows, scaling_rows)
    chart.write_svg(os.path.join(os.path.dirname(args.out), "ratios.svg"), rows, threads)
    print("wrote %s" % args.out)


if __name__ == "__main__":
    main()
