#!/usr/bin/python3
"""Truncated backpropagation through time in netc against PyTorch.

usage: tbptt_parity.py --work DIR [--netc PATH] [--threads N] [--engine exe|interp]
                       [--net FILE] [--model elman|lstm] [-D NAME=VALUE ...]

The model (tests/e2e/models/tbptt.net, an Elman network; or examples/char_lm.net, an LSTM)
carries its hidden state between train steps as a buffer (`state h`, `h <- detach(h_n)`).
Its twin is torch.nn.RNN or torch.nn.LSTM between an embedding and a linear head.

1. training: netc's seeded weights (--save-weights), with the state set to random values
   (so that the first step must read the state it loads), train STEPS steps of the model's
   sgd on text_chunks.py's batches of examples/data/compilers.txt (--data: step i uses batch
   i mod N, N < STEPS, so the data wraps around). The PyTorch twin (float64 reference, f32
   beside it) runs the same steps, starting each chunk from the state the previous one left,
   detached. The printed loss of every step, every weight and the final state must agree
   (tolerances of run_parity.py: f32 1e-4 of each tensor's scale, printed losses 1e-4).
2. the alternatives: a twin that starts every chunk from the initial state (the state does
   not cross chunks) and one that backpropagates through the previous chunk as well (the
   gradient crosses) must each differ from netc's losses and from its weights and state by
   more than SEPARATION times the tolerance: the comparison of 1. can tell them apart.
3. checkpoints: K = STEPS / 2 steps saved with --save-weights hold the state (the twin's
   after K steps); a run resumed from them (--weights) on batches K.. agrees with the twin
   started from the checkpoint (checkpoints hold parameters and buffers, not the optimizer's
   moments, so the twin's optimizer starts afresh too); with a stateless optimizer (sgd
   without momentum) it equals the uninterrupted run bit for bit; and the same resume with
   the state reset to the initial one gives losses that differ.

--engine interp runs all of it on the interpreter (`netc FILE --run --train --steps N
--data D --weights W --save-weights S`) instead of the compiled executable.
Prints one row per check and `PASS tbptt: N checks` or `FAIL tbptt: ...`; exits 1 on failure.
"""
import argparse
import os
import re
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402
import text_chunks  # noqa: E402
from run_parity import (ADAM_F32_ATOL_LR, REF, RTOL, Report, Runner, own_train,  # noqa: E402
                        parse_call, printed, printed_rtol, torch_optimizer)

STEPS = 8
BATCHES = 6
SEPARATION = 10
OPTIMIZER = None  # the model's `train` call, e.g. "sgd(lr=0.5)"
TEXT = os.path.join(ROOT, "examples", "data", "compilers.txt")
STATES = {"elman": ("h",), "lstm": ("h", "c")}


class Twin(torch.nn.Module):
    """embedding -> RNN or LSTM (batch first) -> linear, with netc's parameter names."""

    def __init__(self, kind, vocab, embed, hidden):
        super().__init__()
        self.kind = kind
        self.embed = torch.nn.Embedding(vocab, embed)
        # Named as the models name them: rnn.weight_ih_l0 or lstm.weight_ih_l0, ...
        self.layer = "rnn" if kind == "elman" else "lstm"
        cls = torch.nn.RNN if kind == "elman" else torch.nn.LSTM
        setattr(self, self.layer, cls(embed, hidden, batch_first=True))
        self.head = torch.nn.Linear(hidden, vocab)

    def forward(self, x, state):
        """Logits [B, S, V] and the state after the chunk, a tuple like `state`."""
        layer = getattr(self, self.layer)
        y, last = layer(self.embed(x), state[0] if self.kind == "elman" else state)
        return self.head(y), (last,) if self.kind == "elman" else tuple(last)


def twin_run(kind, sizes, w0, data, mode, dtype, steps=STEPS):
    """`steps` steps of the model's optimizer (OPTIMIZER) from netc's weights and state w0;
    `mode` is how the state crosses chunks: "tbptt" (carried, detached), "reset" (every
    chunk from the initial state), "through" (carried, and the gradient goes back through the
    previous chunk too).
    Returns (losses, {name: tensor} of the weights and final state)."""
    names = STATES[kind]
    m = Twin(kind, *sizes).to(dtype)
    m.load_state_dict({k: v.to(dtype) for k, v in w0.items() if k not in names}, strict=True)
    opt = torch_optimizer(OPTIMIZER, m.parameters())
    initial = tuple(w0[n].to(dtype) for n in names)
    state, previous, losses = initial, None, []
    for s in range(steps):
        x, y = data[s % len(data)]
        opt.zero_grad()
        start = initial if mode == "reset" else state
        if mode == "through" and previous is not None:
            # The previous chunk again, from where it started, with the gradient kept.
            start = m(previous[1], previous[0])[1]
        logits, last = m(x, start)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        previous = (tuple(t.detach() for t in start), x)
        state = tuple(t.detach() for t in last)
    result = {k: p.detach().clone() for k, p in m.named_parameters()}
    result.update(zip(names, state))
    return torch.tensor(losses, dtype=torch.float64), result


