"""Minimal safetensors reading and writing for the CLI tests: struct and json only.

Tensors are (dtype, shape, bytes) triples or, with torch available, torch tensors.
"""
import json
import struct

SIZES = {"F64": 8, "F32": 4, "I64": 8, "I32": 4}


def read(path):
    """Returns {name: (dtype, shape, raw bytes)} and the metadata."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        out[name] = (e["dtype"], e["shape"], data[base + b:base + end])
    return out, meta


def write(path, tensors, header_override=None, pad=True):
    """Writes {name: (dtype, shape, raw bytes)}; header_override edits the JSON header."""
    header, blobs, offset = {}, [], 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if header_override:
        header_override(header)
    text = json.dumps(header).encode()
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def to_torch(entry):
    import torch
    dtype, shape, raw = entry
    kinds = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}
    return torch.frombuffer(bytearray(raw), dtype=kinds[dtype]).reshape(shape).clone()


def from_torch(t):
    import torch
    names = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64"}
    t = t.contiguous()
    return (names[t.dtype], list(t.shape), t.numpy().tobytes())
