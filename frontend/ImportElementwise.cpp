//===- ImportElementwise.cpp - the elementwise ops of the language --------===//
//
// Bindings of the activations (elu, softplus, hardtanh, relu6, hardswish,
// hardsigmoid), abs, pow, clamp, erf, sin, cos, maximum, minimum, where,
// detach and cast, with torch.nn.functional's defaults. Numbers stand for
// tensors where PyTorch takes either (a side of maximum, minimum, where):
// they become 0-d constants of the other operand's type and broadcast.
//
//===----------------------------------------------------------------------===//


#include "frontend/ImportArgs.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace netc::frontend {
namespace {

/// An op of `x` whose location is named after the language call (relu6).
OpHandler unaryCall(std::string opName, AttrReader attrs = nullptr) {
  return unaryOp(std::move(opName), std::move(attrs), OpNaming::ByCall);
}

/// Reads the number arguments `names` (with their defaults) into f64
/// attributes of the same names; an absent one without default is left out.
AttrReader numbers(std::vector<std::pair<const char *, std::optional<double>>> names) {
  return [names](Importer &im, const CallArgs &args) -> std::optional<SmallVector<NamedAttribute>> {
    SmallVector<NamedAttribute> attrs;
    bool ok = true;
    for (auto [name, fallback] : names) {
      std::optional<double> v = im.getFloat(args, name, fallback);
      if (v)
        attrs.push_back(im.builder.getNamedAttr(name, im.builder.getF64FloatAttr(*v)));
      else
        ok &= !args.has(name);
    }
    if (!ok)
      return std::nullopt;
    return attrs;
  };
}

/// Fixed f64 attributes.
AttrReader fixed(double min, double max) {
  return [=](Importer &im, const CallArgs &) -> std::optional<SmallVector<NamedAttribute>> {
    Builder &b = im.builder;
    return SmallVector<NamedAttribute>{b.getNamedAttr("min", b.getF64FloatAttr(min)),
                                       b.getNamedAttr("max", b.getF64FloatAttr(max))};
  };
}

/// The float element type of a tensor argument, or null after reporting an
/// argument that is not a float tensor.
Type floatElement(Importer &im, const CallArgs &args, const std::string &name, Value v) {
  Type element = cast<TensorType>(v.getType()).getElementType();
  if (isa<FloatType>(element))
    return element;
  im.error(args.values.at(name).loc) << "'" << args.call->callee << "' expects '" << name
                                     << "' to be a float tensor (f32 or f64), got "
                                     << describe(args.values.at(name));
  return nullptr;
}

/// The operands `names` of an op whose values are float tensors or numbers;
/// numbers take the element type of the first tensor among them. Empty
/// after an error.
SmallVector<Value> floatOperands(Importer &im, const CallArgs &args,
                                 std::vector<std::string> names) {
  Type element;
  bool ok = true;
  for (const std::string &n : names) {
    const Val &v = args.values.at(n);
    if (v.kind == Val::Kind::Tensor) {
      Type t = floatElement(im, args, n, v.tensor);
      ok &= t != nullptr;
      element = element ? element : t;
    } else if (v.kind != Val::Kind::Tensor && !v.isNumber()) {
      im.error(v.loc) << "'" << args.call->callee << "' expects '" << n
                      << "' to be a tensor or a number, got " << describe(v);
      ok = false;
    }
  }
  if (ok && !element) {
    im.error(args.call->loc) << "'" << args.call->callee << "' expects a tensor among '"
                             << llvm::join(names, "', '") << "', got only numbers";
    ok = false;
  }
  SmallVector<Value> operands;
  for (const std::string &n : names) {
    const Val &v = args.values.at(n);
    if (ok)
      operands.push_back(v.kind == Val::Kind::Tensor
                             ? v.tensor
                             : im.scalarConstant(v.loc, v.asDouble(), element));
  }
  return operands;
}

/// maximum and minimum: two float tensors (or one and a number).
OpHandler binaryOp(const char *opName) {
  return [opName](Importer &im, const CallArgs &args) {
    SmallVector<Value> operands = floatOperands(im, args, {"a", "b"});
    if (operands.empty())
      return Val::poison(args.call->loc);
    return im.buildOp(opName, args.call->loc, operands, {});
  };
}

/// where(c, a, b): c any tensor (nonzero is true), a and b float tensors or
/// numbers.
Val importWhere(Importer &im, const CallArgs &args) {
  auto c = im.getTensor(args, "c");
  SmallVector<Value> values = floatOperands(im, args, {"a", "b"});
  if (!c || values.empty())
    return Val::poison(args.call->loc);
  return im.buildOp("nn.where", args.call->loc, {*c, values[0], values[1]}, {});
}

/// clamp(x, min=, max=): at least one bound, as torch.clamp.
Val importClamp(Importer &im, const CallArgs &args) {
  if (!args.has("min") && !args.has("max")) {
    im.error(args.call->loc) << "'clamp' expects at least one of 'min' and 'max'";
    return Val::poison(args.call->loc);
  }
  return unaryCall("nn.clamp", numbers({{"min", std::nullopt}, {"max", std::nullopt}}))(im, args);
}

/// pow(x, e) with a constant exponent.
Val importPow(Importer &im, const CallArgs &args) {
  const Val &e = args.values.at("e");
  if (e.kind == Val::Kind::Tensor) {
    im.error(e.loc) << "'pow' expects the exponent 'e' to be a number; a tensor exponent is "
                       "not supported, got "
                    << describe(e);
    return Val::poison(args.call->loc);
  }
  return unaryCall("nn.pow", [](Importer &im, const CallArgs &a)
                               -> std::optional<SmallVector<NamedAttribute>> {
    auto v = im.getFloat(a, "e", std::nullopt);
    if (!v)
      return std::nullopt;
    return SmallVector<NamedAttribute>{
        im.builder.getNamedAttr("exponent", im.builder.getF64FloatAttr(*v))};
  })(im, args);
}

/// cast(x, dtype) with dtype one of "f32", "f64", "i32", "i64".
Val importCast(Importer &im, const CallArgs &args) {
  auto x = im.getTensor(args, "x");
  const Val &d = args.values.at("dtype");
  Builder &b = im.builder;
  Type to;
  if (d.kind == Val::Kind::String) {
    if (d.s == "f32")
      to = b.getF32Type();
    else if (d.s == "f64")
      to = b.getF64Type();
    else if (d.s == "i32")
      to = b.getI32Type();
    else if (d.s == "i64")
      to = b.getI64Type();
  }
  if (!to)
    im.error(d.loc) << "'cast' expects dtype \"f32\", \"f64\", \"i32\" or \"i64\", got "
                    << describe(d);
  if (!x || !to)
    return Val::poison(args.call->loc);
  return im.buildOp("nn.cast", args.call->loc, *x, {b.getNamedAttr("dtype", TypeAttr::get(to))});
}

} // namespace

