"""The graphs of onnx_ops.py: ONNX nodes with NumPy references of their semantics.

GROUPS maps a group name to a function returning graphs; ERRORS maps a name to a function
returning one graph that netc must reject with a located error (tests/lit/onnx/ops-errors.test).
"""
import math

import numpy as np
from onnx import helper

RNG = np.random.default_rng(0)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def positive(*shape):
    return (RNG.random(shape) + 0.5).astype(np.float32)


class Graph:
    """Inputs (with values), initializers, nodes and outputs (with expected values)."""

    def __init__(self, name, opset):
        self.name, self.opset = name, opset
        self.inputs, self.initializers, self.outputs, self.nodes = {}, {}, {}, []

    def input(self, name, value):
        self.inputs[name] = value
        return name

    def const(self, name, value):
        self.initializers[name] = np.asarray(value)
        return name

    def node(self, op, inputs, ref, out=None, **attrs):
        """Adds `op` with one output named `out` (default: the op type lower-cased), expected
        to equal `ref`."""
        out = out or op.lower()
        self.nodes.append(helper.make_node(op, inputs, [out], name=out + "_node", **attrs))
        self.outputs[out] = np.asarray(ref)
        return out


def erf(x):
    return np.vectorize(math.erf)(x.astype(np.float64)).astype(np.float32)


