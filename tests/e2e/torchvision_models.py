"""The PyTorch side of examples/resnet18.net, mobilenet_v2.net, efficientnet_b0.net and unet.net.

The three classifiers are torchvision 0.14's own models; the U-Net is the module UNet below,
whose parameter and buffer names are those of examples/unet.net. Each SPECS entry says which
example it is, how to build the PyTorch model, and what its inputs look like;
`forward(spec, module, inputs)` runs a model on {input name: tensor} and returns
({output name: tensor}, loss) with the .net file's output names.
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples")


def double_conv(cin, out):
    """examples/unet.net's double_conv: (conv, bn, relu) twice, bias-free convolutions."""
    return nn.Sequential(nn.Conv2d(cin, out, 3, padding=1, bias=False), nn.BatchNorm2d(out),
                         nn.ReLU(), nn.Conv2d(out, out, 3, padding=1, bias=False),
                         nn.BatchNorm2d(out), nn.ReLU())


class UNet(nn.Module):
    """examples/unet.net: the same layers under the same names."""

    def __init__(self):
        super().__init__()
        self.enc1 = double_conv(3, 16)
        self.enc2 = double_conv(16, 32)
        self.mid = double_conv(32, 64)
        self.up2 = nn.ConvTranspose2d(64, 32, 2, stride=2)
        self.dec2 = double_conv(64, 32)
        self.up1 = nn.Conv2d(32, 16, 1)
        self.dec1 = double_conv(32, 16)
        self.head = nn.Conv2d(16, 1, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        m = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(torch.cat([self.up2(m), e2], dim=1))
        u1 = self.up1(F.interpolate(d2, scale_factor=2, mode="bilinear", align_corners=False))
        d1 = self.dec1(torch.cat([u1, e1], dim=1))
        return torch.sigmoid(self.head(d1))


def dice_loss(p, t, eps=1.0):
    """DSL.md's dice_loss: 1 - (2 sum(p t) + eps) / (sum(p) + sum(t) + eps) over the batch."""
    return 1 - (2 * (p * t).sum() + eps) / (p.sum() + t.sum() + eps)


def iou(p, t):
    """DSL.md's iou: |P and T| / |P or T| of the masks thresholded at 0.5; 1 when both are
    empty."""
    pm, tm = p > 0.5, t > 0.5
    union = (pm | tm).sum()
    inter = (pm & tm).sum()
    return (inter.double() / union.double() if union > 0 else torch.tensor(1.0,
            dtype=torch.float64)).to(p.dtype)


def dice(p, t):
    """DSL.md's dice: 2 |P and T| / (|P| + |T|) of the masks thresholded at 0.5; 1 when both
    are empty."""
    pm, tm = p > 0.5, t > 0.5
    total = pm.sum() + tm.sum()
    inter = (pm & tm).sum()
    return (2 * inter.double() / total.double() if total > 0 else torch.tensor(1.0,
            dtype=torch.float64)).to(p.dtype)


def torchvision_builder(name):
    def build():
        import torchvision  # only here: the U-Net does not need it
        return getattr(torchvision.models, name)()
    return build


class Spec:
    """One model: its example, its PyTorch constructor, the -D constants that remove its
    dropout (and would remove stochastic depth), and its inputs at a batch and image size."""

    def __init__(self, net, build, classes=None, dropout_const=None):
        self.net = os.path.join(EXAMPLES, net)
        self.build = build
        self.classes = classes  # None: a segmentation model (unet)
        self.dropout_const = dropout_const

    def inputs(self, batch, size, gen):
        x = torch.randn(batch, 3, size, size, generator=gen)
        if self.classes:
            target = torch.randint(0, self.classes, (batch,), generator=gen)
        else:  # a blob mask: a disc per image, so Dice and IoU are not trivial
            yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
            c = torch.rand(batch, 2, generator=gen) * size
            r = size * (0.15 + 0.2 * torch.rand(batch, generator=gen))
            d2 = (yy[None] - c[:, 0, None, None]) ** 2 + (xx[None] - c[:, 1, None, None]) ** 2
            target = (d2 < r[:, None, None] ** 2).to(torch.float32)[:, None]
        return {"x": x, "target": target}


SPECS = {
    "resnet18": Spec("resnet18.net", torchvision_builder("resnet18"), classes=1000),
    "mobilenet_v2": Spec("mobilenet_v2.net", torchvision_builder("mobilenet_v2"), classes=1000,
                         dropout_const="DROPOUT"),
    "efficientnet_b0": Spec("efficientnet_b0.net", torchvision_builder("efficientnet_b0"),
                            classes=1000, dropout_const="DROPOUT"),
    "unet": Spec("unet.net", UNet),
}


def forward(spec, module, inputs):
    """({output name: tensor}, loss) as the .net file names its outputs."""
    x, target = inputs["x"], inputs["target"]
    if spec.classes:
        logits = module(x)
        return {"logits": logits}, F.cross_entropy(logits, target)
    p = module(x)
    return {"p": p, "iou_score": iou(p, target), "dice_score": dice(p, target)}, \
        dice_loss(p, target)


def no_dropout(module):
    """Dropout and stochastic depth with p = 0: both draw random masks that netc and PyTorch
    cannot share, so the parity of training steps holds only without them."""
    from torchvision.ops import StochasticDepth
    for m in module.modules():
        if isinstance(m, (nn.Dropout, StochasticDepth)):
            m.p = 0.0
    return module


def randomise_statistics(module, gen, size=64, batch=16):
    """Batch-norm weights, biases and running statistics that are not torchvision's initial
    ones (weight 1, bias 0, mean 0, variance 1: inference would then skip the statistics and
    hide a mistake in them): the statistics of one batch of `batch` random images of `size`
    (forward in train mode with a cumulative average, after drawing the weights in [0.5, 1.5]
    and the biases from N(0, 0.1^2)), the means moved by 0.1 standard deviation and the
    variances scaled by [0.75, 1.25] at random, so that activations keep their scale
    through the network in eval mode.
    num_batches_tracked is reset to 0 and the momentum to torchvision's 0.1."""
    norms = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for m in norms:  # the affine parts first: the statistics below depend on them
            m.weight.copy_(0.5 + torch.rand(m.num_features, generator=gen))
            m.bias.copy_(0.1 * torch.randn(m.num_features, generator=gen))
            m.reset_running_stats()
            m.momentum = None  # a cumulative average: one batch gives its own statistics
        module.train()
        module(torch.randn(batch, 3, size, size, generator=gen))
        for m in norms:
            n = m.num_features
            m.momentum = 0.1
            m.num_batches_tracked.zero_()
            m.running_mean.add_(0.1 * m.running_var.sqrt() * torch.randn(n, generator=gen))
            m.running_var.mul_(0.75 + 0.5 * torch.rand(n, generator=gen))
    return module.eval()


def build(name, seed):
    """The PyTorch model of SPECS[name]: weights initialised as torchvision (or PyTorch, for
    the U-Net) does after torch.manual_seed(seed), batch-norm statistics drawn from `seed`
    (randomise_statistics); in eval mode, without dropout."""
    torch.manual_seed(seed)
    module = no_dropout(SPECS[name].build())
    return randomise_statistics(module, torch.Generator().manual_seed(seed))
