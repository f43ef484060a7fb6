//===- RFMath.cpp - closed forms of receptive fields ----------------------===//
//
// Checked int64 arithmetic for the closed forms declared in RFMath.h.
//
//===----------------------------------------------------------------------===//

#include "passes/RFMath.h"

#include <numeric>

namespace netc::rf {

namespace {
/// a * b, or nullopt on overflow.
std::optional<int64_t> mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// a + b, or nullopt on overflow.
std::optional<int64_t> add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// a - b, or nullopt on overflow.
std::optional<int64_t> sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r))
    return std::nullopt;
  return r;
}
} // namespace

std::optional<int64_t> effectiveKernel(int64_t kernel, int64_t dilation) {
  std::optional<int64_t> km1 = sub(kernel, 1);
  if (!km1)
    return std::nullopt;
  std::optional<int64_t> span = mul(dilation, *km1);
  if (!span)
    return std::nullopt;
  return add(*span, 1);
}

std::optional<AxisGeometry> compose(const AxisGeometry &in, const AxisLayer &layer) {
  std::optional<int64_t> km1 = sub(layer.kernel, 1);
  std::optional<int64_t> grow = km1 ? mul(*km1, in.stride) : std::nullopt;
  std::optional<int64_t> size = grow ? add(in.size, *grow) : std::nullopt;
  std::optional<int64_t> stride = mul(in.stride, layer.stride);
  std::optional<int64_t> shift = mul(layer.padding, in.stride);
  std::optional<int64_t> padding = shift ? add(in.padding, *shift) : std::nullopt;
  if (!size || !stride || !padding)
    return std::nullopt;
  return AxisGeometry{*size, *stride, *padding};
}

double centre(const AxisGeometry &g) {
  return static_cast<double>(g.size - 1) / 2.0 - static_cast<double>(g.padding);
}

bool aligned(const AxisGeometry &a, const AxisGeometry &b) {
  // Twice the centre, r - 1 - 2p, is an exact integer; 128 bits cannot overflow.
  auto doubled = [](const AxisGeometry &g) {
    return static_cast<__int128>(g.size) - 1 - 2 * static_cast<__int128>(g.padding);
  };
  return a.stride == b.stride && doubled(a) == doubled(b);
}

std::optional<int64_t> windowStart(const AxisGeometry &g, int64_t index) {
  std::optional<int64_t> offset = mul(index, g.stride);
  if (!offset)
    return std::nullopt;
  return sub(*offset, g.padding);
}

namespace {
/// A 128-bit value narrowed to int64, or nullopt when it does not fit.
std::optional<int64_t> narrow(__int128 v) {
  if (v > INT64_MAX || v < INT64_MIN)
    return std::nullopt;
  return static_cast<int64_t>(v);
}

/// gcd of two non-negative 128-bit values.
__int128 gcd128(__int128 a, __int128 b) {
  while (b != 0) {
    __int128 t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/// |v|.
__int128 abs128(__int128 v) { return v < 0 ? -v : v; }
} // namespace

std::optional<ScaledGeometry> composeScaled(const ScaledGeometry &in, const RationalLayer &layer) {
  // Everything over the common denominator D' = D * L, L = lcm of the layer's.
  __int128 l = std::lcm(std::lcm(layer.kernelDen, layer.strideDen), layer.paddingDen);
  __int128 r = in.axis.size, j = in.axis.stride, p = in.axis.padding;
  __int128 size = r * l + __int128(layer.kernelNum - layer.kernelDen) * (l / layer.kernelDen) * j;
  __int128 stride = j * layer.strideNum * (l / layer.strideDen);
  __int128 padding = p * l + __int128(layer.paddingNum) * (l / layer.paddingDen) * j;
  __int128 den = __int128(in.den) * l;
  __int128 g = gcd128(gcd128(abs128(size), abs128(stride)), gcd128(abs128(padding), den));
  if (g > 1) {
    size /= g;
    stride /= g;
    padding /= g;
    den /= g;
  }
  std::optional<int64_t> s = narrow(size), st = narrow(stride), pa = narrow(padding),
                         d = narrow(den);
  if (!s || !st || !pa || !d)
    return std::nullopt;
  return ScaledGeometry{{*s, *st, *pa}, *d};
}

bool largerScaled(const ScaledGeometry &a, const ScaledGeometry &b) {
  return __int128(a.axis.size) * b.den > __int128(b.axis.size) * a.den;
}

bool alignedScaled(const ScaledGeometry &a, const ScaledGeometry &b) {
  // Twice the centre is (r - D - 2p) / D in units of 1/D; compare crosswise.
  auto doubled = [](const ScaledGeometry &g) {
    return __int128(g.axis.size) - g.den - 2 * __int128(g.axis.padding);
  };
  return __int128(a.axis.stride) * b.den == __int128(b.axis.stride) * a.den &&
         doubled(a) * b.den == doubled(b) * a.den;
}

} // namespace netc::rf
