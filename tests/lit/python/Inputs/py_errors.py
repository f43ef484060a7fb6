"""Every misuse of the module is a Python exception that names what is wrong.

Usage: py_errors.py LIBRARY BROKEN.net OUT_DIR
"""

import sys

import numpy as np

import netc

library, broken, out = sys.argv[1:]
model = netc.load(library)
x = np.zeros((8, 1, 8, 8), np.float32)
y = np.zeros(8, np.int64)


def attempt(what, call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the test prints whatever comes
        print("%s: %s: %s" % (what, type(e).__name__, str(e).replace("\n", " | ")))
        return e
    print("%s: no error" % what)
    return None


attempt("unknown input", lambda: model.forward(image=x, label=y, lable=y))
attempt("missing input", lambda: model.train_step(image=x))
attempt("wrong shape", lambda: model.forward(image=x[:4], label=y))
attempt("wrong dtype", lambda: model.train_step(image=x, label=y.astype(np.float32)))
attempt("narrowing ints", lambda: model.train_step(image=x, label=y.astype(np.uint64) + 2**63))
attempt("out of bound", lambda: model.train_step(image=x, label=y + 10))
attempt("unknown loss", lambda: model.train_step(image=x, label=y, loss="g"))
state = model.state_dict()
del state["linear1.bias"]
attempt("strict load", lambda: model.load_state_dict(state))
state["linear1.bias"] = np.zeros(3, np.float32)
attempt("state shape", lambda: model.load_state_dict(state))
attempt("missing weights", lambda: model.load_weights(out + "/no-such.safetensors"))
attempt("missing library", lambda: netc.load(out + "/libnone.so"))
attempt("not a model library", lambda: netc.load(netc._netc.__file__))
e = attempt("compile error", lambda: netc.compile(broken, out=out))
print("compile error exit status", getattr(e, "returncode", None))
# Nothing above changed the model: it still trains, from step 0.
assert model.steps == 0
loss = model.train_step(image=x, label=y)
print("still trains: loss finite", np.isfinite(loss), "steps", model.steps)
