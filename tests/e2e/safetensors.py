"""Safetensors reading and writing for the PyTorch parity tests, with struct and json only.

A file is an 8-byte little-endian header length, a JSON header
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}
and the raw little-endian data. Tensors here are torch tensors.
"""
import json
import struct

try:
    import torch
except ImportError:  # pack() serves scripts that run without PyTorch (text_chunks.py)
    torch = None

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32,
          "I64": torch.int64} if torch else {}
NAMES = {v: k for k, v in DTYPES.items()}


def read(path):
    """Returns {name: tensor} in file order; the metadata is dropped."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file (shorter than 8 bytes)")
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    out = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        dtype = DTYPES[entry["dtype"]]
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(entry["shape"]).clone()
    return out


def write(path, tensors, metadata=None):
    """Writes {name: tensor} (f32, f64, i32 or i64) in dict order."""
    entries = []
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        entries.append((name, NAMES[t.dtype], list(t.shape), t.numpy().tobytes()))
    with open(path, "wb") as f:
        f.write(pack(entries, metadata))


def pack(entries, metadata=None):
    """The bytes of a file of `entries`, (name, dtype name, shape, raw little-endian data)
    each, in order."""
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name, dtype, shape, raw in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(raw for *_, raw in entries)
