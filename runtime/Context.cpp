//===- Context.cpp - the state of a compiled model ------------------------===//
//
// Builds Halide buffer descriptors for every slot of the compiled entry
// points once, and per call only points them at the right storage. Train
// steps write updated parameters and optimizer state into second buffers
// that are swapped in afterwards: a pipeline may still read a parameter
// after it has written part of that parameter's update, so updating in
// place would be wrong.
//
//===----------------------------------------------------------------------===//

#include "runtime/Context.h"
#include "runtime/Buffers.h"
#include "runtime/Init.h"
#include "runtime/Safetensors.h"
#include "runtime/SplitMix64.h"
#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"

#include <HalideRuntime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace netc::runtime {

namespace {

/// What Halide's runtime reports. The handler is process-wide and installed
/// once (std::call_once: concurrent Contexts would race on it otherwise).
/// Messages raised on the thread that runs a call go to that call's own
/// buffer (callMessage), so threads running distinct contexts never see each
/// other's errors; messages raised on one of Halide's worker threads, which
/// cannot tell whose task they run, go to a shared buffer under a lock that
/// the next failing call takes.
std::once_flag handlerInstalled;
thread_local std::string *callMessage = nullptr;
std::mutex sharedMutex;
std::string sharedMessage;

void appendMessage(std::string &to, const char *message) {
  to += message;
  while (!to.empty() && (to.back() == '\n' || to.back() == ' '))
    to.pop_back();
}

/// Replaces Halide's default handler (which prints to stderr) so that the
/// message reaches lastError() instead.
void recordHalideError(void *, const char *message) {
  if (callMessage) {
    appendMessage(*callMessage, message);
    return;
  }
  std::lock_guard<std::mutex> lock(sharedMutex);
  appendMessage(sharedMessage, message);
}

/// Takes what worker threads recorded.
std::string takeSharedMessage() {
  std::lock_guard<std::mutex> lock(sharedMutex);
  std::string message;
  message.swap(sharedMessage);
  return message;
}

/// Runs `fn` with Halide's messages of this thread collected in `message`.
int callCollecting(netc_entry_fn fn, void **argv, std::string &message) {
  callMessage = &message;
  int rc = fn(argv);
  callMessage = nullptr;
  if (rc != 0 && message.empty())
    message = takeSharedMessage();
  return rc;
}

using TensorList = std::vector<std::unique_ptr<HostTensor>>;

TensorList allocate(const netc_tensor *descs, int count) {
  TensorList list;
  for (int i = 0; i < count; ++i)
    list.push_back(std::make_unique<HostTensor>(descs[i]));
  return list;
}

/// The argument vector of one entry point, its buffers described once.
struct Call {
  netc_entry_fn fn = nullptr;
  std::vector<netc_slot> slots;
  std::vector<halide_buffer_t> buffers;
  std::vector<std::vector<halide_dimension_t>> dims;
  std::vector<void *> argv;
  int64_t seed = 0;
  /// The host memory each buffer had in the previous call, and the context's
  /// host epoch then: on GPU targets a device copy stays valid only while both
  /// are unchanged (see Context::run).
  std::vector<void *> lastHost;
  uint64_t lastEpoch = ~uint64_t(0);

  /// Frees the device memory GPU targets attached to the buffers.
  ~Call() {
    for (halide_buffer_t &b : buffers)
      if (b.device)
        halide_device_free(nullptr, &b);
  }

  /// Describes each tensor slot's buffer; `descOf` gives the tensor of a slot.
  template <typename DescOf>
  void init(netc_entry_fn entry, const netc_slot *s, int count, DescOf descOf) {
    fn = entry;
    slots.assign(s, s + count);
    buffers.assign(count, halide_buffer_t());
    lastHost.assign(count, nullptr);
    dims.resize(count);
    argv.assign(count, nullptr);
    for (int k = 0; k < count; ++k) {
      if (slots[k].kind == NETC_SLOT_SEED) {
        argv[k] = &seed;
        continue;
      }
      describeBuffer(descOf(slots[k]), buffers[k], dims[k]);
      argv[k] = &buffers[k];
    }
  }
};

} // namespace

