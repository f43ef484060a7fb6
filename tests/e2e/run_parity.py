#!/usr/bin/python3
"""Parity of netc's compiled executables with PyTorch 1.13 on the same weights and inputs.

usage: run_parity.py CASE --work DIR [--netc PATH] [--threads N]

For one case of CASES (an example of examples/ or a model of tests/e2e/models/ops.net):

1. forward: the model compiled as written (sizes reduced where the case says so); netc's
   seeded weights (--save-weights) load into the PyTorch twin of models.py (same names, shapes
   and dtypes, strictly; layer parameters are checked against PyTorch's default initialisation,
   check_init); the outputs (inference: dropout is the identity) on the same inputs are
   compared, and the loss where the executable writes it.
2. gradients: a variant whose optimizer is `sgd(lr=2^100)` (momentum and weight decay 0) and,
   for a model without a loss, a loss `mse(OUT, t_OUT)` summed over its outputs. One train step
   gives w1 = w0 - 2^100 g, so g = (w0 - w1) / 2^100: multiplying by a power of two is exact
   and 2^100 g dwarfs w0, so g comes back to f32 rounding (6e-8 of its own size), also where g
   is tiny: 1e-22 in the first layer of mlpirate, whose 24 sigmoid layers shrink it, which
   lr = 1 would lose far below ulp(w0). (2^100 |g| stays below f32's 3e38 for |g| < 2e8.)
   The loss printed for that step is compared too. mlpirate, whose compile is slow, gets its
   gradients from its own executable instead (gradient_from_own_sgd).
3. training: 20 steps of the model's own `train` optimizer and of the case's extra optimizers
   over 4 batches (--data with a leading batch axis; step i uses batch i mod 4); the printed
   loss of every step and the weights after step 20 are compared with torch.optim's, and so
   are the buffers (batch-norm running statistics, num_batches_tracked exactly) with the
   module's in train mode. A case with `buffers` starts every run from buffer values of its
   own (written into the initial weights), which the forward of step 1 reads in eval mode.

The reference is PyTorch in float64 on the same values (f32 weights and inputs cast up): its
error is far below f32's, so what is measured is netc's own error. PyTorch in the model's
dtype runs too and its error against the same reference is shown ("torch f32 rel"): on long
reductions (the convolution filter gradient of dropout2 sums 8192 products) PyTorch's f32 error
is the larger one, and comparing netc with it would measure PyTorch.

Tolerances, by netc's dtype, on max |netc - reference| / max |reference| over a tensor:
  f32: 1e-4;  f64: 1e-9;  weights after Adam in f32: + lr absolute (ADAM_F32_ATOL_LR);
  losses printed by the executable (%.8g): f32 1e-4, f64 1e-7.
Prints one row per check and a last line `PASS CASE: N checks` or `FAIL CASE: ...`; exits 1 on
any failure.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import models  # noqa: E402
import safetensors as st  # noqa: E402


RTOL = {torch.float32: 1e-4, torch.float64: 1e-9}
# Integer outputs (argmax, arange) must match exactly.
RTOL.update({torch.int32: 0.0, torch.int64: 0.0})
# Adam's step per element is lr * m / (sqrt(v) + eps), about lr whatever the gradient's size,
# so an element whose gradient is tiny and known only roughly in f32 still moves by about lr
# per step, by amounts that differ between f32 computations. In lenet, linear1.weight[13, 30]
# has a gradient at step 4 only, 1.4e-8 (of the order of eps): the activation it multiplies
# is relu(h) with h = 9.9e-6 from a dot product of terms of size 0.1, known to about 1e-3
# relative in f32 (PyTorch's own f32 run included); the next 16 Adam steps turn that into
# 1.6e-4 = 0.16 lr in that weight, against the float64 reference. Weights after Adam steps in
# f32 are therefore compared to 1e-4 * scale + ADAM_F32_ATOL_LR * lr: each element may be off
# by at most one step in total. (netc computes the bias corrections 1 - beta^t in f32:
# 1 - 0.999f is 1.3e-5 off 1e-3, 6e-6 in the step after the square root, far below this; a
# missing or wrong correction moves every element by several lr over 20 steps.)
ADAM_F32_ATOL_LR = 1.0
LR_GRAD = 2.0 ** 100
LR_GRAD_DSL = "1267650600228229401496703205376.0"
STEPS = 20
BATCHES = 4
REF = torch.float64


from cases import CASES, EXAMPLES, OPS, rand, randint, randn  # noqa: E402,F401


# ------------------------------------------------------------------------------ reporting


class Report:
    """Rows of checks; finish() prints the verdict and returns the exit status."""

    def __init__(self, case):
        self.case, self.count, self.failures = case, 0, []

    def check(self, kind, name, ok, text):
        self.count += 1
        print(f"{'ok  ' if ok else 'FAIL'} {kind + ': ' + name:<44} {text}")
        if not ok:
            self.failures.append(f"{kind} {name}")

    def compare(self, kind, name, got, ref, dtype, native=None, atol=0.0, rtol=None):
        """netc's `got` (of `dtype`) against the float64 reference `ref`:
        max |got - ref| <= rtol * max |ref| + atol, rtol by dtype unless given. `native` is
        PyTorch's own result in `dtype`, shown for comparison."""
        if tuple(got.shape) != tuple(ref.shape) or got.dtype != dtype:
            self.check(kind, name, False, f"netc {got.dtype} {list(got.shape)}, expected "
                       f"{dtype} {list(ref.shape)}")
            return
        # Integers (buffers such as num_batches_tracked) must be equal.
        rtol = RTOL.get(dtype, 0.0) if rtol is None else rtol
        g, r = got.double(), ref.double()
        scale = r.abs().max().item() if r.numel() else 0.0
        err = (g - r).abs().max().item() if r.numel() else 0.0
        ok = bool(torch.isfinite(g).all()) and bool(torch.isfinite(r).all())
        ok = ok and err <= rtol * scale + atol
        rel = lambda e: e / scale if scale > 0 else (0.0 if e == 0 else float("inf"))
        text = (f"rel {rel(err):.1e}  (max err {err:.2e}, scale {scale:.2e}; tol {rtol:g}"
                f"{f' + {atol:.0e}' if atol else ''})")
        if native is not None and native.dtype != REF:
            text += f"  torch {DSL_DTYPES[native.dtype]} rel " \
                    f"{rel((native.double() - r).abs().max().item()):.1e}"
        self.check(kind, name, ok, text)

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
    {output: (dtype, shape)}, inputs t_OUTPUT and a loss summing mse(OUT, t_OUT)."""
    begin, end = model_block(text, name)
    body = re.sub(r"^\s*train\s+.*$\n?", "", text[begin:end], flags=re.M)
    extra = []
    if add_loss:
        terms = []
        for out, (dtype, shape) in add_loss.items():
            if shape:
                extra.append(f"  input t_{out}: {dtype}[{', '.join(map(str, shape))}]")
                terms.append(f"mse({out}, t_{out})")
            else:  # a 0-d output (no 0-d inputs in the DSL)
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
        args[k] = {"true": True, "false": False}[v] if v in ("true", "false") else float(v)
    return kind, args


def torch_optimizer(call, params):
    kind, a = parse_call(call)
    if kind == "sgd":
        return torch.optim.SGD(params, lr=a["lr"], momentum=a.get("momentum", 0.0),
                               weight_decay=a.get("weight_decay", 0.0),
                               nesterov=a.get("nesterov", False))
    if kind == "adamw":
        return torch.optim.AdamW(params, lr=a["lr"],
                                 betas=(a.get("beta1", 0.9), a.get("beta2", 0.999)),
                                 eps=a.get("eps", 1e-8), weight_decay=a.get("weight_decay", 0.01))
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=a["lr"], alpha=a.get("alpha", 0.99),
                                   eps=a.get("eps", 1e-8), weight_decay=a.get("weight_decay", 0.0),
                                   momentum=a.get("momentum", 0.0),
                                   centered=a.get("centered", False))
    assert kind == "adam", call
    return torch.optim.Adam(params, lr=a["lr"], betas=(a.get("beta1", 0.9), a.get("beta2", 0.999)),
                            eps=a.get("eps", 1e-8), weight_decay=a.get("weight_decay", 0.0))


DSL_DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.int32: "i32", torch.int64: "i64"}


# ------------------------------------------------------------------------------- running


class Runner:
    """Compiles variants with netc and runs the executables in the work folder."""

    def __init__(self, netc, work, threads, flags=()):
        self.netc, self.work, self.threads, self.flags = netc, work, threads, list(flags)

    def path(self, name):
        return os.path.join(self.work, name)

    def compile(self, text, stem, model):
        src = self.path(stem + ".net")
        with open(src, "w") as f:
            f.write(text)
        cmd = [self.netc, src, "-o", self.path(stem)] + ([f"--model={model}"] if model else [])
        t0 = time.time()
        subprocess.run(cmd + self.flags, check=True)
        print(f"# compiled {stem} in {time.time() - t0:.1f} s")
        return self.path(stem)

    def exe(self, exe, *args):
        cmd = [exe, "--threads", str(self.threads)] + [str(a) for a in args]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode:
            sys.stdout.write(r.stdout + r.stderr)
            how = (f"was killed by {signal.Signals(-r.returncode).name}" if r.returncode < 0
                   else f"failed with status {r.returncode}")
            raise SystemExit(f"{' '.join(cmd)} {how}")
        return r.stdout


def losses_of(log):
    """The losses of the progress lines `step I/N  loss L ...` (%.8g)."""
    return [float(v) for v in re.findall(r"^step \d+/\d+\s+loss (\S+)", log, re.M)]


def printed(values):
    return torch.tensor(values, dtype=torch.float64)


def printed_rtol(dtype):
    return max(RTOL[dtype], 1e-7)


def cast(tensors, dtype):
    """Floating tensors to `dtype`; indices unchanged."""
    return {k: v.to(dtype) if v.is_floating_point() else v for k, v in tensors.items()}


class Twin:
    """The PyTorch model on netc's initial weights, in the reference dtype or its own."""

    def __init__(self, case, w0):
        self.case, self.w0 = case, w0
        native = case.torch_model()
        theirs = {k: (v.dtype, tuple(v.shape)) for k, v in w0.items()}
        ours = {k: (v.dtype, tuple(v.shape)) for k, v in native.state_dict().items()}
        if theirs != ours:
            raise SystemExit(f"parameters differ:\n  netc  {theirs}\n  torch {ours}")
        # netc's (and the model's) float dtype; integer buffers do not tell it.
        self.dtype = next(v.dtype for v in w0.values() if v.is_floating_point())

    def module(self, dtype):
        m = self.case.torch_model().to(dtype)
        m.load_state_dict(cast(self.w0, dtype), strict=True)
        return m

    def both(self, fn):
        """fn(dtype) for the reference dtype and, if different, the model's own."""
        ref = fn(REF)
        return ref, (fn(self.dtype) if self.dtype != REF else ref)


