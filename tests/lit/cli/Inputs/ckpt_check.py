"""Checks of checkpoints and --plot through the executable (tests/lit/cli/ckpt-*.test).

  ckpt_check.py plot SVG STEPS EPOCHS    the plot of a run of STEPS steps and EPOCHS epochs with
                                         --val (loss and accuracy) and --grad-stats: every
                                         series, one point per step or epoch, left to right
  ckpt_check.py layout FILE              a checkpoint's metadata and tensor names
  ckpt_check.py cut FILE OUT N           OUT is FILE without its last N bytes
"""
import json
import re
import struct
import sys


def points(svg, cls):
    m = re.search(r'<path class="%s"[^>]* d="([^"]*)"' % re.escape(cls), svg)
    if not m:
        sys.exit("no path of class %s" % cls)
    pts = [(float(x), float(y)) for x, y in re.findall(r"[ML]([-0-9.]+) ([-0-9.]+)", m.group(1))]
    if any(b[0] <= a[0] for a, b in zip(pts, pts[1:])):
        sys.exit("%s is not drawn left to right" % cls)
    return pts


def plot(path, steps, epochs):
    svg = open(path).read()
    want = {"step-loss": steps, "epoch-loss train": epochs, "epoch-loss val": epochs,
            'metric train" data-metric="accuracy': epochs,
            'metric val" data-metric="accuracy': epochs}
    for cls, n in want.items():
        got = len(points(svg, cls))
        if got != n:
            sys.exit("%s has %d points, not %d" % (cls, got, n))
    for label in ("accuracy", "val_accuracy", "val_loss"):
        if ">%s</text>" % label not in svg:
            sys.exit("no legend entry %s" % label)
    if 'class="layer"' not in svg:
        sys.exit("no gradient panel")
    print("plot: %d steps, %d epochs, train and val, gradient panel" % (steps, epochs))


def layout(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__")
    print("metadata", " ".join("%s=%s" % kv for kv in sorted(meta.items())))
    print("tensors", " ".join(sorted(header)))


def cut(path, out, n):
    data = open(path, "rb").read()
    open(out, "wb").write(data[:-n])


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "plot":
        plot(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "layout":
        layout(sys.argv[2])
    elif cmd == "cut":
        cut(sys.argv[2], sys.argv[3], int(sys.argv[4]))
