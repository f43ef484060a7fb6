#!/usr/bin/python3
"""Prints the outputs of a `netc --run --dump` file, one line each: `NAME: v1 v2 ...` with
%.6g values (nan, inf, -inf as such), for FileCheck."""
import json
import sys

with open(sys.argv[1]) as f:
    outputs = json.load(f)["outputs"]
for name, t in outputs.items():
    print(f"{name}: " + " ".join(v if isinstance(v, str) else f"{v:.6g}" for v in t["data"]))