def batches(path):
    d = st.read(path)
    return [(d["x"][i], d["y"][i]) for i in range(d["x"].shape[0])]


class Netc:
    """Trains the model with netc: its compiled executable or the interpreter."""

    def __init__(self, args, runner, net, defines):
        self.args, self.runner, self.net = args, runner, net
        self.flags = [f"-D{k}={v}" for k, v in defines.items()]
        self.exe = os.path.join(args.work, "model")
        if args.engine == "exe":
            t0 = time.time()
            subprocess.run([args.netc, net, "-o", self.exe] + self.flags, check=True)
            print(f"# compiled {os.path.basename(net)} in {time.time() - t0:.1f} s")

    def __call__(self, *args):
        """The log of the executable, or of `netc NET --run`, given `args`."""
        if self.args.engine == "exe":
            return self.runner.exe(self.exe, *args)
        cmd = [self.args.netc, self.net, "--run"] + self.flags + [str(a) for a in args]
        return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout

    def inputs(self):
        """{input: shape} of the model (from its nn dialect form)."""
        nn = subprocess.run([self.args.netc, self.net, "--emit=nn"] + self.flags, check=True,
                            stdout=subprocess.PIPE, text=True).stdout
        found = re.findall(r'tensor<([0-9x]+)x[if]\d+> \{nn.input = "(\w+)"\}', nn)
        return {name: [int(d) for d in dims.split("x")] for dims, name in found}

    def train(self, weights, data, steps, save):
        """Losses of `steps` steps from `weights` on `data`; the weights saved to `save`."""
        log = self("--weights", weights, "--train", "--steps", steps, "--data", data,
                   "--save-weights", save)
        return losses_of(log), st.read(save)


def losses_of(log):
    """The losses of the executable's `step I/N  loss L ...` and the interpreter's `step I loss L`
    lines."""
    return [float(v) for v in re.findall(r"^step \d+(?:/\d+)?\s+loss (\S+)", log, re.M)]


def rel_diff(a, b):
    scale = b.double().abs().max().item()
    return (a.double() - b.double()).abs().max().item() / scale


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engine", choices=["exe", "interp"], default="exe")
    ap.add_argument("--net", default=os.path.join(HERE, "models", "tbptt.net"))
    ap.add_argument("--model", choices=sorted(STATES), default="elman")
    ap.add_argument("-D", dest="defines", action="append", default=[],
                    help="NAME=VALUE: a const of the model for netc")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.work, exist_ok=True)
    t0 = time.time()
    defines = dict(d.split("=", 1) for d in args.defines)
    rep = Report("tbptt")
    runner = Runner(args.netc, args.work, args.threads)
    path = runner.path
    net = Netc(args, runner, args.net, defines)
    global OPTIMIZER
    with open(args.net) as f:
        OPTIMIZER = own_train(f.read(), None)
    kind, opt_args = parse_call(OPTIMIZER)
    # Adam's steps are about lr whatever the gradient (run_parity.py's ADAM_F32_ATOL_LR).
    atol = ADAM_F32_ATOL_LR * opt_args["lr"] if kind in ("adam", "adamw", "rmsprop") else 0.0
    names = STATES[args.model]

    # Initial weights, and a random initial state.
    net("--seed", 1, "--save-weights", path("w0.safetensors"))
    w0 = st.read(path("w0.safetensors"))
    gen = torch.Generator().manual_seed(7)
    for n in names:
        w0[n] = 0.5 * torch.randn(w0[n].shape, generator=gen, dtype=torch.float32)
    st.write(path("w0.safetensors"), w0)
    vocab, embed = w0["embed.weight"].shape
    sizes = (vocab, embed, w0[names[0]].shape[2])
    batch, seq = net.inputs()["x"]

    # The data: text_chunks.py's layout, checked here (row b continues across batches).
    subprocess.run([sys.executable, os.path.join(HERE, "text_chunks.py"), TEXT, "-o",
                    path("data.safetensors"), "--batch", str(batch), "--seq",
                    str(seq), "--batches", str(BATCHES)], check=True)
    data = batches(path("data.safetensors"))
    x_shape = list(data[0][0].shape)
    rows = [torch.cat([x[b] for x, _ in data]) for b in range(batch)]
    stream = torch.tensor(text_chunks.encode(open(TEXT).read()))
    per_row = len(stream) // batch
    contiguous = all(torch.equal(rows[b], stream[b * per_row:b * per_row + len(rows[b])])
                     for b in range(batch))
    shifted = all(torch.equal(y.reshape(batch, seq)[:, :-1], x[:, 1:]) for x, y in data)
    rep.check("data", "(rows continue; y = x shifted)", contiguous and shifted,
              f"{len(data)} batches of x {x_shape}")

    # 1. training against the TBPTT twin.
    losses, got = net.train(path("w0.safetensors"), path("data.safetensors"),
                            STEPS, path("w_end.safetensors"))
    ref = twin_run(args.model, sizes, w0, data, "tbptt", REF)
    nat = twin_run(args.model, sizes, w0, data, "tbptt", torch.float32)
    rep.compare(f"{STEPS} losses", "loss", printed(losses), ref[0], torch.float64, nat[0],
                rtol=printed_rtol(torch.float32))
    for k, v in ref[1].items():
        rep.compare("state" if k in names else "weights", k, got[k], v, torch.float32,
                    nat[1][k], atol=0.0 if k in names else atol)

    # 2. the alternatives differ from netc by much more than the tolerance.
    tol = RTOL[torch.float32]
    for mode, what in (("reset", "state reset every chunk"),
                       ("through", "gradient through the previous chunk")):
        alt_losses, alt = twin_run(args.model, sizes, w0, data, mode, REF)
        dl = rel_diff(printed(losses), alt_losses)
        dw = max(rel_diff(got[k], v) for k, v in alt.items())
        rep.check("alternative", what, min(dl, dw) > SEPARATION * tol,
                  f"differs from netc: losses rel {dl:.1e}, weights and state rel {dw:.1e} "
                  f"(> {SEPARATION} x {tol:g})")

    # 3. the state in checkpoints, and a resumed run.
    check_resume(rep, net, runner, w0, data, losses, got, names, args.model, sizes, atol)
    print(f"# tbptt ({args.engine}): {time.time() - t0:.1f} s")
    return rep.finish()


