//===- Fold.cpp - the constant evaluator of shape subgraphs ---------------===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Concat ->
// Reshape); netc's shapes are static, so such subgraphs are evaluated at
// import on HostTensors. A folder runs when every input of its node is known
// (OnnxImporter::isFoldable); Constant and Shape always give known values.
// This file holds the values (arithmetic, comparison, Cast, Constant,
// ConstantOfShape, Range) and the shared helpers; FoldShape.cpp the shapes
// and indexing.
//
//===----------------------------------------------------------------------===//

#include "onnx/FoldUtil.h"

#include <cmath>

using namespace mlir;

namespace netc::onnx {

std::vector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

std::optional<std::vector<int64_t>> broadcastShapes(ArrayRef<std::vector<int64_t>> shapes) {
  size_t rank = 0;
  for (const auto &s : shapes)
    rank = std::max(rank, s.size());
  std::vector<int64_t> out(rank, 1);
  for (const auto &s : shapes)
    for (size_t k = 0; k < s.size(); ++k) {
      int64_t &o = out[rank - s.size() + k];
      if (s[k] != 1 && o != 1 && s[k] != o)
        return std::nullopt;
      if (s[k] != 1)
        o = s[k];
    }
  return out;
}

int64_t sourceIndex(const HostTensor &t, ArrayRef<int64_t> out, ArrayRef<int64_t> outStrides,
                    int64_t flat) {
  int64_t index = 0, stride = 1;
  for (int64_t k = t.rank() - 1, o = int64_t(out.size()) - 1; k >= 0; --k, --o) {
    int64_t coord = (flat / outStrides[o]) % out[o];
    if (t.shape[k] != 1)
      index += coord * stride;
    stride *= t.shape[k];
  }
  return index;
}

bool checkSize(OnnxNode &node, ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > kMaxFoldedElements / d)) {
      node.error() << "folds to a constant of more than " << kMaxFoldedElements << " elements";
      return false;
    }
    n *= d;
  }
  return true;
}

HostTensor gatherFrom(int32_t dtype, std::vector<int64_t> shape,
                      const std::function<const HostTensor *(ArrayRef<int64_t>, int64_t &)> &pick) {
  HostTensor out = HostTensor::zeros(dtype, std::move(shape));
  std::vector<int64_t> coord(out.rank(), 0);
  for (int64_t k = 0; k < out.numel(); ++k) {
    int64_t flat = 0;
    const HostTensor *from = pick(coord, flat);
    out.copyFrom(k, *from, flat);
    for (int64_t d = out.rank() - 1; d >= 0; --d) {
      if (++coord[d] < out.shape[d])
        break;
      coord[d] = 0;
    }
  }
  return out;
}

HostTensor gatherElements(const HostTensor &in, std::vector<int64_t> shape,
                          const std::function<int64_t(ArrayRef<int64_t>)> &pick) {
  return gatherFrom(in.dtype, std::move(shape), [&](ArrayRef<int64_t> c, int64_t &flat) {
    flat = pick(c);
    return &in;
  });
}

namespace {

/// Elementwise ops of known tensors with broadcasting: `apply` gets the
/// inputs' elements (as doubles, or exactly as integers) and the result's
/// dtype is `resultType(input dtypes)`.
LogicalResult foldElementwise(OnnxNode &node, int32_t resultType,
                              const std::function<double(ArrayRef<double>)> &applyFloat,
                              const std::function<int64_t(ArrayRef<int64_t>)> &applyInt,
                              bool floatMath) {
  std::vector<const HostTensor *> in;
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < node.numInputs(); ++i) {
    in.push_back(node.constant(i));
    shapes.push_back(in.back()->shape);
  }
  std::optional<std::vector<int64_t>> shape = broadcastShapes(shapes);
  if (!shape)
    return node.error() << "cannot broadcast its inputs' shapes";
  if (!checkSize(node, *shape))
    return failure();
  HostTensor out = HostTensor::zeros(resultType, *shape);
  std::vector<int64_t> strides = stridesOf(*shape);
  std::vector<double> fargs(in.size());
  std::vector<int64_t> iargs(in.size());
  for (int64_t k = 0; k < out.numel(); ++k) {
    for (size_t a = 0; a < in.size(); ++a) {
      int64_t at = sourceIndex(*in[a], *shape, strides, k);
      fargs[a] = in[a]->asDouble(at);
      iargs[a] = in[a]->asInt(at);
    }
    if (floatMath)
      out.set(k, applyFloat(fargs));
    else if (out.isFloat())
      out.set(k, double(applyInt(iargs)));
    else
      out.i[k] = applyInt(iargs);
  }
  node.setOutput(0, std::move(out));
  return success();
}

/// Add, Sub, Mul, Div on known tensors of one dtype.
OnnxConverter arithmetic(char op) {
  return [op](OnnxNode &node) -> LogicalResult {
    const HostTensor &a = *node.constant(0);
    bool isFloat = a.isFloat();
    auto f = [op](ArrayRef<double> v) {
      switch (op) {
      case '+': return v[0] + v[1];
      case '-': return v[0] - v[1];
      case '*': return v[0] * v[1];
      default: return v[0] / v[1];
      }
    };
    bool divideByZero = false;
    auto i = [op, &divideByZero](ArrayRef<int64_t> v) -> int64_t {
      switch (op) {
      case '+': return v[0] + v[1];
      case '-': return v[0] - v[1];
      case '*': return v[0] * v[1];
      default:
        if (v[1] == 0) {
          divideByZero = true;
          return 0;
        }
        return v[0] / v[1];
      }
    };
    if (failed(foldElementwise(node, a.dtype, f, i, isFloat)))
      return failure();
    if (divideByZero)
      return node.error() << "divides an integer by zero";
    return success();
  };
}

