//===- Init.cpp - seeded initialisation of parameters and inputs ----------===//
//
// The formulas are documented in Init.h; this file only spells them out.
//
//===----------------------------------------------------------------------===//

#include "runtime/Init.h"
#include "runtime/SplitMix64.h"

#include <cmath>

namespace netc::runtime {

namespace {
/// 2^-53: turns the top 53 bits of a word into a double in [0, 1).
constexpr double kTwoToMinus53 = 1.0 / 9007199254740992.0;
constexpr double kTwoPi = 6.283185307179586476925286766559;
} // namespace

CounterRng::CounterRng(uint64_t seed, uint64_t stream)
    : key(mix64(seed ^ mix64(stream + kGoldenGamma))) {}

uint64_t CounterRng::word(uint64_t k) const { return mix64(key + kGoldenGamma * (k + 1)); }

double CounterRng::uniform(uint64_t k) const { return double(word(k) >> 11) * kTwoToMinus53; }

double CounterRng::normal(uint64_t j) const {
  // v lies in (0, 1] so that the logarithm is finite.
  double v = double((word(2 * j) >> 11) + 1) * kTwoToMinus53;
  double w = uniform(2 * j + 1);
  return std::sqrt(-2.0 * std::log(v)) * std::cos(kTwoPi * w);
}

namespace {
template <typename T>
void uniformImpl(T *data, size_t count, double low, double high, uint64_t seed, uint64_t stream) {
  CounterRng rng(seed, stream);
  for (size_t j = 0; j < count; ++j)
    data[j] = static_cast<T>(low + (high - low) * rng.uniform(j));
}

template <typename T>
void normalImpl(T *data, size_t count, double mean, double std, uint64_t seed, uint64_t stream) {
  CounterRng rng(seed, stream);
  for (size_t j = 0; j < count; ++j)
    data[j] = static_cast<T>(mean + std * rng.normal(j));
}

template <typename T>
void fillImpl(T *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream) {
  switch (spec.dist) {
  case InitSpec::Dist::Uniform:
    uniformImpl(data, count, spec.a, spec.b, seed, stream);
    return;
  case InitSpec::Dist::Normal:
    normalImpl(data, count, spec.a, spec.b, seed, stream);
    return;
  case InitSpec::Dist::Constant:
    for (size_t j = 0; j < count; ++j)
      data[j] = static_cast<T>(spec.a);
    return;
  }
}

template <typename T>
void indicesImpl(T *data, size_t count, int64_t bound, uint64_t seed, uint64_t stream) {
  CounterRng rng(seed, stream);
  for (size_t j = 0; j < count; ++j) {
    auto v = static_cast<int64_t>(rng.uniform(j) * double(bound));
    data[j] = static_cast<T>(v < bound ? v : bound - 1);
  }
}
} // namespace

void fillUniform(double *data, size_t count, double low, double high, uint64_t seed,
                 uint64_t stream) {
  uniformImpl(data, count, low, high, seed, stream);
}
void fillUniform(float *data, size_t count, double low, double high, uint64_t seed,
                 uint64_t stream) {
  uniformImpl(data, count, low, high, seed, stream);
}

void fillNormal(double *data, size_t count, double mean, double std, uint64_t seed,
                uint64_t stream) {
  normalImpl(data, count, mean, std, seed, stream);
}
void fillNormal(float *data, size_t count, double mean, double std, uint64_t seed,
                uint64_t stream) {
  normalImpl(data, count, mean, std, seed, stream);
}

void fill(double *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream) {
  fillImpl(data, count, spec, seed, stream);
}
void fill(float *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream) {
  fillImpl(data, count, spec, seed, stream);
}
void fill(int64_t *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream) {
  fillImpl(data, count, spec, seed, stream);
}
void fill(int32_t *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream) {
  fillImpl(data, count, spec, seed, stream);
}

void fillIndices(int64_t *data, size_t count, int64_t bound, uint64_t seed, uint64_t stream) {
  indicesImpl(data, count, bound, seed, stream);
}
void fillIndices(int32_t *data, size_t count, int64_t bound, uint64_t seed, uint64_t stream) {
  indicesImpl(data, count, bound, seed, stream);
}

} // namespace netc::runtime