std::vector<netc_train_step> trainStepsOf(const netc_model &m) {
  if (m.num_train_steps > 0)
    return {m.train_steps, m.train_steps + m.num_train_steps};
  if (!m.train_step)
    return {};
  return {netc_train_step{m.loss_name ? m.loss_name : "loss", m.loss_dtype, "", m.train_step,
                          m.num_train_slots, m.train_slots}};
}

int64_t stepSeed(uint64_t seed, uint64_t step) {
  return static_cast<int64_t>(mix64(mix64(seed) + step));
}

/// A hyperparameter's argument: a 0-d f64 tensor.
const netc_tensor kHyperDesc{"hyper", NETC_F64, 0, nullptr, NETC_INIT_CONSTANT, 0, 0, 0};

struct Context::Impl {
  TensorList params, nextParams, grads, state, nextState, outputs, scratch;
  /// Buffers and their next values (written by BUFFER_UPDATE results).
  TensorList buffers, nextBuffers;
  /// One loss per train step (LOSS slot k is the loss of step k).
  std::vector<netc_tensor> lossDescs;
  TensorList losses;
  std::vector<bool> lossValid;
  /// The current value of every run-time hyperparameter (HYPER slot k reads hypers[k]).
  std::vector<double> hypers;
  /// Counts the changes of parameter and state memory a device copy cannot
  /// see: reset, loading weights, the swap after a train step.
  uint64_t hostEpoch = 0;
  Call forward;
  /// The train steps, in the order of trainSteps().
  std::vector<std::unique_ptr<Call>> train;
  /// The train step whose gradients were computed and not yet applied, or -1.
  int pendingUpdate = -1;
};

Context::Context(const netc_model &model, uint64_t seed)
    : m(model), rootSeed(seed), impl(std::make_unique<Impl>()) {
  std::call_once(handlerInstalled, [] { halide_set_error_handler(recordHalideError); });
  Impl &s = *impl;
  s.params = allocate(m.params, m.num_params);
  s.grads = allocate(m.params, m.num_params);
  s.state = allocate(m.state, m.num_state);
  s.outputs = allocate(m.outputs, m.num_outputs);
  s.scratch = allocate(m.scratch, m.num_scratch);
  s.nextParams.resize(m.num_params);
  s.nextState.resize(m.num_state);
  s.buffers = allocate(m.buffers, m.num_buffers);
  s.nextBuffers.resize(m.num_buffers);
  trainSteps = trainStepsOf(m);
  for (const netc_train_step &step : trainSteps)
    for (int k = 0; k < step.num_slots; ++k) {
      const netc_slot &slot = step.slots[k];
      if (slot.kind == NETC_SLOT_PARAM_UPDATE && !s.nextParams[slot.index])
        s.nextParams[slot.index] = std::make_unique<HostTensor>(m.params[slot.index]);
      if (slot.kind == NETC_SLOT_STATE_UPDATE && !s.nextState[slot.index])
        s.nextState[slot.index] = std::make_unique<HostTensor>(m.state[slot.index]);
      if (slot.kind == NETC_SLOT_BUFFER_UPDATE && !s.nextBuffers[slot.index])
        s.nextBuffers[slot.index] = std::make_unique<HostTensor>(m.buffers[slot.index]);
    }
  // A model with a loss has a train step per loss; one loss slot stays for
  // a forward function that computes a loss without one.
  for (size_t k = 0; k < std::max<size_t>(trainSteps.size(), 1); ++k)
    s.lossDescs.push_back(
        netc_tensor{k < trainSteps.size() ? trainSteps[k].name : "loss",
                    k < trainSteps.size() ? trainSteps[k].loss_dtype : m.loss_dtype, 0, nullptr,
                    NETC_INIT_CONSTANT, 0, 0, 0});
  for (const netc_tensor &d : s.lossDescs)
    s.losses.push_back(std::make_unique<HostTensor>(d));
  s.lossValid.assign(s.losses.size(), false);
  auto descOf = [this](const netc_slot &slot) -> const netc_tensor & {
    switch (slot.kind) {
    case NETC_SLOT_INPUT:
      return m.inputs[slot.index];
    case NETC_SLOT_PARAM:
    case NETC_SLOT_GRAD:
    case NETC_SLOT_PARAM_UPDATE:
      return m.params[slot.index];
    case NETC_SLOT_STATE:
    case NETC_SLOT_STATE_UPDATE:
      return m.state[slot.index];
    case NETC_SLOT_BUFFER:
    case NETC_SLOT_BUFFER_UPDATE:
      return m.buffers[slot.index];
    case NETC_SLOT_OUTPUT:
      return m.outputs[slot.index];
    case NETC_SLOT_SCRATCH:
      return m.scratch[slot.index];
    case NETC_SLOT_HYPER:
      return kHyperDesc;
    default:
      return impl->lossDescs[static_cast<size_t>(slot.index) % impl->lossDescs.size()];
    }
  };
  s.forward.init(m.forward, m.forward_slots, m.num_forward_slots, descOf);
  for (const netc_train_step &step : trainSteps) {
    s.train.push_back(std::make_unique<Call>());
    s.train.back()->init(step.fn, step.slots, step.num_slots, descOf);
  }
  reset(seed);
}

