//===- TensorFile.h - named tensors from any tensor file --------*- C++ -*-===//
//
// Plain C++17. Everywhere netc reads or writes tensors by name (weights,
// inputs, outputs, training data; executables, the C API and netc --run),
// the file's format follows its extension:
//
//   .safetensors   any number of tensors, by name (any other extension too)
//   .npz           NumPy's archive (np.savez, np.savez_compressed): one
//                  array per name
//   .npy           one array; `NAME=FILE.npy` names it, else the file's stem
//                  does (x.npy holds x)
//   .pb            one ONNX TensorProto (read only), named by its own name or
//                  by `NAME=FILE.pb`
//
// Several files merge into one TensorFile (`--inputs x=a.npy --inputs
// y=b.npy`); a name in two of them is an error. Messages name the file a
// tensor came from.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_TENSORFILE_H
#define NETC_RUNTIME_TENSORFILE_H

#include "runtime/Safetensors.h"

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace netc::runtime {

/// The formats of tensor files.
enum class TensorFormat { Safetensors, Npy, Npz, OnnxTensor };

/// The format of `path` by its extension: .npz, .npy and .pb; any other
/// name (.safetensors, and names without an extension, as before these
/// formats) is safetensors.
TensorFormat tensorFormatOf(const std::string &path);

/// A tensor file as given on a command line: "NAME=FILE.npy" (or .pb) names
/// the one tensor of the file; anything else is a path alone.
struct TensorFileSpec {
  std::string name, path;
};
TensorFileSpec splitTensorFileSpec(const std::string &text);

/// One tensor of a TensorFile: the safetensors entry's name, dtype and shape
/// (its byte range relative to `bytes`), where the elements are, and the file.
struct TensorEntry : SafetensorsEntry {
  const uint8_t *bytes = nullptr;
  std::string path;
};

/// The tensors of one or more files, in memory.
class TensorFile {
public:
  /// Reads the file `spec` names (see TensorFileSpec) and adds its tensors.
  /// On failure returns false and sets `error` to one line naming the file
  /// (and the tensor, where one is at fault).
  bool read(const std::string &spec, std::string &error);
  /// Reads every file of `specs`, in order.
  bool readAll(const std::vector<std::string> &specs, std::string &error);
  /// Adds the tensors of `contents`, a whole file of `format` already in
  /// memory; `path` names it in messages, `name` names a one-tensor file.
  bool parse(std::vector<uint8_t> contents, TensorFormat format, const std::string &path,
             const std::string &name, std::string &error);

  /// The tensors, in the order of the files and of each file.
  const std::deque<TensorEntry> &tensors() const { return entries; }
  const TensorEntry *find(const std::string &name) const;
  /// The first byte of an entry's elements (unaligned).
  const uint8_t *data(const SafetensorsEntry &entry) const {
    return static_cast<const TensorEntry &>(entry).bytes;
  }
  /// The file an entry came from.
  const std::string &pathOf(const SafetensorsEntry &entry) const {
    return static_cast<const TensorEntry &>(entry).path;
  }
  /// The files read, as "a.npy, b.npy" for messages.
  std::string path() const;

  /// Converts the integers (or booleans) of `entry` to the integer dtype
  /// `dtype` ("I32", "I64"); a value that does not fit is an error. Other
  /// entries and dtypes are left as they are (true).
  bool convertIntegers(const TensorEntry &entry, const std::string &dtype, std::string &error);

private:
  /// Adds one tensor; a name already present is an error.
  bool add(TensorEntry entry, std::string &error);

  std::deque<TensorEntry> entries;
  std::vector<std::string> files;
  /// Storage the entries point into.
  std::deque<std::vector<uint8_t>> blobs;
  std::deque<SafetensorsFile> safetensors;
};

/// Writes `tensors` to the file `spec` names, in its format: every tensor to
/// .safetensors (with `metadata`) and .npz; to .npy the tensor NAME of
/// `NAME=FILE.npy`, or the only one. Atomic: on failure no file is left.
bool writeTensorFile(const std::string &spec, const std::vector<SafetensorsTensorRef> &tensors,
                     const std::map<std::string, std::string> &metadata, std::string &error);

} // namespace netc::runtime

#endif // NETC_RUNTIME_TENSORFILE_H
