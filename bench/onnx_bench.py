#!/usr/bin/python3
"""Exported torchvision models: netc's executables against PyTorch eager, forward pass.

Run through bench/onnx.sh, which builds netc first. Every model of MODELS (torchvision 0.14,
random weights after torch.manual_seed(0), eval mode) is exported with torch.onnx.export
(opset 13, 224x224 images) at each batch size, compiled by `netc MODEL.onnx -o EXE`, and
timed as bench.py times the .net models: the executable (`EXE --bench N --json --threads T
--weights W`, W the model's initializers) and PyTorch eager (`torch.no_grad()`, the same
module) alternate in rounds on the same machine; each side's time is the median over rounds
of the per-round medians, and the ratio is netc / PyTorch. PyTorch runs under the allocator
fastest for it on the machine (bench/allocators.py: glibc, glibc with large blocks kept mapped,
jemalloc or tcmalloc); the executables under their own heap settings. A model that netc cannot
import or compile gets a row saying why. Prints the table as Markdown (docs/onnx-guide.md
keeps the last one) and writes it to --out.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))

import allocators  # noqa: E402

if __name__ == "__main__":
    # PyTorch runs under the allocator fastest for it here (bench/allocators.py): this
    # process starts again under it before PyTorch is imported.
    ALLOCATOR, _ = allocators.run_under_best()
import torch  # noqa: E402

from bench import loadavg, sh, time_torch, uncached  # noqa: E402

# The torchvision constructors, in the order of the table.
MODELS = ["resnet18", "mobilenet_v2", "squeezenet1_1", "vgg11", "alexnet",
          "shufflenet_v2_x1_0", "efficientnet_b0"]
SIZE = 224


def build(name):
    import torchvision
    torch.manual_seed(0)
    return getattr(torchvision.models, name)().eval()


def export(module, path, batch):
    torch.onnx.export(module, torch.randn(batch, 3, SIZE, SIZE), path, opset_version=13,
                      input_names=["x"], output_names=["logits"])


def write_weights(onnx_path, out):
    """The model's float initializers as safetensors, for --weights."""
    import onnx
    from onnx import numpy_helper
    import safetensors as st
    tensors = {}
    for t in onnx.load(onnx_path).graph.initializer:
        a = numpy_helper.to_array(t)
        if a.dtype.kind == "f":
            tensors[t.name] = torch.from_numpy(a.copy()).to(torch.float32)
    st.write(out, tensors)


def compile_model(netc, model, exe):
    """Compiles; the seconds it took, or the first line of netc's error."""
    t0 = time.perf_counter()
    r = subprocess.run([netc, model] + uncached(netc) + ["-o", exe], capture_output=True,
                       text=True)
    if r.returncode:
        lines = [ln for ln in r.stderr.splitlines() if "error" in ln] or r.stderr.splitlines()
        return None, (lines[0] if lines else "status %d" % r.returncode)
    return time.perf_counter() - t0, None


def time_netc(exe, weights, iters, threads):
    """The executable's median forward time in ms over `iters` runs (after its warm-up)."""
    out = json.loads(sh([exe, "--weights", weights, "--bench", str(iters), "--json",
                         "--threads", str(threads)]))
    return out["forward_ms"]["median"]


def bench_one(module, batch, exe, weights, threads, rounds, budget):
    """{threads: (netc ms, torch ms)} for the forward pass."""
    x = torch.randn(batch, 3, SIZE, SIZE)

    def forward():
        with torch.no_grad():
            module(x)
    results = {}
    for t in threads:
        torch.set_num_threads(t)
        forward()
        t0 = time.perf_counter()
        forward()
        iters = max(3, min(100, int(budget / max(time.perf_counter() - t0, 1e-6))))
        netc_runs, torch_runs = [], []
        for r in range(rounds):
            sides = ["netc", "torch"] if r % 2 == 0 else ["torch", "netc"]
            for side in sides:
                if side == "netc":
                    netc_runs.append(time_netc(exe, weights, iters, t))
                else:
                    forward()
                    torch_runs.append(time_torch(forward, iters))
        results[t] = (statistics.median(netc_runs), statistics.median(torch_runs))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netc", required=True)
    ap.add_argument("--work", required=True, help="folder for models and executables")
    ap.add_argument("--only", nargs="*", choices=MODELS, help="models to run (default: all)")
    ap.add_argument("--batches", type=int, nargs="*", default=[1, 8])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--budget", type=float, default=1.0, help="seconds per side per round")
    ap.add_argument("--out", help="also write the Markdown table to this file")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ncores = os.cpu_count()
    threads = [1] if ncores == 1 else [1, ncores]
    load_before = loadavg()
    lines = ["| model | batch | threads | netc ms | PyTorch ms | ratio | compile s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in args.only or MODELS:
        module = build(name)
        for batch in args.batches:
            stem = os.path.join(args.work, "%s_b%d" % (name, batch))
            export(module, stem + ".onnx", batch)
            write_weights(stem + ".onnx", stem + ".safetensors")
            secs, error = compile_model(args.netc, stem + ".onnx", stem)
            if error:
                print("%s batch %d: not compiled: %s" % (name, batch, error), flush=True)
                lines.append("| %s | %d | - | - | - | not compiled: %s | - |" % (
                    name, batch, error.replace("|", "/")))
                continue
            res = bench_one(module, batch, stem, stem + ".safetensors", threads, args.rounds,
                            args.budget)
            for t, (mine, theirs) in res.items():
                print("%s batch %d, %d thr: netc %.2f ms, torch %.2f ms, ratio %.2f" % (
                    name, batch, t, mine, theirs, mine / theirs), flush=True)
                lines.append("| %s | %d | %d | %.2f | %.2f | %.2f | %.0f |" % (
                    name, batch, t, mine, theirs, mine / theirs, secs))
    load_after = loadavg()
    lines += ["", "Forward pass at %dx%d, %d alternating rounds; ratio = netc / PyTorch eager "
              "(below 1: netc is faster). Load average before / after: %s / %s (%d cores); "
              "PyTorch %s under %s (bench/allocators.py)." % (
                  SIZE, SIZE, args.rounds, ", ".join("%.2f" % v for v in load_before),
                  ", ".join("%.2f" % v for v in load_after), ncores, torch.__version__,
                  ALLOCATOR)]
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)


if __name__ == "__main__":
    main()
