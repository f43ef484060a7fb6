//===- ImportOps.cpp - the ops of the .net language into nn ---------------===//
//
// One handler per op of DSL.md: it checks the arguments, creates the layer's
// parameters (named and initialised as PyTorch does) and builds the nn op.
// Shape errors come from the op's own shape rules, reported at the call.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "ir/Build.h"
#include "ir/NNOps.h"

#include "mlir/IR/Verifier.h"

#include <cmath>
#include <fmt/format.h>
#include <functional>

using namespace mlir;

namespace netc::frontend {

namespace {

/// A callable of the language: its parameters and how to import it.
struct OpEntry {
  Signature sig;
  OpHandler handler;
};

/// The element type of a tensor value.
Type elementTypeOf(Value v) { return cast<TensorType>(v.getType()).getElementType(); }

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

/// The prefix of a layer's parameters: `name=` or the op name and its index.
std::optional<std::string> layerName(Importer &im, const CallArgs &args) {
  int64_t index = im.nextLayerIndex(args.call->callee);
  auto it = args.values.find("name");
  if (it == args.values.end())
    return args.call->callee + std::to_string(index);
  if (it->second.kind != Val::Kind::String || it->second.s.empty()) {
    im.error(it->second.loc) << "'" << args.call->callee
                             << "' expects 'name' to be a non-empty string, got "
                             << describe(it->second);
    return std::nullopt;
  }
  if (!im.checkName(it->second.loc, it->second.s, "'" + args.call->callee + "' name"))
    return std::nullopt;
  return it->second.s;
}

/// Checks that a count such as `out` is positive.
bool checkPositive(Importer &im, const CallArgs &args, const char *name, int64_t value) {
  if (value > 0)
    return true;
  im.error(args.values.at(name).loc) << "'" << args.call->callee << "' expects '" << name
                                     << "' to be positive, got " << value;
  return false;
}

/// Requires a tensor of rank 3 or 4 (images, batched or not).
bool checkImage(Importer &im, const CallArgs &args, Value x) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (rank == 3 || rank == 4)
    return true;
  im.error(args.values.at("x").loc) << "'" << args.call->callee
                                    << "' expects an image [N, C, H, W] or [C, H, W], got "
                                    << describe(args.values.at("x"));
  return false;
}

std::array<int64_t, 2> spatialSize(Value x) {
  ArrayRef<int64_t> s = shapeOf(x);
  return {s[s.size() - 2], s[s.size() - 1]};
}

Val importConv2d(Importer &im, const CallArgs &args) {
  Builder &b = im.builder;
  auto x = im.getTensor(args, "x");
  auto out = im.getInt(args, "out");
  auto kernel = im.getPair(args, "kernel", std::nullopt);
  auto stride = im.getPair(args, "stride", std::array<int64_t, 2>{1, 1});
  auto dilation = im.getPair(args, "dilation", std::array<int64_t, 2>{1, 1});
  auto groups = im.getInt(args, "groups", 1);
  auto bias = im.getBool(args, "bias", true);
  auto name = layerName(im, args);
  Loc loc = args.call->loc;
  if (!x || !out || !kernel || !stride || !dilation || !groups || !bias || !name)
    return Val::poison(loc);
  if (!checkImage(im, args, *x) || !checkPositive(im, args, "out", *out) ||
      !checkPositive(im, args, "groups", *groups))
    return Val::poison(loc);
  if ((*kernel)[0] <= 0 || (*kernel)[1] <= 0) {
    im.error(args.values.at("kernel").loc)
        << "'conv2d' kernel must be positive, got " << describe(args.values.at("kernel"));
    return Val::poison(loc);
  }
  auto padding = resolvePadding(im, args, "padding", spatialSize(*x), *kernel, *stride, *dilation);
  if (!padding)
    return Val::poison(loc);

  ArrayRef<int64_t> xs = shapeOf(*x);
  int64_t channels = xs[xs.size() - 3];
  // In floating point: the product of huge kernels would overflow (the
  // weight's size is checked by newParam).
  double fanIn = double(channels / *groups) * double((*kernel)[0]) * double((*kernel)[1]);
  // kaiming_uniform(a = sqrt(5)) and PyTorch's bias rule both give U(-1/sqrt(fan_in), +).
  double bound = fanIn > 0 ? 1.0 / std::sqrt(fanIn) : 0.0;
  Type element = elementTypeOf(*x);
  Value weight = im.newParam(
      loc, *name + ".weight",
      RankedTensorType::get({*out, std::max<int64_t>(channels / *groups, 1), (*kernel)[0],
                             (*kernel)[1]},
                            element),
      uniformInit(b, -bound, bound));
  if (!weight)
    return Val::poison(loc);
  SmallVector<Value> operands{*x, weight};
  if (*bias)
    operands.push_back(im.newParam(loc, *name + ".bias", RankedTensorType::get({*out}, element),
                                   uniformInit(b, -bound, bound)));
  if (llvm::is_contained(operands, Value()))
    return Val::poison(loc);
  return im.buildOp("nn.conv2d", loc, operands,
                    {b.getNamedAttr("stride", b.getDenseI64ArrayAttr(*stride)),
                     b.getNamedAttr("padding", b.getDenseI64ArrayAttr(*padding)),
                     b.getNamedAttr("dilation", b.getDenseI64ArrayAttr(*dilation)),
                     b.getNamedAttr("groups", b.getI64IntegerAttr(*groups))},
                    *name);
}

/// maxpool2d and avgpool2d share their window arguments.
Val importPool(Importer &im, const CallArgs &args, bool isMax) {
  Builder &b = im.builder;
  auto x = im.getTensor(args, "x");
  auto kernel = im.getPair(args, "kernel", std::nullopt);
  auto stride = kernel ? im.getPair(args, "stride", kernel) : std::nullopt;
  auto dilation = im.getPair(args, "dilation", std::array<int64_t, 2>{1, 1});
  auto ceil = im.getBool(args, "ceil_mode", false);
  auto countPad = im.getBool(args, "count_include_pad", true);
  Loc loc = args.call->loc;
  if (!x || !kernel || !stride || !dilation || !ceil || !countPad || !checkImage(im, args, *x))
    return Val::poison(loc);
  auto padding = resolvePadding(im, args, "padding", spatialSize(*x), *kernel, *stride, *dilation);
  if (!padding)
    return Val::poison(loc);
  SmallVector<NamedAttribute> attrs{b.getNamedAttr("kernel", b.getDenseI64ArrayAttr(*kernel)),
                                    b.getNamedAttr("stride", b.getDenseI64ArrayAttr(*stride)),
                                    b.getNamedAttr("padding", b.getDenseI64ArrayAttr(*padding)),
                                    b.getNamedAttr("ceil_mode", b.getBoolAttr(*ceil))};
  if (isMax)
    attrs.push_back(b.getNamedAttr("dilation", b.getDenseI64ArrayAttr(*dilation)));
  else
    attrs.push_back(b.getNamedAttr("count_include_pad", b.getBoolAttr(*countPad)));
  return im.buildOp(isMax ? "nn.maxpool2d" : "nn.avgpool2d", loc, *x, attrs);
}

Val importPad2d(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto pads = getIntList(im, args, "padding", /*allowScalar=*/false);
  auto value = im.getFloat(args, "value", 0.0);
  Loc loc = args.call->loc;
  if (!x || !pads || !value)
    return Val::poison(loc);
  if (pads->size() != 4) {
    im.error(args.values.at("padding").loc)
        << "'pad2d' expects padding [top, bottom, left, right], got "
        << describe(args.values.at("padding"));
    return Val::poison(loc);
  }
  Builder &b = im.builder;
  return im.buildOp("nn.pad2d", loc, *x,
                    {b.getNamedAttr("pads", b.getDenseI64ArrayAttr(*pads)),
                     b.getNamedAttr("value", b.getF64FloatAttr(*value))});
}

Val importLinear(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto out = im.getInt(args, "out");
  auto bias = im.getBool(args, "bias", true);
  auto name = layerName(im, args);
  Loc loc = args.call->loc;
  if (!x || !out || !bias || !name || !checkPositive(im, args, "out", *out))
    return Val::poison(loc);
  ArrayRef<int64_t> xs = shapeOf(*x);
  if (xs.empty()) {
    im.error(args.values.at("x").loc) << "'linear' expects a tensor of rank >= 1, got "
                                      << describe(args.values.at("x"));
    return Val::poison(loc);
  }
  int64_t in = xs.back();
  double bound = in > 0 ? 1.0 / std::sqrt(double(in)) : 0.0;
  Type element = elementTypeOf(*x);
  Builder &b = im.builder;
  Value weight = im.newParam(loc, *name + ".weight", RankedTensorType::get({*out, in}, element),
                             uniformInit(b, -bound, bound));
  if (!weight)
    return Val::poison(loc);
  SmallVector<Value> operands{*x, weight};
  if (*bias)
    operands.push_back(im.newParam(loc, *name + ".bias", RankedTensorType::get({*out}, element),
                                   uniformInit(b, -bound, bound)));
  if (llvm::is_contained(operands, Value()))
    return Val::poison(loc);
  return im.buildOp("nn.linear", loc, operands, {}, *name);
}

Val importEmbedding(Importer &im, const CallArgs &args) {
  auto idx = im.getTensor(args, "idx");
  auto num = im.getInt(args, "num");
  auto dim = im.getInt(args, "dim");
  auto name = layerName(im, args);
  Loc loc = args.call->loc;
  if (!idx || !num || !dim || !name || !checkPositive(im, args, "num", *num) ||
      !checkPositive(im, args, "dim", *dim))
    return Val::poison(loc);
  if (!isa<IntegerType>(elementTypeOf(*idx))) {
    im.error(args.values.at("idx").loc) << "'embedding' expects integer indices (i32 or i64), got "
                                        << describe(args.values.at("idx"));
    return Val::poison(loc);
  }
  Value weight = im.newParam(loc, *name + ".weight",
                             RankedTensorType::get({*num, *dim}, im.builder.getF32Type()),
                             normalInit(im.builder, 0.0, 1.0));
  if (!weight)
    return Val::poison(loc);
  return im.buildOp("nn.embedding", loc, {*idx, weight}, {}, *name);
}

Val importDropout(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto p = im.getFloat(args, "p");
  if (!x || !p)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.dropout", args.call->loc, *x,
                    {im.builder.getNamedAttr("p", im.builder.getF64FloatAttr(*p))});
}

