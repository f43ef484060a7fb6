//===- OnnxImporter.h - the ONNX importer and its op registrar --*- C++ -*-===//
//
// The state of one ONNX import and what op converters see of it. A converter
// gets an OnnxNode: its inputs as IR values or as constants known at import,
// its attributes (read with defaults; a wrong kind is a located error), the
// opset, a builder, and setOutput for its results. Converters are registered
// per family: onnx/Ops<Family>.cpp defines `void registerFooOps(OnnxOpRegistry
// &)`, declared below and called from OnnxRegistry.cpp, with one line per op:
//
//   void registerFooOps(OnnxOpRegistry &r) {
//     r.add("Foo", 7, convertFoo);    // opsets 7 and later (until a later entry)
//     r.add("Foo", 13, convertFoo13); // opsets 13 and later
//     r.addFold("Foo", foldFoo);      // when every input is known at import
//   }
//
// Only files of onnx/ include this header (it includes the protobuf classes).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_ONNX_ONNXIMPORTER_H
#define NETC_ONNX_ONNXIMPORTER_H

#include "onnx/HostTensor.h"
#include "onnx/OnnxImport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netc::onnx {

class OnnxImporter;
class OnnxNode;

/// Converts one node into nn ops (or constants). Reports its errors through
/// the node and returns failure after reporting.
using OnnxConverter = std::function<mlir::LogicalResult(OnnxNode &)>;

/// The converters of the importer: by op type, each from the opset it
/// supports first (the entry with the highest first opset at most the model's
/// is used), and the constant folders used when every input is known.
class OnnxOpRegistry {
public:
  /// Registers `convert` for `opType` from opset `sinceOpset` on.
  void add(const std::string &opType, int64_t sinceOpset, OnnxConverter convert);
  /// Registers `fold` for `opType`: called instead of the converter when
  /// every present input is a constant; it sets constant outputs.
  void addFold(const std::string &opType, OnnxConverter fold);
  /// The converter of `opType` at `opset`, or null.
  const OnnxConverter *lookup(const std::string &opType, int64_t opset) const;
  /// The folder of `opType`, or null.
  const OnnxConverter *lookupFold(const std::string &opType) const;
  /// The first opset any converter of `opType` supports, or nullopt.
  std::optional<int64_t> firstOpset(const std::string &opType) const;

private:
  std::map<std::string, std::map<int64_t, OnnxConverter>> converters;
  std::map<std::string, OnnxConverter> folders;
};

// One function per family; OnnxRegistry.cpp calls each.
void registerConvOps(OnnxOpRegistry &registry);       // OpsConv.cpp
void registerActivationOps(OnnxOpRegistry &registry); // OpsActivation.cpp
void registerArithOps(OnnxOpRegistry &registry);      // OpsArith.cpp
void registerShapeOps(OnnxOpRegistry &registry);      // OpsShape.cpp
void registerFoldOps(OnnxOpRegistry &registry);       // Fold.cpp

/// Every family's converters, built once.
const OnnxOpRegistry &onnxOpRegistry();

/// `axis` made non-negative for `rank` (`rank + 1` positions with
/// `inclusiveEnd`); reports at `node` and returns nullopt when out of range.
std::optional<int64_t> normalizeAxis(OnnxNode &node, int64_t axis, int64_t rank,
                                     bool inclusiveEnd = false);
/// Reshape's target for an input of shape `in`: 0 copies the input's size
/// (unless `allowZero`), -1 takes what is left; reports bad shapes.
std::optional<std::vector<int64_t>> reshapeTarget(OnnxNode &node, llvm::ArrayRef<int64_t> in,
                                                  std::vector<int64_t> shape, bool allowZero);

/// One axis of a Slice: `count` elements from `start` by `step`.
struct SliceAxis {
  int64_t axis, start, step, count;
};
/// The axes Slice takes of an input of `shape` (starts, ends, axes, steps as
/// attributes before opset 10, as constant inputs from 10), clamped as ONNX
/// says; nullopt after reporting.
std::optional<std::vector<SliceAxis>> sliceAxes(OnnxNode &node, llvm::ArrayRef<int64_t> shape);

