//===- HostTensor.cpp - constant tensors known at import ------------------===//

#include "onnx/HostTensor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"

#include <fmt/format.h>

using namespace mlir;

namespace netc::onnx {

std::string dtypeName(int32_t dtype) {
  switch (dtype) {
  case kFloat: return "FLOAT";
  case kUint8: return "UINT8";
  case kInt8: return "INT8";
  case kUint16: return "UINT16";
  case kInt16: return "INT16";
  case kInt32: return "INT32";
  case kInt64: return "INT64";
  case kString: return "STRING";
  case kBool: return "BOOL";
  case kFloat16: return "FLOAT16";
  case kDouble: return "DOUBLE";
  case kUint32: return "UINT32";
  case kUint64: return "UINT64";
  case kBFloat16: return "BFLOAT16";
  default: return "data type " + std::to_string(dtype);
  }
}

bool isFloatDType(int32_t dtype) { return dtype == kFloat || dtype == kDouble; }

bool isKnownDType(int32_t dtype) {
  switch (dtype) {
  case kFloat: case kDouble: case kUint8: case kInt8: case kUint16: case kInt16:
  case kInt32: case kInt64: case kBool: case kUint32:
    return true;
  default:
    return false;
  }
}

int64_t HostTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::vector<int64_t> HostTensor::ints() const {
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  for (int64_t k = 0; k < numel(); ++k)
    out[k] = asInt(k);
  return out;
}

HostTensor HostTensor::zeros(int32_t dtype, std::vector<int64_t> shape) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  if (t.isFloat())
    t.f.assign(static_cast<size_t>(t.numel()), 0.0);
  else
    t.i.assign(static_cast<size_t>(t.numel()), 0);
  return t;
}

HostTensor HostTensor::ofInts(const std::vector<int64_t> &values) {
  HostTensor t;
  t.dtype = kInt64;
  t.shape = {static_cast<int64_t>(values.size())};
  t.i = values;
  return t;
}

void HostTensor::set(int64_t k, double value) {
  if (isFloat())
    f[k] = dtype == kFloat ? double(float(value)) : value;
  else if (dtype == kBool)
    i[k] = value != 0.0;
  else
    i[k] = static_cast<int64_t>(value);
}

void HostTensor::copyFrom(int64_t k, const HostTensor &src, int64_t from) {
  if (isFloat())
    f[k] = src.asDouble(from);
  else
    i[k] = src.asInt(from);
}

std::string HostTensor::describe() const {
  std::string text = dtypeName(dtype) + "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  text += "]";
  if (numel() > 8)
    return text;
  text += " [";
  for (int64_t k = 0; k < numel(); ++k)
    text += (k ? ", " : "") + (isFloat() ? fmt::format("{}", f[k]) : std::to_string(i[k]));
  return text + "]";
}

Type elementTypeOf(Builder &b, int32_t dtype) {
  switch (dtype) {
  case kFloat: return b.getF32Type();
  case kDouble: return b.getF64Type();
  case kInt32: return b.getI32Type();
  case kInt64: return b.getI64Type();
  default: return {};
  }
}

Value materialize(OpBuilder &b, Location loc, const HostTensor &t) {
  // Booleans and narrow integers become i64, the dialect's index type.
  Type element = elementTypeOf(b, t.dtype);
  if (!element && !t.isFloat())
    element = b.getI64Type();
  if (!element)
    return {};
  auto type = RankedTensorType::get(t.shape, element);
  DenseElementsAttr attr;
  if (element.isF32()) {
    std::vector<float> narrow(t.f.begin(), t.f.end());
    attr = DenseElementsAttr::get(type, ArrayRef<float>(narrow));
  } else if (element.isF64()) {
    attr = DenseElementsAttr::get(type, ArrayRef<double>(t.f));
  } else if (element.isInteger(32)) {
    std::vector<int32_t> narrow(t.i.begin(), t.i.end());
    attr = DenseElementsAttr::get(type, ArrayRef<int32_t>(narrow));
  } else {
    attr = DenseElementsAttr::get(type, ArrayRef<int64_t>(t.i));
  }
  return b.create<arith::ConstantOp>(loc, attr);
}

} // namespace netc::onnx
