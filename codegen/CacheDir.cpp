//===- CacheDir.cpp - where netc keeps what it measures and compiles -----===//

#include "codegen/CacheDir.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

namespace netc::codegen {

std::string cacheRoot() {
  auto env = [](const char *name) -> std::string {
    const char *v = std::getenv(name);
    return v ? v : "";
  };
  if (std::string dir = env("NETC_CACHE_DIR"); !dir.empty())
    return dir;
  llvm::SmallString<256> path;
  if (std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty())
    llvm::sys::path::append(path, xdg, "netc");
  else if (std::string home = env("HOME"); !home.empty())
    llvm::sys::path::append(path, home, ".cache", "netc");
  return std::string(path);
}

std::string cacheSubdir(const std::string &sub) {
  std::string root = cacheRoot();
  if (root.empty())
    return "";
  llvm::SmallString<256> path(root);
  llvm::sys::path::append(path, sub);
  if (llvm::sys::fs::create_directories(path))
    return "";
  return std::string(path);
}

} // namespace netc::codegen
