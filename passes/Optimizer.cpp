//===- Optimizer.cpp - the optimizer update of a train step ---------------===//
//
// Appends torch.optim's update (PyTorch 1.13: SGD with momentum, dampening 0,
// weight decay and Nesterov; Adam with weight decay; AdamW; RMSprop with
// momentum, weight decay and centering) to each train step that
// nn-autodiff built. The optimizer state becomes explicit: new arguments for
// its current value, new results for the next, so the step stays a pure
// function the runtime calls in a loop. The contract is in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "ir/Build.h"
#include "ir/NNOps.h"
#include "ir/Signature.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

namespace netc {
#define GEN_PASS_DEF_NNOPTIMIZER
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
namespace nn = netc::nn;
using namespace netc::nn;

namespace {

/// A parameter of the train step with its gradient.
struct Slot {
  BlockArgument param;
  StringAttr name;
  Value grad;
  /// False when the loss does not depend on the parameter (a zero gradient
  /// constant): PyTorch then has no gradient and leaves it and its state alone.
  bool hasGrad;
};

/// Appends the update of one optimizer to one train step.
class UpdateBuilder {
public:
  UpdateBuilder(func::FuncOp step, DictionaryAttr optimizer)
      : step(step), optimizer(optimizer), builder(step.getBody().front().getTerminator()) {}

  /// Builds the update; fails with an error at the train step.
  LogicalResult build();

private:
  /// A hyperparameter of the optimizer, or `fallback` (torch's default).
  double hyper(StringRef key, double fallback) const {
    if (auto attr = optimizer.getAs<FloatAttr>(key))
      return attr.getValueAsDouble();
    return fallback;
  }
  /// A 0-d constant of `like`'s element type.
  Value constant(Value like, double value);
  Value add(Value a, Value b) { return create<AddOp>({a, b}); }
  Value sub(Value a, Value b) { return create<SubOp>({a, b}); }
  Value mul(Value a, Value b) { return create<MulOp>({a, b}); }
  Value div(Value a, Value b) { return create<DivOp>({a, b}); }
  template <typename OpTy> Value create(ValueRange operands) {
    return createInferred<OpTy>(builder, step.getLoc(), operands);
  }
  /// Appends a state argument named `name` of `type`.
  BlockArgument addState(Type type, const Twine &name);
  /// `g + wd * p` when weight decay is on, else `g`.
  Value decayed(const Slot &slot);
  void buildSGD();
  /// Adam, or AdamW when `decoupled` (the weight decay scales the parameter
  /// instead of adding to the gradient).
  LogicalResult buildAdam(bool decoupled);
  void buildRMSprop();

