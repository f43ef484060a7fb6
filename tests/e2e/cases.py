"""The parity cases of run_parity.py: each model, its PyTorch twin, its inputs and the extra
optimizers it trains with.

More cases live in `cases_*.py` files beside this one, each defining a dict `CASES` of its own
(with `from cases import Case, randn, ...`); they are merged here, so a family of models adds
its cases without touching this file.
"""
import glob
import importlib
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import models  # noqa: E402

EXAMPLES = os.path.join(HERE, "..", "..", "examples")
OPS = os.path.join(HERE, "models", "ops.net")

def randn(*shape, dtype=torch.float32, gen):
    return torch.randn(*shape, generator=gen, dtype=torch.float64).to(dtype)


def rand(*shape, lo=0.0, hi=1.0, dtype=torch.float32, gen):
    return (lo + (hi - lo) * torch.rand(*shape, generator=gen, dtype=torch.float64)).to(dtype)


def randint(hi, *shape, dtype=torch.int64, gen):
    return torch.randint(0, hi, shape, generator=gen, dtype=torch.int64).to(dtype)


class Case:
    """One model: its .net file (and model name), the PyTorch twin, its inputs (a function of
    a torch.Generator), substitutions applied to the text, extra optimizers to train with."""

    def __init__(self, net, torch_model, inputs, model=None, subst=(), optimizers=(), grad=True,
                 scaled_target=None, buffers=None):
        self.net, self.model, self.subst = net, model, list(subst)
        self.torch_model, self.inputs = torch_model, inputs
        self.optimizers = list(optimizers)  # (label, DSL call): each trained from a variant
        self.grad = grad
        self.scaled_target = scaled_target  # (input, output): see gradient_from_own_sgd
        self.buffers = buffers  # (gen, w0) -> buffer values replacing the initial ones


