"""PyTorch twins of the models of examples/*.net and tests/e2e/models/ops.net.

Each model is an nn.Module whose parameters have the DSL names of netc (conv2d0.weight,
fc1.bias, W, ...), so a safetensors file of netc's weights loads with load_state_dict(strict).
forward(inputs) takes {input name: tensor} and returns ({output name: tensor}, loss or None).
The helpers below give each DSL op its PyTorch 1.13 meaning (DSL.md: "Every op has PyTorch
semantics"); padding that PyTorch cannot express (asymmetric, "same") goes through F.pad.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def pad4(padding, x, kernel, stride, dilation):
    """DSL padding (int, [h, w], [top, bottom, left, right], "valid", "same") as [t, b, l, r]."""
    if padding == "valid":
        return [0, 0, 0, 0]
    if padding == "same":
        out = []
        for n, k, s, d in zip(x.shape[-2:], pair(kernel), pair(stride), pair(dilation)):
            kk = d * (k - 1) + 1
            total = max(kk - s, 0) if n % s == 0 else max(kk - n % s, 0)
            out += [total // 2, total - total // 2]
        return out
    if isinstance(padding, int):
        return [padding] * 4
    if len(padding) == 2:
        return [padding[0], padding[0], padding[1], padding[1]]
    return list(padding)


def fpad(x, tblr, value=0.0):
    t, b, l, r = tblr
    return F.pad(x, (l, r, t, b), value=value)


class Conv(nn.Conv2d):
    """conv2d(x, out, kernel, stride, padding, dilation, groups, bias)."""

    def __init__(self, cin, out, kernel, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 dtype=torch.float32):
        super().__init__(cin, out, pair(kernel), pair(stride), 0, pair(dilation), groups, bias,
                         dtype=dtype)
        self.dsl_padding = padding

    def forward(self, x):
        t, b, l, r = pad4(self.dsl_padding, x, self.kernel_size, self.stride, self.dilation)
        if t == b and l == r:  # PyTorch's own padding where it can express it
            return F.conv2d(x, self.weight, self.bias, self.stride, (t, l), self.dilation,
                            self.groups)
        return F.conv2d(fpad(x, [t, b, l, r]), self.weight, self.bias, self.stride, 0,
                        self.dilation, self.groups)


def maxpool2d(x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False):
    stride = kernel if stride is None else stride
    t, b, l, r = pad4(padding, x, kernel, stride, dilation)
    if t == b and l == r:
        return F.max_pool2d(x, pair(kernel), pair(stride), (t, l), pair(dilation), ceil_mode)
    return F.max_pool2d(fpad(x, [t, b, l, r], -math.inf), pair(kernel), pair(stride), 0,
                        pair(dilation), ceil_mode)


def avgpool2d(x, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    stride = kernel if stride is None else stride
    t, b, l, r = pad4(padding, x, kernel, stride, 1)
    if t == b and l == r:
        return F.avg_pool2d(x, pair(kernel), pair(stride), (t, l), ceil_mode, count_include_pad)
    assert not ceil_mode, "asymmetric avgpool2d padding with ceil_mode is not modelled"
    s = F.avg_pool2d(fpad(x, [t, b, l, r]), pair(kernel), pair(stride))
    if count_include_pad:
        return s
    ones = fpad(torch.ones_like(x[:1, :1]), [t, b, l, r])
    return s / F.avg_pool2d(ones, pair(kernel), pair(stride))


def pad2d(x, tblr, value=0.0):
    return fpad(x, tblr, value)


def sqnorm(x):
    return (x * x).sum()


def cross_entropy(logits, target):
    return F.cross_entropy(logits, target.long())


def embedding(idx, table):
    return F.embedding(idx.long(), table)


class Model(nn.Module):
    """Base: `params` declares explicit DSL params; subclasses define layers and run()."""

    def forward(self, inputs):
        return self.run(**inputs)


def param(*shape, dtype=torch.float32):
    return nn.Parameter(torch.zeros(*shape, dtype=dtype))


# ---------------------------------------------------------------------------- examples


class CNN(Model):
    """examples/cnn.net."""

    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(3, 4, 3, padding=1)
        self.conv2d1 = Conv(4, 16, 5, stride=2, padding=2)
        self.conv2d2 = Conv(16, 32, 7, dilation=2, padding=3)

    def run(self, x):
        x = maxpool2d(torch.relu(self.conv2d0(x)), 2)
        x = maxpool2d(torch.relu(self.conv2d1(x)), 2)
        return {"y": torch.relu(self.conv2d2(x))}, None


class Dropout2(Model):
    """examples/dropout2.net (p1, p2 as in the file unless a test substitutes them)."""

    def __init__(self, p1=0.1, p2=0.2):
        super().__init__()
        self.conv2d0 = Conv(3, 16, 3, padding="same")
        self.p1, self.p2 = p1, p2

    def run(self, x):
        h = torch.relu(self.conv2d0(x))
        h = F.dropout(h, self.p1, self.training)
        return {"y": F.dropout(h, self.p2, self.training)}, None


class Dropout2P0(Dropout2):
    """examples/dropout2.net with both probabilities set to 0."""

    def __init__(self):
        super().__init__(0.0, 0.0)


class Embed(Model):
    """examples/embedding.net (dim substituted by the smaller test variant)."""

    def __init__(self, dim=42000):
        super().__init__()
        self.embedding0 = nn.Embedding(42, dim)

    def run(self, idx):
        return {"e": embedding(idx, self.embedding0.weight)}, None


class EmbedSmall(Embed):
    def __init__(self):
        super().__init__(420)


class Foo(Model):
    """examples/foo.net (float64)."""

    def __init__(self):
        super().__init__()
        self.W = param(5, 5, dtype=torch.float64)
        self.b = param(5, dtype=torch.float64)

    def run(self, X):
        return {}, torch.mean(torch.matmul(X, self.W) + self.b)


class LeNet(Model):
    """examples/lenet.net."""

    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(1, 6, 5, padding=2)
        self.conv2d1 = Conv(6, 16, 5)
        self.linear0 = nn.Linear(16 * 5 * 5, 120)
        self.linear1 = nn.Linear(120, 84)
        self.linear2 = nn.Linear(84, 10)

    def run(self, image, label):
        x = maxpool2d(torch.relu(self.conv2d0(image)), 2)
        x = maxpool2d(torch.relu(self.conv2d1(x)), 2)
        x = torch.flatten(x, 1)
        x = torch.relu(self.linear0(x))
        x = torch.relu(self.linear1(x))
        logits = self.linear2(x)
        return {"logits": logits}, cross_entropy(logits, label)


class MLP2(Model):
    """examples/mlp2.net: BCE plus L2 weight decay written out."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.fc2 = nn.Linear(16, 1)

    def run(self, x, y):
        h = torch.tanh(self.fc1(x))
        p = torch.sigmoid(self.fc2(h))
        lam = 0.001
        loss = F.binary_cross_entropy(p, y) + lam / 2 * (sqnorm(self.fc1.weight) +
                                                         sqnorm(self.fc2.weight))
        return {"p": p}, loss


