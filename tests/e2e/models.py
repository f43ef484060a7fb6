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


class OpsTensor(Model):
    """The model tensor of models/ops.net."""

    def __init__(self):
        super().__init__()
        self.w = param(2, 3, 5)

    def run(self, x):
        w = self.w
        h = x * w
        eye = torch.eye(3, 5, dtype=h.dtype)
        return {
            "sl": h[:, :, -4:100:2],
            "sl2": h[:, 1:3],
            "sp": torch.stack(torch.split(h, 1, 1), dim=3),
            "sp2": torch.cat(torch.split(h, [2, 3], 2), dim=2) * 2.0,
            "st": torch.stack([h, w], dim=-1),
            "sq": torch.unsqueeze(torch.squeeze(h.sum(1, keepdim=True)), 0),
            "sq2": torch.squeeze(h, 1) + torch.squeeze(torch.unsqueeze(h, 2), -2),
            "pm": h.permute(2, 0, 1),
            "mx": torch.max(h, 1).values,
            "mn": torch.min(h, dim=-1, keepdim=True).values,
            "gm": torch.max(h) - torch.min(h),
            "lse": torch.logsumexp(h, 2),
            "lse2": torch.logsumexp(h * 3.0, dim=0, keepdim=True),
            "tu": torch.triu(h, 1),
            "tl": torch.tril(h, -1) + torch.tril(w),
            "c": h * eye + torch.full([5], 0.5, dtype=h.dtype) + torch.arange(5.0, dtype=h.dtype)
            + torch.ones(3, 5, dtype=h.dtype) + torch.zeros(5, dtype=h.dtype),
        }, None


class OpsTensorIndex(Model):
    """The model tensor_index of models/ops.net."""

    def __init__(self):
        super().__init__()
        self.w = param(3, 4, 5)

    def run(self, x):
        h = x * self.w
        return {
            "am": torch.argmax(h, 1),
            "an": torch.argmin(h, dim=2, keepdim=True),
            "ag": torch.argmax(h),
            "ar": torch.arange(2, 11, 3),
            "fi": torch.full([2, 2], 7),
        }, None

class OpsSpatial(Model):
    """The model spatial of models/ops.net."""

    def __init__(self):
        super().__init__()
        self.conv2d0 = Conv(4, 4, 3, padding=1)
        self.conv_transpose2d0 = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                    output_padding=1)
        self.up = nn.ConvTranspose2d(4, 4, (2, 3), stride=(1, 2), padding=(0, 1), groups=2,
                                     dilation=(2, 1), bias=False)
        self.conv_transpose2d2 = nn.ConvTranspose2d(4, 3, 4, stride=3)
        self.conv1d0 = nn.Conv1d(3, 5, 3, padding=1)
        self.conv1d1 = nn.Conv1d(3, 6, 2, stride=2, dilation=2, groups=3, bias=False)
        self.group_norm0 = nn.GroupNorm(2, 4)
        self.inorm = nn.InstanceNorm2d(4, affine=True)

    def run(self, x, s):
        h = self.conv2d0(x)
        return {
            "t1": self.conv_transpose2d0(h),
            "t2": self.up(h),
            "t3": self.conv_transpose2d2(h),
            "c1": self.conv1d0(s),
            "c2": self.conv1d1(s),
            "u1": F.interpolate(h, scale_factor=2),
            "u2": F.interpolate(h, size=(10, 9)),
            "u3": F.interpolate(h, scale_factor=2, mode="bilinear"),
            "u4": F.interpolate(h, size=(5, 11), mode="bilinear", align_corners=True),
            "u5": F.interpolate(h, scale_factor=(1.5, 2.5), mode="bilinear"),
            "p1": F.adaptive_avg_pool2d(h, 3),
            "p2": F.adaptive_avg_pool2d(h, (7, 4)),
            "p3": F.adaptive_max_pool2d(h, (3, 2)),
            "p4": F.adaptive_max_pool2d(h, (5, 4)),
            "g": nn.AdaptiveAvgPool2d(1)(h),
            "n1": self.group_norm0(h),
            "n2": F.instance_norm(h),
            "n3": self.inorm(h),
        }, None

def dice_loss(p, t, eps=1.0):
    """netc's dice_loss (PyTorch has none): over the whole batch."""
    return 1 - (2 * (p * t).sum() + eps) / (p.sum() + t.sum() + eps)


def mask_metric(p, t, iou):
    """iou or dice of the masks p > 0.5 and t > 0.5; 1 when both are empty."""
    pm, tm = p > 0.5, t > 0.5
    both = (pm & tm).sum().item()
    den = (pm | tm).sum().item() if iou else pm.sum().item() + tm.sum().item()
    num = both if iou else 2 * both
    return torch.tensor(1.0 if den == 0 else num / den, dtype=p.dtype)


