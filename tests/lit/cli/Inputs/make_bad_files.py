"""Writes broken safetensors files for exe-bad-files.test into the folder argv[1].

Each file is a small variation of a valid inputs file of examples/mlp2.net
(x: f32[32, 10], y: f32[32, 1]).
"""
import json
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io as st  # noqa: E402

out = sys.argv[1]
x = ("F32", [32, 10], bytes(1280))
y = ("F32", [32, 1], bytes(128))


def path(name):
    return os.path.join(out, name + ".safetensors")


def raw(name, header_bytes, data=b""):
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + data)


st.write(path("good"), {"x": x, "y": y})
good = open(path("good"), "rb").read()
open(path("short"), "wb").write(good[:5])
open(path("truncated-header"), "wb").write(good[:40])
open(path("truncated-data"), "wb").write(good[:-100])
raw("absurd", b"{}")
with open(path("absurd"), "r+b") as f:
    f.write(struct.pack("<Q", 1 << 40))
raw("not-json", b'{"x": {"dtype": "F32", ', bytes(8))
raw("not-object", b"[1, 2, 3]")
st.write(path("wrong-dtype"), {"x": ("F64", [32, 10], bytes(2560)), "y": y})
st.write(path("unknown-dtype"), {"x": ("F17", [32, 10], bytes(1280)), "y": y})
st.write(path("no-dtype"), {"x": x, "y": y}, lambda h: h["x"].pop("dtype"))
st.write(path("misnamed"), {"x": x, "z": y})
st.write(path("missing"), {"x": x})
st.write(path("wrong-shape"), {"x": ("F32", [10, 32], bytes(1280)), "y": y})
st.write(path("inconsistent"), {"x": x, "y": y},
         lambda h: h["y"].__setitem__("shape", [32, 2]))
st.write(path("overlap"), {"x": x, "y": y},
         lambda h: h["y"].__setitem__("data_offsets", [1000, 1128]))
st.write(path("negative-offset"), {"x": x, "y": y},
         lambda h: h["y"].__setitem__("data_offsets", [-8, 120]))
# Two entries named x: json.dumps cannot write that, so the header is spelled out.
dup = json.dumps({"x": {"dtype": "F32", "shape": [32, 10], "data_offsets": [0, 1280]},
                  "y": {"dtype": "F32", "shape": [32, 1], "data_offsets": [1280, 1408]}})
dup = dup[:-1] + ', "x": {"dtype": "F32", "shape": [32, 10], "data_offsets": [0, 1280]}}'
raw("duplicate", dup.encode(), bytes(1408))
