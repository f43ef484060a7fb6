//===- ShapeMath.cpp - Result shapes of nn ops ----------------------------===//
//
// Each op accepts exactly what PyTorch 1.13 accepts for static shapes and
// rejects the rest with a message of its own. All size arithmetic goes through
// checked helpers because shapes come straight from user programs and may be
// absurdly large.
//
//===----------------------------------------------------------------------===//

#include "ir/ShapeMath.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include <fmt/format.h>

namespace netc::shape {

namespace {

using OptInt = std::optional<int64_t>;

OptInt checkedAdd(OptInt a, OptInt b) {
  int64_t r;
  return a && b && !__builtin_add_overflow(*a, *b, &r) ? OptInt(r) : OptInt();
}

OptInt checkedSub(OptInt a, OptInt b) {
  int64_t r;
  return a && b && !__builtin_sub_overflow(*a, *b, &r) ? OptInt(r) : OptInt();
}

OptInt checkedMul(OptInt a, OptInt b) {
  int64_t r;
  return a && b && !__builtin_mul_overflow(*a, *b, &r) ? OptInt(r) : OptInt();
}

using shape::str;

template <size_t N> std::string str(const std::array<int64_t, N> &a) {
  return str(Shape(a.begin(), a.end()));
}

template <typename... Args>
ShapeResult fail(fmt::format_string<Args...> format, Args &&...args) {
  return ShapeResult::error(fmt::format(format, std::forward<Args>(args)...));
}

/// An error to return early, or nothing when the check passed.
using Check = std::optional<ShapeResult>;

/// Shapes reach us from parsed programs and from IR that may carry dynamic
/// sizes (negative sentinels); computing with them would give nonsense. A
/// dynamic size (a `?` of a .mlir input) is named as such, not as the
/// sentinel's value. A null shape (an absent bias) is skipped.
Check checkNonNegative(
    const char *op,
    std::initializer_list<std::pair<std::string, const Shape *>> shapes) {
  for (const auto &[role, s] : shapes) {
    if (s && std::find(s->begin(), s->end(), kDynamicDim) != s->end())
      return fail("{} {} {} has a dynamic dimension; nn ops need static shapes", op, role,
                  str(*s));
    if (s && std::any_of(s->begin(), s->end(), [](int64_t d) { return d < 0; }))
      return fail("{} {} {} has a negative dimension", op, role, str(*s));
  }
  return std::nullopt;
}

ShapeResult dimOutOfRange(const char *op, const char *what, int64_t dim,
                          const Shape &x) {
  // PyTorch lets a scalar be indexed as if it had rank 1.
  int64_t rank = std::max<int64_t>(static_cast<int64_t>(x.size()), 1);
  return fail("{} {} {} is out of range for input {} (expected {}..{})", op,
              what, dim, str(x), -rank, rank - 1);
}

/// Checks shared by conv2d and the pools: ranks, sizes and window geometry.
Check checkWindowOp(const char *op, const Shape &x, const Shape *weight,
                    const Window2d &w, bool allowDilation) {
  if (x.size() != 3 && x.size() != 4)
    return fail("{} expects input [C, H, W] or [N, C, H, W], got {}", op,
                str(x));
  if (weight && weight->size() != 4)
    return fail("{} expects weight [out, in/groups, kh, kw], got {}", op,
                str(*weight));
  if (auto e = checkNonNegative(op, {{"input", &x}, {"weight", weight}}))
    return e;
  auto nonPositive = [](int64_t v) { return v <= 0; };
  if (std::any_of(w.kernel.begin(), w.kernel.end(), nonPositive))
    return fail("{} kernel must be positive, got {}", op, str(w.kernel));
  if (std::any_of(w.stride.begin(), w.stride.end(), nonPositive))
    return fail("{} stride must be positive, got {}", op, str(w.stride));
  if (!allowDilation && (w.dilation[0] != 1 || w.dilation[1] != 1))
    return fail("{} does not support dilation, got {}", op, str(w.dilation));
  if (std::any_of(w.dilation.begin(), w.dilation.end(), nonPositive))
    return fail("{} dilation must be positive, got {}", op, str(w.dilation));
  if (std::any_of(w.padding.begin(), w.padding.end(),
                  [](int64_t p) { return p < 0; }))
    return fail("{} padding must be non-negative, got {}", op, str(w.padding));
  return std::nullopt;
}

/// Replaces the last two dims of x (rank 3 or 4) with the window output size.
ShapeResult slideWindow(const char *op, const Shape &x, const Window2d &w) {
  size_t h = x.size() - 2;
  std::array<int64_t, 2> out{}, effectiveKernel{};
  for (size_t axis = 0; axis < 2; ++axis) {
    OptInt size = windowOutputSize(x[h + axis], w.kernel[axis], w.stride[axis],
                                   w.padding[2 * axis], w.padding[2 * axis + 1],
                                   w.dilation[axis], w.ceilMode);
    OptInt span = checkedAdd(
        checkedMul(w.dilation[axis], checkedSub(w.kernel[axis], 1)), 1);
    if (!size || !span)
      return fail("{} window arithmetic overflows int64 for input {} with "
                  "kernel {}, stride {}, dilation {} and padding {}",
                  op, str(x), str(w.kernel), str(w.stride), str(w.dilation),
                  str(w.padding));
    out[axis] = *size;
    effectiveKernel[axis] = *span;
  }
  if (out[0] <= 0 || out[1] <= 0)
    return fail("{} output would be empty: input {} with effective kernel {}, "
                "stride {} and padding {} gives {} (input too small)",
                op, str(x), str(effectiveKernel), str(w.stride), str(w.padding),
                str(out));
  Shape result = x;
  result[h] = out[0];
  result[h + 1] = out[1];
  return result;
}

/// The two BCE losses refuse broadcasting: PyTorch demands equal shapes.
ShapeResult sameShapeLoss(const char *op, const Shape &input,
                          const Shape &target) {
  if (auto e = checkNonNegative(op, {{"input", &input}, {"target", &target}}))
    return *e;
  if (input != target)
    return fail("{} expects target {} to have the same shape as input {}", op,
                str(target), str(input));
  return Shape{};
}

ShapeResult pool2d(const char *op, const Shape &x, const Window2d &w,
                   bool allowDilation) {
  if (auto e = checkWindowOp(op, x, nullptr, w, allowDilation))
    return *e;
  // PyTorch bounds each side by half the undilated kernel, so that every
  // window still sees at least one real element.
  for (size_t axis = 0; axis < 2; ++axis)
    if (std::max(w.padding[2 * axis], w.padding[2 * axis + 1]) >
        w.kernel[axis] / 2)
      return fail("{} padding {} should be at most half of kernel size {}", op,
                  str(w.padding), str(w.kernel));
  // Only the batch dim may be empty; PyTorch rejects other empty dims.
  if (std::count(x.end() - 3, x.end(), 0) != 0)
    return fail(
        "{} expects a non-empty input (only the batch may be 0), got {}", op,
        str(x));
  return slideWindow(op, x, w);
}

} // namespace

std::string str(const Shape &s) {
  std::string text = "[";
  for (size_t i = 0; i < s.size(); ++i)
    text += (i ? ", " : "") + (s[i] == kDynamicDim ? std::string("?") : std::to_string(s[i]));
  return text + "]";
}

std::optional<int64_t> normalizeDim(int64_t dim, int64_t rank) {
  if (rank < 0)
    return std::nullopt;
  // A scalar accepts dims -1 and 0, as in PyTorch's maybe_wrap_dim.
  int64_t wrapRank = std::max<int64_t>(rank, 1);
  if (dim < -wrapRank || dim >= wrapRank)
    return std::nullopt;
  return dim < 0 ? dim + wrapRank : dim;
}

std::optional<int64_t> numElements(const Shape &s) {
  OptInt n = 1;
  for (int64_t d : s) {
    if (d < 0)
      return std::nullopt;
    n = checkedMul(n, d);
  }
  return n;
}

std::optional<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t padBefore,
                                        int64_t padAfter, int64_t dilation,
                                        bool ceilMode) {
  if (stride <= 0)
    return std::nullopt;
  OptInt paddedStart = checkedAdd(in, padBefore);
  OptInt span = checkedMul(dilation, checkedSub(kernel, 1));
  OptInt numerator =
      checkedSub(checkedSub(checkedAdd(paddedStart, padAfter), span), 1);
  if (!numerator || !paddedStart)
    return std::nullopt;
  // PyTorch divides (numerator + stride - 1) rounding down in ceil mode; a
  // rounding-up division is the same and cannot overflow.
  auto divide = [stride](int64_t n, bool up) {
    int64_t q = n / stride;
    bool inexact = n % stride != 0;
    return inexact && up && n > 0 ? q + 1 : inexact && !up && n < 0 ? q - 1 : q;
  };
  OptInt lastIndex = divide(*numerator, ceilMode);
  // The last window starts at lastIndex * stride and must start inside the
  // input or the left padding, otherwise it would only cover right padding.
  if (ceilMode && *lastIndex >= divide(*paddedStart, /*up=*/true))
    lastIndex = checkedSub(lastIndex, 1);
  return checkedAdd(lastIndex, 1);
}

