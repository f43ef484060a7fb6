//===- ImportTrain.cpp - parameter initialisers and optimizers ------------===//
//
// `param ... init=` and `train` take calls that are not ops: initialisers
// become an `nn.init` dictionary on the parameter's argument, the optimizer
// an `nn.optimizer` dictionary on the function, with every hyper-parameter
// filled in and checked against the ranges torch.optim accepts.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <set>

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
  if (!trainLoc)
    trainLoc = train.loc;
  const CallExpr &call = *train.optimizer;
  // `loss=` and `params=` choose what the optimizer trains (finishTrains).
  const std::vector<std::string> selection = {"loss", "params"};
  static const std::map<std::string, Signature> optimizers = {
      {"sgd", {{"lr", "momentum", "weight_decay", "nesterov"}, 1, selection}},
      {"adam", {{"lr", "beta1", "beta2", "eps", "weight_decay"}, 1, selection}},
      {"adamw", {{"lr", "beta1", "beta2", "eps", "weight_decay"}, 1, selection}},
      {"rmsprop", {{"lr", "alpha", "eps", "momentum", "weight_decay", "centered"}, 1, selection}}};
  auto it = optimizers.find(call.callee);
  if (it == optimizers.end()) {
    error(call.loc) << "unknown optimizer '" << call.callee
                    << "'; use sgd(...), adam(...), adamw(...) or rmsprop(...)";
    return;
  }
  TrainSpec spec{train.loc, nullptr, "", train.loc, std::nullopt};
  bool selected = readSelection(call, spec);
  std::optional<CallArgs> args = bindArgs(*this, call, it->second);
  if (!args || !selected)
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
  if (ok) {
    spec.optimizer = builder.getDictionaryAttr(attrs);
    trains.push_back(std::move(spec));
  }
}

} // namespace netc::frontend

//===----------------------------------------------------------------------===//
// Several losses: which loss and which parameters each `train` trains
//===----------------------------------------------------------------------===//

