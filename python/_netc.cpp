//===- _netc.cpp - the native half of the Python module netc --------------===//
//
// Opens a model's shared library (`netc --emit=so`) with dlopen and wraps the
// C API every such library exports (runtime/CApiShared.h) for the Python
// package netc/__init__.py, which checks names, shapes and dtypes and builds
// the arrays; this side checks only what keeps memory safe (every buffer
// C-contiguous, of the tensor's dtype and size) and turns failures into
// RuntimeError with the runtime's message. RTLD_LOCAL keeps each library's
// runtime to itself, so models compiled by different netc versions coexist;
// RTLD_NODELETE keeps the code of the runtime's worker threads mapped.
//
//===----------------------------------------------------------------------===//

#include "runtime/CApiShared.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <dlfcn.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/// The functions of CApiShared.h: each member of Api and the exported name
/// it is found under.
#define NETC_SO_FUNCTIONS(X)                                                                       \
  X(model, netc_shared_model)                                                                      \
  X(abiVersion, netc_so_abi_version)                                                               \
  X(create, netc_so_create)                                                                        \
  X(destroy, netc_so_destroy)                                                                      \
  X(forward, netc_so_forward)                                                                      \
  X(trainStep, netc_so_train_step)                                                                 \
  X(loadWeights, netc_so_load_weights)                                                             \
  X(saveWeights, netc_so_save_weights)                                                             \
  X(setHyper, netc_so_set_hyper)                                                                   \
  X(getHyper, netc_so_get_hyper)                                                                   \
  X(getTensor, netc_so_get_tensor)                                                                 \
  X(setTensor, netc_so_set_tensor)                                                                 \
  X(steps, netc_so_steps)                                                                          \
  X(lastError, netc_so_last_error)                                                                 \
  X(setNumThreads, netc_so_set_num_threads)

/// The functions of CApiShared.h, found by name in one opened library.
struct Api {
#define NETC_SO_MEMBER(member, symbol) decltype(&symbol) member = nullptr;
  NETC_SO_FUNCTIONS(NETC_SO_MEMBER)
#undef NETC_SO_MEMBER
};

/// Finds `name` in `handle` or throws naming the library. (Not `bind`: argument
/// dependent lookup would prefer std::bind.)
template <typename Fn>
void findSymbol(void *handle, const std::string &path, const char *name, Fn &fn) {
  fn = reinterpret_cast<Fn>(dlsym(handle, name));
  if (!fn)
    throw std::runtime_error("'" + path + "' is not a netc model library (no " + name +
                             "; build it with netc --emit=so)");
}

const char *dtypeName(netc_dtype t) {
  switch (t) {
  case NETC_F32:
    return "float32";
  case NETC_F64:
    return "float64";
  case NETC_I32:
    return "int32";
  case NETC_I64:
    return "int64";
  }
  return "unknown";
}

py::dtype dtypeOf(netc_dtype t) { return py::dtype(dtypeName(t)); }

std::vector<py::ssize_t> shapeOf(const netc_tensor &t) {
  return std::vector<py::ssize_t>(t.shape, t.shape + t.rank);
}

/// A tensor's description for Python: name, shape, dtype, integer bound.
py::dict describeTensor(const netc_tensor &t) {
  py::dict d;
  d["name"] = t.name;
  d["shape"] = py::tuple(py::cast(shapeOf(t)));
  d["dtype"] = dtypeName(t.dtype);
  d["bound"] = t.bound;
  return d;
}

py::list describeTensors(const netc_tensor *list, int count) {
  py::list out;
  for (int i = 0; i < count; ++i)
    out.append(describeTensor(list[i]));
  return out;
}

/// The indices of the inputs an entry point reads.
py::list inputsRead(const netc_slot *slots, int count) {
  py::list out;
  for (int k = 0; k < count; ++k)
    if (slots[k].kind == NETC_SLOT_INPUT)
      out.append(slots[k].index);
  return out;
}

