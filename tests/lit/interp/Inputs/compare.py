#!/usr/bin/python3
"""Replays a `netc --run --dump` file in PyTorch and compares the results.

    compare.py DUMP.json --code 'y = F.relu(x)'
    compare.py DUMP.json --from MODEL.net --model NAME
    compare.py --from MODEL.net NAME=DUMP.json NAME2=DUMP2.json ...

The last form checks several models of one file with one start of Python
and torch, which take seconds.

The reference is a Python snippet: given with --code, or gathered from the
lines `# TORCH NAME: ...` (or `// TORCH NAME: ...`) of a source file, in
order; the text after the colon and one space is a line of Python, so
indentation after it is kept. The
snippet runs with `torch`, `F` (torch.nn.functional), `math`, the helpers
below, and every input and parameter of the dump as a tensor variable
(dots become underscores: `conv2d0.weight` is `conv2d0_weight`; the dicts
`inputs` and `params` hold them by their real names). It must assign every
output of the dump by name, and `loss` when the dump has a loss; after
--train it may assign `trained` (name -> tensor) and `losses` (a list).

Tolerances: |netc - torch| <= tol * max(max |torch|, 1e-30) per tensor, with
tol = 1e-5 for f32 and 1e-10 for f64 tensors (--tol-f32, --tol-f64); NaN
matches NaN. Exits 1 on any mismatch, a missing value or nothing compared.
"""

import argparse
import json
import math
import sys

import torch
import torch.nn.functional as F

DTYPES = {"f32": torch.float32, "f64": torch.float64, "i32": torch.int32, "i64": torch.int64}
MASK64 = (1 << 64) - 1


def to_float(v):
    """JSON values of the dump: numbers, or "nan", "inf", "-inf"."""
    return float(v) if isinstance(v, str) else v


def load_tensor(t):
    data = t["data"]
    if t["dtype"] in ("f32", "f64"):
        data = [to_float(v) for v in data]
    return torch.tensor(data, dtype=DTYPES[t["dtype"]]).reshape(t["shape"])