Context::~Context() = default;

/// Fills `data`, the storage of `t`, by `t`'s initialiser from (seed, stream).
static void fillByInit(const netc_tensor &t, void *data, uint64_t seed, uint64_t stream) {
  InitSpec spec{t.init == NETC_INIT_UNIFORM  ? InitSpec::Dist::Uniform
                : t.init == NETC_INIT_NORMAL ? InitSpec::Dist::Normal
                                             : InitSpec::Dist::Constant,
                t.init_a, t.init_b};
  size_t n = static_cast<size_t>(numel(t));
  switch (t.dtype) {
  case NETC_F32:
    return fill(static_cast<float *>(data), n, spec, seed, stream);
  case NETC_F64:
    return fill(static_cast<double *>(data), n, spec, seed, stream);
  case NETC_I32:
    return fill(static_cast<int32_t *>(data), n, spec, seed, stream);
  case NETC_I64:
    return fill(static_cast<int64_t *>(data), n, spec, seed, stream);
  }
}

void Context::reset(uint64_t seed) {
  ++impl->hostEpoch;
  rootSeed = seed;
  stepCount = 0;
  for (int i = 0; i < m.num_params; ++i)
    fillByInit(m.params[i], impl->params[i]->data(), seed, paramStream(i));
  // Buffers start from their initialisers too (batch norm's running_var at 1).
  for (int i = 0; i < m.num_buffers; ++i)
    fillByInit(m.buffers[i], impl->buffers[i]->data(), seed, bufferStream(i));
  for (TensorList *list : {&impl->grads, &impl->state})
    for (auto &t : *list)
      std::memset(t->data(), 0, t->bytes());
  impl->lossValid.assign(impl->losses.size(), false);
  impl->pendingUpdate = -1;
  impl->hypers.clear();
  for (int k = 0; k < m.num_hypers; ++k)
    impl->hypers.push_back(m.hypers[k].value);
  loadDefaultWeights();
}

void Context::fillInput(int index, void *data, uint64_t seed) const {
  const netc_tensor &t = m.inputs[index];
  size_t n = static_cast<size_t>(numel(t));
  uint64_t stream = inputStream(static_cast<uint64_t>(index));
  int64_t bound = t.bound > 0 ? t.bound : 10;
  double low = t.init == NETC_INIT_UNIFORM ? t.init_a : -1.0;
  double high = t.init == NETC_INIT_UNIFORM ? t.init_b : 1.0;
  switch (t.dtype) {
  case NETC_F32:
    return fillUniform(static_cast<float *>(data), n, low, high, seed, stream);
  case NETC_F64:
    return fillUniform(static_cast<double *>(data), n, low, high, seed, stream);
  case NETC_I32:
    return fillIndices(static_cast<int32_t *>(data), n, bound, seed, stream);
  case NETC_I64:
    return fillIndices(static_cast<int64_t *>(data), n, bound, seed, stream);
  }
}

