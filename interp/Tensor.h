//===- Tensor.h - the values of the reference interpreter -------*- C++ -*-===//
//
// A dense row-major tensor with a static shape. Float tensors (f32, f64) keep
// their elements as doubles, integer tensors (i32, i64) as int64; an f32
// tensor's doubles are always exactly representable as floats, because the
// interpreter rounds after every op. A 0-d tensor (empty shape) also stands
// for a scalar such as the i64 dropout seed.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_INTERP_TENSOR_H
#define NETC_INTERP_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace netc::interp {

/// A static shape; empty for a 0-d tensor.
using Shape = std::vector<int64_t>;

/// The element types the interpreter knows.
enum class ElementType { F32, F64, I32, I64 };

/// "f32", "f64", "i32" or "i64".
const char *elementTypeName(ElementType type);

/// Whether `type` is f32 or f64.
inline bool isFloatType(ElementType type) {
  return type == ElementType::F32 || type == ElementType::F64;
}

/// The most elements of one tensor of the interpreter (2^28: 2 GiB, since
/// it holds every element as a double or an int64). Larger tensors are an
/// error before anything is allocated (see checkInterpretable).
constexpr int64_t kMaxTensorElements = int64_t(1) << 28;
/// The most elements of all the tensors of one function together (2^30:
/// 8 GiB), a bound on what a run can hold at once.
constexpr int64_t kMaxFunctionElements = int64_t(1) << 30;

/// The number of elements of `shape` (1 for a 0-d shape), saturating at
/// INT64_MAX instead of wrapping.
int64_t numElements(const Shape &shape);

/// Row-major strides of `shape`.
Shape stridesOf(const Shape &shape);

/// Formats a shape as "[2, 3]".
std::string shapeString(const Shape &shape);

/// The strides with which an operand of shape `in` is read when broadcast
/// (NumPy rules, trailing axes aligned) to `out`: one entry per axis of
/// `out`, 0 along axes that `in` lacks or has as 1.
Shape broadcastStrides(const Shape &in, const Shape &out);

/// The flat index into a broadcast operand (strides from broadcastStrides)
/// of the element at flat index `flat` of a tensor of shape `out`.
int64_t broadcastIndex(int64_t flat, const Shape &out, const Shape &strides);

/// A dense row-major tensor.
struct Tensor {
  Shape shape;
  ElementType type = ElementType::F32;
  /// The elements of a float tensor.
  std::vector<double> floats;
  /// The elements of an integer tensor.
  std::vector<int64_t> ints;

  /// A zero-filled tensor.
  static Tensor zeros(Shape shape, ElementType type);
  /// A 0-d tensor holding `value`.
  static Tensor scalar(double value, ElementType type);
  /// A 0-d integer tensor holding `value`.
  static Tensor integer(int64_t value, ElementType type);

  /// Whether the elements live in `floats`.
  bool isFloat() const { return isFloatType(type); }
  /// The number of elements.
  int64_t numel() const { return numElements(shape); }
  /// The rank.
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Element `i` as a double, whatever the element type.
  double get(int64_t i) const { return isFloat() ? floats[i] : double(ints[i]); }
  /// "f32[2, 3]".
  std::string typeString() const;
  /// A copy converted to `target`: floats round to f32 or widen, integers
  /// convert to floats and back (truncating toward zero).
  Tensor convertedTo(ElementType target) const;
  /// Rounds every element to float precision when the type is f32.
  void roundToType();
};

} // namespace netc::interp

#endif // NETC_INTERP_TENSOR_H
