//===- RandomDraw.h - the values of randn_like and rand_like --------------===//
//
// Plain C++17, header-only. A draw of `nn.rand` or `nn.randn` is a pure
// function of the op's i64 seed and the flat (row-major) element index, so
// the reference interpreter and compiled code (codegen/Algorithms/Random.cpp,
// which builds the same expressions in Halide) give bitwise the same tensor,
// and a train step recomputes nothing it would need to store. With the
// counter word of dropout's rule (DropoutMask.h),
//
//   word(seed, c) = mix64(seed + 0x9E3779B97F4A7C15 * (c + 1))   (modulo 2^64)
//
// element i of
//   rand  (U[0, 1)):  (word(seed, i) >> (64 - m)) * 2^-m, with m = 24 for f32
//                     results and 53 for f64: exact in the result type, so
//                     never 1, and 2^m equally likely values;
//   randn (N(0, 1)):  Box-Muller on the two independent 53-bit uniforms
//                     u1 = ((word(seed, 2i) >> 11) + 1) * 2^-53   in (0, 1]
//                     u2 = (word(seed, 2i + 1) >> 11) * 2^-53     in [0, 1)
//                     z  = sqrt(-2 log u1) * cos(2 pi u2)
//                     in double, rounded to the result type. |z| <= 8.58.
//
// Every step of randn is one correctly rounded IEEE operation or one call of
// the C library's log and cos, in an order no compiler may change (no sum of
// products a fused multiply-add could contract), which is what keeps the two
// engines bitwise equal.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_RANDOMDRAW_H
#define NETC_RUNTIME_RANDOMDRAW_H

#include "runtime/SplitMix64.h"

#include <cmath>
#include <cstdint>

namespace netc::runtime {

/// The 64 random bits of counter `c` under `seed`.
inline constexpr uint64_t drawWord(uint64_t seed, uint64_t c) {
  return mix64(seed + kGoldenGamma * (c + 1));
}

/// 2 pi, rounded to double.
constexpr double kTwoPi = 6.283185307179586476925286766559;

/// Element `i` of rand_like under `seed`, with `bits` (24 or 53) random bits.
inline double uniformDraw(uint64_t seed, uint64_t i, unsigned bits) {
  return std::ldexp(static_cast<double>(drawWord(seed, i) >> (64 - bits)), -static_cast<int>(bits));
}

/// Element `i` of randn_like under `seed`, in double.
inline double normalDraw(uint64_t seed, uint64_t i) {
  double u1 = static_cast<double>((drawWord(seed, 2 * i) >> 11) + 1) * 0x1p-53;
  double u2 = static_cast<double>(drawWord(seed, 2 * i + 1) >> 11) * 0x1p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

} // namespace netc::runtime

#endif // NETC_RUNTIME_RANDOMDRAW_H
