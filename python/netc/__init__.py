"""netc from Python: compile a model, then run and train it on NumPy arrays.

    import netc
    model = netc.compile("examples/mlp2.net", defines={"B": 32})
    outputs = model.forward(x=x)             # {"logits": array, ...}
    loss = model.train_step(x=x, y=y)        # one optimizer step, its loss
    weights = model.state_dict()             # {"fc1.w": array, ...}

A model lives in a shared library written by ``netc --emit=so``; `compile`
runs netc to build it (see netc/_compile.py), `load` opens one built before.
Every Model holds its own parameters, optimizer state and step count.
"""

import os

import numpy as np

from ._compile import CompileError, build_library, find_netc
from ._netc import Library

__all__ = ["CompileError", "Model", "TensorInfo", "compile", "find_netc", "load"]


class TensorInfo:
    """A tensor of a model: its name, shape (a tuple) and NumPy dtype."""

    def __init__(self, desc):
        self.name = desc["name"]
        self.shape = tuple(desc["shape"])
        self.dtype = np.dtype(desc["dtype"])
        self.bound = desc["bound"]

    def __repr__(self):
        return "TensorInfo(%r, shape=%r, dtype=%s)" % (self.name, self.shape, self.dtype)


def _convert(info, value, role):
    """`value` as a C-contiguous array of `info`'s dtype and shape, or an
    exception naming the tensor. Casts only where no value can change: the
    safe ones, float64 to float32, and integers that fit the narrower type."""
    array = np.asarray(value)
    if array.dtype != info.dtype:
        src, dst = array.dtype, info.dtype
        fits = np.can_cast(src, dst, casting="safe")
        if not fits and src.kind == "f" and dst.kind == "f":
            fits = True
        if not fits and src.kind in "iu" and dst.kind == "i":
            limits = np.iinfo(dst)
            fits = array.size == 0 or (int(array.min()) >= limits.min and
                                     int(array.max()) <= limits.max)
        if not fits:
            raise TypeError("%s '%s' needs %s values, got an array of %s"
                            % (role, info.name, info.dtype, src))
    if array.shape != info.shape:
        raise ValueError("%s '%s' needs shape %s, got %s"
                         % (role, info.name, list(info.shape), list(array.shape)))
    return np.ascontiguousarray(array, dtype=info.dtype)


def _merge(arrays, named):
    """The arrays of a call: a mapping given positionally, then keywords."""
    merged = dict(arrays or {})
    for name, value in named.items():
        if name in merged:
            raise TypeError("tensor '%s' given twice" % name)
        merged[name] = value
    return merged