/// An op of several tensors named `names`, without attributes.
OpHandler tensors(const char *opName, std::vector<std::string> names) {
  return [opName, names](Importer &im, const CallArgs &args) {
    SmallVector<Value> operands;
    bool ok = true;
    for (const std::string &n : names) {
      auto t = im.getTensor(args, n);
      ok &= t.has_value();
      if (t)
        operands.push_back(*t);
    }
    if (!ok)
      return Val::poison(args.call->loc);
    return im.buildOp(opName, args.call->loc, operands, {});
  };
}

/// Reads one integer argument into an i64 attribute.
std::function<std::optional<SmallVector<NamedAttribute>>(Importer &, const CallArgs &)>
intAttr(const char *arg, const char *attr, std::optional<int64_t> fallback) {
  return [=](Importer &im, const CallArgs &args) -> std::optional<SmallVector<NamedAttribute>> {
    auto v = im.getInt(args, arg, fallback);
    if (!v)
      return std::nullopt;
    return SmallVector<NamedAttribute>{
        im.builder.getNamedAttr(attr, im.builder.getI64IntegerAttr(*v))};
  };
}

Val importReduce(Importer &im, const CallArgs &args, const char *opName) {
  auto x = im.getTensor(args, "x");
  auto keepdim = im.getBool(args, "keepdim", false);
  std::optional<std::vector<int64_t>> dims;
  bool dimsOk = true;
  if (args.has("dim")) {
    dims = getIntList(im, args, "dim", /*allowScalar=*/true);
    dimsOk = dims.has_value();
  }
  if (!x || !keepdim || !dimsOk)
    return Val::poison(args.call->loc);
  SmallVector<NamedAttribute> attrs{
      im.builder.getNamedAttr("keepdim", im.builder.getBoolAttr(*keepdim))};
  if (dims)
    attrs.push_back(im.builder.getNamedAttr("dims", im.builder.getDenseI64ArrayAttr(*dims)));
  return im.buildOp(opName, args.call->loc, *x, attrs);
}