class MLPirate(Model):
    """examples/mlpirate.net: 26 linear layers, 25 sigmoids, MSE."""

    def __init__(self):
        super().__init__()
        sizes = [(42, 128)] + [(128, 128)] * 24 + [(128, 1)]
        for i, (a, b) in enumerate(sizes):
            setattr(self, f"linear{i}", nn.Linear(a, b))

    def run(self, x, t):
        h = x
        for i in range(25):
            h = torch.sigmoid(getattr(self, f"linear{i}")(h))
        y = self.linear25(h)
        return {"y": y}, F.mse_loss(y, t)


class Residual(Model):
    """examples/residual.net."""

    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(64, 64, 3, padding=1)
        self.conv2d1 = Conv(64, 64, 3, padding=1)

    def run(self, x):
        h = torch.relu(self.conv2d0(x))
        return {"y": torch.relu(self.conv2d1(h)) + x}, None


# ------------------------------------------------------------------ tests/e2e/models/ops.net


class OpsConv(Model):
    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(4, 6, 3, padding=1)
        self.conv2d1 = Conv(6, 4, [3, 2], stride=[2, 1], padding=[1, 0, 2, 1], dilation=[1, 2],
                            groups=2)
        self.same = Conv(6, 5, 4, stride=2, padding="same", bias=False)
        self.conv2d3 = Conv(6, 3, [1, 3], padding="valid")
        self.conv2d4 = Conv(6, 2, 5, padding=[2, 1], dilation=2)
        self.conv2d5 = Conv(6, 6, 3, stride=3, padding="same", groups=3)

    def run(self, x):
        h = self.conv2d0(x)
        return {"a": self.conv2d1(h), "b": self.same(h), "c": self.conv2d3(torch.relu(h)),
                "d": self.conv2d4(h), "e": self.conv2d5(h)}, None


