//===- ConvTune.h - direct or Winograd convolution, by measurement -*- C++ -*-===//
//
// A 3x3 stride-1 convolution may run directly or as Winograd's F(2x2, 3x3)
// or F(4x4, 3x3) (codegen/Algorithms/Winograd.cpp). Which one is faster
// depends on the channels, the image size and the CPU, so under
// `--conv-algo=auto` netc times the direct one and F(2x2, 3x3) on this host
// for each layer shape (a JIT-compiled pipeline of the one layer; F(4x4,
// 3x3) only when asked for, ConvTune.cpp says why) and keeps the winner in a
// file under cacheSubdir("tune"), per host, shape and netc version.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_SCHEDULES_CONVTUNE_H
#define NETC_CODEGEN_SCHEDULES_CONVTUNE_H

#include "codegen/Schedules/HostTune.h"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace mlir {
class Operation;
} // namespace mlir

namespace netc::codegen {

/// How 3x3 stride-1 convolutions are computed (`netc --conv-algo=`).
enum class ConvAlgo {
  /// Direct or F(2x2, 3x3), whichever is faster on this host as measured
  /// under --tune=cached or full; direct under
  /// --tune=off, for targets other than the host and for other schedules.
  Auto,
  /// Always the direct convolution.
  Direct,
  /// Winograd: F(4x4, 3x3), or F(2x2, 3x3) for outputs under 4 rows or columns.
  Winograd,
  /// Winograd's F(2x2, 3x3).
  Winograd2,
  /// Winograd's F(4x4, 3x3) (F(2x2, 3x3) for outputs under 4 rows or columns).
  Winograd4,
};

/// The stored choices of a conv tune file: layer key to m of F(m x m, 3 x 3)
/// (0 for direct).
using ConvChoices = std::map<std::string, int>;

/// Reads the conv tune file at `path`; nullopt when it is missing or was
/// written by another netc version.
std::optional<ConvChoices> readConvTuneFile(const std::string &path, const std::string &version);

/// Writes `choices` to `path` atomically; false if it cannot be written.
bool writeConvTuneFile(const std::string &path, const std::string &version,
                       const ConvChoices &choices);

/// The path of this host's conv tune file, or "" without a cache.
std::string convTuneFilePath();

/// What a compile cache key must hold of the convolution choices: the stored
/// choices of this host when they decide (auto, --tune=cached, the host),
/// else the empty string.
std::string convTuningKey(ConvAlgo algo, TuneMode mode, const std::string &target);

/// The chooser a FunctionLowering asks for each convolution that Winograd
/// applies to: m of F(m x m, 3 x 3), or 0 for the direct convolution.
/// `fmaLanes` is the hand schedule's (HostTune.h). Measurements are made at
/// most once a process per layer shape; with $NETC_TUNE_VERBOSE=1 each
/// choice is reported on stderr.
std::function<int(mlir::Operation *)> convChooser(ConvAlgo algo, TuneMode mode,
                                                  const std::string &target,
                                                  const std::string &schedule, int fmaLanes);

} // namespace netc::codegen

#endif // NETC_CODEGEN_SCHEDULES_CONVTUNE_H
