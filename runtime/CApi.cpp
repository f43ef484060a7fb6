//===- CApi.cpp - the checked core of every generated C API ---------------===//

#include "runtime/CApi.h"
#include "runtime/Checkpoint.h"
#include "runtime/Context.h"
#include "runtime/Safetensors.h"
#include "runtime/Tensors.h"

#include <HalideRuntime.h>

#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

namespace netc::runtime::capi {

namespace {

/// The live contexts of the process, whatever their model.
std::mutex &registryMutex() {
  static std::mutex mutex;
  return mutex;
}
std::unordered_set<const void *> &registry() {
  static std::unordered_set<const void *> live;
  return live;
}

/// The last failure of this thread that had no usable context.
thread_local std::string threadError;

/// "mlp2_forward".
std::string fnName(const netc_model &m, const char *fn) { return std::string(m.name) + "_" + fn; }

/// Records a failure without a context and returns -1.
int failThread(const netc_model &m, const char *fn, const std::string &why) {
  threadError = fnName(m, fn) + ": " + why;
  return -1;
}

/// The context `ctx` stands for, or null after recording why in the thread
/// error: NULL, not live, or a context of another model.
Context *lookup(const netc_model &m, const void *ctx, const char *fn) {
  if (!ctx) {
    failThread(m, fn, "the context is NULL");
    return nullptr;
  }
  {
    std::lock_guard<std::mutex> lock(registryMutex());
    if (!registry().count(ctx)) {
      failThread(m, fn,
                 "the context is not live (destroyed already, or not made by " +
                     fnName(m, "create") + ")");
      return nullptr;
    }
  }
  Context *c = static_cast<Context *>(const_cast<void *>(ctx));
  if (std::strcmp(c->model().name, m.name) != 0) {
    failThread(m, fn, std::string("the context belongs to model '") + c->model().name + "'");
    return nullptr;
  }
  return c;
}

/// Records why an exception ended a call: in the thread error, and in the
/// context too when `ctx` is a live one, so that either last error says it.
int failException(const netc_model &m, const char *fn, const void *ctx, const std::string &why) {
  failThread(m, fn, why);
  std::lock_guard<std::mutex> lock(registryMutex());
  if (ctx && registry().count(ctx))
    static_cast<Context *>(const_cast<void *>(ctx))->setLastError(threadError);
  return -1;
}

/// Runs `body` (returning int) on context `ctx` (may be null) and turns any
/// exception into -1 with its message: none may cross the C boundary.
template <typename Body>
int guarded(const netc_model &m, const char *fn, const void *ctx, Body body) noexcept {
  try {
    try {
      return body();
    } catch (const std::bad_alloc &) {
      return failException(m, fn, ctx, "out of memory");
    } catch (const std::exception &e) {
      return failException(m, fn, ctx, std::string("internal error: ") + e.what());
    } catch (...) {
      return failException(m, fn, ctx, "internal error: unknown exception");
    }
  } catch (...) {
    // Recording the message itself failed (out of memory): still no exception out.
    return -1;
  }
}

/// Checks an array of `count` buffers and their sizes against `descs`.
/// `role` is "input" or "output"; `array` the parameter's name.
bool checkBuffers(const netc_model &m, const char *fn, const void *const *buffers,
                  const size_t *bytes, const netc_tensor *descs, int count, const char *role,
                  const char *array, std::string &error) {
  if (count == 0)
    return true;
  // The messages are built only on failure: this runs on every forward and train step.
  if (!buffers || !bytes) {
    error = fnName(m, fn) + ": " + (!buffers ? array : std::string(role) + "_bytes") +
            " is NULL (model '" + m.name + "' has " + std::to_string(count) + " " + role +
            (count == 1 ? "" : "s") + ")";
    return false;
  }
  for (int i = 0; i < count; ++i) {
    size_t need = tensorBytes(descs, count, i);
    if (buffers[i] && bytes[i] == need)
      continue;
    error = fnName(m, fn) + ": " + role + " '" + printable(descs[i].name) + "' (" +
            typeString(descs[i]) + ", " + array + "[" + std::to_string(i) + "])" +
            (!buffers[i] ? std::string(" is NULL")
                         : " needs " + std::to_string(need) + " bytes, got " +
                               std::to_string(bytes[i]));
    return false;
  }
  return true;
}

/// Stores `error` as the context's last error and returns -1.
int failContext(Context &c, const std::string &error) {
  c.setLastError(error);
  return -1;
}

} // namespace

void *create(const netc_model &m, uint64_t seed) noexcept {
  void *made = nullptr;
  guarded(m, "create", nullptr, [&] {
    auto c = std::make_unique<Context>(m, seed);
    std::lock_guard<std::mutex> lock(registryMutex());
    registry().insert(c.get());
    made = c.release();
    return 0;
  });
  return made;
}

void destroy(const netc_model &m, void *ctx) noexcept {
  if (!ctx)
    return;
  guarded(m, "destroy", nullptr, [&] {
    if (!lookup(m, ctx, "destroy"))
      return -1;
    {
      std::lock_guard<std::mutex> lock(registryMutex());
      registry().erase(ctx);
    }
    delete static_cast<Context *>(ctx);
    return 0;
  });
}

int forward(const netc_model &m, void *ctx, const void *const *inputs, const size_t *inputBytes,
            void *const *outputs, const size_t *outputBytes) noexcept {
  return guarded(m, "forward", ctx, [&] {
    Context *c = lookup(m, ctx, "forward");
    if (!c)
      return -1;
    std::string error;
    if (!checkBuffers(m, "forward", inputs, inputBytes, m.inputs, m.num_inputs, "input", "inputs",
                      error) ||
        !checkBuffers(m, "forward", const_cast<const void *const *>(outputs), outputBytes,
                      m.outputs, m.num_outputs, "output", "outputs", error))
      return failContext(*c, error);
    return c->forward(inputs, outputs) ? 0 : -1;
  });
}

int trainStep(const netc_model &m, void *ctx, const void *const *inputs, const size_t *inputBytes,
              double *loss) noexcept {
  return trainStepAt(m, ctx, 0, "train_step", inputs, inputBytes, loss);
}

/// NAME_train_step and NAME_compute_gradients (`gradientsOnly`).
static int runStep(const netc_model &m, void *ctx, int index, const char *function,
                   const void *const *inputs, const size_t *inputBytes, double *loss,
                   bool gradientsOnly) noexcept {
  return guarded(m, function, ctx, [&] {
    Context *c = lookup(m, ctx, function);
    if (!c)
      return -1;
    std::string error;
    if (!checkBuffers(m, function, inputs, inputBytes, m.inputs, m.num_inputs, "input", "inputs",
                      error))
      return failContext(*c, error);
    bool ok = gradientsOnly ? c->computeGradients(index, inputs, loss)
                            : c->trainStep(index, inputs, loss);
    return ok ? 0 : -1;
  });
}

int trainStepAt(const netc_model &m, void *ctx, int index, const char *function,
                const void *const *inputs, const size_t *inputBytes, double *loss) noexcept {
  return runStep(m, ctx, index, function, inputs, inputBytes, loss, false);
}

int computeGradients(const netc_model &m, void *ctx, int index, const void *const *inputs,
                     const size_t *inputBytes, double *loss) noexcept {
  return runStep(m, ctx, index, "compute_gradients", inputs, inputBytes, loss, true);
}

int applyGradients(const netc_model &m, void *ctx, int index) noexcept {
  return guarded(m, "apply_gradients", ctx, [&] {
    Context *c = lookup(m, ctx, "apply_gradients");
    return c && c->applyUpdate(index) ? 0 : -1;
  });
}

void *gradient(const netc_model &m, void *ctx, int index, size_t *bytes) noexcept {
  void *data = nullptr;
  guarded(m, "gradient", ctx, [&] {
    Context *c = lookup(m, ctx, "gradient");
    if (!c)
      return -1;
    if (index < 0 || index >= m.num_params)
      return failContext(*c, fnName(m, "gradient") + ": no parameter " + std::to_string(index) +
                                 " (model '" + m.name + "' has " +
                                 std::to_string(m.num_params) + ")");
    data = c->gradData(index);
    if (bytes)
      *bytes = tensorBytes(m.params, m.num_params, index);
    return 0;
  });
  return data;
}

namespace {

/// load_weights and save_weights: a live context and a non-NULL path.
template <typename Op>
int withPath(const netc_model &m, void *ctx, const char *path, const char *fn, Op op) noexcept {
  return guarded(m, fn, ctx, [&] {
    Context *c = lookup(m, ctx, fn);
    if (!c)
      return -1;
    if (!path)
      return failContext(*c, fnName(m, fn) + ": the path is NULL");
    return op(*c, std::string(path)) ? 0 : -1;
  });
}

} // namespace

int loadWeights(const netc_model &m, void *ctx, const char *path) noexcept {
  return withPath(m, ctx, path, "load_weights",
                  [](Context &c, const std::string &p) { return c.loadWeights(p); });
}

int saveWeights(const netc_model &m, void *ctx, const char *path) noexcept {
  return withPath(m, ctx, path, "save_weights",
                  [](Context &c, const std::string &p) { return c.saveWeights(p); });
}

int saveCheckpoint(const netc_model &m, void *ctx, const char *path) noexcept {
  return withPath(m, ctx, path, "save_checkpoint", [](Context &c, const std::string &p) {
    std::string error;
    bool ok = saveCheckpoint(c, p, TrainingPosition{c.seed(), c.steps(), 0}, error);
    c.setLastError(error);
    return ok;
  });
}

int loadCheckpoint(const netc_model &m, void *ctx, const char *path) noexcept {
  return withPath(m, ctx, path, "load_checkpoint", [](Context &c, const std::string &p) {
    std::string error;
    TrainingPosition pos;
    bool ok = loadCheckpoint(c, p, pos, error);
    c.setLastError(error);
    return ok;
  });
}

int setHyper(const netc_model &m, void *ctx, const char *name, double value) noexcept {
  return guarded(m, "set_hyper", ctx, [&] {
    Context *c = lookup(m, ctx, "set_hyper");
    if (!c)
      return -1;
    if (!name)
      return failContext(*c, fnName(m, "set_hyper") + ": the name is NULL");
    if (!c->setHyper(name, value))
      return failContext(*c, fnName(m, "set_hyper") + ": " + c->lastError());
    return 0;
  });
}

double getHyper(const netc_model &m, const void *ctx, const char *name) noexcept {
  double value = std::numeric_limits<double>::quiet_NaN();
  guarded(m, "get_hyper", ctx, [&] {
    Context *c = lookup(m, const_cast<void *>(ctx), "get_hyper");
    int k = c && name ? c->findHyper(name) : -1;
    if (k < 0)
      return -1;
    value = c->hyper(k);
    return 0;
  });
  return value;
}

const char *lastError(const netc_model &m, const void *ctx) noexcept {
  if (ctx) {
    std::lock_guard<std::mutex> lock(registryMutex());
    if (registry().count(ctx)) {
      const Context *c = static_cast<const Context *>(ctx);
      if (std::strcmp(c->model().name, m.name) == 0)
        return c->lastError().c_str();
    }
  }
  return threadError.c_str();
}

int setNumThreads(const netc_model &m, int n) noexcept {
  return guarded(m, "set_num_threads", nullptr, [&] {
    if (n < 0)
      return failThread(m, "set_num_threads",
                        "the number of threads must be at least 0, got " + std::to_string(n));
    return halide_set_num_threads(n);
  });
}

size_t tensorBytes(const netc_tensor *list, int count, int index) noexcept {
  if (index < 0 || index >= count)
    return 0;
  return static_cast<size_t>(numel(list[index])) * dtypeSize(list[index].dtype);
}

int copyTensor(const netc_model &m, void *ctx, bool buffer, const char *name, void *data,
               size_t bytes, bool write) noexcept {
  const char *fn = write ? "set_tensor" : "get_tensor";
  const char *what = buffer ? "buffer" : "parameter";
  return guarded(m, fn, ctx, [&] {
    Context *c = lookup(m, ctx, fn);
    if (!c)
      return -1;
    if (!name || !data)
      return failContext(*c, fnName(m, fn) + ": the " + (name ? "data" : "name") + " is NULL");
    const netc_tensor *list = buffer ? m.buffers : m.params;
    int count = buffer ? m.num_buffers : m.num_params;
    for (int i = 0; i < count; ++i) {
      if (std::strcmp(list[i].name, name) != 0)
        continue;
      size_t need = tensorBytes(list, count, i);
      if (bytes != need)
        return failContext(*c, fnName(m, fn) + ": " + what + " '" + name + "' (" +
                                   typeString(list[i]) + ") needs " + std::to_string(need) +
                                   " bytes, got " + std::to_string(bytes));
      void *storage = buffer ? c->buffer(i) : c->param(i);
      if (!write) {
        std::memcpy(data, storage, need);
        return 0;
      }
      std::memcpy(storage, data, need);
      // The compiled code's device copies, if any, are stale now.
      c->touched();
      return 0;
    }
    return failContext(*c, fnName(m, fn) + ": model '" + m.name + "' has no " + what + " '" +
                               printable(name) + "'");
  });
}

int64_t steps(const netc_model &m, const void *ctx) noexcept {
  int64_t count = -1;
  guarded(m, "steps", ctx, [&] {
    if (Context *c = lookup(m, ctx, "steps"))
      count = static_cast<int64_t>(c->steps());
    return 0;
  });
  return count;
}

bool isLive(const void *ctx) {
  std::lock_guard<std::mutex> lock(registryMutex());
  return registry().count(ctx) != 0;
}

} // namespace netc::runtime::capi
