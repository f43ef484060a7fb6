//===- RFMath.h - closed forms of receptive fields --------------*- C++ -*-===//
//
// The per-axis closed forms of Araujo, Norris and Sim, "Computing Receptive
// Fields of Convolutional Neural Networks" (Distill, 2019), shared by the
// nn-receptive-field pass and its unit test. Plain C++17: no MLIR or LLVM
// types cross this interface, so the test checks it against brute force
// without linking the compiler.
//
// Along one axis a value's geometry relative to the input is
//   size    r: how many input indices one output element sees,
//   stride  j: how far the window moves when the output index grows by one,
//   padding p: how far the first window starts before input index 0,
// so output index i sees input indices [i * j - p, i * j - p + r - 1].
//
//===----------------------------------------------------------------------===//

#ifndef NETC_PASSES_RFMATH_H
#define NETC_PASSES_RFMATH_H

#include <cstdint>
#include <optional>

namespace netc::rf {

/// The receptive-field geometry of a value along one axis.
struct AxisGeometry {
  int64_t size = 1;
  int64_t stride = 1;
  int64_t padding = 0;

  /// Returns true when all three numbers agree.
  bool operator==(const AxisGeometry &other) const {
    return size == other.size && stride == other.stride && padding == other.padding;
  }
  /// Returns true when any of the three numbers differ.
  bool operator!=(const AxisGeometry &other) const { return !(*this == other); }
};

/// One sliding-window layer along one axis: effective kernel k' = d(k-1)+1,
/// stride, and the padding before the first element (negative for a crop).
struct AxisLayer {
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t padding = 0;
};

/// The effective kernel d(k - 1) + 1 of a dilated kernel; nullopt on overflow.
std::optional<int64_t> effectiveKernel(int64_t kernel, int64_t dilation);

/// Composes a layer onto the geometry of its input:
///   r_out = r_in + (k' - 1) * j_in, j_out = j_in * s, p_out = p_in + pad * j_in.
/// Returns nullopt when a number overflows int64.
std::optional<AxisGeometry> compose(const AxisGeometry &in, const AxisLayer &layer);

/// The centre of the first output element's window in input indices,
/// (r - 1) / 2 - p; for messages (alignment compares exactly, see aligned()).
double centre(const AxisGeometry &g);

/// Whether two paths that join are aligned along an axis: same effective
/// stride and same centre of their first windows (then every output element's
/// windows share their centre).
bool aligned(const AxisGeometry &a, const AxisGeometry &b);

/// The first input index seen by output index `index`: index * j - p;
/// nullopt on overflow.
std::optional<int64_t> windowStart(const AxisGeometry &g, int64_t index);

/// A geometry measured in units of 1/den input pixels: after a transposed
/// convolution or a resize the stride (and with it size and padding) may be
/// a fraction. With den = 1 it is the plain geometry.
struct ScaledGeometry {
  AxisGeometry axis;
  int64_t den = 1;
};

/// A layer whose kernel, stride and padding are rationals (num / den, den > 0),
/// meaning what AxisLayer's numbers mean.
struct RationalLayer {
  int64_t kernelNum = 1, kernelDen = 1;
  int64_t strideNum = 1, strideDen = 1;
  int64_t paddingNum = 0, paddingDen = 1;
};

/// compose() over rationals: r' = r + (k - 1) j, j' = j s, p' = p + pad j, in
/// the smallest common unit; nullopt when a number overflows int64.
std::optional<ScaledGeometry> composeScaled(const ScaledGeometry &in, const RationalLayer &layer);

/// Whether a's size exceeds b's.
bool largerScaled(const ScaledGeometry &a, const ScaledGeometry &b);

/// aligned() for scaled geometries of any units.
bool alignedScaled(const ScaledGeometry &a, const ScaledGeometry &b);

} // namespace netc::rf

#endif // NETC_PASSES_RFMATH_H
