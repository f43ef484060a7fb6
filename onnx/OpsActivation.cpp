//===- OpsActivation.cpp - activations, softmax, dropout, identity --------===//
//
// Relu, Sigmoid, Clip (bounds as attributes before opset 11, as inputs
// from 11), HardSigmoid, HardSwish, Softmax and LogSoftmax (before opset 13
// over the flattened axes from `axis` on, from 13 over `axis` alone),
// Dropout (the identity in inference exports and before opset 12, where the
// runtime decides; nn.dropout, a mask in train steps, in training exports) and
// Identity.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "ir/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>

using namespace mlir;

namespace netc::onnx {

namespace {

/// An op of one tensor and no attributes.
OnnxConverter unary(StringRef opName) {
  return [opName](OnnxNode &node) {
    Value y = node.build(opName, node.input(0));
    node.setOutput(0, y);
    return success(y != nullptr);
  };
}

LogicalResult convertClip(OnnxNode &node) {
  std::optional<double> low, high;
  if (node.opset() < 11) {
    if (node.hasAttr("min"))
      low = node.attrFloat("min", 0.0);
    if (node.hasAttr("max"))
      high = node.attrFloat("max", 0.0);
  } else {
    for (size_t i : {1, 2}) {
      if (!node.hasInput(i))
        continue;
      const HostTensor *t = node.requireConstant(i, i == 1 ? "the minimum" : "the maximum");
      if (!t)
        return failure();
      if (t->numel() != 1)
        return node.error() << "expects a scalar bound, got " << t->describe();
      (i == 1 ? low : high) = t->asDouble(0);
    }
  }
  Value x = node.input(0);
  if (!x || node.failed())
    return failure();
  if (!low && !high) {
    node.setOutput(0, x);
    return success();
  }
  SmallVector<NamedAttribute> attrs;
  if (low)
    attrs.push_back(node.f64Attr("min", *low));
  if (high)
    attrs.push_back(node.f64Attr("max", *high));
  Value y = node.build<nn::ClampOp>(x, attrs);
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertHardSigmoid(OnnxNode &node) {
  double alpha = node.attrFloat("alpha", 0.2), beta = node.attrFloat("beta", 0.5);
  Value x = node.input(0);
  if (!x || node.failed())
    return failure();
  Value y;
  // PyTorch's hardsigmoid is x / 6 + 1 / 2, clamped to [0, 1].
  if (std::abs(alpha - 1.0 / 6.0) < 1e-6 && beta == 0.5) {
    y = node.build<nn::HardsigmoidOp>(x);
  } else {
    Type element = cast<RankedTensorType>(x.getType()).getElementType();
    Value scaled = node.build<nn::MulOp>(ValueRange{x, node.scalar(alpha, element)});
    Value shifted = node.build<nn::AddOp>(ValueRange{scaled, node.scalar(beta, element)});
    y = node.build<nn::ClampOp>(shifted, {node.f64Attr("min", 0.0), node.f64Attr("max", 1.0)});
  }
  node.setOutput(0, y);
  return success(y != nullptr);
}

/// Softmax and LogSoftmax.
LogicalResult convertSoftmax(OnnxNode &node, StringRef opName) {
  int64_t axis = node.attrInt("axis", node.opset() >= 13 ? -1 : 1);
  Value x = node.input(0);
  if (!x || node.failed())
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    return node.error() << "expects axis in [" << -rank << ", " << rank - 1 << "], got " << axis;
  if (axis < 0)
    axis += rank;
  Value y;
  if (node.opset() >= 13 || axis == rank - 1) {
    y = node.build(opName, x, node.i64Attr("dim", axis));
  } else {
    // Before opset 13 the input is taken as a matrix [d0 * ... * d(axis-1), rest].
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= type.getDimSize(d);
    Value flat = node.build<nn::ReshapeOp>(
        x, node.arrayAttr("shape", {outer, type.getNumElements() / std::max<int64_t>(outer, 1)}));
    Value z = node.build(opName, flat, node.i64Attr("dim", 1));
    y = node.build<nn::ReshapeOp>(z, node.arrayAttr("shape", type.getShape()));
  }
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertDropout(OnnxNode &node) {
  double ratio = node.opset() < 12 ? node.attrFloat("ratio", 0.5) : 0.5;
  bool training = false;
  if (node.opset() >= 12) {
    if (node.hasInput(1)) {
      const HostTensor *r = node.requireConstant(1, "the ratio");
      if (!r)
        return failure();
      ratio = r->asDouble(0);
    }
    if (node.hasInput(2)) {
      const HostTensor *t = node.requireConstant(2, "training_mode");
      if (!t)
        return failure();
      training = t->asInt(0) != 0;
    }
  }
  if (node.hasOutput(1))
    return node.emitUnsupported("output", "mask (the second output of Dropout)");
  Value x = node.input(0);
  if (!x || node.failed())
    return failure();
  if (!(ratio >= 0.0 && ratio < 1.0))
    return node.error() << "expects a ratio in [0, 1), got " << ratio;
  // Inference (training_mode false) is the identity; a training export keeps
  // nn.dropout, which is the identity in the forward function and draws a
  // mask in train steps.
  if (!training || ratio == 0.0) {
    node.setOutput(0, x);
    return success();
  }
  Value y = node.build<nn::DropoutOp>(x, node.f64Attr("p", ratio));
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertIdentity(OnnxNode &node) {
  // A known value stays known, so that shape subgraphs keep folding.
  if (node.importer().isFoldable(node.proto().input(0))) {
    node.setOutput(0, *node.constant(0));
    return success();
  }
  Value x = node.input(0);
  node.setOutput(0, x);
  return success(x != nullptr);
}

} // namespace

void registerActivationOps(OnnxOpRegistry &r) {
  r.add("Relu", 1, unary(nn::ReluOp::getOperationName()));
  r.add("Sigmoid", 1, unary(nn::SigmoidOp::getOperationName()));
  r.add("HardSwish", 14, unary(nn::HardswishOp::getOperationName()));
  r.add("HardSigmoid", 1, convertHardSigmoid);
  r.add("Clip", 1, convertClip);
  r.add("Softmax", 1, [](OnnxNode &n) { return convertSoftmax(n, nn::SoftmaxOp::getOperationName()); });
  r.add("LogSoftmax", 1,
        [](OnnxNode &n) { return convertSoftmax(n, nn::LogSoftmaxOp::getOperationName()); });
  r.add("Dropout", 1, convertDropout);
  r.add("Identity", 1, convertIdentity);
}

} // namespace netc::onnx
