"""PyTorch twin of examples/vae.net, with the noise of its reparameterisation as an input."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from models import Conv, Model


class VAE(Model):
    """examples/vae.net with `randn_like(mu)` replaced by the input eps (cases_vae.py)."""

    def __init__(self):
        super().__init__()
        self.enc1 = Conv(1, 8, 3, stride=2, padding=1)
        self.enc2 = Conv(8, 16, 3, stride=2, padding=1)
        self.fc_mu = nn.Linear(16 * 4 * 4, 8)
        self.fc_logvar = nn.Linear(16 * 4 * 4, 8)
        self.dec_fc = nn.Linear(8, 16 * 4 * 4)
        self.dec1 = nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
        self.dec2 = nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1)

    def run(self, x, eps):
        batch = x.shape[0]
        h = torch.flatten(F.relu(self.enc2(F.relu(self.enc1(x)))), 1)
        mu, logvar = self.fc_mu(h), self.fc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps
        d = F.relu(self.dec_fc(z)).reshape(batch, 16, 4, 4)
        xhat = torch.sigmoid(self.dec2(F.relu(self.dec1(d))))
        recon = F.binary_cross_entropy(xhat, x) * (16 * 16)
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - torch.exp(logvar)) / batch
        return {"xhat": xhat, "recon": recon, "kl": kl}, recon + kl
