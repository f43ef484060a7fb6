//===- EmitNetLayers.cpp - layer calls that reproduce the IR --------------===//

#include "EmitNetLayers.h"
#include "EmitNetSpell.h"

#include "frontend/ImportArgs.h"
#include "ir/NNOps.h"

#include <cmath>

using namespace mlir;

namespace netc::tool {

namespace {

/// `k` for [k, k], else `[a, b]`.
std::string pair(llvm::ArrayRef<int64_t> v) {
  return v.size() == 2 && v[0] == v[1] ? std::to_string(v[0]) : spellInts(v);
}

/// An i64 array attribute of `op`, or `fallback` when it is absent.
llvm::SmallVector<int64_t> ints(Operation *op, llvm::StringRef name,
                                llvm::ArrayRef<int64_t> fallback) {
  if (auto a = op->getAttrOfType<DenseI64ArrayAttr>(name))
    return llvm::SmallVector<int64_t>(a.asArrayRef());
  return llvm::SmallVector<int64_t>(fallback);
}

llvm::ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

/// Whether `value` is the default of the optimizer's hyper-parameter `key`
/// (ImportTrain.cpp), which the printed `train` leaves out.
bool isDefault(llvm::StringRef kind, llvm::StringRef key, Attribute value) {
  if (auto b = dyn_cast<BoolAttr>(value))
    return !b.getValue();
  auto f = dyn_cast<FloatAttr>(value);
  if (!f)
    return false;
  double v = f.getValueAsDouble();
  if (key == "momentum")
    return v == 0;
  if (key == "weight_decay")
    return v == (kind == "adamw" ? 0.01 : 0.0);
  if (key == "beta1")
    return v == 0.9;
  if (key == "beta2")
    return v == 0.999;
  if (key == "eps")
    return v == 1e-8;
  if (key == "alpha")
    return v == 0.99;
  return false;
}

} // namespace

LayerForms::LayerForms(func::FuncOp fn) : fn(fn) {
  for (Operation &op : fn.front().without_terminator()) {
    if (isa<nn::Conv2dOp>(op))
      tryConv(&op);
    else if (isa<nn::LinearOp>(op))
      tryLinear(&op);
    else if (isa<nn::BatchNormOp>(op))
      tryBatchNorm(&op);
  }
}

bool LayerForms::claim(Operation *op, llvm::ArrayRef<Value> values,
                       llvm::ArrayRef<const char *> suffixes, llvm::ArrayRef<DictionaryAttr> inits,
                       LayerForm form) {
  auto first = dyn_cast<BlockArgument>(values.front());
  if (!first || first.getOwner() != &fn.front())
    return false;
  StringAttr firstName = nn::argName(values.front(), nn::argRole(values.front()));
  if (!firstName || !firstName.getValue().ends_with(suffixes.front()))
    return false;
  form.prefix = firstName.getValue().drop_back(llvm::StringRef(suffixes.front()).size()).str();
  if (form.prefix.empty())
    return false;
  for (auto [i, v] : llvm::enumerate(values)) {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != &fn.front() || arg.getArgNumber() != first.getArgNumber() + i)
      return false;
    StringAttr name = nn::argName(v, nn::argRole(v));
    if (!name || name.getValue() != form.prefix + suffixes[i] ||
        nn::paramInit(fn, arg.getArgNumber()) != inits[i])
      return false;
    // Other uses must follow the layer, which declares the name they refer to.
    for (Operation *user : v.getUsers())
      if (user != op && user != form.increment &&
          !(user->getBlock() == op->getBlock() && op->isBeforeInBlock(user) &&
            isDottedName(name.getValue())))
        return false;
  }
  form.op = op;
  form.firstArg = first.getArgNumber();
  form.lastArg = form.firstArg + values.size() - 1;
  for (int64_t i = form.firstArg; i <= form.lastArg; ++i)
    owners[i] = op;
  forms[op] = form;
  return true;
}