Val importConcat(Importer &im, const CallArgs &args) {
  auto dim = im.getInt(args, "dim", 1);
  const Val &list = args.values.at("tensors");
  Loc loc = args.call->loc;
  if (!dim)
    return Val::poison(loc);
  if (list.kind != Val::Kind::List ||
      !llvm::all_of(list.list, [](const Val &v) { return v.kind == Val::Kind::Tensor; })) {
    im.error(list.loc) << "'concat' expects a list of tensors [a, b, ...], got " << describe(list);
    return Val::poison(loc);
  }
  SmallVector<Value> operands;
  for (const Val &v : list.list)
    operands.push_back(v.tensor);
  return im.buildOp("nn.concat", loc, operands,
                    {im.builder.getNamedAttr("dim", im.builder.getI64IntegerAttr(*dim))});
}

Val importReshape(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto dims = getIntList(im, args, "shape", /*allowScalar=*/false);
  if (!x || !dims)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.reshape", args.call->loc, *x,
                    {im.builder.getNamedAttr("shape", im.builder.getDenseI64ArrayAttr(*dims))});
}

Val importTranspose(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto d0 = im.getInt(args, "d0"), d1 = im.getInt(args, "d1");
  if (!x || !d0 || !d1)
    return Val::poison(args.call->loc);
  Builder &b = im.builder;
  return im.buildOp("nn.transpose", args.call->loc, *x,
                    {b.getNamedAttr("dim0", b.getI64IntegerAttr(*d0)),
                     b.getNamedAttr("dim1", b.getI64IntegerAttr(*d1))});
}

