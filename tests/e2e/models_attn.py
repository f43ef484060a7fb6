"""PyTorch twins of the attention models: tests/e2e/models/attention.net and
examples/transformer.net.

PyTorch 1.13 has no F.scaled_dot_product_attention, so `sdpa` writes out PyTorch 2's
definition: softmax(q k^T / sqrt(E) + mask) v, with a float mask added and `causal` masking
j > i with -inf. multi_head_attention's twin is torch.nn.MultiheadAttention(batch_first=True)
itself, and the transformer's is torch.nn.TransformerEncoderLayer, whose state_dicts load
netc's weights unchanged.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from models import Model, param


def causal_mask(l, s, dtype):
    """0 where j <= i, -inf where j > i: torch's is_causal, as a float mask of [l, s]."""
    return torch.triu(torch.full((l, s), -math.inf, dtype=dtype), 1)


def sdpa(q, k, v, mask=None, causal=False):
    """torch.nn.functional.scaled_dot_product_attention of PyTorch 2 (dropout 0)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores + mask
    if causal:
        scores = scores + causal_mask(q.shape[-2], k.shape[-2], scores.dtype)
    return torch.softmax(scores, -1) @ v


class Attention(Model):
    """The model attention of models/attention.net: sdpa written out, and three
    torch.nn.MultiheadAttention modules."""

    def __init__(self):
        super().__init__()
        self.wq, self.wk, self.wv = param(4), param(2, 1, 1, 4), param(6, 3)
        self.self_attn = nn.MultiheadAttention(8, 2, batch_first=True)
        self.cross = nn.MultiheadAttention(8, 4, batch_first=True)
        self.cross3 = nn.MultiheadAttention(8, 2, batch_first=True)

    def run(self, q, k, v, m, x, y, m3):
        q, k, v = q * self.wq, k * self.wk, v * self.wv
        causal = causal_mask(x.shape[1], x.shape[1], x.dtype)
        return {
            "plain": sdpa(q, k, v), "masked": sdpa(q, k, v, mask=m),
            "causal": sdpa(q, k, v, causal=True),
            "self": self.self_attn(x, x, x, attn_mask=causal, need_weights=False)[0],
            "cross": self.cross(x, y, y, attn_mask=m, need_weights=False)[0],
            "cross3": self.cross3(x, y, y, attn_mask=m3, need_weights=False)[0],
        }, None


class Transformer(nn.TransformerEncoderLayer):
    """examples/transformer.net: the pre-norm encoder layer with GELU and no dropout, run
    with the causal src_mask, and its MSE loss."""

    def __init__(self, d=16, heads=2, ff=32):
        super().__init__(d, heads, ff, dropout=0.0, activation="gelu", batch_first=True,
                         norm_first=True)

    def forward(self, inputs):
        x = inputs["x"]
        y = super().forward(x, src_mask=causal_mask(x.shape[1], x.shape[1], x.dtype))
        return {"y": y}, F.mse_loss(y, inputs["target"])
