//===- Fold.cpp - the constant evaluator of shape subgraphs ---------------===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Concat ->
// Reshape); netc's shapes are static, so such subgraphs are evaluated at
// import on HostTensors. A folder runs when every input of its node is known.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

using namespace mlir;

namespace netc::onnx {

namespace {

LogicalResult foldConstant(OnnxNode &node) {
  const ::onnx::AttributeProto *attr = node.proto().attribute_size() == 1
                                           ? &node.proto().attribute(0)
                                           : nullptr;
  if (!attr)
    return node.error() << "expects exactly one attribute";
  const std::string &name = attr->name();
  if (name == "value") {
    std::optional<HostTensor> t = node.attrTensor("value");
    if (!t)
      return failure();
    node.setOutput(0, std::move(*t));
    return success();
  }
  if (name == "value_float" || name == "value_int") {
    HostTensor t = HostTensor::zeros(name == "value_float" ? kFloat : kInt64, {});
    t.set(0, name == "value_float" ? node.attrFloat(name, 0) : double(node.attrInt(name, 0)));
    node.setOutput(0, std::move(t));
    return success(!node.failed());
  }
  if (name == "value_floats" || name == "value_ints") {
    bool isFloat = name == "value_floats";
    std::vector<double> values = isFloat ? node.attrFloats(name, {}) : std::vector<double>{};
    std::vector<int64_t> ints = isFloat ? std::vector<int64_t>{} : node.attrInts(name, {});
    HostTensor t = HostTensor::zeros(isFloat ? kFloat : kInt64,
                                     {int64_t(isFloat ? values.size() : ints.size())});
    for (int64_t k = 0; k < t.numel(); ++k)
      t.set(k, isFloat ? values[k] : double(ints[k]));
    node.setOutput(0, std::move(t));
    return success(!node.failed());
  }
  return node.emitUnsupported("attribute", "'" + name + "' of Constant");
}

} // namespace

void registerFoldOps(OnnxOpRegistry &r) {
  r.add("Constant", 1, foldConstant);
}

} // namespace netc::onnx
