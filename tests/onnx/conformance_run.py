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
        model = os.path.join(folder, "model.onnx")
        if self.engine == "exe":
            # Compiled once per test, then run as a user runs it.
            exe = os.path.join(work, "model")
            failed = (not os.path.exists(exe) and
                      _invoke([self.netc, model, "-o", exe], "compiling"))
            failed = failed or _invoke([exe] + exe_flags(test, inputs, outputs), "running")
            got = failed or read_safetensors(outputs + ".safetensors")
        else:
            command = [self.netc, model, "--run", "--engine=" + self.engine]
            failed = _invoke(command + tensor_flags(test, inputs, outputs, work), "running")
            got = failed or read_outputs(test, outputs)
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
    """{name: array} of netc's outputs, or the failure when they cannot be
    read."""
    import json
    try:
        with open(outputs + ".json") as f:
            dumped = json.load(f)["outputs"]
    except (OSError, ValueError, KeyError) as error:
        return Outcome("fail", "netc wrote no readable outputs: %s" % error)
    result = {}
    numpy_dtypes = {v: k for k, v in _JSON_DTYPES.items()}
    for name, t in dumped.items():
        values = [float(x) if isinstance(x, str) else x for x in t["data"]]
        result[name] = np.array(values, dtype=numpy_dtypes.get(t["dtype"], "float64")).reshape(t["shape"])
    return result


# --- Compiled executables: safetensors in and out ------------------------------

_SAFETENSORS_DTYPES = {"float32": "F32", "float64": "F64", "int32": "I32", "int64": "I64",
                       "float16": "F16", "int8": "I8", "uint8": "U8", "int16": "I16",
                       "bool": "BOOL"}


def exe_flags(test, inputs, outputs):
    """The executable's flags: the inputs as one safetensors file."""
    import json
    import struct
    header, blobs, offset = {}, [], 0
    for path, (name, kind) in zip(inputs, test["inputs"]):
        value = read_pb(path, kind)
        if value is None:
            continue
        data = np.ascontiguousarray(value).tobytes()
        header[name] = {"dtype": _SAFETENSORS_DTYPES.get(str(value.dtype), str(value.dtype)),
                        "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    with open(outputs + ".in.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return ["--inputs", outputs + ".in.safetensors", "--outputs", outputs + ".safetensors"]


def read_safetensors(path):
    """{name: array} of a safetensors file, or the reason it cannot be read."""
    import json
    import struct
    try:
        with open(path, "rb") as f:
            blob = f.read()
        size = struct.unpack("<Q", blob[:8])[0]
        header = json.loads(blob[8:8 + size])
    except (OSError, ValueError, struct.error) as error:
        return Outcome("fail", "the executable wrote no readable outputs: %s" % error)
    numpy_dtypes = {v: k for k, v in _SAFETENSORS_DTYPES.items()}
    result = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        result[name] = np.frombuffer(blob[8 + size + begin:8 + size + end],
                                     dtype=numpy_dtypes[entry["dtype"]]).reshape(entry["shape"])
    return result
