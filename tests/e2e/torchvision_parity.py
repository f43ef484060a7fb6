#!/usr/bin/python3
"""Parity of examples/resnet18.net, mobilenet_v2.net, efficientnet_b0.net and unet.net with
their PyTorch models (torchvision 0.14's; the U-Net's twin in torchvision_models.py).

usage: torchvision_parity.py MODEL --work DIR [--netc PATH] [--threads N] [--batch B] [--size H]

1. names: the example compiled with `netc examples/MODEL.net -D B=.. -D H=.. -o DIR/MODEL`
   (and -D DROPOUT=0, see 3) saves its own seeded weights (--save-weights): the names, shapes
   and dtypes must be those of the PyTorch model's state_dict exactly, parameters and buffers
   (running_mean, running_var, num_batches_tracked as i64), and the batch-norm parameters and
   buffers start as PyTorch's (weight 1, bias 0, mean 0, variance 1, count 0).
2. forward: torchvision_weights.py's weights (seeded, with random batch-norm statistics, so
   that inference really uses them) and a batch of inputs; the executable's outputs in
   inference (--weights --inputs --outputs: batch norm with the running statistics) against
   PyTorch in eval mode, and the loss where the executable writes it.
3. training: 3 steps of the example's own `sgd(lr=LR, momentum=0.9)`, compiled with
   -D LR=0.001, on 3 batches (--data, step i on batch i) against
   torch.optim.SGD(lr=0.001, momentum=0.9) in train mode: the 3
   printed losses, every parameter and running statistic after the steps, and
   num_batches_tracked == 3. Dropout (classifier.0 of MobileNetV2 and EfficientNet-B0) and
   EfficientNet's stochastic depth are set to p = 0 on both sides: they draw random masks that
   the two cannot share, and with p = 0 the steps are deterministic (examples/*.net take
   -D DROPOUT=0; their stochastic depth is already the identity). The examples' own lr,
   0.01, is replaced by 0.001 because at 64x64 and batch 4 these random networks have
   gradients of 10 and more for weights of 0.3: at lr 0.01 each step moves weights by a
   third of their size, and PyTorch's own f32 run ends 3e-2 (ResNet-18) to 4e-1
   (MobileNetV2) of the weights' scale away from its float64 run after 3 steps, so the
   comparison would measure chaos, not netc; at 0.001 ResNet-18's f32 run stays within 1e-6.

The reference is PyTorch in float64 on the same f32 values, as in run_parity.py; PyTorch in f32
is shown beside it. Tolerance: max |netc - reference| <= 1e-4 max |reference| per tensor,
printed losses 1e-4 relative; num_batches_tracked exactly. These hold for the forward pass,
the first step's loss and the running statistics after one step (a separate run with
--steps 1), which depend on the initial weights only. After 3 steps, twice the reference's
own deviation under perturbations of 3e-6 of its weights and inputs is added, per tensor
and printed (sensitivity(): ReLU's kinks make a few gradient elements jump between f32 and
float64; at lr 0.001 that allowance is about 1e-3 of the first convolution's scale in
ResNet-18, less deeper; MobileNetV2, whose depthwise batch norms see channels with batch
variances below eps at this size, gets several percent). The U-Net's iou_score and dice_score
(thresholds of the mask at 0.5, where one rounding can flip a pixel) are checked against the
IoU and Dice of netc's own mask, which the forward check compares to PyTorch's.
Prints one row per check and `PASS MODEL: N checks` or `FAIL MODEL: ...`; exits 1 on any failure.
"""
import argparse
import copy
import os
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402
import torchvision_models as tm  # noqa: E402
from run_parity import (REF, Report, Runner, cast, losses_of, printed,  # noqa: E402
                        printed_rtol)
from torchvision_weights import state  # noqa: E402

STEPS = 3
LR, MOMENTUM = 0.001, 0.9  # LR: -D LR=0.001 (see 3. above)
SEED = 7
PERTURB = 3e-6  # relative; see sensitivity()
SENSITIVITY_RUNS = 3
# Metrics of a thresholded mask, checked on netc's own mask.
METRICS = {"iou_score": tm.iou, "dice_score": tm.dice}
F32 = torch.float32


def compile_example(spec, netc, work, defines):
    """netc examples/MODEL.net -D NAME=VALUE ... -o WORK/MODEL; returns the executable."""
    exe = os.path.join(work, os.path.splitext(os.path.basename(spec.net))[0])
    # The direct convolution, whatever auto would time as faster on this machine: 3 steps
    # through batch norm amplify rounding, and Winograd's (tests/lit/e2e/winograd.test,
    # within its own tolerance) would make these checks depend on the machine's timings.
    cmd = [netc, spec.net, "--conv-algo=direct", "-o", exe]
    for k, v in defines.items():
        cmd += ["-D", f"{k}={v}"]
    t0 = time.time()
    subprocess.run(cmd, check=True)
    print(f"# compiled {' '.join(cmd[1:])} in {time.time() - t0:.1f} s")
    return exe


