//===- ImportLoss.cpp - the losses and metrics into nn --------------------===//
//
// cross_entropy (with PyTorch 1.13's label_smoothing and ignore_index),
// nll_loss, l1_loss, smooth_l1_loss, kl_div and dice_loss, and the metrics
// iou, dice and accuracy. Arguments are checked here, at their own
// locations, against what torch.nn.functional accepts; shapes by the ops'
// rules, reported at the call.
//
//===----------------------------------------------------------------------===//


#include "frontend/ImportArgs.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>
#include <fmt/format.h>

using namespace mlir;

namespace netc::frontend {

namespace {

/// The rank of a tensor value.
int64_t rankOf(Value v) { return cast<RankedTensorType>(v.getType()).getRank(); }

/// A tensor argument holding class indices (i32 or i64).
std::optional<Value> getClassIndices(Importer &im, const CallArgs &args, const std::string &name) {
  auto t = im.getTensor(args, name);
  if (t && !isa<IntegerType>(cast<TensorType>(t->getType()).getElementType())) {
    im.error(args.values.at(name).loc)
        << "'" << args.call->callee << "' expects class indices (i32 or i64) as " << name
        << ", got " << describe(args.values.at(name));
    return std::nullopt;
  }
  return t;
}

/// A float argument with a default that must lie in [low, high].
std::optional<double> getFloatIn(Importer &im, const CallArgs &args, const std::string &name,
                                 double fallback, double low, double high) {
  auto v = im.getFloat(args, name, fallback);
  if (v && !(*v >= low && *v <= high)) {
    im.error(args.values.at(name).loc)
        << "'" << args.call->callee << "' expects " << name << " in ["
        << fmt::format("{}, {}", low, high) << "], got " << describe(args.values.at(name));
    return std::nullopt;
  }
  return v;
}

/// The optional ignore_index attribute; false when the argument is wrong.
bool getIgnoreIndex(Importer &im, const CallArgs &args, SmallVectorImpl<NamedAttribute> &attrs) {
  if (!args.has("ignore_index"))
    return true;
  auto ignore = im.getInt(args, "ignore_index");
  if (ignore)
    attrs.push_back(im.builder.getNamedAttr("ignore_index", im.builder.getI64IntegerAttr(*ignore)));
  return ignore.has_value();
}

Val importNllLoss(Importer &im, const CallArgs &args) {
  auto logp = im.getTensor(args, "logp");
  auto target = getClassIndices(im, args, "target");
  SmallVector<NamedAttribute> attrs;
  if (!getIgnoreIndex(im, args, attrs) || !logp || !target)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.nll_loss", args.call->loc, {*logp, *target}, attrs);
}

/// cross_entropy: nn.cross_entropy as before when neither label_smoothing nor
/// ignore_index is given; else nll_loss of log_softmax over the class axis,
/// which computes PyTorch's smoothed and ignoring form.
Val importCrossEntropy(Importer &im, const CallArgs &args) {
  auto logits = im.getTensor(args, "logits");
  auto target = getClassIndices(im, args, "target");
  auto smoothing = getFloatIn(im, args, "label_smoothing", 0.0, 0.0, 1.0);
  SmallVector<NamedAttribute> attrs;
  Loc loc = args.call->loc;
  if (!getIgnoreIndex(im, args, attrs) || !logits || !target || !smoothing)
    return Val::poison(loc);
  // nn.cross_entropy also reports wrong shapes under cross_entropy's name.
  auto shapeOf = [](Value v) {
    ArrayRef<int64_t> s = cast<RankedTensorType>(v.getType()).getShape();
    return shape::Shape(s.begin(), s.end());
  };
  bool plain = !args.has("label_smoothing") && !args.has("ignore_index");
  if (plain || !shape::crossEntropy(shapeOf(*logits), shapeOf(*target)))
    return im.buildOp("nn.cross_entropy", loc, {*logits, *target}, {});
  Builder &b = im.builder;
  Val logp = im.buildOp("nn.log_softmax", loc, *logits,
                        {b.getNamedAttr("dim", b.getI64IntegerAttr(rankOf(*logits) == 1 ? 0 : 1))},
                        "cross_entropy");
  if (logp.kind != Val::Kind::Tensor)
    return logp;
  attrs.push_back(b.getNamedAttr("label_smoothing", b.getF64FloatAttr(*smoothing)));
  return im.buildOp("nn.nll_loss", loc, {logp.tensor, *target}, attrs, "cross_entropy");
}

Val importSmoothL1(Importer &im, const CallArgs &args) {
  auto a = im.getTensor(args, "a"), t = im.getTensor(args, "b");
  auto beta = getFloatIn(im, args, "beta", 1.0, 0.0, INFINITY);
  if (!a || !t || !beta)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.smooth_l1_loss", args.call->loc, {*a, *t},
                    {im.builder.getNamedAttr("beta", im.builder.getF64FloatAttr(*beta))});
}

/// kl_div with torch's reductions: "mean" (its default) over all elements,
/// "batchmean" the sum over logp's size(0) (the sum for a 0-d logp), "sum",
/// or "none" (elementwise).
Val importKlDiv(Importer &im, const CallArgs &args) {
  auto logp = im.getTensor(args, "logp"), q = im.getTensor(args, "q");
  auto logTarget = im.getBool(args, "log_target", false);
  Loc loc = args.call->loc;
  std::string reduction = "mean";
  bool ok = logp && q && logTarget;
  if (auto it = args.values.find("reduction"); it != args.values.end()) {
    const Val &v = it->second;
    if (v.kind != Val::Kind::String ||
        (v.s != "mean" && v.s != "batchmean" && v.s != "sum" && v.s != "none")) {
      im.error(v.loc) << "'kl_div' expects reduction=\"mean\", \"batchmean\", \"sum\" or "
                         "\"none\", got "
                      << describe(v);
      ok = false;
    }
    reduction = v.s;
  }
  if (!ok)
    return Val::poison(loc);
  Builder &b = im.builder;
  Val pointwise = im.buildOp("nn.kl_div", loc, {*logp, *q},
                             {b.getNamedAttr("log_target", b.getBoolAttr(*logTarget))});
  if (pointwise.kind != Val::Kind::Tensor || reduction == "none")
    return pointwise;
  Val reduced =
      im.buildOp(reduction == "mean" ? "nn.mean" : "nn.sum", loc, pointwise.tensor, {}, "kl_div");
  // batchmean of a 0-d input is its sum, as in torch.
  if (reduction != "batchmean" || reduced.kind != Val::Kind::Tensor || rankOf(*logp) == 0)
    return reduced;
  auto logpType = cast<RankedTensorType>(logp->getType());
  Value batch = im.scalarConstant(loc, static_cast<double>(logpType.getDimSize(0)),
                                  logpType.getElementType());
  return im.buildOp("nn.div", loc, {reduced.tensor, batch}, {}, "kl_div");
}

Val importDiceLoss(Importer &im, const CallArgs &args) {
  auto p = im.getTensor(args, "p"), t = im.getTensor(args, "t");
  auto eps = getFloatIn(im, args, "eps", 1.0, 0.0, INFINITY);
  if (!p || !t || !eps)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.dice_loss", args.call->loc, {*p, *t},
                    {im.builder.getNamedAttr("eps", im.builder.getF64FloatAttr(*eps))});
}