/// One context of a model in an opened library (closed with it). Calls that
/// run compiled code release the GIL and hold `running` instead.
class Library {
public:
  Library(const std::string &path, uint64_t seed) : path(path) {
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!handle)
      throw std::runtime_error("cannot open '" + path + "': " + dlerror());
    try {
      bindAll();
      if (api.abiVersion() != NETC_SO_ABI_VERSION)
        throw std::runtime_error("'" + path + "' has interface version " +
                                 std::to_string(api.abiVersion()) + ", this module needs " +
                                 std::to_string(NETC_SO_ABI_VERSION) + " (recompile it)");
      m = api.model();
      ctx = api.create(m, seed);
      if (!ctx)
        throw std::runtime_error(api.lastError(m, nullptr));
    } catch (...) {
      dlclose(handle);
      throw;
    }
  }
  ~Library() {
    api.destroy(m, ctx);
    dlclose(handle);
  }
  Library(const Library &) = delete;
  Library &operator=(const Library &) = delete;

  /// Everything the Python side needs to know of the model.
  py::dict describe() const {
    py::dict d;
    d["name"] = m->name;
    d["path"] = path;
    d["inputs"] = describeTensors(m->inputs, m->num_inputs);
    d["outputs"] = describeTensors(m->outputs, m->num_outputs);
    d["params"] = describeTensors(m->params, m->num_params);
    d["buffers"] = describeTensors(m->buffers, m->num_buffers);
    d["forward_inputs"] = inputsRead(m->forward_slots, m->num_forward_slots);
    py::list steps;
    if (m->num_train_steps > 0) {
      for (int i = 0; i < m->num_train_steps; ++i)
        steps.append(describeStep(m->train_steps[i].name, m->train_steps[i].optimizer,
                                  m->train_steps[i].slots, m->train_steps[i].num_slots));
    } else if (m->train_step) {
      steps.append(describeStep(m->loss_name, "", m->train_slots, m->num_train_slots));
    }
    d["train_steps"] = steps;
    py::list hypers;
    for (int i = 0; i < m->num_hypers; ++i)
      hypers.append(py::make_tuple(m->hypers[i].name, m->hypers[i].value, m->hypers[i].step));
    d["hypers"] = hypers;
    return d;
  }

  /// Runs the forward function on one array per input; returns the outputs.
  py::list forward(const std::vector<py::array> &inputs) {
    Buffers in = inputBuffers(inputs);
    std::vector<py::array> outs;
    std::vector<void *> outPtrs;
    std::vector<size_t> outBytes;
    for (int j = 0; j < m->num_outputs; ++j) {
      outs.emplace_back(dtypeOf(m->outputs[j].dtype), shapeOf(m->outputs[j]));
      outPtrs.push_back(outs.back().mutable_data());
      outBytes.push_back(outs.back().nbytes());
    }
    int rc;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(running);
      rc = api.forward(m, ctx, in.ptrs.data(), in.bytes.data(), outPtrs.data(), outBytes.data());
    }
    check(rc);
    return py::cast(outs);
  }

  /// Runs train step `index`; returns its loss.
  double trainStep(int index, const std::vector<py::array> &inputs) {
    Buffers in = inputBuffers(inputs);
    double loss = 0;
    int rc;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(running);
      rc = api.trainStep(m, ctx, index, in.ptrs.data(), in.bytes.data(), &loss);
    }
    check(rc);
    return loss;
  }

  /// A copy of parameter (or buffer) `name`.
  py::array getTensor(bool buffer, const std::string &name) {
    const netc_tensor &t = find(buffer, name);
    py::array out(dtypeOf(t.dtype), shapeOf(t));
    check(api.getTensor(m, ctx, buffer, name.c_str(), out.mutable_data(), out.nbytes()));
    return out;
  }

  void setTensor(bool buffer, const std::string &name, const py::array &value) {
    const netc_tensor &t = find(buffer, name);
    checkArray(t, value);
    check(api.setTensor(m, ctx, buffer, name.c_str(), value.data(), value.nbytes()));
  }

  void loadWeights(const std::string &file) { check(api.loadWeights(m, ctx, file.c_str())); }
  void saveWeights(const std::string &file) { check(api.saveWeights(m, ctx, file.c_str())); }
  void setHyper(const std::string &name, double v) { check(api.setHyper(m, ctx, name.c_str(), v)); }
  double getHyper(const std::string &name) const { return api.getHyper(m, ctx, name.c_str()); }
  int64_t steps() const { return api.steps(m, ctx); }
  int setNumThreads(int n) {
    int previous = api.setNumThreads(m, n);
    if (previous < 0)
      throw std::runtime_error(api.lastError(m, nullptr));
    return previous;
  }