def accuracy(logits, target):
    return (logits.argmax(1) == target.long()).to(logits.dtype).mean()


class OpsLosses2(Model):
    """The model losses2 of models/ops.net."""

    def __init__(self):
        super().__init__()
        self.w = param(5, 3)
        self.z = param(2, 4, 3, 3)
        self.m = param(2, 1, 4, 4)
        self.linear0 = nn.Linear(5, 5)

    def run(self, x, target, target2, y, q, mask):
        h = self.linear0(x)
        s = torch.sigmoid(self.m)
        t, w = target.long(), self.w
        out = {
            "l_nll": F.nll_loss(F.log_softmax(h, 1), t),
            "l_nll_ign": F.nll_loss(F.log_softmax(h, 1), t, ignore_index=2),
            "l_ce_ls": F.cross_entropy(h, t, label_smoothing=0.1),
            "l_ce_ign": F.cross_entropy(self.z, target2.long(), label_smoothing=0.2,
                                        ignore_index=1),
            "l_l1": F.l1_loss(w, y),
            "l_sl1": F.smooth_l1_loss(w, y, beta=0.5),
            "l_kl": F.kl_div(F.log_softmax(w, 1), q, reduction="mean"),
            "l_klb": F.kl_div(F.log_softmax(w, -1), torch.log(q), reduction="batchmean",
                              log_target=True),
            "l_kl0": F.kl_div(F.log_softmax(self.m, 3), mask, reduction="sum"),
            "l_dice": dice_loss(s, mask),
        }
        loss = sum(out.values())
        with torch.no_grad():
            out.update({"m_iou": mask_metric(s, mask, True), "m_dice": mask_metric(s, mask, False),
                        "m_acc": accuracy(h, target)})
        return out, loss

class OpsBatchNorm(Model):
    """The model batchnorm of models/ops.net: torch's BatchNorm modules, whose running
    statistics and num_batches_tracked are netc's buffers."""

    def __init__(self):
        super().__init__()
        self.conv = Conv(3, 4, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(4)
        self.seq = nn.BatchNorm1d(4, eps=0.001, affine=False)
        self.fc = nn.Linear(36, 5, bias=False)
        self.head = nn.BatchNorm1d(5, momentum=0.2)

    def run(self, x, t):
        h = torch.relu(self.bn(self.conv(x)))
        s = self.seq(avgpool2d(h, 2).reshape(4, 4, 9))
        z = self.head(self.fc(s.flatten(1)))
        return {"y": z}, F.mse_loss(z, t)

class OpsActivations2(Model):
    """The second-wave elementwise ops (models/ops.net, model activations2)."""

    def __init__(self):
        super().__init__()
        self.b = param(8)
        self.k = param(8)
        self.w = param(4, 8)

    def run(self, x, m):
        h = x + self.b
        w, k = self.w, self.k
        return {
            "e": F.elu(h + w),
            "sp": F.softplus(h * 10, beta=2, threshold=15),
            "ht": F.hardtanh(h),
            "r6": F.relu6(h),
            "hs": F.hardswish(h),
            "hsig": F.hardsigmoid(h),
            "a": torch.abs(h),
            "c": torch.clamp(h, min=-1, max=1),
            "cm": torch.clamp(h + w, max=0.5),
            "p": torch.pow(torch.abs(w) + 0.5, 1.5) * torch.pow(h, 2),
            "er": torch.erf(h + w),
            "sc": torch.sin(h + w) * torch.cos(h - w),
            "mx": torch.maximum(h, k),
            "mn": torch.minimum(k, h),
            "wh": torch.where(m != 0, h * w, k),
            "dt": h * w.detach(),
            "cs": (h.to(torch.float64) * 2).to(h.dtype),
        }, None


class OpsActivations2F64(Model):
    """The f64 model activations2_f64 of models/ops.net."""

    def __init__(self):
        super().__init__()
        self.w = param(5, dtype=torch.float64)

    def run(self, x):
        h = x * self.w
        w = self.w
        return {
            "e": F.elu(h, alpha=0.7),
            "sp": F.softplus(h),
            # PyTorch 1.13's hardsigmoid gradient multiplies by 1/6 rounded to f32 (0.16666667163)
            # even in f64, 3e-8 off; the reference here is the exact function, relu6(x + 3) / 6,
            # whose gradient is the exact 1/6 that netc computes.
            "hs": F.hardswish(h * 3) + F.relu6(h * 3 + 3) / 6,
            "p": torch.pow(h, 3) + torch.pow(torch.abs(h) + 1, -0.5),
            "t": torch.erf(h) + torch.sin(h) + torch.cos(h) + torch.abs(h),
            "mm": torch.maximum(h, w * 0.5) - torch.minimum(x, w),
        }, None