def model_loss(module, inputs, add_loss):
    """The loss the gradient and training variants compile: the model's, or sum mse(o, t_o)."""
    mine = {k: v for k, v in inputs.items() if not k.startswith("t_")} if add_loss else inputs
    outs, loss = module(mine)
    if add_loss:
        loss = 0
        for k, v in outs.items():
            loss = loss + (F.mse_loss(v, inputs["t_" + k]) if v.dim() else (v - 0.5) * (v - 0.5))
    return loss


def torch_gradients(twin, inputs, add_loss):
    def run(dtype):
        m = twin.module(dtype)
        m.train()
        loss = model_loss(m, cast(inputs, dtype), add_loss)
        loss.backward()
        return loss.detach(), {k: p.grad for k, p in m.named_parameters()}
    return twin.both(run)


def torch_training(twin, call, data, add_loss):
    def run(dtype):
        m = twin.module(dtype)
        m.train()
        opt = torch_optimizer(call, m.parameters())
        losses = []
        for s in range(STEPS):
            opt.zero_grad()
            loss = model_loss(m, cast(data[s % BATCHES], dtype), add_loss)
            losses.append(loss.item())
            loss.backward()
            opt.step()
        # Buffers (batch-norm running statistics) after the steps, beside the parameters.
        state = {k: p.detach() for k, p in m.named_parameters()}
        state.update({"buffer " + k: b for k, b in m.named_buffers()})
        return torch.tensor(losses, dtype=dtype), state
    return twin.both(run)


