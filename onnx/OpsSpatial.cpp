//===- OpsSpatial.cpp - ONNX Resize, Upsample, ConvTranspose, norms -------===//
//
// Resize and Upsample become nn.upsample where ONNX's coordinate rule is
// PyTorch's: "nearest" with the source index floor(o / scale) (asymmetric
// with nearest_mode "floor", or an integer scale, where every rule agrees),
// "linear" with half_pixel (pytorch_half_pixel) or align_corners, on the
// last two axes of an [N, C, H, W] tensor. ConvTranspose is
// nn.conv_transpose2d with symmetric pads; InstanceNormalization is
// nn.group_norm with one group per channel; LayerNormalization (opset 17) is
// nn.layer_norm over the axes from `axis` on. LRN is an average pool of
// the squares along the channels.
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

#include <cmath>

using namespace mlir;

namespace netc::onnx {

namespace {

/// The scales of Resize or Upsample, or the output sizes turned into scales.
struct ResizeTarget {
  SmallVector<int64_t> size;
  SmallVector<double> step; // source per output, as nn.upsample's scale
  bool integerScale = true;
};

std::optional<ResizeTarget> resizeTarget(OpsBuilder &b, ArrayRef<int64_t> in) {
  SmallVector<double> scales;
  std::optional<SmallVector<int64_t>> sizes;
  if (b.opType() == "Upsample" && b.opset() < 9) {
    for (double s : b.attrFloats("scales"))
      scales.push_back(s);
  } else {
    unsigned scalesAt = b.opType() == "Resize" && b.opset() >= 11 ? 2 : 1;
    // Scales computed at run time would make the output's shape unknown at import.
    if (b.has(scalesAt) && !b.constShape(scalesAt) && !b.has(scalesAt + 1)) {
      b.error("expects the scales (input " + std::to_string(scalesAt) +
              ") to be known at import, but they are computed at run time");
      return std::nullopt;
    }
    if (b.has(scalesAt) && b.constShape(scalesAt) && product(*b.constShape(scalesAt)) > 0) {
      auto given = b.floats(scalesAt);
      if (!given) {
        b.error("the scales must be constants");
        return std::nullopt;
      }
      scales = *given;
    } else if (b.has(scalesAt + 1)) {
      sizes = b.requireInts(scalesAt + 1, "the sizes");
      if (!sizes)
        return std::nullopt;
    }
  }
  ResizeTarget t;
  size_t rank = in.size();
  if ((sizes ? sizes->size() : scales.size()) != rank) {
    b.error("needs a scale or size for each of the " + std::to_string(rank) + " axes");
    return std::nullopt;
  }
  for (size_t k = 0; k < rank; ++k) {
    int64_t out = sizes ? (*sizes)[k] : int64_t(std::floor(double(in[k]) * scales[k]));
    if (k < rank - 2 && out != in[k]) {
      b.error("resizes axis " + std::to_string(k) + "; netc resizes the last two axes only");
      return std::nullopt;
    }
    if (k < rank - 2)
      continue;
    double scale = sizes ? double(out) / double(in[k]) : scales[k];
    t.size.push_back(out);
    t.step.push_back(sizes ? double(in[k]) / double(out) : 1.0 / scales[k]);
    t.integerScale &= scale >= 1 && scale == std::floor(scale);
  }
  return t;
}

LogicalResult convertResize(OpsBuilder &b) {
  Value x = b.in(0);
  if (!x)
    return b.result();
  if (OpsBuilder::rank(x) != 4 || !OpsBuilder::isFloat(x))
    return b.fail("resizes a float tensor [N, C, H, W] only");
  bool upsample = b.opType() == "Upsample";
  std::string mode = b.attrString("mode", "nearest");
  std::string coords = upsample ? "asymmetric"
                                : b.attrString("coordinate_transformation_mode",
                                               b.opset() < 11 ? "asymmetric" : "half_pixel");
  std::string nearestMode =
      upsample || b.opset() < 11 ? "floor" : b.attrString("nearest_mode", "round_prefer_floor");
  auto target = resizeTarget(b, OpsBuilder::dims(x));
  if (!target)
    return b.result();
  bool corners = false;
  if (mode == "nearest") {
    bool halfPixel = coords == "half_pixel" || coords == "pytorch_half_pixel";
    bool rounds = nearestMode == "round_prefer_floor" || nearestMode == "round_prefer_ceil";
    bool upToTwice = llvm::all_of(target->step, [](double s) { return s >= 0.5; });
    if (!(coords == "asymmetric" && nearestMode == "floor") &&
        !(target->integerScale && halfPixel && rounds) &&
        !(target->integerScale && upToTwice && coords == "asymmetric" &&
          nearestMode == "round_prefer_floor"))
      return b.fail("unsupported nearest resize: coordinate_transformation_mode \"" + coords +
                    "\" with nearest_mode \"" + nearestMode +
                    "\" at these scales (netc's nearest reads floor(o / scale))");
  } else if (mode == "linear" || mode == "bilinear") {
    mode = "bilinear";
    corners = coords == "align_corners";
    if (!corners && coords != "half_pixel" && coords != "pytorch_half_pixel")
      return b.fail("unsupported coordinate_transformation_mode: \"" + coords +
                    "\" with linear mode (netc has half_pixel and align_corners)");
  } else {
    return b.fail("unsupported mode: \"" + mode + "\" (netc has nearest and linear)");
  }
  if (!upsample && b.attrInt("exclude_outside", 0) != 0)
    return b.fail("unsupported exclude_outside: 1");
  b.out(0, b.op("nn.upsample", x,
                {b.array("size", target->size),
                 b.builder().getNamedAttr("scale", b.builder().getDenseF64ArrayAttr(target->step)),
                 b.str("mode", mode), b.flag("align_corners", corners)}));
  return b.result();
}

LogicalResult convertConvTranspose(OpsBuilder &b) {
  Value x = b.in(0), w = b.in(1);
  Value bias = b.has(2) ? b.in(2) : Value();
  if (!x || !w || (b.has(2) && !bias))
    return b.result();
  if (OpsBuilder::rank(x) != 4)
    return b.fail("netc has 2-D transposed convolutions only, got an input of rank " +
                  std::to_string(OpsBuilder::rank(x)));
  std::string autoPad = b.attrString("auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID")
    return b.fail("unsupported auto_pad: \"" + autoPad + "\"");
  if (b.hasAttr("output_shape"))
    return b.fail("unsupported attribute output_shape (give pads and output_padding)");
  auto pair = [&](StringRef name, int64_t otherwise) {
    SmallVector<int64_t> v = b.attrInts(name);
    return v.empty() ? SmallVector<int64_t>{otherwise, otherwise} : v;
  };
  SmallVector<int64_t> strides = pair("strides", 1), dilations = pair("dilations", 1);
  SmallVector<int64_t> outPad = pair("output_padding", 0);
  SmallVector<int64_t> pads = b.attrInts("pads");
  if (pads.empty())
    pads = {0, 0, 0, 0};
  if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3])
    return b.fail("unsupported asymmetric pads (netc pads both sides of an axis alike)");
  SmallVector<Value> operands{x, w};
  if (bias)
    operands.push_back(bias);
  b.out(0, b.op("nn.conv_transpose2d", operands,
                {b.array("stride", strides), b.array("padding", {pads[0], pads[1]}),
                 b.array("output_padding", outPad), b.array("dilation", dilations),
                 b.i64("groups", b.attrInt("group", 1))}));
  return b.result();
}