private:
  struct Buffers {
    std::vector<const void *> ptrs;
    std::vector<size_t> bytes;
  };

  void bindAll() {
#define NETC_SO_FIND(member, symbol) findSymbol(handle, path, #symbol, api.member);
    NETC_SO_FUNCTIONS(NETC_SO_FIND)
#undef NETC_SO_FIND
  }

  void check(int rc) const {
    if (rc != 0)
      throw std::runtime_error(api.lastError(m, ctx));
  }

  const netc_tensor &find(bool buffer, const std::string &name) const {
    const netc_tensor *list = buffer ? m->buffers : m->params;
    int count = buffer ? m->num_buffers : m->num_params;
    for (int i = 0; i < count; ++i)
      if (name == list[i].name)
        return list[i];
    throw py::key_error("model '" + std::string(m->name) + "' has no " +
                        (buffer ? "buffer" : "parameter") + " '" + name + "'");
  }

  /// The memory-safety checks: the Python side converts arrays before this.
  static void checkArray(const netc_tensor &t, const py::array &a) {
    if (!a.dtype().is(dtypeOf(t.dtype)) || !(a.flags() & py::array::c_style) || a.ndim() != t.rank)
      throw py::type_error(std::string("tensor '") + t.name + "' needs a C-contiguous " +
                           dtypeName(t.dtype) + " array of rank " + std::to_string(t.rank));
    for (int d = 0; d < t.rank; ++d)
      if (a.shape(d) != t.shape[d])
        throw py::value_error(std::string("tensor '") + t.name + "' has the wrong shape");
  }

  Buffers inputBuffers(const std::vector<py::array> &inputs) const {
    if (static_cast<int>(inputs.size()) != m->num_inputs)
      throw py::value_error("model '" + std::string(m->name) + "' has " +
                            std::to_string(m->num_inputs) + " inputs, got " +
                            std::to_string(inputs.size()) + " arrays");
    Buffers b;
    for (int i = 0; i < m->num_inputs; ++i) {
      checkArray(m->inputs[i], inputs[i]);
      b.ptrs.push_back(inputs[i].data());
      b.bytes.push_back(inputs[i].nbytes());
    }
    return b;
  }

  static py::dict describeStep(const char *loss, const char *optimizer, const netc_slot *slots,
                               int count) {
    py::dict d;
    d["loss"] = loss ? loss : "";
    d["optimizer"] = optimizer ? optimizer : "";
    d["inputs"] = inputsRead(slots, count);
    return d;
  }

  std::string path;
  void *handle = nullptr;
  Api api{};
  const netc_model *m = nullptr;
  void *ctx = nullptr;
  /// Held by the calls that run without the GIL: a context is not thread-safe.
  std::mutex running;
};

} // namespace

PYBIND11_MODULE(_netc, mod) {
  mod.doc() = "The native half of netc: a compiled model's shared library and one context of it.";
  py::class_<Library>(mod, "Library")
      .def(py::init<const std::string &, uint64_t>(), py::arg("path"), py::arg("seed") = 0)
      .def("describe", &Library::describe)
      .def("forward", &Library::forward)
      .def("train_step", &Library::trainStep)
      .def("get_tensor", &Library::getTensor)
      .def("set_tensor", &Library::setTensor)
      .def("load_weights", &Library::loadWeights)
      .def("save_weights", &Library::saveWeights)
      .def("set_hyper", &Library::setHyper)
      .def("get_hyper", &Library::getHyper)
      .def("steps", &Library::steps)
      .def("set_num_threads", &Library::setNumThreads);
  mod.attr("ABI_VERSION") = NETC_SO_ABI_VERSION;
}
