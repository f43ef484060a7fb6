//===- Fold.cpp - the constant evaluator of shape subgraphs ---------------===//
//
// Exporters compute shapes at run time (Shape -> Gather -> Concat ->
// Reshape); netc's shapes are static, so such subgraphs are evaluated at
// import on HostTensors. A folder runs when every input of its node is known
// (OnnxImporter::isFoldable); Constant and Shape always give known values.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include <cmath>

using namespace mlir;

namespace netc::onnx {

namespace {

/// The largest constant the evaluator builds: shape subgraphs are small,
/// and a bound keeps a hostile ConstantOfShape or Range from exhausting memory.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// The NumPy broadcast of `shapes`; nullopt when they do not broadcast.
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

/// The flat index in `t` of the element that broadcasts to flat index `flat`
/// of an output of `out` (with strides `outStrides`).
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

/// Checks that an output of `shape` stays below the evaluator's bound.
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

/// The axes of Unsqueeze and Squeeze: an attribute before opset 13, an input from 13.
std::optional<std::vector<int64_t>> axesOf(OnnxNode &node) {
  if (node.opset() < 13)
    return node.attrInts("axes", {});
  if (!node.hasInput(1))
    return std::vector<int64_t>{};
  return node.constant(1)->ints();
}

/// `in` with the same elements under `shape`.
LogicalResult reshaped(OnnxNode &node, const HostTensor &in, std::vector<int64_t> shape) {
  HostTensor out = in;
  out.shape = std::move(shape);
  node.setOutput(0, std::move(out));
  return success();
}

LogicalResult foldUnsqueeze(OnnxNode &node) {
  const HostTensor &in = *node.constant(0);
  std::optional<std::vector<int64_t>> axes = axesOf(node);
  if (!axes || node.failed())
    return failure();
  int64_t rank = in.rank() + int64_t(axes->size());
  std::vector<bool> inserted(rank, false);
  for (int64_t a : *axes) {
    std::optional<int64_t> d = normalizeAxis(node, a, rank);
    if (!d)
      return failure();
    inserted[*d] = true;
  }
  std::vector<int64_t> shape;
  for (int64_t d = 0, k = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : in.shape[k++]);
  return reshaped(node, in, shape);
}

LogicalResult foldSqueeze(OnnxNode &node) {
  const HostTensor &in = *node.constant(0);
  std::optional<std::vector<int64_t>> axes = axesOf(node);
  if (!axes || node.failed())
    return failure();
  std::vector<bool> removed(in.rank(), axes->empty());
  for (int64_t a : *axes) {
    std::optional<int64_t> d = normalizeAxis(node, a, in.rank());
    if (!d)
      return failure();
    if (in.shape[*d] != 1)
      return node.error() << "cannot squeeze axis " << a << " of size " << in.shape[*d];
    removed[*d] = true;
  }
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < in.rank(); ++d)
    if (!removed[d] || in.shape[d] != 1)
      shape.push_back(in.shape[d]);
  return reshaped(node, in, shape);
}

LogicalResult foldReshape(OnnxNode &node) {
  const HostTensor &in = *node.constant(0);
  auto shape = reshapeTarget(node, in.shape, node.constant(1)->ints(),
                             node.attrInt("allowzero", 0) != 0);
  if (!shape)
    return failure();
  return reshaped(node, in, *shape);
}

/// Elements of `in` at the coordinates `pick` gives for each output
/// coordinate (as a flat source index).
HostTensor gatherElements(const HostTensor &in, std::vector<int64_t> shape,
                          const std::function<int64_t(ArrayRef<int64_t>)> &pick) {
  HostTensor out = HostTensor::zeros(in.dtype, std::move(shape));
  std::vector<int64_t> coord(out.rank(), 0);
  for (int64_t k = 0; k < out.numel(); ++k) {
    out.copyFrom(k, in, pick(coord));
    for (int64_t d = out.rank() - 1; d >= 0; --d) {
      if (++coord[d] < out.shape[d])
        break;
      coord[d] = 0;
    }
  }
  return out;
}

LogicalResult foldGather(OnnxNode &node) {
  const HostTensor &data = *node.constant(0), &indices = *node.constant(1);
  std::optional<int64_t> axis = normalizeAxis(node, node.attrInt("axis", 0), data.rank());
  if (!axis)
    return failure();
  int64_t size = data.shape[*axis];
  std::vector<int64_t> idx = indices.ints();
  for (int64_t &i : idx) {
    if (i < -size || i >= size)
      return node.error() << "gathers index " << i << " of an axis of size " << size;
    i = i < 0 ? i + size : i;
  }
  // out = data.shape[:axis] + indices.shape + data.shape[axis+1:]
  std::vector<int64_t> shape(data.shape.begin(), data.shape.begin() + *axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + *axis + 1, data.shape.end());
  std::vector<int64_t> strides = stridesOf(data.shape), idxStrides = stridesOf(indices.shape);
  int64_t r = indices.rank();
  node.setOutput(0, gatherElements(data, shape, [&](ArrayRef<int64_t> c) {
    int64_t flat = 0, at = 0;
    for (int64_t d = 0; d < *axis; ++d)
      flat += c[d] * strides[d];
    for (int64_t d = 0; d < r; ++d)
      at += c[*axis + d] * idxStrides[d];
    flat += idx[at] * strides[*axis];
    for (int64_t d = *axis + 1; d < data.rank(); ++d)
      flat += c[d + r - 1] * strides[d];
    return flat;
  }));
  return success();
}

LogicalResult foldConcat(OnnxNode &node) {
  const HostTensor &first = *node.constant(0);
  std::optional<int64_t> axis = normalizeAxis(node, node.attrInt("axis", 0), first.rank());
  if (!axis)
    return failure();
  std::vector<int64_t> shape = first.shape;
  shape[*axis] = 0;
  std::vector<std::pair<const HostTensor *, int64_t>> parts; // tensor, offset on the axis
  for (size_t i = 0; i < node.numInputs(); ++i) {
    const HostTensor *t = node.constant(i);
    for (int64_t d = 0; d < first.rank(); ++d)
      if (t->rank() != first.rank() || (d != *axis && t->shape[d] != first.shape[d]))
        return node.error() << "cannot concatenate " << first.describe() << " and "
                            << t->describe() << " on axis " << *axis;
    parts.push_back({t, shape[*axis]});
    shape[*axis] += t->shape[*axis];
  }
  HostTensor out = HostTensor::zeros(first.dtype, shape);
  std::vector<int64_t> coord(shape.size(), 0);
  for (int64_t k = 0; k < out.numel(); ++k) {
    size_t p = parts.size() - 1;
    while (coord[*axis] < parts[p].second)
      --p;
    const HostTensor &t = *parts[p].first;
    int64_t flat = 0;
    std::vector<int64_t> strides = stridesOf(t.shape);
    for (int64_t d = 0; d < t.rank(); ++d)
      flat += (d == *axis ? coord[d] - parts[p].second : coord[d]) * strides[d];
    out.copyFrom(k, t, flat);
    for (int64_t d = out.rank() - 1; d >= 0; --d) {
      if (++coord[d] < out.shape[d])
        break;
      coord[d] = 0;
    }
  }
  node.setOutput(0, std::move(out));
  return success();
}

LogicalResult foldSlice(OnnxNode &node) {
  const HostTensor &in = *node.constant(0);
  std::optional<std::vector<SliceAxis>> axes = sliceAxes(node, in.shape);
  if (!axes)
    return failure();
  std::vector<int64_t> shape = in.shape, start(in.rank(), 0), step(in.rank(), 1);
  for (const SliceAxis &a : *axes) {
    shape[a.axis] = a.count;
    start[a.axis] = a.start;
    step[a.axis] = a.step;
  }
  std::vector<int64_t> strides = stridesOf(in.shape);
  node.setOutput(0, gatherElements(in, shape, [&](ArrayRef<int64_t> c) {
    int64_t flat = 0;
    for (int64_t d = 0; d < in.rank(); ++d)
      flat += (start[d] + c[d] * step[d]) * strides[d];
    return flat;
  }));
  return success();
}

LogicalResult foldExpand(OnnxNode &node) {
  const HostTensor &in = *node.constant(0);
  std::optional<std::vector<int64_t>> shape =
      broadcastShapes({in.shape, node.constant(1)->ints()});
  if (!shape)
    return node.error() << "cannot expand " << in.describe() << " to "
                        << node.constant(1)->describe();
  if (!checkSize(node, *shape))
    return failure();
  std::vector<int64_t> strides = stridesOf(*shape);
  HostTensor out = HostTensor::zeros(in.dtype, *shape);
  for (int64_t k = 0; k < out.numel(); ++k)
    out.copyFrom(k, in, sourceIndex(in, *shape, strides, k));
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

std::optional<std::vector<SliceAxis>> sliceAxes(OnnxNode &node, ArrayRef<int64_t> shape) {
  std::vector<int64_t> starts, ends, axes, steps;
  int64_t rank = static_cast<int64_t>(shape.size());
  if (node.opset() < 10) {
    starts = node.attrInts("starts", {});
    ends = node.attrInts("ends", {});
    axes = node.attrInts("axes", {});
  } else {
    const char *names[] = {"starts", "ends", "axes", "steps"};
    std::vector<int64_t> *lists[] = {&starts, &ends, &axes, &steps};
    for (size_t i = 1; i <= 4; ++i) {
      if (!node.hasInput(i))
        continue;
      const HostTensor *t = node.requireConstant(i, names[i - 1]);
      if (!t)
        return std::nullopt;
      *lists[i - 1] = t->ints();
    }
  }
  if (node.failed())
    return std::nullopt;
  if (axes.empty())
    for (size_t a = 0; a < starts.size(); ++a)
      axes.push_back(int64_t(a));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    node.error() << "expects starts, ends, axes and steps of one length";
    return std::nullopt;
  }
  std::vector<SliceAxis> result;
  for (size_t k = 0; k < starts.size(); ++k) {
    std::optional<int64_t> axis = normalizeAxis(node, axes[k], rank);
    if (!axis)
      return std::nullopt;
    int64_t dim = shape[*axis], step = steps[k];
    if (step == 0) {
      node.error() << "expects non-zero steps";
      return std::nullopt;
    }
    // Clamped as ONNX says: [0, dim] going forward, [-1, dim - 1] going back.
    auto clampBound = [&](int64_t v, bool isEnd) {
      if (v < 0)
        v = v < std::numeric_limits<int64_t>::min() / 2 ? -dim - 1 : v + dim;
      if (step > 0)
        return std::clamp<int64_t>(v, 0, dim);
      return std::clamp<int64_t>(v, isEnd ? -1 : 0, dim - 1);
    };
    int64_t start = clampBound(starts[k], false), end = clampBound(ends[k], true);
    int64_t count = step > 0 ? (end - start + step - 1) / step : (start - end - step - 1) / -step;
    result.push_back({*axis, start, step, std::max<int64_t>(count, 0)});
  }
  return result;
}

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
  r.addFold("Unsqueeze", foldUnsqueeze);
  r.addFold("Squeeze", foldSqueeze);
  r.addFold("Reshape", foldReshape);
  r.addFold("Gather", foldGather);
  r.addFold("Concat", foldConcat);
  r.addFold("Slice", foldSlice);
  r.addFold("Expand", foldExpand);
  r.addFold("Range", foldRange);
}

} // namespace netc::onnx
