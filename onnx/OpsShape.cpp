//===- OpsShape.cpp - shapes of run-time tensors --------------------------===//
//
// Flatten, Reshape (run-time data, a shape known at import), Transpose,
// Concat, Split, ReduceMean and Shape (which always folds: every shape is
// static). Their constant forms fold in Fold.cpp.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "ir/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace netc::onnx {

std::optional<int64_t> normalizeAxis(OnnxNode &node, int64_t axis, int64_t rank,
                                     bool inclusiveEnd) {
  int64_t limit = inclusiveEnd ? rank + 1 : rank;
  if (axis < -limit || axis >= limit) {
    node.error() << "expects an axis in [" << -limit << ", " << limit - 1 << "], got " << axis;
    return std::nullopt;
  }
  return axis < 0 ? axis + limit : axis;
}

std::optional<std::vector<int64_t>> reshapeTarget(OnnxNode &node, ArrayRef<int64_t> in,
                                                  std::vector<int64_t> shape, bool allowZero) {
  int64_t total = 1, known = 1, infer = -1;
  for (int64_t d : in)
    total *= d;
  for (size_t a = 0; a < shape.size(); ++a) {
    if (shape[a] == 0 && !allowZero) {
      if (a >= in.size()) {
        node.error() << "copies dimension " << a << " (0 in the shape), which the input lacks";
        return std::nullopt;
      }
      shape[a] = in[a];
    }
    if (shape[a] == -1 && infer < 0) {
      infer = static_cast<int64_t>(a);
      continue;
    }
    if (shape[a] < 0) {
      node.error() << "expects a shape of sizes, 0 and one -1, got " << shape[a];
      return std::nullopt;
    }
    known *= shape[a];
  }
  if (infer >= 0 && known > 0 && total % known == 0)
    shape[infer] = total / known;
  else if (infer >= 0 || known != total) {
    node.error() << "cannot reshape " << total << " elements to the shape given";
    return std::nullopt;
  }
  return shape;
}

namespace {

/// A float tensor input: integer tensors computed at run time are beyond nn.
Value floatInput(OnnxNode &node, size_t i) {
  Value v = node.input(i);
  if (v && !isa<FloatType>(cast<RankedTensorType>(v.getType()).getElementType())) {
    (void)node.emitUnsupported("data type", "integer tensors computed at run time (input " +
                                          std::to_string(i) + ")");
    return {};
  }
  return v;
}

LogicalResult convertShape(OnnxNode &node) {
  std::optional<std::vector<int64_t>> shape = node.inputShape(0);
  if (!shape)
    return failure();
  int64_t rank = static_cast<int64_t>(shape->size());
  int64_t start = node.attrInt("start", 0), end = node.attrInt("end", rank);
  auto clampAxis = [&](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + rank : a, 0, rank); };
  start = clampAxis(start);
  end = std::max(start, clampAxis(end));
  node.setOutput(0, HostTensor::ofInts({shape->begin() + start, shape->begin() + end}));
  return success();
}

