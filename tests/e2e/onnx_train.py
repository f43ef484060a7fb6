#!/usr/bin/python3
"""Training an imported model: torchvision's ResNet-18 exported to ONNX in training mode and
compiled with a loss and an optimizer given on the command line, against PyTorch.

usage: onnx_train.py --work DIR [--netc PATH] [--threads N] [--batch B] [--size H]

1. export: torchvision.models.resnet18(num_classes=10) after torch.manual_seed(0), with
   random batch-norm statistics (torchvision_models.randomise_statistics, so that running
   statistics start away from 0 and 1), exported by torch.onnx.export at opset 13 with
   training=TrainingMode.TRAINING and do_constant_folding=False: BatchNormalization keeps
   its training outputs (batch statistics, running statistics updated with ONNX's momentum
   0.9, PyTorch's 0.1). The initializers, under their state_dict names, are the weights
   (--weights); num_batches_tracked, which the graph does not use, is not among them, and
   the PyTorch side drops it too.
2. compile once: `netc resnet18.onnx --loss cross_entropy --target-input target
   --train-with 'sgd(lr=0.001, momentum=0.9)' --conv-algo=direct -o resnet18`.
3. the checks of torchvision_parity.py on this executable: inference (running statistics)
   against PyTorch in eval mode; the running statistics after one train step; 3 steps of SGD
   with momentum on 3 fixed batches (--data, --steps 3, --save-weights) against
   torch.optim.SGD: the printed losses, every parameter and running statistic after the
   steps. The learning rate is 0.001 rather than 0.01 for the reason given there: at 0.01
   these random weights move by a third of their size per step and PyTorch's own f32 run
   leaves its float64 run by 3e-2 within 3 steps. Tolerances are that file's (1e-4 of each
   tensor's scale, plus its measured sensitivity allowance after 3 steps).
Prints one row per check and `PASS onnx_resnet18: N checks` or `FAIL ...`; exits 1 on any
failure.
"""
import argparse
import copy
import os
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors as st  # noqa: E402
import torchvision_models as tm  # noqa: E402
from run_parity import Report, Runner  # noqa: E402
from torchvision_parity import LR, MOMENTUM, check_forward, check_training  # noqa: E402

SEED = 0
CLASSES = 10
OPSET = 13
NAME = "onnx_resnet18"


def without_counters(module, state, prefix, metadata):
    """A state_dict hook: the state as the ONNX graph has it, without num_batches_tracked
    (its momentum is fixed, so the graph never reads the counters and the export leaves them
    out). Loading a state without them keeps the module's own."""
    for k in [k for k in state if k.endswith("num_batches_tracked")]:
        del state[k]


def build():
    """ResNet-18 with random weights and batch-norm statistics, in eval mode."""
    import torchvision
    torch.manual_seed(SEED)
    module = torchvision.models.resnet18(num_classes=CLASSES)
    tm.randomise_statistics(module, torch.Generator().manual_seed(SEED))
    module._register_state_dict_hook(without_counters)
    return module


def export(module, path, batch, size):
    """The training-mode export; a copy is traced, since tracing in train mode updates the
    running statistics."""
    torch.onnx.export(copy.deepcopy(module).train(), torch.zeros(batch, 3, size, size), path,
                      opset_version=OPSET, training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False, input_names=["x"], output_names=["logits"])


def initializers(path):
    """The ONNX model's initializers as f32 tensors, by name."""
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()).to(torch.float32)
            for t in model.graph.initializer}


def check_export(rep, module, weights, path):
    """The initializers are the module's state_dict, its parameters unchanged, and the graph
    keeps training mode. The running statistics are those after the forward pass of the
    export's trace in train mode: the module takes them, so both sides start from the
    initializers."""
    import onnx
    want = module.state_dict()
    rep.check("export", "(initializers are the state_dict)", set(weights) == set(want),
              f"only in ONNX {sorted(set(weights) - set(want))[:4]}, only in torch "
              f"{sorted(set(want) - set(weights))[:4]}")
    params = dict(module.named_parameters())
    same = [k for k in params if k in weights and torch.equal(weights[k], params[k].detach())]
    rep.check("export", "(parameter values)", len(same) == len(params),
              f"{len(params) - len(same)} differ")
    module.load_state_dict(weights)
    norms = [n for n in onnx.load(path).graph.node if n.op_type == "BatchNormalization"]
    rep.check("export", "(BatchNormalization in training mode)",
              norms and all(len(n.output) > 1 for n in norms), f"{len(norms)} nodes")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True, help="scratch folder")
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--threads", type=int, default=2, help="--threads of the executable")
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--exe", help="an executable compiled by the command below already "
                    "(to rerun the checks without compiling)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.work, exist_ok=True)
    t0 = time.time()
    rep = Report(NAME)
    runner = Runner(args.netc, args.work, args.threads)

    module = build()
    model = runner.path("resnet18.onnx")
    export(module, model, args.batch, args.size)
    weights = initializers(model)
    check_export(rep, module, weights, model)
    w0file = runner.path("w0.safetensors")
    st.write(w0file, weights)

    exe = runner.path("resnet18")
    # The direct convolution, as torchvision_parity.compile_example explains: F(2x2, 3x3)
    # where auto times it faster moved the loss after 3 steps 3e-3 from PyTorch's here.
    cmd = [args.netc, model, "--loss", "cross_entropy", "--target-input", "target",
           "--train-with", f"sgd(lr={LR}, momentum={MOMENTUM})", "--conv-algo=direct",
           "-o", exe]
    if args.exe:
        exe = args.exe
    else:
        t1 = time.time()
        subprocess.run(cmd, check=True)
        print(f"# compiled {' '.join(cmd[1:])} in {time.time() - t1:.1f} s")

    spec = tm.Spec("resnet18.net", build, classes=CLASSES)
    gen = torch.Generator().manual_seed(SEED + 7)
    check_forward(rep, spec, module, exe, runner, spec.inputs(args.batch, args.size, gen),
                  w0file)
    data = [spec.inputs(args.batch, args.size, gen) for _ in range(3)]
    check_training(rep, spec, module, exe, runner, data, w0file)
    status = rep.finish()
    print(f"# {NAME}: {time.time() - t0:.1f} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
