"""Running one ONNX node test through netc and judging the result.

Outcomes:
  pass      every output has the expected dtype and shape and its values are
            within the test's tolerance (|got - expected| <= atol + rtol*|expected|,
            NaN equal to NaN), as ONNX's backend runner compares them;
  rejected  netc refused the model with a located error (file and node) that
            says what it does not support: an attribute, a type, a value;
  fail      anything else: wrong numbers, a wrong shape or dtype, a crash, a
            timeout, an error without a location.
"""

import os
import re
import subprocess
import tempfile

import numpy as np

# Tests that run longer are failures (a hang is a bug like any other).
TIMEOUT_S = 60

# A located diagnostic: "FILE:LINE:COL: error: MESSAGE" where FILE is the model.
_DIAGNOSTIC = re.compile(r"^(?P<loc>.*?model\.onnx[^ ]*):\s*error:\s*(?P<msg>.*)$")
# What a rejection says: it names something netc does not support (an op at
# an opset, an attribute value, an element type, a rank) or an input it needs
# known at import (a shape, axes, an exponent), since every shape in netc is
# static and only float tensors are computed at run time. A located error that
# says none of this (a shape mismatch, an index out of range) is a failure.
_REFUSAL = re.compile(
    r"\bunsupported\b|\bnot supported\b|\bonly\b|\bto be known at import\b|"
    r"\bmust be a (float tensor|constant)\b|\bno tensor type in netc\b|"
    r"\bnetc (has|supports|converts|reads|needs|folds|computes)\b", re.IGNORECASE)


class Outcome:
    """The result of one test: kind is 'pass', 'rejected' or 'fail';
    detail is the rejection's message or the failure's reason."""

    def __init__(self, kind, detail=""):
        self.kind = kind
        self.detail = detail


def read_pb(path, kind):
    """One .pb file of a test as a NumPy array (tensors) or None for the kinds
    netc has no way to take (sequences, optionals, maps)."""
    import onnx
    from onnx import numpy_helper
    if not kind.startswith("tensor:"):
        return None
    tensor = onnx.TensorProto()
    with open(path, "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def compare(expected, got, rtol, atol):
    """None when `got` matches `expected` as ONNX's runner requires, else
    the reason in words."""
    if got.dtype != expected.dtype:
        return "dtype %s, expected %s" % (got.dtype, expected.dtype)
    if got.shape != expected.shape:
        return "shape %s, expected %s" % (list(got.shape), list(expected.shape))
    if expected.dtype.kind in "fc":
        close = np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = got == expected
    if close.all():
        return None
    bad = np.argwhere(~close)
    first = tuple(int(i) for i in bad[0])
    return "%d of %d values differ; at %s got %r, expected %r" % (
        len(bad), expected.size, list(first), got[first].item(), expected[first].item())


def diagnosis(stderr):
    """Classifies netc's refusal: ('rejected', message) for a located error
    naming what is unsupported, else ('fail', reason)."""
    lines = stderr.strip().splitlines()
    for line in lines:
        match = _DIAGNOSTIC.match(line)
        if match and _REFUSAL.search(match.group("msg")):
            return "rejected", match.group("msg").strip()
    for line in lines:
        match = _DIAGNOSTIC.match(line)
        if match:
            return "fail", "error: " + match.group("msg").strip()
    first = next((l for l in lines if "error" in l), lines[0] if lines else "no message")
    return "fail", "error without a location: " + first.strip()


class Runner:
    """Runs tests with one netc binary and engine, in a scratch folder."""

    def __init__(self, netc, cache, scratch, engine="interp"):
        self.netc = netc
        self.cache = cache
        self.scratch = scratch
        self.engine = engine

    def run(self, test):
        """The Outcome of one test (an index entry of conformance_gen)."""
        folder = os.path.join(self.cache, test["name"])
        with tempfile.TemporaryDirectory(dir=self.scratch, prefix=test["name"] + ".") as work:
            for data_set in range(test["data_sets"]):
                outcome = self._run_data_set(test, folder, data_set, work)
                if outcome.kind != "pass":
                    return outcome
        return Outcome("pass")

    def _run_data_set(self, test, folder, data_set, work):
        data_dir = os.path.join(folder, "test_data_set_%d" % data_set)
        inputs = [os.path.join(data_dir, "input_%d.pb" % i) for i in range(len(test["inputs"]))]
        outputs = os.path.join(work, "outputs")
        model = os.path.join(folder, "model.onnx")
        if self.engine == "exe":
            # Compiled once per test, then run as a user runs it.
            exe = os.path.join(work, "model")
            failed = (not os.path.exists(exe) and
                      _invoke([self.netc, model, "-o", exe], "compiling"))
            failed = failed or _invoke([exe] + exe_flags(test, inputs, outputs), "running")
        else:
            command = [self.netc, model, "--run", "--engine=" + self.engine]
            failed = _invoke(command + tensor_flags(inputs, outputs), "running")
        got = failed or read_npz(outputs + ".npz")
        if isinstance(got, Outcome):
            return got
        for i, (name, kind) in enumerate(test["outputs"]):
            expected = read_pb(os.path.join(data_dir, "output_%d.pb" % i), kind)
            if name not in got:
                return Outcome("fail", "no output '%s'" % name)
            reason = compare(expected, got[name], test["rtol"], test["atol"])
            if reason:
                return Outcome("fail", "output '%s': %s" % (name, reason))
        return Outcome("pass")


def _invoke(command, doing):
    """Runs one command; None when it succeeded, else the Outcome it gives."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                              errors="replace")
    except subprocess.TimeoutExpired:
        return Outcome("fail", "%s timed out after %d s" % (doing, TIMEOUT_S))
    if done.returncode < 0 or done.returncode > 1:
        return Outcome("fail", "%s crashed (exit status %d): %s" % (
            doing, done.returncode, (done.stderr.strip().splitlines() or [""])[-1]))
    if done.returncode == 1:
        return Outcome(*diagnosis(done.stderr))
    return None


# --- Tensor files --------------------------------------------------------------
# netc --run reads the tests' .pb files as they are; outputs come back as .npz.
# A compiled executable reads .npz inputs.


def tensor_flags(inputs, outputs):
    """netc --run's flags: the test's .pb inputs, the .npz of its outputs."""
    flags = []
    for path in inputs:
        flags += ["--inputs", path]
    return flags + ["--outputs", outputs + ".npz"]


def exe_flags(test, inputs, outputs):
    """The executable's flags: the inputs gathered into one .npz file."""
    arrays = {}
    for path, (name, kind) in zip(inputs, test["inputs"]):
        value = read_pb(path, kind)
        if value is not None:
            arrays[name] = value
    np.savez(outputs + ".in.npz", **arrays)
    return ["--inputs", outputs + ".in.npz", "--outputs", outputs + ".npz"]


def read_npz(path):
    """{name: array} of an .npz file, or the failure when it cannot be read."""
    try:
        with np.load(path) as arrays:
            return {name: arrays[name] for name in arrays.files}
    except (OSError, ValueError) as error:
        return Outcome("fail", "no readable outputs: %s" % error)
