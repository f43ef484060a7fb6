//===- Tensors.cpp - host tensors of a compiled model ---------------------===//

#include "runtime/Tensors.h"
#include "runtime/Checkpoint.h"
#include "runtime/TensorFile.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace netc::runtime {

size_t dtypeSize(netc_dtype dtype) { return dtype == NETC_F32 || dtype == NETC_I32 ? 4 : 8; }

const char *safetensorsDType(netc_dtype dtype) {
  switch (dtype) {
  case NETC_F32:
    return "F32";
  case NETC_F64:
    return "F64";
  case NETC_I32:
    return "I32";
  case NETC_I64:
    return "I64";
  }
  return "?";
}

const char *dslDType(netc_dtype dtype) {
  switch (dtype) {
  case NETC_F32:
    return "f32";
  case NETC_F64:
    return "f64";
  case NETC_I32:
    return "i32";
  case NETC_I64:
    return "i64";
  }
  return "?";
}

bool isFloat(netc_dtype dtype) { return dtype == NETC_F32 || dtype == NETC_F64; }

int64_t numel(const netc_tensor &t) {
  int64_t n = 1;
  for (int i = 0; i < t.rank; ++i)
    n *= t.shape[i];
  return n;
}

std::string shapeString(const int64_t *shape, int rank) {
  std::string s = "[";
  for (int i = 0; i < rank; ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string typeString(const netc_tensor &t) {
  return dslDType(t.dtype) + shapeString(t.shape, t.rank);
}

void HostTensor::Free::operator()(void *p) const { std::free(p); }

HostTensor::HostTensor(const netc_tensor &desc)
    : d(&desc), size(static_cast<size_t>(numel(desc)) * dtypeSize(desc.dtype)) {
  // aligned_alloc wants a multiple of the alignment; vector loads like 64 bytes.
  size_t rounded = (size + 63) / 64 * 64;
  void *p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p)
    throw std::bad_alloc();
  std::memset(p, 0, rounded ? rounded : 64);
  storage.reset(p);
}

double HostTensor::get(int64_t i) const {
  switch (d->dtype) {
  case NETC_F32:
    return static_cast<const float *>(data())[i];
  case NETC_F64:
    return static_cast<const double *>(data())[i];
  case NETC_I32:
    return static_cast<const int32_t *>(data())[i];
  case NETC_I64:
    return static_cast<double>(static_cast<const int64_t *>(data())[i]);
  }
  return 0;
}

/// The shape of a batch file: "[BATCHES, 32, 10]".
static std::string batchedShape(const netc_tensor &desc) {
  return desc.rank == 0 ? "[BATCHES]" : "[BATCHES, " + shapeString(desc.shape, desc.rank).substr(1);
}

/// The core of both matchTensors: `entries` are the file's tensors, each
/// with the file it came from; `files` names them all.
static bool matchEntries(const std::vector<std::pair<const SafetensorsEntry *, std::string>> &entries,
                         const std::string &files, const netc_tensor *descs, int count,
                         const char *role, const char *model, bool allowBatches,
                         bool allowMissing, std::vector<MatchedTensor> &out, std::string &error) {
  out.assign(count, MatchedTensor());
  for (const auto &[entryPtr, path] : entries) {
    const SafetensorsEntry &entry = *entryPtr;
    int index = -1;
    for (int i = 0; i < count; ++i)
      if (entry.name == descs[i].name)
        index = i;
    std::string where = path + ": tensor '" + printable(entry.name) + "' ";
    if (index < 0) {
      std::string names;
      for (int i = 0; i < count; ++i)
        names += std::string(i ? ", " : "") + printable(descs[i].name);
      const char *article = std::strchr("aeiou", role[0]) ? "an " : "a ";
      error = where + "is not " + article + role + " of model '" + model + "' (" + role +
              "s: " + (names.empty() ? "none" : names) + ")";
      return false;
    }
    const netc_tensor &desc = descs[index];
    std::string expected = typeString(desc);
    if (entry.dtype != safetensorsDType(desc.dtype)) {
      error = where + "has dtype " + entry.dtype + ", model '" + model + "' expects " +
              safetensorsDType(desc.dtype) + " (" + expected + ")";
      return false;
    }
    const std::vector<int64_t> &shape = entry.shape;
    bool exact = shape.size() == static_cast<size_t>(desc.rank) &&
                 std::equal(shape.begin(), shape.end(), desc.shape);
    bool batched = allowBatches && shape.size() == static_cast<size_t>(desc.rank) + 1 &&
                   shape[0] > 0 && std::equal(shape.begin() + 1, shape.end(), desc.shape);
    if (!exact && !batched) {
      error = where + "has shape " + shapeString(shape.data(), static_cast<int>(shape.size())) +
              ", model '" + model + "' expects " + shapeString(desc.shape, desc.rank) +
              (allowBatches ? " or " + batchedShape(desc) : std::string()) + " (" + expected + ")";
      return false;
    }
    out[index] = MatchedTensor{&entry, exact ? 1 : shape[0]};
  }
  for (int i = 0; i < count && !allowMissing; ++i)
    if (!out[i].entry) {
      error = files + ": tensor '" + printable(descs[i].name) + "' is missing (" + role +
              " of model '" + model + "', " + typeString(descs[i]) + ")";
      return false;
    }
  return true;
}

bool matchTensors(const SafetensorsFile &file, const netc_tensor *descs, int count,
                  const char *role, const char *model, bool allowBatches,
                  std::vector<MatchedTensor> &out, std::string &error) {
  std::vector<std::pair<const SafetensorsEntry *, std::string>> entries;
  for (const SafetensorsEntry &entry : file.tensors())
    entries.push_back({&entry, file.path()});
  return matchEntries(entries, file.path(), descs, count, role, model, allowBatches, false, out,
                      error);
}

bool matchTensors(TensorFile &file, const netc_tensor *descs, int count, const char *role,
                  const char *model, bool allowBatches, std::vector<MatchedTensor> &out,
                  std::string &error, bool allowMissing, bool skipCheckpointState) {
  std::vector<std::pair<const SafetensorsEntry *, std::string>> entries;
  for (const TensorEntry &entry : file.tensors()) {
    if (skipCheckpointState && isCheckpointStateName(entry.name))
      continue;
    for (int i = 0; i < count; ++i)
      if (entry.name == descs[i].name && !isFloat(descs[i].dtype) &&
          entry.dtype != safetensorsDType(descs[i].dtype) &&
          !file.convertIntegers(entry, safetensorsDType(descs[i].dtype), error))
        return false;
    entries.push_back({&entry, entry.path});
  }
  return matchEntries(entries, file.path(), descs, count, role, model, allowBatches,
                      allowMissing, out, error);
}

bool checkIndices(const netc_tensor &desc, const void *data, const std::string &where,
                  std::string &error) {
  if (isFloat(desc.dtype) || desc.bound <= 0)
    return true;
  int64_t n = numel(desc);
  for (int64_t i = 0; i < n; ++i) {
    int64_t v = desc.dtype == NETC_I32 ? static_cast<const int32_t *>(data)[i]
                                       : static_cast<const int64_t *>(data)[i];
    if (v < 0 || v >= desc.bound) {
      error = where + " element " + std::to_string(i) + " is " + std::to_string(v) +
              ", outside [0, " + std::to_string(desc.bound) + ")";
      return false;
    }
  }
  return true;
}

} // namespace netc::runtime