std::array<int64_t, 4> samePadding(std::array<int64_t, 2> inHW,
                                   std::array<int64_t, 2> kernel,
                                   std::array<int64_t, 2> stride,
                                   std::array<int64_t, 2> dilation) {
  std::array<int64_t, 4> pads{0, 0, 0, 0};
  for (size_t axis = 0; axis < 2; ++axis) {
    int64_t n = inHW[axis], k = kernel[axis], s = stride[axis];
    if (n < 0 || k <= 0 || s <= 0 || dilation[axis] <= 0)
      continue;
    // There is no error channel here: an effective kernel that overflows
    // saturates, and the op's checked arithmetic then reports the overflow.
    int64_t span =
        checkedAdd(checkedMul(dilation[axis], k - 1), 1).value_or(INT64_MAX);
    // span >= 1 and s >= 1, so the differences cannot overflow.
    int64_t total = std::max<int64_t>(span - (n % s == 0 ? s : n % s), 0);
    pads[2 * axis] = total / 2;
    pads[2 * axis + 1] = total - total / 2;
  }
  return pads;
}

ShapeResult broadcast(const Shape &a, const Shape &b) {
  size_t rank = std::max(a.size(), b.size());
  Shape result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the right; missing leading dims act as 1.
    int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1)
      return fail("shapes {} and {} do not broadcast: dimension {} is {} vs {}",
                  str(a), str(b), i, da, db);
    result[i] = da == 1 ? db : da;
  }
  return result;
}

