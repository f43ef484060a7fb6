"""The benchmark models in PyTorch, written as a PyTorch user would write them.

Each entry of MODELS builds the module, random inputs of the .net file's
shapes, the loss (None for models without one) and the optimizer of the
model's `train` line. Weights keep PyTorch's default initialisation: only
times are compared here (tests/e2e/ compares values).
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


class CNN(nn.Module):
    """The three-layer CNN of DSL.md (examples/cnn.net)."""

    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(3, 4, 3, padding=1)
        self.conv1 = nn.Conv2d(4, 16, 5, stride=2, padding=2)
        self.conv2 = nn.Conv2d(16, 32, 7, dilation=2, padding=3)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv0(x)), 2)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return F.relu(self.conv2(x))


class ConvReLU(nn.Module):
    """One convolution and its ReLU: a layer of the CNN on its own."""

    def __init__(self, cin, cout, kernel, **kw):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, **kw)

    def forward(self, x):
        return F.relu(self.conv(x))


class MLPirate(nn.Module):
    """examples/mlpirate.net: 26 linear layers, sigmoid between them."""

    def __init__(self, n=42, h=128, blocks=24):
        super().__init__()
        self.layers = nn.ModuleList(
            [nn.Linear(n, h)] + [nn.Linear(h, h) for _ in range(blocks)] + [nn.Linear(h, 1)])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.sigmoid(layer(x))
        return self.layers[-1](x)


class MLP2(nn.Module):
    """examples/mlp2.net."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return torch.sigmoid(self.fc2(torch.tanh(self.fc1(x))))


class LeNet(nn.Module):
    """examples/lenet.net."""

    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv1 = nn.Conv2d(6, 16, 5)
        self.fc0 = nn.Linear(400, 120)
        self.fc1 = nn.Linear(120, 84)
        self.fc2 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv0(x)), 2)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc0(x))
        x = F.relu(self.fc1(x))
        return self.fc2(x)


class ResNet8(nn.Module):
    """bench/models/resnet8.net: 8 basic blocks of 64 channels, no batch norm."""

    def __init__(self, blocks=8, channels=64):
        super().__init__()
        self.convs = nn.ModuleList(
            [nn.Conv2d(channels, channels, 3, padding=1) for _ in range(2 * blocks)])

    def forward(self, x):
        for i in range(0, len(self.convs), 2):
            h = F.relu(self.convs[i](x))
            x = F.relu(self.convs[i + 1](h) + x)
        return x


class Spec:
    """A model ready to run: module, inputs, loss of (module, inputs), optimizer."""

    def __init__(self, module, inputs, loss=None, optimizer=None):
        self.module = module
        self.inputs = inputs
        self.loss = loss
        self.optimizer = optimizer

    def forward(self):
        # Inference as netc's forward function: outputs, and the loss when the
        # model has one (netc's forward returns it too); eval mode, so batch
        # norm uses its running statistics as netc's forward does.
        self.module.eval()
        with torch.no_grad():
            if self.loss is not None:
                return self.loss(self.module, self.inputs)
            return self.module(*self.inputs[:1])

    def train_step(self):
        self.module.train()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss(self.module, self.inputs)
        loss.backward()
        self.optimizer.step()
        return loss


def _cnn():
    return Spec(CNN(), [torch.randn(1, 3, 1024, 1024)])


def _cnn_train():
    m = CNN()
    return Spec(m, [torch.randn(1, 3, 1024, 1024), torch.randn(1, 32, 122, 122)],
                lambda m, i: F.mse_loss(m(i[0]), i[1]), torch.optim.SGD(m.parameters(), lr=0.01))


def _conv(cin, cout, kernel, size, **kw):
    return lambda: Spec(ConvReLU(cin, cout, kernel, **kw), [torch.randn(1, cin, size, size)])


def _mlpirate():
    m = MLPirate()
    return Spec(m, [torch.randn(64, 42), torch.randn(64, 1)],
                lambda m, i: F.mse_loss(m(i[0]), i[1]),
                torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9))


def _mlp2():
    m = MLP2()
    lam = 0.001

    def loss(m, i):
        p = m(i[0])
        return F.binary_cross_entropy(p, i[1]) + lam / 2 * (
            m.fc1.weight.pow(2).sum() + m.fc2.weight.pow(2).sum())

    return Spec(m, [torch.randn(32, 10), torch.randint(0, 2, (32, 1)).float()], loss,
                torch.optim.SGD(m.parameters(), lr=0.1))


def _lenet():
    m = LeNet()
    return Spec(m, [torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))],
                lambda m, i: F.cross_entropy(m(i[0]), i[1]),
                torch.optim.Adam(m.parameters(), lr=0.001))


def _resnet8():
    m = ResNet8()
    return Spec(m, [torch.randn(1, 64, 56, 56), torch.randn(1, 64, 56, 56)],
                lambda m, i: F.mse_loss(m(i[0]), i[1]),
                torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9))


def _torchvision(name, batch):
    """torchvision.models.NAME at 224x224 for 1000 classes, cross entropy, SGD with
    momentum (examples/resnet18.net and examples/mobilenet_v2.net train so)."""
    def make():
        import torchvision  # only these benchmarks need it
        m = getattr(torchvision.models, name)()
        return Spec(m, [torch.randn(batch, 3, 224, 224), torch.randint(0, 1000, (batch,))],
                    lambda m, i: F.cross_entropy(m(i[0]), i[1]),
                    torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9))
    return make


def _transformer(batch=8, seq=128, width=256, heads=8, ff=1024):
    """examples/transformer.net at the size bench.py compiles it with (its TRANSFORMER)."""
    def make():
        m = nn.TransformerEncoderLayer(width, heads, ff, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
        mask = torch.triu(torch.full((seq, seq), float("-inf")), diagonal=1)
        return Spec(m, [torch.randn(batch, seq, width), torch.randn(batch, seq, width)],
                    lambda m, i: F.mse_loss(m(i[0], src_mask=mask), i[1]),
                    torch.optim.AdamW(m.parameters(), lr=0.001))
    return make


MODELS = {
    "cnn": _cnn,
    "cnn_train": _cnn_train,
    "cnn_conv1": _conv(3, 4, 3, 1024, padding=1),
    "cnn_conv2": _conv(4, 16, 5, 512, stride=2, padding=2),
    "cnn_conv3": _conv(16, 32, 7, 128, dilation=2, padding=3),
    "mlpirate": _mlpirate,
    "mlp2": _mlp2,
    "lenet": _lenet,
    "resnet8": _resnet8,
    "resnet18_b1": _torchvision("resnet18", 1),
    "resnet18_b8": _torchvision("resnet18", 8),
    "mobilenet_v2_b1": _torchvision("mobilenet_v2", 1),
    "transformer": _transformer(),
}
