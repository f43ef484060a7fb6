#!/usr/bin/python3
"""ONNX op converters against NumPy references, one small graph per group of ops.

usage: onnx_ops.py GROUP [GROUP...] --work DIR [--netc PATH]
       onnx_ops.py --write NAME FILE.onnx       (a graph of ERRORS, or a group's first graph)

Each group (see GROUPS) builds one or more ONNX graphs with onnx.helper: graph inputs with
seeded values, nodes, and graph outputs whose expected values this script computes in NumPy
from ONNX's definition of the op (the formulas of ONNX's operator documentation). netc runs
each graph on its reference interpreter (`netc m.onnx --run --load in.json --dump out.json`)
and every output is compared: float outputs within 1e-5 * max(1, |ref|) + 1e-6, integer
outputs exactly. Prints `ok GROUP OUTPUT` or `FAIL GROUP OUTPUT: why` per output, then
`PASS onnx-ops: N checks` or `FAIL ...`, and exits 1 on any failure.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from onnx_ops_cases import ERRORS, GROUPS  # noqa: E402

ONNX_TYPES = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE,
              np.dtype(np.int64): TensorProto.INT64, np.dtype(np.int32): TensorProto.INT32,
              np.dtype(np.bool_): TensorProto.BOOL}
JSON_TYPES = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
              np.dtype(np.int64): "i64", np.dtype(np.int32): "i32"}


def model_of(graph):
    """The ONNX model of a case graph (see onnx_ops_cases.Graph)."""
    def info(name, value):
        return helper.make_tensor_value_info(name, ONNX_TYPES[value.dtype], list(value.shape))
    g = helper.make_graph(
        graph.nodes, graph.name, [info(k, v) for k, v in graph.inputs.items()],
        [info(k, v) for k, v in graph.outputs.items()],
        [numpy_helper.from_array(v, k) for k, v in graph.initializers.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", graph.opset)],
                          producer_name="netc-tests")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def to_json(tensors):
    out = {}
    for k, t in tensors.items():
        data = [float(e) if math.isfinite(e) else str(e) for e in t.reshape(-1).tolist()] \
            if t.dtype.kind == "f" else t.reshape(-1).tolist()
        out[k] = {"dtype": JSON_TYPES[t.dtype], "shape": list(t.shape), "data": data}
    return out


def compare(got, ref):
    """None when `got` (a --dump entry) matches the NumPy reference, else why not."""
    if got is None:
        return "missing output"
    if list(got["shape"]) != list(ref.shape):
        return f"shape {got['shape']} != {list(ref.shape)}"
    values = np.array([float(d) for d in got["data"]], dtype=np.float64).reshape(ref.shape)
    want = ref.astype(np.float64)
    if ref.dtype.kind != "f":
        bad = values != want
    else:
        bad = ~(np.abs(values - want) <= 1e-5 * np.maximum(1.0, np.abs(want)) + 1e-6)
        bad &= ~(np.isnan(values) & np.isnan(want))
    if bad.any():
        i = np.argwhere(bad)[0]
        return f"{int(bad.sum())} elements differ; at {tuple(int(d) for d in i)}: " \
               f"{values[tuple(i)]} != {want[tuple(i)]}"
    return None


def run_graph(graph, args, group, index):
    stem = os.path.join(args.work, f"{group}{index}")
    onnx.save(model_of(graph), stem + ".onnx")
    with open(stem + ".in.json", "w") as f:
        json.dump({"inputs": to_json(graph.inputs), "params": {}}, f)
    cmd = [args.netc, stem + ".onnx", "--run", "--load", stem + ".in.json", "--dump",
           stem + ".out.json"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"FAIL {group}: netc exited {done.returncode}\n{done.stderr}")
        return 1, 1
    with open(stem + ".out.json") as f:
        outputs = json.load(f)["outputs"]
    failures = 0
    for name, ref in graph.outputs.items():
        why = compare(outputs.get(name), ref)
        failures += why is not None
        print(f"ok {group} {name}" if why is None else f"FAIL {group} {name}: {why}")
    return len(graph.outputs), failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("groups", nargs="*")
    ap.add_argument("--work")
    ap.add_argument("--netc", default="netc")
    ap.add_argument("--write", nargs=2, metavar=("NAME", "FILE"))
    args = ap.parse_args()
    if args.write:
        name = args.write[0]
        graph = ERRORS[name]() if name in ERRORS else GROUPS[name]()[0]
        onnx.save(model_of(graph), args.write[1])
        return 0
    os.makedirs(args.work, exist_ok=True)
    checks = failures = 0
    for group in args.groups:
        for index, graph in enumerate(GROUPS[group]()):
            c, f = run_graph(graph, args, group, index)
            checks, failures = checks + c, failures + f
    verdict = "FAIL" if failures else "PASS"
    print(f"{verdict} onnx-ops: {checks} checks" + (f", {failures} failed" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