//===--- gelu, silu and layer_norm ---===//

/// gelu: the exact op, or with approximate="tanh" the composite op that
/// nn-decompose expands.
Val importGelu(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  Loc loc = args.call->loc;
  std::string mode = "none";
  if (auto it = args.values.find("approximate"); it != args.values.end()) {
    const Val &v = it->second;
    if (v.kind != Val::Kind::String || (v.s != "none" && v.s != "tanh")) {
      im.error(v.loc) << "'gelu' expects approximate=\"none\" or \"tanh\", got " << describe(v);
      return Val::poison(loc);
    }
    mode = v.s;
  }
  if (!x)
    return Val::poison(loc);
  return im.buildOp(mode == "tanh" ? "nn.gelu_tanh" : "nn.gelu", loc, *x, {}, "gelu");
}

/// layer_norm over the trailing axes `shape`, with torch.nn.LayerNorm's
/// parameters NAME.weight (ones) and NAME.bias (zeros) when affine.
Val importLayerNorm(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  auto shape = getIntList(im, args, "shape", /*allowScalar=*/true);
  auto eps = im.getFloat(args, "eps", 1e-5);
  auto affine = im.getBool(args, "affine", true);
  auto name = layerName(im, args);
  Loc loc = args.call->loc;
  if (!x || !shape || !eps || !affine || !name)
    return Val::poison(loc);
  if (!(*eps >= 0.0)) {
    im.error(args.values.at("eps").loc)
        << "'layer_norm' expects 'eps' to be non-negative, got " << describe(args.values.at("eps"));
    return Val::poison(loc);
  }
  Builder &b = im.builder;
  SmallVector<Value> operands{*x};
  // Parameters only for a valid shape: the op's rule reports a wrong one.
  bool positive = llvm::all_of(*shape, [](int64_t d) { return d > 0; });
  if (*affine && positive) {
    auto type = RankedTensorType::get(*shape, elementTypeOf(*x));
    operands.push_back(im.newParam(loc, *name + ".weight", type, constantInit(b, 1.0)));
    operands.push_back(im.newParam(loc, *name + ".bias", type, constantInit(b, 0.0)));
  }
  if (llvm::is_contained(operands, Value()))
    return Val::poison(loc);
  return im.buildOp("nn.layer_norm", loc, operands,
                    {b.getNamedAttr("normalized_shape", b.getDenseI64ArrayAttr(*shape)),
                     b.getNamedAttr("eps", b.getF64FloatAttr(*eps))},
                    *name);
}

