#!/usr/bin/python3
"""Parity of netc's compiled executables with PyTorch 1.13 on the same weights and inputs.

usage: run_parity.py CASE --work DIR [--netc PATH]

For one case of CASES (an example of examples/ or a model of tests/e2e/models/ops.net):

1. forward: the model compiled as written (sizes reduced where the case says so); netc's
   seeded weights (--save-weights) load into the PyTorch twin of models.py (same names and
   shapes, strictly); outputs and the loss on the same inputs are compared.
2. gradients: a variant whose optimizer is `sgd(lr=2^100)` (momentum and weight decay 0) and,
   for a model without a loss, a loss `mse(OUT, t_OUT)` summed over its outputs. One train step
   gives w1 = w0 - 2^100 g, so g = (w0 - w1) / 2^100: multiplying by a power of two is exact
   and 2^100 g dwarfs w0, so g comes back to f32 rounding (6e-8 of its own size), also where g
   is tiny: 1e-22 in the first layer of mlpirate, whose 24 sigmoid layers shrink it, which
   lr = 1 would lose far below ulp(w0). (2^100 |g| stays below f32's 3e38 for |g| < 2e8.)
3. training: 20 steps of the model's own `train` optimizer and of the case's extra optimizers
   over 4 batches (--data with a leading batch axis; step i uses batch i mod 4); the printed
   loss of every step and the weights after step 20 are compared with torch.optim.

Tolerances, per dtype, on max |netc - torch| / max |torch| over a tensor (its scale):
  f32: 1e-4;  f64: 1e-9;  Adam in f32 adds an absolute floor, see ADAM_F32_ATOL.
Prints one row per compared tensor and a last line `PASS CASE: N tensors` or `FAIL CASE: ...`;
exits 1 on any failure.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import models  # noqa: E402
import safetensors as st  # noqa: E402

EXAMPLES = os.path.join(HERE, "..", "..", "examples")
OPS = os.path.join(HERE, "models", "ops.net")

RTOL = {torch.float32: 1e-4, torch.float64: 1e-9}
# Adam divides by sqrt(v): where a gradient is at the level of its own rounding noise
# (cancelling sums over a batch), the normalised step m / sqrt(v) is a coin flip of +-lr on
# both sides, and netc computes beta^t in f32 (1 - 0.999f^t is off by 1.3e-5 relative) where
# PyTorch uses Python floats. So weights after Adam steps in f32 are compared to
# 1e-4 * scale + ADAM_F32_ATOL * lr * steps: elements allowed to take a few flipped steps.
ADAM_F32_ATOL = 0.05
LR_GRAD = 2.0 ** 100
LR_GRAD_DSL = "1267650600228229401496703205376.0"
STEPS = 20
BATCHES = 4


def randn(*shape, dtype=torch.float32, gen):
    return torch.randn(*shape, generator=gen, dtype=torch.float64).to(dtype)


def rand(*shape, lo=0.0, hi=1.0, dtype=torch.float32, gen):
    return (lo + (hi - lo) * torch.rand(*shape, generator=gen, dtype=torch.float64)).to(dtype)


def randint(hi, *shape, dtype=torch.int64, gen):
    return torch.randint(0, hi, shape, generator=gen, dtype=torch.int64).to(dtype)


class Case:
    """One model: where its .net lives, its PyTorch twin, its inputs and optimizers."""

    def __init__(self, net, torch_model, inputs, model=None, subst=(), optimizers=(), grad=True):
        self.net, self.model, self.subst = net, model, list(subst)
        self.torch_model, self.inputs = torch_model, inputs
        self.optimizers = list(optimizers)  # (label, DSL call): trained from a variant
        self.grad = grad


CASES = {
    # Examples. cnn runs at 1x3x64x64 instead of 1024x1024; the rest as written except the
    # gradient/training variant of embedding (dim 420 instead of 42000).
    "cnn": Case(os.path.join(EXAMPLES, "cnn.net"), models.CNN,
                lambda g: {"x": randn(1, 3, 64, 64, gen=g)}, subst=[("1024, 1024", "64, 64")],
                optimizers=[("sgd-nesterov", "sgd(lr=0.01, momentum=0.9, nesterov=true, "
                                             "weight_decay=0.01)")]),
    "dropout2": Case(os.path.join(EXAMPLES, "dropout2.net"), models.Dropout2,
                     lambda g: {"x": randn(8, 3, 32, 32, gen=g)}, grad=False),
    "dropout2_p0": Case(os.path.join(EXAMPLES, "dropout2.net"), models.Dropout2P0,
                        lambda g: {"x": randn(8, 3, 32, 32, gen=g)},
                        subst=[("p=0.1", "p=0.0"), ("p=0.2", "p=0.0")],
                        optimizers=[("sgd-nesterov", "sgd(lr=0.05, momentum=0.9, nesterov=true)")]),
    "embedding": Case(os.path.join(EXAMPLES, "embedding.net"), models.Embed,
                      lambda g: {"idx": randint(42, 5, 6, 7, 8, gen=g)}, grad=False),
    "embedding_small": Case(os.path.join(EXAMPLES, "embedding.net"), models.EmbedSmall,
                            lambda g: {"idx": randint(42, 5, 6, 7, 8, gen=g)},
                            subst=[("dim=42000", "dim=420")],
                            optimizers=[("adam-wd", "adam(lr=0.01, weight_decay=0.01)")]),
    "foo": Case(os.path.join(EXAMPLES, "foo.net"), models.Foo,
                lambda g: {"X": randn(100, 5, dtype=torch.float64, gen=g)},
                optimizers=[("adam-betas", "adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, "
                                           "weight_decay=0.1)"),
                            ("sgd-momentum", "sgd(lr=0.1, momentum=0.5, weight_decay=0.01)")]),
    "lenet": Case(os.path.join(EXAMPLES, "lenet.net"), models.LeNet,
                  lambda g: {"image": randn(64, 1, 28, 28, gen=g), "label": randint(10, 64, gen=g)}),
    "mlp2": Case(os.path.join(EXAMPLES, "mlp2.net"), models.MLP2,
                 lambda g: {"x": randn(32, 10, gen=g),
                            "y": (rand(32, 1, gen=g) > 0.5).to(torch.float32)}),
    "mlpirate": Case(os.path.join(EXAMPLES, "mlpirate.net"), models.MLPirate,
                     lambda g: {"x": randn(64, 42, gen=g), "t": randn(64, 1, gen=g)}),
    "residual": Case(os.path.join(EXAMPLES, "residual.net"), models.Residual,
                     lambda g: {"x": randn(1, 64, 56, 56, gen=g)},
                     optimizers=[("adam-wd", "adam(lr=0.001, weight_decay=0.01)")]),
    # Every op of DSL.md (tests/e2e/models/ops.net).
    "conv": Case(OPS, models.OpsConv, lambda g: {"x": randn(2, 4, 11, 10, gen=g)}, model="conv"),
    "pool": Case(OPS, models.OpsPool, lambda g: {"x": randn(2, 3, 13, 12, gen=g)}, model="pool"),
    "dense": Case(OPS, models.OpsDense,
                  lambda g: {"x": randn(3, 2, 5, gen=g), "idx": randint(7, 3, 4, gen=g),
                             "j": randint(3, 6, dtype=torch.int32, gen=g)}, model="dense",
                  optimizers=[("sgd-momentum-wd", "sgd(lr=0.05, momentum=0.9, weight_decay=0.1)")]),
    "elementwise": Case(OPS, models.OpsElementwise, lambda g: {"x": randn(4, 6, gen=g)},
                        model="elementwise"),
    "shape": Case(OPS, models.OpsShape, lambda g: {"x": randn(2, 3, 4, 2, gen=g)}, model="shape"),
    "losses": Case(OPS, models.OpsLosses,
                   lambda g: {"x": randn(5, 4, gen=g), "y": randn(5, 3, gen=g),
                              "p": rand(5, 3, gen=g), "target": randint(4, 5, gen=g),
                              "target2": randint(4, 2, 3, 3, dtype=torch.int32, gen=g)},
                   model="losses",
                   optimizers=[("adam", "adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6)")]),
    "f64": Case(OPS, models.OpsF64,
                lambda g: {"x": randn(2, 3, 8, 8, dtype=torch.float64, gen=g),
                           "label": randint(5, 2, dtype=torch.int32, gen=g)}, model="f64",
                optimizers=[("sgd-nesterov-wd", "sgd(lr=0.1, momentum=0.9, nesterov=true, "
                                                "weight_decay=0.05)"),
                            ("adam-wd", "adam(lr=0.01, weight_decay=0.1)")]),
    "reductions": Case(OPS, models.OpsReductions,
                       lambda g: {"x": rand(1024, 1024, lo=1.0, hi=2.0, gen=g),
                                  "y": randn(1024, 1024, gen=g)}, model="reductions"),
    "dropout0": Case(OPS, models.OpsDropout0, lambda g: {"x": randn(16, 12, gen=g)},
                     model="dropout0", optimizers=[("sgd", "sgd(lr=0.1)")]),
}


# ------------------------------------------------------------------------------ reporting


class Report:
    def __init__(self, case):
        self.case, self.count, self.failures = case, 0, []

    def row(self, kind, name, ok, text):
        self.count += 1
        print(f"{'ok  ' if ok else 'FAIL'} {kind:<22} {name:<24} {text}")
        if not ok:
            self.failures.append(f"{kind} {name}")

    def compare(self, kind, name, got, ref, atol=0.0, rtol=None, base=None):
        """max |got - ref| <= rtol * max |ref| + atol, rtol by ref's dtype unless given.
        With `base` (weights before training), also shows the error relative to the update."""
        if tuple(got.shape) != tuple(ref.shape) or got.dtype != ref.dtype:
            self.row(kind, name, False, f"netc {got.dtype} {list(got.shape)} vs torch "
                     f"{ref.dtype} {list(ref.shape)}")
            return
        rtol = RTOL.get(ref.dtype, 0.0) if rtol is None else rtol
        g, r = got.double(), ref.double()
        scale = r.abs().max().item() if r.numel() else 0.0
        err = (g - r).abs().max().item() if r.numel() else 0.0
        finite = bool(torch.isfinite(g).all()) and bool(torch.isfinite(r).all())
        ok = finite and err <= rtol * scale + atol
        rel = err / scale if scale > 0 else (0.0 if err == 0 else float("inf"))
        upd = ""
        if base is not None:
            d = (r - base.double()).abs().max().item()
            upd = f"  update {d:.2e} rel {err / d if d else 0.0:.1e}"
        self.row(kind, name, ok, f"max err {err:.3e}  scale {scale:.3e}  rel {rel:.2e}"
                 f"  (tol {rtol:g}{f' + {atol:.1e}' if atol else ''}){upd}")

    def check(self, kind, name, ok, text):
        self.row(kind, name, ok, text)

    def finish(self):
        if self.failures:
            print(f"FAIL {self.case}: {len(self.failures)} of {self.count} checks: "
                  + ", ".join(self.failures))
            return 1
        print(f"PASS {self.case}: {self.count} checks")
        return 0


# --------------------------------------------------------------------------- .net variants


def model_block(text, name):
    """(start, end) of the body of `model NAME {...}` (the first model when name is None)."""
    pattern = r"^\s*model\s+" + (re.escape(name) if name else r"\w+") + r"\s*\{"
    m = re.search(pattern, text, re.M)
    if not m:
        raise SystemExit(f"no model {name} in the .net file")
    depth, i = 1, m.end()
    while depth:
        c = text[i]
        if c == "#":
            i = text.index("\n", i)
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        i += 1
    return m.end(), i - 1


def own_train(text, name):
    """The `train` call of the model, or None."""
    begin, end = model_block(text, name)
    m = re.search(r"^\s*train\s+(.*)$", text[begin:end], re.M)
    return m.group(1).split("#")[0].strip() if m else None


def variant(text, name, train=None, add_loss=None):
    """The model's text with its train statement replaced by `train` and, if add_loss is
    {output: (dtype, shape)}, inputs t_OUTPUT and a loss sum of mse(OUT, t_OUT)."""
    begin, end = model_block(text, name)
    body = re.sub(r"^\s*train\s+.*$\n?", "", text[begin:end], flags=re.M)
    extra = []
    if add_loss:
        terms = []
        for out, (dtype, shape) in add_loss.items():
            if shape:
                extra.append(f"  input t_{out}: {dtype}[{', '.join(map(str, shape))}]")
                terms.append(f"mse({out}, t_{out})")
            else:
                terms.append(f"({out} - 0.5) * ({out} - 0.5)")
        extra.append("  loss " + " + ".join(terms))
    if train:
        extra.append(f"  train {train}")
    return text[:begin] + body.rstrip() + "\n" + "\n".join(extra) + "\n" + text[end:]


def parse_call(call):
    """`sgd(lr=0.1, nesterov=true)` as ("sgd", {"lr": 0.1, "nesterov": True})."""
    m = re.fullmatch(r"(\w+)\((.*)\)", call.strip())
    kind, args = m.group(1), {}
    for part in filter(None, (p.strip() for p in m.group(2).split(","))):
        k, v = (s.strip() for s in part.split("="))
        args[k] = {"true": True, "false": False}.get(v, None)
        if args[k] is None:
            args[k] = float(v)
    return kind, args


def torch_optimizer(call, params):
    kind, a = parse_call(call)
    if kind == "sgd":
        return torch.optim.SGD(params, lr=a["lr"], momentum=a.get("momentum", 0.0),
                               weight_decay=a.get("weight_decay", 0.0),
                               nesterov=a.get("nesterov", False))
    assert kind == "adam", call
    return torch.optim.Adam(params, lr=a["lr"], betas=(a.get("beta1", 0.9), a.get("beta2", 0.999)),
                            eps=a.get("eps", 1e-8), weight_decay=a.get("weight_decay", 0.0))


DSL_DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.int32: "i32", torch.int64: "i64"}

# ------------------------------------------------------------------------------- running


class Runner:
    def __init__(self, netc, work, threads, flags=()):
        self.netc, self.work, self.threads, self.flags = netc, work, threads, list(flags)

    def path(self, name):
        return os.path.join(self.work, name)

    def compile(self, text, stem, model):
        src = self.path(stem + ".net")
        with open(src, "w") as f:
            f.write(text)
        cmd = [self.netc, src, "-o", self.path(stem)] + ([f"--model={model}"] if model else [])
        cmd += self.flags
        t0 = time.time()
        subprocess.run(cmd, check=True)
        print(f"# compiled {stem} in {time.time() - t0:.1f} s")
        return self.path(stem)

    def exe(self, exe, *args):
        cmd = [exe, "--threads", str(self.threads)] + [str(a) for a in args]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode:
            sys.stdout.write(r.stdout + r.stderr)
            raise SystemExit(f"{' '.join(cmd)} failed with status {r.returncode}")
        return r.stdout


def printed(values):
    return torch.tensor(values, dtype=torch.float64)


def printed_rtol(dtype):
    """Progress lines print losses with %.8g: f64 losses compare at 1e-7."""
    return max(RTOL[dtype], 1e-7)


def losses_of(log):
    return [float(v) for v in re.findall(r"^step \d+/\d+\s+loss (\S+)", log, re.M)]


def load(module, weights):
    """Loads netc's weights strictly: same names, shapes and dtypes on both sides."""
    sd = module.state_dict()
    theirs = {k: (v.dtype, tuple(v.shape)) for k, v in weights.items()}
    ours = {k: (v.dtype, tuple(v.shape)) for k, v in sd.items()}
    if theirs != ours:
        raise SystemExit(f"parameters differ:\n  netc  {theirs}\n  torch {ours}")
    module.load_state_dict(weights, strict=True)