def run_case(name, case, runner):
    rep = Report(name)
    gen = torch.Generator().manual_seed(1234)
    with open(case.net) as f:
        text = f.read()
    for a, b in case.subst:
        assert a in text, f"{a!r} not in {case.net}"
        text = text.replace(a, b)
    inputs = case.inputs(gen)
    exe = runner.compile(text, "model", case.model)
    w0file = runner.path("w0.safetensors")
    runner.exe(exe, "--seed", 1, "--save-weights", w0file)
    w0 = st.read(w0file)
    twin = Twin(case, w0)
    dt = twin.dtype
    check_init(rep, case.torch_model(), w0)
    if case.buffers:  # the initial buffers of every run and of the twin
        w0.update(case.buffers(gen, w0))
        st.write(w0file, w0)

    # 1. forward (inference: dropout is the identity) and the loss.
    st.write(runner.path("in.safetensors"), inputs)
    runner.exe(exe, "--weights", w0file, "--inputs", runner.path("in.safetensors"), "--outputs",
               runner.path("out.safetensors"))
    got = st.read(runner.path("out.safetensors"))

    def forward(dtype):
        m = twin.module(dtype)
        m.eval()
        with torch.no_grad():
            return m(cast(inputs, dtype))
    (outs, loss), (outs_n, loss_n) = twin.both(forward)
    for k, v in outs.items():
        rep.compare("forward", k, got.get(k, torch.tensor([])), v,
                    dt if v.is_floating_point() else v.dtype, outs_n[k])
    if loss is not None and "loss" in got:  # written where the forward function has the loss
        rep.compare("forward", "loss", got["loss"], loss, dt, loss_n)
    expected = set(outs) | ({"loss"} if loss is not None else set())
    rep.check("forward", "(output names)", set(got) <= expected, f"netc wrote {sorted(got)}")

    # 2. gradients of one step of the sgd(lr=2^100) variant.
    add_loss = None if loss is not None else {
        k: (DSL_DTYPES[v.dtype], list(v.shape)) for k, v in outs_n.items()}

    def batch(g):
        b = case.inputs(g)
        for k, v in (outs_n.items() if add_loss else ()):
            if v.dim():
                b["t_" + k] = randn(*v.shape, dtype=v.dtype, gen=g)
        return b

    if case.scaled_target:
        gradient_from_own_sgd(rep, case, text, exe, twin, outs_n, gen, runner)
    elif case.grad:
        gin = batch(gen)
        st.write(runner.path("gin.safetensors"), gin)
        gexe = runner.compile(variant(text, case.model, f"sgd(lr={LR_GRAD_DSL})", add_loss),
                              "grad", case.model)
        log = runner.exe(gexe, "--weights", w0file, "--inputs", runner.path("gin.safetensors"),
                         "--train", "--steps", 1, "--save-weights", runner.path("w1.safetensors"))
        w1 = st.read(runner.path("w1.safetensors"))
        (tloss, grads), (tloss_n, grads_n) = torch_gradients(twin, gin, add_loss)
        rep.compare("train step 1", "loss", printed(losses_of(log)), tloss.reshape(1),
                    torch.float64, tloss_n.reshape(1), rtol=printed_rtol(dt))
        for k, g in grads.items():
            got_g = ((w0[k].double() - w1[k].double()) / LR_GRAD).to(dt)
            rep.compare("gradient", k, got_g, g, dt, grads_n[k])

    # 3. training: the model's own optimizer (from its executable) and the case's extra ones.
    runs = []
    mine = own_train(text, case.model)
    if mine:
        runs.append(("own " + mine.split("(")[0], mine, exe))
    runs += [(label, call, None) for label, call in case.optimizers]
    if runs:
        data = [batch(gen) for _ in range(BATCHES)]
        st.write(runner.path("data.safetensors"),
                 {k: torch.stack([d[k] for d in data]) for k in data[0]})
    for i, (label, call, texe) in enumerate(runs):
        if texe is None:
            texe = runner.compile(variant(text, case.model, call, add_loss), f"train{i}",
                                  case.model)
        wfile = runner.path(f"w20-{i}.safetensors")
        log = runner.exe(texe, "--weights", w0file, "--train", "--steps", STEPS, "--data",
                         runner.path("data.safetensors"), "--save-weights", wfile)
        w20 = st.read(wfile)
        (losses, weights), (losses_n, weights_n) = torch_training(twin, call, data, add_loss)
        rep.compare(f"{STEPS} losses ({label})", "loss", printed(losses_of(log)), losses,
                    torch.float64, losses_n, rtol=printed_rtol(dt))
        kind, a = parse_call(call)
        # RMSprop's and AdamW's steps, like Adam's, are about lr whatever the gradient's size.
        atol = (ADAM_F32_ATOL_LR * a["lr"]
                if kind in ("adam", "adamw", "rmsprop") and dt == torch.float32 else 0.0)
        for k, w in weights.items():
            what, key = ("buffers", k[len("buffer "):]) if k.startswith("buffer ") else \
                ("weights", k)
            rep.compare(f"{what} ({label})", key, w20[key], w, dt if w.is_floating_point()
                        else w.dtype, weights_n[k], atol=atol)
    return rep.finish()


