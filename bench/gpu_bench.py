#!/usr/bin/python3
"""GPU benchmarks of bench/gpu.sh: netc's CUDA executables against PyTorch on
the same GPU, alternating rounds, medians; writes RESULTS-gpu.md.

Models: the three-layer CNN of DSL.md at 1x3x1024x1024 and at batch 16
(forward, and the train step of its mse/sgd variant bench/models/cnn_train.net),
and the residual network bench/models/resnet8.net (forward and train step).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def with_batch(text, batch):
    """The model text with the batch of its first input set to `batch`."""
    return re.sub(r"(input \w+: f32\[)1,", rf"\g<1>{batch},", text, count=1)


def compile_model(netc, src, exe, target, schedule):
    start = time.time()
    subprocess.run([netc, src, "-o", exe, f"--target={target}", f"--schedule={schedule}"],
                   check=True)
    return time.time() - start


def bench_exe(exe, runs):
    out = subprocess.run([exe, "--bench", str(runs), "--json"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def torch_cnn(batch, train):
    import torch.nn.functional as F
    dev = torch.device("cuda")
    x = torch.randn(batch, 3, 1024, 1024, device=dev)
    ws = [torch.randn(4, 3, 3, 3, device=dev, requires_grad=train),
          torch.randn(16, 4, 5, 5, device=dev, requires_grad=train),
          torch.randn(32, 16, 7, 7, device=dev, requires_grad=train)]
    bs = [torch.zeros(c, device=dev, requires_grad=train) for c in (4, 16, 32)]
    opt = torch.optim.SGD(ws + bs, lr=0.01) if train else None

    def step():
        h = F.max_pool2d(F.relu(F.conv2d(x, ws[0], bs[0], padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, ws[1], bs[1], stride=2, padding=2)), 2)
        y = F.relu(F.conv2d(h, ws[2], bs[2], dilation=2, padding=3))
        if train:
            opt.zero_grad()
            loss = (y * y).mean()
            loss.backward()
            opt.step()
        torch.cuda.synchronize()
    return step


def time_torch(step, runs):
    step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--netc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--target", default="host-cuda")
    ap.add_argument("--schedule", default="hand")
    ap.add_argument("--parity", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for name, src, batch in [("cnn", "cnn_train.net", 1), ("cnn batch 16", "cnn_train.net", 16),
                             ("resnet8", "resnet8.net", None)]:
        text = open(os.path.join(HERE, "models", src)).read()
        if batch:
            text = with_batch(text, batch)
        path = os.path.join(args.work, name.replace(" ", "_") + ".net")
        open(path, "w").write(text)
        exe = path[:-4]
        seconds = compile_model(args.netc, path, exe, args.target, args.schedule)
        netc = bench_exe(exe, args.runs)
        row = {"model": name, "compile_s": seconds,
               "netc_forward": netc["forward_ms"]["median"] if netc["forward_ms"] else None,
               "netc_train": netc["train_step_ms"]["median"] if netc["train_step_ms"] else None}
        if name.startswith("cnn"):
            row["torch_forward"] = time_torch(torch_cnn(batch, False), args.runs)
            row["torch_train"] = time_torch(torch_cnn(batch, True), args.runs)
        rows.append(row)

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA device"
    with open(args.out, "w") as f:
        f.write(f"# netc on the GPU\n\nGPU: {gpu}; target `{args.target}`, "
                f"schedule `{args.schedule}`; medians of {args.runs} runs.\n\n")
        f.write("## Parity with PyTorch (tests/e2e on the GPU target)\n\n```\n")
        f.write(open(args.parity).read())
        f.write("```\n\n## Times (ms)\n\n")
        f.write("| model | compile s | netc forward | torch forward | netc train | torch train |\n")
        f.write("|---|---|---|---|---|---|\n")
        fmt = lambda v: "-" if v is None else f"{v:.2f}"
        for r in rows:
            f.write(f"| {r['model']} | {r['compile_s']:.1f} | {fmt(r['netc_forward'])} | "
                    f"{fmt(r.get('torch_forward'))} | {fmt(r['netc_train'])} | "
                    f"{fmt(r.get('torch_train'))} |\n")


if __name__ == "__main__":
    main()
