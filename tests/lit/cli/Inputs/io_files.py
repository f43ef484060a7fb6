"""Tensor files for the io-*.test tests, written by NumPy and ONNX, and their comparison.

  io_files.py make DIR     the inputs of examples/mlp2.net (x: f32[32, 10], y: f32[32, 1])
                           as in.safetensors, in.npz (np.savez), inc.npz
                           (np.savez_compressed), x.npy and y.npy, input_0.pb and
                           input_1.pb (onnx.numpy_helper), and bad files
  io_files.py same A B [TOL]  exits 1 unless the tensor files A and B (.safetensors, .npz,
                           .npy) hold the same names and values (within TOL, default 0);
                           two .npy files are compared whatever their names
"""
import io
import os
import sys
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io as st  # noqa: E402

NUMPY_OF = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}


def load(path):
    """{name: array} of a tensor file."""
    if path.endswith(".npz"):
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    if path.endswith(".npy"):
        return {os.path.basename(path)[:-4]: np.load(path)}
    tensors, _ = st.read(path)
    return {k: np.frombuffer(raw, NUMPY_OF[d]).reshape(s) for k, (d, s, raw) in tensors.items()}


def npy_bytes(array):
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def make(d):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 10)).astype(np.float32)
    y = rng.random((32, 1)).astype(np.float32)
    st.write(f"{d}/in.safetensors", {"x": ("F32", x.shape, x.tobytes()),
                                     "y": ("F32", y.shape, y.tobytes())})
    np.savez(f"{d}/in.npz", x=x, y=y)
    np.savez_compressed(f"{d}/inc.npz", x=x, y=y)
    np.save(f"{d}/x.npy", x)
    np.save(f"{d}/y.npy", y)
    # Fortran order and big-endian elements read as the same values.
    np.save(f"{d}/x-fortran.npy", np.asfortranarray(x.astype(">f4")))
    from onnx import numpy_helper
    for i, (name, a) in enumerate([("x", x), ("y", y)]):
        with open(f"{d}/input_{i}.pb", "wb") as f:
            f.write(numpy_helper.from_array(a, name).SerializeToString())

    # Bad files, each with one fault.
    whole = npy_bytes(x)
    with open(f"{d}/truncated.npy", "wb") as f:
        f.write(whole[:-100])
    with open(f"{d}/bad-header.npy", "wb") as f:
        f.write(whole.replace(b"'fortran_order': False", b"'fortran_order': Maybe", 1))
    np.savez(f"{d}/unknown.npz", x=x, y=y, z=y)
    np.savez(f"{d}/wrong-dtype.npz", x=x.astype(np.float64), y=y)
    np.savez(f"{d}/wrong-shape.npz", x=x[:, :9], y=y)
    with zipfile.ZipFile(f"{d}/bzip2.npz", "w", compression=zipfile.ZIP_BZIP2) as z:
        z.writestr("x.npy", whole)
        z.writestr("y.npy", npy_bytes(y))


def same(a, b, tol):
    ta, tb = load(a), load(b)
    if a.endswith(".npy") and b.endswith(".npy"):
        # One array each: compared whatever the files are called.
        ta, tb = {"array": next(iter(ta.values()))}, {"array": next(iter(tb.values()))}
    elif b.endswith(".npy"):
        # One tensor of an archive, named by the .npy file's stem.
        ta = {k: v for k, v in ta.items() if k in tb}
    if sorted(ta) != sorted(tb):
        sys.exit(f"names differ: {sorted(ta)} and {sorted(tb)}")
    for k in ta:
        if ta[k].shape != tb[k].shape or ta[k].dtype != tb[k].dtype:
            sys.exit(f"{k}: {ta[k].dtype}{ta[k].shape} and {tb[k].dtype}{tb[k].shape}")
        err = float(np.max(np.abs(ta[k].astype(np.float64) - tb[k])) if ta[k].size else 0)
        if err > tol:
            sys.exit(f"{k}: max abs difference {err} > {tol}")
    print(f"same: {' '.join(sorted(ta))}")


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        same(sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.0)
