//===- OpsConv.cpp - convolutions, pooling, normalisation, padding --------===//
//
// Conv (1-D and 2-D), MaxPool, AveragePool, the global pools,
// BatchNormalization and Pad. ONNX lists pads as [begin of each axis, end of
// each axis]; nn wants [top, bottom, left, right]. A 1-D op runs as the 2-D
// one over a unit height.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "ir/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace netc::onnx {

namespace {

/// The geometry of a sliding window over the spatial axes, in ONNX's order.
struct Window {
  std::vector<int64_t> kernel, strides, dilations, pads;
  /// As nn's 2-D attributes (a 1-D window gets a unit leading axis).
  SmallVector<int64_t> nnKernel() const { return twoD(kernel, 1); }
  SmallVector<int64_t> nnStrides() const { return twoD(strides, 1); }
  SmallVector<int64_t> nnDilations() const { return twoD(dilations, 1); }
  SmallVector<int64_t> nnPads() const {
    size_t n = kernel.size();
    if (n == 1)
      return {0, 0, pads[0], pads[1]};
    return {pads[0], pads[2], pads[1], pads[3]};
  }
  static SmallVector<int64_t> twoD(const std::vector<int64_t> &v, int64_t unit) {
    if (v.size() == 1)
      return {unit, v[0]};
    return {v[0], v[1]};
  }
};

/// Reads kernel_shape (or `kernel` when the weight gives it), strides,
/// dilations, pads and auto_pad for input spatial sizes `in`; nullopt after
/// reporting.
std::optional<Window> readWindow(OnnxNode &node, ArrayRef<int64_t> in,
                                 std::optional<std::vector<int64_t>> kernel) {
  size_t n = in.size();
  Window w;
  w.kernel = node.attrInts("kernel_shape", kernel ? *kernel : std::vector<int64_t>{});
  w.strides = node.attrInts("strides", std::vector<int64_t>(n, 1));
  w.dilations = node.attrInts("dilations", std::vector<int64_t>(n, 1));
  w.pads = node.attrInts("pads", std::vector<int64_t>(2 * n, 0));
  std::string autoPad = node.attrString("auto_pad", "NOTSET");
  if (node.failed())
    return std::nullopt;
  auto sizeError = [&](const char *what, size_t got, size_t want) {
    node.error() << "expects '" << what << "' of " << want << " values for a " << n
                 << "-D window, got " << got;
    return std::nullopt;
  };
  if (w.kernel.size() != n)
    return sizeError("kernel_shape", w.kernel.size(), n);
  if (w.strides.size() != n)
    return sizeError("strides", w.strides.size(), n);
  if (w.dilations.size() != n)
    return sizeError("dilations", w.dilations.size(), n);
  if (w.pads.size() != 2 * n)
    return sizeError("pads", w.pads.size(), 2 * n);
  for (size_t a = 0; a < n; ++a)
    if (w.kernel[a] < 1 || w.strides[a] < 1 || w.dilations[a] < 1 || w.pads[a] < 0 ||
        w.pads[a + n] < 0) {
      node.error() << "expects positive kernel_shape, strides and dilations and non-negative "
                      "pads";
      return std::nullopt;
    }
  if (autoPad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    // The output keeps ceil(in / stride); the odd pixel goes after (UPPER) or before (LOWER).
    for (size_t a = 0; a < n; ++a) {
      int64_t out = (in[a] + w.strides[a] - 1) / w.strides[a];
      int64_t total = std::max<int64_t>(
          0, (out - 1) * w.strides[a] + (w.kernel[a] - 1) * w.dilations[a] + 1 - in[a]);
      int64_t small = total / 2, large = total - small;
      w.pads[a] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[a + n] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else if (autoPad != "NOTSET") {
    (void)node.emitUnsupported("auto_pad", "\"" + autoPad + "\"");
    return std::nullopt;
  }
  return w;
}

/// Input 0 as [N, C, H, W]: a 1-D input [N, C, L] gains a unit height. Sets
/// `spatial` to the sizes of its spatial axes; reports other ranks.
Value spatialInput(OnnxNode &node, SmallVector<int64_t> &spatial) {
  Value x = node.input(0);
  if (!x)
    return {};
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getRank() != 3 && type.getRank() != 4) {
    (void)node.emitUnsupported("input rank", std::to_string(type.getRank()) +
                                           " (netc supports 1-D and 2-D windows: [N, C, L] or "
                                           "[N, C, H, W])");
    return {};
  }
  spatial.assign(type.getShape().begin() + 2, type.getShape().end());
  if (type.getRank() == 4)
    return x;
  return node.build<nn::ReshapeOp>(
      x, node.arrayAttr("shape", {type.getDimSize(0), type.getDimSize(1), 1, type.getDimSize(2)}));
}

/// The result of a 2-D op back in the input's rank.
Value restoreRank(OnnxNode &node, Value y, size_t spatialAxes) {
  if (!y || spatialAxes == 2)
    return y;
  auto type = cast<RankedTensorType>(y.getType());
  return node.build<nn::ReshapeOp>(
      y, node.arrayAttr("shape", {type.getDimSize(0), type.getDimSize(1), type.getDimSize(3)}));
}

LogicalResult convertConv(OnnxNode &node) {
  SmallVector<int64_t> spatial;
  Value x = spatialInput(node, spatial);
  Value w = node.input(1);
  if (!x || !w)
    return failure();
  auto wType = cast<RankedTensorType>(w.getType());
  if (wType.getRank() != int64_t(spatial.size()) + 2)
    return node.error() << "expects a weight of rank " << spatial.size() + 2 << ", got "
                        << wType.getRank();
  std::vector<int64_t> kernel(wType.getShape().begin() + 2, wType.getShape().end());
  std::optional<Window> win = readWindow(node, spatial, kernel);
  int64_t group = node.attrInt("group", 1);
  if (!win || node.failed())
    return failure();
  if (win->kernel != kernel)
    return node.error() << "has kernel_shape that differs from its weight's spatial shape";
  if (spatial.size() == 1) {
    SmallVector<int64_t> shape{wType.getDimSize(0), wType.getDimSize(1), 1, wType.getDimSize(2)};
    w = node.build<nn::ReshapeOp>(w, node.arrayAttr("shape", shape));
  }
  SmallVector<Value> operands{x, w};
  if (node.hasInput(2))
    operands.push_back(node.input(2));
  Value y = node.build<nn::Conv2dOp>(
      operands, {node.arrayAttr("stride", win->nnStrides()), node.arrayAttr("padding", win->nnPads()),
                 node.arrayAttr("dilation", win->nnDilations()), node.i64Attr("groups", group)});
  y = restoreRank(node, y, spatial.size());
  node.setOutput(0, y);
  return success(y != nullptr);
}

/// MaxPool and AveragePool.
LogicalResult convertPool(OnnxNode &node, bool max) {
  SmallVector<int64_t> spatial;
  Value x = spatialInput(node, spatial);
  if (!x)
    return failure();
  if (!node.hasAttr("kernel_shape"))
    return node.error() << "expects attribute 'kernel_shape'";
  std::optional<Window> win = readWindow(node, spatial, std::nullopt);
  bool ceil = node.attrInt("ceil_mode", 0) != 0;
  if (!win || node.failed())
    return failure();
  SmallVector<NamedAttribute> attrs{node.arrayAttr("kernel", win->nnKernel()),
                                    node.arrayAttr("stride", win->nnStrides()),
                                    node.arrayAttr("padding", win->nnPads()),
                                    node.boolAttr("ceil_mode", ceil)};
  Value y;
  if (max) {
    if (int64_t order = node.attrInt("storage_order", 0))
      return node.emitUnsupported("storage_order", std::to_string(order));
    if (node.hasOutput(1))
      return node.emitUnsupported("output", "Indices (the second output of MaxPool)");
    attrs.push_back(node.arrayAttr("dilation", win->nnDilations()));
    y = node.build<nn::MaxPool2dOp>(x, attrs);
  } else {
    if (llvm::any_of(win->dilations, [](int64_t d) { return d != 1; }))
      return node.emitUnsupported("dilations", "of AveragePool other than 1");
    attrs.push_back(node.boolAttr("count_include_pad", node.attrInt("count_include_pad", 0) != 0));
    y = node.build<nn::AvgPool2dOp>(x, attrs);
  }
  y = restoreRank(node, y, spatial.size());
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertGlobalPool(OnnxNode &node, bool max) {
  Value x = node.input(0);
  if (!x)
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (rank < 3)
    return node.emitUnsupported("input rank", std::to_string(rank));
  Value y;
  if (!max) {
    SmallVector<int64_t> dims;
    for (int64_t d = 2; d < rank; ++d)
      dims.push_back(d);
    y = node.build<nn::MeanOp>(x, {node.arrayAttr("dims", dims), node.boolAttr("keepdim", true)});
  } else if (rank == 4) {
    y = node.build<nn::AdaptiveMaxPool2dOp>(x, node.arrayAttr("size", {1, 1}));
  } else {
    return node.emitUnsupported("input rank of GlobalMaxPool", std::to_string(rank));
  }
  node.setOutput(0, y);
  return success(y != nullptr);
}

LogicalResult convertBatchNorm(OnnxNode &node) {
  double eps = node.attrFloat("epsilon", 1e-5);
  double momentum = node.attrFloat("momentum", 0.9);
  // Opsets before 14 say training by asking for the statistics as outputs.
  bool training = node.opset() >= 14 ? node.attrInt("training_mode", 0) != 0 : node.hasOutput(1);
  if (node.opset() < 9 && node.attrInt("spatial", 1) != 1)
    return node.emitUnsupported("spatial", "0 (per-element statistics)");
  if (node.opset() < 14 && (node.hasOutput(3) || node.hasOutput(4)))
    return node.emitUnsupported("output", "saved_mean and saved_var");
  Value x = node.input(0), scale = node.input(1), bias = node.input(2);
  Value mean = node.buffer(3), var = node.buffer(4);
  if (node.failed())
    return failure();
  Type stats = mean.getType();
  auto op = node.builder().create<nn::BatchNormOp>(
      node.loc(), TypeRange{x.getType(), stats, stats}, ValueRange{x, mean, var, scale, bias},
      ArrayRef<NamedAttribute>{});
  op.setEpsAttr(node.builder().getF64FloatAttr(eps));
  // ONNX keeps `momentum` of the running value, PyTorch of the new batch's.
  op.setMomentumAttr(node.builder().getF64FloatAttr(1.0 - momentum));
  SmallVector<Type> types;
  if (failed(cast<nn::ShapeInferenceOpInterface>(op.getOperation()).inferResultTypes(types)) ||
      failed(verify(op, /*verifyRecursively=*/false))) {
    op.erase();
    return node.error() << "cannot normalise a " << x.getType() << " with statistics of "
                        << stats;
  }
  node.setOutput(0, op.getResult());
  if (training) {
    node.setOutput(1, op.getNewRunningMean());
    node.setOutput(2, op.getNewRunningVar());
  }
  return success();
}

LogicalResult convertPad(OnnxNode &node) {
  std::string mode = node.attrString("mode", "constant");
  if (mode != "constant")
    return node.emitUnsupported("mode", "\"" + mode + "\" (netc pads with a constant)");
  std::vector<int64_t> pads;
  double value = 0.0;
  if (node.opset() < 11) {
    pads = node.attrInts("pads", {});
    value = node.attrFloat("value", 0.0);
  } else {
    const HostTensor *p = node.requireConstant(1, "the pads");
    if (!p)
      return failure();
    pads = p->ints();
    if (node.hasInput(2)) {
      const HostTensor *v = node.requireConstant(2, "the constant value");
      if (!v)
        return failure();
      value = v->asDouble(0);
    }
    if (node.hasInput(3))
      return node.emitUnsupported("input", "axes");
  }
  Value x = node.input(0);
  if (!x || node.failed())
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (int64_t(pads.size()) != 2 * rank)
    return node.error() << "expects " << 2 * rank << " pads for a rank-" << rank
                        << " input, got " << pads.size();
  for (int64_t a = 0; a + 2 < rank; ++a)
    if (pads[a] || pads[a + rank])
      return node.emitUnsupported("padding of axis", std::to_string(a) +
                                                         " (netc pads the last two axes)");
  if (rank < 2)
    return node.emitUnsupported("input rank", std::to_string(rank));
  Value y = node.build<nn::Pad2dOp>(
      x, {node.arrayAttr("pads", {pads[rank - 2], pads[2 * rank - 2], pads[rank - 1],
                                  pads[2 * rank - 1]}),
          node.f64Attr("value", value)});
  node.setOutput(0, y);
  return success(y != nullptr);
}

} // namespace

void registerConvOps(OnnxOpRegistry &r) {
  r.add("Conv", 1, convertConv);
  r.add("MaxPool", 1, [](OnnxNode &n) { return convertPool(n, true); });
  r.add("AveragePool", 1, [](OnnxNode &n) { return convertPool(n, false); });
  r.add("GlobalAveragePool", 1, [](OnnxNode &n) { return convertGlobalPool(n, false); });
  r.add("GlobalMaxPool", 1, [](OnnxNode &n) { return convertGlobalPool(n, true); });
  r.add("BatchNormalization", 1, convertBatchNorm);
  r.add("Pad", 1, convertPad);
}

} // namespace netc::onnx