void LayerForms::claimWeightAndBias(Operation *op, DictionaryAttr init, LayerForm form) {
  llvm::SmallVector<Value> params{op->getOperand(1)};
  llvm::SmallVector<const char *> suffixes{".weight"};
  if (op->getNumOperands() == 3) {
    params.push_back(op->getOperand(2));
    suffixes.push_back(".bias");
  } else {
    form.keywords += ", bias=false";
  }
  claim(op, params, suffixes, llvm::SmallVector<DictionaryAttr>(params.size(), init), form);
}

void LayerForms::tryConv(Operation *op) {
  Value x = op->getOperand(0), w = op->getOperand(1);
  llvm::ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  auto groupsAttr = op->getAttrOfType<IntegerAttr>("groups");
  int64_t groups = groupsAttr ? groupsAttr.getInt() : 1;
  if ((xs.size() != 3 && xs.size() != 4) || ws.size() != 4)
    return;
  int64_t channels = xs[xs.size() - 3];
  if (std::max<int64_t>(channels / groups, 1) != ws[1] ||
      cast<RankedTensorType>(w.getType()).getElementType() !=
          cast<RankedTensorType>(x.getType()).getElementType())
    return;
  double fanIn = double(channels / groups) * double(ws[2]) * double(ws[3]);
  double bound = fanIn > 0 ? 1.0 / std::sqrt(fanIn) : 0.0;
  Builder b(op->getContext());
  DictionaryAttr init = frontend::uniformInit(b, -bound, bound);
  LayerForm form;
  form.callee = "conv2d";
  form.keywords = ", out=" + std::to_string(ws[0]) + ", kernel=" + pair(ws.drop_front(2));
  auto stride = ints(op, "stride", {1, 1}), dilation = ints(op, "dilation", {1, 1});
  auto padding = ints(op, "padding", {0, 0, 0, 0});
  if (stride != llvm::SmallVector<int64_t>{1, 1})
    form.keywords += ", stride=" + pair(stride);
  if (llvm::any_of(padding, [](int64_t p) { return p != 0; })) {
    bool same = llvm::all_equal(padding);
    bool hw = padding[0] == padding[1] && padding[2] == padding[3];
    form.keywords += ", padding=" + (same ? std::to_string(padding[0])
                                          : hw ? spellInts({padding[0], padding[2]})
                                               : spellInts(padding));
  }
  if (dilation != llvm::SmallVector<int64_t>{1, 1})
    form.keywords += ", dilation=" + pair(dilation);
  if (groups != 1)
    form.keywords += ", groups=" + std::to_string(groups);
  claimWeightAndBias(op, init, form);
}

void LayerForms::tryLinear(Operation *op) {
  Value x = op->getOperand(0), w = op->getOperand(1);
  llvm::ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  if (xs.empty() || ws.size() != 2 || ws[1] != xs.back())
    return;
  double bound = xs.back() > 0 ? 1.0 / std::sqrt(double(xs.back())) : 0.0;
  Builder b(op->getContext());
  DictionaryAttr init = frontend::uniformInit(b, -bound, bound);
  LayerForm form;
  form.callee = "linear";
  form.keywords = ", out=" + std::to_string(ws[0]);
  claimWeightAndBias(op, init, form);
}

