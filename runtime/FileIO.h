//===- FileIO.h - reading inputs and writing outputs safely -----*- C++ -*-===//
//
// Plain C++17 over POSIX. Every file the runtime reads (weights, inputs,
// training data) goes through readRegularFile: a regular file of bounded size,
// never a directory, a FIFO or a device that would block or grow without end.
// Every file it writes (weights, outputs, training logs) goes through
// OutputFile: written beside its destination under a temporary name (or no
// name at all, where the file system supports O_TMPFILE) and renamed into
// place, so that a failure or a kill never leaves a half-written file or a
// temporary behind. A symlink given as the destination is written through:
// its target is replaced and the link kept, as cp does.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_FILEIO_H
#define NETC_RUNTIME_FILEIO_H

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace netc::runtime {

/// The largest file the runtime reads into memory (weights, inputs, data):
/// 32 GiB. Larger files are refused with an error naming the file.
constexpr uint64_t kMaxReadFileBytes = uint64_t(32) << 30;

/// Reads the whole of `path`, which must be a regular file of at most
/// `maxBytes` bytes, into `bytes`. On failure returns false and sets `error`
/// to one line naming the file (a directory, a FIFO or device, too large,
/// unreadable, or changed while read).
bool readRegularFile(const std::string &path, std::vector<uint8_t> &bytes, std::string &error,
                     uint64_t maxBytes = kMaxReadFileBytes);

/// The file a write to `path` must replace: `path` itself, or the final
/// target of the chain of symlinks it names (relative targets resolved
/// against the link's folder). A dangling link resolves to where it points.
std::string resolveOutputPath(const std::string &path);

/// A file being written to `path` (through symlinks). Until commit() it
/// lives under no name (O_TMPFILE) or under a temporary name in the same
/// folder that a handler for SIGINT, SIGTERM and SIGHUP removes before the
/// process dies; destroying an uncommitted OutputFile removes it too.
class OutputFile {
public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile &) = delete;
  OutputFile &operator=(const OutputFile &) = delete;

  /// Starts the file. Returns false and sets `error` when it cannot.
  bool open(const std::string &path, std::string &error);
  /// The stream to write to (null before open()).
  std::FILE *stream() const { return file; }
  /// Flushes, closes and renames the file into place (mode 0644). Returns
  /// false, sets `error` and removes the file on any failure.
  bool commit(std::string &error);
  /// Removes the file without installing it.
  void discard();

  /// Tests only: whether open() may use O_TMPFILE (true by default).
  static void allowUnnamed(bool allow);

private:
  std::string path, target, tempName;
  std::FILE *file = nullptr;
  int slot = -1;
};

/// Writes `size` bytes to `path` through an OutputFile. Returns false and
/// sets `error` on failure.
bool writeFileAtomically(const std::string &path, const void *data, size_t size,
                         std::string &error);

} // namespace netc::runtime

#endif // NETC_RUNTIME_FILEIO_H
