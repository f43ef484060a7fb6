//===- Safetensors.h - reading and writing .safetensors files ---*- C++ -*-===//
//
// Plain C++17. The format (https://github.com/huggingface/safetensors): an
// 8-byte little-endian header size N, N bytes of JSON mapping each tensor
// name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative
// to the data area that follows the header) and an optional "__metadata__"
// object of strings, then the data area.
//
// Reading validates everything before any tensor is used: the file length,
// the header size, the JSON, each entry's dtype, shape and offsets (inside
// the data area, consistent with the shape, not overlapping another tensor)
// and duplicate names. Errors are one line naming the file and, where there
// is one, the tensor. Writing goes to a temporary file renamed into place,
// so a failed write never leaves a partial file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_SAFETENSORS_H
#define NETC_RUNTIME_SAFETENSORS_H

#include "runtime/FileIO.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace netc::runtime {

/// The size in bytes of one element of a safetensors dtype ("F32", "I64",
/// ...), or 0 for a name the format does not define.
size_t safetensorsDTypeSize(const std::string &dtype);

/// `name` as one line of printable ASCII for messages: other bytes and the
/// backslash become \xNN.
std::string printable(const std::string &name);

/// Whether `name` can be written into a safetensors header (JSON strings
/// are UTF-8).
bool isWritableName(const std::string &name);

/// One tensor entry of a safetensors header.
struct SafetensorsEntry {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  /// Byte range in the data area.
  size_t begin = 0, end = 0;
  /// The number of elements (the product of the shape; 1 for a scalar).
  int64_t numel() const;
};

/// A safetensors file read into memory and validated.
class SafetensorsFile {
public:
  /// Reads and validates `path`. On failure returns false and sets `error`
  /// to one line naming the file (and the tensor, where one is at fault).
  bool read(const std::string &path, std::string &error);
  /// Validates `contents`, a whole safetensors file already in memory (an
  /// embedded default-weights blob, say); `path` names it in messages.
  bool parse(std::vector<uint8_t> contents, const std::string &path, std::string &error);

  /// The tensors in the order of the header.
  const std::vector<SafetensorsEntry> &tensors() const { return entries; }
  /// The entry called `name`, or nullptr.
  const SafetensorsEntry *find(const std::string &name) const;
  /// The first byte of an entry's data (unaligned).
  const uint8_t *data(const SafetensorsEntry &entry) const {
    return bytes.data() + dataStart + entry.begin;
  }
  /// The "__metadata__" strings.
  const std::map<std::string, std::string> &metadata() const { return meta; }
  /// The path the file was read from.
  const std::string &path() const { return filePath; }

private:
  bool parseHeader(const std::string &header, size_t dataSize, std::string &error);

  std::string filePath;
  std::vector<uint8_t> bytes;
  size_t dataStart = 0;
  std::vector<SafetensorsEntry> entries;
  std::map<std::string, std::string> meta;
};

/// A tensor to write: its data is `numel * safetensorsDTypeSize(dtype)`
/// bytes at `data`.
struct SafetensorsTensorRef {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  const void *data = nullptr;
};

/// Lays out `tensors` (in this order) and `metadata` as the bytes of a
/// safetensors file in `out`; `path` names the file in messages.
bool serializeSafetensors(const std::string &path,
                          const std::vector<SafetensorsTensorRef> &tensors,
                          const std::map<std::string, std::string> &metadata,
                          std::vector<uint8_t> &out, std::string &error);

/// Writes `tensors` (in this order) and `metadata` to `path` atomically.
/// Returns false and sets `error` on failure (unknown dtype, duplicate name,
/// an I/O error), leaving no file behind.
bool writeSafetensors(const std::string &path, const std::vector<SafetensorsTensorRef> &tensors,
                      const std::map<std::string, std::string> &metadata, std::string &error);

} // namespace netc::runtime

#endif // NETC_RUNTIME_SAFETENSORS_H
