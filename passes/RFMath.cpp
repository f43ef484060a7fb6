//===- RFMath.cpp - closed forms of receptive fields ----------------------===//
//
// Checked int64 arithmetic for the closed forms declared in RFMath.h.
//
//===----------------------------------------------------------------------===//

#include "passes/RFMath.h"

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

} // namespace netc::rf