ShapeResult conv2d(const Shape &x, const Shape &weight, const Shape *bias,
                   const Window2d &w, int64_t groups) {
  Window2d window = w;
  if (weight.size() == 4)
    window.kernel = {weight[2], weight[3]};
  if (auto e =
          checkWindowOp("conv2d", x, &weight, window, /*allowDilation=*/true))
    return *e;
  if (auto e = checkNonNegative("conv2d", {{"bias", bias}}))
    return *e;
  if (groups <= 0)
    return fail("conv2d groups must be positive, got {}", groups);

  size_t channelAxis = x.size() - 3;
  int64_t channels = x[channelAxis], outChannels = weight[0];
  if (outChannels < groups || outChannels % groups != 0)
    return fail("conv2d output channels must be a positive multiple of groups "
                "{}, got {} from weight {}",
                groups, outChannels, str(weight));
  if (channels % groups != 0)
    return fail("conv2d input channels {} are not divisible by groups {} "
                "(input {})",
                channels, groups, str(x));
  if (channels / groups != weight[1])
    return fail("conv2d expects {} input channels per group (weight {}, groups "
                "{}), got {} from input {}",
                weight[1], str(weight), groups, channels / groups, str(x));
  if (bias && *bias != Shape{outChannels})
    return fail("conv2d expects bias [{}] to match weight {}, got {}",
                outChannels, str(weight), str(*bias));

  ShapeResult spatial = slideWindow("conv2d", x, window);
  if (!spatial)
    return spatial;
  Shape result = spatial.shape();
  result[channelAxis] = outChannels;
  return result;
}