/// What a converter sees of the node it converts.
class OnnxNode {
public:
  OnnxNode(OnnxImporter &importer, const ::onnx::NodeProto &node, int64_t index);

  const ::onnx::NodeProto &proto() const { return node; }
  const std::string &opType() const { return node.op_type(); }
  /// The model's opset of the default domain.
  int64_t opset() const;
  /// "node 'Conv_0' (Conv, opset 13)", or "node #4 (Conv, opset 13)" when
  /// unnamed: how messages name the node.
  std::string describe() const;
  /// The location of the node's ops: the file, and the node's name (or its
  /// first output's) as a NameLoc.
  mlir::Location loc() const { return location; }
  mlir::OpBuilder &builder();
  OnnxImporter &importer() { return im; }

  //===--- Inputs ---===//
  size_t numInputs() const { return static_cast<size_t>(node.input_size()); }
  /// Whether input `i` is given (present and not the empty name).
  bool hasInput(size_t i) const { return i < numInputs() && !node.input(i).empty(); }
  /// Input `i` as an IR tensor: a constant becomes an arith.constant, an
  /// initializer a parameter. Reports a missing input and returns null.
  mlir::Value input(size_t i);
  /// Input `i`, an initializer, as a buffer (nn.buffer) instead of a
  /// parameter; an input that is no initializer is taken as input(i).
  mlir::Value buffer(size_t i);
  /// Input `i` when its value is known at import (a constant, a folded
  /// value, an initializer); null otherwise, without an error.
  const HostTensor *constant(size_t i);
  /// The same, reporting "expects WHAT (input i) to be a constant" when not.
  const HostTensor *requireConstant(size_t i, llvm::StringRef what);
  /// The shape of input `i` (an IR value's static shape or a constant's);
  /// nullopt after reporting a missing input.
  std::optional<std::vector<int64_t>> inputShape(size_t i);

  //===--- Attributes: a wrong kind is reported and gives the fallback ---===//
  bool hasAttr(llvm::StringRef name) const { return attribute(name) != nullptr; }
  int64_t attrInt(llvm::StringRef name, int64_t fallback);
  double attrFloat(llvm::StringRef name, double fallback);
  std::string attrString(llvm::StringRef name, const std::string &fallback);
  std::vector<int64_t> attrInts(llvm::StringRef name, std::vector<int64_t> fallback);
  std::vector<double> attrFloats(llvm::StringRef name, std::vector<double> fallback);
  /// A tensor attribute's value; nullopt (reported) when absent or unreadable.
  std::optional<HostTensor> attrTensor(llvm::StringRef name);
  const ::onnx::AttributeProto *attribute(llvm::StringRef name) const;

  //===--- Outputs ---===//
  size_t numOutputs() const { return static_cast<size_t>(node.output_size()); }
  /// Whether output `i` is named (an empty name means the output is unused).
  bool hasOutput(size_t i) const { return i < numOutputs() && !node.output(i).empty(); }
  void setOutput(size_t i, mlir::Value value);
  void setOutput(size_t i, HostTensor value);

  //===--- Building nn ops at the node's location ---===//
  /// Creates an nn op with its inferred result type; reports and returns null
  /// on error.
  mlir::Value build(llvm::StringRef opName, mlir::ValueRange operands,
                    llvm::ArrayRef<mlir::NamedAttribute> attrs = {});
  template <typename OpTy>
  mlir::Value build(mlir::ValueRange operands, llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    return build(OpTy::getOperationName(), operands, attrs);
  }
  mlir::NamedAttribute i64Attr(llvm::StringRef name, int64_t value);
  mlir::NamedAttribute f64Attr(llvm::StringRef name, double value);
  mlir::NamedAttribute boolAttr(llvm::StringRef name, bool value);
  mlir::NamedAttribute arrayAttr(llvm::StringRef name, llvm::ArrayRef<int64_t> values);
  /// A 0-d constant of `element` holding `value` (for scalar operands).
  mlir::Value scalar(double value, mlir::Type element);

