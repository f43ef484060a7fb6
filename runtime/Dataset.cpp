//===- Dataset.cpp - the samples of --data and --val ----------------------===//

#include "runtime/Dataset.h"
#include "runtime/SplitMix64.h"
#include "runtime/Tensors.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace netc::runtime {

namespace {

/// Distinguishes the shuffling stream from parameter, input and dropout
/// streams drawn from the same seed ("shuffle" in ASCII).
constexpr uint64_t kShuffleStream = 0x73687566666c65ull;

/// "[N, 10] (N >= 32 samples) or [BATCHES, 32, 10]": the shapes --data takes.
std::string dataShapes(const netc_tensor &desc) {
  std::string samples = "[N";
  for (int d = 1; d < desc.rank; ++d)
    samples += ", " + std::to_string(desc.shape[d]);
  samples += "] (N >= " + std::to_string(batchOf(desc)) + " samples)";
  if (desc.rank == 0)
    return samples;
  return samples + " or [BATCHES, " + shapeString(desc.shape, desc.rank).substr(1);
}

/// Element `i` of integer data of `dtype` (i32 or i64), unaligned.
int64_t integerAt(const uint8_t *data, netc_dtype dtype, uint64_t i) {
  if (dtype == NETC_I32) {
    int32_t v;
    std::memcpy(&v, data + i * sizeof v, sizeof v);
    return v;
  }
  int64_t v;
  std::memcpy(&v, data + i * sizeof v, sizeof v);
  return v;
}

} // namespace

uint64_t batchOf(const netc_tensor &desc) {
  return desc.rank == 0 ? 1 : static_cast<uint64_t>(desc.shape[0]);
}

bool SampleSet::load(const std::vector<std::string> &files, const netc_model &m,
                     std::vector<std::string> &extras, std::string &error, bool exact) {
  file = std::make_shared<TensorFile>();
  if (!file->readAll(files, error))
    return false;
  inputs.assign(m.num_inputs, InputSamples());
  std::vector<const TensorEntry *> found(m.num_inputs, nullptr);
  for (const TensorEntry &entry : file->tensors()) {
    int index = -1;
    for (int i = 0; i < m.num_inputs; ++i)
      if (entry.name == m.inputs[i].name)
        index = i;
    if (index < 0) {
      extras.push_back(entry.path + ": " + printable(entry.name));
      continue;
    }
    const netc_tensor &desc = m.inputs[index];
    std::string where = entry.path + ": tensor '" + printable(entry.name) + "'";
    const char *dtype = safetensorsDType(desc.dtype);
    if (!isFloat(desc.dtype) && entry.dtype != dtype &&
        !file->convertIntegers(entry, dtype, error))
      return false;
    if (entry.dtype != dtype) {
      error = where + " has dtype " + entry.dtype + ", model '" + m.name + "' expects " + dtype +
              " (" + typeString(desc) + ")";
      return false;
    }
    // [N, d1, ...] (rank r, trailing extents of the input) or [K, B, d1, ...].
    const std::vector<int64_t> &shape = entry.shape;
    size_t rank = static_cast<size_t>(desc.rank);
    int64_t skip = desc.rank == 0 ? 0 : 1;
    bool own = shape.size() == rank && std::equal(shape.begin(), shape.end(), desc.shape);
    bool samples = !exact && ((shape.size() == rank && rank > 0 &&
                               std::equal(shape.begin() + 1, shape.end(), desc.shape + 1)) ||
                              (shape.size() == 1 && rank == 0));
    bool batched = !exact && rank > 0 && shape.size() == rank + 1 &&
                   std::equal(shape.begin() + 1, shape.end(), desc.shape);
    InputSamples &in = inputs[index];
    in.batch = batchOf(desc);
    in.sampleBytes = dtypeSize(desc.dtype);
    for (int d = static_cast<int>(skip); d < desc.rank; ++d)
      in.sampleBytes *= static_cast<size_t>(desc.shape[d]);
    if (samples || own)
      in.count = shape.empty() ? 1 : static_cast<uint64_t>(shape[0]);
    else if (batched)
      in.count = static_cast<uint64_t>(shape[0]) * in.batch;
    else {
      error = where + " has shape " + shapeString(shape.data(), static_cast<int>(shape.size())) +
              ", model '" + m.name + "' expects " +
              (exact ? shapeString(desc.shape, desc.rank) : dataShapes(desc)) + " (" +
              typeString(desc) + ")";
      return false;
    }
    if (in.count < in.batch) {
      error = where + " holds " + std::to_string(in.count) + " sample" +
              (in.count == 1 ? "" : "s") + ", fewer than one batch of model '" + m.name + "' (" +
              std::to_string(in.batch) + ", " + typeString(desc) + ")";
      return false;
    }
    in.data = file->data(entry);
    in.batched = batched;
    in.where = where;
    found[index] = &entry;
  }
  for (int i = 0; i < m.num_inputs; ++i)
    if (!found[i]) {
      error = file->path() + ": tensor '" + printable(m.inputs[i].name) + "' is missing (input of model '" +
              m.name + "', " + typeString(m.inputs[i]) + ")";
      return false;
    }
  return true;
}