class Model:
    """One instance of a compiled model: parameters, buffers, optimizer state.

    `inputs`, `outputs`, `params` and `buffers` describe its tensors
    (TensorInfo lists); `losses` names its losses (train steps).
    """

    def __init__(self, library, seed=0):
        # dlopen searches the loader's path for a name without a slash.
        self._lib = Library(os.path.abspath(os.fspath(library)), int(seed))
        desc = self._lib.describe()
        self.name = desc["name"]
        self.path = desc["path"]
        self.inputs = [TensorInfo(d) for d in desc["inputs"]]
        self.outputs = [TensorInfo(d) for d in desc["outputs"]]
        self.params = [TensorInfo(d) for d in desc["params"]]
        self.buffers = [TensorInfo(d) for d in desc["buffers"]]
        self._forward_inputs = list(desc["forward_inputs"])
        self._steps = desc["train_steps"]
        self.losses = [s["loss"] for s in self._steps]
        self._hypers = [h[0] for h in desc["hypers"]]

    def __repr__(self):
        return "<netc.Model %r from %s>" % (self.name, self.path)

    # Running.

    def _arrays(self, used, given, what):
        """One array per model input: the `used` ones from `given` (checked),
        zeros for the rest (the function does not read them)."""
        known = {t.name for t in self.inputs}
        extra = sorted(set(given) - known)
        if extra:
            raise KeyError("model '%s' has no input %s (its inputs: %s)"
                           % (self.name, ", ".join(repr(n) for n in extra),
                              ", ".join(t.name for t in self.inputs)))
        needed = [self.inputs[i].name for i in used]
        missing = [n for n in needed if n not in given]
        if missing:
            raise KeyError("%s of model '%s' needs input %s"
                           % (what, self.name, ", ".join(repr(n) for n in missing)))
        arrays = []
        for i, info in enumerate(self.inputs):
            if i in used:
                arrays.append(_convert(info, given[info.name], "input"))
            else:
                arrays.append(np.zeros(info.shape, info.dtype))
        return arrays

    def forward(self, arrays=None, /, **named):
        """Runs the inference function; returns {output name: array}."""
        given = _merge(arrays, named)
        values = self._lib.forward(self._arrays(self._forward_inputs, given, "forward"))
        return {info.name: value for info, value in zip(self.outputs, values)}

    __call__ = forward

    def train_step(self, arrays=None, /, loss=None, **named):
        """Runs one optimizer step on a batch; returns the loss before the update.

        Models with several losses need `loss=` (one of `losses`)."""
        if not self._steps:
            raise RuntimeError("model '%s' has no loss, so no train step" % self.name)
        if loss is None:
            if len(self._steps) > 1:
                raise ValueError("model '%s' has several losses (%s): pass loss="
                                 % (self.name, ", ".join(self.losses)))
            index = 0
        elif loss in self.losses:
            index = self.losses.index(loss)
        else:
            raise KeyError("model '%s' has no loss '%s' (its losses: %s)"
                           % (self.name, loss, ", ".join(self.losses)))
        given = _merge(arrays, named)
        step = self._steps[index]
        return self._lib.train_step(index, self._arrays(step["inputs"], given, "train_step"))

    # Weights.

    def state_dict(self):
        """Copies of every parameter then every buffer, by name."""
        state = {t.name: self._lib.get_tensor(False, t.name) for t in self.params}
        state.update({t.name: self._lib.get_tensor(True, t.name) for t in self.buffers})
        return state

    def load_state_dict(self, state, strict=True):
        """Sets parameters and buffers from {name: array}. With `strict`, the
        names must be exactly the model's; without, missing ones keep their
        values and unknown ones are ignored. Checks everything before changing anything."""
        tensors = [(t, False) for t in self.params] + [(t, True) for t in self.buffers]
        if strict:
            names = {t.name for t, _ in tensors}
            missing = sorted(names - set(state))
            unexpected = sorted(set(state) - names)
            if missing or unexpected:
                raise KeyError("load_state_dict of model '%s': missing %s; unexpected %s"
                               % (self.name, missing or "none", unexpected or "none"))
        chosen = [(t, is_buffer, _convert(t, state[t.name], "buffer" if is_buffer else
                                          "parameter"))
                  for t, is_buffer in tensors if t.name in state]
        for info, is_buffer, value in chosen:
            self._lib.set_tensor(is_buffer, info.name, value)

    def save_weights(self, path):
        """Writes parameters and buffers to a tensor file (.safetensors, .npz)."""
        self._lib.save_weights(str(path))

    def load_weights(self, path):
        """Reads parameters and buffers from a tensor file (all or nothing)."""
        self._lib.load_weights(str(path))

    # Training state.

    @property
    def steps(self):
        """The number of train steps run."""
        return self._lib.steps()

    @property
    def hypers(self):
        """The run-time hyperparameters, {name: value} ("lr", "momentum", "d.lr", ...)."""
        return {name: self._lib.get_hyper(name) for name in self._hypers}

    def set_hyper(self, name, value):
        """Sets a run-time hyperparameter (see `hypers`)."""
        self._lib.set_hyper(name, float(value))

    def _lr_names(self):
        names = [n for n in self._hypers if n == "lr" or n.endswith(".lr")]
        if not names:
            raise AttributeError("model '%s' has no learning rate" % self.name)
        return names

    @property
    def lr(self):
        """The learning rate (of the first loss in models with several)."""
        return self._lib.get_hyper(self._lr_names()[0])

    @lr.setter
    def lr(self, value):
        """Sets every learning rate ("lr" and "LOSS.lr"), as netc --lr does."""
        for name in self._lr_names():
            self._lib.set_hyper(name, float(value))

    def set_num_threads(self, n):
        """Sets the number of worker threads of the library's runtime; returns the previous."""
        return self._lib.set_num_threads(int(n))


def load(library, seed=0):
    """Opens a library written by ``netc --emit=so``; parameters from `seed`."""
    return Model(library, seed)


def compile(path, seed=0, out=None, defines=None, model=None, target=None, schedule=None,
            **flags):
    """Compiles a .net or .onnx model and returns a Model of it.

    `defines` gives the -D constants ({"B": 32}), `model` picks one model of
    a file holding several, `target`/`schedule` are netc's --target and
    --schedule, and any other keyword `flag_name=value` becomes
    ``--flag-name=value`` (True: ``--flag-name``). `seed` initialises the
    parameters as ``netc --seed`` does. Raises CompileError with netc's
    diagnostics when it fails.
    """
    library = build_library(path, out=out, defines=defines, model=model, target=target,
                            schedule=schedule, **flags)
    return Model(library, seed)