  //===--- Errors ---===//
  /// An error at the node, its message starting with describe() and ": ".
  mlir::InFlightDiagnostic error();
  /// Reports "unsupported WHAT: VALUE" (e.g. "unsupported auto_pad: "FOO"")
  /// at the node; returns failure.
  mlir::LogicalResult emitUnsupported(llvm::StringRef what, llvm::StringRef value);
  /// Whether an error has been reported for this node.
  bool failed() const { return hadError; }

private:
  OnnxImporter &im;
  const ::onnx::NodeProto &node;
  int64_t index;
  mlir::Location location;
  bool hadError = false;
};

/// Imports one ModelProto into a module holding one func.func.
class OnnxImporter {
public:
  OnnxImporter(mlir::MLIRContext &context, const std::string &path,
               const OnnxImportOptions &options);

  /// Imports `model` (read from `path`); null after reporting errors.
  mlir::OwningOpRef<mlir::ModuleOp> import(const ::onnx::ModelProto &model,
                                           netc::ModelWeights &weights);

  mlir::OpBuilder builder;
  int64_t opset = 0;

  /// The location of the file itself (graph-level errors).
  mlir::Location fileLoc() const { return fileLocation; }
  /// The location of something named `name` in the file.
  mlir::Location namedLoc(llvm::StringRef name) const;

  //===--- The value map, by ONNX name ---===//
  mlir::Value lookupValue(const std::string &name) const;
  const HostTensor *lookupConstant(const std::string &name);
  /// Whether `name` is an initializer (made an argument or not yet).
  bool isInitializer(const std::string &name) const;
  /// Whether `name` is known at import and may be folded: a constant, or an
  /// initializer that is not a float tensor (float initializers are weights).
  bool isFoldable(const std::string &name) const;
  /// The initializer `name` as a parameter (or, `asBuffer`, a buffer)
  /// argument, created on first use; null after reporting.
  mlir::Value initializerArgument(const std::string &name, bool asBuffer, OnnxNode &user);
  void bindValue(const std::string &name, mlir::Value value);
  void bindConstant(const std::string &name, HostTensor value);

private:
  mlir::LogicalResult importInputs(const ::onnx::GraphProto &graph);
  mlir::LogicalResult importNode(const ::onnx::NodeProto &node, int64_t index);
  mlir::LogicalResult finish(const ::onnx::GraphProto &graph, netc::ModelWeights &weights);
  std::string functionName(const ::onnx::GraphProto &graph) const;

  mlir::MLIRContext &context;
  std::string path;
  const OnnxImportOptions &options;
  mlir::Location fileLocation;
  mlir::func::FuncOp func;
  mlir::Block *body = nullptr;
  std::vector<mlir::DictionaryAttr> argAttrs;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<HostTensor> constants;
  llvm::StringMap<const ::onnx::TensorProto *> initializers;
  /// Initializers made arguments, in argument order, for the weights.
  struct Weight {
    std::string name;
    const ::onnx::TensorProto *tensor;
  };
  std::vector<Weight> weightArgs;
  llvm::StringMap<bool> argumentIsBuffer;
  /// The bytes of external data and of typed fields, by tensor, kept until
  /// the weights are written.
  std::map<const ::onnx::TensorProto *, std::vector<char>> tensorStorage;

public:
  /// The raw little-endian bytes of `tensor`'s elements (its raw_data, its
  /// typed field, or its external data); nullopt after reporting at `loc`.
  std::optional<llvm::ArrayRef<char>> tensorBytes(const ::onnx::TensorProto &tensor,
                                                  mlir::Location loc, llvm::StringRef what);
  /// `tensor`'s value as a HostTensor; nullopt after reporting at `loc`.
  std::optional<HostTensor> readTensor(const ::onnx::TensorProto &tensor, mlir::Location loc,
                                       llvm::StringRef what);

private:
  /// Reads `tensor`'s external data (relative to the model's folder, which
  /// it may not leave) into tensorStorage.
  std::optional<llvm::ArrayRef<char>> readExternal(const ::onnx::TensorProto &tensor,
                                                   mlir::Location loc, llvm::StringRef what);
};

} // namespace netc::onnx

#endif // NETC_ONNX_ONNXIMPORTER_H
