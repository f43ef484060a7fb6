#!/usr/bin/python3
"""Parity of examples/dcgan.net (two losses, two train steps) with its PyTorch twin
(models_gan.py).

usage: gan_parity.py --work DIR [--netc PATH] [--threads N]

The example is compiled once at a small size (-D B=4 -D NZ=8 -D G=8 -D D=8).
1. names: the executable's seeded weights (--save-weights without --train) are the twin's
   state_dict: names, shapes and dtypes exactly.
2. training: 3 batches (--data; real images in [-1, 1], noise N(0, 1)), and --train --steps 3
   runs the train step of d then that of g on each. The 6 printed losses, and every parameter
   and running statistic after the steps (num_batches_tracked exactly: 6, each step runs
   both networks in train mode), against the twin trained with two torch.optim.Adam
   (lr=2e-4, betas=(0.5, 0.999)), one over disc.*, one over gen.*, in float64 on the same f32
   values (PyTorch in f32 shown beside). Tolerances as run_parity.py: 1e-4 relative, weights
   after Adam steps in f32 + lr absolute.
3. one step alone: --train-step d changes every disc.* parameter and no gen.* parameter, and
   --train-step g the reverse; both update the running statistics of both networks.
4. interpreter: `netc --run --train --steps 3` on seeded inputs prints the losses the
   executable prints on the same seeded inputs (1e-5 relative).
Prints one row per check and `PASS dcgan: N checks` or `FAIL dcgan: ...`; exits 1 on any
failure.
"""
import os
import re
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import models_gan  # noqa: E402
import safetensors as st  # noqa: E402
from run_parity import ADAM_F32_ATOL_LR, REF, Report, Runner, cast, work_arguments  # noqa: E402

NET = os.path.join(HERE, "..", "..", "examples", "dcgan.net")
SIZES = {"B": 4, "NZ": 8, "G": 8, "D": 8}
LR, BETA1 = 2e-4, 0.5
STEPS = 3
F32 = torch.float32


def losses_printed(log):
    """[d1, g1, d2, g2, ...] from the progress lines `step I/N  loss d X g Y ...`."""
    rows = re.findall(r"^step \d+/\d+\s+loss d (\S+) g (\S+)", log, re.M)
    return [float(v) for row in rows for v in row]


def twin(w0, dtype):
    m = models_gan.DCGAN(SIZES["NZ"], SIZES["G"], SIZES["D"])
    m.load_state_dict(cast(w0, REF if dtype == REF else F32), strict=True)
    return m.to(dtype)


def check_names(rep, w0):
    theirs = models_gan.DCGAN(SIZES["NZ"], SIZES["G"], SIZES["D"]).state_dict()
    describe = lambda w: {k: (v.dtype, tuple(v.shape)) for k, v in w.items()}
    a, b = describe(w0), describe(theirs)
    rep.check("names", "(state_dict keys, dtypes, shapes)", a == b,
              f"{len(a)} tensors; differ: {sorted(set(a.items()) ^ set(b.items()))[:4]}")


def check_training(rep, runner, exe, w0file, w0):
    gen = torch.Generator().manual_seed(3)
    b, nz = SIZES["B"], SIZES["NZ"]
    x = 2 * torch.rand(STEPS, b, 3, 32, 32, generator=gen) - 1
    z = torch.randn(STEPS, b, nz, 1, 1, generator=gen)
    st.write(runner.path("data.safetensors"), {"x": x, "z": z})
    w3file = runner.path("w3.safetensors")
    log = runner.exe(exe, "--weights", w0file, "--train", "--steps", STEPS, "--data",
                     runner.path("data.safetensors"), "--save-weights", w3file)
    got = st.read(w3file)
    results = {}
    for dtype in (REF, F32):
        m = twin(w0, dtype)
        batches = [(x[i].to(dtype), z[i].to(dtype)) for i in range(STEPS)]
        losses = models_gan.train(m, batches, LR, BETA1)
        results[dtype] = (torch.tensor(losses, dtype=REF), m.state_dict())
    (ref_losses, ref_state), (f32_losses, f32_state) = results[REF], results[F32]
    rep.compare("3 alternations", "losses d, g", torch.tensor(losses_printed(log), dtype=REF),
                ref_losses, REF, f32_losses, rtol=1e-4)
    for k, v in ref_state.items():
        mine = got.get(k, torch.tensor([]))
        if k.endswith("num_batches_tracked"):
            ok = mine.dtype == torch.int64 and mine.numel() == 1 and int(mine) == 2 * STEPS
            rep.check("after 3 alternations", k, ok, f"netc {mine.tolist()}, torch {v.tolist()}")
            continue
        atol = ADAM_F32_ATOL_LR * LR if "running" not in k else 0.0
        rep.compare("after 3 alternations", k, mine, v, F32, f32_state[k], atol=atol)


def check_one_step(rep, runner, exe, w0file, w0):
    for step, trained, held in (("d", "disc.", "gen."), ("g", "gen.", "disc.")):
        out = runner.path(f"w_{step}.safetensors")
        runner.exe(exe, "--weights", w0file, "--train", "--steps", 1, "--train-step", step,
                   "--save-weights", out)
        after = st.read(out)
        params = [k for k in w0 if not k.endswith(("running_mean", "running_var",
                                                   "num_batches_tracked"))]
        moved = [k for k in params if not torch.equal(after[k], w0[k])]
        want = [k for k in params if k.startswith(trained)]
        rep.check(f"--train-step {step}", f"changes {trained}* only", moved == want,
                  f"changed {len(moved)} of {len(params)} parameters; expected {len(want)}")
        stats = [k for k in w0 if k.endswith("running_mean")]
        rep.check(f"--train-step {step}", "updates every running_mean",
                  all(not torch.equal(after[k], w0[k]) for k in stats), f"{len(stats)} buffers")


def check_interpreter(rep, runner, exe, netc):
    log = runner.exe(exe, "--train", "--steps", STEPS)
    defines = [a for k, v in SIZES.items() for a in ("-D", f"{k}={v}")]
    r = subprocess.run([netc, NET, *defines, "--run", "--train", "--steps", str(STEPS)],
                       stdout=subprocess.PIPE, text=True, check=True)
    interp = [float(v) for row in re.findall(r"^step \d+ loss d (\S+) g (\S+)", r.stdout, re.M)
              for v in row]
    compiled = losses_printed(log)
    rep.compare("interpreter", "losses d, g (seeded inputs)", torch.tensor(interp, dtype=F32),
                torch.tensor(compiled, dtype=REF), F32, rtol=1e-5)


def main():
    args = work_arguments()
    runner = Runner(args.netc, args.work, args.threads,
                    [a for k, v in SIZES.items() for a in ("-D", f"{k}={v}")])
    with open(NET) as f:
        exe = runner.compile(f.read(), "dcgan", None)
    w0file = runner.path("w0.safetensors")
    runner.exe(exe, "--save-weights", w0file)
    w0 = st.read(w0file)
    rep = Report("dcgan")
    check_names(rep, w0)
    check_training(rep, runner, exe, w0file, w0)
    check_one_step(rep, runner, exe, w0file, w0)
    check_interpreter(rep, runner, exe, args.netc)
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