LogicalResult convertFlatten(OnnxNode &node) {
  Value x = floatInput(node, 0);
  if (!x)
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  std::optional<int64_t> axis =
      normalizeAxis(node, node.attrInt("axis", 1), type.getRank(), /*inclusiveEnd=*/true);
  if (!axis)
    return failure();
  Value y;
  if (*axis == 1 && type.getRank() >= 2) {
    y = node.build<nn::FlattenOp>(x);
  } else {
    int64_t outer = 1;
    for (int64_t d = 0; d < *axis; ++d)
      outer *= type.getDimSize(d);
    y = node.build<nn::ReshapeOp>(
        x, node.arrayAttr("shape", {outer, type.getNumElements() / std::max<int64_t>(outer, 1)}));
  }
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertReshape(OnnxNode &node) {
  std::vector<int64_t> shape;
  if (node.opset() < 5) {
    shape = node.attrInts("shape", {});
  } else {
    const HostTensor *s = node.requireConstant(1, "the shape");
    if (!s)
      return failure();
    shape = s->ints();
  }
  Value x = floatInput(node, 0);
  if (!x)
    return failure();
  auto target = reshapeTarget(node, cast<RankedTensorType>(x.getType()).getShape(), shape,
                              node.attrInt("allowzero", 0) != 0);
  if (!target)
    return failure();
  Value y = node.build<nn::ReshapeOp>(x, node.arrayAttr("shape", *target));
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertTranspose(OnnxNode &node) {
  Value x = floatInput(node, 0);
  if (!x)
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::vector<int64_t> reversed;
  for (int64_t d = rank - 1; d >= 0; --d)
    reversed.push_back(d);
  std::vector<int64_t> perm = node.attrInts("perm", reversed);
  if (node.failed())
    return failure();
  Value y = node.build<nn::PermuteOp>(x, node.arrayAttr("dims", perm));
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertConcat(OnnxNode &node) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < node.numInputs(); ++i)
    if (Value v = floatInput(node, i))
      inputs.push_back(v);
    else
      return failure();
  if (inputs.empty())
    return node.error() << "expects at least one input";
  int64_t rank = cast<RankedTensorType>(inputs[0].getType()).getRank();
  std::optional<int64_t> axis = normalizeAxis(node, node.attrInt("axis", 0), rank);
  if (!axis)
    return failure();
  Value y = inputs.size() == 1 ? inputs[0]
                               : node.build<nn::ConcatOp>(inputs, node.i64Attr("dim", *axis));
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertSplit(OnnxNode &node) {
  Value x = floatInput(node, 0);
  if (!x)
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  std::optional<int64_t> axis = normalizeAxis(node, node.attrInt("axis", 0), type.getRank());
  if (!axis)
    return failure();
  int64_t size = type.getDimSize(*axis), parts = static_cast<int64_t>(node.numOutputs());
  std::vector<int64_t> split;
  if (node.opset() < 13) {
    split = node.attrInts("split", {});
  } else if (node.hasInput(1)) {
    const HostTensor *s = node.requireConstant(1, "the split sizes");
    if (!s)
      return failure();
    split = s->ints();
  }
  if (split.empty()) {
    int64_t each = (size + parts - 1) / std::max<int64_t>(parts, 1);
    for (int64_t p = 0, left = size; p < parts; ++p, left -= each)
      split.push_back(std::min(each, left));
  }
  int64_t sum = 0;
  for (int64_t s : split)
    sum += s;
  if (int64_t(split.size()) != parts || sum != size || node.failed())
    return node.error() << "cannot split " << size << " elements of axis " << *axis << " into "
                        << parts << " outputs of the sizes given";
  int64_t start = 0;
  for (int64_t p = 0; p < parts; start += split[p], ++p) {
    Value y = node.build<nn::SliceOp>(x, {node.i64Attr("dim", *axis), node.i64Attr("start", start),
                                          node.i64Attr("size", split[p])});
    if (!y)
      return failure();
    node.setOutput(p, y);
  }
  return success();
}

LogicalResult convertSlice(OnnxNode &node) {
  Value x = floatInput(node, 0);
  if (!x)
    return failure();
  auto axes = sliceAxes(node, cast<RankedTensorType>(x.getType()).getShape());
  if (!axes)
    return failure();
  Value y = x;
  for (const SliceAxis &a : *axes) {
    if (a.step < 0)
      return node.emitUnsupported("step", std::to_string(a.step) +
                                              " (netc slices run-time tensors forwards)");
    if (a.count == 0)
      return node.error() << "takes no elements of axis " << a.axis;
    if (a.start == 0 && a.step == 1 && a.count == cast<RankedTensorType>(y.getType()).getDimSize(a.axis))
      continue;
    y = node.build<nn::SliceOp>(y, {node.i64Attr("dim", a.axis), node.i64Attr("start", a.start),
                                    node.i64Attr("size", a.count), node.i64Attr("step", a.step)});
    if (!y)
      return failure();
  }
  node.setOutput(0, y);
  return success();
}

LogicalResult convertReduceMean(OnnxNode &node) {
  Value x = floatInput(node, 0);
  if (!x)
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::vector<int64_t> axes = node.attrInts("axes", {});
  bool keep = node.attrInt("keepdims", 1) != 0;
  if (node.failed())
    return failure();
  SmallVector<int64_t> dims;
  for (int64_t a : axes) {
    std::optional<int64_t> d = normalizeAxis(node, a, rank);
    if (!d)
      return failure();
    dims.push_back(*d);
  }
  if (dims.empty())
    for (int64_t d = 0; d < rank; ++d)
      dims.push_back(d);
  llvm::sort(dims);
  Value y = node.build<nn::MeanOp>(x, {node.arrayAttr("dims", dims), node.boolAttr("keepdim", keep)});
  node.setOutput(0, y);
  return success(y != nullptr);
}

} // namespace

void registerShapeOps(OnnxOpRegistry &r) {
  r.add("Shape", 1, convertShape);
  r.add("Flatten", 1, convertFlatten);
  r.add("Reshape", 1, convertReshape);
  r.add("Transpose", 1, convertTranspose);
  r.add("Concat", 1, convertConcat);
  r.add("Split", 1, convertSplit);
  r.add("Slice", 1, convertSlice);
  r.add("ReduceMean", 1, convertReduceMean);
}

} // namespace netc::onnx
