//===- ImportArgs.cpp - binding and checking call arguments ---------------===//
//
// Calls take positional arguments, then keywords (DSL.md). Binding maps both
// onto the callee's parameter names; the accessors check each argument's
// kind and report mistakes naming the callee, the argument and the value.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

using namespace mlir;

namespace netc::frontend {

/// The known name closest to `name` by edit distance, or empty when none is close.
std::string closestName(llvm::StringRef name, llvm::ArrayRef<std::string> known) {
  std::string best;
  unsigned bestDistance = std::max<unsigned>(2, name.size() / 3) + 1;
  for (const std::string &candidate : known) {
    unsigned distance = name.edit_distance(candidate, true, bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best;
}

std::optional<CallArgs> bindArgs(Importer &im, const CallExpr &call, const Signature &sig) {
  CallArgs args;
  args.call = &call;
  bool ok = true;
  std::vector<Val> positional;
  for (const ExprPtr &e : call.args) {
    positional.push_back(im.eval(*e));
    ok &= !positional.back().isPoison();
  }
  if (positional.size() > sig.params.size()) {
    im.error(call.args[sig.params.size()]->loc)
        << "'" << call.callee << "' takes at most " << sig.params.size() << " arguments ("
        << llvm::join(sig.params, ", ") << "), got " << positional.size();
    ok = false;
  }
  for (size_t i = 0; i < positional.size() && i < sig.params.size(); ++i)
    args.values[sig.params[i]] = positional[i];

  for (const KeywordArg &kw : call.keywords) {
    if (llvm::is_contained(sig.unevaluated, kw.name))
      continue;
    Val v = im.eval(*kw.value);
    ok &= !v.isPoison();
    if (!llvm::is_contained(sig.params, kw.name)) {
      auto diag = im.error(kw.nameLoc);
      diag << "'" << call.callee << "' has no argument '" << kw.name << "'";
      std::string suggestion = closestName(kw.name, sig.params);
      if (!suggestion.empty())
        diag << "; did you mean '" << suggestion << "'?";
      else
        diag << " (it takes " << llvm::join(sig.params, ", ") << ")";
      ok = false;
      continue;
    }
    if (args.values.count(kw.name)) {
      im.error(kw.nameLoc) << "argument '" << kw.name << "' of '" << call.callee
                           << "' is given twice";
      ok = false;
      continue;
    }
    args.values[kw.name] = v;
  }
  for (unsigned i = 0; i < sig.numRequired; ++i)
    if (!args.values.count(sig.params[i])) {
      im.error(call.loc) << "'" << call.callee << "' is missing argument '" << sig.params[i]
                         << "'";
      ok = false;
    }
  if (!ok)
    return std::nullopt;
  return args;
}

/// Reports an argument of the wrong kind.
static void wrongKind(Importer &im, const CallArgs &args, const std::string &name,
                      const char *expected) {
  const Val &v = args.values.at(name);
  im.error(v.loc) << "'" << args.call->callee << "' expects '" << name << "' to be " << expected
                  << ", got " << describe(v);
}

std::optional<int64_t> Importer::getInt(const CallArgs &args, const std::string &name,
                                        std::optional<int64_t> fallback) {
  auto it = args.values.find(name);
  if (it == args.values.end())
    return fallback;
  if (it->second.kind != Val::Kind::Int) {
    wrongKind(*this, args, name, "an integer");
    return std::nullopt;
  }
  return it->second.i;
}

std::optional<double> Importer::getFloat(const CallArgs &args, const std::string &name,
                                         std::optional<double> fallback) {
  auto it = args.values.find(name);
  if (it == args.values.end())
    return fallback;
  if (!it->second.isNumber()) {
    wrongKind(*this, args, name, "a number");
    return std::nullopt;
  }
  return it->second.asDouble();
}

std::optional<bool> Importer::getBool(const CallArgs &args, const std::string &name,
                                      bool fallback) {
  auto it = args.values.find(name);
  if (it == args.values.end())
    return fallback;
  if (it->second.kind != Val::Kind::Bool) {
    wrongKind(*this, args, name, "true or false");
    return std::nullopt;
  }
  return it->second.b;
}

std::optional<std::array<int64_t, 2>>
Importer::getPair(const CallArgs &args, const std::string &name,
                  std::optional<std::array<int64_t, 2>> fallback) {
  auto it = args.values.find(name);
  if (it == args.values.end())
    return fallback;
  const Val &v = it->second;
  if (v.kind == Val::Kind::Int)
    return std::array<int64_t, 2>{v.i, v.i};
  if (v.kind == Val::Kind::List && v.list.size() == 2 && v.list[0].kind == Val::Kind::Int &&
      v.list[1].kind == Val::Kind::Int)
    return std::array<int64_t, 2>{v.list[0].i, v.list[1].i};
  wrongKind(*this, args, name, "an integer or a pair [h, w]");
  return std::nullopt;
}

std::optional<Value> Importer::getTensor(const CallArgs &args, const std::string &name) {
  auto it = args.values.find(name);
  if (it == args.values.end())
    return std::nullopt;
  if (it->second.kind != Val::Kind::Tensor) {
    wrongKind(*this, args, name, "a tensor");
    return std::nullopt;
  }
  return it->second.tensor;
}

std::optional<std::vector<int64_t>> getIntList(Importer &im, const CallArgs &args,
                                               const std::string &name, bool allowScalar) {
  auto it = args.values.find(name);
  if (it == args.values.end())
    return std::nullopt;
  const Val &v = it->second;
  if (allowScalar && v.kind == Val::Kind::Int)
    return std::vector<int64_t>{v.i};
  if (v.kind == Val::Kind::List &&
      llvm::all_of(v.list, [](const Val &e) { return e.kind == Val::Kind::Int; })) {
    std::vector<int64_t> out;
    for (const Val &e : v.list)
      out.push_back(e.i);
    return out;
  }
  wrongKind(im, args, name, allowScalar ? "an integer or a list of integers" : "a list of integers");
  return std::nullopt;
}

std::optional<std::array<int64_t, 4>>
resolvePadding(Importer &im, const CallArgs &args, const std::string &name,
               std::array<int64_t, 2> inHW, std::array<int64_t, 2> kernel,
               std::array<int64_t, 2> stride, std::array<int64_t, 2> dilation) {
  auto it = args.values.find(name);
  if (it == args.values.end())
    return std::array<int64_t, 4>{0, 0, 0, 0};
  const Val &v = it->second;
  if (v.kind == Val::Kind::String && v.s == "valid")
    return std::array<int64_t, 4>{0, 0, 0, 0};
  if (v.kind == Val::Kind::String && v.s == "same") {
    if (kernel[0] <= 0 || kernel[1] <= 0 || stride[0] <= 0 || stride[1] <= 0 ||
        dilation[0] <= 0 || dilation[1] <= 0)
      return std::nullopt; // the window itself is reported by the op
    return shape::samePadding(inHW, kernel, stride, dilation);
  }
  if (v.kind == Val::Kind::Int)
    return std::array<int64_t, 4>{v.i, v.i, v.i, v.i};
  if (v.kind == Val::Kind::List &&
      llvm::all_of(v.list, [](const Val &e) { return e.kind == Val::Kind::Int; })) {
    if (v.list.size() == 2)
      return std::array<int64_t, 4>{v.list[0].i, v.list[0].i, v.list[1].i, v.list[1].i};
    if (v.list.size() == 4)
      return std::array<int64_t, 4>{v.list[0].i, v.list[1].i, v.list[2].i, v.list[3].i};
  }
  wrongKind(im, args, name,
            "an integer, [h, w], [top, bottom, left, right], \"same\" or \"valid\"");
  return std::nullopt;
}

/// `nn.init` for U(low, high).
DictionaryAttr uniformInit(Builder &b, double low, double high) {
  return b.getDictionaryAttr({b.getNamedAttr("dist", b.getStringAttr("uniform")),
                              b.getNamedAttr("low", b.getF64FloatAttr(low)),
                              b.getNamedAttr("high", b.getF64FloatAttr(high))});
}

/// `nn.init` for N(mean, std).
DictionaryAttr normalInit(Builder &b, double mean, double std) {
  return b.getDictionaryAttr({b.getNamedAttr("dist", b.getStringAttr("normal")),
                              b.getNamedAttr("mean", b.getF64FloatAttr(mean)),
                              b.getNamedAttr("std", b.getF64FloatAttr(std))});
}

/// `nn.init` for a constant fill.
DictionaryAttr constantInit(Builder &b, double value) {
  return b.getDictionaryAttr({b.getNamedAttr("dist", b.getStringAttr("constant")),
                              b.getNamedAttr("value", b.getF64FloatAttr(value))});
}

OpHandler unaryOp(std::string opName, AttrReader attrs, OpNaming naming) {
  return [opName, attrs, naming](Importer &im, const CallArgs &args) {
    auto x = im.getTensor(args, "x");
    std::optional<llvm::SmallVector<mlir::NamedAttribute>> extra =
        llvm::SmallVector<mlir::NamedAttribute>();
    if (attrs)
      extra = attrs(im, args);
    if (!x || !extra)
      return Val::poison(args.call->loc);
    return im.buildOp(opName, args.call->loc, *x, *extra,
                      naming == OpNaming::ByCall ? llvm::StringRef(args.call->callee)
                                                 : llvm::StringRef());
  };
}

} // namespace netc::frontend