bool Context::forward(const void *const *inputs, void *const *outputs) {
  return run(nullptr, inputs, outputs);
}

bool Context::checkStep(int index) {
  if (trainSteps.empty()) {
    error = std::string("model '") + m.name + "' has no loss, so it has no train step";
    return false;
  }
  if (index < 0 || index >= numTrainSteps()) {
    error = std::string("model '") + m.name + "' has no train step " + std::to_string(index);
    return false;
  }
  return true;
}

bool Context::trainStep(int index, const void *const *inputs, double *lossOut) {
  if (!checkStep(index) || !run(impl->train[index].get(), inputs, nullptr))
    return false;
  if (lossOut)
    *lossOut = loss(index);
  return true;
}

bool Context::hasGradientSplit(int index) const {
  return index >= 0 && index < numTrainSteps() && m.grad_fns && m.grad_fns[index] &&
         m.update_fns && m.update_fns[index];
}

bool Context::computeGradients(int index, const void *const *inputs, double *lossOut) {
  if (!checkStep(index))
    return false;
  if (!hasGradientSplit(index)) {
    error = std::string("model '") + m.name +
            "' was compiled without separate gradient and update functions (GPU target)";
    return false;
  }
  if (!run(impl->train[index].get(), inputs, nullptr, Half::Gradients))
    return false;
  if (lossOut)
    *lossOut = loss(index);
  return true;
}

bool Context::applyUpdate(int index) {
  if (!checkStep(index))
    return false;
  if (impl->pendingUpdate != index) {
    error = std::string("model '") + m.name + "': applying gradients needs computed gradients " +
            "of the same train step first";
    return false;
  }
  return run(impl->train[index].get(), nullptr, nullptr, Half::Update);
}

