//===- Npy.h - NumPy's .npy arrays and .npz archives ------------*- C++ -*-===//
//
// Plain C++17. A .npy file is the magic "\x93NUMPY", a version, a header
// length and a Python dict literal {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), } padded with spaces to a multiple of 64 bytes, then the
// elements. A .npz file is a zip archive of .npy files, one per array, named
// after the array ("x.npy"), as np.savez (stored) and np.savez_compressed
// (deflated) write them.
//
// Reading accepts little- and big-endian elements and Fortran order (both
// converted to little-endian C order), version 1 to 3 headers, and stored or
// deflated zip entries (zip64 included); deflate goes through zlib, loaded
// when the first compressed entry is met, so that programs linking the
// runtime need no -lz. Writing gives version 1 .npy headers (version 2 for
// very long ones) and stored entries.
//
// Dtypes are named as safetensors names them ("F32", "I64", "BOOL", ...).
// Errors are one line naming the file and, where there is one, the array.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_NPY_H
#define NETC_RUNTIME_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace netc::runtime {

/// One array read from a .npy file (or an .npz entry).
struct NpyArray {
  /// The safetensors name of its dtype ("F32", ...).
  std::string dtype;
  std::vector<int64_t> shape;
  /// Its elements, little-endian and in C order: inside the parsed bytes,
  /// or in `converted` when they had to be reordered. Moving the array keeps
  /// the pointer valid; copying it does not.
  const uint8_t *data = nullptr;
  size_t bytes = 0;
  std::vector<uint8_t> converted;
};

/// Parses the .npy file in `bytes[0, size)` into `out` (which may point into
/// `bytes`). `where` starts every message ("a.npz: array 'x'").
bool parseNpy(const uint8_t *bytes, size_t size, const std::string &where, NpyArray &out,
              std::string &error);

/// The header of a .npy file holding an array of `dtype` (a safetensors
/// name) and `shape`: magic, version, length and padded dict, so that the
/// elements that follow start at a multiple of 64 bytes. False and `error`
/// for a dtype NumPy has no name for here.
bool npyHeader(const std::string &dtype, const std::vector<int64_t> &shape, std::string &header,
               std::string &error);

/// One member of an .npz archive: its file name and its uncompressed bytes
/// (inside the archive when stored, in `inflated` when deflated).
struct ZipMember {
  std::string name;
  const uint8_t *data = nullptr;
  size_t size = 0;
  std::vector<uint8_t> inflated;
};

/// Lists and extracts every member of the zip archive `bytes[0, size)`,
/// checking each CRC-32. `path` names the archive in messages.
bool readZip(const uint8_t *bytes, size_t size, const std::string &path,
             std::vector<ZipMember> &members, std::string &error);

/// One file to store in a zip archive.
struct ZipInput {
  std::string name;
  /// The file's bytes: the concatenation of these pieces.
  std::vector<std::pair<const void *, size_t>> pieces;
};

/// Lays out a zip archive of stored (uncompressed) members in `out`.
bool writeZip(const std::vector<ZipInput> &files, const std::string &path,
              std::vector<uint8_t> &out, std::string &error);

/// The CRC-32 of zip and PNG (polynomial 0xEDB88320), continued from `crc`.
uint32_t crc32(uint32_t crc, const void *data, size_t size);

} // namespace netc::runtime

#endif // NETC_RUNTIME_NPY_H
