//===- Context.h - the state of a compiled model ----------------*- C++ -*-===//
//
// Plain C++17. A Context holds what a compiled model needs between calls:
// its parameters, their gradients, the optimizer state, the last outputs and
// loss, and the step counter. It is driven by the model's static descriptor
// (runtime/Model.h) alone, so the one runtime serves every model; the C API
// of a generated library (NAME.h) and the driver of generated executables
// are thin layers over it.
//
// Seeds: parameter i is initialised from (seed, paramStream(i)) and seeded
// input i from (seed, inputStream(i)) as runtime/Init.h describes (float
// inputs U(-1, 1), or U(0, 1) where a bce reads them; integer inputs uniform
// in [0, bound), 10 when the bound is unknown), and train step number k (from
// 0) draws its dropout masks from stepSeed(seed, k), exactly as the reference
// interpreter does.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_CONTEXT_H
#define NETC_RUNTIME_CONTEXT_H

#include "runtime/Model.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netc::runtime {

/// The dropout seed of train step `step` (from 0) of a run seeded with
/// `seed`: mix64(mix64(seed) + step), as in the reference interpreter.
int64_t stepSeed(uint64_t seed, uint64_t step);

/// The train steps of a model: its `train_steps` (several losses), else its
/// one train step (named after its loss), else none.
std::vector<netc_train_step> trainStepsOf(const netc_model &m);

/// Parameters, gradients, optimizer state and results of one compiled model.
/// Methods that can fail return false and leave a message in lastError().
/// The first one created installs (once, thread-safely) a process-wide Halide
/// error handler that routes the runtime's messages into lastError() of the
/// call that raised them instead of stderr. A context is not thread-safe;
/// distinct contexts may run on distinct threads.
class Context {
public:
  /// Allocates every buffer and initialises the parameters from `seed`.
  Context(const netc_model &model, uint64_t seed);
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  const netc_model &model() const { return m; }
  /// Whether the model has a loss and so a train step.
  bool hasTrainStep() const { return !trainSteps.empty(); }
  /// The train steps (one per loss in models with several), in the order
  /// the executable runs them; each has its own loss.
  int numTrainSteps() const { return static_cast<int>(trainSteps.size()); }
  const netc_train_step &trainStepInfo(int index) const { return trainSteps[index]; }
  uint64_t seed() const { return rootSeed; }

  /// Re-initialises the parameters from `seed` (then from the model's
  /// default weights, when it embeds some), zeroes the optimizer state and
  /// restarts the step count. Default weights that do not match the model
  /// throw std::runtime_error (netc checks them when it embeds them).
  void reset(uint64_t seed);

  /// Fills `data` (input `index`'s size) with the seeded input of `seed`.
  void fillInput(int index, void *data, uint64_t seed) const;

  /// Runs the inference function. `inputs[i]` points to input i;
  /// `outputs[j]` receives output j, and a null `outputs` (or entry) keeps it
  /// in the context (see output()). Integer inputs are checked against
  /// their bounds first.
  bool forward(const void *const *inputs, void *const *outputs);

  /// Runs one train step on `inputs`: the parameters and optimizer state are
  /// updated, the gradients, outputs and loss kept. `loss` may be null.
  bool trainStep(const void *const *inputs, double *loss) { return trainStep(0, inputs, loss); }
  /// Runs train step `index` (see numTrainSteps()): it updates the
  /// parameters it trains, its own optimizer state and the buffers.
  bool trainStep(int index, const void *const *inputs, double *loss);

  /// Whether train step `index` runs in two halves (computeGradients, then
  /// applyUpdate); not on GPU targets.
  bool hasGradientSplit(int index) const;
  /// The first half of train step `index`: loss, outputs, buffer updates and
  /// gradients (gradData), with the dropout masks trainStep would draw.
  /// Nothing else changes until applyUpdate.
  bool computeGradients(int index, const void *const *inputs, double *loss);
  /// The second half: the optimizer update of the parameters and state from
  /// the gradients as they are now, then the step count advances. Fails
  /// unless computeGradients of the same step ran last.
  bool applyUpdate(int index);

  /// Loads every parameter and buffer from a tensor file (all or nothing;
  /// any format of runtime/TensorFile.h).
  bool loadWeights(const std::string &path);
  /// The same from several files that together hold every tensor once.
  bool loadWeights(const std::vector<std::string> &specs);
  /// Writes every parameter and buffer to a tensor file, atomically.
  bool saveWeights(const std::string &path);

  /// The storage of parameter, gradient, output or state `index`.
  void *param(int index);
  const void *grad(int index) const;
  /// The gradient of parameter `index`, writable between computeGradients
  /// and applyUpdate.
  void *gradData(int index);
  const void *output(int index) const;
  const void *state(int index) const;
  /// The last loss computed (by a train step, or by the forward function
  /// when it computes one); NaN before.
  double loss() const { return loss(0); }
  /// The last value of the loss of train step `index`; NaN before.
  double loss(int index) const;
  /// The number of train steps run since creation or reset().
  uint64_t steps() const { return stepCount; }

  /// The run-time hyperparameters (netc_model::hypers, "lr", "d.lr"): each
  /// starts at its compiled value (again after reset()) and is passed to
  /// every call of its train step.
  int numHypers() const { return m.num_hypers; }
  double hyper(int index) const;
  /// The index of hyperparameter `name`, or -1.
  int findHyper(const std::string &name) const;
  /// Sets hyperparameter `name`; false, with lastError(), for a name the
  /// model lacks (the message lists those it has) or a non-finite value.
  bool setHyper(const std::string &name, double value);
  void setHyper(int index, double value);

  /// For checkpoints (runtime/Checkpoint.h): the storage of optimizer state
  /// and buffers, writable; call touched() after writing any parameter,
  /// buffer or state through these pointers.
  void *stateData(int index);
  void *buffer(int index);
  /// Host memory changed behind the compiled code's back (device copies are stale).
  void touched();
  /// Sets the number of train steps run (resuming a run): the next train
  /// step draws its dropout masks from stepSeed(seed(), steps).
  void setSteps(uint64_t steps) { stepCount = steps; }
  /// Changes the seed of later dropout masks without re-initialising anything.
  void setSeed(uint64_t seed) { rootSeed = seed; }

  /// The message of the last failure ("" if none).
  const std::string &lastError() const { return error; }
  /// Records a failure found outside the context (the C API's checks).
  void setLastError(std::string message) { error = std::move(message); }

private:
  struct Impl;
  /// Loads the model's default weights over the seeded initialisation.
  void loadDefaultWeights();
  /// Which part of a train step run() runs.
  enum class Half { Both, Gradients, Update };
  /// Runs the forward function (`trainCall` null) or a train step's call.
  bool run(void *trainCall, const void *const *inputs, void *const *outputs,
           Half half = Half::Both);
  /// Checks train step `index` for trainStep and its halves.
  bool checkStep(int index);

  const netc_model &m;
  std::vector<netc_train_step> trainSteps;
  uint64_t rootSeed;
  uint64_t stepCount = 0;
  std::string error;
  std::unique_ptr<Impl> impl;
};

} // namespace netc::runtime

#endif // NETC_RUNTIME_CONTEXT_H