LogicalResult convertInstanceNorm(OpsBuilder &b) {
  Value x = b.in(0), scale = b.in(1), shift = b.in(2);
  if (!x || !scale || !shift)
    return b.result();
  if (OpsBuilder::rank(x) < 3)
    return b.fail("needs an input [N, C, ...] of rank 3 or more");
  b.out(0, b.op("nn.group_norm", {x, scale, shift},
                {b.i64("groups", OpsBuilder::dims(x)[1]),
                 b.f64("eps", b.attrFloat("epsilon", 1e-5))}));
  return b.result();
}

LogicalResult convertLayerNorm(OpsBuilder &b) {
  Value x = b.in(0), scale = b.in(1);
  Value shift = b.has(2) ? b.in(2) : Value();
  if (!x || !scale || (b.has(2) && !shift))
    return b.result();
  if (b.wants(1) || b.wants(2))
    return b.fail("unsupported outputs Mean and InvStdDev (netc gives the normalised tensor only)");
  auto axis = b.axis(b.attrInt("axis", -1), OpsBuilder::rank(x), "axis");
  if (!axis)
    return b.result();
  ArrayRef<int64_t> normalized = OpsBuilder::dims(x).drop_front(*axis);
  SmallVector<Value> operands{x, b.reshape(scale, normalized)};
  if (shift)
    operands.push_back(b.reshape(shift, normalized));
  else
    operands.push_back(b.splat(normalized, 0.0, OpsBuilder::element(x)));
  b.out(0, b.op("nn.layer_norm", operands,
                {b.array("normalized_shape", normalized),
                 b.f64("eps", b.attrFloat("epsilon", 1e-5))}));
  return b.result();
}

/// LRN: x / (bias + alpha / size * sum of x^2 over the `size` channels
/// around c)^beta. The sum is an average pool of x^2 seen as a one-channel
/// image [N, 1, C, spatial], padded with zeros along C as ONNX's window is
/// (floor((size - 1) / 2) before c, ceil((size - 1) / 2) after).
LogicalResult convertLrn(OpsBuilder &b) {
  Value x = b.in(0);
  int64_t size = b.attrInt("size", 0);
  if (!x)
    return b.result();
  if (OpsBuilder::rank(x) < 3 || !OpsBuilder::isFloat(x) || size < 1)
    return b.fail("expects a float tensor [N, C, ...] and a positive size");
  ArrayRef<int64_t> d = OpsBuilder::dims(x);
  int64_t n = d[0], c = d[1], rest = product(d.drop_front(2));
  Value sq = b.reshape(b.binary("nn.mul", x, x), {n, 1, c, rest});
  sq = b.op("nn.pad2d", sq, {b.array("pads", {(size - 1) / 2, size / 2, 0, 0})});
  Value avg = b.op("nn.avgpool2d", sq, {b.array("kernel", {size, 1}), b.array("stride", {1, 1})});
  Value scaled = b.binary("nn.mul", b.reshape(avg, d), b.scalar(b.attrFloat("alpha", 1e-4), x));
  Value base = b.binary("nn.add", scaled, b.scalar(b.attrFloat("bias", 1.0), x));
  b.out(0, b.binary("nn.div", x,
                    b.op("nn.pow", base, {b.f64("exponent", b.attrFloat("beta", 0.75))})));
  return b.result();
}

} // namespace

void registerSpatialOps(OnnxOpRegistry &r) {
  addOp(r, "LRN", convertLrn);
  addOp(r, "Resize", convertResize);
  addOp(r, "Upsample", convertResize);
  addOp(r, "ConvTranspose", convertConvTranspose);
  addOp(r, "InstanceNormalization", convertInstanceNorm);
  addOp(r, "LayerNormalization", convertLayerNorm);
}

} // namespace netc::onnx
