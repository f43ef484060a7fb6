//===- Dataset.h - the samples of --data and --val --------------*- C++ -*-===//
//
// Plain C++17. The training data of a generated executable: tensor files
// whose tensors are named as the model's inputs and whose leading axis
// counts samples. For an input of shape [B, d1, ...] (B the compiled batch)
// a tensor may be
//
//   [N, d1, ...]      N samples, any N >= B (N = B: exactly one batch)
//   [K, B, d1, ...]   K batches of B samples: K * B samples in that order
//
// Both are the same bytes: consecutive samples. An input of rank 0 has
// batches of one sample. The executable batches them (runtime/Driver*.cpp):
// with --epochs in a permutation per epoch (shuffledOrder), otherwise batch
// i mod count of each tensor in file order.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_DATASET_H
#define NETC_RUNTIME_DATASET_H

#include "runtime/Model.h"
#include "runtime/TensorFile.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netc::runtime {

/// The samples of one model input in a tensor file.
struct InputSamples {
  /// The first sample's bytes (unaligned), in the file's memory.
  const uint8_t *data = nullptr;
  /// The bytes of one sample, and the samples of one batch (B).
  size_t sampleBytes = 0;
  uint64_t batch = 1;
  /// N: the samples of this tensor (of this view, see SampleSet::slice).
  uint64_t count = 0;
  /// The first sample's index in its file (a view's offset).
  uint64_t first = 0;
  /// Whether the file holds the [K, B, ...] form (messages speak of batches).
  bool batched = false;
  /// "FILE: tensor 'x'", to start messages.
  std::string where;
};

/// The batch (B) of model input `desc`: its leading extent, 1 for a scalar.
uint64_t batchOf(const netc_tensor &desc);

/// The samples of every model input, read from one or more tensor files.
class SampleSet {
public:
  /// Reads `files` (merged, runtime/TensorFile.h) and matches their tensors
  /// with the inputs of `m`. A tensor that is no input is skipped and its
  /// name added to `extras`; a missing input, a dtype that differs, a shape
  /// of neither form, or fewer samples than one batch is an error naming
  /// the file and the tensor. With `exact`, only the input's own shape is
  /// taken (one batch: --inputs).
  bool load(const std::vector<std::string> &files, const netc_model &m,
            std::vector<std::string> &extras, std::string &error, bool exact = false);

  /// Checks every integer sample against its input's bound (all samples,
  /// so that a bad index never reaches compiled code).
  bool checkBounds(const netc_model &m, std::string &error) const;
  /// Checks that every input holds the same number of samples; `what`
  /// names the set in the message ("--data").
  bool checkSameCount(const std::string &what, std::string &error) const;

  /// The number of samples (of the first input; see checkSameCount).
  uint64_t size() const { return inputs.empty() ? 0 : inputs[0].count; }
  /// The samples of input `i`.
  const InputSamples &input(int i) const { return inputs[i]; }
  int numInputs() const { return static_cast<int>(inputs.size()); }

  /// A view of samples [begin, end) of every input (same files in memory).
  SampleSet slice(uint64_t begin, uint64_t end) const;

  /// Copies into `dst[i]` (input i's batch) the samples `order[start]`,
  /// `order[start + 1]`, ... of input i, wrapping to the start of `order`
  /// past its end (a last partial batch completed with the first samples).
  void gather(const std::vector<uint64_t> &order, uint64_t start, void *const *dst) const;
  /// Copies into `dst[i]` batch `b mod count` of input i in file order
  /// (count = its samples / its batch): the --steps form of --data.
  void batchInOrder(uint64_t b, void *const *dst) const;

private:
  std::shared_ptr<TensorFile> file;
  std::vector<InputSamples> inputs;
};

/// The order of `n` samples in epoch `epoch` (from 1) of a run seeded with
/// `seed`: a permutation drawn by Fisher-Yates from splitmix64 numbers of
/// (seed, epoch) alone, so a resumed run draws the same orders; with
/// `shuffle` false, 0, 1, ..., n - 1.
std::vector<uint64_t> shuffledOrder(uint64_t seed, uint64_t epoch, uint64_t n, bool shuffle);

} // namespace netc::runtime

#endif // NETC_RUNTIME_DATASET_H
