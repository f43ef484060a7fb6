//===- OnnxNode.cpp - what a converter sees of its node -------------------===//
//
// Inputs as IR values or constants, attributes with defaults, outputs, and
// errors that name the node, its op type and the opset.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "ir/Build.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace netc::onnx {

OnnxNode::OnnxNode(OnnxImporter &importer, const ::onnx::NodeProto &node, int64_t index)
    : im(importer), node(node), index(index),
      location(importer.namedLoc(!node.name().empty()  ? node.name()
                                 : node.output_size() ? node.output(0)
                                                      : node.op_type())) {}

int64_t OnnxNode::opset() const { return im.opset; }

OpBuilder &OnnxNode::builder() { return im.builder; }

std::string OnnxNode::describe() const {
  std::string who = node.name().empty() ? "node #" + std::to_string(index)
                                        : "node '" + node.name() + "'";
  return who + " (" + node.op_type() + ", opset " + std::to_string(im.opset) + ")";
}

InFlightDiagnostic OnnxNode::error() {
  hadError = true;
  InFlightDiagnostic diag = emitError(location);
  diag << describe() << ": ";
  return diag;
}

LogicalResult OnnxNode::emitUnsupported(StringRef what, StringRef value) {
  error() << "unsupported " << what << ": " << value;
  return failure();
}

//===--- Inputs ---===//

Value OnnxNode::input(size_t i) {
  if (!hasInput(i)) {
    error() << "expects input " << i << ", which is missing";
    return {};
  }
  const std::string &name = node.input(i);
  if (Value v = im.lookupValue(name))
    return v;
  if (im.isInitializer(name))
    return im.initializerArgument(name, /*asBuffer=*/false, *this);
  if (const HostTensor *t = im.lookupConstant(name)) {
    Value v = materialize(builder(), location, *t);
    if (!v)
      error() << "input " << i << " '" << name << "' is a constant of " << dtypeName(t->dtype)
              << ", which has no tensor type in netc";
    return v;
  }
  error() << "input " << i << " '" << name << "' is not defined before the node";
  return {};
}

Value OnnxNode::buffer(size_t i) {
  if (hasInput(i) && im.isInitializer(node.input(i)) && !im.lookupValue(node.input(i)))
    return im.initializerArgument(node.input(i), /*asBuffer=*/true, *this);
  return input(i);
}

const HostTensor *OnnxNode::constant(size_t i) {
  if (!hasInput(i))
    return nullptr;
  return im.lookupConstant(node.input(i));
}

const HostTensor *OnnxNode::requireConstant(size_t i, StringRef what) {
  if (const HostTensor *t = constant(i))
    return t;
  if (!hadError)
    error() << "expects " << what << " (input " << i << ") to be known at import, but '"
            << (hasInput(i) ? node.input(i) : std::string()) << "' is computed at run time";
  return nullptr;
}

std::optional<std::vector<int64_t>> OnnxNode::inputShape(size_t i) {
  if (hasInput(i)) {
    if (Value v = im.lookupValue(node.input(i)))
      return cast<RankedTensorType>(v.getType()).getShape().vec();
    if (const HostTensor *t = constant(i))
      return t->shape;
  }
  if (Value v = input(i))
    return cast<RankedTensorType>(v.getType()).getShape().vec();
  return std::nullopt;
}

//===--- Attributes ---===//

