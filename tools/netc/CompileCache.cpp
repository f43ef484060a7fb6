//===- CompileCache.cpp - netc's cache of compiled artifacts -------------===//
//
// The key and the two moves of the cache: restore() copies an entry's files
// to the outputs, store() copies the outputs into a new entry. The entry's
// manifest and the bound on the cache's size are in CompileCacheEntry.cpp.
//
//===----------------------------------------------------------------------===//

#include "CompileCache.h"
#include "CompileCacheEntry.h"
#include "DefaultWeights.h"

#include "codegen/Artifact.h"
#include "codegen/CacheDir.h"
#include "codegen/HalideInfo.h"
#include "codegen/OutputPaths.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdlib>

extern char **environ;

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace netc::tool {

namespace {

/// --no-compile-cache, created by registerCompileCacheOptions.
llvm::cl::opt<bool> *noCompileCache = nullptr;

std::string envOr(const char *name, const char *fallback = "") {
  const char *value = std::getenv(name);
  return value ? value : fallback;
}

/// A file's path, size and modification time: enough to tell a rebuilt
/// netc or runtime library from the one an entry was compiled with.
std::string fileIdentity(const std::string &file) {
  fs::file_status status;
  if (fs::status(file, status))
    return file + " (missing)";
  return file + " " + std::to_string(status.getSize()) + " " +
         std::to_string(status.getLastModificationTime().time_since_epoch().count());
}

/// The environment that changes what a compile gives: the C++ compiler and
/// runtime it links (codegen/Artifact.cpp) and Halide's own variables.
std::vector<std::string> environmentParts() {
  std::vector<std::string> parts;
  for (char **e = environ; e && *e; ++e) {
    llvm::StringRef var(*e);
    if (var.starts_with("HL_") || var.starts_with("NETC_CXX=") ||
        var.starts_with("NETC_RUNTIME_LIB=") || var.starts_with("NETC_RUNTIME_INCLUDE="))
      parts.push_back(var.str());
  }
  std::sort(parts.begin(), parts.end());
  std::string exe = fs::getMainExecutable(nullptr, reinterpret_cast<void *>(&envOr));
  llvm::SmallString<256> runtime(path::parent_path(path::parent_path(exe)));
  path::append(runtime, "lib", "libNetCRuntime.a");
  parts.push_back("netc " + fileIdentity(exe));
  parts.push_back("runtime " + fileIdentity(envOr("NETC_RUNTIME_LIB", runtime.c_str())));
  return parts;
}

bool verbose() { return envOr("NETC_CACHE_VERBOSE") == "1"; }

} // namespace

void registerCompileCacheOptions(llvm::cl::OptionCategory &category) {
  static llvm::cl::opt<bool> flag(
      "no-compile-cache",
      llvm::cl::desc("Compile without the compile cache: reuse and keep nothing"),
      llvm::cl::init(false), llvm::cl::cat(category));
  noCompileCache = &flag;
}

std::vector<std::string> cachedOutputFiles(Emit kind, llvm::StringRef output) {
  if (output == "-")
    return {};
  if (kind == Emit::Exe || kind == Emit::So)
    return {output.str()};
  llvm::SmallString<256> header(output);
  if (kind == Emit::Obj)
    path::replace_extension(header, "h");
  else if (kind != Emit::Lib)
    return {};
  else if (llvm::StringRef stem = path::stem(output); stem == "lib" || stem.empty())
    return {}; // the header takes the model's name, unknown before compiling
  else
    header = codegen::libraryHeaderPath(output, "");
  return {output.str(), header.str().str()};
}

std::vector<std::string> keyArguments(llvm::ArrayRef<const char *> argv) {
  std::vector<std::string> args;
  for (size_t i = 1; i < argv.size(); ++i) {
    llvm::StringRef arg(argv[i]);
    llvm::StringRef name = arg;
    name.consume_front("-") && name.consume_front("-");
    if (name == "o") {
      ++i; // and its value
      continue;
    }
    if (name.starts_with("o=") || name == "no-compile-cache")
      continue;
    args.push_back(arg.str());
  }
  return args;
}

std::string hashParts(llvm::ArrayRef<std::string> parts) {
  CacheHasher hasher;
  for (const std::string &part : parts)
    hasher.add(part);
  return hasher.hex();
}

CompileCache::CompileCache(llvm::ArrayRef<const char *> argv, Emit kind, const std::string &input,
                           const std::string &output, bool enabled,
                           const std::function<std::string()> &tuning)
    : input(input) {
  outputs = cachedOutputFiles(kind, output);
  if (!enabled || outputs.empty() || (noCompileCache && *noCompileCache) ||
      envOr("NETC_KEEP_TEMPS") == "1")
    return;
  std::vector<std::string> args = keyArguments(argv);
  // A response file's contents would be part of the command line; --tune=full
  // asks for the host to be measured again, which code generation does.
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    arg.consume_front("-") && arg.consume_front("-");
    if (arg.starts_with("@") || arg == "tune=full" ||
        (arg == "tune" && i + 1 < args.size() && args[i + 1] == "full"))
      return;
  }
  auto bytes = llvm::MemoryBuffer::getFile(input, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!bytes)
    return;
  llvm::StringRef text = (*bytes)->getBuffer();
  // An ONNX model's external data sits in other files, named inside it by a
  // "location" entry: such a model is compiled every time.
  if (llvm::StringRef(input).ends_with(".onnx") && text.contains("location"))
    return;
  std::vector<std::string> parts = {"netc compile cache 2", NETC_VERSION,
                                    codegen::halideHostTarget(),
                                    "emit " + std::to_string(int(kind))};
  std::vector<std::string> env = environmentParts();
  parts.insert(parts.end(), env.begin(), env.end());
  // Halide names an object's header guard after the header's path.
  if (kind == Emit::Obj)
    parts.push_back("header " + codegen::resolveOutputLink(outputs[1]));
  parts.push_back("args");
  parts.insert(parts.end(), args.begin(), args.end());
  parts.push_back("input");
  parts.push_back(text.str());
  // --default-weights has been read by now: its values are what the artifact embeds.
  parts.push_back("default weights");
  parts.push_back(std::string(modelWeights.safetensors.begin(), modelWeights.safetensors.end()));
  // The host measurement the schedules use (HostTune.h): measuring the host
  // again to another result is a miss.
  parts.push_back("tuning " + tuning());
  std::string build = codegen::cacheSubdir("build");
  if (build.empty())
    return;
  key = hashParts(parts);
  llvm::SmallString<256> entry(build);
  path::append(entry, key);
  dir = entry.str().str();
}

