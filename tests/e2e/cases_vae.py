"""Parity cases of examples/vae.net: the model as written except that the noise of the
reparameterisation, randn_like(mu), is an input eps (drawn here from N(0, 1), one batch of
it per training batch like the images), so that PyTorch computes with the same noise."""
import os

from cases import EXAMPLES, Case, rand, randn
from models_vae import VAE

NOISE_AS_INPUT = [("  z = mu + exp(0.5 * logvar) * randn_like(mu)",
                   "  input eps: f32[B, LATENT]\n  z = mu + exp(0.5 * logvar) * eps")]

CASES = {
    "vae": Case(os.path.join(EXAMPLES, "vae.net"), VAE,
                lambda g: {"x": rand(16, 1, 16, 16, gen=g), "eps": randn(16, 8, gen=g)},
                subst=NOISE_AS_INPUT),
}
