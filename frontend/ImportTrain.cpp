//===- ImportTrain.cpp - parameter initialisers and optimizers ------------===//
//
// `param ... init=` and `train` take calls that are not ops: initialisers
// become an `nn.init` dictionary on the parameter's argument, the optimizer
// an `nn.optimizer` dictionary on the function, with every hyper-parameter
// filled in and checked against the ranges torch.optim accepts.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include <cmath>
#include <fmt/format.h>

using namespace mlir;

namespace netc::frontend {

//===----------------------------------------------------------------------===//
// Parameter initialisers and optimizers
//===----------------------------------------------------------------------===//

DictionaryAttr Importer::importInit(const CallExpr *init) {
  if (!init)
    return constantInit(builder, 0.0);
  static const std::map<std::string, Signature> inits = {
      {"zeros", {{}, 0}},
      {"ones", {{}, 0}},
      {"uniform", {{"lo", "hi"}, 2}},
      {"normal", {{"mean", "std"}, 2}}};
  auto it = inits.find(init->callee);
  if (it == inits.end()) {
    error(init->loc) << "unknown initialiser '" << init->callee
                     << "'; use zeros(), ones(), uniform(lo, hi) or normal(mean, std)";
    return nullptr;
  }
  std::optional<CallArgs> args = bindArgs(*this, *init, it->second);
  if (!args)
    return nullptr;
  if (init->callee == "zeros" || init->callee == "ones")
    return constantInit(builder, init->callee == "ones" ? 1.0 : 0.0);
  if (init->callee == "uniform") {
    auto lo = getFloat(*args, "lo"), hi = getFloat(*args, "hi");
    if (!lo || !hi)
      return nullptr;
    if (!(*lo <= *hi)) {
      error(init->loc) << "'uniform' expects lo <= hi, got " << fmt::format("{} > {}", *lo, *hi);
      return nullptr;
    }
    return uniformInit(builder, *lo, *hi);
  }
  auto mean = getFloat(*args, "mean"), std = getFloat(*args, "std");
  if (!mean || !std)
    return nullptr;
  if (*std < 0) {
    error(args->values.at("std").loc) << "'normal' expects std >= 0, got " << fmt::format("{}", *std);
    return nullptr;
  }
  return normalInit(builder, *mean, *std);
}

void Importer::importTrain(const TrainStmt &train) {
  if (trainLoc) {
    error(train.loc) << "a model has at most one 'train'; the first is at line " << trainLoc->line;
    return;
  }
  trainLoc = train.loc;
  const CallExpr &call = *train.optimizer;
  static const std::map<std::string, Signature> optimizers = {
      {"sgd", {{"lr", "momentum", "weight_decay", "nesterov"}, 1}},
      {"adam", {{"lr", "beta1", "beta2", "eps", "weight_decay"}, 1}},
      {"adamw", {{"lr", "beta1", "beta2", "eps", "weight_decay"}, 1}},
      {"rmsprop", {{"lr", "alpha", "eps", "momentum", "weight_decay", "centered"}, 1}}};
  auto it = optimizers.find(call.callee);
  if (it == optimizers.end()) {
    error(call.loc) << "unknown optimizer '" << call.callee
                    << "'; use sgd(...), adam(...), adamw(...) or rmsprop(...)";
    return;
  }
  std::optional<CallArgs> args = bindArgs(*this, call, it->second);
  if (!args)
    return;
  SmallVector<NamedAttribute> attrs{
      builder.getNamedAttr("kind", builder.getStringAttr(call.callee))};
  // Each hyper-parameter with its default and the range torch.optim accepts.
  struct Hyper {
    const char *name;
    double fallback, low, high;
    bool highOpen;
  };
  // Adam and AdamW share their hyper-parameters; AdamW's decoupled weight
  // decay defaults to 0.01.
  auto adamHypers = [](double weightDecay) {
    return std::vector<Hyper>{{"lr", 0, 0, INFINITY, true},
                              {"beta1", 0.9, 0, 1, true},
                              {"beta2", 0.999, 0, 1, true},
                              {"eps", 1e-8, 0, INFINITY, true},
                              {"weight_decay", weightDecay, 0, INFINITY, true}};
  };
  const std::map<std::string, std::vector<Hyper>> hyperOf = {
      {"sgd",
       {{"lr", 0, 0, INFINITY, true},
        {"momentum", 0, 0, INFINITY, true},
        {"weight_decay", 0, 0, INFINITY, true}}},
      {"adam", adamHypers(0.0)},
      {"adamw", adamHypers(0.01)},
      {"rmsprop",
       {{"lr", 0, 0, INFINITY, true},
        {"alpha", 0.99, 0, INFINITY, true},
        {"eps", 1e-8, 0, INFINITY, true},
        {"momentum", 0, 0, INFINITY, true},
        {"weight_decay", 0, 0, INFINITY, true}}}};
  const std::vector<Hyper> &hypers = hyperOf.at(call.callee);
  bool ok = true;
  double momentum = 0;
  for (const Hyper &h : hypers) {
    auto v = getFloat(*args, h.name, h.fallback);
    if (!v) {
      ok = false;
      continue;
    }
    if (!(*v >= h.low && (*v < h.high || (!h.highOpen && *v == h.high)))) {
      error(args->values.at(h.name).loc)
          << "'" << call.callee << "' expects " << h.name << " in [" << fmt::format("{}", h.low)
          << ", " << (std::isinf(h.high) ? "inf" : fmt::format("{}", h.high)) << "), got "
          << fmt::format("{}", *v);
      ok = false;
      continue;
    }
    if (std::string(h.name) == "momentum")
      momentum = *v;
    attrs.push_back(builder.getNamedAttr(h.name, builder.getF64FloatAttr(*v)));
  }
  if (call.callee == "sgd") {
    auto nesterov = getBool(*args, "nesterov", false);
    if (!nesterov) {
      ok = false;
    } else {
      if (*nesterov && momentum <= 0) {
        error(args->values.at("nesterov").loc) << "'sgd' with nesterov=true needs momentum > 0";
        ok = false;
      }
      attrs.push_back(builder.getNamedAttr("nesterov", builder.getBoolAttr(*nesterov)));
    }
  }
  if (call.callee == "rmsprop") {
    auto centered = getBool(*args, "centered", false);
    ok &= centered.has_value();
    if (centered)
      attrs.push_back(builder.getNamedAttr("centered", builder.getBoolAttr(*centered)));
  }
  if (ok)
    optimizer = builder.getDictionaryAttr(attrs);
}

} // namespace netc::frontend
