//===- Spatial.cpp - resampling and spatial normalisation ops -------------===//
//
// Shape rules and receptive-field rules of the composite ops of Spatial.td.
// Their decompositions are in passes/DecomposeSpatial.cpp; their costs are
// the default (no backend ever sees them).
//
// The receptive-field rules are Resample windows with rational numbers: a
// transposed convolution of stride s moves 1/s input pixels per output
// pixel, and a resize or an adaptive pool from `in` to `out` pixels moves
// in/out. Each window is the smallest interval, in input coordinates, that
// holds every input index an output element reads (RFMath.h).
//
//===----------------------------------------------------------------------===//

#include "ir/NNOps.h"
#include "ir/OpShapes.h"

#include <numeric>

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

/// `num / den` in lowest terms, `den > 0`.
static Ratio ratio(int64_t num, int64_t den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  int64_t g = std::gcd(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  return {num, den};
}

/// a + b.
static Ratio plus(Ratio a, Ratio b) { return ratio(a.num * b.den + b.num * a.den, a.den * b.den); }

/// a - b.
static Ratio minus(Ratio a, Ratio b) { return plus(a, {-b.num, b.den}); }

/// Requires an image: an input of rank 3 or 4.
static LogicalResult checkImageInput(Operation *op, Value input) {
  shape::Shape x = shapeOf(input);
  if (x.size() == 3 || x.size() == 4)
    return success();
  return op->emitError() << dslName(op) << " expects an image [N, C, H, W] or [C, H, W], got "
                         << shape::str(x);
}

/// The input's type with its two trailing axes resized to `size`.
static LogicalResult pushResized(Operation *op, Value input, ArrayRef<int64_t> size,
                                 SmallVectorImpl<Type> &types) {
  if (failed(checkImageInput(op, input)) || failed(checkArity(op, "size", size, 2)))
    return failure();
  if (size[0] <= 0 || size[1] <= 0)
    return op->emitError() << dslName(op) << " expects a positive output size, got ["
                           << size[0] << ", " << size[1] << "]";
  shape::Shape out = shapeOf(input);
  out[out.size() - 2] = size[0];
  out[out.size() - 1] = size[1];
  types.push_back(RankedTensorType::get(out, elementTypeOf(input)));
  return success();
}

/// The window of input bins [floor(i * in / out), ceil((i + 1) * in / out)):
/// with t = in / out = a / b, every bin lies in [i t - (b-1)/b, i t + t - 1 + (b-1)/b].
static AxisResample binWindow(int64_t in, int64_t out) {
  Ratio t = ratio(in, out);
  Ratio slack = ratio(t.den - 1, t.den);
  return {plus(t, plus(slack, slack)), t, slack};
}

/// The receptive-field rule shared by the adaptive pools.
static ReceptiveFieldRule adaptiveRule(Value input, ArrayRef<int64_t> size) {
  auto sizes = spatialSizes(input);
  if (!sizes || size.size() != 2)
    return ReceptiveFieldRule::global();
  return ReceptiveFieldRule::resampled(binWindow(sizes->first, size[0]),
                                       binWindow(sizes->second, size[1]));
}

//===--- conv_transpose2d ---===//

LogicalResult ConvTranspose2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)) || failed(checkImageInput(*this, getInput())))
    return failure();
  for (auto [attr, values] : {std::pair<StringRef, ArrayRef<int64_t>>{"stride", getStride()},
                              {"padding", getPadding()},
                              {"output_padding", getOutputPadding()},
                              {"dilation", getDilation()}})
    if (failed(checkArity(*this, attr, values, 2)))
      return failure();
  shape::Shape x = shapeOf(getInput()), w = shapeOf(getWeight());
  int64_t channels = x[x.size() - 3];
  int64_t groups = static_cast<int64_t>(getGroups());
  if (w.size() != 4 || w[0] != channels)
    return emitError() << "conv_transpose2d expects a weight [" << channels
                       << ", out / groups, kH, kW] for input " << shape::str(x) << ", got "
                       << shape::str(w);
  if (groups <= 0 || channels % groups != 0)
    return emitError() << "conv_transpose2d: input channels " << channels
                       << " are not divisible by groups " << groups;
  int64_t out = w[1] * groups;
  if (getBias() && shapeOf(getBias()) != shape::Shape{out})
    return emitError() << "conv_transpose2d expects a bias [" << out << "], got "
                       << shape::str(shapeOf(getBias()));
  shape::Shape result = x;
  result[result.size() - 3] = out;
  for (int axis = 0; axis < 2; ++axis) {
    int64_t s = getStride()[axis], p = getPadding()[axis], op = getOutputPadding()[axis],
            d = getDilation()[axis], k = w[2 + axis];
    if (s <= 0 || d <= 0 || p < 0 || op < 0)
      return emitError() << "conv_transpose2d expects positive stride and dilation and "
                            "non-negative padding and output_padding";
    if (op >= s)
      return emitError() << "conv_transpose2d: output_padding " << op
                         << " must be smaller than the stride " << s;
    int64_t size = (x[x.size() - 2 + axis] - 1) * s - 2 * p + d * (k - 1) + op + 1;
    if (size <= 0)
      return emitError() << "conv_transpose2d gives an empty output (size " << size
                         << ") for input " << shape::str(x) << " and weight " << shape::str(w);
    result[result.size() - 2 + axis] = size;
  }
  types.push_back(RankedTensorType::get(result, elementTypeOf(getInput())));
  return success();
}

