//===- Optimizer.cpp - the optimizer update of a train step ---------------===//
//
// Appends torch.optim's update (PyTorch 1.13: SGD with momentum, dampening 0,
// weight decay and Nesterov; Adam with weight decay; AdamW; RMSprop with
// momentum, weight decay and centering) to each train step that
// nn-autodiff built. The optimizer state becomes explicit: new arguments for
// its current value, new results for the next, so the step stays a pure
// function the runtime calls in a loop. The contract is in Passes.td.
//
// The hyperparameters (learning rate, momentum, betas, eps, weight decay,
// alpha) are arguments too (nn.hyper, 0-d f64, compiled value in nn.value),
// so a schedule changes them without recompiling. Their scalar formulas
// (bias corrections, step size, 1 - beta) are computed in f64 and cast to
// the parameter's element type where they meet tensors, as torch.optim
// computes them in double and applies them as the tensor's type.
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
  /// A 0-d f64 constant.
  Value constant64(double value);
  /// Appends the hyperparameter argument `key` (prefixed with the loss of a
  /// step of a model with several losses) with its compiled value, or
  /// `fallback` (torch's default); returns the 0-d f64 argument.
  Value addHyper(StringRef key, double fallback);
  /// The 0-d f64 `scalar` in `like`'s element type (one cast per type).
  Value as(Value scalar, Value like);
  Value add(Value a, Value b) { return create<AddOp>({a, b}); }
  Value sub(Value a, Value b) { return create<SubOp>({a, b}); }
  Value mul(Value a, Value b) { return create<MulOp>({a, b}); }
  Value div(Value a, Value b) { return create<DivOp>({a, b}); }
  template <typename OpTy>
  Value create(ValueRange operands, ArrayRef<NamedAttribute> attrs = {}) {
    return createInferred<OpTy>(builder, step.getLoc(), operands, attrs);
  }
  /// Appends a state argument named `name` of `type`.
  BlockArgument addState(Type type, const Twine &name);
  /// `g + wd * p`: with wd = 0 it is `g`, so the term is always built and
  /// weight decay can change at run time.
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
  /// The weight decay hyperparameter (every optimizer has one).
  Value weightDecay;
  llvm::DenseMap<std::pair<Value, Type>, Value> casts;
};

Value UpdateBuilder::constant(Value like, double value) {
  Type elementType = cast<TensorType>(like.getType()).getElementType();
  auto type = RankedTensorType::get({}, elementType);
  return builder.create<arith::ConstantOp>(
      step.getLoc(), DenseElementsAttr::get(type, builder.getFloatAttr(elementType, value)));
}

Value UpdateBuilder::constant64(double value) {
  auto type = RankedTensorType::get({}, builder.getF64Type());
  return builder.create<arith::ConstantOp>(
      step.getLoc(), DenseElementsAttr::get(type, builder.getF64FloatAttr(value)));
}

Value UpdateBuilder::addHyper(StringRef key, double fallback) {
  std::string name = key.str();
  if (auto loss = optimizer.getAs<StringAttr>("loss"))
    name = (loss.getValue() + "." + key).str();
  unsigned index = step.getNumArguments();
  step.insertArgument(index, RankedTensorType::get({}, builder.getF64Type()),
                      builder.getDictionaryAttr({}), step.getLoc());
  nn::setHyper(step, index, name, hyper(key, fallback));
  return step.getArgument(index);
}

Value UpdateBuilder::as(Value scalar, Value like) {
  Type elementType = cast<TensorType>(like.getType()).getElementType();
  if (elementType.isF64())
    return scalar;
  Value &converted = casts[{scalar, elementType}];
  if (!converted)
    converted = create<CastOp>(
        {scalar}, {builder.getNamedAttr("dtype", TypeAttr::get(elementType))});
  return converted;
}

BlockArgument UpdateBuilder::addState(Type type, const Twine &name) {
  auto attrs =
      builder.getDictionaryAttr(nn::roleAttr(step.getContext(), nn::ArgRole::State, name.str()));
  step.insertArgument(step.getNumArguments(), type, attrs, step.getLoc());
  stateArgs.push_back(step.getBody().front().getArguments().back());
  return stateArgs.back();
}

Value UpdateBuilder::decayed(const Slot &slot) {
  return add(slot.grad, mul(as(weightDecay, slot.param), slot.param));
}

void UpdateBuilder::buildSGD() {
  Value lr = addHyper("lr", 0.0);
  weightDecay = addHyper("weight_decay", 0.0);
  // Without momentum there is no buffer: the structure stays compile-time.
  bool hasMomentum = hyper("momentum", 0.0) != 0.0;
  Value momentum = hasMomentum ? addHyper("momentum", 0.0) : Value();
  bool nesterov = false;
  if (auto attr = optimizer.getAs<BoolAttr>("nesterov"))
    nesterov = attr.getValue();
  SmallVector<BlockArgument> buffers;
  if (hasMomentum)
    for (const Slot &slot : slots)
      buffers.push_back(addState(slot.param.getType(), slot.name.getValue() + ".momentum_buffer"));
  for (auto [i, slot] : llvm::enumerate(slots)) {
    if (!slot.hasGrad) {
      paramUpdates.push_back(slot.param);
      if (hasMomentum)
        stateUpdates.push_back(buffers[i]);
      continue;
    }
    Value d = decayed(slot);
    if (hasMomentum) {
      // buf = momentum * buf + d; torch's first step sets buf = d, which this
      // gives exactly from buf = 0.
      Value m = as(momentum, slot.param);
      Value buf = add(mul(m, buffers[i]), d);
      stateUpdates.push_back(buf);
      d = nesterov ? add(d, mul(m, buf)) : buf;
    }
    paramUpdates.push_back(sub(slot.param, mul(as(lr, slot.param), d)));
  }
}

