//===- Checkpoint.cpp - resumable training state --------------------------===//
//
// A checkpoint is one safetensors file. Parameters and buffers keep their own
// names, so the file is also a weights file (--weights reads that part);
// optimizer state and hyperparameters go under the reserved prefix "netc:"
// ("netc:state/NAME", and "netc:hyper/NAME" as 0-d F64), which no weights
// file uses. The metadata holds the format version (netc_checkpoint), the
// model (netc_model) and the position (netc_seed, netc_step, netc_epoch) as
// decimal strings.
//
// Loading validates the whole file against the model before it writes
// anything, so a failed load leaves the context as it was.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/Context.h"
#include "runtime/Safetensors.h"
#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

namespace netc::runtime {

namespace {

const char kStatePrefix[] = "netc:state/";
const char kHyperPrefix[] = "netc:hyper/";
/// The format version this runtime writes and reads.
const char kVersion[] = "1";

/// Every tensor of a checkpoint of `ctx`'s model: its name in the file, its
/// descriptor (named as in the file) and its storage in the context. Names
/// are kept in a list of their own, which the descriptors point into.
struct Layout {
  std::vector<std::string> names;
  std::vector<netc_tensor> descs;
  std::vector<void *> storage;
  /// Hyperparameter values, one 0-d F64 tensor each.
  std::vector<double> hypers;
  size_t firstHyper = 0;
};

void addTensors(Layout &l, const netc_tensor *tensors, int count, const std::string &prefix) {
  for (int i = 0; i < count; ++i) {
    l.names.push_back(prefix + tensors[i].name);
    l.descs.push_back(tensors[i]);
  }
}

/// Lays out `ctx`'s tensors in checkpoint order: parameters, buffers, state,
/// hyperparameters.
Layout layoutOf(Context &ctx) {
  const netc_model &m = ctx.model();
  Layout l;
  addTensors(l, m.params, m.num_params, "");
  addTensors(l, m.buffers, m.num_buffers, "");
  addTensors(l, m.state, m.num_state, kStatePrefix);
  for (int i = 0; i < m.num_params; ++i)
    l.storage.push_back(ctx.param(i));
  for (int i = 0; i < m.num_buffers; ++i)
    l.storage.push_back(ctx.buffer(i));
  for (int i = 0; i < m.num_state; ++i)
    l.storage.push_back(ctx.stateData(i));
  l.firstHyper = l.descs.size();
  l.hypers.resize(m.num_hypers);
  for (int i = 0; i < m.num_hypers; ++i) {
    l.names.push_back(std::string(kHyperPrefix) + m.hypers[i].name);
    netc_tensor t{};
    t.dtype = NETC_F64;
    l.descs.push_back(t);
    l.hypers[i] = ctx.hyper(i);
    l.storage.push_back(&l.hypers[i]);
  }
  for (size_t i = 0; i < l.descs.size(); ++i)
    l.descs[i].name = l.names[i].c_str();
  return l;
}

/// Parses a decimal uint64 metadata value; false for anything else.
bool parseCount(const std::string &text, uint64_t &value) {
  if (text.empty() || text.size() > 20)
    return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    uint64_t next = value * 10 + uint64_t(c - '0');
    if (next / 10 != value)
      return false;
    value = next;
  }
  return true;
}

} // namespace

bool saveCheckpoint(Context &ctx, const std::string &path, const TrainingPosition &pos,
                    std::string &error) {
  const netc_model &m = ctx.model();
  if (tensorFormatOf(path) != TensorFormat::Safetensors) {
    error = "cannot write checkpoint '" + path +
            "': checkpoints are safetensors files (name it .safetensors)";
    return false;
  }
  Layout l = layoutOf(ctx);
  // Parameter and buffer names must stay clear of the reserved prefix, or a
  // weight could be read back as optimizer state.
  for (size_t i = 0; i < size_t(m.num_params + m.num_buffers); ++i)
    if (isCheckpointStateName(l.names[i])) {
      error = "cannot write checkpoint '" + path + "': tensor '" + printable(l.names[i]) +
              "' of model '" + m.name + "' starts with '" + kCheckpointPrefix +
              "', which checkpoints reserve for optimizer state";
      return false;
    }
  std::vector<SafetensorsTensorRef> refs;
  for (size_t i = 0; i < l.descs.size(); ++i) {
    const netc_tensor &t = l.descs[i];
    refs.push_back({l.names[i], safetensorsDType(t.dtype),
                    std::vector<int64_t>(t.shape, t.shape + t.rank), l.storage[i]});
  }
  std::map<std::string, std::string> meta = {
      {"netc_checkpoint", kVersion},           {"netc_model", m.name},
      {"netc_seed", std::to_string(pos.seed)}, {"netc_step", std::to_string(pos.step)},
      {"netc_epoch", std::to_string(pos.epoch)}};
  return writeSafetensors(path, refs, meta, error);
}

bool loadCheckpoint(Context &ctx, const std::string &path, TrainingPosition &pos,
                    std::string &error) {
  const netc_model &m = ctx.model();
  SafetensorsFile file;
  if (!file.read(path, error))
    return false;
  const std::map<std::string, std::string> &meta = file.metadata();
  auto value = [&](const char *key) {
    auto it = meta.find(key);
    return it == meta.end() ? std::string() : it->second;
  };
  std::string version = value("netc_checkpoint");
  if (version.empty()) {
    error = path + ": not a netc checkpoint (no netc_checkpoint metadata; a weights file is "
                   "loaded with --weights)";
    return false;
  }
  if (version != kVersion) {
    error = path + ": checkpoint format version '" + printable(version) +
            "' is not supported (this netc reads version " + kVersion + ")";
    return false;
  }
  if (value("netc_model") != m.name) {
    error = path + ": the checkpoint is of model '" + printable(value("netc_model")) +
            "', not '" + m.name + "'";
    return false;
  }
  TrainingPosition read;
  const std::pair<const char *, uint64_t *> counts[] = {
      {"netc_seed", &read.seed}, {"netc_step", &read.step}, {"netc_epoch", &read.epoch}};
  for (const auto &[key, field] : counts)
    if (!parseCount(value(key), *field)) {
      error = path + ": metadata '" + key + "' is '" + printable(value(key)) +
              "', not a count";
      return false;
    }

  Layout l = layoutOf(ctx);
  std::vector<MatchedTensor> matched;
  if (!matchTensors(file, l.descs.data(), static_cast<int>(l.descs.size()), "checkpoint tensor",
                    m.name, false, matched, error))
    return false;
  std::vector<double> hypers(m.num_hypers);
  for (int i = 0; i < m.num_hypers; ++i) {
    std::memcpy(&hypers[i], file.data(*matched[l.firstHyper + i].entry), sizeof(double));
    if (!std::isfinite(hypers[i])) {
      error = path + ": tensor '" + l.names[l.firstHyper + i] + "' is not finite";
      return false;
    }
  }

  // Everything checked: only now does the context change.
  for (size_t i = 0; i < l.firstHyper; ++i)
    std::memcpy(l.storage[i], file.data(*matched[i].entry),
                static_cast<size_t>(numel(l.descs[i])) * dtypeSize(l.descs[i].dtype));
  for (int i = 0; i < m.num_hypers; ++i)
    ctx.setHyper(i, hypers[i]);
  ctx.setSteps(read.step);
  ctx.setSeed(read.seed);
  ctx.touched();
  pos = read;
  error.clear();
  return true;
}

} // namespace netc::runtime