def check_resume(rep, net, runner, w0, data, losses, final, names, kind, sizes, atol):
    """K steps, then a run resumed from their checkpoint on the batches that follow."""
    path, half = runner.path, STEPS // 2
    first, ckpt = net.train(path("w0.safetensors"), path("data.safetensors"), half,
                            path("w_half.safetensors"))
    ref_half = twin_run(kind, sizes, w0, data, "tbptt", REF, half)[1]
    for n in names:
        rep.compare(f"checkpoint after {half} steps", n, ckpt[n], ref_half[n], torch.float32)
    # The batches the uninterrupted run uses from step K on: K mod N, K+1 mod N, ...
    rest = [data[(half + i) % len(data)] for i in range(len(data))]
    st.write(path("rest.safetensors"), {"x": torch.stack([x for x, _ in rest]),
                                        "y": torch.stack([y for _, y in rest])})
    second, resumed = net.train(path("w_half.safetensors"), path("rest.safetensors"),
                                STEPS - half, path("w_resumed.safetensors"))
    # Checkpoints hold parameters and buffers, not the optimizer's own state (Adam's moments):
    # the resumed run is a twin started from the checkpoint with a fresh optimizer.
    ref_losses, ref_end = twin_run(kind, sizes, ckpt, rest, "tbptt", REF, STEPS - half)
    rep.compare("resumed", "losses", printed(second), ref_losses, torch.float64,
                rtol=printed_rtol(torch.float32))
    for k, v in ref_end.items():
        rep.compare("resumed", k, resumed[k], v, torch.float32, atol=0.0 if k in names else atol)
    # An optimizer without state of its own (sgd without momentum) resumes exactly.
    if OPTIMIZER.startswith("sgd") and "momentum" not in OPTIMIZER:
        same = printed(first + second).equal(printed(losses)) and \
            all(torch.equal(resumed[k], final[k].float()) for k in final)
        rep.check("resumed", "(equal to the uninterrupted run)", same,
                  f"{STEPS} losses, weights and state bit for bit")
    for n in names:
        ckpt[n] = w0[n]
    st.write(path("w_reset.safetensors"), ckpt)
    third, _ = net.train(path("w_reset.safetensors"), path("rest.safetensors"),
                         STEPS - half, path("w_reset_end.safetensors"))
    d = rel_diff(printed(third), printed(second))
    rep.check("resumed", "(without the saved state)", d > SEPARATION * RTOL[torch.float32],
              f"losses differ by rel {d:.1e}: the resumed run reads the saved state")


if __name__ == "__main__":
    sys.exit(main())
