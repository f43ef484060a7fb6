//===- EmitNetCalls.cpp - ops printed as the language's calls -------------===//
//
// The ops whose language call builds exactly the op, attribute for
// attribute: pools, flatten, softmax, the activations with a parameter,
// dropout and the attribute-free functions and losses. Keywords equal to the
// call's defaults are left out.
//
//===----------------------------------------------------------------------===//

#include "EmitNetLayers.h"
#include "EmitNetSpell.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace netc::tool {

namespace {

/// `k` for [k, k], else `[a, b]`.
std::string compact(llvm::ArrayRef<int64_t> v) {
  return !v.empty() && llvm::all_equal(v) ? std::to_string(v[0]) : spellInts(v);
}

/// An i64 array attribute, or empty when absent.
llvm::SmallVector<int64_t> ints(Operation *op, llvm::StringRef name) {
  if (auto a = op->getAttrOfType<DenseI64ArrayAttr>(name))
    return llvm::SmallVector<int64_t>(a.asArrayRef());
  return {};
}

/// maxpool2d and avgpool2d with their keywords.
std::optional<std::string> pool(Operation *op, llvm::StringRef callee, const std::string &x) {
  auto kernel = ints(op, "kernel"), stride = ints(op, "stride"), padding = ints(op, "padding");
  auto dilation = ints(op, "dilation");
  auto ceil = op->getAttrOfType<BoolAttr>("ceil_mode");
  auto countPad = op->getAttrOfType<BoolAttr>("count_include_pad");
  if (kernel.size() != 2 || stride.size() != 2 || padding.size() != 4 || !ceil)
    return std::nullopt;
  std::string text = callee.str() + "(" + x + ", " + compact(kernel);
  if (stride != kernel)
    text += ", stride=" + compact(stride);
  if (llvm::any_of(padding, [](int64_t p) { return p != 0; }))
    text += ", padding=" + (padding[0] == padding[1] && padding[2] == padding[3]
                                ? compact({padding[0], padding[2]})
                                : spellInts(padding));
  if (!dilation.empty() && dilation != llvm::SmallVector<int64_t>{1, 1})
    text += ", dilation=" + compact(dilation);
  if (ceil.getValue())
    text += ", ceil_mode=true";
  if (countPad && !countPad.getValue())
    text += ", count_include_pad=false";
  return text + ")";
}

/// Whether `op` has exactly the attributes `names`.
bool hasExactly(Operation *op, std::initializer_list<llvm::StringRef> names) {
  if (op->getAttrs().size() != names.size())
    return false;
  for (llvm::StringRef n : names)
    if (!op->hasAttr(n))
      return false;
  return true;
}

} // namespace

std::optional<std::string> spellLanguageCall(Operation *op,
                                             llvm::function_ref<std::string(Value)> operand) {
  llvm::StringRef name = op->getName().getStringRef();
  if (!name.consume_front("nn."))
    return std::nullopt;
  static const char *const plain[] = {
      "relu",    "sigmoid",     "tanh", "exp",     "log",         "sqrt",    "silu",
      "gelu",    "sqnorm",      "matmul", "mse",   "bce",         "bce_logits",
      "abs",     "erf",         "sin",  "cos",     "detach",      "hardswish",
      "hardsigmoid", "maximum", "minimum", "cross_entropy", "l1_loss", "iou", "dice",
      "accuracy"};
  auto call = [&](llvm::StringRef callee, const std::string &keywords) {
    std::string text = callee.str() + "(";
    for (auto [i, v] : llvm::enumerate(op->getOperands()))
      text += (i ? ", " : "") + operand(v);
    return text + keywords + ")";
  };
  if (op->getAttrs().empty() && llvm::is_contained(plain, name))
    return call(name, "");
  auto number = [&](llvm::StringRef attr) {
    auto f = op->getAttrOfType<FloatAttr>(attr);
    return f ? spellFloat(f.getValueAsDouble()) : std::nullopt;
  };
  if ((name == "maxpool2d" || name == "avgpool2d") && op->getNumOperands() == 1)
    return pool(op, name, operand(op->getOperand(0)));
  if (name == "flatten" && hasExactly(op, {"start_dim", "end_dim"})) {
    int64_t start = op->getAttrOfType<IntegerAttr>("start_dim").getInt();
    int64_t end = op->getAttrOfType<IntegerAttr>("end_dim").getInt();
    return call(name, (start != 1 ? ", start_dim=" + std::to_string(start) : "") +
                          (end != -1 ? ", end_dim=" + std::to_string(end) : ""));
  }
  if ((name == "adaptive_avg_pool2d" || name == "adaptive_max_pool2d") &&
      hasExactly(op, {"size"}) && ints(op, "size").size() == 2)
    return call(name, ", " + compact(ints(op, "size")));
  if ((name == "softmax" || name == "log_softmax") && hasExactly(op, {"dim"})) {
    int64_t dim = op->getAttrOfType<IntegerAttr>("dim").getInt();
    return call(name, dim != -1 ? ", dim=" + std::to_string(dim) : "");
  }
  if (name == "hardtanh" && hasExactly(op, {"min", "max"}) && number("min") && number("max")) {
    if (*number("min") == "0.0" && *number("max") == "6.0")
      return call("relu6", "");
    return call(name, ", min=" + *number("min") + ", max=" + *number("max"));
  }
  if (name == "leaky_relu" && hasExactly(op, {"slope"}) && number("slope"))
    return call(name, ", slope=" + *number("slope"));
  if ((name == "mean" || name == "sum") && op->getNumOperands() == 1 &&
      (hasExactly(op, {"keepdim"}) || hasExactly(op, {"keepdim", "dims"}))) {
    auto dims = ints(op, "dims");
    std::string keywords = dims.empty() ? "" : ", dim=" + compact(dims);
    if (dims.size() > 1)
      keywords = ", dim=" + spellInts(dims);
    if (op->getAttrOfType<BoolAttr>("keepdim").getValue())
      keywords += ", keepdim=true";
    return call(name, keywords);
  }
  if (name == "reshape" && hasExactly(op, {"shape"}))
    return call(name, ", " + spellInts(ints(op, "shape")));
  if (name == "transpose" && hasExactly(op, {"dim0", "dim1"}))
    return call(name, ", " + std::to_string(op->getAttrOfType<IntegerAttr>("dim0").getInt()) +
                          ", " + std::to_string(op->getAttrOfType<IntegerAttr>("dim1").getInt()));
  if (name == "permute" && hasExactly(op, {"dims"}))
    return call(name, ", " + spellInts(ints(op, "dims")));
  if (name == "concat" && hasExactly(op, {"dim"}) && op->getNumOperands() > 0) {
    std::string text = "concat([";
    for (auto [i, v] : llvm::enumerate(op->getOperands()))
      text += (i ? ", " : "") + operand(v);
    int64_t dim = op->getAttrOfType<IntegerAttr>("dim").getInt();
    return text + "]" + (dim != 1 ? ", dim=" + std::to_string(dim) : "") + ")";
  }
  if (name == "dropout" && hasExactly(op, {"p"}) && op->getNumOperands() == 1 && number("p"))
    return call(name, ", " + *number("p"));
  return std::nullopt;
}

} // namespace netc::tool