CASES = {
    # The examples, as written except: cnn at 1x3x64x64 instead of 1024x1024, the gradient and
    # training variant of embedding with dim 420 instead of 42000, dropout2 with p = 0 for
    # training (its masks are compared through statistics: dropout_stats).
    "cnn": Case(os.path.join(EXAMPLES, "cnn.net"), models.CNN,
                lambda g: {"x": randn(1, 3, 64, 64, gen=g)}, subst=[("1024, 1024", "64, 64")],
                optimizers=[("sgd-nesterov-wd", "sgd(lr=0.01, momentum=0.9, nesterov=true, "
                                                "weight_decay=0.01)")]),
    "dropout2": Case(os.path.join(EXAMPLES, "dropout2.net"), models.Dropout2,
                     lambda g: {"x": randn(8, 3, 32, 32, gen=g)}, grad=False),
    "dropout2_p0": Case(os.path.join(EXAMPLES, "dropout2.net"), models.Dropout2P0,
                        lambda g: {"x": randn(8, 3, 32, 32, gen=g)},
                        subst=[("p=0.1", "p=0.0"), ("p=0.2", "p=0.0")],
                        # lr 0.05 oscillates: after 20 steps PyTorch's own f32 run is
                        # 1.2e-4 off its f64 run, so the case would test conditioning.
                        optimizers=[("sgd-nesterov", "sgd(lr=0.02, momentum=0.9, nesterov=true)")]),
    "embedding": Case(os.path.join(EXAMPLES, "embedding.net"), models.Embed,
                      lambda g: {"idx": randint(42, 5, 6, 7, 8, gen=g)}, grad=False),
    "embedding_small": Case(os.path.join(EXAMPLES, "embedding.net"), models.EmbedSmall,
                            lambda g: {"idx": randint(42, 5, 6, 7, 8, gen=g)},
                            subst=[("dim=42000", "dim=420")],
                            optimizers=[("adam-wd", "adam(lr=0.01, weight_decay=0.01)")]),
    "foo": Case(os.path.join(EXAMPLES, "foo.net"), models.Foo,
                lambda g: {"X": randn(100, 5, dtype=torch.float64, gen=g)},
                optimizers=[("adam-betas-wd", "adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, "
                                              "weight_decay=0.1)")]),
    "lenet": Case(os.path.join(EXAMPLES, "lenet.net"), models.LeNet,
                  lambda g: {"image": randn(64, 1, 28, 28, gen=g), "label": randint(10, 64, gen=g)}),
    "mlp2": Case(os.path.join(EXAMPLES, "mlp2.net"), models.MLP2,
                 lambda g: {"x": randn(32, 10, gen=g),
                            "y": (rand(32, 1, gen=g) > 0.5).to(torch.float32)}),
    "mlpirate": Case(os.path.join(EXAMPLES, "mlpirate.net"), models.MLPirate,
                     lambda g: {"x": randn(64, 42, gen=g), "t": randn(64, 1, gen=g)},
                     scaled_target=("t", "y")),
    "residual": Case(os.path.join(EXAMPLES, "residual.net"), models.Residual,
                     lambda g: {"x": randn(1, 64, 56, 56, gen=g)},
                     optimizers=[("adam-wd", "adam(lr=0.001, weight_decay=0.01)")]),
    # Every op of DSL.md (tests/e2e/models/ops.net).
    "conv": Case(OPS, models.OpsConv, lambda g: {"x": randn(2, 4, 11, 10, gen=g)}, model="conv"),
    "winograd": Case(OPS, models.OpsWinograd,
                     lambda g: {"x": randn(2, 5, 11, 9, gen=g), "y": randn(1, 16, 20, 19, gen=g)},
                     model="winograd"),
    "deepconv": Case(OPS, models.OpsDeepConv, lambda g: {"x": randn(2, 32, 7, 6, gen=g)},
                     model="deepconv"),
    "pool": Case(OPS, models.OpsPool, lambda g: {"x": randn(2, 3, 13, 12, gen=g)}, model="pool"),
    "dense": Case(OPS, models.OpsDense,
                  lambda g: {"x": randn(3, 2, 5, gen=g), "idx": randint(7, 3, 4, gen=g),
                             "j": randint(3, 6, dtype=torch.int32, gen=g)}, model="dense",
                  optimizers=[("sgd-momentum-wd", "sgd(lr=0.05, momentum=0.9, weight_decay=0.1)")]),
    "elementwise": Case(OPS, models.OpsElementwise, lambda g: {"x": randn(4, 6, gen=g)},
                        model="elementwise"),
    "shape": Case(OPS, models.OpsShape, lambda g: {"x": randn(2, 3, 4, 2, gen=g)}, model="shape"),
    "losses": Case(OPS, models.OpsLosses,
                   lambda g: {"x": randn(5, 4, gen=g), "y": randn(5, 3, gen=g),
                              "p": rand(5, 3, gen=g), "target": randint(4, 5, gen=g),
                              "target2": randint(4, 2, 3, 3, dtype=torch.int32, gen=g)},
                   model="losses",
                   optimizers=[("adam-betas", "adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6)")]),
    "f64": Case(OPS, models.OpsF64,
                lambda g: {"x": randn(2, 3, 8, 8, dtype=torch.float64, gen=g),
                           "label": randint(5, 2, dtype=torch.int32, gen=g)}, model="f64",
                optimizers=[("sgd-nesterov-wd", "sgd(lr=0.1, momentum=0.9, nesterov=true, "
                                                "weight_decay=0.05)")]),
    "reductions": Case(OPS, models.OpsReductions,
                       lambda g: {"x": rand(1024, 1024, lo=1.0, hi=2.0, gen=g),
                                  "y": randn(1024, 1024, gen=g)}, model="reductions"),
    "activations": Case(OPS, models.OpsActivations, lambda g: {"x": randn(4, 6, gen=g)},
                        model="activations", optimizers=[("sgd", "sgd(lr=0.1)")]),
    "activations_f64": Case(OPS, models.OpsActivationsF64,
                            lambda g: {"x": randn(3, 2, 5, dtype=torch.float64, gen=g)},
                            model="activations_f64", optimizers=[("sgd", "sgd(lr=0.1)")]),
    "dropout0": Case(OPS, models.OpsDropout0, lambda g: {"x": randn(16, 12, gen=g)},
                     model="dropout0", optimizers=[("sgd", "sgd(lr=0.1)")]),
    "tensor": Case(OPS, models.OpsTensor, lambda g: {"x": randn(2, 3, 5, gen=g)}, model="tensor",
                   optimizers=[("sgd", "sgd(lr=0.1)")]),
    "tensor_index": Case(OPS, models.OpsTensorIndex, lambda g: {"x": randn(3, 4, 5, gen=g)},
                         model="tensor_index", grad=False),
    "spatial": Case(OPS, models.OpsSpatial,
                    lambda g: {"x": randn(2, 4, 7, 6, gen=g), "s": randn(2, 3, 10, gen=g)},
                    model="spatial"),
    "losses2": Case(OPS, models.OpsLosses2,
                    lambda g: {"x": randn(6, 5, gen=g), "target": randint(5, 6, gen=g),
                               "target2": randint(4, 2, 3, 3, dtype=torch.int32, gen=g),
                               "y": randn(5, 3, gen=g), "q": rand(5, 3, lo=0.05, gen=g),
                               "mask": (rand(2, 1, 4, 4, gen=g) > 0.5).to(torch.float32)},
                    model="losses2",
                    optimizers=[("rmsprop", "rmsprop(lr=0.01)"),
                                ("rmsprop-momentum", "rmsprop(lr=0.01, momentum=0.9)"),
                                ("rmsprop-centered", "rmsprop(lr=0.01, alpha=0.9, momentum=0.5, "
                                                     "centered=true, weight_decay=0.1)")]),
    "batchnorm": Case(OPS, models.OpsBatchNorm,
                      lambda g: {"x": randn(4, 3, 6, 6, gen=g), "t": randn(4, 5, gen=g)},
                      model="batchnorm", buffers=lambda g, w0: running_stats(g, w0),
                      optimizers=[("adam", "adam(lr=0.01)")]),
}