class OpsWinograd(Model):
    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(5, 8, 3, padding=1)
        self.conv2d1 = Conv(8, 7, 3)
        self.nobias = Conv(8, 6, 3, padding=[2, 0, 1, 2], bias=False)
        self.conv2d3 = Conv(8, 5, 3, padding=1)
        self.conv2d4 = Conv(16, 16, 3, padding=1)

    def run(self, x, y):
        h = self.conv2d0(x)
        return {"a": self.conv2d1(torch.relu(h)), "b": self.nobias(h),
                "c": torch.relu(self.conv2d3(h)), "d": self.conv2d4(y)}, None


class OpsDeepConv(Model):
    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(32, 32, 3, padding=1)
        self.down = Conv(32, 48, 3, stride=2, padding=1, bias=False)
        self.conv2d2 = Conv(48, 16, 3, padding=[1, 0, 2, 1])
        self.skip = Conv(32, 16, 1, stride=2)
        self.conv2d4 = Conv(32, 16, 3, stride=2, dilation=2, padding=2)

    def run(self, x):
        h = torch.relu(self.conv2d0(x))
        g = self.down(h)
        return {"a": self.conv2d2(g), "b": self.skip(h), "c": self.conv2d4(h)}, None


class OpsPool(Model):
    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(3, 4, 3, padding=1)

    def run(self, x):
        h = self.conv2d0(x)
        return {
            "m1": maxpool2d(h, 2),
            "m2": maxpool2d(h, 3, stride=2, padding=1),
            "m3": maxpool2d(h, [2, 3], stride=2, dilation=[2, 1], ceil_mode=True),
            "m4": maxpool2d(h, 3, stride=2, padding="same"),
            "m5": maxpool2d(h, 2, stride=1, padding=[1, 0, 0, 1]),
            "a1": avgpool2d(h, 2),
            "a2": avgpool2d(h, 3, stride=2, padding=1, ceil_mode=True),
            "a3": avgpool2d(h, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
            "a4": avgpool2d(h, [3, 2], stride=[1, 2], padding=[1, 0]),
            "a5": avgpool2d(h, 2, stride=1, padding=[0, 1, 1, 0]),
            "p1": pad2d(h, [1, -1, 2, 0], value=0.5),
            "p2": pad2d(h, [0, 2, -3, 1]),
        }, None


class OpsDense(Model):
    def __init__(self):
        super().__init__()
        self.m = param(4, 3)
        self.v = param(4)
        self.a = param(2, 1, 3, 4)
        self.b = param(5, 4, 2)
        self.fc = nn.Linear(5, 4)
        self.linear1 = nn.Linear(4, 3, bias=False)
        self.linear2 = nn.Linear(5, 2)
        self.embedding0 = nn.Embedding(7, 5)
        self.words = nn.Embedding(3, 2)

    def run(self, x, idx, j):
        h = self.fc(x)
        m, v = self.m, self.v
        return {
            "z": self.linear1(torch.tanh(h)),
            "y": self.linear2(x.reshape(6, 5)),
            "e": embedding(idx, self.embedding0.weight),
            "e2": embedding(j, self.words.weight),
            "vv": torch.matmul(v, v),
            "vm": torch.matmul(v, m),
            "mv": torch.matmul(m.transpose(0, 1), v),
            "hm": torch.matmul(h, m),
            "bb": torch.matmul(self.a, self.b),
        }, None


class OpsElementwise(Model):
    def __init__(self):
        super().__init__()
        self.w = param(4, 6)
        self.b = param(6)
        self.c = param(4, 1)

    def run(self, x):
        w, b, c = self.w, self.b, self.c
        h = x * w + b
        return {
            "r": torch.relu(h),
            "s": torch.sigmoid(h),
            "th": torch.tanh(h),
            "l1": F.leaky_relu(h),
            "l2": F.leaky_relu(h, 0.2),
            "ex": torch.exp(h / 4),
            "lg": torch.log(c * torch.sigmoid(h) + 0.1),
            "sq": torch.sqrt(c + w * w),
            "ar": -h * c - b / c + 3 * h - 1 / (c * c + 2) - 2,
            "sm": torch.softmax(h, -1),
            "sm0": torch.softmax(h, 0),
            "ls": torch.log_softmax(h, 1),
        }, None


class OpsShape(Model):
    def __init__(self):
        super().__init__()
        self.w = param(2, 3, 4, 2)
        self.u = param(2, 1, 4, 2)

    def run(self, x):
        w, u = self.w, self.u
        h = x * w
        return {
            "f1": torch.flatten(h, 1),
            "f2": torch.flatten(h, 0),
            "r": h.reshape(4, -1),
            "tr": h.transpose(0, 3),
            "tr2": h.transpose(1, 2),
            "cc": torch.cat([h, u, h * u], 1),
            "cc2": torch.cat([h, w], 3),
            "cc0": torch.cat([h, w * 2], 0),
            "s1": h.sum(),
            "s2": h.sum(1, keepdim=True),
            "s3": h.sum([0, 2]),
            "m1": h.mean(),
            "m2": h.mean(3),
            "m3": h.mean([1, 3], keepdim=True),
            "n": sqnorm(h),
        }, None


class OpsLosses(Model):
    def __init__(self):
        super().__init__()
        self.w = param(5, 3)
        self.z = param(2, 4, 3, 3)
        self.linear0 = nn.Linear(4, 4)

    def run(self, x, y, p, target, target2):
        w = self.w
        out = {
            "l_mse": F.mse_loss(w, y),
            "l_bce": F.binary_cross_entropy(torch.sigmoid(w), p),
            "l_bcel": F.binary_cross_entropy_with_logits(w * 3, p),
            "l_ce": cross_entropy(self.linear0(x), target),
            "l_ce2": cross_entropy(self.z, target2),
        }
        return out, sum(out.values())


class OpsF64(Model):
    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(3, 4, 3, stride=2, padding="same", dtype=torch.float64)
        self.linear0 = nn.Linear(16, 5, dtype=torch.float64)

    def run(self, x, label):
        h = torch.relu(self.conv2d0(x))
        h = avgpool2d(maxpool2d(h, 2, stride=1, padding=[0, 1, 0, 1]), 2)
        logits = self.linear0(torch.flatten(h, 1))
        prob = torch.softmax(logits, -1)
        return {"logits": logits, "prob": prob}, cross_entropy(logits, label) + sqnorm(prob) / 10


class OpsDropout0(Model):
    def __init__(self):
        super().__init__()
        self.linear0 = nn.Linear(12, 20)
        self.linear1 = nn.Linear(20, 3)

    def run(self, x):
        h = F.dropout(torch.relu(self.linear0(x)), 0.0, self.training)
        return {"y": self.linear1(F.dropout(h, 0.0, self.training))}, None


class OpsDropoutStats(Model):
    P_A, P_B1, P_B2 = 0.3, 0.1, 0.2

    def __init__(self):
        super().__init__()
        self.a = param(64, 1024)
        self.b = param(64, 1024)

    def run(self):
        loss = F.dropout(self.a, self.P_A, self.training).sum() + F.dropout(
            F.dropout(self.b, self.P_B1, self.training), self.P_B2, self.training).sum()
        return {}, loss


class OpsReductions(Model):
    def __init__(self):
        super().__init__()
        self.s = param(1)

    def run(self, x, y):
        h = x * self.s
        return {"total": h.sum(), "avg": h.mean(), "rows": h.sum(1), "cols": h.mean(0),
                "sq": sqnorm(h)}, F.mse_loss(h, y)


class OpsActivations(Model):
    """gelu, silu and layer_norm (models/ops.net, model activations)."""

    def __init__(self):
        super().__init__()
        self.w = param(4, 6)
        self.b = param(6)
        self.layer_norm0 = nn.LayerNorm(6)
        self.linear0 = nn.Linear(6, 5)
        self.ln = nn.LayerNorm(5)

    def run(self, x):
        h = x * self.w + self.b
        return {
            "g": F.gelu(h),
            "gt": F.gelu(h, approximate="tanh"),
            "s": F.silu(h),
            "n1": self.layer_norm0(h),
            "n2": F.layer_norm(h.reshape(2, 2, 6) * 3, [2, 6], eps=0.001),
            "n3": self.ln(self.linear0(F.silu(h))),
        }, None


class OpsActivationsF64(Model):
    """The f64 model activations_f64 of models/ops.net."""

    def __init__(self):
        super().__init__()
        self.w = param(2, 5, dtype=torch.float64)
        self.ln = nn.LayerNorm([2, 5], dtype=torch.float64)

    def run(self, x):
        h = x * self.w
        return {
            "g": F.gelu(h),
            "gt": F.gelu(h, approximate="tanh"),
            "s": F.silu(h),
            "n": self.ln(F.gelu(h)),
            "n1": F.layer_norm(F.silu(h), [5]),
        }, None


# The second-wave op twins live in models_ops2.py.
from models_ops2 import *  # noqa: E402,F401,F403