def mix64(z):
    """splitmix64's finaliser, as runtime/SplitMix64.h."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def dropout_mask(seed, shape, p):
    """The keep mask of nn.dropout (runtime/DropoutMask.h) as a bool tensor."""
    seed &= MASK64
    threshold = int(p * 16777216.0)
    n = math.prod(shape)
    keep = [(mix64((seed + 0x9E3779B97F4A7C15 * (i + 1)) & MASK64) >> 40) >= threshold
            for i in range(n)]
    return torch.tensor(keep, dtype=torch.bool).reshape(shape)


def dropout(x, seed, p):
    """nn.dropout with a seed: the shared mask, kept values scaled by 1 / (1 - p)."""
    return torch.where(dropout_mask(int(seed), list(x.shape), p), x * (1.0 / (1.0 - p)),
                       torch.zeros_like(x))


def pad4(x, pads, value=0.0):
    """Pads the two trailing axes by [top, bottom, left, right] (negative crops)."""
    top, bottom, left, right = pads
    return F.pad(x, [left, right, top, bottom], value=value)


def snippet_from(path, model):
    lines = []
    prefixes = ("# TORCH " + model + ":", "// TORCH " + model + ":")
    with open(path) as f:
        for line in f:
            stripped = line.strip()
            for prefix in prefixes:
                if stripped.startswith(prefix):
                    text = stripped[len(prefix):]
                    lines.append(text[1:] if text.startswith(" ") else text)
    if not lines:
        sys.exit(f"compare.py: no '# TORCH {model}:' lines in {path}")
    return "\n".join(lines)


def compare(name, got, ref, dtype, tols):
    """Compares one tensor; returns an error message or None."""
    if not isinstance(ref, torch.Tensor):
        ref = torch.tensor(ref)
    ref = ref.detach()
    if list(got.shape) != list(ref.shape):
        return f"{name}: netc has shape {list(got.shape)}, torch {list(ref.shape)}"
    got = got.double()
    ref = ref.double()
    both_nan = torch.isnan(got) & torch.isnan(ref)
    diff = torch.where(both_nan, torch.zeros_like(got), (got - ref).abs())
    diff = torch.where(torch.isnan(diff), torch.full_like(diff, math.inf), diff)
    finite = ref[torch.isfinite(ref)]
    scale = max(finite.abs().max().item() if finite.numel() else 0.0, 1e-30)
    err = diff.max().item() if diff.numel() else 0.0
    tol = tols[dtype]
    status = "ok" if err <= tol * scale else "MISMATCH"
    print(f"{status} {name} {dtype}{list(got.shape)} max abs err {err:.3e} scale {scale:.3e}")
    if status != "ok":
        return f"{name}: max abs err {err:.3e} exceeds {tol:g} * {scale:.3e}"
    return None


def check(dump_path, code, tols):
    """Replays one dump with `code`; returns the error messages."""
    with open(dump_path) as f:
        dump = json.load(f)
    ns = {"torch": torch, "F": F, "math": math, "dropout_mask": dropout_mask,
          "dropout": dropout, "pad4": pad4, "inputs": {}, "params": {}}
    for group in ("inputs", "params"):
        for name, t in dump.get(group, {}).items():
            value = load_tensor(t)
            ns[group][name] = value
            ns[name.replace(".", "_")] = value
    exec(compile(code, "<torch reference>", "exec"), ns)

    errors, compared = [], 0

    def add(error):
        nonlocal compared
        compared += 1
        if error:
            errors.append(error)

    for name, t in dump.get("outputs", {}).items():
        if name not in ns:
            errors.append(f"the reference does not define output '{name}'")
            continue
        add(compare(name, load_tensor(t), ns[name], t["dtype"], tols))
    if "loss" in dump:
        if "loss" not in ns:
            errors.append("the reference does not define 'loss'")
        else:
            loss = torch.tensor(to_float(dump["loss"]), dtype=torch.float64)
            ref = ns["loss"]
            dtype = "f64" if isinstance(ref, torch.Tensor) and ref.dtype == torch.float64 else "f32"
            add(compare("loss", loss, torch.as_tensor(ref).reshape(()), dtype, tols))
    if "trained" in ns:
        for name, t in dump.get("trained_params", {}).items():
            add(compare("trained " + name, load_tensor(t), ns["trained"][name], t["dtype"], tols))
    if "losses" in ns:
        for i, (got, ref) in enumerate(zip(dump.get("losses", []), ns["losses"])):
            add(compare(f"loss of step {i + 1}", torch.tensor(to_float(got)),
                        torch.as_tensor(ref).reshape(()), "f32", tols))
    if compared == 0:
        errors.append("nothing was compared")
    return [f"{dump_path}: {e}" for e in errors]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("items", nargs="+", metavar="DUMP | NAME=DUMP")
    parser.add_argument("--code")
    parser.add_argument("--from", dest="source")
    parser.add_argument("--model")
    parser.add_argument("--tol-f32", type=float, default=1e-5)
    parser.add_argument("--tol-f64", type=float, default=1e-10)
    args = parser.parse_args()
    tols = {"f32": args.tol_f32, "f64": args.tol_f64, "i32": 0.0, "i64": 0.0}
    torch.set_grad_enabled(True)

    errors = []
    for item in args.items:
        if "=" in item:
            model, dump_path = item.split("=", 1)
            if args.source is None:
                parser.error(f"{item}: NAME=DUMP needs --from FILE")
            code = snippet_from(args.source, model)
        elif args.code is not None:
            dump_path, code = item, args.code
        elif args.source is not None and args.model is not None:
            dump_path, code = item, snippet_from(args.source, args.model)
        else:
            parser.error("give --code, --from FILE --model NAME, or --from FILE NAME=DUMP")
        print(f"== {dump_path}")
        errors += check(dump_path, code, tols)
    for error in errors:
        print("compare.py: error: " + error, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
