#!/usr/bin/env python3
"""Prints a safetensors file for FileCheck, read independently of netc-data's writer:
one line per tensor (name, dtype, shape, first values, a checksum), then the metadata."""

import json
import sys

import numpy as np

TYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}

for path in sys.argv[1:]:
    blob = open(path, "rb").read()
    size = int.from_bytes(blob[:8], "little")
    assert size % 8 == 0, "header not padded to 8 bytes"
    header = json.loads(blob[8:8 + size])
    body = blob[8 + size:]
    end = 0
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, stop = entry["data_offsets"]
        assert begin == end, f"{name}: a gap or overlap before it"
        end = stop
        array = np.frombuffer(body[begin:stop], TYPES[entry["dtype"]]).reshape(entry["shape"])
        flat = array.reshape(-1)
        first = " ".join(f"{v:.6g}" for v in flat[:4])
        print(f"{name} {entry['dtype']} {list(array.shape)} first {first} "
              f"sum {float(flat.astype(np.float64).sum()):.6g}")
    assert end == len(body), "bytes past the last tensor"
    meta = header.get("__metadata__", {})
    print("metadata " + " ".join(f"{k}={v}" for k, v in sorted(meta.items())))
