"""Data and checks of the executables' training driver (tests/lit/cli/driver-*.test).

  driver_check.py data DIR           writes the data sets of cls.net (batch 8, 4 features,
                                     3 classes) and bad files into DIR
  driver_check.py rows LOG E PER     the --log of E epochs of PER steps: its columns and rows
  driver_check.py nocr FILE          FILE has no carriage return
  driver_check.py losses LOG         prints the step rows' losses (one line)
  driver_check.py val LOG DIR K      the last epoch row's val_accuracy (val_loss) is the mean accuracy (cross-entropy) of
                                     DIR/out{0..K-1}.npz (the forward function's outputs)
  driver_check.py lr LOG SCHEDULE BASE [PER]
                                     the lr column of every step row follows SCHEDULE (the
                                     formula of docs/training.md) from rate BASE; PER steps
                                     per epoch (0: a run without epochs)
"""
import csv
import math
import sys

import numpy as np


def data(out):
    r = np.random.default_rng(7)
    x = r.standard_normal((70, 4)).astype(np.float32)
    y = np.argmax(x[:, :3] + 0.3 * r.standard_normal((70, 3)), 1).astype(np.int64)
    np.savez(f"{out}/train.npz", x=x[:50], y=y[:50])
    # The same 48 samples as 6 batches of 8 (the --steps form) and as 48 samples.
    np.savez(f"{out}/batches.npz", x=x[:48].reshape(6, 8, 4), y=y[:48].reshape(6, 8))
    np.savez(f"{out}/first48.npz", x=x[:48], y=y[:48])
    np.savez(f"{out}/val.npz", x=x[50:], y=y[50:])
    # The validation batches one by one, for the forward function.
    for k in range(2):
        np.savez(f"{out}/valbatch{k}.npz", x=x[50 + 8 * k:58 + 8 * k], y=y[50 + 8 * k:58 + 8 * k])
    # Extra tensors beside the inputs are skipped with a note.
    np.savez(f"{out}/extra.npz", x=x[:50], y=y[:50], names=np.arange(3))
    np.savez(f"{out}/bad-shape.npz", x=x[:50, :3], y=y[:50])
    np.savez(f"{out}/bad-count.npz", x=x[:50], y=y[:40])
    np.savez(f"{out}/too-few.npz", x=x[:5], y=y[:5])
    bad = y[:50].copy()
    bad[13] = 3
    np.savez(f"{out}/bad-label.npz", x=x[:50], y=bad)


def read(log):
    with open(log, newline="") as f:
        return list(csv.DictReader(f))


def rows(log, epochs, per):
    table = read(log)
    steps = [r for r in table if r["kind"] == "step"]
    ends = [r for r in table if r["kind"] == "epoch"]
    assert len(steps) == epochs * per, (len(steps), epochs * per)
    assert [int(r["step"]) for r in steps] == list(range(1, epochs * per + 1))
    assert [int(r["epoch"]) for r in steps] == [1 + i // per for i in range(epochs * per)]
    assert [(int(r["epoch"]), int(r["step"])) for r in ends] == [
        (e, e * per) for e in range(1, epochs + 1)], ends
    # An epoch's loss is the mean of its steps' losses.
    for e, end in enumerate(ends):
        mean = sum(float(r["loss"]) for r in steps[e * per:(e + 1) * per]) / per
        assert math.isclose(float(end["loss"]), mean, rel_tol=1e-6), (end["loss"], mean)
    print(f"{epochs} epochs of {per} steps")


def val(log, folder, count):
    last = [r for r in read(log) if r["kind"] == "epoch"][-1]
    outs = [np.load(f"{folder}/out{k}.npz") for k in range(count)]
    accuracies = [float(o["accuracy"]) for o in outs]
    expected = sum(accuracies) / count
    got = float(last["val_accuracy"])
    assert math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-7), (got, expected, accuracies)
    print(f"val_accuracy {got:.6g} is the mean of {count} forward batches")
    # The validation loss: cross-entropy of each batch's logits, recomputed here in f64.
    losses = []
    for k, o in enumerate(outs):
        z = o["z"].astype(np.float64)
        y = np.load(f"{folder}/valbatch{k}.npz")["y"]
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        losses.append(-logp[np.arange(len(y)), y].mean())
    expected = sum(losses) / count
    got = float(last["val_loss"])
    assert math.isclose(got, expected, rel_tol=1e-5), (got, expected, losses)
    print(f"val_loss {got:.6g} is the mean cross-entropy of {count} forward batches")


def factor(schedule, step, epoch, total):
    f = 1.0
    for part in schedule.split(","):
        words = part.split(":")
        if words[0] == "step":
            f *= float(words[2]) ** (epoch // int(words[1]))
        elif words[0] == "cosine":
            f *= (1 + math.cos(math.pi * step / total)) / 2
        elif words[0] == "warmup":
            f *= (step + 1) / int(words[1]) if step < int(words[1]) else 1
    return f


def lr(log, schedule, base, per):
    steps = [r for r in read(log) if r.get("kind", "step") == "step"]
    total = len(steps)
    for r in steps:
        s = int(r["step"]) - 1
        epoch = s // per if per else s
        want = float(base) * factor(schedule, s, epoch, total)
        assert math.isclose(float(r["lr"]), want, rel_tol=1e-6, abs_tol=1e-12), (s, r["lr"], want)
    print(f"{total} rates follow {schedule}")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "data":
        data(args[0])
    elif cmd == "rows":
        rows(args[0], int(args[1]), int(args[2]))
    elif cmd == "nocr":
        assert b"\r" not in open(args[0], "rb").read()
        print("no carriage return")
    elif cmd == "losses":
        print(" ".join(r["loss"] for r in read(args[0]) if r.get("kind", "step") == "step"))
    elif cmd == "val":
        val(args[0], args[1], int(args[2]))
    elif cmd == "lr":
        lr(args[0], args[1], args[2], int(args[3]) if len(args) > 3 else 0)


main()
