"""PyTorch twins of the second-wave op models of models/ops.net (tensor, spatial, loss,
batch-norm and elementwise ops); models.py re-exports them."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from models import *  # noqa: F401,F403  (Model, param and the layer helpers)
from models import Model, param  # noqa: F401


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
