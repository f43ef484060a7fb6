#!/usr/bin/python3
"""NaN, infinities and values near overflow through every op, against PyTorch 1.13.

usage: nonfinite.py --work DIR [--netc PATH] [--dtype f32|f64] [--threads N] [--no-interp]

One generated model (of the dtype given) has only inputs and outputs: each output applies
one op (activations, arithmetic, softmax, log_softmax, sum, mean, sqnorm, max and average
pooling, matmul, and every loss in many small cases) to inputs made of the special values
NaN, +-inf, +-max (FLT_MAX or DBL_MAX), 3.4e38, values where exp overflows or underflows,
a subnormal, and ordinary finite values. Elementwise inputs have a row length that is not a
multiple of any vector width (101) and one that is (64), so vector bodies and tails both
see every value. The compiled executable (--inputs, --outputs) and the reference
interpreter (netc --run --load, --dump) are compared with PyTorch in the same dtype:

  - NaN exactly where PyTorch has NaN, +-inf exactly where it has +-inf (same sign);
  - finite values within rtol * |ref| + atol: rtol 1e-4 (f32) or 1e-9 (f64); atol the
    smallest normal number for elementwise ops (results below it may flush to zero), 1e-6
    (f32) or 1e-12 (f64) for reductions of finite inputs of size 1.

Sums are built so that PyTorch's result does not depend on its summation order: +max and
-max never meet in one sum (max + max overflows, max - max does not, and which comes first
is up to the kernel). binary_cross_entropy with an input outside [0, 1] (NaN included) is
an error in PyTorch; compiled code answers NaN there (the interpreter reports the error,
as PyTorch), so those cases expect NaN from the executable only.
Prints one row per check and `PASS nonfinite DTYPE: N checks` or `FAIL ...`; exits 1 on
any failure.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402

DTYPES = {"f32": torch.float32, "f64": torch.float64}
RTOL = {torch.float32: 1e-4, torch.float64: 1e-9}
REDUCE_ATOL = {torch.float32: 1e-6, torch.float64: 1e-12}
NAN, INF = math.nan, math.inf


def specials(dtype):
    """The special values of `dtype`, then ordinary finite ones."""
    big = torch.finfo(dtype).max
    tiny = 1e-40 if dtype == torch.float32 else 1e-310  # subnormal
    over = [88.8, 89.5, -88.8, -104.0] if dtype == torch.float32 else [709.9, 710.5, -745.0,
                                                                         -746.0, 88.8, -104.0]
    return [NAN, INF, -INF, big, -big, 3.4e38, -3.4e38, 1e30, -1e30, tiny, -tiny, 0.0] + over + [
        1.0, -1.0, 0.5, -2.5, 3.0]


def table(values, n, dtype):
    return torch.tensor([values[i % len(values)] for i in range(n)], dtype=dtype)


class Model:
    """The generated .net text, its inputs and the PyTorch result of every output."""

    def __init__(self, dtype):
        self.dtype, self.name = dtype, {torch.float32: "f32", torch.float64: "f64"}[dtype]
        self.inputs, self.lines, self.ref, self.kind = {}, [], {}, {}
        self.compiled_only = set()  # names of inputs and outputs the interpreter rejects

    def input(self, name, t):
        self.inputs[name] = t
        dt = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64"}[t.dtype]
        self.lines.append((name, f"  input {name}: {dt}[{', '.join(map(str, t.shape))}]"))

    def output(self, name, expr, ref, kind="elementwise"):
        self.lines.append((name, f"  output {name} = {expr}"))
        self.ref[name], self.kind[name] = ref, kind

    def text(self, interpreter=False):
        lines = [l for k, l in self.lines if not (interpreter and k in self.compiled_only)]
        return "model nonfinite {\n" + "\n".join(lines) + "\n}\n"


def special_rows(values, width, pairs, k, gen, dtype):
    """Rows of `width` random values: one per special value (row i holds values[i] at i mod
    width), then `pairs` rows holding two of them. With k = (a, b, c, d, e), pair row i
    holds values[a i] at i and values[c i + d] at i + e (indices mod their lengths)."""
    a, b, c, d, e = k
    rows = []
    for i, v in enumerate(values):
        r = torch.randn(width, generator=gen, dtype=dtype)
        r[i % width] = v
        rows.append(r)
    n = len(values)
    for i in range(pairs):
        r = torch.randn(width, generator=gen, dtype=dtype)
        r[i % width] = values[(a * i + b) % n]
        r[(i + e) % width] = values[(c * i + d) % n]
        rows.append(r)
    return rows


def build(dtype, gen):
    m = Model(dtype)
    s = specials(dtype)
    n = len(s)
    big = torch.finfo(dtype).max

    # Elementwise: every value (x) against every value (y) once, rows of 101 (a tail after
    # any vector width) and of 64 (none).
    pairs = n * n
    rows = -(-pairs // 101)
    x = torch.tensor([s[i % n] for i in range(rows * 101)], dtype=dtype).reshape(rows, 101)
    y = torch.tensor([s[(i // n) % n] for i in range(rows * 101)], dtype=dtype).reshape(rows, 101)
    v = torch.cat([table(s, 64, dtype), torch.randn(64, generator=gen, dtype=dtype)]).reshape(2, 64)
    m.input("x", x)
    m.input("y", y)
    m.input("v", v)
    unary = {
        "relu": ("relu({})", torch.relu),
        "sigmoid": ("sigmoid({})", torch.sigmoid),
        "tanh": ("tanh({})", torch.tanh),
        "exp": ("exp({})", torch.exp),
        "log": ("log({})", torch.log),
        "sqrt": ("sqrt({})", torch.sqrt),
        "neg": ("-{}", torch.neg),
        "lrelu": ("leaky_relu({})", lambda t: F.leaky_relu(t, 0.01)),
        "lrelu2": ("leaky_relu({}, slope=0.2)", lambda t: F.leaky_relu(t, 0.2)),
    }
    for inp, t in (("x", x), ("v", v)):
        for k, (fmt, fn) in unary.items():
            m.output(f"{k}_{inp}", fmt.format(inp), fn(t))
    # The same ops on a computed value (x + 0 from an input of zeros), which the schedule
    # fuses into the op: LLVM's float flags then apply to the instruction producing a NaN.
    zero = torch.zeros(101, dtype=dtype)
    m.input("zero", zero)
    for k, (fmt, fn) in unary.items():
        m.output(f"{k}_fused", fmt.format("(x + zero)"), fn(x + zero))
    m.output("softmax_fused", "softmax(x * 2 + zero)", torch.softmax(x * 2 + zero, 1))
    for k, (op, fn) in {"add": ("+", torch.add), "sub": ("-", torch.sub), "mul": ("*", torch.mul),
                        "div": ("/", torch.div)}.items():
        m.output(f"{k}_xy", f"x {op} y", fn(x, y))
    col = table(s, 101, dtype)
    m.input("c", col)
    m.output("mul_bcast", "x * c", x * col)
    m.output("add_scalar", "x + 2", x + 2)

    # Softmax family: rows of 7 with one special value, with two, and rows all -inf, all inf,
    # all max.
    sm_rows = special_rows(s, 7, 40, (7, 0, 3, 1, 3), gen, dtype)
    for a in (-INF, INF, big, -big):
        sm_rows.append(torch.full((7,), a, dtype=dtype))
    sm = torch.stack(sm_rows)
    m.input("sm", sm)
    m.output("softmax", "softmax(sm)", torch.softmax(sm, 1))
    m.output("log_softmax", "log_softmax(sm, dim=1)", torch.log_softmax(sm, 1))
    m.output("softmax0", "softmax(sm, dim=0)", torch.softmax(sm, 0))

    # Reductions and average pooling over values that never put +max and -max in one sum.
    safe = [a for a in s if a != -big and a != -3.4e38]
    red_rows = special_rows(safe, 9, 30, (5, 0, 2, 3, 4), gen, dtype)
    red = torch.stack(red_rows)
    m.input("red", red)
    m.output("sum_rows", "sum(red, dim=1)", red.sum(1), "reduction")
    m.output("mean_rows", "mean(red, dim=1, keepdim=true)", red.mean(1, keepdim=True),
             "reduction")
    m.output("sum_all", "sum(red)", red.sum(), "reduction")
    m.output("mean_cols", "mean(red, dim=0)", red.mean(0), "reduction")
    m.output("sqnorm", "sqnorm(red)", (red * red).sum(), "reduction")
    fin = torch.tensor([big, 1.0, 2.0], dtype=dtype)
    m.input("fin", fin)
    m.output("sqnorm_big", "sqnorm(fin)", (fin * fin).sum(), "reduction")
    m.output("mean_big", "mean(fin * 0.75 + 0.25 * fin)", (fin * 0.75 + 0.25 * fin).mean(),
             "reduction")

    # Pooling: special values scattered over [2, 3, 7, 9] images with finite values between.
    img = torch.randn(2, 3, 7, 9, generator=gen, dtype=dtype).reshape(-1)
    for i in range(0, img.numel(), 5):
        img[i] = safe[(i // 5) % len(safe)]
    img = img.reshape(2, 3, 7, 9)
    m.input("img", img)
    pools = {
        "mp1": ("maxpool2d(img, 2)", F.max_pool2d(img, 2)),
        "mp2": ("maxpool2d(img, 3, stride=2, padding=1)", F.max_pool2d(img, 3, 2, 1)),
        "mp3": ("maxpool2d(img, [2, 3], stride=2, ceil_mode=true)",
                F.max_pool2d(img, (2, 3), 2, ceil_mode=True)),
        "ap1": ("avgpool2d(img, 2)", F.avg_pool2d(img, 2)),
        "ap2": ("avgpool2d(img, 3, stride=2, padding=1, count_include_pad=false)",
                F.avg_pool2d(img, 3, 2, 1, count_include_pad=False)),
    }
    for k, (expr, ref) in pools.items():
        m.output(k, expr, ref, "reduction")

    # matmul: a special value in each row of a, finite weights.
    a = torch.randn(len(safe), 5, generator=gen, dtype=dtype)
    for i, val in enumerate(safe):
        a[i, i % 5] = val
    w = torch.rand(5, 4, generator=gen, dtype=dtype) * 0.5 + 0.25
    m.input("ma", a)
    m.input("mw", w)
    m.output("matmul", "matmul(ma, mw)", a @ w, "reduction")

    # Losses: one small case per combination, each its own inputs (a loss is one number).
    def case(name, expr, ref, tensors, expect_nan=False):
        for k, t in tensors.items():
            m.input(k, t)
        m.output(name, expr, ref, "nan" if expect_nan else "reduction")
        if expect_nan:
            m.compiled_only |= {name, *tensors}

    def filled(special, k, base):
        t = base.clone()
        t[k] = special
        return t

    for i, (pa, pb) in enumerate([(NAN, 0.0), (INF, 0.0), (-INF, 1.0), (big, -big), (big, 0.0),
                                  (1e20, 0.0), (INF, INF), (0.0, NAN), (-big, 3.0)]):
        ta = filled(pa, 1, torch.tensor([0.5, 0.0, -1.0], dtype=dtype))
        tb = filled(pb, 1, torch.tensor([0.25, 0.0, 1.0], dtype=dtype))
        case(f"mse{i}", f"mse(mse{i}_a, mse{i}_b)", F.mse_loss(ta, tb),
             {f"mse{i}_a": ta, f"mse{i}_b": tb})
    zs = [NAN, INF, -INF, big, -big, 100.0, -100.0, 1e30, 0.0]
    for i, z in enumerate(zs):
        for j, yv in enumerate([0.0, 1.0, 0.5]):
            tz = filled(z, 0, torch.tensor([0.0, 1.5], dtype=dtype))
            ty = filled(yv, 0, torch.tensor([1.0, 0.0], dtype=dtype))
            case(f"bcel{i}_{j}", f"bce_logits(bcel{i}_{j}_z, bcel{i}_{j}_y)",
                 F.binary_cross_entropy_with_logits(tz, ty), {f"bcel{i}_{j}_z": tz,
                                                             f"bcel{i}_{j}_y": ty})
    for i, yv in enumerate([NAN, INF]):
        tz = torch.tensor([0.5, 1.0], dtype=dtype)
        ty = torch.tensor([yv, 0.0], dtype=dtype)
        case(f"bcely{i}", f"bce_logits(bcely{i}_z, bcely{i}_y)",
             F.binary_cross_entropy_with_logits(tz, ty), {f"bcely{i}_z": tz, f"bcely{i}_y": ty})
    for i, (p, yv) in enumerate([(0.0, 1.0), (1.0, 0.0), (0.0, 0.0), (1.0, 1.0), (0.5, NAN),
                                 (0.25, INF), (1e-40, 1.0)]):
        tp = torch.tensor([p, 0.5], dtype=dtype)
        ty = torch.tensor([yv, 1.0], dtype=dtype)
        case(f"bce{i}", f"bce(bce{i}_p, bce{i}_y)", F.binary_cross_entropy(tp, ty),
             {f"bce{i}_p": tp, f"bce{i}_y": ty})
    for i, p in enumerate([NAN, INF, -1.0, 2.0]):  # PyTorch raises: NaN from compiled code
        tp = torch.tensor([p, 0.5], dtype=dtype)
        ty = torch.tensor([1.0, 1.0], dtype=dtype)
        case(f"bcebad{i}", f"bce(bcebad{i}_p, bcebad{i}_y)", torch.tensor(NAN, dtype=dtype),
             {f"bcebad{i}_p": tp, f"bcebad{i}_y": ty}, expect_nan=True)
    ce_cases = [(NAN, 0), (NAN, 1), (INF, 0), (INF, 1), (-INF, 0), (-INF, 1), (big, 0), (big, 1),
                (-big, 0), (-big, 1), (1e30, 1), (-1e30, 0)]
    for i, (z, hit) in enumerate(ce_cases):
        tz = torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.0, 0.25, -0.5, 3.0]], dtype=dtype)
        tz[1, 2] = z
        tt = torch.tensor([1, 2 if hit == 0 else 3], dtype=torch.int64)
        case(f"ce{i}", f"cross_entropy(ce{i}_z, ce{i}_t)", F.cross_entropy(tz, tt),
             {f"ce{i}_z": tz, f"ce{i}_t": tt})
    tz = torch.tensor([[big, -big, 1.0], [-INF, -INF, 0.0], [big, big, 0.0]], dtype=dtype)
    tt = torch.tensor([1, 2, 0])
    case("ce_mix", "cross_entropy(ce_mix_z, ce_mix_t)", F.cross_entropy(tz, tt),
         {"ce_mix_z": tz, "ce_mix_t": tt})
    return m


def classify(t):
    return torch.isnan(t), torch.isposinf(t), torch.isneginf(t)


def compare(got, ref, kind, dtype):
    """None when `got` matches `ref` as the docstring says, else a short reason."""
    if got is None:
        return "missing"
    if list(got.shape) != list(ref.shape):
        return f"shape {list(got.shape)} != {list(ref.shape)}"
    got, ref = got.to(dtype), ref.to(dtype)
    if kind == "nan":
        return None if bool(torch.isnan(got).all()) else f"expected NaN, got {got.tolist()}"
    for what, g, r in zip(("NaN", "+inf", "-inf"), classify(got), classify(ref)):
        if not torch.equal(g, r):
            i = int((g != r).reshape(-1).nonzero()[0][0])
            gi, ri = got.reshape(-1)[i].item(), ref.reshape(-1)[i].item()
            return (f"{what} positions differ ({int((g != r).sum())} of {g.numel()}): first at "
                    f"flat {i}: netc {gi}, torch {ri}")
    fin = torch.isfinite(ref)
    atol = torch.finfo(dtype).tiny if kind == "elementwise" else REDUCE_ATOL[dtype]
    err = (got[fin].double() - ref[fin].double()).abs()
    bound = RTOL[dtype] * ref[fin].double().abs() + atol
    if bool((err > bound).any()):
        i = int((err / bound).argmax())
        return (f"finite value off: netc {got[fin][i].item()!r}, torch {ref[fin][i].item()!r}")
    return None


def to_json(tensors):
    def val(v):
        return v if math.isfinite(v) else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
    out = {}
    for k, t in tensors.items():
        dt = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64"}[t.dtype]
        data = [val(float(e)) for e in t.reshape(-1).tolist()] if t.is_floating_point() else \
            t.reshape(-1).tolist()
        out[k] = {"dtype": dt, "shape": list(t.shape), "data": data}
    return out


def from_json(group):
    out = {}
    for k, e in group.items():
        data = [float(d) for d in e["data"]]
        out[k] = torch.tensor(data, dtype=torch.float64).reshape(e["shape"])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True)
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--dtype", choices=sorted(DTYPES), default="f32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-interp", action="store_true", help="skip the interpreter")
    args = ap.parse_args()
    dtype = DTYPES[args.dtype]
    gen = torch.Generator().manual_seed(1234)
    m = build(dtype, gen)
    os.makedirs(args.work, exist_ok=True)
    src = os.path.join(args.work, f"nonfinite_{args.dtype}.net")
    with open(src, "w") as f:
        f.write(m.text())
    exe = os.path.join(args.work, f"nonfinite_{args.dtype}")
    subprocess.run([args.netc, src, "-o", exe], check=True)
    inp, outp = os.path.join(args.work, "in.safetensors"), os.path.join(args.work, "out.safetensors")
    st.write(inp, m.inputs)
    subprocess.run([exe, "--threads", str(args.threads), "--inputs", inp, "--outputs", outp],
                   check=True)
    results = {"compiled": st.read(outp)}
    if not args.no_interp:
        # bce with probabilities outside [0, 1] is an error there, as in PyTorch: those
        # cases are left out of the interpreter's model.
        isrc = os.path.join(args.work, f"nonfinite_{args.dtype}_interp.net")
        with open(isrc, "w") as f:
            f.write(m.text(interpreter=True))
        jin, jout = os.path.join(args.work, "in.json"), os.path.join(args.work, "out.json")
        kept = {k: t for k, t in m.inputs.items() if k not in m.compiled_only}
        with open(jin, "w") as f:
            json.dump({"inputs": to_json(kept), "params": {}}, f)
        subprocess.run([args.netc, isrc, "--run", "--load", jin, "--dump", jout], check=True)
        with open(jout) as f:
            results["interpreter"] = from_json(json.load(f)["outputs"])
    failures = checks = 0
    for engine, got in results.items():
        for k, ref in m.ref.items():
            kind = m.kind[k]
            if engine == "interpreter" and k in m.compiled_only:
                continue
            why = compare(got.get(k), ref, kind, dtype)
            checks += 1
            failures += why is not None
            print(f"{'ok' if why is None else 'FAIL'} {engine} {k}" + (f": {why}" if why else ""))
    verdict = "FAIL" if failures else "PASS"
    print(f"{verdict} nonfinite {args.dtype}: {checks} checks" +
          (f", {failures} failed" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
