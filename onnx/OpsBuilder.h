//===- OpsBuilder.h - building nn ops for one ONNX node ---------*- C++ -*-===//
//
// The converters of onnx/Ops<Family>.cpp read their node (inputs, constant
// inputs, attributes) and build nn ops through this class, which sits on the
// importer's per-node context. Every op it builds is located at the node;
// after the first failure (already reported) it builds nothing more and
// returns null values, so a converter checks once, at its end.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_ONNX_OPSBUILDER_H
#define NETC_ONNX_OPSBUILDER_H

#include "onnx/OnnxImporter.h"

#include <functional>

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace netc::onnx {

/// One node's converter state: its inputs and attributes, and the nn ops
/// built for it.
class OpsBuilder {
public:
  explicit OpsBuilder(OnnxNode &node) : node(node) {}

  //===--- the node ---===//
  /// The ONNX op type ("LSTM").
  llvm::StringRef opType() const;
  /// The opset the node is read in.
  int64_t opset() const;
  /// Whether input `i` is present (not absent and not the empty name).
  bool has(unsigned i) const;
  /// The number of inputs, the absent optional ones included.
  unsigned numInputs() const;
  /// Input `i` as a tensor value (a constant becomes an arith.constant);
  /// null after an error.
  mlir::Value in(unsigned i);
  /// Input `i` when it is a known constant of integers, else nullopt (no error).
  std::optional<llvm::SmallVector<int64_t>> ints(unsigned i);
  /// The shape of input `i` when it is a known constant, else nullopt.
  std::optional<llvm::SmallVector<int64_t>> constShape(unsigned i);
  /// Input `i` when it is a known constant of numbers, else nullopt (no error).
  std::optional<llvm::SmallVector<double>> floats(unsigned i);
  /// Input `i`'s constant integers, or a located error naming `what`.
  std::optional<llvm::SmallVector<int64_t>> requireInts(unsigned i, llvm::StringRef what);

  /// Whether the node has attribute `name`.
  bool hasAttr(llvm::StringRef name) const;
  int64_t attrInt(llvm::StringRef name, int64_t otherwise) const;
  double attrFloat(llvm::StringRef name, double otherwise) const;
  std::string attrString(llvm::StringRef name, llvm::StringRef otherwise) const;
  llvm::SmallVector<int64_t> attrInts(llvm::StringRef name) const;
  llvm::SmallVector<double> attrFloats(llvm::StringRef name) const;
  llvm::SmallVector<std::string> attrStrings(llvm::StringRef name) const;

  /// The number of outputs the node declares.
  unsigned numOutputs() const;
  /// Whether output `i` is declared and named (used by the graph).
  bool wants(unsigned i) const;
  /// Binds output `i`; a null value (after an error) is ignored.
  void out(unsigned i, mlir::Value value);

  /// Reports a located error naming the node, its op type and opset, then
  /// `what`; returns failure.
  mlir::LogicalResult fail(const llvm::Twine &what);
  /// The same, where the converter goes on to return null values.
  void error(const llvm::Twine &what);
  /// Whether an error was reported for this node.
  bool failed() const { return hasFailed; }
  /// failure() after an error, else success().
  mlir::LogicalResult result() const { return mlir::failure(hasFailed); }

  //===--- building ---===//
  mlir::OpBuilder &builder();
  mlir::Location loc() const;
  /// Creates nn op `name` with its inferred result type; null after an error.
  mlir::Value op(llvm::StringRef name, mlir::ValueRange operands,
                 llvm::ArrayRef<mlir::NamedAttribute> attrs = {});
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t value);
  mlir::NamedAttribute f64(llvm::StringRef name, double value);
  mlir::NamedAttribute flag(llvm::StringRef name, bool value);
  mlir::NamedAttribute str(llvm::StringRef name, llvm::StringRef value);
  mlir::NamedAttribute array(llvm::StringRef name, llvm::ArrayRef<int64_t> values);

  /// A constant tensor of `shape` filled with `value`, of element type `element`.
  mlir::Value splat(llvm::ArrayRef<int64_t> shape, double value, mlir::Type element);
  /// A 0-d constant of `like`'s element type.
  mlir::Value scalar(double value, mlir::Value like);

  mlir::Value reshape(mlir::Value v, llvm::ArrayRef<int64_t> shape);
  mlir::Value permute(mlir::Value v, llvm::ArrayRef<int64_t> dims);
  mlir::Value transpose(mlir::Value v, int64_t d0, int64_t d1);
  mlir::Value slice(mlir::Value v, int64_t dim, int64_t start, int64_t size, int64_t step = 1);
  mlir::Value concat(llvm::ArrayRef<mlir::Value> parts, int64_t dim);
  /// `v` converted to element type `element` (itself when it has it).
  mlir::Value cast(mlir::Value v, mlir::Type element);
  mlir::Value unary(llvm::StringRef name, mlir::Value v);
  mlir::Value binary(llvm::StringRef name, mlir::Value a, mlir::Value b);

  //===--- values ---===//
  static llvm::ArrayRef<int64_t> dims(mlir::Value v);
  static int64_t rank(mlir::Value v) { return static_cast<int64_t>(dims(v).size()); }
  static mlir::Type element(mlir::Value v);
  static bool isFloat(mlir::Value v);
  /// `axis` (negative counts from the end) as an index into `rank` dims, or
  /// a located error.
  std::optional<int64_t> axis(int64_t axis, int64_t rank, llvm::StringRef what);

private:
  OnnxNode &node;
  bool hasFailed = false;
};

/// The product of `dims`.
int64_t product(llvm::ArrayRef<int64_t> dims);

/// A converter written against OpsBuilder, as the registry takes it.
OnnxConverter converter(std::function<mlir::LogicalResult(OpsBuilder &)> convert);

/// Registers `convert` for `opType` in every opset the importer reads (the
/// converter looks at opset() where the op changed).
void addOp(OnnxOpRegistry &registry, const std::string &opType,
           std::function<mlir::LogicalResult(OpsBuilder &)> convert);

} // namespace netc::onnx

#endif // NETC_ONNX_OPSBUILDER_H