def elu(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def unary():
    g = Graph("unary", 13)
    x = g.input("x", randn(3, 4, 5))
    p = g.input("p", positive(3, 4, 5))
    xv, pv = g.inputs["x"], g.inputs["p"]
    for op, ref in [("Neg", -xv), ("Abs", np.abs(xv)), ("Exp", np.exp(xv)),
                    ("Erf", erf(xv)), ("Sin", np.sin(xv)), ("Cos", np.cos(xv)),
                    ("Tanh", np.tanh(xv)), ("Softplus", np.log1p(np.exp(xv))),
                    ("Softsign", xv / (1 + np.abs(xv))), ("Sign", np.sign(xv)),
                    ("Selu", 1.0507009873554805 * elu(xv, 1.6732632423543772))]:
        g.node(op, [x], ref)
    for op, ref in [("Log", np.log(pv)), ("Sqrt", np.sqrt(pv)), ("Reciprocal", 1 / pv)]:
        g.node(op, [p], ref)
    g.node("Elu", [x], elu(xv, 0.5), alpha=0.5)
    g.node("Selu", [x], 2.0 * elu(xv, 0.7), out="selu_params", alpha=0.7, gamma=2.0)
    g.node("LeakyRelu", [x], np.where(xv > 0, xv, 0.2 * xv), alpha=0.2)
    g.node("ThresholdedRelu", [x], np.where(xv > 0.3, xv, 0), alpha=0.3)
    g.node("Celu", [x], np.maximum(xv, 0) + np.minimum(0, 2 * (np.exp(xv / 2) - 1)), alpha=2.0)
    slope = g.input("slope", randn(4, 1))
    g.node("PRelu", [x, slope], np.where(xv > 0, xv, g.inputs["slope"] * xv))
    two = g.const("two", np.array(2.0, dtype=np.float32))
    half = g.const("half", np.array([0.5], dtype=np.float32))
    g.node("Pow", [x, two], xv ** 2)
    g.node("Pow", [p, half], np.sqrt(pv), out="pow_half")
    return [g]


def variadic():
    g = Graph("variadic", 13)
    a, b, c = (g.input(n, randn(2, 3, 4)) for n in "abc")
    r = g.input("r", randn(3, 1))
    av, bv, cv, rv = (g.inputs[n] for n in "abcr")
    g.node("Max", [a, b, r], np.maximum(np.maximum(av, bv), rv))
    g.node("Min", [a, b], np.minimum(av, bv))
    g.node("Sum", [a, b, c], av + bv + cv)
    g.node("Mean", [a, r], (av + rv) / 2)
    g.node("Max", [c], cv, out="max_one")
    g.nodes.append(helper.make_node("Greater", [a, b], ["gt"], name="gt"))
    g.nodes.append(helper.make_node("Less", [a, c], ["lt"], name="lt"))
    g.nodes.append(helper.make_node("Or", ["gt", "lt"], ["either"], name="or"))
    g.nodes.append(helper.make_node("Not", ["either"], ["neither"], name="not"))
    g.node("Where", ["gt", a, b], np.where(av > bv, av, bv), out="where_gt")
    g.node("Where", ["neither", a, c], np.where(~((av > bv) | (av < cv)), av, cv),
           out="where_not")
    g.nodes.append(helper.make_node("Equal", [a, a], ["eq"], name="eq"))
    g.nodes.append(helper.make_node("And", ["eq", "gt"], ["both"], name="and"))
    g.node("Where", ["both", c, b], np.where(av > bv, cv, bv), out="where_and")
    ints = g.input("ints", (randn(2, 3) * 5).astype(np.float32))
    g.node("Cast", [ints], np.trunc(g.inputs["ints"]).astype(np.int64), out="cast_i64", to=7)
    g.node("Cast", [a], av.astype(np.float64), out="cast_f64", to=11)
    return [g]


def reduce_ref(fn, x, axes, keep):
    return fn(x, axis=tuple(axes), keepdims=bool(keep))


def reductions():
    g11, g13 = Graph("reduce11", 11), Graph("reduce13", 13)
    x = randn(2, 3, 4, 5)
    for g in (g11, g13):
        g.input("x", x)
    lse = lambda v, axis, keepdims: np.log(np.sum(np.exp(v), axis=axis, keepdims=keepdims))  # noqa
    cases = [("ReduceSum", np.sum, [1, 3], 1), ("ReduceMax", np.max, [-1, 1], 0),
             ("ReduceMin", np.min, [2], 1), ("ReduceLogSumExp", lse, [1, 2], 0),
             ("ReduceL1", lambda v, axis, keepdims: np.sum(np.abs(v), axis, keepdims=keepdims),
              [0, 3], 1),
             ("ReduceL2", lambda v, axis, keepdims: np.sqrt(np.sum(v * v, axis, keepdims=keepdims)),
              [3], 0),
             ("ReduceSumSquare", lambda v, axis, keepdims: np.sum(v * v, axis, keepdims=keepdims),
              [1], 1),
             ("ReduceLogSum", lambda v, axis, keepdims: np.log(np.sum(np.abs(v), axis,
                                                                      keepdims=keepdims)),
              [2, 3], 0)]
    for op, fn, axes, keep in cases:
        g11.node(op, ["x"] if op != "ReduceLogSum" else ["absx"], reduce_ref(
            fn, x if op != "ReduceLogSum" else np.abs(x), axes, keep), axes=axes, keepdims=keep)
        if op == "ReduceLogSum":
            g11.nodes.insert(0, helper.make_node("Abs", ["x"], ["absx"], name="absx"))
    g11.node("ReduceMax", ["x"], np.max(x), out="reducemax_all", keepdims=0)
    g11.node("ArgMax", ["x"], np.argmax(x, axis=1)[:, None], keepdims=1, axis=1)
    g11.node("ArgMin", ["x"], np.argmin(x, axis=-1), keepdims=0, axis=-1)
    axes = g13.const("axes", np.array([0, 2], dtype=np.int64))
    g13.node("ReduceSum", ["x", axes], np.sum(x, axis=(0, 2)), keepdims=0)
    g13.node("ReduceSum", ["x"], np.sum(x, keepdims=True), out="reducesum_all")
    return [g11, g13]


def tensor():
    g = Graph("tensor", 14)
    table = g.input("table", randn(7, 5))
    idx = g.input("idx", np.array([[0, 6, 2], [3, 3, 1]], dtype=np.int64))
    x = g.input("x", randn(2, 6, 4))
    tv, iv, xv = g.inputs["table"], g.inputs["idx"], g.inputs["x"]
    g.node("Gather", [table, idx], tv[iv], out="embed")
    sel = g.input("sel", np.array([5, 0, 2], dtype=np.int64))
    g.node("Gather", [x, sel], xv[:, g.inputs["sel"]], out="gather_axis1", axis=1)
    one = g.const("one", np.array(2, dtype=np.int64))
    g.node("Gather", [x, one], xv[:, :, 2], out="gather_const", axis=2)
    three = g.const("three", np.array([3, 1, 1], dtype=np.int64))
    g.node("Gather", [x, three], xv[:, [3, 1, 1]], out="gather_list", axis=1)
    starts, ends = g.const("starts", np.array([1, -3], np.int64)), g.const("ends", np.array(
        [100, -1], np.int64))
    axes, steps = g.const("axes", np.array([1, 2], np.int64)), g.const("steps", np.array(
        [2, 1], np.int64))
    g.node("Slice", [x, starts, ends, axes, steps], xv[:, 1::2, -3:-1])
    sq = g.const("sq_axes", np.array([0], np.int64))
    g.node("Unsqueeze", [x, sq], xv[None], out="unsqueeze")
    g.node("Squeeze", ["unsqueeze", sq], xv, out="squeeze")
    shape = g.const("shape", np.array([3, 2, 6, 4], np.int64))
    g.node("Expand", [x, shape], np.broadcast_to(xv, (3, 2, 6, 4)))
    reps = g.const("reps", np.array([2, 1, 3], np.int64))
    g.node("Tile", [x, reps], np.tile(xv, (2, 1, 3)))
    k = g.const("k", np.array(1, np.int64))
    g.node("Trilu", [x, k], np.triu(xv, 1), out="triu")
    g.node("Trilu", [x], np.tril(xv), out="tril", upper=0)
    return [g]


def layout():
    g = Graph("layout", 13)
    x = g.input("x", randn(2, 8, 3, 2))
    xv = g.inputs["x"]
    b, c, h, w = xv.shape
    dcr = xv.reshape(b, 2, 2, c // 4, h, w).transpose(0, 3, 4, 1, 5, 2).reshape(
        b, c // 4, h * 2, w * 2)
    crd = xv.reshape(b, c // 4, 2, 2, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(
        b, c // 4, h * 2, w * 2)
    g.node("DepthToSpace", [x], dcr, out="d2s_dcr", blocksize=2)
    g.node("DepthToSpace", [x], crd, out="d2s_crd", blocksize=2, mode="CRD")
    y = g.input("y", randn(1, 2, 4, 6))
    yv = g.inputs["y"]
    s2d = yv.reshape(1, 2, 2, 2, 3, 2).transpose(0, 3, 5, 1, 2, 4).reshape(1, 8, 2, 3)
    g.node("SpaceToDepth", [y], s2d, blocksize=2)
    a, m = g.input("a", randn(2, 3, 4)), g.input("m", randn(2, 4, 5))
    g.node("Einsum", [a, m], np.einsum("bij,bjk->bik", g.inputs["a"], g.inputs["m"]),
           equation="bij,bjk->bik")
    q = g.input("q", randn(5, 4))
    g.node("Einsum", [a, q], np.einsum("bij,kj->bik", g.inputs["a"], g.inputs["q"]),
           out="einsum_t", equation="bij,kj->bik")
    return [g]


def norms():
    g = Graph("norms", 17)
    x = g.input("x", randn(2, 3, 4, 5))
    xv = g.inputs["x"]
    w, b = g.input("w", randn(4, 5)), g.input("b", randn(4, 5))

    def normalise(v, axes, eps):
        mu = v.mean(axis=axes, keepdims=True)
        return (v - mu) / np.sqrt(((v - mu) ** 2).mean(axis=axes, keepdims=True) + eps)
    g.node("LayerNormalization", [x, w, b], normalise(xv, (2, 3), 1e-5) * g.inputs["w"]
           + g.inputs["b"], axis=2)
    w1 = g.input("w1", randn(5))
    g.node("LayerNormalization", [x, w1], normalise(xv, (3,), 1e-3) * g.inputs["w1"],
           out="ln_last", epsilon=1e-3)
    s, t = g.input("s", randn(3)), g.input("t", randn(3))
    g.node("InstanceNormalization", [x, s, t], normalise(xv, (2, 3), 1e-5)
           * g.inputs["s"][:, None, None] + g.inputs["t"][:, None, None])
    return [g]


def torch_ref(fn):
    import torch
    return fn(torch).numpy()


def spatial():
    g = Graph("spatial", 13)
    x = g.input("x", randn(1, 2, 3, 4))
    xv = g.inputs["x"]
    empty = g.const("roi", np.array([], np.float32))
    scales = g.const("scales", np.array([1, 1, 2, 2], np.float32))
    sizes = g.const("sizes", np.array([1, 2, 5, 7], np.int64))
    g.node("Resize", [x, empty, scales], xv.repeat(2, axis=2).repeat(2, axis=3),
           out="nearest", mode="nearest", coordinate_transformation_mode="asymmetric",
           nearest_mode="floor")
    interp = lambda t, **kw: t.nn.functional.interpolate(t.from_numpy(xv), **kw)  # noqa
    g.node("Resize", [x, empty, scales], torch_ref(lambda t: interp(
        t, scale_factor=2, mode="bilinear", align_corners=False)), out="linear",
        mode="linear", coordinate_transformation_mode="half_pixel")
    g.node("Resize", [x, empty, "", sizes], torch_ref(lambda t: interp(
        t, size=(5, 7), mode="bilinear", align_corners=True)), out="linear_corners",
        mode="linear", coordinate_transformation_mode="align_corners")
    w = g.input("w", randn(2, 3, 3, 3))
    bias = g.input("bias", randn(3))
    g.node("ConvTranspose", [x, w, bias], torch_ref(lambda t: t.nn.functional.conv_transpose2d(
        t.from_numpy(xv), t.from_numpy(g.inputs["w"]), t.from_numpy(g.inputs["bias"]), stride=2,
        padding=1, output_padding=1)), strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1])
    lrn = torch_ref(lambda t: t.nn.functional.local_response_norm(
        t.from_numpy(xv), 3, alpha=0.01, beta=0.6, k=1.5))
    g.node("LRN", [x], lrn, size=3, alpha=0.01, beta=0.6, bias=1.5)
    return [g]


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def lstm_ref(x, w, r, b, h, c):
    """ONNX LSTM, forward, gates i, o, f, c; x [T, B, I]; returns Y [T, 1, B, H], Y_h, Y_c."""
    H = r.shape[-1]
    ys = []
    for t in range(x.shape[0]):
        gates = x[t] @ w[0].T + h @ r[0].T + b[0, :4 * H] + b[0, 4 * H:]
        i, o, f, cc = (gates[:, k * H:(k + 1) * H] for k in range(4))
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(cc)
        h = sigmoid(o) * np.tanh(c)
        ys.append(h)
    return np.stack(ys)[:, None], h[None], c[None]


def bidirectional(ref, x, w, r, b, *states):
    """A bidirectional layer from a one-direction reference: the second direction runs
    on the reversed sequence, its outputs reversed back."""
    fwd = ref(x, w[:1], r[:1], b[:1], *(s[0] for s in states))
    bwd = ref(x[::-1], w[1:], r[1:], b[1:], *(s[1] for s in states))
    y = np.concatenate([fwd[0], bwd[0][::-1]], axis=1)
    return (y, *(np.concatenate([f, g]) for f, g in zip(fwd[1:], bwd[1:])))


def gru_ref(x, w, r, b, h):
    """ONNX GRU with linear_before_reset = 1, gates z, r, h."""
    H = r.shape[-1]
    ys = []
    for t in range(x.shape[0]):
        xg = x[t] @ w[0].T + b[0, :3 * H]
        hg = h @ r[0].T + b[0, 3 * H:]
        z = sigmoid(xg[:, :H] + hg[:, :H])
        rr = sigmoid(xg[:, H:2 * H] + hg[:, H:2 * H])
        n = np.tanh(xg[:, 2 * H:] + rr * hg[:, 2 * H:])
        h = (1 - z) * n + z * h
        ys.append(h)
    return np.stack(ys)[:, None], h[None]


def recurrent():
    g = Graph("recurrent", 14)
    T, B, I, H = 5, 2, 3, 4
    x = g.input("x", randn(T, B, I))
    w, r, b = g.input("W", randn(1, 4 * H, I)), g.input("R", randn(1, 4 * H, H)), g.input(
        "B", randn(1, 8 * H))
    h0, c0 = g.input("h0", randn(1, B, H)), g.input("c0", randn(1, B, H))
    v = g.inputs
    y, yh, yc = lstm_ref(v["x"], v["W"], v["R"], v["B"], v["h0"][0], v["c0"][0])
    g.nodes.append(helper.make_node("LSTM", [x, w, r, b, "", h0, c0], ["lstm_y", "lstm_h",
                                                                       "lstm_c"],
                                    name="lstm", hidden_size=H))
    g.outputs.update(lstm_y=y, lstm_h=yh, lstm_c=yc)
    y2, _, _ = lstm_ref(v["x"], v["W"], v["R"], np.zeros((1, 8 * H), np.float32),
                        np.zeros((B, H), np.float32), np.zeros((B, H), np.float32))
    g.nodes.append(helper.make_node("LSTM", [x, w, r], ["lstm_plain"], name="lstm_plain",
                                    hidden_size=H))
    g.outputs["lstm_plain"] = y2
    gw, gr, gb = g.input("GW", randn(1, 3 * H, I)), g.input("GR", randn(1, 3 * H, H)), g.input(
        "GB", randn(1, 6 * H))
    gy, gh = gru_ref(v["x"], v["GW"], v["GR"], v["GB"], v["h0"][0])
    g.nodes.append(helper.make_node("GRU", [x, gw, gr, gb, "", h0], ["gru_y", "gru_h"],
                                    name="gru", hidden_size=H, linear_before_reset=1))
    g.outputs.update(gru_y=gy, gru_h=gh)
    bi = Graph("bidirectional", 14)
    x = bi.input("x", v["x"])
    for op, gates, ref in [("LSTM", 4, lstm_ref), ("GRU", 3, gru_ref)]:
        p, lstm = op.lower(), op == "LSTM"
        w = bi.input(p + "W", randn(2, gates * H, I))
        r = bi.input(p + "R", randn(2, gates * H, H))
        b = bi.input(p + "B", randn(2, 2 * gates * H))
        states = [bi.input(p + "h0", randn(2, B, H))] + ([bi.input("c0", randn(2, B, H))]
                                                          if lstm else [])
        names = [f"{p}_{o}" for o in (["y", "h", "c"] if lstm else ["y", "h"])]
        attrs = {} if lstm else {"linear_before_reset": 1}
        bi.nodes.append(helper.make_node(op, [x, w, r, b, ""] + states, names, name=p,
                                         hidden_size=H, direction="bidirectional", **attrs))
        vals = [bi.inputs[n] for n in [w, r, b] + states]
        bi.outputs.update(zip(names, bidirectional(ref, bi.inputs["x"], *vals)))
        # The reverse direction alone, on the second direction's weights, without bias and
        # initial states.
        w1, r1 = bi.input(w + "1", vals[0][1:]), bi.input(r + "1", vals[1][1:])
        rev = f"{p}_reverse"
        bi.nodes.append(helper.make_node(op, [x, w1, r1], [rev], name=rev, hidden_size=H,
                                         direction="reverse", **attrs))
        zeros = [np.zeros((B, H), np.float32)] * len(states)
        bi.outputs[rev] = ref(bi.inputs["x"][::-1], vals[0][1:], vals[1][1:],
                              np.zeros((1, 2 * gates * H), np.float32), *zeros)[0][::-1]
    return [g, bi]


def losses():
    g = Graph("losses", 13)
    logits = g.input("logits", randn(4, 5))
    target = g.input("target", np.array([1, 0, 4, 2], np.int64))
    lv, tv = g.inputs["logits"], g.inputs["target"]
    logp = lv - np.log(np.exp(lv).sum(axis=1, keepdims=True))
    nll = -logp[np.arange(4), tv]
    g.node("SoftmaxCrossEntropyLoss", [logits, target], nll.mean(), out="sce")
    g.node("SoftmaxCrossEntropyLoss", [logits, target], nll.sum(), out="sce_sum",
           reduction="sum")
    g.node("NegativeLogLikelihoodLoss", [logits, target], (-lv[np.arange(4), tv]).mean(),
           out="nll")
    return [g]


GROUPS = {"unary": unary, "variadic": variadic, "reductions": reductions, "tensor": tensor,
          "layout": layout, "norms": norms, "spatial": spatial, "recurrent": recurrent,
          "losses": losses}


def one_node(op, inputs, opset=13, **attrs):
    """A graph of one node `op` on float inputs `inputs` (name -> shape)."""
    g = Graph(op.lower(), opset)
    names = [g.input(n, randn(*s)) if s is not None else n for n, s in inputs.items()]
    g.nodes.append(helper.make_node(op, names, ["y"], name="bad_" + op.lower(), **attrs))
    g.outputs["y"] = np.zeros(1, np.float32)
    return g


def gru_default_reset():
    return one_node("GRU", {"x": (3, 1, 2), "W": (1, 12, 2), "R": (1, 12, 4)}, 14, hidden_size=4)


def lstm_clip():
    return one_node("LSTM", {"x": (3, 1, 2), "W": (1, 16, 2), "R": (1, 16, 4)}, 14,
                    hidden_size=4, clip=3.0)


def argmax_last():
    return one_node("ArgMax", {"x": (3, 4)}, 13, select_last_index=1)


def resize_cubic():
    g = one_node("Resize", {"x": (1, 1, 2, 2)}, 13, mode="cubic")
    g.initializers.update(roi=np.array([], np.float32),
                          scales=np.array([1, 1, 2, 2], np.float32))
    g.nodes[0].input.extend(["roi", "scales"])
    return g


ERRORS = {"gru-default-reset": gru_default_reset, "lstm-clip": lstm_clip,
          "argmax-last": argmax_last, "resize-cubic": resize_cubic}