  func::FuncOp step;
  DictionaryAttr optimizer;
  OpBuilder builder;
  SmallVector<Slot> slots;
  /// The state arguments in order, and the updated parameters and state.
  SmallVector<BlockArgument> stateArgs;
  SmallVector<Value> paramUpdates, stateUpdates;
};

Value UpdateBuilder::constant(Value like, double value) {
  Type elementType = cast<TensorType>(like.getType()).getElementType();
  auto type = RankedTensorType::get({}, elementType);
  return builder.create<arith::ConstantOp>(
      step.getLoc(), DenseElementsAttr::get(type, builder.getFloatAttr(elementType, value)));
}

BlockArgument UpdateBuilder::addState(Type type, const Twine &name) {
  auto attrs =
      builder.getDictionaryAttr(nn::roleAttr(step.getContext(), nn::ArgRole::State, name.str()));
  step.insertArgument(step.getNumArguments(), type, attrs, step.getLoc());
  stateArgs.push_back(step.getBody().front().getArguments().back());
  return stateArgs.back();
}

Value UpdateBuilder::decayed(const Slot &slot) {
  double wd = hyper("weight_decay", 0.0);
  if (wd == 0.0)
    return slot.grad;
  return add(slot.grad, mul(constant(slot.param, wd), slot.param));
}

void UpdateBuilder::buildSGD() {
  double lr = hyper("lr", 0.0), momentum = hyper("momentum", 0.0);
  bool nesterov = false;
  if (auto attr = optimizer.getAs<BoolAttr>("nesterov"))
    nesterov = attr.getValue();
  SmallVector<BlockArgument> buffers;
  if (momentum != 0.0)
    for (const Slot &slot : slots)
      buffers.push_back(addState(slot.param.getType(), slot.name.getValue() + ".momentum_buffer"));
  for (auto [i, slot] : llvm::enumerate(slots)) {
    if (!slot.hasGrad) {
      paramUpdates.push_back(slot.param);
      if (momentum != 0.0)
        stateUpdates.push_back(buffers[i]);
      continue;
    }
    Value d = decayed(slot);
    if (momentum != 0.0) {
      // buf = momentum * buf + d; torch's first step sets buf = d, which this
      // gives exactly from buf = 0.
      Value buf = add(mul(constant(slot.param, momentum), buffers[i]), d);
      stateUpdates.push_back(buf);
      d = nesterov ? add(d, mul(constant(slot.param, momentum), buf)) : buf;
    }
    paramUpdates.push_back(sub(slot.param, mul(constant(slot.param, lr), d)));
  }
}

LogicalResult UpdateBuilder::buildAdam(bool decoupled) {
  double lr = hyper("lr", 1e-3), beta1 = hyper("beta1", 0.9), beta2 = hyper("beta2", 0.999),
         eps = hyper("eps", 1e-8), wd = hyper("weight_decay", 0.0);
  if (slots.empty())
    return success();
  Type elementType = cast<TensorType>(slots.front().param.getType()).getElementType();
  for (const Slot &slot : slots)
    if (cast<TensorType>(slot.param.getType()).getElementType() != elementType)
      return step.emitError() << (decoupled ? "adamw" : "adam")
                              << " keeps one step count, so it expects parameters of one "
                              << "element type, got " << elementType << " for '"
                              << slots.front().name.getValue() << "' and "
                              << cast<TensorType>(slot.param.getType()).getElementType() << " for '"
                              << slot.name.getValue() << "'";
  SmallVector<BlockArgument> expAvg, expAvgSq;
  for (const Slot &slot : slots) {
    expAvg.push_back(addState(slot.param.getType(), slot.name.getValue() + ".exp_avg"));
    expAvgSq.push_back(addState(slot.param.getType(), slot.name.getValue() + ".exp_avg_sq"));
  }
  // Each train step of a model with several losses counts its own steps.
  std::string countName = "step";
  if (auto loss = optimizer.getAs<StringAttr>("loss"))
    countName = (loss.getValue() + ".step").str();
  BlockArgument stepCount = addState(RankedTensorType::get({}, elementType), countName);

  // The bias corrections, with b^t = exp(t log b) on 0-d tensors.
  Value t = add(stepCount, constant(stepCount, 1.0));
  auto power = [&](double base) { return create<ExpOp>({mul(t, constant(t, std::log(base)))}); };
  Value one = constant(t, 1.0);
  Value stepSize = div(constant(t, lr), sub(one, power(beta1)));
  Value correction2Sqrt = create<SqrtOp>({sub(one, power(beta2))});

  for (auto [i, slot] : llvm::enumerate(slots)) {
    if (!slot.hasGrad) {
      paramUpdates.push_back(slot.param);
      stateUpdates.append({expAvg[i], expAvgSq[i]});
      continue;
    }
    Value p = slot.param, g = decoupled ? slot.grad : decayed(slot);
    // AdamW: p = p * (1 - lr * wd) before the Adam step.
    if (decoupled && wd != 0.0)
      p = mul(p, constant(p, 1.0 - lr * wd));
    Value m = add(mul(constant(p, beta1), expAvg[i]), mul(constant(p, 1.0 - beta1), g));
    Value v = add(mul(constant(p, beta2), expAvgSq[i]), mul(mul(constant(p, 1.0 - beta2), g), g));
    Value denom = add(div(create<SqrtOp>({v}), correction2Sqrt), constant(p, eps));
    paramUpdates.push_back(sub(p, mul(stepSize, div(m, denom))));
    stateUpdates.append({m, v});
  }
  stateUpdates.push_back(t);
  return success();
}

void UpdateBuilder::buildRMSprop() {
  double lr = hyper("lr", 1e-2), alpha = hyper("alpha", 0.99), eps = hyper("eps", 1e-8),
         momentum = hyper("momentum", 0.0);
  bool centered = false;
  if (auto attr = optimizer.getAs<BoolAttr>("centered"))
    centered = attr.getValue();
  // torch.optim.RMSprop's state per parameter, in its order; its step count
  // does not enter the update and is not kept.
  SmallVector<BlockArgument> squareAvg, buffers, gradAvg;
  for (const Slot &slot : slots) {
    squareAvg.push_back(addState(slot.param.getType(), slot.name.getValue() + ".square_avg"));
    if (momentum > 0.0)
      buffers.push_back(addState(slot.param.getType(), slot.name.getValue() + ".momentum_buffer"));
    if (centered)
      gradAvg.push_back(addState(slot.param.getType(), slot.name.getValue() + ".grad_avg"));
  }
  for (auto [i, slot] : llvm::enumerate(slots)) {
    // State updates in argument order: parameter by parameter.
    SmallVector<Value> next{squareAvg[i]};
    if (momentum > 0.0)
      next.push_back(buffers[i]);
    if (centered)
      next.push_back(gradAvg[i]);
    if (!slot.hasGrad) {
      paramUpdates.push_back(slot.param);
      stateUpdates.append(next);
      continue;
    }
    Value p = slot.param, g = decayed(slot);
    Value sq = add(mul(constant(p, alpha), squareAvg[i]), mul(mul(constant(p, 1.0 - alpha), g), g));
    next[0] = sq;
    Value avg = sq;
    if (centered) {
      Value ga = add(mul(constant(p, alpha), gradAvg[i]), mul(constant(p, 1.0 - alpha), g));
      next.back() = ga;
      avg = sub(sq, mul(ga, ga));
    }
    Value denom = add(create<SqrtOp>({avg}), constant(p, eps));
    if (momentum > 0.0) {
      Value buf = add(mul(constant(p, momentum), buffers[i]), div(g, denom));
      next[1] = buf;
      paramUpdates.push_back(sub(p, mul(constant(p, lr), buf)));
    } else {
      paramUpdates.push_back(sub(p, mul(constant(p, lr), div(g, denom))));
    }
    stateUpdates.append(next);
  }
}

LogicalResult UpdateBuilder::build() {
  Block &body = step.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  llvm::StringMap<Value> gradByName;
  for (unsigned i = 0, e = step.getNumResults(); i < e; ++i)
    if (StringAttr name = nn::resultName(step, i, nn::ResultRole::Grad))
      gradByName[name.getValue()] = ret.getOperand(i);
  for (BlockArgument arg : body.getArguments()) {
    StringAttr name = nn::argName(arg, nn::ArgRole::Param);
    if (!name)
      continue;
    Value grad = gradByName.lookup(name.getValue());
    // A step that trains some parameters (`params=` prefixes) reads the
    // others without updating them.
    if (!grad && optimizer.get("params"))
      continue;
    if (!grad)
      return step.emitError() << "train step '" << step.getSymName()
                              << "' has no gradient of parameter '" << name.getValue() << "'";
    slots.push_back({arg, name, grad, !matchPattern(grad, m_AnyZeroFloat())});
  }

  StringRef kind;
  if (auto attr = optimizer.getAs<StringAttr>("kind"))
    kind = attr.getValue();
  if (kind == "sgd")
    buildSGD();
  else if (kind == "adam" || kind == "adamw") {
    if (failed(buildAdam(kind == "adamw")))
      return failure();
  } else if (kind == "rmsprop")
    buildRMSprop();
  else
    return step.emitError() << "unknown optimizer '" << kind << "'";
  if (llvm::is_contained(paramUpdates, Value()) || llvm::is_contained(stateUpdates, Value()))
    return failure();

  // The updated parameters, then the updated state in argument order.
  SmallVector<Value> results(ret.getOperands());
  SmallVector<DictionaryAttr> resultAttrs;
  step.getAllResultAttrs(resultAttrs);
  for (auto [slot, update] : llvm::zip_equal(slots, paramUpdates)) {
    results.push_back(update);
    resultAttrs.push_back(
        builder.getDictionaryAttr(nn::roleAttr(step.getContext(), nn::ResultRole::ParamUpdate,
                                               slot.name.getValue())));
  }
  for (auto [arg, update] : llvm::zip_equal(stateArgs, stateUpdates)) {
    results.push_back(update);
    resultAttrs.push_back(step.getArgAttrDict(arg.getArgNumber()));
  }
  builder.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();
  step.setType(FunctionType::get(step.getContext(), body.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  step.setAllResultAttrs(resultAttrs);
  return success();
}

struct OptimizerPass : public netc::impl::NNOptimizerBase<OptimizerPass> {
  void runOnOperation() override;
};

void OptimizerPass::runOnOperation() {
  ModuleOp module = getOperation();
  bool ok = true;
  for (auto step : module.getOps<func::FuncOp>()) {
    StringAttr of = nn::trainStepOf(step);
    if (!of)
      continue;
    auto forward = module.lookupSymbol<func::FuncOp>(of.getValue());
    // A step of a model with several losses carries its own optimizer.
    DictionaryAttr optimizer = nn::optimizerOf(step);
    if (!optimizer && forward)
      optimizer = nn::optimizerOf(forward);
    // A step that has its update already is left as it is.
    bool updated = false;
    for (unsigned i = 0, e = step.getNumResults(); i < e; ++i)
      updated |= static_cast<bool>(nn::resultName(step, i, nn::ResultRole::ParamUpdate));
    if (!optimizer || updated)
      continue;
    ok &= succeeded(UpdateBuilder(step, optimizer).build());
  }
  if (!ok)
    signalPassFailure();
}

} // namespace
