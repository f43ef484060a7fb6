"""PyTorch twins of the recurrent models of models/rnn.net."""
import torch.nn as nn

from models import Model, param


class RnnLstm(Model):
    """The model rnn_lstm of models/rnn.net."""

    def __init__(self):
        super().__init__()
        self.s0 = param(1, 5, 7)
        self.s1 = param(1, 5, 7)
        self.enc = nn.LSTM(4, 6, num_layers=2, batch_first=True)
        self.dec = nn.LSTM(6, 7)

    def run(self, x):
        y, (h, c) = self.enc(x)
        z, (h2, c2) = self.dec(y, (self.s0, self.s1))
        return {"y": y, "h": h, "c": c, "z": z, "h2": h2, "c2": c2}, None


class RnnGru(Model):
    """The model rnn_gru of models/rnn.net."""

    def __init__(self):
        super().__init__()
        self.s0 = param(2, 3, 6)
        self.gru0 = nn.GRU(5, 6, num_layers=2)
        self.g2 = nn.GRU(6, 5, batch_first=True)

    def run(self, x):
        y, h = self.gru0(x, self.s0)
        z, h2 = self.g2(y)
        return {"y": y, "h": h, "z": z, "h2": h2}, None
