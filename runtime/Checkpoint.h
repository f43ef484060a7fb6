//===- Checkpoint.h - resumable training state ------------------*- C++ -*-===//
//
// Plain C++17. A checkpoint holds everything a training run needs to go on
// exactly where it stopped: parameters, buffers, optimizer state, the
// run-time hyperparameters, the step and epoch counts and the seed of the
// run (dropout masks come from stepSeed(seed, step) and the order of an
// epoch from (seed, epoch), so those two counters and the seed are the whole
// state of the random draws). Training E1 epochs, saving, and resuming for
// E2 more gives bitwise the run of E1 + E2 epochs.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_CHECKPOINT_H
#define NETC_RUNTIME_CHECKPOINT_H

#include <cstdint>
#include <string>

namespace netc::runtime {

class Context;

/// Where a run stands, besides what the Context holds.
struct TrainingPosition {
  /// The seed of the run (--seed): initialisation, dropout masks, shuffling.
  uint64_t seed = 0;
  /// Train steps run so far (Context::steps()).
  uint64_t step = 0;
  /// Whole epochs completed.
  uint64_t epoch = 0;
};

/// Writes `ctx`'s parameters, buffers, optimizer state and hyperparameters
/// with `pos` to `path` atomically (nothing is left on failure); false with
/// a message naming the file.
bool saveCheckpoint(Context &ctx, const std::string &path, const TrainingPosition &pos,
                    std::string &error);

/// Reads a checkpoint of the same model into `ctx` (all or nothing: on
/// failure `ctx` is unchanged) and its position into `pos`; the context's
/// step count and seed are set from it. False with a message naming the file
/// and, where it applies, the tensor.
bool loadCheckpoint(Context &ctx, const std::string &path, TrainingPosition &pos,
                    std::string &error);

/// The start of the names of the tensors a checkpoint adds to the weights
/// (optimizer state and hyperparameters), which parameters may not use.
constexpr char kCheckpointPrefix[] = "netc:";

/// Whether `name` is one of those tensors, which loading a checkpoint as a
/// weights file skips. Inline: the compiler's weight checks use it without
/// linking the rest of the runtime.
inline bool isCheckpointStateName(const std::string &name) {
  return name.compare(0, sizeof kCheckpointPrefix - 1, kCheckpointPrefix) == 0;
}

} // namespace netc::runtime

#endif // NETC_RUNTIME_CHECKPOINT_H
