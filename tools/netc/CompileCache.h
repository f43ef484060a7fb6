//===- CompileCache.h - netc's cache of compiled artifacts ------*- C++ -*-===//
//
// Compiling a model takes seconds to minutes, mostly in Halide; compiling it
// again from the same inputs gives the same files. The compile cache keeps
// the files of --emit=exe, lib, so and obj under `cacheSubdir("build")`,
// keyed by a SHA-256 of everything a compile reads: netc's version and
// binary, the host, the command line (but -o), the input file, the default
// weights, the host measurements (tune/) and the environment that picks the
// C++ compiler and runtime. A file a model names (`weights "w.safetensors"`)
// is recorded in the entry with its hash and checked on every lookup.
//
// An entry is a folder named by the key: the files (out0, out1) and a
// manifest of their sizes, hashes and modes. It is written in a private
// folder and renamed into place, and checked when read, so a damaged entry
// is a miss, never a bad output. The cache keeps at most kMaxEntries entries
// and kMaxBytes bytes, removing the least recently used.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TOOLS_NETC_COMPILECACHE_H
#define NETC_TOOLS_NETC_COMPILECACHE_H

#include "Outputs.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace netc::tool {

/// Adds --no-compile-cache to `category` (call before the command line is read).
void registerCompileCacheOptions(llvm::cl::OptionCategory &category);

/// The files --emit=`kind` writes for `-o output`: the artifact first, then
/// its header (lib, obj). Empty when `kind` writes no files netc caches, or
/// when their names depend on the model (a library named only "lib.a").
std::vector<std::string> cachedOutputFiles(Emit kind, llvm::StringRef output);

/// The command line as the key sees it: `argv` without argv[0], -o and its
/// value, and --no-compile-cache.
std::vector<std::string> keyArguments(llvm::ArrayRef<const char *> argv);

/// The hex SHA-256 of `parts`, each length-prefixed so that no two lists of
/// parts hash alike by moving text between neighbours.
std::string hashParts(llvm::ArrayRef<std::string> parts);

/// One netc run's view of the cache: the key of its compile, then restore()
/// before compiling and store() after. Every method is a no-op when the run
/// is not cached (--no-compile-cache, no cache folder, a text --emit, ...).
/// Set NETC_CACHE_VERBOSE=1 to have each hit, miss and store said on stderr.
class CompileCache {
public:
  /// The key of compiling `input` with the command line `argv` to the files
  /// of --emit=`kind` at `-o output`; `enabled` false turns the cache off.
  /// `tuning` says what the host measurements the schedules use are; it is
  /// called only when the run is cached.
  CompileCache(llvm::ArrayRef<const char *> argv, Emit kind, const std::string &input,
               const std::string &output, bool enabled,
               const std::function<std::string()> &tuning);

  /// Whether this run uses the cache.
  bool enabled() const { return !key.empty(); }

  /// Writes the cached files to the outputs (atomically) if the cache holds
  /// a sound entry for the key; false (and nothing written) otherwise.
  bool restore();

  /// Keeps the outputs just compiled under the key; failures are ignored.
  void store();

  /// The most entries and bytes the cache keeps.
  static constexpr unsigned kMaxEntries = 200;
  static constexpr uint64_t kMaxBytes = uint64_t(2) << 30;

private:
  /// Prints `what` and the key on stderr when NETC_CACHE_VERBOSE=1.
  void say(llvm::StringRef what) const;

  std::string key, dir, input;
  std::vector<std::string> outputs;
};

} // namespace netc::tool

#endif // NETC_TOOLS_NETC_COMPILECACHE_H