/// Every op of the language by name.
const std::map<std::string, OpEntry> &opTable() {
  static const std::map<std::string, OpEntry> table = [] {
    std::map<std::string, OpEntry> t;
    t["conv2d"] = {{{"x", "out", "kernel", "stride", "padding", "dilation", "groups", "bias",
                     "name"},
                    3},
                   importConv2d};
    t["maxpool2d"] = {{{"x", "kernel", "stride", "padding", "dilation", "ceil_mode"}, 2},
                      [](Importer &im, const CallArgs &a) { return importPool(im, a, true); }};
    t["avgpool2d"] = {{{"x", "kernel", "stride", "padding", "ceil_mode", "count_include_pad"}, 2},
                      [](Importer &im, const CallArgs &a) { return importPool(im, a, false); }};
    t["pad2d"] = {{{"x", "padding", "value"}, 2}, importPad2d};
    t["linear"] = {{{"x", "out", "bias", "name"}, 2}, importLinear};
    t["embedding"] = {{{"idx", "num", "dim", "name"}, 3}, importEmbedding};
    t["dropout"] = {{{"x", "p"}, 2}, importDropout};
    for (auto [dsl, op] : {std::pair{"relu", "nn.relu"}, std::pair{"sigmoid", "nn.sigmoid"},
                           std::pair{"tanh", "nn.tanh"}, std::pair{"exp", "nn.exp"},
                           std::pair{"log", "nn.log"}, std::pair{"sqrt", "nn.sqrt"}})
      t[dsl] = {{{"x"}, 1}, unaryOp(op)};
    t["leaky_relu"] = {{{"x", "slope"}, 1},
                       unaryOp("nn.leaky_relu",
                             [](Importer &im, const CallArgs &a)
                                 -> std::optional<SmallVector<NamedAttribute>> {
                               auto slope = im.getFloat(a, "slope", 0.01);
                               if (!slope)
                                 return std::nullopt;
                               return SmallVector<NamedAttribute>{im.builder.getNamedAttr(
                                   "slope", im.builder.getF64FloatAttr(*slope))};
                             })};
    t["gelu"] = {{{"x", "approximate"}, 1}, importGelu};
    t["silu"] = {{{"x"}, 1}, unaryOp("nn.silu")};
    t["layer_norm"] = {{{"x", "shape", "eps", "affine", "name"}, 2}, importLayerNorm};
    for (int dims : {1, 2})
      t["batch_norm" + std::to_string(dims) + "d"] = {
          {{"x", "eps", "momentum", "affine", "name"}, 1},
          [dims](Importer &im, const CallArgs &a) {
            auto name = layerName(im, a);
            return name ? importBatchNorm(im, a, *name, dims) : Val::poison(a.call->loc);
          }};
    t["softmax"] = {{{"x", "dim"}, 1}, unaryOp("nn.softmax", intAttr("dim", "dim", -1))};
    t["log_softmax"] = {{{"x", "dim"}, 1}, unaryOp("nn.log_softmax", intAttr("dim", "dim", -1))};
    t["flatten"] = {{{"x", "start_dim", "end_dim"}, 1},
                    unaryOp("nn.flatten", [](Importer &im, const CallArgs &a)
                                            -> std::optional<SmallVector<NamedAttribute>> {
                      auto start = im.getInt(a, "start_dim", 1), end = im.getInt(a, "end_dim", -1);
                      if (!start || !end)
                        return std::nullopt;
                      return SmallVector<NamedAttribute>{
                          im.builder.getNamedAttr("start_dim", im.builder.getI64IntegerAttr(*start)),
                          im.builder.getNamedAttr("end_dim", im.builder.getI64IntegerAttr(*end))};
                    })};
    t["reshape"] = {{{"x", "shape"}, 2}, importReshape};
    t["transpose"] = {{{"x", "d0", "d1"}, 3}, importTranspose};
    t["concat"] = {{{"tensors", "dim"}, 1}, importConcat};
    t["matmul"] = {{{"a", "b"}, 2}, tensors("nn.matmul", {"a", "b"})};
    t["sum"] = {{{"x", "dim", "keepdim"}, 1},
                [](Importer &im, const CallArgs &a) { return importReduce(im, a, "nn.sum"); }};
    t["mean"] = {{{"x", "dim", "keepdim"}, 1},
                 [](Importer &im, const CallArgs &a) { return importReduce(im, a, "nn.mean"); }};
    t["sqnorm"] = {{{"x"}, 1}, unaryOp("nn.sqnorm")};
    t["mse"] = {{{"a", "b"}, 2}, tensors("nn.mse", {"a", "b"})};
    t["bce"] = {{{"p", "y"}, 2}, tensors("nn.bce", {"p", "y"})};
    t["bce_logits"] = {{{"z", "y"}, 2}, tensors("nn.bce_logits", {"z", "y"})};
    // The op families of their own files.
    OpRegistrar add = [&](const std::string &n, Signature s, OpHandler h) { t[n] = {s, h}; };
    addTensorOps(add);
    registerSpatialOps(add);
    registerLossOps(add);
    addElementwiseOps(add);
    registerAttentionOps(add);
    registerRecurrentOps(add);
    registerRandomOps(add);
    registerLiteralOps(add);
    return t;
  }();
  return table;
}

