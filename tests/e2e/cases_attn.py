"""The parity cases of attention: models/attention.net (scaled_dot_product_attention,
multi_head_attention) and examples/transformer.net, with the twins of models_attn.py."""
import os

import models_attn
from cases import EXAMPLES, Case, randn

ATTN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models", "attention.net")


def masks(g, *shape):
    """A float mask: N(0, 1) offsets with some -1e4 entries (a row never loses all)."""
    m = randn(*shape, gen=g)
    m[..., 1:, -1] = -1e4
    return m


CASES = {
    "attention": Case(ATTN, models_attn.Attention,
                      lambda g: {"q": randn(2, 2, 5, 4, gen=g), "k": randn(2, 2, 6, 4, gen=g),
                                 "v": randn(2, 2, 6, 3, gen=g), "m": masks(g, 5, 6),
                                 "x": randn(2, 5, 8, gen=g), "y": randn(2, 6, 8, gen=g),
                                 "m3": masks(g, 4, 5, 6)},
                      model="attention"),
    "transformer": Case(os.path.join(EXAMPLES, "transformer.net"), models_attn.Transformer,
                        lambda g: {"x": randn(4, 8, 16, gen=g), "target": randn(4, 8, 16, gen=g)}),
}