def check_init(rep, module, w0):
    """netc's seeded initialisation of layer parameters against PyTorch's defaults (DSL.md):
    conv2d and linear weight and bias in U(-b, b), b = 1/sqrt(fan_in) (kaiming_uniform with
    a = sqrt(5) gives the same bound for the weight), embedding N(0, 1). Every value within
    the bound; over 1000 values and more, the standard deviation within 5% of b/sqrt(3) (1 for
    embedding) and the mean within 5 standard errors of 0."""
    for prefix, layer in module.named_modules():
        if isinstance(layer, torch.nn.modules.batchnorm._BatchNorm):
            # Constants (weight 1, bias 0, running_mean 0, running_var 1, count 0): exact.
            for k, v in layer.state_dict().items():
                got = w0[f"{prefix}.{k}"]
                rep.check("init", f"{prefix}.{k}", got.dtype == v.dtype and torch.equal(got, v),
                          f"{got.dtype} equal to torch's {v.dtype} default")
            continue
        if isinstance(layer, torch.nn.Embedding):
            bound, std = None, 1.0
        elif isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear, torch.nn.ConvTranspose2d,
                                torch.nn.Conv1d)):
            bound = layer.weight[0].numel() ** -0.5
            std = bound / 3 ** 0.5
        else:
            continue
        for pname, _ in layer.named_parameters():
            w = w0[f"{prefix}.{pname}"].double()
            ok, text = True, ""
            if bound is not None:
                ok = w.abs().max().item() <= bound * (1 + 1e-6)
                text = f"max |w| {w.abs().max().item():.4f} <= {bound:.4f}"
            if w.numel() >= 1000:
                n, m, sd = w.numel(), w.mean().item(), w.std().item()
                ok = ok and abs(sd - std) <= 0.05 * std and abs(m) <= 5 * std / n ** 0.5
                text += f"{'; ' if text else ''}mean {m:+.4f}, std {sd:.4f} vs {std:.4f}"
            if text:  # a small embedding table: nothing to check
                rep.check("init", f"{prefix}.{pname}", ok, text)


