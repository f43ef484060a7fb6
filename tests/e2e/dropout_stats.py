"""Dropout compared with PyTorch through its statistics (run by run_parity.py dropout_stats).

Masks cannot match PyTorch's element for element (different generators), so the model
dropout_stats of models/ops.net (parameters a, b of 64x1024 ones; loss sum(dropout(a, 0.3)) +
sum(dropout(dropout(b, 0.1), 0.2)), the chain of examples/dropout2.net) is trained with
sgd(lr=2^100): the gradient recovered from one step is mask / (1 - p) exactly, so it shows
netc's mask of each train step. Checked on netc's and on PyTorch's masks alike:
- the kept fraction is 1 - p within 5 binomial standard deviations (p = 0.3; 0.28 for the
  fused chain), and the two sides' fractions agree within 5 standard deviations of their
  difference;
- every kept element is scaled by exactly 1 / (1 - p) (1e-6 relative: f32 rounding);
independence, on netc's masks: the two parameters' masks, consecutive elements and the masks of
steps 1 and 2 are independent (the fraction kept in both is the product of the two fractions
within 5 standard deviations); and the loss the train step printed equals
sum(mask_a) / 0.7 + sum(mask_b) / 0.72 as recovered from the gradients (to f32's 1e-4), so
forward and backward use the same mask.
"""
import math

import torch

import run_parity as rp
import safetensors as st

P = {"a": 0.3, "b": 1 - (1 - 0.1) * (1 - 0.2)}
SIGMAS = 5.0


def within(rep, kind, name, value, expected, n):
    sd = math.sqrt(expected * (1 - expected) / n)
    rep.check(kind, name, abs(value - expected) <= SIGMAS * sd,
              f"{value:.5f} vs {expected:.5f} (5 sd = {SIGMAS * sd:.5f}, n = {n})")


def stats(rep, side, name, g, p):
    """Kept fraction and scaling of one recovered mask g = mask / (1 - p)."""
    kept = g != 0
    within(rep, f"{side} kept fraction", name, kept.double().mean().item(), 1 - p, g.numel())
    scale = g[kept].double()
    err = (scale - 1 / (1 - p)).abs().max().item() * (1 - p)
    rep.check(f"{side} scaling", name, err <= 1e-6,
              f"kept values {scale.min().item():.7f}..{scale.max().item():.7f} vs 1/(1-p) = "
              f"{1 / (1 - p):.7f}")
    return kept


def run(runner, rep):
    with open(rp.OPS) as f:
        text = f.read()
    exe = runner.compile(rp.variant(text, "dropout_stats", f"sgd(lr={rp.LR_GRAD_DSL})"),
                         "dropout_stats", "dropout_stats")
    w = [runner.path(f"w{i}.safetensors") for i in range(3)]
    runner.exe(exe, "--seed", 1, "--save-weights", w[0])
    log1 = runner.exe(exe, "--weights", w[0], "--train", "--steps", 1, "--save-weights", w[1])
    runner.exe(exe, "--weights", w[0], "--train", "--steps", 2, "--save-weights", w[2])
    ws = [st.read(f) for f in w]
    grads = [{k: (ws[i][k].double() - ws[i + 1][k].double()) / rp.LR_GRAD for k in P}
             for i in range(2)]

    masks = []
    for step, g in enumerate(grads, 1):
        masks.append({k: stats(rep, "netc", f"{k} step {step}", g[k], p) for k, p in P.items()})
    n = masks[0]["a"].numel()
    frac = lambda x: x.double().mean().item()

    def independent(name, x, y):
        within(rep, "netc independence", name, frac(x & y), frac(x) * frac(y), x.numel())

    independent("a and b", masks[0]["a"], masks[0]["b"])
    for k in P:
        flat = masks[0][k].flatten()
        independent(f"{k}[i] and {k}[i+1]", flat[:-1], flat[1:])
        independent(f"{k} steps 1 and 2", masks[0][k], masks[1][k])
    # The loss is an f32 sum of 2^17 terms: the f32 tolerance.
    loss = sum(grads[0][k].sum().item() for k in P)
    printed = rp.losses_of(log1)
    rep.check("netc loss", "step 1", len(printed) == 1 and
              abs(printed[0] - loss) <= rp.RTOL[torch.float32] * loss,
              f"printed {printed} vs sum of recovered masks {loss:.8g}")

    # PyTorch: the same model in train mode, its gradient is its mask / (1 - p).
    module = rp.models.OpsDropoutStats()
    module.load_state_dict(ws[0], strict=True)
    torch.manual_seed(1)
    module.train()
    _, tloss = module({})
    tloss.backward()
    for k, p in P.items():
        g = getattr(module, k).grad
        stats(rep, "torch", k, g, p)
        ours = (masks[0][k]).double().mean().item()
        theirs = (g != 0).double().mean().item()
        sd = math.sqrt(2 * p * (1 - p) / n)
        rep.check("netc vs torch", f"{k} kept fraction", abs(ours - theirs) <= SIGMAS * sd,
                  f"{ours:.5f} vs {theirs:.5f} (5 sd = {SIGMAS * sd:.5f})")
    return rep.finish()