void addElementwiseOps(
    const OpRegistrar &add) {
  add("elu", {{"x", "alpha"}, 1}, unaryCall("nn.elu", numbers({{"alpha", 1.0}})));
  add("softplus", {{"x", "beta", "threshold"}, 1},
      unaryCall("nn.softplus", numbers({{"beta", 1.0}, {"threshold", 20.0}})));
  add("hardtanh", {{"x", "min", "max"}, 1},
      unaryCall("nn.hardtanh", numbers({{"min", -1.0}, {"max", 1.0}})));
  add("relu6", {{"x"}, 1}, unaryCall("nn.hardtanh", fixed(0.0, 6.0)));
  for (const char *name : {"hardswish", "hardsigmoid", "abs", "erf", "sin", "cos", "detach"})
    add(name, {{"x"}, 1}, unaryCall(std::string("nn.") + name));
  add("pow", {{"x", "e"}, 2}, importPow);
  add("clamp", {{"x", "min", "max"}, 1}, importClamp);
  add("maximum", {{"a", "b"}, 2}, binaryOp("nn.maximum"));
  add("minimum", {{"a", "b"}, 2}, binaryOp("nn.minimum"));
  add("where", {{"c", "a", "b"}, 3}, importWhere);
  add("cast", {{"x", "dtype"}, 2}, importCast);
}

} // namespace netc::frontend
