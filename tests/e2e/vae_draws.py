#!/usr/bin/python3
"""randn_like and rand_like: statistics, independence, engines and seeds.

usage: vae_draws.py --work DIR [--netc PATH]

The model below draws two normal tensors and a uniform one of 256 x 512 (131072 values each),
and one of each in f64. Checked, each a row `ok`/`FAIL` as run_parity.py prints them:
- engines: the forward under --seed 7 in the interpreter, in compiled code in-process
  (--engine=jit) and in the compiled executable (--outputs) are bitwise equal;
- seeds: the same seed draws the same values again; seed 8 draws other values (fewer than
  1 in 1000 elements equal); the forward draws what train step 1 draws (both take the seed
  of step 0), train step 2 draws afresh;
- laws, within 5 standard deviations of the estimate: normal mean 0, variance 1, fourth moment
  3, fraction inside +-1 0.682689; uniform mean 1/2, variance 1/12, values in [0, 1) on the
  grid of 2^-24 (2^-53 in f64); |normal| <= 8.58 (the bound of the draw rule);
- independence (correlation within 5 / sqrt(n) of 0): the two normal draws of one step,
  neighbouring elements, the normal and the uniform draw, and steps 1 and 2.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402

MODEL = """
model draws {
  input x: f32[256, 512]
  input y: f64[4096]
  param w: f32[256, 512]
  n1 = randn_like(x)
  output n1
  output n2 = randn_like(x)
  output u = rand_like(x)
  output n64 = randn_like(y)
  output u64 = rand_like(y)
  loss sum(w * n1)
  train sgd(lr=0.1)
}
"""
OUTPUTS = ["n1", "n2", "u", "n64", "u64"]
SIGMAS = 5.0


class Report:
    def __init__(self):
        self.failures = self.count = 0

    def check(self, kind, name, ok, detail):
        self.count += 1
        self.failures += not ok
        print(f"{'ok' if ok else 'FAIL'} {kind}: {name}  {detail}")


def dumped(path):
    """The outputs of a --dump file as f64 tensors."""
    with open(path) as f:
        outs = json.load(f)["outputs"]
    return {k: torch.tensor(v["data"], dtype=torch.float64) for k, v in outs.items()}


def corr(a, b):
    a, b = a - a.mean(), b - b.mean()
    return (a * b).sum().item() / math.sqrt((a * a).sum().item() * (b * b).sum().item())


def near(rep, kind, name, value, expected, sd):
    rep.check(kind, name, abs(value - expected) <= SIGMAS * sd,
              f"{value:.6f} vs {expected:.6f} (5 sd = {SIGMAS * sd:.6f})")


def laws(rep, draws):
    for name in ["n1", "n2", "n64"]:
        z = draws[name]
        n = z.numel()
        near(rep, "normal mean", name, z.mean().item(), 0.0, 1 / math.sqrt(n))
        near(rep, "normal variance", name, z.var().item(), 1.0, math.sqrt(2 / n))
        near(rep, "normal 4th moment", name, (z ** 4).mean().item(), 3.0, math.sqrt(96 / n))
        inside = 0.6826894921370859
        near(rep, "normal within 1", name, (z.abs() < 1).double().mean().item(), inside,
             math.sqrt(inside * (1 - inside) / n))
        top = z.abs().max().item()
        rep.check("normal range", name, top <= 8.58, f"max |z| = {top:.4f}")
    for name, bits in [("u", 24), ("u64", 53)]:
        u = draws[name]
        n = u.numel()
        near(rep, "uniform mean", name, u.mean().item(), 0.5, math.sqrt(1 / 12 / n))
        near(rep, "uniform variance", name, u.var().item(), 1 / 12, math.sqrt(1 / 180 / n))
        on_grid = bool(((u * 2.0 ** bits) == (u * 2.0 ** bits).floor()).all())
        rep.check("uniform range", name, u.min().item() >= 0 and u.max().item() < 1 and on_grid,
                  f"min {u.min().item():.3g} max {u.max().item():.9f}, on the 2^-{bits} grid")


def independent(rep, name, a, b):
    r = corr(a, b)
    bound = SIGMAS / math.sqrt(a.numel())
    rep.check("independence", name, abs(r) <= bound, f"correlation {r:.5f} (bound {bound:.5f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--netc", default="netc")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    net = os.path.join(args.work, "draws.net")
    with open(net, "w") as f:
        f.write(MODEL)

    def run(name, *flags):
        path = os.path.join(args.work, name + ".json")
        subprocess.run([args.netc, net, *map(str, flags), f"--dump={path}"], check=True,
                       stdout=subprocess.DEVNULL)
        return dumped(path)

    rep = Report()
    interp = run("interp7", "--run", "--engine=interp", "--seed=7")
    jit = run("jit7", "--run", "--engine=jit", "--seed=7")
    exe = os.path.join(args.work, "draws")
    subprocess.run([args.netc, net, "-o", exe], check=True)
    outs = os.path.join(args.work, "out7.safetensors")
    subprocess.run([exe, "--seed", "7", "--outputs", outs], check=True)
    compiled = {k: v.double().flatten() for k, v in st.read(outs).items()}
    for k in OUTPUTS:
        rep.check("interp = jit", k, torch.equal(interp[k], jit[k]), "bitwise")
        rep.check("interp = executable", k, torch.equal(interp[k], compiled[k]), "bitwise")

    again = run("interp7b", "--run", "--engine=interp", "--seed=7")
    other = run("interp8", "--run", "--engine=interp", "--seed=8")
    step1 = run("step1", "--run", "--train", "--steps=1", "--seed=7")
    step2 = run("step2", "--run", "--train", "--steps=2", "--seed=7")
    for k in OUTPUTS:
        rep.check("same seed", k, torch.equal(interp[k], again[k]), "bitwise")
        same = (interp[k] == other[k]).double().mean().item()
        rep.check("seed 8 vs 7", k, same < 1e-3, f"{same:.5f} of the elements equal")
        rep.check("forward = step 1", k, torch.equal(interp[k], step1[k]), "bitwise")
        same = (step1[k] == step2[k]).double().mean().item()
        rep.check("step 2 vs 1", k, same < 1e-3, f"{same:.5f} of the elements equal")

    laws(rep, step1)
    independent(rep, "n1 and n2", step1["n1"], step1["n2"])
    independent(rep, "n1[i] and n1[i+1]", step1["n1"][:-1], step1["n1"][1:])
    independent(rep, "u[i] and u[i+1]", step1["u"][:-1], step1["u"][1:])
    independent(rep, "n1 and u", step1["n1"], step1["u"])
    independent(rep, "n1 steps 1 and 2", step1["n1"], step2["n1"])
    independent(rep, "u steps 1 and 2", step1["u"], step2["u"])
    verdict = "PASS" if rep.failures == 0 else "FAIL"
    print(f"{verdict} vae_draws: {rep.count} checks, {rep.failures} failed")
    return 1 if rep.failures else 0


if __name__ == "__main__":
    sys.exit(main())