bool Context::run(void *trainCall, const void *const *inputs, void *const *outputs, Half half) {
  Impl &s = *impl;
  bool train = trainCall != nullptr;
  Call &call = train ? *static_cast<Call *>(trainCall) : s.forward;
  const char *what = train ? "train step" : "forward function";
  std::vector<int> writesLoss;
  for (size_t k = 0; k < call.slots.size(); ++k) {
    const netc_slot &slot = call.slots[k];
    void *host = nullptr;
    // The update reads no input: they keep what the gradients read.
    if (half == Half::Update && slot.kind == NETC_SLOT_INPUT)
      continue;
    switch (slot.kind) {
    case NETC_SLOT_INPUT: {
      const netc_tensor &t = m.inputs[slot.index];
      if (!inputs || !inputs[slot.index]) {
        error =
            std::string("input '") + printable(t.name) + "' of model '" + m.name + "' is missing";
        return false;
      }
      // The "input 'NAME'" prefix is built only on failure: this runs on every call.
      if (!checkIndices(t, inputs[slot.index], std::string(), error)) {
        error = "input '" + printable(t.name) + "'" + error;
        return false;
      }
      host = const_cast<void *>(inputs[slot.index]);
      break;
    }
    case NETC_SLOT_SEED:
      call.seed = stepSeed(rootSeed, train ? stepCount : 0);
      continue;
    case NETC_SLOT_PARAM:
      host = s.params[slot.index]->data();
      break;
    case NETC_SLOT_STATE:
      host = s.state[slot.index]->data();
      break;
    case NETC_SLOT_BUFFER:
      host = s.buffers[slot.index]->data();
      break;
    case NETC_SLOT_OUTPUT:
      host = outputs && outputs[slot.index] ? outputs[slot.index] : s.outputs[slot.index]->data();
      break;
    case NETC_SLOT_LOSS: {
      size_t k = static_cast<size_t>(slot.index) % s.losses.size();
      host = s.losses[k]->data();
      writesLoss.push_back(static_cast<int>(k));
      break;
    }
    case NETC_SLOT_GRAD:
      host = s.grads[slot.index]->data();
      break;
    case NETC_SLOT_PARAM_UPDATE:
      host = s.nextParams[slot.index]->data();
      break;
    case NETC_SLOT_STATE_UPDATE:
      host = s.nextState[slot.index]->data();
      break;
    case NETC_SLOT_BUFFER_UPDATE:
      host = s.nextBuffers[slot.index]->data();
      break;
    case NETC_SLOT_SCRATCH:
      host = s.scratch[slot.index]->data();
      break;
    case NETC_SLOT_HYPER:
      host = &s.hypers[slot.index];
      break;
    }
    // On GPU targets Halide keeps a device copy with each buffer. Inputs are
    // new every call; parameters and state only when their memory moved (the
    // swap after a train step) or the runtime wrote into it: otherwise the
    // copy on the device is still good and weights are not uploaded again.
    // On CPU targets the flag is never consulted.
    bool fresh = slot.kind == NETC_SLOT_INPUT || slot.kind == NETC_SLOT_HYPER ||
                 ((slot.kind == NETC_SLOT_PARAM || slot.kind == NETC_SLOT_STATE ||
                   slot.kind == NETC_SLOT_BUFFER) &&
                  (host != call.lastHost[k] || call.lastEpoch != s.hostEpoch));
    call.buffers[k].host = static_cast<uint8_t *>(host);
    call.buffers[k].flags = fresh ? halide_buffer_flag_host_dirty : 0;
    call.lastHost[k] = host;
  }
  call.lastEpoch = s.hostEpoch;
  // A model without outputs has no inference function: there is nothing to compute.
  if (!call.fn)
    return true;
  netc_entry_fn fn = call.fn;
  int step = -1;
  if (half != Half::Both) {
    for (size_t i = 0; i < s.train.size(); ++i)
      if (s.train[i].get() == &call)
        step = static_cast<int>(i);
    fn = half == Half::Gradients ? m.grad_fns[step] : m.update_fns[step];
  }
  s.pendingUpdate = -1;
  std::string halideMessage;
  int rc = callCollecting(fn, call.argv.data(), halideMessage);
  if (rc != 0) {
    error = std::string("model '") + m.name + "': the compiled " + what + " failed (Halide error " +
            std::to_string(rc) + ")" +
            (halideMessage.empty() ? std::string() : ": " + halideMessage);
    return false;
  }
  for (int k : writesLoss)
    s.lossValid[k] = true;
  if (half == Half::Gradients)
    s.pendingUpdate = step;
  else if (train) {
    // Only what this step wrote: a model with several losses has steps that
    // update other parameters and state.
    for (const netc_slot &slot : call.slots) {
      TensorList *now = slot.kind == NETC_SLOT_PARAM_UPDATE    ? &s.params
                        : slot.kind == NETC_SLOT_STATE_UPDATE  ? &s.state
                        : slot.kind == NETC_SLOT_BUFFER_UPDATE ? &s.buffers
                                                               : nullptr;
      TensorList *next = slot.kind == NETC_SLOT_PARAM_UPDATE   ? &s.nextParams
                         : slot.kind == NETC_SLOT_STATE_UPDATE ? &s.nextState
                                                               : &s.nextBuffers;
      if (now)
        std::swap((*now)[slot.index], (*next)[slot.index]);
    }
    // Updated parameters and state live in host memory now (the two buffers
    // alternate, so an address alone cannot tell old data from new).
    ++s.hostEpoch;
    ++stepCount;
  }
  error.clear();
  return true;
}

/// The weights of a model: its parameters, then its buffers, with their storage.
static void listWeights(const netc_model &m, const TensorList &params, const TensorList &buffers,
                        std::vector<netc_tensor> &descs, std::vector<HostTensor *> &storage) {
  for (int i = 0; i < m.num_params; ++i)
    descs.push_back(m.params[i]), storage.push_back(params[i].get());
  for (int i = 0; i < m.num_buffers; ++i)
    descs.push_back(m.buffers[i]), storage.push_back(buffers[i].get());
}

/// Copies the matched tensors of `file` into `storage`; entries without a
/// match (default weights lacking a tensor) keep what they hold.
static void copyMatched(const TensorFile &file, const std::vector<MatchedTensor> &matched,
                        const std::vector<HostTensor *> &storage) {
  for (size_t i = 0; i < storage.size(); ++i)
    if (matched[i].entry)
      std::memcpy(storage[i]->data(), file.data(*matched[i].entry), storage[i]->bytes());
}

