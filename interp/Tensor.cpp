//===- Tensor.cpp - the values of the reference interpreter ---------------===//

#include "interp/Tensor.h"

#include <cmath>

namespace netc::interp {

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F64:
    return "f64";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  return "?";
}

int64_t numElements(const Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n))
      return INT64_MAX;
  return n;
}

Shape stridesOf(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::string shapeString(const Shape &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

Shape broadcastStrides(const Shape &in, const Shape &out) {
  Shape inStrides = stridesOf(in);
  Shape strides(out.size(), 0);
  size_t offset = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i)
    strides[offset + i] = in[i] == 1 ? 0 : inStrides[i];
  return strides;
}

int64_t broadcastIndex(int64_t flat, const Shape &out, const Shape &strides) {
  int64_t index = 0;
  for (int64_t axis = static_cast<int64_t>(out.size()) - 1; axis >= 0; --axis) {
    index += (flat % out[axis]) * strides[axis];
    flat /= out[axis];
  }
  return index;
}

Tensor Tensor::zeros(Shape shape, ElementType type) {
  Tensor t;
  t.shape = std::move(shape);
  t.type = type;
  if (t.isFloat())
    t.floats.assign(t.numel(), 0.0);
  else
    t.ints.assign(t.numel(), 0);
  return t;
}

Tensor Tensor::scalar(double value, ElementType type) {
  Tensor t = zeros({}, type);
  t.floats[0] = value;
  t.roundToType();
  return t;
}

Tensor Tensor::integer(int64_t value, ElementType type) {
  Tensor t = zeros({}, type);
  t.ints[0] = value;
  return t;
}

std::string Tensor::typeString() const {
  return std::string(elementTypeName(type)) + shapeString(shape);
}

Tensor Tensor::convertedTo(ElementType target) const {
  Tensor t = zeros(shape, target);
  for (int64_t i = 0, e = numel(); i < e; ++i) {
    if (t.isFloat())
      t.floats[i] = get(i);
    else
      t.ints[i] = isFloat() ? static_cast<int64_t>(std::trunc(floats[i])) : ints[i];
  }
  if (target == ElementType::I32)
    for (int64_t &v : t.ints)
      v = static_cast<int32_t>(v);
  t.roundToType();
  return t;
}

void Tensor::roundToType() {
  if (type == ElementType::F32)
    for (double &v : floats)
      v = static_cast<double>(static_cast<float>(v));
}

} // namespace netc::interp