def check_names(rep, ours, theirs):
    """netc's saved weights against the PyTorch state_dict: names, dtypes, shapes exactly;
    batch-norm parameters and buffers at PyTorch's initial values."""
    describe = lambda w: {k: (v.dtype, tuple(v.shape)) for k, v in w.items()}
    a, b = describe(ours), describe(theirs)
    missing, extra = sorted(set(b) - set(a)), sorted(set(a) - set(b))
    rep.check("names", "(state_dict keys)", not missing and not extra,
              f"{len(a)} names; missing {missing[:6]}{'...' if len(missing) > 6 else ''}, "
              f"unexpected {extra[:6]}{'...' if len(extra) > 6 else ''}")
    wrong = [k for k in sorted(set(a) & set(b)) if a[k] != b[k]]
    rep.check("names", "(dtypes and shapes)", not wrong,
              "; ".join(f"{k}: netc {a[k]}, torch {b[k]}" for k in wrong[:4]))
    initial = {"running_mean": 0, "running_var": 1, "num_batches_tracked": 0}
    bad = []
    for k, v in ours.items():
        module, _, leaf = k.rpartition(".")
        if leaf in initial or (leaf in ("weight", "bias") and f"{module}.running_mean" in ours):
            want = initial.get(leaf, 1 if leaf == "weight" else 0)
            if not bool((v == want).all()):
                bad.append(k)
    rep.check("init", "(batch norm: 1, 0, 0, 1, 0)", not bad, ", ".join(bad[:6]))


def both(fn):
    """fn(dtype) in the reference dtype and in f32."""
    return fn(REF), fn(F32)


def module_in(module, dtype):
    return copy.deepcopy(module).to(dtype)


def check_forward(rep, spec, module, exe, runner, inputs, w0file):
    st.write(runner.path("in.safetensors"), inputs)
    runner.exe(exe, "--weights", w0file, "--inputs", runner.path("in.safetensors"),
               "--outputs", runner.path("out.safetensors"))
    got = st.read(runner.path("out.safetensors"))

    def run(dtype):
        with torch.no_grad():
            return tm.forward(spec, module_in(module, dtype).eval(), cast(inputs, dtype))
    (outs, loss), (outs_n, loss_n) = both(run)
    for k, v in outs.items():
        if k in METRICS and "p" in got:  # thresholded: against netc's own mask
            own = METRICS[k](got["p"].double(), inputs["target"].double())
            rep.compare("forward", k + " (of netc's p)", got.get(k, torch.tensor([])), own,
                        F32, rtol=1e-6)
            continue
        rep.compare("forward", k, got.get(k, torch.tensor([])), v, F32, outs_n[k])
    if "loss" in got:  # written where the forward function has the loss
        rep.compare("forward", "loss", got["loss"], loss, F32, loss_n)
    rep.check("forward", "(output names)", set(got) <= set(outs) | {"loss"},
              f"netc wrote {sorted(got)}")


def perturbed(tensors, gen, rel):
    """Floating tensors multiplied by 1 + rel * U(-1, 1), element by element."""
    return {k: v * (1 + rel * (2 * torch.rand(v.shape, generator=gen, dtype=v.dtype) - 1))
            if v.is_floating_point() else v for k, v in tensors.items()}


def torch_training(spec, module, data, perturb=None):
    """STEPS steps of SGD in train mode: (losses, state_dict after the steps). With
    perturb = (generator, rel), the initial weights and the batches are perturbed first."""
    def run(dtype):
        m = module_in(module, dtype).train()
        batches = [cast(b, dtype) for b in data]
        if perturb:
            m.load_state_dict(perturbed(m.state_dict(), *perturb))
            batches = [perturbed(b, *perturb) for b in batches]
        opt = torch.optim.SGD(m.parameters(), lr=LR, momentum=MOMENTUM)
        losses = []
        for batch in batches:
            opt.zero_grad()
            _, loss = tm.forward(spec, m, batch)
            losses.append(loss.item())
            loss.backward()
            opt.step()
        return torch.tensor(losses, dtype=dtype), {k: v.detach() for k, v in
                                                   m.state_dict().items()}
    return run(REF) if perturb else both(run)