void LayerForms::tryBatchNorm(Operation *op) {
  auto norm = cast<nn::BatchNormOp>(op);
  Value x = op->getOperand(0);
  int64_t rank = shapeOf(x).size();
  bool affine = op->getNumOperands() == 5;
  // The counter follows the running variance among the arguments.
  auto var = dyn_cast<BlockArgument>(op->getOperand(2));
  if (!var || var.getArgNumber() + 1 >= fn.getNumArguments())
    return;
  Value count = fn.getArgument(var.getArgNumber() + 1);
  LayerForm form;
  for (Operation *user : count.getUsers())
    if (isa<nn::IncrementOp>(user))
      form.increment = user;
  form.callee = rank == 4 ? "batch_norm2d" : "batch_norm1d";
  double eps = norm.getEps().convertToDouble(), momentum = norm.getMomentum().convertToDouble();
  if (eps != 1e-5)
    form.keywords += ", eps=" + *spellFloat(eps);
  if (momentum != 0.1)
    form.keywords += ", momentum=" + *spellFloat(momentum);
  if (!affine)
    form.keywords += ", affine=false";
  Builder b(op->getContext());
  DictionaryAttr zero = frontend::constantInit(b, 0.0), one = frontend::constantInit(b, 1.0);
  llvm::SmallVector<Value> values;
  llvm::SmallVector<const char *> suffixes;
  llvm::SmallVector<DictionaryAttr> inits;
  if (affine) {
    values.append({op->getOperand(3), op->getOperand(4)});
    suffixes.append({".weight", ".bias"});
    inits.append({one, zero});
  }
  values.append({op->getOperand(1), op->getOperand(2), count});
  suffixes.append({".running_mean", ".running_var", ".num_batches_tracked"});
  inits.append({zero, one, zero});
  if (!claim(op, values, suffixes, inits, form))
    return;
  if (form.increment)
    absorbed.insert(form.increment), implicitUpdates.insert(form.increment->getResult(0));
  implicitUpdates.insert(op->getResult(1));
  implicitUpdates.insert(op->getResult(2));
}

const LayerForm *LayerForms::formOf(Operation *op) const {
  auto it = forms.find(op);
  return it == forms.end() ? nullptr : &it->second;
}

Operation *LayerForms::ownerOf(unsigned index) const { return owners.lookup(index); }

bool LayerForms::isImplicitUpdate(Value value) const { return implicitUpdates.contains(value); }

std::string LayerForms::spell(const LayerForm &form, const std::string &x) {
  int64_t index = counters[form.callee]++;
  std::string text = form.callee + "(" + x + form.keywords;
  if (form.prefix != form.callee + std::to_string(index))
    text += ", name=" + quote(form.prefix);
  return text + ")";
}

std::string LayerForms::spellInBlock(const LayerForm &form, const std::string &x,
                                     const std::string &blockPath) {
  ++counters[form.callee];
  return form.callee + "(" + x + form.keywords + ", name=" +
         quote(form.prefix.substr(blockPath.size() + 1)) + ")";
}

std::string LayerForms::trainStatements(llvm::ArrayRef<nn::ResultInfo> results) const {
  auto spellOptimizer = [](DictionaryAttr opt) {
    auto kind = opt.getAs<StringAttr>("kind");
    std::string text = "  train " + (kind ? kind.getValue().str() : "sgd") + "(";
    bool first = true;
    for (NamedAttribute entry : opt) {
      llvm::StringRef key = entry.getName().getValue();
      std::string value;
      if (key == "kind" || isDefault(kind ? kind.getValue() : "", key, entry.getValue()))
        continue;
      if (key == "loss") {
        value = cast<StringAttr>(entry.getValue()).getValue().str();
      } else if (auto list = dyn_cast<ArrayAttr>(entry.getValue())) {
        value = "[";
        for (auto [i, a] : llvm::enumerate(list))
          value += (i ? ", " : "") + quote(cast<StringAttr>(a).getValue());
        value += "]";
      } else {
        value = spellAttribute(entry.getValue()).value_or("?");
      }
      text += (first ? "" : ", ") + key.str() + "=" + value;
      first = false;
    }
    return text + ")\n";
  };
  std::string text;
  if (DictionaryAttr opt = nn::optimizerOf(fn))
    text += spellOptimizer(opt);
  for (const nn::ResultInfo &r : results)
    if (auto opt = func::FuncOp(fn).getResultAttrOfType<DictionaryAttr>(r.index, "nn.optimizer"))
      text += spellOptimizer(opt);
  return text;
}

} // namespace netc::tool
