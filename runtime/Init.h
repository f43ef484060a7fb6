//===- Init.h - seeded initialisation of parameters and inputs --*- C++ -*-===//
//
// Plain C++17 without MLIR or LLVM: the reference interpreter uses it now and
// generated executables link it later, so both fill tensors identically.
//
// The generator is counter-based. Word k (k = 0, 1, ...) of stream `stream`
// under `seed` is
//
//   key     = mix64(seed ^ mix64(stream + 0x9E3779B97F4A7C15))
//   word(k) = mix64(key + 0x9E3779B97F4A7C15 * (k + 1))
//
// with mix64 the splitmix64 finaliser (runtime/SplitMix64.h). Element j of a
// tensor is a function of (seed, stream, j) alone:
//
//   uniform(lo, hi):  lo + (hi - lo) * u(j),  u(j) = (word(j) >> 11) * 2^-53 in [0, 1)
//   normal(mean, std): mean + std * sqrt(-2 ln v) * cos(2 pi w) (Box-Muller) with
//                      v = ((word(2j) >> 11) + 1) * 2^-53 in (0, 1], w = u(2j + 1)
//   indices in [0, bound): min(floor(u(j) * bound), bound - 1)
//
// computed in double and rounded once to float for f32 tensors. Every tensor
// has its own stream: parameter number i (in declaration order) uses stream
// i, input number i uses stream 2^32 + i, buffer number i stream 2^33 + i
// (paramStream, inputStream, bufferStream), so the parameters of a model do
// not change when its inputs or buffers do.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_INIT_H
#define NETC_RUNTIME_INIT_H

#include <cstddef>
#include <cstdint>

namespace netc::runtime {

/// The stream of the parameter declared `index`-th in a model.
constexpr uint64_t paramStream(uint64_t index) { return index; }

/// The stream of the input declared `index`-th in a model.
constexpr uint64_t inputStream(uint64_t index) { return (uint64_t(1) << 32) + index; }

/// The stream of the buffer declared `index`-th in a model (only buffers
/// initialised from a distribution draw from it).
constexpr uint64_t bufferStream(uint64_t index) { return (uint64_t(2) << 32) + index; }

/// The counter-based generator described at the top of this file.
class CounterRng {
public:
  /// The generator of one stream under one seed.
  CounterRng(uint64_t seed, uint64_t stream);

  /// The k-th 64-bit word of the stream.
  uint64_t word(uint64_t k) const;
  /// The k-th word as a double uniform in [0, 1), 53 random bits.
  double uniform(uint64_t k) const;
  /// Element j of a standard normal sequence (uses words 2j and 2j + 1).
  double normal(uint64_t j) const;

private:
  uint64_t key;
};

/// How a tensor is initialised: the `nn.init` attribute of a parameter.
struct InitSpec {
  /// The distribution.
  enum class Dist { Uniform, Normal, Constant };
  Dist dist = Dist::Constant;
  /// Uniform: low and high; normal: mean and std; constant: the value in `a`.
  double a = 0, b = 0;
};

/// Fills `count` elements with U(low, high) from (seed, stream).
void fillUniform(double *data, size_t count, double low, double high, uint64_t seed,
                 uint64_t stream);
/// The f32 form: each value is computed in double and rounded once.
void fillUniform(float *data, size_t count, double low, double high, uint64_t seed,
                 uint64_t stream);

/// Fills `count` elements with N(mean, std^2) from (seed, stream).
void fillNormal(double *data, size_t count, double mean, double std, uint64_t seed,
                uint64_t stream);
/// The f32 form: each value is computed in double and rounded once.
void fillNormal(float *data, size_t count, double mean, double std, uint64_t seed, uint64_t stream);

/// Fills by `spec`, dispatching to the functions above.
void fill(double *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream);
/// The f32 form.
void fill(float *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream);
/// The integer forms, for integer buffers (a counter starts at a constant):
/// each value is computed in double and truncated toward zero.
void fill(int64_t *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream);
void fill(int32_t *data, size_t count, const InitSpec &spec, uint64_t seed, uint64_t stream);

/// Fills `count` integer indices uniform in [0, bound) (bound >= 1).
void fillIndices(int64_t *data, size_t count, int64_t bound, uint64_t seed, uint64_t stream);
/// The i32 form.
void fillIndices(int32_t *data, size_t count, int64_t bound, uint64_t seed, uint64_t stream);

} // namespace netc::runtime

#endif // NETC_RUNTIME_INIT_H