def sensitivity(spec, module, data, ref_losses, ref_state):
    """How far the float64 reference itself moves when its weights and inputs move by
    PERTURB relative (about the error f32 accumulates through the network): ReLU and ReLU6
    make the gradient jump where a pre-activation crosses 0 (or 6), and among the 10^5-10^6
    pre-activations of these models a few lie within f32's error of a kink, so f32 and
    float64 route a few gradient elements differently and the weights after a step differ by
    more than rounding (up to 1e-3 of their scale). Returns ({name: max deviation over
    SENSITIVITY_RUNS runs}, deviation of the losses); twice this is added to the tolerance
    of the training checks. A real mistake (a biased variance, a missing momentum) moves
    the weights by far more."""
    gen = torch.Generator().manual_seed(SEED + 1)
    dev = {k: 0.0 for k in ref_state}
    dev_loss = 0.0
    for _ in range(SENSITIVITY_RUNS):
        losses, after = torch_training(spec, module, data, (gen, PERTURB))
        dev_loss = max(dev_loss, (losses - ref_losses).abs().max().item())
        for k, v in after.items():
            if v.is_floating_point():
                dev[k] = max(dev[k], (v - ref_state[k]).abs().max().item())
    return dev, dev_loss


def check_first_step_statistics(rep, spec, module, exe, runner, data, w0file):
    """The running statistics after one step: a forward pass in train mode on the initial
    weights, free of the kinks' noise (sensitivity()), so compared without its allowance."""
    w1file = runner.path("w1.safetensors")
    runner.exe(exe, "--weights", w0file, "--train", "--steps", 1, "--data",
               runner.path("data.safetensors"), "--save-weights", w1file)
    got = st.read(w1file)
    (_, after), (_, after_n) = torch_training(spec, module, data[:1])
    for k, v in after.items():
        mine = got.get(k, torch.tensor([]))
        if k.endswith("num_batches_tracked"):
            ok = mine.dtype == torch.int64 and mine.numel() == 1 and int(mine) == 1 == int(v)
            rep.check("after 1 step", k, ok, f"netc {mine.tolist()}, torch {v.tolist()}")
        elif k.endswith(("running_mean", "running_var")):
            rep.compare("after 1 step", k, mine, v, F32, after_n[k])


def check_training(rep, spec, module, exe, runner, data, w0file):
    st.write(runner.path("data.safetensors"),
             {k: torch.stack([d[k] for d in data]) for k in data[0]})
    check_first_step_statistics(rep, spec, module, exe, runner, data, w0file)
    wfile = runner.path(f"w{STEPS}.safetensors")
    log = runner.exe(exe, "--weights", w0file, "--train", "--steps", STEPS, "--data",
                     runner.path("data.safetensors"), "--save-weights", wfile)
    got = st.read(wfile)
    (losses, after), (losses_n, after_n) = torch_training(spec, module, data)
    dev, dev_loss = sensitivity(spec, module, data, losses, after)
    mine = printed(losses_of(log))
    # The first loss is a forward pass in train mode on the initial weights: no kink noise.
    rep.compare("train step 1", "loss", mine[:1], losses[:1], REF, losses_n[:1],
                rtol=printed_rtol(F32))
    rep.compare(f"{STEPS} losses (sgd)", "loss", mine, losses, REF, losses_n,
                rtol=printed_rtol(F32), atol=2 * dev_loss)
    for k, v in after.items():
        mine = got.get(k, torch.tensor([]))
        if k.endswith("num_batches_tracked"):
            ok = mine.dtype == torch.int64 and mine.numel() == 1 and int(mine) == STEPS == int(v)
            rep.check(f"after {STEPS} steps", k, ok, f"netc {mine.tolist()}, torch {v.tolist()}")
        else:
            rep.compare(f"after {STEPS} steps", k, mine, v, F32, after_n[k], atol=2 * dev[k])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", choices=sorted(tm.SPECS))
    ap.add_argument("--work", required=True, help="scratch folder")
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--threads", type=int, default=2, help="--threads of the executable")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--size", type=int, default=64, help="image height and width (the "
                    "classifiers need at least 32)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.work, exist_ok=True)
    t0 = time.time()
    spec, rep = tm.SPECS[args.model], Report(args.model)
    defines = {"B": args.batch, "H": args.size, "LR": LR}
    if spec.dropout_const:
        defines[spec.dropout_const] = 0
    runner = Runner(args.netc, args.work, args.threads)
    exe = compile_example(spec, args.netc, args.work, defines)

    module = tm.build(args.model, SEED)
    weights = state(module)
    runner.exe(exe, "--seed", 1, "--save-weights", runner.path("netc-init.safetensors"))
    check_names(rep, st.read(runner.path("netc-init.safetensors")), weights)
    w0file = runner.path("w0.safetensors")
    st.write(w0file, weights)

    gen = torch.Generator().manual_seed(SEED)
    check_forward(rep, spec, module, exe, runner, spec.inputs(args.batch, args.size, gen),
                  w0file)
    data = [spec.inputs(args.batch, args.size, gen) for _ in range(STEPS)]
    check_training(rep, spec, module, exe, runner, data, w0file)
    status = rep.finish()
    print(f"# {args.model}: {time.time() - t0:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
