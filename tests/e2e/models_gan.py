"""The PyTorch twin of examples/dcgan.net: a DCGAN at 32x32 whose modules are named as the
example names its layers (gen.0, gen.1, ...; disc.0, ...), so that the example's weights file
is the twin's state_dict. forward() computes what the example's train steps compute: the
discriminator runs once, on the real and the generated batch together."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class DCGAN(nn.Module):
    def __init__(self, nz, g, d):
        super().__init__()
        self.gen = nn.Sequential(
            nn.ConvTranspose2d(nz, g * 4, 4, bias=False), nn.BatchNorm2d(g * 4), nn.ReLU(),
            nn.ConvTranspose2d(g * 4, g * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(g * 2),
            nn.ReLU(),
            nn.ConvTranspose2d(g * 2, g, 4, 2, 1, bias=False), nn.BatchNorm2d(g), nn.ReLU(),
            nn.ConvTranspose2d(g, 3, 4, 2, 1, bias=False), nn.Tanh())
        self.disc = nn.Sequential(
            nn.Conv2d(3, d, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
            nn.Conv2d(d, d * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(d * 2), nn.LeakyReLU(0.2),
            nn.Conv2d(d * 2, d * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(d * 4),
            nn.LeakyReLU(0.2),
            nn.Conv2d(d * 4, 1, 4, bias=False))

    def forward(self, x, z):
        """(fake images, loss d, loss g) as the example computes them."""
        b = x.shape[0]
        fake = self.gen(z)
        logit = self.disc(torch.cat([x, fake], 0)).reshape(2 * b)
        real_logit, fake_logit = logit[:b], logit[b:]
        ones, zeros = torch.ones_like(real_logit), torch.zeros_like(real_logit)
        d = (F.binary_cross_entropy_with_logits(real_logit, ones)
             + F.binary_cross_entropy_with_logits(fake_logit, zeros))
        g = F.binary_cross_entropy_with_logits(fake_logit, ones)
        return fake, d, g


def train(model, batches, lr, beta1):
    """The example's --train: per batch, an Adam step of the discriminator on d, then one of
    the generator on g, each a forward pass in train mode (so each updates every batch norm's
    running statistics). Returns the losses [d1, g1, d2, g2, ...]."""
    model.train()
    opt_d = torch.optim.Adam(model.disc.parameters(), lr=lr, betas=(beta1, 0.999))
    opt_g = torch.optim.Adam(model.gen.parameters(), lr=lr, betas=(beta1, 0.999))
    losses = []
    for x, z in batches:
        for opt, which in ((opt_d, 1), (opt_g, 2)):
            model.zero_grad()
            loss = model(x, z)[which]
            losses.append(loss.item())
            loss.backward()
            opt.step()
    return losses