LogicalResult foldEqual(OnnxNode &node) {
  bool isFloat = node.constant(0)->isFloat();
  return foldElementwise(
      node, kBool, [](ArrayRef<double> v) { return double(v[0] == v[1]); },
      [](ArrayRef<int64_t> v) { return int64_t(v[0] == v[1]); }, isFloat);
}

LogicalResult foldWhere(OnnxNode &node) {
  const HostTensor &x = *node.constant(1);
  return foldElementwise(
      node, x.dtype, [](ArrayRef<double> v) { return v[0] != 0 ? v[1] : v[2]; },
      [](ArrayRef<int64_t> v) { return v[0] != 0 ? v[1] : v[2]; }, x.isFloat());
}

LogicalResult foldCast(OnnxNode &node) {
  int64_t to = node.attrInt("to", kFloat);
  if (node.failed())
    return failure();
  if (!isKnownDType(int32_t(to)))
    return node.emitUnsupported("'to'", dtypeName(int32_t(to)));
  const HostTensor &in = *node.constant(0);
  HostTensor out = HostTensor::zeros(int32_t(to), in.shape);
  for (int64_t k = 0; k < in.numel(); ++k)
    out.set(k, in.asDouble(k));
  if (!out.isFloat() && !in.isFloat())
    for (int64_t k = 0; k < in.numel(); ++k)
      out.i[k] = to == kBool ? in.i[k] != 0 : in.i[k];
  node.setOutput(0, std::move(out));
  return success();
}

LogicalResult foldConstant(OnnxNode &node) {
  if (node.proto().attribute_size() != 1)
    return node.error() << "expects exactly one attribute";
  const std::string &name = node.proto().attribute(0).name();
  if (name == "value") {
    std::optional<HostTensor> t = node.attrTensor("value");
    if (!t)
      return failure();
    node.setOutput(0, std::move(*t));
    return success();
  }
  bool isFloat = name == "value_float" || name == "value_floats";
  bool isList = name == "value_floats" || name == "value_ints";
  if (!isFloat && name != "value_int" && name != "value_ints")
    return node.emitUnsupported("attribute", "'" + name + "' of Constant");
  std::vector<double> values;
  if (isFloat && isList)
    values = node.attrFloats(name, {});
  else if (isFloat)
    values = {node.attrFloat(name, 0)};
  else
    for (int64_t v : isList ? node.attrInts(name, {}) : std::vector<int64_t>{node.attrInt(name, 0)})
      values.push_back(double(v));
  HostTensor t = HostTensor::zeros(isFloat ? kFloat : kInt64,
                                   isList ? std::vector<int64_t>{int64_t(values.size())}
                                          : std::vector<int64_t>{});
  for (int64_t k = 0; k < t.numel(); ++k)
    t.set(k, values[k]);
  node.setOutput(0, std::move(t));
  return success(!node.failed());
}

LogicalResult foldConstantOfShape(OnnxNode &node) {
  std::vector<int64_t> shape = node.constant(0)->ints();
  HostTensor fill = HostTensor::zeros(kFloat, {1});
  if (node.hasAttr("value")) {
    std::optional<HostTensor> v = node.attrTensor("value");
    if (!v)
      return failure();
    if (v->numel() != 1)
      return node.error() << "expects a value of one element, got " << v->describe();
    fill = *v;
  }
  if (!checkSize(node, shape))
    return failure();
  HostTensor out = HostTensor::zeros(fill.dtype, shape);
  for (int64_t k = 0; k < out.numel(); ++k)
    out.copyFrom(k, fill, 0);
  node.setOutput(0, std::move(out));
  return success();
}

LogicalResult foldRange(OnnxNode &node) {
  const HostTensor &start = *node.constant(0), &limit = *node.constant(1),
                   &delta = *node.constant(2);
  double s = start.asDouble(0), l = limit.asDouble(0), d = delta.asDouble(0);
  if (d == 0)
    return node.error() << "expects a non-zero delta";
  double count = std::max(0.0, std::ceil((l - s) / d));
  if (count > double(kMaxFoldedElements))
    return node.error() << "folds to a constant of more than " << kMaxFoldedElements
                        << " elements";
  HostTensor out = HostTensor::zeros(start.dtype, {int64_t(count)});
  for (int64_t k = 0; k < out.numel(); ++k)
    out.set(k, start.isFloat() ? s + double(k) * d : double(start.asInt(0) + k * delta.asInt(0)));
  node.setOutput(0, std::move(out));
  return success();
}

} // namespace

void registerFoldOps(OnnxOpRegistry &r) {
  r.add("Constant", 1, foldConstant);
  r.add("ConstantOfShape", 9, [](OnnxNode &node) {
    return node.requireConstant(0, "the shape") ? foldConstantOfShape(node) : failure();
  });
  r.addFold("ConstantOfShape", foldConstantOfShape);
  r.addFold("Add", arithmetic('+'));
  r.addFold("Sub", arithmetic('-'));
  r.addFold("Mul", arithmetic('*'));
  r.addFold("Div", arithmetic('/'));
  r.addFold("Equal", foldEqual);
  r.addFold("Where", foldWhere);
  r.addFold("Cast", foldCast);
  r.addFold("Range", foldRange);
}

} // namespace netc::onnx