def running_stats(gen, w0):
    """Batch-norm buffers away from their initial values, so that the forward shows it reads
    them and training shows it updates them from there: running means N(0, 1), running
    variances U(0.5, 2), num_batches_tracked 3."""
    out = {}
    for k, v in sorted(w0.items()):
        if k.endswith(".running_mean"):
            out[k] = randn(*v.shape, dtype=v.dtype, gen=gen)
        elif k.endswith(".running_var"):
            out[k] = rand(*v.shape, lo=0.5, hi=2.0, dtype=v.dtype, gen=gen)
        elif k.endswith(".num_batches_tracked"):
            out[k] = torch.tensor(3, dtype=v.dtype)
    return out
def bends(g):
    """activations2's inputs: random values, with the bends of its ops in the first row (h = x
    there while b and k are zeros) and a 0/1 mask for where."""
    x = randn(4, 8, gen=g) * 3
    x[0] = torch.tensor([-3.0, 3.0, 0.0, 6.0, -1.0, 1.0, 0.0, -4.0])
    return {"x": x, "m": (rand(4, 8, gen=g) > 0.5).to(torch.float32)}


# Small learning rates: pow, softplus and the products make steep losses.
CASES["activations2"] = Case(OPS, models.OpsActivations2, bends, model="activations2",
                             optimizers=[("sgd", "sgd(lr=0.0001)")])
CASES["activations2_f64"] = Case(OPS, models.OpsActivations2F64,
                                 lambda g: {"x": randn(3, 5, dtype=torch.float64, gen=g)},
                                 model="activations2_f64", optimizers=[("sgd", "sgd(lr=0.001)")])


def _load_case_modules():
    """Merges the CASES of every cases_*.py; a name defined twice is a mistake."""
    for path in sorted(glob.glob(os.path.join(HERE, "cases_*.py"))):
        module = importlib.import_module(os.path.basename(path)[:-3])
        for name, case in module.CASES.items():
            if name in CASES:
                raise SystemExit(f"{path}: case '{name}' is already defined")
            CASES[name] = case


_load_case_modules()