/// Output o reads input i when o = i * s - p + j * d for a tap j < k: every
/// such i lies in [(o - (K - 1 - p)) / s, (o + p) / s] with K = d(k - 1) + 1,
/// an interval of 1 + (K - 1) / s input pixels moving by 1 / s.
ReceptiveFieldRule ConvTranspose2dOp::getReceptiveFieldRule() {
  ArrayRef<int64_t> w = cast<RankedTensorType>(getWeight().getType()).getShape();
  AxisResample axes[2];
  for (int axis = 0; axis < 2; ++axis) {
    int64_t s = getStride()[axis], span = getDilation()[axis] * (w[2 + axis] - 1);
    axes[axis] = {plus({1, 1}, ratio(span, s)), ratio(1, s),
                  ratio(span - getPadding()[axis], s)};
  }
  return ReceptiveFieldRule::resampled(axes[0], axes[1]);
}

//===--- adaptive_avg_pool2d ---===//

LogicalResult AdaptiveAvgPool2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResized(*this, getInput(), getSize(), types);
}

ReceptiveFieldRule AdaptiveAvgPool2dOp::getReceptiveFieldRule() {
  return adaptiveRule(getInput(), getSize());
}

//===--- adaptive_max_pool2d ---===//

LogicalResult AdaptiveMaxPool2dOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  return pushResized(*this, getInput(), getSize(), types);
}

ReceptiveFieldRule AdaptiveMaxPool2dOp::getReceptiveFieldRule() {
  return adaptiveRule(getInput(), getSize());
}

//===--- upsample ---===//

LogicalResult UpsampleOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (getMode() != "nearest" && getMode() != "bilinear")
    return emitError() << "upsample expects mode \"nearest\" or \"bilinear\", got \""
                       << getMode() << "\"";
  if (getAlignCorners() && getMode() != "bilinear")
    return emitError() << "upsample: align_corners applies to mode \"bilinear\" only";
  if (getScale().size() != 2 || !(getScale()[0] > 0.0) || !(getScale()[1] > 0.0))
    return emitError() << "upsample expects two positive scales";
  return pushResized(*this, getInput(), getSize(), types);
}

/// With t = in / out (or (in - 1) / (out - 1) with align_corners), nearest
/// reads floor(o t); bilinear reads the floor of its source coordinate, o t
/// (align_corners) or (o + 1/2) t - 1/2, and the next pixel. Clamping at
/// the borders only drops pixels, so the intervals still hold them.
ReceptiveFieldRule UpsampleOp::getReceptiveFieldRule() {
  auto sizes = spatialSizes(getInput());
  if (!sizes)
    return ReceptiveFieldRule::global();
  int64_t in[2] = {sizes->first, sizes->second};
  AxisResample axes[2];
  for (int axis = 0; axis < 2; ++axis) {
    int64_t out = getSize()[axis];
    bool corners = getAlignCorners();
    Ratio t = corners ? (out > 1 ? ratio(in[axis] - 1, out - 1) : Ratio{0, 1})
                      : ratio(in[axis], out);
    // The source coordinate o t + shift; its fractional part is a multiple
    // of 1 / D, D the common denominator, so its floor is within (D-1)/D.
    Ratio shift = corners || getMode() == "nearest" ? Ratio{0, 1}
                                                    : ratio(t.num - t.den, 2 * t.den);
    int64_t den = std::lcm(t.den, shift.den);
    Ratio slack = ratio(den - 1, den);
    if (getMode() == "nearest")
      axes[axis] = {plus({1, 1}, slack), t, slack};
    else
      axes[axis] = {plus({2, 1}, slack), t, minus(slack, shift)};
  }
  return ReceptiveFieldRule::resampled(axes[0], axes[1]);
}

//===--- group_norm ---===//

LogicalResult GroupNormOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)))
    return failure();
  shape::Shape x = shapeOf(getInput());
  if (x.size() < 2)
    return emitError() << "group_norm expects an input [N, C, ...], got " << shape::str(x);
  int64_t groups = static_cast<int64_t>(getGroups());
  if (groups <= 0 || x[1] % groups != 0)
    return emitError() << "group_norm: " << x[1] << " channels are not divisible by groups "
                       << groups;
  if (getAffine().size() != 0 && getAffine().size() != 2)
    return emitError() << "group_norm expects no affine operands or two (weight, bias), got "
                       << getAffine().size();
  for (Value v : getAffine())
    if (shapeOf(v) != shape::Shape{x[1]})
      return emitError() << "group_norm expects weight and bias of shape [" << x[1] << "], got "
                         << shape::str(shapeOf(v));
  if (!(getEps().convertToDouble() >= 0.0))
    return emitError() << "group_norm expects eps >= 0";
  types.push_back(getInput().getType());
  return success();
}