/// An op of two float tensors `first` and `second`, without attributes.
OpHandler twoTensors(const char *opName, std::string first, std::string second) {
  return [=](Importer &im, const CallArgs &args) {
    auto a = im.getTensor(args, first), b = im.getTensor(args, second);
    if (!a || !b)
      return Val::poison(args.call->loc);
    return im.buildOp(opName, args.call->loc, {*a, *b}, {});
  };
}

Val importAccuracy(Importer &im, const CallArgs &args) {
  auto logits = im.getTensor(args, "logits");
  auto target = getClassIndices(im, args, "target");
  if (!logits || !target)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.accuracy", args.call->loc, {*logits, *target}, {});
}

} // namespace

void registerLossOps(const OpRegistrar &add) {
  add("cross_entropy", {{"logits", "target", "label_smoothing", "ignore_index"}, 2},
      importCrossEntropy);
  add("nll_loss", {{"logp", "target", "ignore_index"}, 2}, importNllLoss);
  add("l1_loss", {{"a", "b"}, 2}, twoTensors("nn.l1_loss", "a", "b"));
  add("smooth_l1_loss", {{"a", "b", "beta"}, 2}, importSmoothL1);
  add("kl_div", {{"logp", "q", "reduction", "log_target"}, 2}, importKlDiv);
  add("dice_loss", {{"p", "t", "eps"}, 2}, importDiceLoss);
  add("iou", {{"p", "t"}, 2}, twoTensors("nn.iou", "p", "t"));
  add("dice", {{"p", "t"}, 2}, twoTensors("nn.dice", "p", "t"));
  add("accuracy", {{"logits", "target"}, 2}, importAccuracy);
}

} // namespace netc::frontend