ShapeResult maxpool2d(const Shape &x, const Window2d &w) {
  return pool2d("maxpool2d", x, w, /*allowDilation=*/true);
}

ShapeResult avgpool2d(const Shape &x, const Window2d &w) {
  return pool2d("avgpool2d", x, w, /*allowDilation=*/false);
}

ShapeResult pad2d(const Shape &x, const std::array<int64_t, 4> &pads) {
  if (x.size() < 2)
    return fail("pad2d expects input of rank >= 2, got {}", str(x));
  if (auto e = checkNonNegative("pad2d", {{"input", &x}}))
    return *e;
  // F.pad first crops (negative amounts), then pads the result; an empty dim
  // may survive a pure crop, but PyTorch refuses to pad a tensor that has one.
  bool grows =
      std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p > 0; });
  Shape result = x;
  for (size_t axis = 0; axis < 2; ++axis) {
    size_t dim = x.size() - 2 + axis;
    int64_t before = pads[2 * axis], after = pads[2 * axis + 1];
    // A non-negative size plus a non-positive crop cannot overflow.
    int64_t cropped = x[dim] + std::min<int64_t>(before, 0);
    if (cropped >= 0)
      cropped += std::min<int64_t>(after, 0);
    if (cropped < 0)
      return fail("pad2d padding {} crops dimension {} of input {} below zero",
                  str(pads), dim, str(x));
    OptInt size = checkedAdd(checkedAdd(x[dim], before), after);
    if (!size)
      return fail("pad2d padding {} overflows int64 for input {}", str(pads),
                  str(x));
    if (grows && *size == 0)
      return fail("pad2d padding {} leaves dimension {} of input {} empty, "
                  "which cannot be padded",
                  str(pads), dim, str(x));
    result[dim] = *size;
  }
  return result;
}

ShapeResult linear(const Shape &x, const Shape &weight, const Shape *bias) {
  if (x.empty())
    return fail("linear expects input of rank >= 1, got []");
  if (weight.size() != 2)
    return fail("linear expects weight [out, in], got {}", str(weight));
  if (auto e = checkNonNegative(
          "linear", {{"input", &x}, {"weight", &weight}, {"bias", bias}}))
    return *e;
  if (x.back() != weight[1])
    return fail("linear expects {} input features (weight {}), got {} from "
                "input {}",
                weight[1], str(weight), x.back(), str(x));
  if (bias && *bias != Shape{weight[0]})
    return fail("linear expects bias [{}] to match weight {}, got {}",
                weight[0], str(weight), str(*bias));
  Shape result = x;
  result.back() = weight[0];
  return result;
}

ShapeResult embedding(const Shape &indices, const Shape &weight) {
  if (weight.size() != 2)
    return fail("embedding expects weight [num, dim], got {}", str(weight));
  if (auto e = checkNonNegative("embedding",
                                {{"indices", &indices}, {"weight", &weight}}))
    return *e;
  Shape result = indices;
  result.push_back(weight[1]);
  return result;
}

ShapeResult matmul(const Shape &a, const Shape &b) {
  if (a.empty() || b.empty())
    return fail("matmul expects operands of rank >= 1, got {} and {}", str(a),
                str(b));
  if (auto e = checkNonNegative("matmul", {{"operand", &a}, {"operand", &b}}))
    return *e;
  // torch.matmul promotes a 1-D lhs to a row [1, k] and a 1-D rhs to a column
  // [k, 1], multiplies with broadcast batch dims and drops the added dims.
  Shape lhs = a.size() == 1 ? Shape{1, a[0]} : a;
  Shape rhs = b.size() == 1 ? Shape{b[0], 1} : b;
  int64_t lhsInner = lhs.back(), rhsInner = rhs[rhs.size() - 2];
  if (lhsInner != rhsInner)
    return fail("matmul cannot multiply {} by {}: contracted dimensions {} and "
                "{} differ",
                str(a), str(b), lhsInner, rhsInner);
  ShapeResult batch = broadcast(Shape(lhs.begin(), lhs.end() - 2),
                                Shape(rhs.begin(), rhs.end() - 2));
  if (!batch)
    return fail("matmul expects broadcastable batch dimensions, but {} "
                "(operands {} and {})",
                batch.message(), str(a), str(b));
  Shape result = batch.shape();
  if (a.size() > 1)
    result.push_back(lhs[lhs.size() - 2]);
  if (b.size() > 1)
    result.push_back(rhs.back());
  return result;
}