void CompileCache::say(llvm::StringRef what) const {
  if (verbose())
    llvm::errs() << "netc: compile cache " << what << " " << key.substr(0, 16) << "\n";
}

bool CompileCache::restore() {
  if (!enabled())
    return false;
  CacheManifest manifest;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> files;
  if (!readEntry(dir, outputs.size(), manifest, files)) {
    say("miss");
    return false;
  }
  // Written beside each output and renamed into place once all are written.
  std::vector<std::string> temps, targets;
  auto forget = [&] {
    for (const std::string &temp : temps) {
      fs::remove(temp);
      llvm::sys::DontRemoveFileOnSignal(temp);
    }
  };
  for (size_t i = 0; i < outputs.size(); ++i) {
    targets.push_back(codegen::resolveOutputLink(outputs[i]));
    std::string temp;
    if (!writeNewFile(targets.back() + ".netc-cache-%%%%%%", files[i]->getBuffer(),
                      manifest.files[i].mode, temp)) {
      forget();
      say("miss (cannot write the outputs)");
      return false;
    }
    temps.push_back(temp);
    llvm::sys::RemoveFileOnSignal(temp);
  }
  for (size_t i = 0; i < outputs.size(); ++i)
    if (fs::rename(temps[i], targets[i])) {
      forget();
      say("miss (cannot write the outputs)");
      return false;
    }
  for (const std::string &temp : temps)
    llvm::sys::DontRemoveFileOnSignal(temp);
  touchEntry(dir);
  say("hit");
  return true;
}

void CompileCache::store() {
  if (!enabled())
    return;
  std::vector<std::string> sources;
  for (const std::string &output : outputs)
    sources.push_back(codegen::resolveOutputLink(output));
  // The file of a `weights` statement: read by the frontend, named by no flag.
  std::vector<std::string> deps;
  const std::string &origin = modelWeights.origin;
  if (!origin.empty() && origin != input && fs::is_regular_file(origin))
    deps.push_back(origin);
  if (writeEntry(dir, sources, deps)) {
    say("stored");
    evictEntries(path::parent_path(dir), kMaxEntries, kMaxBytes);
  }
}

} // namespace netc::tool
