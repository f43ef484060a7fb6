//===- Autodiff.cpp - the train step: forward and backward pass -----------===//
//
// Reverse-mode differentiation of a model function. The train step is a
// copy of the forward function in which dropouts draw seeded masks, followed
// by the backward pass: from the gradient 1 of the loss, ops are visited in
// reverse program order and each op on the loss path builds the gradients of
// its operands with its own rule (GradientOpInterface). The contract (result
// order, attributes, dropout seeds) is in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "ir/Build.h"
#include "ir/NNOps.h"
#include "ir/Seeds.h"
#include "ir/Signature.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

namespace netc {
#define GEN_PASS_DEF_NNAUTODIFF
#include "passes/Passes.h.inc"
} // namespace netc

using namespace mlir;
namespace nn = netc::nn;
using namespace netc::nn;

namespace {

/// Whether `v` is a tensor of floats.
bool isFloatTensor(Value v) {
  auto type = dyn_cast<TensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// A 0-d or shaped float constant with every element `value`.
Value splatConstant(OpBuilder &builder, Location loc, Type type, double value) {
  auto tensorType = cast<RankedTensorType>(type);
  Attribute element = builder.getFloatAttr(tensorType.getElementType(), value);
  return builder.create<arith::ConstantOp>(loc, DenseElementsAttr::get(tensorType, element));
}

/// Builds the train step of one model function.
class TrainStepBuilder {
public:
  TrainStepBuilder(func::FuncOp forward, bool gradInputs)
      : forward(forward), gradInputs(gradInputs) {}
  /// The train step of loss result `lossIndex` alone, named
  /// `<name>_train_step_<loss>`, with its own `optimizer` (models with
  /// several losses).
  TrainStepBuilder(func::FuncOp forward, bool gradInputs, unsigned lossIndex,
                   DictionaryAttr optimizer)
      : forward(forward), gradInputs(gradInputs), chosenLoss(lossIndex), stepOptimizer(optimizer) {}

  /// Adds `@<name>_train_step` (or `@<name>_train_step_<loss>`) after
  /// `after`, the forward function or the train step built before; returns
  /// the step (null when the function has no loss).
  FailureOr<func::FuncOp> build(Operation *after);

private:
  /// The seed argument of the step: the forward's own when it draws random
  /// tensors (their seeds derive from it already), else a new last argument.
  Value seedArgument();
  /// Gives every dropout its seed operand, derived from the seed argument.
  void seedDropouts(Value seed);
  /// Marks the values that depend on a differentiated argument and reach the loss.
  void findActiveValues(ArrayRef<BlockArgument> differentiated, Value loss);
  /// Walks the forward ops backwards, building and accumulating gradients.
  LogicalResult backward(Value loss, Operation *insertionPoint);
  /// Adds `grad` to the gradient of `value` accumulated so far.
  void accumulate(OpBuilder &builder, Location loc, Value value, Value grad);
  /// Replaces the return and the signature with the train step's.
  void rewriteSignature(func::ReturnOp ret, unsigned lossIndex);
  /// Whether the step trains parameter `name`: every parameter, or those
  /// that start with one of its optimizer's `params` prefixes.
  bool trains(StringRef name) const;

  func::FuncOp forward, step;
  bool gradInputs;
  std::optional<unsigned> chosenLoss;
  DictionaryAttr stepOptimizer;
  llvm::DenseSet<Value> active;
  llvm::DenseMap<Value, Value> grads;
};

bool TrainStepBuilder::trains(StringRef name) const {
  DictionaryAttr optimizer = nn::optimizerOf(step);
  auto prefixes = optimizer ? optimizer.getAs<ArrayAttr>("params") : ArrayAttr();
  if (!prefixes)
    return true;
  return llvm::any_of(prefixes.getAsValueRange<StringAttr>(),
                      [&](StringRef prefix) { return name.starts_with(prefix); });
}

FailureOr<func::FuncOp> TrainStepBuilder::build(Operation *after) {
  std::optional<unsigned> lossIndex = chosenLoss;
  for (unsigned i = 0, e = forward.getNumResults(); i < e && !lossIndex; ++i)
    if (nn::resultName(forward, i, nn::ResultRole::Loss))
      lossIndex = i;
  if (!lossIndex)
    return func::FuncOp();
  std::string name = (forward.getSymName() + "_train_step").str();
  if (chosenLoss)
    name += "_" + nn::resultName(forward, *lossIndex, nn::ResultRole::Loss).str();
  auto module = forward->getParentOfType<ModuleOp>();
  if (module.lookupSymbol(name))
    return forward.emitError() << "cannot add the train step of '" << forward.getSymName() << "': '"
                               << name << "' exists already";
  if (!forward.getBody().hasOneBlock())
    return forward.emitError() << "nn-autodiff expects '" << forward.getSymName()
                               << "' to have one block";
  Type lossType = forward.getResultTypes()[*lossIndex];
  auto lossTensor = dyn_cast<RankedTensorType>(lossType);
  if (!lossTensor || !isa<FloatType>(lossTensor.getElementType()))
    return forward.emitError() << "the loss of '" << forward.getSymName()
                               << "' must be a float tensor, got " << lossType;

  step = forward.clone();
  step.setSymName(name);
  nn::setTrainStepOf(step, forward.getSymName());
  if (stepOptimizer) {
    // The step carries its own optimizer; its loss keeps only its name.
    step->setAttr(nn::NNDialect::OptimizerAttrHelper::getNameStr(), stepOptimizer);
    step.setResultAttrs(
        *lossIndex,
        DictionaryAttr::get(step.getContext(),
                            {nn::roleAttr(step.getContext(), nn::ResultRole::Loss,
                                          stepOptimizer.getAs<StringAttr>("loss").getValue())}));
  }
  OpBuilder moduleBuilder(after);
  moduleBuilder.setInsertionPointAfter(after);
  moduleBuilder.insert(step);

  Block &body = step.getBody().front();
  seedDropouts(seedArgument());
  // A train step computes the train form of ops such as batch_norm.
  step.walk([](TrainSelectOp op) {
    op.getResult().replaceAllUsesWith(op.getTrain());
    op.erase();
  });

  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Value loss = ret.getOperand(*lossIndex);

  SmallVector<BlockArgument> differentiated;
  // Parameters the step does not train are read-only inputs of it.
  for (BlockArgument arg : body.getArguments())
    if (StringAttr param = nn::argName(arg, nn::ArgRole::Param); param && trains(param))
      differentiated.push_back(arg);
    else if (gradInputs && isFloatTensor(arg) && nn::argName(arg, nn::ArgRole::Input))
      differentiated.push_back(arg);
  findActiveValues(differentiated, loss);
  if (failed(backward(loss, ret)))
    return failure();
  rewriteSignature(ret, *lossIndex);

  // Branches that reach neither the loss nor an output are dead now, and so
  // are the gradients of operands that need none. Unused dropouts go too: a
  // mask is a pure function of its seed, so drawing none changes nothing.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (isOpTriviallyDead(&op) || (op.use_empty() && isa_and_nonnull<NNDialect>(op.getDialect())))
      op.erase();
  return step;
}

Value TrainStepBuilder::seedArgument() {
  Block &body = step.getBody().front();
  if (body.getNumArguments() != 0 && nn::hasArgRole(body.getArguments().back(), nn::ArgRole::Seed))
    return body.getArguments().back();
  OpBuilder builder(forward.getContext());
  auto seedAttrs = builder.getDictionaryAttr(nn::roleAttr(forward.getContext(), nn::ArgRole::Seed));
  step.insertArgument(step.getNumArguments(), builder.getI64Type(), seedAttrs, step.getLoc());
  return body.getArguments().back();
}

void TrainStepBuilder::seedDropouts(Value seed) {
  // Dropouts and draws take seeds of distinct streams (ir/Seeds.h): the
  // draws', given at import, stay as they are.
  OpBuilder builder(seed.getContext());
  uint64_t k = 0;
  for (DropoutOp dropout : llvm::make_early_inc_range(seed.getParentBlock()->getOps<DropoutOp>())) {
    builder.setInsertionPoint(dropout);
    dropout.getSeedMutable().assign(
        nn::deriveSeed(builder, dropout.getLoc(), seed, nn::SeedStream::Dropout, k++));
  }
}

void TrainStepBuilder::findActiveValues(ArrayRef<BlockArgument> differentiated, Value loss) {
  Block &body = step.getBody().front();
  llvm::DenseSet<Value> varied(differentiated.begin(), differentiated.end());
  for (Operation &op : body)
    if (llvm::any_of(op.getOperands(), [&](Value v) { return varied.contains(v); }))
      varied.insert(op.result_begin(), op.result_end());
  llvm::DenseSet<Value> useful{loss};
  for (Operation &op : llvm::reverse(body))
    if (llvm::any_of(op.getResults(), [&](Value v) { return useful.contains(v); }))
      useful.insert(op.operand_begin(), op.operand_end());
  for (Value v : varied)
    if (useful.contains(v))
      active.insert(v);
}

void TrainStepBuilder::accumulate(OpBuilder &builder, Location loc, Value value, Value grad) {
  auto [it, inserted] = grads.try_emplace(value, grad);
  if (!inserted)
    it->second = createInferred<AddOp>(builder, loc, {it->second, grad});
}

LogicalResult TrainStepBuilder::backward(Value loss, Operation *insertionPoint) {
  if (!active.contains(loss))
    return success();
  OpBuilder builder(insertionPoint);
  grads[loss] = splatConstant(builder, loss.getLoc(), loss.getType(), 1.0);

  // The forward ops, before the backward pass adds any.
  SmallVector<Operation *> forwardOps;
  for (Operation &op : step.getBody().front().without_terminator())
    forwardOps.push_back(&op);

  bool ok = true;
  for (Operation *op : llvm::reverse(forwardOps)) {
    SmallVector<Value> resultGrads;
    for (Value result : op->getResults())
      resultGrads.push_back(grads.lookup(result));
    if (llvm::all_of(resultGrads, [](Value g) { return !g; }))
      continue;
    auto rule = dyn_cast<GradientOpInterface>(op);
    if (!rule) {
      // Keep going: every op without a rule is reported, not only the first.
      op->emitError() << "'" << op->getName() << "' has no gradient rule, but the loss "
                      << "depends on it through a parameter";
      ok = false;
      continue;
    }
    FailureOr<SmallVector<Value>> operandGrads = rule.buildVJP(builder, resultGrads);
    if (failed(operandGrads) || operandGrads->size() != op->getNumOperands()) {
      if (succeeded(operandGrads))
        op->emitError() << "the gradient rule of '" << op->getName() << "' gives "
                        << operandGrads->size() << " gradients for " << op->getNumOperands()
                        << " operands";
      ok = false;
      continue;
    }
    for (auto [operand, grad] : llvm::zip_equal(op->getOperands(), *operandGrads)) {
      if (!grad || !active.contains(operand))
        continue;
      if (grad.getType() != operand.getType()) {
        op->emitError() << "the gradient rule of '" << op->getName() << "' gives an operand of "
                        << "type " << operand.getType() << " a gradient of type " << grad.getType();
        ok = false;
        continue;
      }
      accumulate(builder, op->getLoc(), operand, grad);
    }
  }
  return success(ok);
}

void TrainStepBuilder::rewriteSignature(func::ReturnOp ret, unsigned lossIndex) {
  MLIRContext *context = step.getContext();
  OpBuilder builder(ret);
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  auto add = [&](Value v, DictionaryAttr attrs) {
    results.push_back(v);
    resultAttrs.push_back(attrs);
  };
  auto named = [&](nn::ResultRole role, StringAttr name) {
    return DictionaryAttr::get(context, {nn::roleAttr(context, role, name.getValue())});
  };

  add(ret.getOperand(lossIndex), step.getResultAttrDict(lossIndex));
  for (unsigned i = 0, e = step.getNumResults(); i < e; ++i)
    if (i != lossIndex && nn::resultName(step, i, nn::ResultRole::Output))
      add(ret.getOperand(i), step.getResultAttrDict(i));

  // One gradient per parameter, then per requested input; zero where the
  // loss does not depend on the argument.
  auto gradOf = [&](BlockArgument arg) {
    if (Value g = grads.lookup(arg))
      return g;
    return splatConstant(builder, step.getLoc(), arg.getType(), 0.0);
  };
  Block &body = step.getBody().front();
  for (BlockArgument arg : body.getArguments())
    if (StringAttr name = nn::argName(arg, nn::ArgRole::Param); name && trains(name))
      add(gradOf(arg), named(nn::ResultRole::Grad, name));
  if (gradInputs)
    for (BlockArgument arg : body.getArguments())
      if (StringAttr name = nn::argName(arg, nn::ArgRole::Input))
        if (isFloatTensor(arg))
          add(gradOf(arg), named(nn::ResultRole::GradInput, name));
  // The next value of each buffer, which the caller stores after the step.
  for (unsigned i = 0, e = step.getNumResults(); i < e; ++i)
    if (nn::resultName(step, i, nn::ResultRole::BufferUpdate))
      add(ret.getOperand(i), step.getResultAttrDict(i));

  builder.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();
  step.setType(FunctionType::get(context, body.getArgumentTypes(), ValueRange(results).getTypes()));
  step.setAllResultAttrs(resultAttrs);
}

struct AutodiffPass : public netc::impl::NNAutodiffBase<AutodiffPass> {
  using NNAutodiffBase::NNAutodiffBase;
  void runOnOperation() override;
};

void AutodiffPass::runOnOperation() {
  // Train steps are added beside the functions, so collect those first.
  SmallVector<func::FuncOp> forwards;
  for (auto fn : getOperation().getOps<func::FuncOp>())
    if (!nn::trainStepOf(fn) && !fn.isExternal())
      forwards.push_back(fn);
  bool ok = true;
  for (func::FuncOp fn : forwards) {
    // Several losses: one train step per loss that carries an optimizer, in
    // the order of the losses; otherwise the one train step of the first loss.
    Operation *after = fn;
    bool several = false;
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i) {
      auto optimizer = fn.getResultAttrOfType<DictionaryAttr>(
          i, nn::NNDialect::OptimizerAttrHelper::getNameStr());
      if (!optimizer || !nn::resultName(fn, i, nn::ResultRole::Loss) ||
          !optimizer.getAs<StringAttr>("loss"))
        continue;
      several = true;
      FailureOr<func::FuncOp> step = TrainStepBuilder(fn, gradInputs, i, optimizer).build(after);
      ok &= succeeded(step);
      if (succeeded(step) && *step)
        after = *step;
    }
    if (!several)
      ok &= succeeded(TrainStepBuilder(fn, gradInputs).build(fn));
  }
  if (!ok)
    signalPassFailure();
}

} // namespace
