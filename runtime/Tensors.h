//===- Tensors.h - host tensors of a compiled model -------------*- C++ -*-===//
//
// Plain C++17. Owned storage for the tensors a netc_model describes, the
// words used for them in messages, and the matching of a safetensors file
// against a list of tensors (by name, dtype and shape) that weights, inputs
// and training data share.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_TENSORS_H
#define NETC_RUNTIME_TENSORS_H

#include "runtime/Model.h"
#include "runtime/Safetensors.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netc::runtime {

class TensorFile;

/// Bytes of one element.
size_t dtypeSize(netc_dtype dtype);
/// The safetensors name of a dtype: "F32", "F64", "I32", "I64".
const char *safetensorsDType(netc_dtype dtype);
/// The DSL name of a dtype: "f32", ...
const char *dslDType(netc_dtype dtype);
/// Whether the dtype is f32 or f64.
bool isFloat(netc_dtype dtype);
/// The number of elements of a tensor (1 for a scalar).
int64_t numel(const netc_tensor &t);
/// The tensor's shape as "[32, 10]".
std::string shapeString(const int64_t *shape, int rank);
/// The tensor's type as "f32[32, 10]" ("f32[]" for a scalar).
std::string typeString(const netc_tensor &t);

/// Zero-initialised, 64-byte aligned storage of one tensor.
class HostTensor {
public:
  explicit HostTensor(const netc_tensor &desc);
  HostTensor(const HostTensor &) = delete;
  HostTensor &operator=(const HostTensor &) = delete;

  const netc_tensor &desc() const { return *d; }
  void *data() { return storage.get(); }
  const void *data() const { return storage.get(); }
  size_t bytes() const { return size; }
  /// Element `i` converted to double, whatever the dtype.
  double get(int64_t i) const;

private:
  struct Free {
    void operator()(void *p) const;
  };
  const netc_tensor *d;
  size_t size;
  std::unique_ptr<void, Free> storage;
};

/// A tensor of a safetensors file matched with a model tensor.
struct MatchedTensor {
  const SafetensorsEntry *entry = nullptr;
  /// 1 for a tensor of exactly the model's shape; the size of the extra
  /// leading axis otherwise (only where batches are allowed).
  int64_t batches = 1;
};

/// Matches every tensor of `file` with one of `descs` (the `count` tensors
/// `role`s of model `model`, e.g. "parameter"). Unknown names, a dtype or
/// shape that differs, and a missing tensor are errors naming the file and
/// the tensor. With `allowBatches`, a tensor may also carry one extra leading
/// axis of batches. `out[i]` is the match of `descs[i]`.
bool matchTensors(const SafetensorsFile &file, const netc_tensor *descs, int count,
                  const char *role, const char *model, bool allowBatches,
                  std::vector<MatchedTensor> &out, std::string &error);

/// As above for the tensors of any tensor files (runtime/TensorFile.h);
/// messages name the file each tensor came from. Integers (and booleans) of
/// another width than an integer tensor of the model are converted first,
/// each value checked to fit. With `allowMissing`, a tensor the file lacks
/// is no error and its match has a null entry (default weights). With
/// `skipCheckpointState`, a checkpoint's optimizer state and hyperparameters
/// are passed over (a checkpoint read as a weights file).
bool matchTensors(TensorFile &file, const netc_tensor *descs, int count, const char *role,
                  const char *model, bool allowBatches, std::vector<MatchedTensor> &out,
                  std::string &error, bool allowMissing = false,
                  bool skipCheckpointState = false);

/// Checks that an integer tensor's values lie in [0, desc.bound) when the
/// bound is known. `where` starts the message ("FILE: tensor 'label'").
bool checkIndices(const netc_tensor &desc, const void *data, const std::string &where,
                  std::string &error);

} // namespace netc::runtime

#endif // NETC_RUNTIME_TENSORS_H
