#!/usr/bin/python3
"""Peak memory of a train step: netc's executable against PyTorch, and --emit=stats's prediction.

Each side runs in a process of its own, and the kernel's peak resident set size of that process
(getrusage's ru_maxrss) is its number:
  netc     `EXE --train --steps 3 --threads T`: the whole executable (code, parameters,
           gradients, optimizer state, activations);
  PyTorch  a Python process that builds the model of bench/torch_models.py and runs 3 train
           steps; also its resident size before the first step (Python, PyTorch's libraries
           and the model), so that the steps' own share shows.
bench.py calls `measure()` for every model with a train step; `memory.py torch NAME T` is
the PyTorch side (internal); `memory.py launch CMD...` runs CMD and prints its peak RSS
({"status", "peak"} as JSON, the last line), for one side alone:
  memory.py launch EXE --train --steps 3 --threads 2
  memory.py launch /usr/bin/python3 bench/memory.py torch resnet18_b8 2
"""

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def rss_kib():
    """The current resident set size of this process in KiB."""
    with open("/proc/self/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))


def torch_side(name, threads):
    import torch
    sys.path.insert(0, HERE)
    from torch_models import MODELS
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    spec = MODELS[name]()
    before = rss_kib()
    for _ in range(3):
        spec.train_step()
    print(json.dumps({"before": before * 1024}))


def launch(cmd):
    """Runs `cmd` as a child of this small process and prints its peak RSS in bytes as the
    last line. Linux carries a process's peak RSS over from the memory of the process it
    was forked from, so a child of bench.py (PyTorch loaded) would start at bench.py's size;
    a child of this fresh interpreter starts at a few MiB."""
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    print(json.dumps({"status": os.waitstatus_to_exitcode(status),
                      "peak": usage.ru_maxrss * 1024}))


def peak_of(cmd, env):
    """(stdout, peak RSS in bytes) of `cmd`, run through launch()."""
    full = [sys.executable, os.path.abspath(__file__), "launch"] + cmd
    out = subprocess.run(full, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=env, text=True).stdout
    lines = out.strip().splitlines()
    result = json.loads(lines[-1])
    if result["status"]:
        raise subprocess.CalledProcessError(result["status"], cmd)
    return "\n".join(lines[:-1]), result["peak"]


def predicted(netc_cmd, env):
    """--emit=stats's predicted peak of the training step, in bytes."""
    out = subprocess.run(netc_cmd + ["--emit=stats"], check=True, capture_output=True,
                         text=True, env=env).stdout
    m = re.search(r"^peak training step\s+([\d,]+) B", out, re.M)
    return int(m.group(1).replace(",", "")) if m else None


def measure(name, exe, netc_cmd, threads, netc_env, torch_env):
    """{netc, torch, torch_before, predicted} in bytes for model `name`."""
    _, netc_peak = peak_of([exe, "--train", "--steps", "3", "--threads", str(threads)],
                           netc_env)
    out, torch_peak = peak_of(
        [sys.executable, os.path.abspath(__file__), "torch", name, str(threads)], torch_env)
    t = json.loads(out.strip().splitlines()[-1])
    return {"netc": netc_peak, "torch": torch_peak, "torch_before": t["before"],
            "predicted": predicted(netc_cmd, netc_env)}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "torch":
        torch_side(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 2 and sys.argv[1] == "launch":
        launch(sys.argv[2:])
    else:
        sys.exit(__doc__)


def markdown(rows):
    """RESULTS.md's section of (model, threads, measure() result) rows."""
    if not rows:
        return []
    mib = 2.0 ** 20
    lines = ["", "## Memory of the train step", "",
             "Peak resident set size of a process running 3 train steps (bench/memory.py): "
             "netc's executable whole; PyTorch's process whole, and its share above the process "
             "before the first step (Python, PyTorch and the model). Predicted: `netc "
             "--emit=stats`'s peak training step (the executable's: program, tensors, "
             "the temporaries between parts, Halide's buffers).", "",
             "| model | threads | netc MiB | PyTorch MiB | PyTorch above start MiB | "
             "netc / PyTorch | predicted MiB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, threads, m in rows:
        lines.append("| %s | %d | %.0f | %.0f | %.0f | %.2f | %s |" % (
            name, threads, m["netc"] / mib, m["torch"] / mib,
            (m["torch"] - m["torch_before"]) / mib, m["netc"] / m["torch"],
            "%.0f" % (m["predicted"] / mib) if m["predicted"] else "-"))
    return lines
