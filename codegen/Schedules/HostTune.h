//===- HostTune.h - what this host's multiply-add units measure -*- C++ -*-===//
//
// The hand schedule sizes its register tiles by the vector width that
// multiply-adds at the full rate. CPUs with AVX-512 differ there: some run a
// 512-bit multiply-add as two 256-bit halves (then 8-lane vectors cost no
// throughput and fit more widths), others at full rate. Which one a CPU is
// cannot be told from its vendor or model reliably, so netc measures it once
// and keeps the result in a small file under cacheSubdir("tune"), one per
// host and netc version.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_SCHEDULES_HOSTTUNE_H
#define NETC_CODEGEN_SCHEDULES_HOSTTUNE_H

#include <optional>
#include <string>

namespace netc::codegen {

/// How the vector width of multiply-add tiles is chosen (`netc --tune=`).
enum class TuneMode {
  /// The natural vector width of the target, measuring nothing.
  Off,
  /// This host's measurement, read from the cache or measured once and kept.
  Cached,
  /// This host's measurement, measured again and rewritten to the cache.
  Full,
};

/// What a measurement of the host found: the f32 lanes of the widest vectors
/// that multiply-add at the full rate, or 0 when there is nothing to choose
/// between (no AVX-512: the natural width is the only candidate).
struct HostTuning {
  int f32Lanes = 0;
};

/// Writes `text` to `path` atomically (a temporary file renamed over it);
/// false if it cannot be written.
bool writeFileAtomically(const std::string &path, const std::string &text);

/// Writes `tuning` for netc `version` to `path` atomically (a temporary file
/// renamed over it); false if it cannot be written.
bool writeTuneFile(const std::string &path, const std::string &version, HostTuning tuning);

/// The tuning stored in `path`, or nullopt when the file is missing, was
/// written by another netc version, or does not parse.
std::optional<HostTuning> readTuneFile(const std::string &path, const std::string &version);

/// The name of this host's tune file: its CPU model and Halide host target,
/// reduced to characters safe in a file name.
std::string hostTuneFileName();

/// Measures the host's multiply-add throughput at 256 and 512 bits (some tens
/// of milliseconds); f32Lanes is 0 without AVX-512.
HostTuning measureHost();

/// The f32 lanes that multiply-add at the full rate for code compiled for
/// `target` (a --target string) under `mode`, or 0 for the natural width:
/// always 0 when `mode` is Off and for targets other than the host, whose
/// speed this host's measurement says nothing about. Measures at most once a
/// process; a missing or unwritable cache only costs the measurement.
int fullRateF32Lanes(TuneMode mode, const std::string &target);

} // namespace netc::codegen

#endif // NETC_CODEGEN_SCHEDULES_HOSTTUNE_H
