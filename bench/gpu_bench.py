#!/usr/bin/python3
"""The run step of bench/gpu.sh, on a machine with an NVIDIA GPU and PyTorch.

DIR holds pairs of executables made by `bench/gpu.sh prepare`: NAME.cpu (code
for the CPU, which tests/e2e checks against PyTorch) and NAME.cuda (the same
model for CUDA). For each pair:

  parity  both run on the weights and inputs of seed 7: every output of the
          forward function, and for models with a train step the 5 losses and
          every parameter after 5 steps, compared element by element. Error:
          max |cuda - cpu| / max(|cpu|, tiny) per tensor (the tensor's scale, as
          in tests/e2e); tolerance 1e-4 in f32 and 1e-9 in f64, and for Adam in
          f32 the absolute floor lr that tests/e2e uses too.
  speed   the CUDA executable's --bench medians against the same model in
          PyTorch on the same GPU (bench/torch_models.py, moved to the GPU,
          cuda.synchronize after every call), alternating, medians.

Writes DIR/RESULTS-gpu.md and prints it.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import torch

SEED = 7
STEPS = 5
TOL = {"F32": 1e-4, "F64": 1e-9}
# Models trained with Adam in f32, and their lr: the absolute floor of tests/e2e
# (an element whose gradient first appears at eps scale is known to ~lr only).
ADAM_LR = {"lenet": 0.001}
# The PyTorch twins of the benchmark executables (bench/torch_models.py).
TORCH_TWINS = {"cnn": "cnn", "cnn_train_1024": "cnn_train", "resnet8": "resnet8",
               "mlpirate": "mlpirate", "mlp2": "mlp2", "lenet": "lenet"}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def losses(text):
    return [float(v) for v in re.findall(r"^step \d+/\d+\s+loss (\S+)", text, re.M)]


def compare(st, a_path, b_path, floor=0.0):
    """[(tensor, dtype, error, tolerance, ok)] for the tensors of two files."""
    a, _ = st.read(a_path)
    b, _ = st.read(b_path)
    rows = []
    for name in sorted(a):
        ta, tb = st.to_torch(a[name]).double(), st.to_torch(b[name]).double()
        scale = max(ta.abs().max().item(), 1e-30) if ta.numel() else 1.0
        err = (ta - tb).abs().max().item() / scale if ta.numel() else 0.0
        dtype = a[name][0]
        tol = TOL.get(dtype, 0.0) + floor / scale
        rows.append((name, dtype, err, tol, err <= tol and ta.shape == tb.shape))
    return rows


def parity(d, name, st, log):
    cpu, cuda = os.path.join(d, name + ".cpu"), os.path.join(d, name + ".cuda")
    ok = True
    out = {}
    for kind, exe in (("cpu", cpu), ("cuda", cuda)):
        run([exe, "--seed", str(SEED), "--outputs", os.path.join(d, f"{name}.{kind}.out")])
    rows = compare(st, os.path.join(d, f"{name}.cpu.out"), os.path.join(d, f"{name}.cuda.out"))
    trains = re.search(r"^loss: ", run([cpu, "--help"]), re.M) is not None
    if trains:
        for kind, exe in (("cpu", cpu), ("cuda", cuda)):
            out[kind] = run([exe, "--seed", str(SEED), "--train", "--steps", str(STEPS),
                             "--save-weights", os.path.join(d, f"{name}.{kind}.w")])
        la, lb = losses(out["cpu"]), losses(out["cuda"])
        err = max((abs(x - y) / max(abs(x), 1e-30) for x, y in zip(la, lb)), default=0.0)
        rows.append((f"{len(lb)} losses", "", err, 1e-4, len(la) == len(lb) == STEPS
                     and err <= 1e-4))
        rows += [(f"{n} after {STEPS} steps", t, e, tol, k) for n, t, e, tol, k in
                 compare(st, os.path.join(d, f"{name}.cpu.w"), os.path.join(d, f"{name}.cuda.w"),
                         floor=ADAM_LR.get(name, 0.0))]
    for n, t, e, tol, k in rows:
        log.append(f"{'ok  ' if k else 'FAIL'} {name:15s} {n:40s} {t:4s} err {e:.1e} (tol {tol:.0e})")
        ok &= k
    return ok


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def bench_netc(exe, runs):
    return json.loads(run([exe, "--bench", str(runs), "--json"]).strip().splitlines()[-1])


def bench_torch(spec_fn, passes, runs):
    torch.manual_seed(0)
    spec = spec_fn()
    spec.module.cuda()
    spec.inputs = [i.cuda() for i in spec.inputs]
    if spec.optimizer is not None:  # rebuilt on the moved parameters
        spec.optimizer = type(spec.optimizer)(spec.module.parameters(),
                                              **spec.optimizer.defaults)
    result = {}
    for p in passes:
        fn = getattr(spec, p)
        for _ in range(3):
            fn()
        torch.cuda.synchronize()
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            fn()
            torch.cuda.synchronize()
            times.append((time.perf_counter() - t0) * 1000)
        result[p] = statistics.median(times)
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--parity-only", action="store_true")
    args = ap.parse_args()
    d = args.dir
    sys.path.insert(0, d)
    import safetensors_io as st
    import torch_models

    names = sorted(f[:-5] for f in os.listdir(d) if f.endswith(".cuda"))
    log, failed = [], []
    for name in names:
        try:
            if not parity(d, name, st, log):
                failed.append(name)
        except subprocess.CalledProcessError as e:
            log.append(f"FAIL {name}: {' '.join(e.cmd)} exited {e.returncode}: "
                       f"{(e.stderr or '').strip()[:300]}")
            failed.append(name)
        print(log[-1], flush=True)

    rows = []
    for name in [] if args.parity_only else names:
        twin = TORCH_TWINS.get(name)
        if twin is None or name in failed:
            continue
        exe = os.path.join(d, name + ".cuda")
        trains = re.search(r"^loss: ", run([exe, "--help"]), re.M) is not None
        passes = ["forward"] + (["train_step"] if trains else [])
        netc_runs = {p: [] for p in passes}
        torch_runs = {p: [] for p in passes}
        for _ in range(args.rounds):
            r = bench_netc(exe, args.runs)
            for p in passes:
                netc_runs[p].append(r[p + "_ms"]["median"])
            t = bench_torch(torch_models.MODELS[twin], passes, args.runs)
            for p in passes:
                torch_runs[p].append(t[p])
        for p in passes:
            n, t = statistics.median(netc_runs[p]), statistics.median(torch_runs[p])
            rows.append((name, p, n, t, n / t))
            print(f"{name} {p}: netc {n:.3f} ms, PyTorch {t:.3f} ms", flush=True)

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    target = open(os.path.join(d, "target.txt")).read().strip()
    schedule = open(os.path.join(d, "schedule.txt")).read().strip()
    text = [f"# netc on the GPU\n",
            f"Generated by `bench/gpu.sh run` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            f"GPU: {gpu}; PyTorch {torch.__version__} (CUDA {torch.version.cuda}, cuDNN "
            f"{torch.backends.cudnn.version()}); CPU: {cpu_name()}; netc target `{target}`, schedule `{schedule}`.\n",
            "## Parity: CUDA executables against the CPU ones\n",
            f"Seed {SEED}; forward outputs, and {STEPS} train steps (losses, every parameter).\n",
            "```", *log, "```\n",
            f"{len(names) - len(failed)} of {len(names)} models agree"
            + (f"; failing: {', '.join(failed)}" if failed else "") + ".\n",
            "## Times\n",
            f"Medians in ms of {args.rounds} alternating rounds of {args.runs} runs each; "
            "ratio = netc / PyTorch (below 1: netc is faster).\n",
            "| model | pass | netc ms | PyTorch ms | ratio |", "|---|---|---:|---:|---:|"]
    text += [f"| {m} | {p.replace('_', ' ')} | {n:.3f} | {t:.3f} | {n / t:.2f} |"
             for m, p, n, t, _ in rows]
    out = "\n".join(text) + "\n"
    open(os.path.join(d, "RESULTS-gpu.md"), "w").write(out)
    print(out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