bool SampleSet::checkBounds(const netc_model &m, std::string &error) const {
  for (int i = 0; i < numInputs(); ++i) {
    const netc_tensor &desc = m.inputs[i];
    const InputSamples &in = inputs[i];
    if (isFloat(desc.dtype) || desc.bound <= 0)
      continue;
    uint64_t perSample = in.sampleBytes / dtypeSize(desc.dtype);
    uint64_t n = in.count * perSample;
    for (uint64_t e = 0; e < n; ++e) {
      int64_t v = integerAt(in.data, desc.dtype, e);
      if (v >= 0 && v < desc.bound)
        continue;
      // Where the value is, in the words of the file's own layout.
      uint64_t sample = in.first + e / perSample, within = e % perSample;
      std::string at =
          in.batched ? " batch " + std::to_string(sample / in.batch) + " element " +
                           std::to_string((sample % in.batch) * perSample + within)
          : perSample == 1 ? " sample " + std::to_string(sample)
                           : " sample " + std::to_string(sample) + " element " + std::to_string(within);
      error = in.where + at + " is " + std::to_string(v) + ", outside [0, " +
              std::to_string(desc.bound) + ")";
      return false;
    }
  }
  return true;
}

bool SampleSet::checkSameCount(const std::string &what, std::string &error) const {
  for (int i = 1; i < numInputs(); ++i)
    if (inputs[i].count != inputs[0].count) {
      error = inputs[i].where + " holds " + std::to_string(inputs[i].count) + " samples but " +
              inputs[0].where + " holds " + std::to_string(inputs[0].count) + ": every " + what +
              " tensor needs the same number of samples";
      return false;
    }
  for (int i = 1; i < numInputs(); ++i)
    if (inputs[i].batch != inputs[0].batch) {
      error = inputs[i].where + " is an input of batch " + std::to_string(inputs[i].batch) +
              " but " + inputs[0].where + " of batch " + std::to_string(inputs[0].batch) +
              ": " + what + " samples need inputs of one batch size";
      return false;
    }
  return true;
}

SampleSet SampleSet::slice(uint64_t begin, uint64_t end) const {
  SampleSet view = *this;
  for (InputSamples &in : view.inputs) {
    in.data += begin * in.sampleBytes;
    in.first += begin;
    in.count = end - begin;
  }
  return view;
}

void SampleSet::gather(const std::vector<uint64_t> &order, uint64_t start,
                       void *const *dst) const {
  for (int i = 0; i < numInputs(); ++i) {
    const InputSamples &in = inputs[i];
    auto *out = static_cast<uint8_t *>(dst[i]);
    for (uint64_t k = 0; k < in.batch; ++k) {
      uint64_t sample = order[(start + k) % order.size()];
      std::memcpy(out + k * in.sampleBytes, in.data + sample * in.sampleBytes, in.sampleBytes);
    }
  }
}

void SampleSet::batchInOrder(uint64_t b, void *const *dst) const {
  for (int i = 0; i < numInputs(); ++i) {
    const InputSamples &in = inputs[i];
    uint64_t batches = in.count / in.batch;
    size_t bytes = in.batch * in.sampleBytes;
    std::memcpy(dst[i], in.data + (b % batches) * bytes, bytes);
  }
}

std::vector<uint64_t> shuffledOrder(uint64_t seed, uint64_t epoch, uint64_t n, bool shuffle) {
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), uint64_t(0));
  if (!shuffle)
    return order;
  uint64_t key = mix64(mix64(seed ^ kShuffleStream) + epoch);
  uint64_t draw = 0;
  for (uint64_t i = n; i > 1; --i) {
    uint64_t r = mix64(key + ++draw * kGoldenGamma);
    // A uniform index in [0, i) by the high half of r * i (Lemire): its bias
    // is below i / 2^64, far under anything a dataset can show.
    uint64_t j = static_cast<uint64_t>((static_cast<unsigned __int128>(r) * i) >> 64);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

} // namespace netc::runtime
