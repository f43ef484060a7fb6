//===- DropoutMask.h - the dropout mask rule shared by all engines -------===//
//
// Plain C++17, header-only. The mask of `nn.dropout` is a pure function of the
// op's i64 seed and the flat (row-major) element index, so the forward and
// backward passes, the reference interpreter and compiled code all draw the
// same mask without storing it:
//
//   bits(seed, i) = mix64(seed + 0x9E3779B97F4A7C15 * (i + 1)) >> 40   (top 24 bits)
//   keep(seed, i, p) = bits(seed, i) >= uint32(p * 2^24)
//
// (arithmetic modulo 2^64). A kept element is scaled by 1 / (1 - p), a dropped
// one becomes 0. The threshold truncates p to a multiple of 2^-24, so the
// drop rate is p within 6e-8.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_DROPOUTMASK_H
#define NETC_RUNTIME_DROPOUTMASK_H

#include "runtime/SplitMix64.h"

#include <cstdint>

namespace netc::runtime {

/// The 24 random bits of element `i` under `seed`.
inline constexpr uint32_t dropoutBits(uint64_t seed, uint64_t i) {
  return static_cast<uint32_t>(mix64(seed + kGoldenGamma * (i + 1)) >> 40);
}

/// The threshold of drop probability `p` in [0, 1): uint32(p * 2^24).
inline constexpr uint32_t dropoutThreshold(double p) {
  return static_cast<uint32_t>(p * 16777216.0);
}

/// Whether element `i` survives a dropout of probability `p` under `seed`.
inline constexpr bool keep(uint64_t seed, uint64_t i, double p) {
  return dropoutBits(seed, i) >= dropoutThreshold(p);
}

/// The factor 1 / (1 - p) applied to kept elements.
inline constexpr double dropoutScale(double p) { return 1.0 / (1.0 - p); }

} // namespace netc::runtime

#endif // NETC_RUNTIME_DROPOUTMASK_H