void Context::loadDefaultWeights() {
  if (!m.default_weights || m.default_weights_size == 0)
    return;
  TensorFile file;
  std::vector<MatchedTensor> matched;
  std::vector<netc_tensor> descs;
  std::vector<HostTensor *> storage;
  listWeights(m, impl->params, impl->buffers, descs, storage);
  std::string why;
  std::string origin = std::string("the default weights of model '") + m.name + "'";
  if (!file.parse(std::vector<uint8_t>(m.default_weights,
                                       m.default_weights + m.default_weights_size),
                  TensorFormat::Safetensors, origin, "", why) ||
      !matchTensors(file, descs.data(), static_cast<int>(descs.size()), "parameter", m.name,
                    false, matched, why, /*allowMissing=*/true))
    throw std::runtime_error(why);
  copyMatched(file, matched, storage);
}

bool Context::loadWeights(const std::string &path) {
  return loadWeights(std::vector<std::string>{path});
}

bool Context::loadWeights(const std::vector<std::string> &specs) {
  TensorFile file;
  std::vector<MatchedTensor> matched;
  std::vector<netc_tensor> descs;
  std::vector<HostTensor *> storage;
  listWeights(m, impl->params, impl->buffers, descs, storage);
  int count = static_cast<int>(descs.size());
  if (!file.readAll(specs, error) ||
      !matchTensors(file, descs.data(), count, "parameter", m.name, false, matched, error,
                    /*allowMissing=*/false, /*skipCheckpointState=*/true))
    return false;
  copyMatched(file, matched, storage);
  ++impl->hostEpoch;
  error.clear();
  return true;
}

bool Context::saveWeights(const std::string &path) {
  std::vector<SafetensorsTensorRef> refs;
  std::vector<netc_tensor> descs;
  std::vector<HostTensor *> storage;
  listWeights(m, impl->params, impl->buffers, descs, storage);
  for (size_t i = 0; i < descs.size(); ++i) {
    const netc_tensor &p = descs[i];
    refs.push_back({p.name, safetensorsDType(p.dtype),
                    std::vector<int64_t>(p.shape, p.shape + p.rank), storage[i]->data()});
  }
  if (!writeTensorFile(path, refs, {{"netc_model", m.name}}, error))
    return false;
  error.clear();
  return true;
}

void *Context::param(int index) { return impl->params[index]->data(); }
const void *Context::grad(int index) const { return impl->grads[index]->data(); }
void *Context::gradData(int index) { return impl->grads[index]->data(); }
const void *Context::output(int index) const { return impl->outputs[index]->data(); }
const void *Context::state(int index) const { return impl->state[index]->data(); }

double Context::hyper(int index) const { return impl->hypers[index]; }

int Context::findHyper(const std::string &name) const {
  for (int k = 0; k < m.num_hypers; ++k)
    if (name == m.hypers[k].name)
      return k;
  return -1;
}

bool Context::setHyper(const std::string &name, double value) {
  int k = findHyper(name);
  if (k < 0) {
    std::string names;
    for (int j = 0; j < m.num_hypers; ++j)
      names += std::string(j ? ", " : "") + m.hypers[j].name;
    error = std::string("model '") + m.name + "' has no hyperparameter '" + printable(name) +
            "' (" + (names.empty() ? "it has no optimizer" : "its hyperparameters: " + names) +
            ")";
    return false;
  }
  if (!std::isfinite(value)) {
    error = "hyperparameter '" + printable(name) + "' must be finite";
    return false;
  }
  setHyper(k, value);
  error.clear();
  return true;
}

void Context::setHyper(int index, double value) { impl->hypers[index] = value; }

void *Context::stateData(int index) { return impl->state[index]->data(); }
void *Context::buffer(int index) { return impl->buffers[index]->data(); }
void Context::touched() { ++impl->hostEpoch; }

double Context::loss(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= impl->losses.size() || !impl->lossValid[index])
    return std::numeric_limits<double>::quiet_NaN();
  return impl->losses[index]->get(0);
}

} // namespace netc::runtime
