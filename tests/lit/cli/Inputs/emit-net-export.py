"""Exports the small models of tests/lit/cli/emit-net-onnx.test to ONNX: a CNN
with a repeated residual block (its batch norms kept as nodes, not folded into
the convolutions) and an MLP. Usage: emit-net-export.py OUT_DIR"""
import sys

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        h = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(h)) + x)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.layer = nn.Sequential(Block(8), Block(8))
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        h = self.layer(torch.relu(self.stem(x)))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(h, 1), 1))


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    cnn = SmallCNN().eval()
    torch.onnx.export(cnn, torch.randn(1, 3, 16, 16), f"{out}/cnn.onnx", opset_version=13,
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)
    mlp = nn.Sequential(nn.Linear(6, 16), nn.Sigmoid(), nn.Linear(16, 3), nn.Softmax(dim=1))
    torch.onnx.export(mlp, torch.randn(2, 6), f"{out}/mlp.onnx", opset_version=13)


if __name__ == "__main__":
    main()