def gradient_from_own_sgd(rep, case, text, exe, twin, outs, gen, runner):
    """Gradients from one step of the model's own sgd, without a second compile (for mlpirate,
    whose compile is slow): at step 1, w1 = w0 - lr g whatever the momentum (no Nesterov, no
    weight decay). lr = 0.01 would lose g below ulp(w0), so the MSE target t becomes
    y0 - 2^90 u (y0 = the forward output, u ~ N(0, 1)): dL/dy = 2 (y - t) / N = 2^91 u / N on
    both sides (y vanishes in the f32 subtraction), every gradient is 2^90 times larger, and
    lr g dwarfs w0. The loss itself overflows f32 to inf (hence --allow-nonfinite); no gradient
    depends on it."""
    kind, a = parse_call(own_train(text, case.model))
    assert kind == "sgd" and not a.get("nesterov") and not a.get("weight_decay"), a
    target, output = case.scaled_target
    gin = case.inputs(gen)
    y0 = outs[output]
    gin[target] = (y0.double() - 2.0 ** 90 * randn(*y0.shape, gen=gen).double()).to(y0.dtype)
    st.write(runner.path("gin.safetensors"), gin)
    runner.exe(exe, "--weights", runner.path("w0.safetensors"), "--inputs",
               runner.path("gin.safetensors"), "--train", "--steps", 1, "--allow-nonfinite",
               "--save-weights", runner.path("w1.safetensors"))
    w0, w1 = twin.w0, st.read(runner.path("w1.safetensors"))
    (_, grads), (_, grads_n) = torch_gradients(twin, gin, None)
    lr = torch.tensor(a["lr"], dtype=twin.dtype).double()  # the lr netc multiplies by
    for k, g in grads.items():
        got_g = ((w0[k].double() - w1[k].double()) / lr).to(twin.dtype)
        rep.compare("gradient (t scaled)", k, got_g, g, twin.dtype, grads_n[k])


def work_arguments():
    """Parses the flags every small parity script takes (--work, --netc, --threads) and
    creates the --work folder."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True, help="scratch folder")
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--threads", type=int, default=2, help="--threads of the executables")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    return args


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
