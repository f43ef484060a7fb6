//===- ImportSpatial.cpp - the spatial ops of the language ----------------===//
//
// conv1d, conv_transpose2d, upsample, adaptive and global pooling,
// group_norm and instance_norm2d, with torch.nn.functional's arguments and
// torch.nn's parameter names and initialisers. conv1d is a conv2d over a
// unit height, global_avg_pool2d a mean and instance_norm2d a group_norm
// with one group per channel; the others build the composite ops of
// ir/Ops/Spatial.td.
//
//===----------------------------------------------------------------------===//


#include "frontend/ImportArgs.h"

#include "ir/NNOps.h"

#include <cmath>

using namespace mlir;

namespace netc::frontend {

namespace {

ArrayRef<int64_t> dimsOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

Type elementOf(Value v) { return cast<TensorType>(v.getType()).getElementType(); }

/// Reports an argument error at the argument's location.
InFlightDiagnostic argError(Importer &im, const CallArgs &args, const std::string &name) {
  return im.error(args.values.at(name).loc) << "'" << args.call->callee << "' ";
}

/// Requires x of rank `low` or `low + 1` (unbatched or batched).
bool checkRank(Importer &im, const CallArgs &args, Value x, int64_t low, const char *layout) {
  int64_t rank = dimsOf(x).size();
  if (rank == low || rank == low + 1)
    return true;
  argError(im, args, "x") << "expects " << layout << ", got " << describe(args.values.at("x"));
  return false;
}

/// Requires every number of `values` named `what` to be at least `min`.
bool checkAtLeast(Importer &im, const CallArgs &args, const char *name,
                  ArrayRef<int64_t> values, int64_t min) {
  if (llvm::all_of(values, [&](int64_t v) { return v >= min; }))
    return true;
  argError(im, args, name) << "expects '" << name << "' to be at least " << min << ", got "
                           << describe(args.values.at(name));
  return false;
}

/// Requires `groups` to divide the channel count `what` of `count`.
bool checkGroups(Importer &im, const CallArgs &args, int64_t groups, int64_t count,
                 const char *what) {
  if (groups > 0 && count % groups == 0)
    return true;
  argError(im, args, args.has("groups") ? "groups" : "x")
      << "expects groups " << groups << " to divide the " << what << " " << count;
  return false;
}

/// A weight of `shape` and a bias of `out`, both U(-1/sqrt(fan_in), +), the
/// initialisation torch.nn gives convolutions; the bias only when `bias`.
std::optional<SmallVector<Value>> convParams(Importer &im, Loc loc, const std::string &name,
                                             ArrayRef<int64_t> shape, int64_t out, double fanIn,
                                             bool bias, Type element) {
  double bound = fanIn > 0 ? 1.0 / std::sqrt(fanIn) : 0.0;
  DictionaryAttr init = uniformInit(im.builder, -bound, bound);
  SmallVector<Value> params{im.newParam(loc, name + ".weight", RankedTensorType::get(shape, element),
                                        init)};
  if (bias)
    params.push_back(im.newParam(loc, name + ".bias", RankedTensorType::get({out}, element), init));
  if (llvm::is_contained(params, Value()))
    return std::nullopt;
  return params;
}

/// A reshape at the call, or poison.
Val reshaped(Importer &im, Loc loc, Value v, ArrayRef<int64_t> shape) {
  return im.buildOp("nn.reshape", loc, v,
                    {im.builder.getNamedAttr("shape", im.builder.getDenseI64ArrayAttr(shape))});
}

/// conv1d on [N, C, L] or [C, L]: a conv2d of the input seen as height 1,
/// with the weight [out, C / groups, k] seen as [out, C / groups, 1, k].
Val importConv1d(Importer &im, const CallArgs &args) {
  Builder &b = im.builder;
  auto x = im.getTensor(args, "x");
  auto out = im.getInt(args, "out"), kernel = im.getInt(args, "kernel");
  auto stride = im.getInt(args, "stride", 1), padding = im.getInt(args, "padding", 0);
  auto dilation = im.getInt(args, "dilation", 1), groups = im.getInt(args, "groups", 1);
  auto bias = im.getBool(args, "bias", true);
  auto name = importLayerName(im, args);
  Loc loc = args.call->loc;
  if (!x || !out || !kernel || !stride || !padding || !dilation || !groups || !bias || !name ||
      !checkRank(im, args, *x, 2, "a sequence [N, C, L] or [C, L]") ||
      !checkAtLeast(im, args, "out", *out, 1) || !checkAtLeast(im, args, "kernel", *kernel, 1) ||
      !checkAtLeast(im, args, "stride", *stride, 1) ||
      !checkAtLeast(im, args, "padding", *padding, 0) ||
      !checkAtLeast(im, args, "dilation", *dilation, 1))
    return Val::poison(loc);
  SmallVector<int64_t> xs(dimsOf(*x));
  int64_t channels = xs[xs.size() - 2];
  if (!checkGroups(im, args, *groups, channels, "input channels") ||
      !checkGroups(im, args, *groups, *out, "output channels 'out'"))
    return Val::poison(loc);
  auto params = convParams(im, loc, *name, {*out, channels / *groups, *kernel}, *out,
                           double(channels / *groups) * double(*kernel), *bias, elementOf(*x));
  if (!params)
    return Val::poison(loc);
  SmallVector<int64_t> tall(xs);
  tall.insert(tall.end() - 1, int64_t{1});
  Val x4 = reshaped(im, loc, *x, tall);
  Val w4 = reshaped(im, loc, (*params)[0], {*out, channels / *groups, 1, *kernel});
  if (x4.kind != Val::Kind::Tensor || w4.kind != Val::Kind::Tensor)
    return Val::poison(loc);
  SmallVector<Value> operands{x4.tensor, w4.tensor};
  if (*bias)
    operands.push_back((*params)[1]);
  Val y = im.buildOp("nn.conv2d", loc, operands,
                     {b.getNamedAttr("stride", b.getDenseI64ArrayAttr({1, *stride})),
                      b.getNamedAttr("padding", b.getDenseI64ArrayAttr({0, 0, *padding, *padding})),
                      b.getNamedAttr("dilation", b.getDenseI64ArrayAttr({1, *dilation})),
                      b.getNamedAttr("groups", b.getI64IntegerAttr(*groups))},
                     *name);
  if (y.kind != Val::Kind::Tensor)
    return y;
  SmallVector<int64_t> flat(dimsOf(y.tensor));
  flat.erase(flat.end() - 2);
  return reshaped(im, loc, y.tensor, flat);
}

/// conv_transpose2d with torch.nn.ConvTranspose2d's weight [in, out / groups,
/// kH, kW], whose fan-in torch takes from axis 1: out / groups * kH * kW.
Val importConvTranspose2d(Importer &im, const CallArgs &args) {
  Builder &b = im.builder;
  std::array<int64_t, 2> zero{0, 0}, one{1, 1};
  auto x = im.getTensor(args, "x");
  auto out = im.getInt(args, "out");
  auto kernel = im.getPair(args, "kernel", std::nullopt);
  auto stride = im.getPair(args, "stride", one), padding = im.getPair(args, "padding", zero);
  auto outPad = im.getPair(args, "output_padding", zero);
  auto dilation = im.getPair(args, "dilation", one);
  auto groups = im.getInt(args, "groups", 1);
  auto bias = im.getBool(args, "bias", true);
  auto name = importLayerName(im, args);
  Loc loc = args.call->loc;
  if (!x || !out || !kernel || !stride || !padding || !outPad || !dilation || !groups || !bias ||
      !name || !checkRank(im, args, *x, 3, "an image [N, C, H, W] or [C, H, W]") ||
      !checkAtLeast(im, args, "out", *out, 1) || !checkAtLeast(im, args, "kernel", *kernel, 1) ||
      !checkAtLeast(im, args, "stride", *stride, 1) ||
      !checkAtLeast(im, args, "dilation", *dilation, 1) ||
      !checkAtLeast(im, args, "padding", *padding, 0) ||
      !checkAtLeast(im, args, "output_padding", *outPad, 0))
    return Val::poison(loc);
  for (int axis = 0; axis < 2; ++axis)
    if ((*outPad)[axis] >= (*stride)[axis]) {
      argError(im, args, "output_padding")
          << "expects 'output_padding' smaller than the stride, got "
          << describe(args.values.at("output_padding")) << " with stride "
          << (*stride)[0] << "x" << (*stride)[1];
      return Val::poison(loc);
    }
  ArrayRef<int64_t> xs = dimsOf(*x);
  int64_t channels = xs[xs.size() - 3];
  if (!checkGroups(im, args, *groups, channels, "input channels") ||
      !checkGroups(im, args, *groups, *out, "output channels 'out'"))
    return Val::poison(loc);
  int64_t perGroup = *out / *groups;
  auto params =
      convParams(im, loc, *name, {channels, perGroup, (*kernel)[0], (*kernel)[1]}, *out,
                 double(perGroup) * double((*kernel)[0]) * double((*kernel)[1]), *bias,
                 elementOf(*x));
  if (!params)
    return Val::poison(loc);
  SmallVector<Value> operands{*x};
  operands.append(params->begin(), params->end());
  return im.buildOp("nn.conv_transpose2d", loc, operands,
                    {b.getNamedAttr("stride", b.getDenseI64ArrayAttr(*stride)),
                     b.getNamedAttr("padding", b.getDenseI64ArrayAttr(*padding)),
                     b.getNamedAttr("output_padding", b.getDenseI64ArrayAttr(*outPad)),
                     b.getNamedAttr("dilation", b.getDenseI64ArrayAttr(*dilation)),
                     b.getNamedAttr("groups", b.getI64IntegerAttr(*groups))},
                    *name);
}

/// A positive number or a pair of them (upsample's scale).
std::optional<std::array<double, 2>> getScalePair(Importer &im, const CallArgs &args) {
  const Val &v = args.values.at("scale");
  std::array<double, 2> pair;
  if (v.isNumber()) {
    pair = {v.asDouble(), v.asDouble()};
  } else if (v.kind == Val::Kind::List && v.list.size() == 2 && v.list[0].isNumber() &&
             v.list[1].isNumber()) {
    pair = {v.list[0].asDouble(), v.list[1].asDouble()};
  } else {
    argError(im, args, "scale") << "expects 'scale' to be a number or a pair [h, w], got "
                                << describe(v);
    return std::nullopt;
  }
  if (!(pair[0] > 0.0) || !(pair[1] > 0.0)) {
    argError(im, args, "scale") << "expects a positive 'scale', got " << describe(v);
    return std::nullopt;
  }
  return pair;
}

/// upsample as F.interpolate: exactly one of `size` and `scale`; the output
/// size floor(in * scale); the source step 1 / scale or in / out.
Val importUpsample(Importer &im, const CallArgs &args) {
  Builder &b = im.builder;
  auto x = im.getTensor(args, "x");
  auto corners = im.getBool(args, "align_corners", false);
  Loc loc = args.call->loc;
  std::string mode = "nearest";
  if (auto it = args.values.find("mode"); it != args.values.end()) {
    if (it->second.kind != Val::Kind::String ||
        (it->second.s != "nearest" && it->second.s != "bilinear")) {
      argError(im, args, "mode") << "expects mode=\"nearest\" or \"bilinear\", got "
                                 << describe(it->second);
      return Val::poison(loc);
    }
    mode = it->second.s;
  }
  if (!x || !corners || !checkRank(im, args, *x, 3, "an image [N, C, H, W] or [C, H, W]"))
    return Val::poison(loc);
  if (args.has("size") == args.has("scale")) {
    im.error(loc) << "'upsample' expects exactly one of 'size' and 'scale'";
    return Val::poison(loc);
  }
  if (mode == "nearest" && args.has("align_corners")) {
    argError(im, args, "align_corners") << "accepts 'align_corners' only with mode=\"bilinear\"";
    return Val::poison(loc);
  }
  ArrayRef<int64_t> xs = dimsOf(*x);
  int64_t in[2] = {xs[xs.size() - 2], xs[xs.size() - 1]};
  std::array<int64_t, 2> size;
  std::array<double, 2> step;
  if (args.has("size")) {
    auto s = im.getPair(args, "size", std::nullopt);
    if (!s || !checkAtLeast(im, args, "size", *s, 1))
      return Val::poison(loc);
    size = *s;
    step = {double(in[0]) / double(size[0]), double(in[1]) / double(size[1])};
  } else {
    auto scale = getScalePair(im, args);
    if (!scale)
      return Val::poison(loc);
    for (int axis = 0; axis < 2; ++axis) {
      size[axis] = static_cast<int64_t>(std::floor(double(in[axis]) * (*scale)[axis]));
      step[axis] = 1.0 / (*scale)[axis];
    }
    if (size[0] < 1 || size[1] < 1) {
      argError(im, args, "scale") << "gives an empty output " << size[0] << "x" << size[1]
                                  << " for input " << in[0] << "x" << in[1];
      return Val::poison(loc);
    }
  }
  return im.buildOp("nn.upsample", loc, *x,
                    {b.getNamedAttr("size", b.getDenseI64ArrayAttr(size)),
                     b.getNamedAttr("scale", b.getDenseF64ArrayAttr(step)),
                     b.getNamedAttr("mode", b.getStringAttr(mode)),
                     b.getNamedAttr("align_corners", b.getBoolAttr(*corners))});
}

/// adaptive_avg_pool2d and adaptive_max_pool2d: an output size, int or pair.
OpHandler adaptivePool(const char *opName) {
  return [opName](Importer &im, const CallArgs &args) {
    auto x = im.getTensor(args, "x");
    auto size = im.getPair(args, "size", std::nullopt);
    Loc loc = args.call->loc;
    if (!x || !size || !checkRank(im, args, *x, 3, "an image [N, C, H, W] or [C, H, W]") ||
        !checkAtLeast(im, args, "size", *size, 1))
      return Val::poison(loc);
    return im.buildOp(opName, loc, *x,
                      {im.builder.getNamedAttr("size", im.builder.getDenseI64ArrayAttr(*size))});
  };
}

/// global_avg_pool2d: the mean over H and W, kept as [N, C, 1, 1].
Val importGlobalAvgPool(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  Loc loc = args.call->loc;
  if (!x || !checkRank(im, args, *x, 3, "an image [N, C, H, W] or [C, H, W]"))
    return Val::poison(loc);
  Builder &b = im.builder;
  return im.buildOp("nn.mean", loc, *x,
                    {b.getNamedAttr("dims", b.getDenseI64ArrayAttr({-2, -1})),
                     b.getNamedAttr("keepdim", b.getBoolAttr(true))},
                    "global_avg_pool2d");
}

/// group_norm (torch.nn.GroupNorm, weight ones and bias zeros when affine)
/// or, with `instance`, instance_norm2d (torch.nn.InstanceNorm2d: one group
/// per channel, no affine parameters by default, no running statistics).
Val importNorm(Importer &im, const CallArgs &args, bool instance) {
  auto x = im.getTensor(args, "x");
  auto groups = instance ? std::optional<int64_t>(0) : im.getInt(args, "groups");
  auto eps = im.getFloat(args, "eps", 1e-5);
  auto affine = im.getBool(args, "affine", !instance);
  auto name = importLayerName(im, args);
  Loc loc = args.call->loc;
  if (!x || !groups || !eps || !affine || !name)
    return Val::poison(loc);
  if (!(*eps >= 0.0)) {
    argError(im, args, "eps") << "expects 'eps' to be non-negative, got "
                              << describe(args.values.at("eps"));
    return Val::poison(loc);
  }
  SmallVector<int64_t> xs(dimsOf(*x));
  if (instance ? !checkRank(im, args, *x, 3, "an image [N, C, H, W] or [C, H, W]")
               : xs.size() < 2) {
    if (!instance)
      argError(im, args, "x") << "expects an input [N, C, ...], got "
                              << describe(args.values.at("x"));
    return Val::poison(loc);
  }
  // An unbatched instance is a batch of one.
  bool unbatched = instance && xs.size() == 3;
  Value input = *x;
  if (unbatched) {
    SmallVector<int64_t> batched{1};
    batched.append(xs.begin(), xs.end());
    Val v = reshaped(im, loc, *x, batched);
    if (v.kind != Val::Kind::Tensor)
      return v;
    input = v.tensor;
  }
  int64_t channels = dimsOf(input)[1];
  int64_t g = instance ? channels : *groups;
  if (!checkGroups(im, args, g, channels, "channels"))
    return Val::poison(loc);
  Builder &b = im.builder;
  SmallVector<Value> operands{input};
  if (*affine) {
    auto type = RankedTensorType::get({channels}, elementOf(*x));
    operands.push_back(im.newParam(loc, *name + ".weight", type, constantInit(b, 1.0)));
    operands.push_back(im.newParam(loc, *name + ".bias", type, constantInit(b, 0.0)));
  }
  if (llvm::is_contained(operands, Value()))
    return Val::poison(loc);
  Val y = im.buildOp("nn.group_norm", loc, operands,
                     {b.getNamedAttr("groups", b.getI64IntegerAttr(g)),
                      b.getNamedAttr("eps", b.getF64FloatAttr(*eps))},
                     *name);
  if (!unbatched || y.kind != Val::Kind::Tensor)
    return y;
  return reshaped(im, loc, y.tensor, xs);
}

} // namespace

void registerSpatialOps(const OpRegistrar &add) {
  add("conv1d",
      {{"x", "out", "kernel", "stride", "padding", "dilation", "groups", "bias", "name"}, 3},
      importConv1d);
  add("conv_transpose2d",
      {{"x", "out", "kernel", "stride", "padding", "output_padding", "groups", "dilation", "bias",
        "name"},
       3},
      importConvTranspose2d);
  add("upsample", {{"x", "scale", "size", "mode", "align_corners"}, 1}, importUpsample);
  add("adaptive_avg_pool2d", {{"x", "size"}, 2}, adaptivePool("nn.adaptive_avg_pool2d"));
  add("adaptive_max_pool2d", {{"x", "size"}, 2}, adaptivePool("nn.adaptive_max_pool2d"));
  add("global_avg_pool2d", {{"x"}, 1}, importGlobalAvgPool);
  add("group_norm", {{"x", "groups", "eps", "affine", "name"}, 2},
      [](Importer &im, const CallArgs &a) { return importNorm(im, a, false); });
  add("instance_norm2d", {{"x", "eps", "affine", "name"}, 1},
      [](Importer &im, const CallArgs &a) { return importNorm(im, a, true); });
}

} // namespace netc::frontend
