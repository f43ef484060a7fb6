//===- SplitMix64.h - the mixing function of netc's random numbers --------===//
//
// Plain C++17, header-only, shared by parameter initialisation (Init.cpp),
// the dropout mask (DropoutMask.h), the reference interpreter and generated
// code. Every random number netc draws is a pure function of a 64-bit counter
// passed through this mixer, so any element can be computed on its own, in
// any order and on any thread, and the sequences never depend on how the
// work is split.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_SPLITMIX64_H
#define NETC_RUNTIME_SPLITMIX64_H

#include <cstdint>

namespace netc::runtime {

/// The golden-ratio increment of splitmix64 (Steele, Lea and Flood, "Fast
/// splittable pseudorandom number generators", OOPSLA 2014).
constexpr uint64_t kGoldenGamma = 0x9E3779B97F4A7C15ull;

/// splitmix64's output function (Stafford's "Mix13" variant of the MurmurHash3
/// finaliser): a bijection of 64-bit words whose every output bit depends on
/// every input bit.
inline constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

} // namespace netc::runtime

#endif // NETC_RUNTIME_SPLITMIX64_H
