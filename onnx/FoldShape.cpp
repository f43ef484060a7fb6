//===- FoldShape.cpp - folding shapes and indexing of known tensors -------===//
//
// Unsqueeze, Squeeze, Reshape, Gather, Concat, Slice and Expand on tensors
// known at import (Fold.cpp says when folders run), and the bounds of Slice,
// shared with the converter of run-time slices.
//
//===----------------------------------------------------------------------===//

#include "onnx/FoldUtil.h"

using namespace mlir;

namespace netc::onnx {

namespace {

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
  std::vector<std::vector<int64_t>> strides;
  for (const auto &part : parts)
    strides.push_back(stridesOf(part.first->shape));
  // The part of each output coordinate: the last whose offset is at most it.
  node.setOutput(0, gatherFrom(first.dtype, shape, [&](ArrayRef<int64_t> c, int64_t &flat) {
    size_t p = parts.size() - 1;
    while (c[*axis] < parts[p].second)
      --p;
    flat = 0;
    for (int64_t d = 0; d < first.rank(); ++d)
      flat += (d == *axis ? c[d] - parts[p].second : c[d]) * strides[p][d];
    return parts[p].first;
  }));
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

void registerShapeFoldOps(OnnxOpRegistry &r) {
  r.addFold("Unsqueeze", foldUnsqueeze);
  r.addFold("Squeeze", foldSqueeze);
  r.addFold("Reshape", foldReshape);
  r.addFold("Gather", foldGather);
  r.addFold("Concat", foldConcat);
  r.addFold("Slice", foldSlice);
  r.addFold("Expand", foldExpand);
}

} // namespace netc::onnx
