#!/usr/bin/python3
"""--grad-stats, --grad-stats-csv and --plot against PyTorch and between netc's two engines.

usage: diag_grad_stats.py --work DIR [--netc PATH] [--threads N]

On examples/mlp2.net (sgd(lr=0.1), no momentum):

1. the executable, on weights and inputs written here, trains 3 steps with --grad-stats=1,2,3;
   each CSV row's grad_norm, weight_norm and update_norm is compared with the PyTorch twin's
   (models.MLP2) in float64 on the same values: ||g|| from backward(), ||w|| before the step,
   ||w_new - w_old|| after torch.optim.SGD's step. The loss column against the twin's loss.
2. update_ratio = update_norm / weight_norm in every row, and for plain SGD
   update_norm = lr * grad_norm: the ratio is lr ||g|| / ||w||.
3. `netc --run --train` (the interpreter) and the executable, both on netc's seeded weights
   and inputs (the same values), write the same CSV to f32 rounding.
4. both plots: one path per layer (fc1, fc2), named in the legend, whose data-norms are the
   layer's gradient norm sqrt(||weight grad||^2 + ||bias grad||^2) of the CSV at the CSV's
   steps; every point of every path inside the plotting frame; a loss path with one point per
   step.
Prints one row per check and `PASS grad-stats: N checks` or `FAIL ...`; exits 1 on a failure.
"""
import csv
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import models  # noqa: E402
import safetensors as st  # noqa: E402
from cases import EXAMPLES, rand, randn  # noqa: E402
from run_parity import Report, Runner, work_arguments  # noqa: E402

STEPS = 3
LR = 0.1
SVG = "{http://www.w3.org/2000/svg}"
COLUMNS = ["step", "loss", "param", "grad_norm", "weight_norm", "update_norm", "update_ratio"]