namespace netc::frontend {

bool Importer::readSelection(const CallExpr &call, TrainSpec &spec) {
  bool ok = true;
  // `loss=d` names a loss that may be defined after the `train`: the name is
  // read from the syntax, not evaluated.
  if (const KeywordArg *kw = call.findKeyword("loss")) {
    spec.lossLoc = kw->value->loc;
    if (auto *ref = dynCast<NameRef>(kw->value.get()))
      spec.loss = ref->name;
    else if (auto *lit = dynCast<StringLit>(kw->value.get()))
      spec.loss = lit->value;
    else {
      error(kw->value->loc) << "'loss=' of '" << call.callee
                            << "' expects the name of a loss, such as loss=d";
      ok = false;
    }
  }
  if (const KeywordArg *kw = call.findKeyword("params")) {
    spec.prefixes.emplace();
    std::vector<const Expr *> items;
    if (auto *list = dynCast<ListExpr>(kw->value.get())) {
      for (const ExprPtr &e : list->elements)
        items.push_back(e.get());
    } else {
      items.push_back(kw->value.get());
    }
    for (const Expr *e : items) {
      if (auto *lit = dynCast<StringLit>(e)) {
        spec.prefixes->emplace_back(lit->value, e->loc);
        continue;
      }
      error(e->loc) << "'params=' of '" << call.callee
                    << "' expects parameter name prefixes as strings, such as params=[\"disc\"]";
      ok = false;
    }
    if (items.empty()) {
      error(kw->value->loc) << "'params=' of '" << call.callee << "' expects at least one prefix";
      ok = false;
    }
  }
  return ok;
}

void Importer::finishTrains(const ModelDecl &model) {
  std::vector<const Result *> losses;
  std::vector<std::string> lossNames;
  for (const Result &r : results)
    if (r.isLoss) {
      losses.push_back(&r);
      lossNames.push_back(r.name);
    }
  std::string lossList = llvm::join(lossNames, ", ");
  // Which `train` trains each loss; "train needs a loss" is reported already.
  std::map<std::string, const TrainSpec *> trainOf;
  // Trains whose loss is known; only they take part in the parameter check,
  // so that one mistake is reported once.
  std::set<const TrainSpec *> resolved;
  for (TrainSpec &t : trains) {
    if (losses.empty())
      break;
    if (t.loss.empty()) {
      if (losses.size() > 1) {
        error(t.loc) << "model '" << model.name << "' has " << losses.size() << " losses ("
                     << lossList << "); say which one this 'train' minimizes with loss=NAME";
        continue;
      }
      t.loss = losses.front()->name;
    } else if (!llvm::is_contained(lossNames, t.loss)) {
      auto diag = error(t.lossLoc);
      diag << "'train' names loss '" << t.loss << "', which model '" << model.name
           << "' does not define";
      std::string suggestion = closestName(t.loss, lossNames);
      if (!suggestion.empty())
        diag << "; did you mean '" << suggestion << "'?";
      else
        diag << " (its losses: " << (lossList.empty() ? "none" : lossList) << ")";
      continue;
    }
    resolved.insert(&t);
    auto [it, inserted] = trainOf.emplace(t.loss, &t);
    if (!inserted)
      error(t.loc) << "loss '" << t.loss
                   << "' is trained twice; the first 'train' of it is at line "
                   << it->second->loc.line;
  }
  if (losses.size() > 1)
    for (const Result *r : losses)
      if (!trainOf.count(r->name))
        error(r->loc) << "loss '" << r->name << "' has no 'train'; in a model with several losses "
                      << "each needs its own, such as 'train adam(lr=2e-4, loss=" << r->name
                      << ", params=[\"...\"])'";

  // The parameters each `train` selects: all, or those whose name starts with
  // one of its prefixes; a parameter belongs to one train step at most.
  std::vector<std::string> paramNames;
  for (const auto &entry : params)
    paramNames.push_back(entry.getKey().str());
  std::sort(paramNames.begin(), paramNames.end());
  std::map<std::string, const TrainSpec *> owner;
  for (const TrainSpec &t : trains) {
    std::set<const TrainSpec *> reported;
    for (const std::string &name : resolved.count(&t) ? paramNames : std::vector<std::string>{}) {
      bool chosen = !t.prefixes;
      for (const auto &prefix : t.prefixes.value_or(std::vector<std::pair<std::string, Loc>>{}))
        chosen |= llvm::StringRef(name).starts_with(prefix.first);
      if (!chosen)
        continue;
      auto [it, inserted] = owner.emplace(name, &t);
      if (!inserted && reported.insert(it->second).second)
        error(t.loc) << "parameter '" << name << "' is trained by this 'train' and by the one at "
                     << "line " << it->second->loc.line
                     << "; their 'params' prefixes must select disjoint parameters";
    }
    for (const auto &[prefix, loc] :
         t.prefixes.value_or(std::vector<std::pair<std::string, Loc>>{}))
      if (llvm::none_of(paramNames, [&](const std::string &n) {
            return llvm::StringRef(n).starts_with(prefix);
          })) {
        auto diag = error(loc);
        diag << "'params' prefix '" << prefix << "' matches no parameter of model '" << model.name
             << "'";
        // Suggest among the dotted prefixes of the names ("disc", "disc.0", ...).
        std::vector<std::string> candidates;
        for (const std::string &n : paramNames)
          for (size_t dot = n.find('.'); dot != std::string::npos; dot = n.find('.', dot + 1))
            candidates.push_back(n.substr(0, dot));
        std::string suggestion = closestName(prefix, candidates);
        if (!suggestion.empty())
          diag << "; did you mean '" << suggestion << "'?";
      }
  }
  if (failed)
    return;

  // The optimizers, with what they train where the source said it.
  for (const TrainSpec &t : trains) {
    SmallVector<NamedAttribute> attrs(t.optimizer.getValue());
    if (t.prefixes) {
      SmallVector<StringRef> prefixes;
      for (const auto &p : *t.prefixes)
        prefixes.push_back(p.first);
      attrs.push_back(builder.getNamedAttr("params", builder.getStrArrayAttr(prefixes)));
    }
    if (losses.size() > 1) {
      attrs.push_back(builder.getNamedAttr("loss", builder.getStringAttr(t.loss)));
      lossOptimizers[t.loss] = builder.getDictionaryAttr(attrs);
    } else {
      optimizer = builder.getDictionaryAttr(attrs);
    }
  }
}

} // namespace netc::frontend