const ::onnx::AttributeProto *OnnxNode::attribute(StringRef name) const {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

namespace {
/// The name of an attribute's kind, for messages.
const char *kindName(::onnx::AttributeProto::AttributeType type) {
  switch (type) {
  case ::onnx::AttributeProto::FLOAT: return "a float";
  case ::onnx::AttributeProto::INT: return "an int";
  case ::onnx::AttributeProto::STRING: return "a string";
  case ::onnx::AttributeProto::TENSOR: return "a tensor";
  case ::onnx::AttributeProto::GRAPH: return "a graph";
  case ::onnx::AttributeProto::FLOATS: return "floats";
  case ::onnx::AttributeProto::INTS: return "ints";
  case ::onnx::AttributeProto::STRINGS: return "strings";
  default: return "another kind";
  }
}
} // namespace

#define NETC_ATTR_KIND_CHECK(KIND, WANT)                                                         \
  const ::onnx::AttributeProto *attr = attribute(name);                                          \
  if (!attr)                                                                                     \
    return fallback;                                                                             \
  if (attr->type() != ::onnx::AttributeProto::KIND) {                                            \
    error() << "expects attribute '" << name << "' to be " WANT ", got "                         \
            << kindName(attr->type());                                                           \
    return fallback;                                                                             \
  }

int64_t OnnxNode::attrInt(StringRef name, int64_t fallback) {
  NETC_ATTR_KIND_CHECK(INT, "an int")
  return attr->i();
}

double OnnxNode::attrFloat(StringRef name, double fallback) {
  NETC_ATTR_KIND_CHECK(FLOAT, "a float")
  return attr->f();
}

std::string OnnxNode::attrString(StringRef name, const std::string &fallback) {
  NETC_ATTR_KIND_CHECK(STRING, "a string")
  return attr->s();
}

std::vector<int64_t> OnnxNode::attrInts(StringRef name, std::vector<int64_t> fallback) {
  NETC_ATTR_KIND_CHECK(INTS, "ints")
  return std::vector<int64_t>(attr->ints().begin(), attr->ints().end());
}

std::vector<double> OnnxNode::attrFloats(StringRef name, std::vector<double> fallback) {
  NETC_ATTR_KIND_CHECK(FLOATS, "floats")
  return std::vector<double>(attr->floats().begin(), attr->floats().end());
}

#undef NETC_ATTR_KIND_CHECK

std::optional<HostTensor> OnnxNode::attrTensor(StringRef name) {
  const ::onnx::AttributeProto *attr = attribute(name);
  if (!attr || attr->type() != ::onnx::AttributeProto::TENSOR) {
    error() << "expects attribute '" << name << "' to be a tensor";
    return std::nullopt;
  }
  std::optional<HostTensor> t =
      im.readTensor(attr->t(), location, describe() + ": attribute '" + name.str() + "'");
  if (!t)
    hadError = true;
  return t;
}

//===--- Outputs and building ---===//

void OnnxNode::setOutput(size_t i, Value value) {
  if (hasOutput(i) && value)
    im.bindValue(node.output(i), value);
}

void OnnxNode::setOutput(size_t i, HostTensor value) {
  if (hasOutput(i))
    im.bindConstant(node.output(i), std::move(value));
}

Value OnnxNode::build(StringRef opName, ValueRange operands, ArrayRef<NamedAttribute> attrs) {
  if (llvm::any_of(operands, [](Value v) { return !v; }))
    return {};
  // The op's own error (a shape mismatch) is reported as the node's.
  std::string message;
  Value v;
  {
    ScopedDiagnosticHandler capture(builder().getContext(), [&](Diagnostic &diag) {
      message += (message.empty() ? "" : "; ") + diag.str();
      return success();
    });
    v = nn::createInferred(builder(), location, opName, operands, attrs);
  }
  if (!v)
    error() << message;
  return v;
}

NamedAttribute OnnxNode::i64Attr(StringRef name, int64_t value) {
  return builder().getNamedAttr(name, builder().getI64IntegerAttr(value));
}
NamedAttribute OnnxNode::f64Attr(StringRef name, double value) {
  return builder().getNamedAttr(name, builder().getF64FloatAttr(value));
}
NamedAttribute OnnxNode::boolAttr(StringRef name, bool value) {
  return builder().getNamedAttr(name, builder().getBoolAttr(value));
}
NamedAttribute OnnxNode::arrayAttr(StringRef name, ArrayRef<int64_t> values) {
  return builder().getNamedAttr(name, builder().getDenseI64ArrayAttr(values));
}

Value OnnxNode::scalar(double value, Type element) {
  HostTensor t = HostTensor::zeros(element.isF64() ? kDouble : element.isF32() ? kFloat : kInt64,
                                   {});
  t.set(0, value);
  return materialize(builder(), location, t);
}

} // namespace netc::onnx