def read_csv(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    header = open(path).readline().strip().split(",")
    return header, rows


def torch_rows(w0, inputs):
    """[(step, param, loss, ||g||, ||w||, ||dw||)] of STEPS sgd steps of the twin in f64."""
    m = models.MLP2().double()
    m.load_state_dict({k: v.double() for k, v in w0.items()}, strict=True)
    opt = torch.optim.SGD(m.parameters(), lr=LR)
    data = {k: v.double() for k, v in inputs.items()}
    rows = []
    for s in range(1, STEPS + 1):
        opt.zero_grad()
        _, loss = m(data)
        loss.backward()
        before = {k: p.detach().clone() for k, p in m.named_parameters()}
        opt.step()
        for k, p in m.named_parameters():
            rows.append((s, k, loss.item(), p.grad.norm().item(), before[k].norm().item(),
                         (p.detach() - before[k]).norm().item()))
    return rows


def check_against_torch(rep, header, rows, ref):
    rep.check("csv", "(columns)", header == COLUMNS, ",".join(header))
    rep.check("csv", "(rows)", [(int(r["step"]), r["param"]) for r in rows] ==
              [(s, k) for s, k, *_ in ref], f"{len(rows)} rows")
    for name, col, index in [("loss", "loss", 2), ("grad_norm", "grad_norm", 3),
                             ("weight_norm", "weight_norm", 4),
                             ("update_norm", "update_norm", 5)]:
        got = torch.tensor([float(r[col]) for r in rows], dtype=torch.float64)
        want = torch.tensor([t[index] for t in ref], dtype=torch.float64)
        # Row by row, each relative to its own size: norms of different layers differ.
        rel = ((got - want).abs() / want.abs()).max().item()
        rep.check("exe vs torch", name, rel <= 1e-4, f"max rel {rel:.1e} (tol 1e-4)")


def check_ratios(rep, what, rows):
    ratio = max(abs(float(r["update_ratio"]) - float(r["update_norm"]) / float(r["weight_norm"]))
                / float(r["update_ratio"]) for r in rows)
    rep.check(what, "update_ratio = update/weight", ratio <= 1e-6, f"max rel {ratio:.1e}")
    sgd = max(abs(float(r["update_norm"]) - LR * float(r["grad_norm"])) /
              (LR * float(r["grad_norm"])) for r in rows)
    rep.check(what, "sgd: update = lr ||g||", sgd <= 1e-4, f"max rel {sgd:.1e} (tol 1e-4)")


def check_same(rep, a_rows, b_rows):
    same = [(r["step"], r["param"]) for r in a_rows] == [(r["step"], r["param"]) for r in b_rows]
    rep.check("interp vs exe", "(rows)", same, f"{len(a_rows)} and {len(b_rows)} rows")
    for col in COLUMNS[3:]:
        rel = max(abs(float(a[col]) - float(b[col])) / abs(float(b[col]))
                  for a, b in zip(a_rows, b_rows))
        rep.check("interp vs exe", col, rel <= 1e-5, f"max rel {rel:.1e} (tol 1e-5)")


def points(d):
    return [tuple(map(float, p)) for p in re.findall(r"[ML]([-\d.]+) ([-\d.]+)", d)]


def check_plot(rep, what, path, rows, training=False):
    """`training`: the executable's plot (runtime/TrainPlot.cpp), its loss panel first and
    the gradient panel last; otherwise that of netc --run, gradients above the loss."""
    root = ET.parse(path).getroot()
    frames = [[float(r.get(k)) for k in ("x", "y", "width", "height")]
              for r in root.iter(SVG + "rect") if r.get("stroke") == "#333"]
    top, bottom = (frames[-1], frames[0]) if training else (frames[0], frames[1])
    layers = {p.get("data-layer"): p for p in root.iter(SVG + "path")
              if p.get("class") == "layer"}
    legend = [t.text for g in root.iter(SVG + "g") if g.get("class") == "legend"
              for t in g.iter(SVG + "text") if not (training and t.text.startswith("loss"))]
    rep.check(what, "layers", sorted(layers) == ["fc1", "fc2"] and legend == ["fc1", "fc2"],
              f"paths {sorted(layers)}, legend {legend}")
    bad = []
    for layer, p in layers.items():
        steps = [int(s) for s in p.get("data-steps").split()]
        norms = [float(v) for v in p.get("data-norms").split()]
        want = [math.sqrt(sum(float(r["grad_norm"]) ** 2 for r in rows
                              if r["param"].startswith(layer + ".") and int(r["step"]) == s))
                for s in range(1, STEPS + 1)]
        if steps != list(range(1, STEPS + 1)) or \
                any(abs(a - b) > 1e-5 * b for a, b in zip(norms, want)):
            bad.append(f"{layer}: {norms} != {want}")
        pts = points(p.get("d"))
        if len(pts) != STEPS or not all(top[0] <= x <= top[0] + top[2] and
                                        top[1] <= y <= top[1] + top[3] for x, y in pts):
            bad.append(f"{layer}: points {pts} outside {top}")
        # Log scale: the vertical distance of two points is the ratio of their norms.
        ys = [y for _, y in pts]
        if len(ys) > 1 and len(norms) > 1 and norms[0] != norms[1] and \
                (ys[0] - ys[1]) * (norms[0] - norms[1]) > 0:
            bad.append(f"{layer}: larger norm drawn lower")
    rep.check(what, "paths (values, inside the frame)", not bad, "; ".join(bad) or "ok")
    loss = [p for p in root.iter(SVG + "path")
            if p.get("class") == ("step-loss" if training else "loss")]
    lpts = points(loss[0].get("d")) if loss else []
    ok = len(lpts) == STEPS and all(bottom[0] <= x <= bottom[0] + bottom[2] and
                                    bottom[1] <= y <= bottom[1] + bottom[3] for x, y in lpts)
    rep.check(what, "loss path", ok, f"{len(lpts)} points")


def main():
    args = work_arguments()
    runner = Runner(args.netc, args.work, args.threads)
    rep = Report("grad-stats")
    with open(os.path.join(EXAMPLES, "mlp2.net")) as f:
        exe = runner.compile(f.read(), "mlp2", None)
    flags = ["--train", "--steps", STEPS, f"--grad-stats=1,2,{STEPS}"]

    # 1, 2: the executable on given values against PyTorch.
    gen = torch.Generator().manual_seed(1234)
    inputs = {"x": randn(32, 10, gen=gen), "y": (rand(32, 1, gen=gen) > 0.5).to(torch.float32)}
    torch.manual_seed(1234)
    w0 = {k: v.float() for k, v in models.MLP2().state_dict().items()}
    st.write(runner.path("w0.safetensors"), w0)
    st.write(runner.path("in.safetensors"), inputs)
    runner.exe(exe, "--weights", runner.path("w0.safetensors"), "--inputs",
               runner.path("in.safetensors"), *flags, "--grad-stats-csv",
               runner.path("given.csv"))
    header, given = read_csv(runner.path("given.csv"))
    check_against_torch(rep, header, given, torch_rows(w0, inputs))
    check_ratios(rep, "exe", given)

    # 3: the interpreter and the executable on netc's seeded values.
    runner.exe(exe, *flags, "--grad-stats-csv", runner.path("exe.csv"), "--plot",
               runner.path("exe.svg"))
    subprocess.run([args.netc, os.path.join(EXAMPLES, "mlp2.net"), "--run",
                    *[str(f) for f in flags], "--grad-stats-csv", runner.path("interp.csv"),
                    "--plot", runner.path("interp.svg")], check=True, stdout=subprocess.DEVNULL)
    _, seeded = read_csv(runner.path("exe.csv"))
    _, interp = read_csv(runner.path("interp.csv"))
    check_same(rep, interp, seeded)
    check_ratios(rep, "interp", interp)

    # 4: the plots.
    check_plot(rep, "exe plot", runner.path("exe.svg"), seeded, training=True)
    check_plot(rep, "interp plot", runner.path("interp.svg"), interp)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