def run_case(name, case, runner):
    rep = Report(name)
    gen = torch.Generator().manual_seed(1234)
    with open(case.net) as f:
        text = f.read()
    for a, b in case.subst:
        assert a in text, f"{a!r} not in {case.net}"
        text = text.replace(a, b)
    module = case.torch_model()
    inputs = case.inputs(gen)
    exe = runner.compile(text, "model", case.model)
    runner.exe(exe, "--seed", 1, "--save-weights", runner.path("w0.safetensors"))
    w0 = st.read(runner.path("w0.safetensors"))
    load(module, w0)

    # 1. forward (inference: dropout is the identity) and the loss.
    st.write(runner.path("in.safetensors"), inputs)
    runner.exe(exe, "--weights", runner.path("w0.safetensors"), "--inputs",
               runner.path("in.safetensors"), "--outputs", runner.path("out.safetensors"))
    got = st.read(runner.path("out.safetensors"))
    module.eval()
    with torch.no_grad():
        outs, loss = module(inputs)
    for k, v in outs.items():
        rep.compare("forward", k, got.get(k, torch.tensor([])), v)
    if loss is not None and "loss" in got:  # written only where forward computes the loss
        rep.compare("loss", "loss", got["loss"], loss)
    extra = set(got) - set(outs) - ({"loss"} if loss is not None else set())
    rep.check("forward", "(names)", not extra, f"netc outputs {sorted(got)}")

    # 2. gradients of one step from the sgd(lr=2^60) variant.
    add_loss = None if loss is not None else {
        k: (DSL_DTYPES[v.dtype], list(v.shape)) for k, v in outs.items()}
    def batch(g):
        b = case.inputs(g)
        if add_loss:
            for k, v in outs.items():
                if v.dim():
                    b["t_" + k] = randn(*v.shape, dtype=v.dtype, gen=g)
        return b
    if case.grad:
        gin = batch(gen)
        st.write(runner.path("gin.safetensors"), gin)
        gexe = runner.compile(variant(text, case.model, f"sgd(lr={LR_GRAD_DSL})",
                                      add_loss), "grad", case.model)
        log = runner.exe(gexe, "--weights", runner.path("w0.safetensors"), "--inputs",
                         runner.path("gin.safetensors"), "--train", "--steps", 1,
                         "--save-weights", runner.path("w1.safetensors"))
        w1 = st.read(runner.path("w1.safetensors"))
        load(module, w0)
        module.train()
        module.zero_grad()
        _, tloss = grad_model_loss(module, gin, add_loss)
        tloss.backward()
        rep.compare("train loss (step 1)", "loss", printed(losses_of(log)),
                    tloss.detach().double().reshape(1), rtol=printed_rtol(tloss.dtype))
        for k, p in module.named_parameters():
            g = (w0[k].double() - w1[k].double()) / LR_GRAD
            rep.compare("gradient", k, g.to(p.dtype), p.grad)

    # 3. training: the model's own optimizer (from its exe) and the case's extra ones.
    runs = []
    mine = own_train(text, case.model)
    if mine:
        runs.append(("own " + mine.split("(")[0], mine, exe))
    for label, call in case.optimizers:
        runs.append((label, call, None))
    if runs:
        data = [batch(gen) for _ in range(BATCHES)]
        stacked = {k: torch.stack([d[k] for d in data]) for k in data[0]}
        st.write(runner.path("data.safetensors"), stacked)
    for i, (label, call, texe) in enumerate(runs):
        if texe is None:
            texe = runner.compile(variant(text, case.model, call, add_loss), f"train{i}",
                                  case.model)
        wfile = runner.path(f"w20-{i}.safetensors")
        log = runner.exe(texe, "--weights", runner.path("w0.safetensors"), "--train", "--steps",
                         STEPS, "--data", runner.path("data.safetensors"), "--save-weights", wfile)
        got_losses = losses_of(log)
        w20 = st.read(wfile)
        load(module, w0)
        module.train()
        opt = torch_optimizer(call, module.parameters())
        ref_losses = []
        for s in range(STEPS):
            opt.zero_grad()
            _, l = grad_model_loss(module, data[s % BATCHES], add_loss)
            ref_losses.append(l.item())
            l.backward()
            opt.step()
        rep.compare(f"losses ({label})", f"{STEPS} steps", printed(got_losses),
                    printed(ref_losses), rtol=printed_rtol(l.dtype))
        kind, a = parse_call(call)
        for k, p in module.named_parameters():
            atol = 0.0
            if kind == "adam" and p.dtype == torch.float32:
                atol = ADAM_F32_ATOL * a["lr"] * STEPS
            rep.compare(f"weights ({label})", k, w20[k], p.detach(), atol,
                        base=w0[k])
    return rep.finish()


def grad_model_loss(module, inputs, add_loss):
    """The loss the gradient and training variants compile: the model's, or sum mse(o, t_o)."""
    mine = {k: v for k, v in inputs.items() if not k.startswith("t_")} if add_loss else inputs
    outs, loss = module(mine)
    if add_loss:
        loss = 0
        for k, v in outs.items():
            loss = loss + (torch.nn.functional.mse_loss(v, inputs["t_" + k]) if v.dim()
                           else (v - 0.5) * (v - 0.5))
    return outs, loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", choices=sorted(CASES) + ["dropout_stats"])
    ap.add_argument("--work", required=True, help="scratch folder")
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--threads", type=int, default=2, help="--threads of the executables")
    ap.add_argument("--netc-flag", action="append", default=[],
                    help="an extra netc flag for every compile (debugging: --target=..., "
                         "--schedule=naive)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.work, exist_ok=True)
    runner = Runner(args.netc, args.work, args.threads, args.netc_flag)
    t0 = time.time()
    if args.case == "dropout_stats":
        import dropout_stats
        status = dropout_stats.run(runner, Report(args.case))
    else:
        status = run_case(args.case, CASES[args.case], runner)
    print(f"# {args.case}: {time.time() - t0:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