ShapeResult flatten(const Shape &x, int64_t startDim, int64_t endDim) {
  if (auto e = checkNonNegative("flatten", {{"input", &x}}))
    return *e;
  int64_t rank = static_cast<int64_t>(x.size());
  OptInt start = normalizeDim(startDim, rank), end = normalizeDim(endDim, rank);
  if (!start)
    return dimOutOfRange("flatten", "start_dim", startDim, x);
  if (!end)
    return dimOutOfRange("flatten", "end_dim", endDim, x);
  if (*start > *end)
    return fail("flatten start_dim {} comes after end_dim {} for input {}",
                startDim, endDim, str(x));
  // PyTorch turns a scalar into a one-element vector.
  if (rank == 0)
    return Shape{1};
  OptInt merged = 1;
  for (int64_t i = *start; i <= *end; ++i)
    merged = checkedMul(merged, x[i]);
  if (!merged)
    return fail("flatten of dims {}..{} of input {} overflows int64", *start,
                *end, str(x));
  Shape result(x.begin(), x.begin() + *start);
  result.push_back(*merged);
  result.insert(result.end(), x.begin() + *end + 1, x.end());
  return result;
}

ShapeResult reshape(const Shape &x, const Shape &target) {
  if (auto e = checkNonNegative("reshape", {{"input", &x}}))
    return *e;
  std::optional<size_t> inferred;
  OptInt known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1 && inferred)
      return fail("reshape target {} has more than one -1", str(target));
    if (target[i] < -1)
      return fail("reshape target {} has invalid dimension {}", str(target),
                  target[i]);
    if (target[i] == -1)
      inferred = i;
    else
      known = checkedMul(known, target[i]);
  }
  OptInt count = numElements(x);
  if (!count || !known)
    return fail("reshape element count of {} or {} overflows int64", str(x),
                str(target));
  if (!inferred && *count == *known)
    return target;
  if (inferred && *known != 0 && *count % *known == 0) {
    Shape result = target;
    result[*inferred] = *count / *known;
    return result;
  }
  // With 0 elements and a 0 among the known dims, any size fits the -1.
  if (inferred && *known == 0 && *count == 0)
    return fail("reshape cannot view {} (0 elements) as {}: the size of -1 is "
                "ambiguous",
                str(x), str(target));
  return fail("reshape cannot view {} ({} elements) as {}", str(x), *count,
              str(target));
}

ShapeResult transpose(const Shape &x, int64_t dim0, int64_t dim1) {
  if (auto e = checkNonNegative("transpose", {{"input", &x}}))
    return *e;
  int64_t rank = static_cast<int64_t>(x.size());
  OptInt first = normalizeDim(dim0, rank), second = normalizeDim(dim1, rank);
  if (!first)
    return dimOutOfRange("transpose", "dim0", dim0, x);
  if (!second)
    return dimOutOfRange("transpose", "dim1", dim1, x);
  Shape result = x;
  if (rank > 0)
    std::swap(result[*first], result[*second]);
  return result;
}

