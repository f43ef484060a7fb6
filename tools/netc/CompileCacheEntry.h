//===- CompileCacheEntry.h - one entry of netc's compile cache -*- C++ -*-===//
//
// An entry is a folder named by its key holding out0, out1, ... and a text
// manifest:
//
//   netc compile cache entry 1
//   dep <sha256 of the file> <path>     a file the compile read, checked on use
//   file <size> <xxh3-128> <mode>       out0, out1, ... in order
//
// Entries are written in a private folder and renamed into place; reading
// one checks every size and hash, so a damaged entry reads as absent.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_COMPILECACHEENTRY_H
#define NETC_TOOLS_NETC_COMPILECACHEENTRY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netc::tool {

/// SHA-256 of a list of byte strings, each prefixed by its length.
class CacheHasher {
public:
  void add(llvm::StringRef bytes);
  /// The digest in lowercase hex (64 digits); the hasher is spent.
  std::string hex();

private:
  llvm::SHA256 sha;
};

/// What an entry's manifest says.
struct CacheManifest {
  struct File {
    uint64_t size = 0;
    std::string hash;
    unsigned mode = 0;
  };
  /// (path, SHA-256) of the files the compile read besides its key's.
  std::vector<std::pair<std::string, std::string>> deps;
  std::vector<File> files;
};

/// Reads the entry `dir` into `manifest` and `files`; false unless it holds
/// `count` files whose sizes and hashes match and every dep is unchanged.
bool readEntry(const std::string &dir, size_t count, CacheManifest &manifest,
               std::vector<std::unique_ptr<llvm::MemoryBuffer>> &files);

/// Writes the entry `dir` from the files `sources` (in order) and records
/// the files `deps`, replacing any entry there; false on any failure, which
/// leaves nothing behind.
bool writeEntry(const std::string &dir, const std::vector<std::string> &sources,
                const std::vector<std::string> &deps);

/// Creates a new file from the pattern `model` (its % become random
/// characters) holding `bytes` with permissions `mode`; its path goes to `created`.
bool writeNewFile(const std::string &model, llvm::StringRef bytes, unsigned mode,
                  std::string &created);

/// Marks the entry `dir` as just used.
void touchEntry(const std::string &dir);

/// Removes the least recently used entries of `buildDir` until it holds at
/// most `maxEntries` entries and `maxBytes` bytes, and leftovers of
/// interrupted writes.
void evictEntries(llvm::StringRef buildDir, unsigned maxEntries, uint64_t maxBytes);

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_COMPILECACHEENTRY_H
