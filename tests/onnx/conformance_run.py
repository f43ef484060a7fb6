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
# an opset, an attribute value, an element type) or an input it needs known at
# import (a shape, axes), since every shape in netc is static.
_REFUSAL = re.compile(r"\bunsupported\b|\bnot supported\b|\bonly\b.*\bsupported\b|"
                      r"\bsupports only\b|\bto be known at import\b|\bno tensor type in netc\b|"
                      r"\bnetc (supports|converts|reads|needs)\b", re.IGNORECASE)


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
        command = [self.netc, os.path.join(folder, "model.onnx"), "--run",
                   "--engine=" + self.engine]
        command += tensor_flags(test, inputs, outputs, work)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  errors="replace")
        except subprocess.TimeoutExpired:
            return Outcome("fail", "timed out after %d s" % TIMEOUT_S)
        if done.returncode < 0 or done.returncode > 1:
            return Outcome("fail", "crashed (exit status %d): %s" % (
                done.returncode, (done.stderr.strip().splitlines() or [""])[-1]))
        if done.returncode == 1:
            return Outcome(*diagnosis(done.stderr))
        got = read_outputs(test, outputs)
        if isinstance(got, str):
            return Outcome("fail", got)
        for i, (name, kind) in enumerate(test["outputs"]):
            expected = read_pb(os.path.join(data_dir, "output_%d.pb" % i), kind)
            if name not in got:
                return Outcome("fail", "no output '%s'" % name)
            reason = compare(expected, got[name], test["rtol"], test["atol"])
            if reason:
                return Outcome("fail", "output '%s': %s" % (name, reason))
        return Outcome("pass")


# --- Tensor files ------------------------------------------------------------
# netc --run reads its inputs from and writes its outputs to the --load and
# --dump JSON files; the .pb inputs are converted for it.

_JSON_DTYPES = {"float32": "f32", "float64": "f64", "int32": "i32", "int64": "i64"}


def tensor_flags(test, inputs, outputs, work):
    """The flags that give netc the test's inputs and name its outputs' file."""
    import json
    tensors = {}
    for path, (name, kind) in zip(inputs, test["inputs"]):
        value = read_pb(path, kind)
        if value is None:
            continue
        data = [x if np.isfinite(x) else str(x).lower() for x in value.reshape(-1).tolist()] \
            if value.dtype.kind == "f" else value.reshape(-1).tolist()
        tensors[name] = {"dtype": _JSON_DTYPES.get(str(value.dtype), str(value.dtype)),
                         "shape": list(value.shape), "data": data}
    load = os.path.join(work, "inputs.json")
    with open(load, "w") as f:
        json.dump({"inputs": tensors}, f)
    return ["--load", load, "--dump", outputs + ".json"]


def read_outputs(test, outputs):
    """{name: array} of netc's outputs, or the reason they cannot be read."""
    import json
    try:
        with open(outputs + ".json") as f:
            dumped = json.load(f)["outputs"]
    except (OSError, ValueError, KeyError) as error:
        return "netc wrote no readable outputs: %s" % error
    result = {}
    numpy_dtypes = {v: k for k, v in _JSON_DTYPES.items()}
    for name, t in dumped.items():
        values = [float(x) if isinstance(x, str) else x for x in t["data"]]
        result[name] = np.array(values, dtype=numpy_dtypes.get(t["dtype"], "float64")).reshape(t["shape"])
    return result