ShapeResult concat(const std::vector<Shape> &inputs, int64_t dim) {
  if (inputs.empty())
    return fail("concat expects at least one input");
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string role = fmt::format("input {}", i);
    if (auto e = checkNonNegative("concat", {{role, &inputs[i]}}))
      return *e;
    if (inputs[i].empty())
      return fail("concat cannot concatenate scalar input {}", i);
  }
  // Legacy torch.cat rule: 1-D empty tensors are skipped whatever the other
  // ranks, so `torch.cat([torch.empty(0), x])` is x.
  auto skipped = [](const Shape &s) { return s.size() == 1 && s[0] == 0; };
  auto first = std::find_if_not(inputs.begin(), inputs.end(), skipped);
  if (first == inputs.end())
    return Shape{0};
  size_t firstIndex = first - inputs.begin();
  OptInt axis = normalizeDim(dim, static_cast<int64_t>(first->size()));
  if (!axis)
    return dimOutOfRange("concat", "dim", dim, *first);

  OptInt total = 0;
  for (size_t i = firstIndex; i < inputs.size(); ++i) {
    const Shape &s = inputs[i];
    if (skipped(s))
      continue;
    if (s.size() != first->size())
      return fail("concat inputs must have the same rank: input {} {} vs "
                  "input {} {}",
                  firstIndex, str(*first), i, str(s));
    for (size_t d = 0; d < s.size(); ++d)
      if (static_cast<int64_t>(d) != *axis && s[d] != (*first)[d])
        return fail("concat inputs must match except in dimension {}: input "
                    "{} {} vs input {} {} differ in dimension {} ({} vs {})",
                    *axis, firstIndex, str(*first), i, str(s), d, (*first)[d],
                    s[d]);
    total = checkedAdd(total, s[*axis]);
  }
  if (!total)
    return fail("concat size along dimension {} overflows int64", *axis);
  Shape result = *first;
  result[*axis] = *total;
  return result;
}

ShapeResult reduce(const Shape &x, const std::vector<int64_t> *dims,
                   bool keepdim, const char *opName) {
  if (auto e = checkNonNegative(opName, {{"input", &x}}))
    return *e;
  int64_t rank = static_cast<int64_t>(x.size());
  // PyTorch 1.13 reads an empty dim list as "all dims", like no list at all.
  std::vector<bool> reduced(std::max<int64_t>(rank, 1), !dims || dims->empty());
  for (int64_t dim : dims ? *dims : std::vector<int64_t>{}) {
    OptInt d = normalizeDim(dim, rank);
    if (!d)
      return dimOutOfRange(opName, "dim", dim, x);
    if (reduced[*d])
      return fail("{} dim {} appears multiple times in dims {}", opName, *d,
                  str(*dims));
    reduced[*d] = true;
  }
  Shape result;
  for (size_t i = 0; i < x.size(); ++i)
    if (!reduced[i] || keepdim)
      result.push_back(reduced[i] ? 1 : x[i]);
  return result;
}

ShapeResult softmax(const Shape &x, int64_t dim, const char *opName) {
  if (auto e = checkNonNegative(opName, {{"input", &x}}))
    return *e;
  if (!normalizeDim(dim, static_cast<int64_t>(x.size())))
    return dimOutOfRange(opName, "dim", dim, x);
  return x;
}

ShapeResult mse(const Shape &a, const Shape &b) {
  if (auto e = checkNonNegative("mse", {{"input", &a}, {"target", &b}}))
    return *e;
  ShapeResult common = broadcast(a, b);
  if (!common)
    return fail("mse expects broadcastable operands, but {}", common.message());
  return Shape{};
}

ShapeResult bce(const Shape &p, const Shape &y) {
  return sameShapeLoss("bce", p, y);
}

ShapeResult bceLogits(const Shape &z, const Shape &y) {
  return sameShapeLoss("bce_logits", z, y);
}

ShapeResult crossEntropy(const Shape &logits, const Shape &target) {
  if (logits.empty())
    return fail("cross_entropy expects logits of rank >= 1, got []");
  if (auto e = checkNonNegative("cross_entropy", {{"logits", &logits}}))
    return *e;
  // Class indices drop the class dim (dim 1, or dim 0 when unbatched).
  Shape expected;
  if (logits.size() > 1) {
    expected.push_back(logits[0]);
    expected.insert(expected.end(), logits.begin() + 2, logits.end());
  }
  if (target != expected)
    return fail("cross_entropy expects target {} (class indices) for logits "
                "{}, got {}",
                str(expected), str(logits), str(target));
  return Shape{};
}

} // namespace netc::shape
