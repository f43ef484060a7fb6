//===- HostTensor.h - constant tensors known at import ----------*- C++ -*-===//
//
// The values the importer knows without running the model: shapes, the
// outputs of Constant nodes, small initializers, and whatever the constant
// evaluator (Fold.cpp) computes from them. Floats are held as double and
// integers (and booleans) as int64, whatever the ONNX type; `dtype` keeps the
// ONNX type for Cast and for the IR constant the tensor may become.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_ONNX_HOSTTENSOR_H
#define NETC_ONNX_HOSTTENSOR_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace netc::onnx {

/// ONNX's TensorProto.DataType values the importer knows by name.
enum OnnxDType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kDouble = 11,
  kUint32 = 12,
  kUint64 = 13,
  kBFloat16 = 16,
};

/// The ONNX name of a data type ("FLOAT", "INT64", ...), for messages.
std::string dtypeName(int32_t dtype);
/// Whether the importer holds values of `dtype` as floats (FLOAT, DOUBLE).
bool isFloatDType(int32_t dtype);
/// Whether the importer can hold values of `dtype` at all.
bool isKnownDType(int32_t dtype);

/// A tensor whose every element is known at import.
struct HostTensor {
  int32_t dtype = kInt64;
  std::vector<int64_t> shape;
  /// The elements of a float dtype, row-major; empty otherwise.
  std::vector<double> f;
  /// The elements of an integer or boolean dtype, row-major; empty otherwise.
  std::vector<int64_t> i;

  bool isFloat() const { return isFloatDType(dtype); }
  int64_t numel() const;
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Element `k` as a double or as an integer, whatever the storage.
  double asDouble(int64_t k) const { return isFloat() ? f[k] : double(i[k]); }
  int64_t asInt(int64_t k) const { return isFloat() ? int64_t(f[k]) : i[k]; }
  /// All elements as integers.
  std::vector<int64_t> ints() const;

  /// A tensor of `shape` and `dtype` with storage for its elements (zeros).
  static HostTensor zeros(int32_t dtype, std::vector<int64_t> shape);
  /// A 1-D int64 tensor of `values`.
  static HostTensor ofInts(const std::vector<int64_t> &values);
  /// Sets element `k` from a double, converting to the storage.
  void set(int64_t k, double value);
  /// Copies element `from` of `src` (of the same kind) to element `k`.
  void copyFrom(int64_t k, const HostTensor &src, int64_t from);
  /// Describes it for messages: `INT64[3] [1, 3, 224]` (values of small ones).
  std::string describe() const;
};

/// The MLIR element type of `dtype` (f32, f64, i64, i32, i1 as i64?), or null
/// when the nn dialect has none.
mlir::Type elementTypeOf(mlir::Builder &b, int32_t dtype);

/// An arith.constant holding `t`; null when its dtype has no IR type.
mlir::Value materialize(mlir::OpBuilder &b, mlir::Location loc, const HostTensor &t);

} // namespace netc::onnx

#endif // NETC_ONNX_HOSTTENSOR_H