/// The optimizers of `train`.
bool isOptimizer(const std::string &name) {
  return name == "sgd" || name == "adam" || name == "adamw" || name == "rmsprop";
}

/// Names that are not ops but have a meaning elsewhere, for a precise error.
bool isOptimizerOrInit(const std::string &name) {
  return isOptimizer(name) || name == "zeros" || name == "ones" || name == "uniform" ||
         name == "normal";
}

} // namespace

std::optional<std::string> importLayerName(Importer &im, const CallArgs &args) {
  return layerName(im, args);
}

Val Importer::evalCall(const CallExpr &call) {
  if (auto block = blocks.find(call.callee); block != blocks.end())
    return evalBlockCall(*block->second, call);
  if (llvm::StringRef(call.callee).starts_with("nn."))
    return importGenericOp(*this, call);
  const auto &table = opTable();
  auto it = table.find(call.callee);
  if (it == table.end()) {
    auto diag = error(call.loc);
    if (isOptimizerOrInit(call.callee)) {
      diag << "'" << call.callee << "' can only be used in "
           << (isOptimizer(call.callee) ? "'train'" : "'init='");
    } else {
      diag << "unknown op '" << call.callee << "'";
      std::vector<std::string> names;
      for (const auto &entry : table)
        names.push_back(entry.first);
      std::string suggestion = closestName(call.callee, names);
      if (!suggestion.empty())
        diag << "; did you mean '" << suggestion << "'?";
    }
    // The arguments may hold errors of their own.
    for (const ExprPtr &e : call.args)
      (void)eval(*e);
    for (const KeywordArg &kw : call.keywords)
      (void)eval(*kw.value);
    return Val::poison(call.loc);
  }
  std::optional<CallArgs> args = bindArgs(*this, call, it->second.sig);
  if (!args)
    return Val::poison(call.loc);
  return it->second.handler(*this, *args);
}

Val Importer::buildOp(StringRef opName, Loc loc, ValueRange operands,
                      ArrayRef<NamedAttribute> attrs, StringRef displayName) {
  // A layer inside a block call is named as its parameters are (P.conv1).
  Location where = NameLoc::get(
      builder.getStringAttr(displayName.empty() ? opName.drop_until([](char c) { return c == '.'; })
                                                      .drop_front()
                                                      .str()
                                                : qualify(displayName)),
      location(loc));
  Value result = nn::createInferred(builder, where, opName, operands, attrs);
  if (!result) {
    failed = true;
    return Val::poison(loc);
  }
  if (auto type = dyn_cast<RankedTensorType>(result.getType()); type && type.getRank() > kMaxRank) {
    error(loc) << "'" << opName.drop_front(3) << "' gives a tensor of rank " << type.getRank()
               << "; the limit is " << kMaxRank;
    return Val::poison(loc);
  }
  return Val::ofTensor(loc, result);
}

bool isLanguageOp(const std::string &name) { return opTable().count(name) != 0; }

} // namespace netc::frontend
