//===- CacheDir.h - where netc keeps what it measures and compiles -*- C++ -*-===//
//
// netc keeps two kinds of files between runs: measurements of the host that
// schedules depend on (tune/) and compiled artifacts keyed by their inputs
// (build/). Both live under one directory so that one variable moves or
// clears them all.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_CACHEDIR_H
#define NETC_CODEGEN_CACHEDIR_H

#include <string>

namespace netc::codegen {

/// The root of netc's caches: $NETC_CACHE_DIR if set and not empty, else
/// $XDG_CACHE_HOME/netc, else $HOME/.cache/netc; "" when none of those is
/// set (then nothing is cached). The directory may not exist yet.
std::string cacheRoot();

/// `cacheRoot()/sub`, created with its parents; "" when there is no root or
/// it cannot be created (callers then run without a cache).
std::string cacheSubdir(const std::string &sub);

} // namespace netc::codegen

#endif // NETC_CODEGEN_CACHEDIR_H
