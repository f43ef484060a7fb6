//===- ShapeMath.h - Result shapes of nn ops --------------------*- C++ -*-===//
//
// Result shapes of the nn ops with the semantics of PyTorch 1.13, shared by the
// dialect's verifiers and shape inference and by the frontend. Plain C++17 so
// that every layer can use it; no MLIR or LLVM types cross this interface.
//
// Every function either returns the result shape or a message saying why no
// result exists. Messages start with the DSL op name, are lowercase, have no
// trailing period and name the shapes and numbers involved, so a caller only
// has to attach a location. All arithmetic is checked: int64 overflow is an
// error, never undefined behaviour.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_SHAPEMATH_H
#define NETC_IR_SHAPEMATH_H

#include <array>
#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace netc::shape {

/// A static tensor shape; the empty shape is a scalar.
using Shape = std::vector<int64_t>;

/// The size MLIR gives a dynamic dimension (ShapedType::kDynamic); this
/// header stays free of MLIR, so it is spelled out here.
inline constexpr int64_t kDynamicDim = INT64_MIN;

/// Formats a shape as "[1, 3, 224, 224]", or "[]" for a scalar; a dynamic
/// dimension shows as "?".
std::string str(const Shape &s);

/// Either a shape or a message saying why none exists.
class ShapeResult {
public:
  /// Wraps a computed shape; implicit so that ops can return a Shape.
  ShapeResult(Shape s) : isOk(true), value(std::move(s)) {}
  /// Builds a failed result carrying a diagnostic message.
  static ShapeResult error(std::string message) {
    ShapeResult result;
    result.text = std::move(message);
    return result;
  }

  /// Returns true when a shape was computed.
  bool ok() const { return isOk; }
  /// Same as ok(), so results read naturally in conditions.
  explicit operator bool() const { return ok(); }
  /// Returns the shape; only valid when ok().
  const Shape &shape() const {
    assert(isOk && "shape() called on a failed ShapeResult");
    return value;
  }
  /// Returns the diagnostic; only valid when !ok().
  const std::string &message() const {
    assert(!isOk && "message() called on a successful ShapeResult");
    return text;
  }

private:
  ShapeResult() = default;

  bool isOk = false;
  Shape value;
  std::string text;
};

/// Window geometry of conv2d and the pools; padding is [top, bottom, left,
/// right] so that the "same" rule's uneven split can be expressed.
struct Window2d {
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, dilation{1, 1};
  std::array<int64_t, 4> padding{0, 0, 0, 0};
  bool ceilMode = false;
};

/// Normalises a possibly negative dim against rank with PyTorch's wrap rule
/// (a scalar accepts -1 and 0 as if it had rank 1); nullopt if out of range or
/// if rank is negative.
std::optional<int64_t> normalizeDim(int64_t dim, int64_t rank);

/// Product of dims; nullopt on int64 overflow or if a dim is negative.
std::optional<int64_t> numElements(const Shape &s);

/// Output length of a sliding window along one axis, PyTorch's formula
/// floor((in + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) +
/// 1, with ceil instead of floor in ceil mode followed by the rule "the last
/// window must start inside the input or the left padding". May return <= 0;
/// nullopt on int64 overflow or when stride <= 0 (the division would be
/// meaningless).
std::optional<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t padBefore,
                                        int64_t padAfter, int64_t dilation,
                                        bool ceilMode);

/// TensorFlow "same" padding [top, bottom, left, right] for spatial size {h,
/// w}, as DSL.md defines it. An axis with a non-positive kernel, stride or
/// dilation, or a negative size, gets no padding so that the op's own check
/// reports the bad value; amounts that would overflow saturate at INT64_MAX,
/// which the ops then reject as overflow.
std::array<int64_t, 4> samePadding(std::array<int64_t, 2> inHW,
                                   std::array<int64_t, 2> kernel,
                                   std::array<int64_t, 2> stride,
                                   std::array<int64_t, 2> dilation);

/// Broadcasts two shapes with NumPy rules. The message has no op name; callers
/// prefix their own.
ShapeResult broadcast(const Shape &a, const Shape &b);

/// conv2d of x [N, C, H, W] or unbatched [C, H, W] with weight [O, C/groups,
/// kh, kw] and optional bias [O]; the kernel comes from the weight, w.kernel is
/// ignored.
ShapeResult conv2d(const Shape &x, const Shape &weight, const Shape *bias,
                   const Window2d &w, int64_t groups);

/// max_pool2d of x [N, C, H, W] or [C, H, W].
ShapeResult maxpool2d(const Shape &x, const Window2d &w);

/// avg_pool2d of x [N, C, H, W] or [C, H, W]; w.dilation must be {1, 1}.
ShapeResult avgpool2d(const Shape &x, const Window2d &w);

/// Constant padding of the last two dims by [top, bottom, left, right];
/// negative amounts crop, as F.pad does.
ShapeResult pad2d(const Shape &x, const std::array<int64_t, 4> &pads);

/// F.linear of x [..., in] with weight [out, in] and optional bias [out].
ShapeResult linear(const Shape &x, const Shape &weight, const Shape *bias);

/// F.embedding: weight [num, dim] maps indices of any shape to indices + [dim].
ShapeResult embedding(const Shape &indices, const Shape &weight);

/// torch.matmul in all its 1-D, 2-D and batched (broadcast) cases.
ShapeResult matmul(const Shape &a, const Shape &b);

/// torch.flatten of dims startDim..endDim (inclusive, negative dims allowed).
ShapeResult flatten(const Shape &x, int64_t startDim, int64_t endDim);

/// torch.reshape: at most one -1 in target, element counts must match.
ShapeResult reshape(const Shape &x, const Shape &target);

/// torch.transpose of two (possibly negative) dims.
ShapeResult transpose(const Shape &x, int64_t dim0, int64_t dim1);

/// torch.cat along dim, including its legacy rule that skips 1-D empty inputs.
ShapeResult concat(const std::vector<Shape> &inputs, int64_t dim);

/// sum/mean-style reduction over dims (nullptr or empty: all dims), keeping
/// reduced dims as 1 when keepdim; opName prefixes messages.
ShapeResult reduce(const Shape &x, const std::vector<int64_t> *dims,
                   bool keepdim, const char *opName);

/// softmax/log_softmax: validates dim and returns x; opName prefixes messages.
ShapeResult softmax(const Shape &x, int64_t dim, const char *opName);

/// F.mse_loss with mean reduction: broadcastable operands give a scalar.
ShapeResult mse(const Shape &a, const Shape &b);

/// F.binary_cross_entropy with mean reduction: identical shapes give a scalar.
ShapeResult bce(const Shape &p, const Shape &y);

/// F.binary_cross_entropy_with_logits with mean reduction: identical shapes
/// give a scalar.
ShapeResult bceLogits(const Shape &z, const Shape &y);

/// F.cross_entropy with class-index targets and mean reduction: [N, C] + [N],
/// [N, C, d1..dk] + [N, d1..dk] and unbatched [C] + [] give a scalar.
ShapeResult crossEntropy(const Shape &logits, const Shape &target);

} // namespace netc::shape

#endif // NETC_IR_SHAPEMATH_H