LogicalResult UpdateBuilder::buildAdam(bool decoupled) {
  Value lr = addHyper("lr", 1e-3);
  weightDecay = addHyper("weight_decay", 0.0);
  Value beta1 = addHyper("beta1", 0.9), beta2 = addHyper("beta2", 0.999),
        eps = addHyper("eps", 1e-8);
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

  // The bias corrections in f64, with b^t = exp(t log b) on 0-d tensors.
  Value t = add(stepCount, constant(stepCount, 1.0));
  Value t64 = elementType.isF64() ? t : create<CastOp>({t}, {builder.getNamedAttr(
                                            "dtype", TypeAttr::get(builder.getF64Type()))});
  auto power = [&](Value base) { return create<ExpOp>({mul(t64, create<LogOp>({base}))}); };
  Value one = constant64(1.0);
  Value stepSize = div(lr, sub(one, power(beta1)));
  Value correction2Sqrt = create<SqrtOp>({sub(one, power(beta2))});
  Value oneMinusBeta1 = sub(one, beta1), oneMinusBeta2 = sub(one, beta2);
  Value decoupledScale = decoupled ? sub(one, mul(lr, weightDecay)) : Value();

  for (auto [i, slot] : llvm::enumerate(slots)) {
    if (!slot.hasGrad) {
      paramUpdates.push_back(slot.param);
      stateUpdates.append({expAvg[i], expAvgSq[i]});
      continue;
    }
    Value p = slot.param, g = decoupled ? slot.grad : decayed(slot);
    // AdamW: p = p * (1 - lr * wd) before the Adam step (exact for wd = 0).
    if (decoupled)
      p = mul(p, as(decoupledScale, p));
    Value m = add(mul(as(beta1, p), expAvg[i]), mul(as(oneMinusBeta1, p), g));
    Value v = add(mul(as(beta2, p), expAvgSq[i]), mul(mul(as(oneMinusBeta2, p), g), g));
    Value denom = add(div(create<SqrtOp>({v}), as(correction2Sqrt, p)), as(eps, p));
    paramUpdates.push_back(sub(p, mul(as(stepSize, p), div(m, denom))));
    stateUpdates.append({m, v});
  }
  stateUpdates.push_back(t);
  return success();
}

void UpdateBuilder::buildRMSprop() {
  Value lr = addHyper("lr", 1e-2);
  weightDecay = addHyper("weight_decay", 0.0);
  Value alpha = addHyper("alpha", 0.99), eps = addHyper("eps", 1e-8);
  // Without momentum there is no buffer: the structure stays compile-time.
  bool hasMomentum = hyper("momentum", 0.0) > 0.0;
  Value momentum = hasMomentum ? addHyper("momentum", 0.0) : Value();
  Value oneMinusAlpha = sub(constant64(1.0), alpha);
  bool centered = false;
  if (auto attr = optimizer.getAs<BoolAttr>("centered"))
    centered = attr.getValue();
  // torch.optim.RMSprop's state per parameter, in its order; its step count
  // does not enter the update and is not kept.
  SmallVector<BlockArgument> squareAvg, buffers, gradAvg;
  for (const Slot &slot : slots) {
    squareAvg.push_back(addState(slot.param.getType(), slot.name.getValue() + ".square_avg"));
    if (hasMomentum)
      buffers.push_back(addState(slot.param.getType(), slot.name.getValue() + ".momentum_buffer"));
    if (centered)
      gradAvg.push_back(addState(slot.param.getType(), slot.name.getValue() + ".grad_avg"));
  }
  for (auto [i, slot] : llvm::enumerate(slots)) {
    // State updates in argument order: parameter by parameter.
    SmallVector<Value> next{squareAvg[i]};
    if (hasMomentum)
      next.push_back(buffers[i]);
    if (centered)
      next.push_back(gradAvg[i]);
    if (!slot.hasGrad) {
      paramUpdates.push_back(slot.param);
      stateUpdates.append(next);
      continue;
    }
    Value p = slot.param, g = decayed(slot);
    Value a = as(alpha, p), b = as(oneMinusAlpha, p);
    Value sq = add(mul(a, squareAvg[i]), mul(mul(b, g), g));
    next[0] = sq;
    Value avg = sq;
    if (centered) {
      Value ga = add(mul(a, gradAvg[i]), mul(b, g));
      next.back() = ga;
      avg = sub(sq, mul(ga, ga));
    }
    Value denom = add(create<SqrtOp>({avg}), as(eps, p));
    if (hasMomentum) {
      Value buf = add(mul(as(momentum, p), buffers[i]), div(g, denom));
      next[1] = buf;
      paramUpdates.push_back(sub(p, mul(as(lr, p), buf)));
    } else {
      paramUpdates.push_back(sub(p, mul(as(lr, p), div(g, denom))));
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
