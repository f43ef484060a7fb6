//===- ImportTraining.cpp - a loss and an optimizer from the command line -===//
//
// --loss, --target-input and --train-with on a model function that exists
// already (imported from ONNX, or a .net model without a loss). The importer
// reads the function's roles back into its own state (parameters, buffers,
// outputs, losses), binds the chosen output and a new target input to names,
// and imports the flags' texts as the `loss` and `train` statements are
// imported: the loss call with the output and target as its first two
// arguments, the optimizer by importTrain and finishTrains. Errors are
// located in the flag's text (frontend/Training.h).
//
//===----------------------------------------------------------------------===//

#include "frontend/Importer.h"
#include "frontend/ImportArgs.h"
#include "frontend/Parser.h"

#include "ir/NNDialect.h"
#include "ir/Names.h"
#include "ir/Signature.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

#include <set>

using namespace mlir;

namespace netc::frontend {

namespace {

/// Where a flag's text starts.
constexpr Loc kFlagStart{1, 1};

/// The losses whose target holds class indices rather than values shaped
/// like the output.
bool takesClassIndices(llvm::StringRef loss) {
  return loss == "cross_entropy" || loss == "nll_loss";
}

/// The type of the target of `loss` for the output type `out`: class
/// indices (i64, the output's shape without its class axis 1, or 0-d for an
/// output [C]) or the output's own type.
RankedTensorType targetType(llvm::StringRef loss, RankedTensorType out) {
  if (!takesClassIndices(loss) || out.getRank() == 0)
    return out;
  SmallVector<int64_t> shape(out.getShape());
  shape.erase(shape.begin() + (out.getRank() == 1 ? 0 : 1));
  return RankedTensorType::get(shape, IntegerType::get(out.getContext(), 64));
}

/// A flag's expression as a call: a call as written, a bare name as a call
/// without arguments (`--loss mse`); null for anything else.
std::unique_ptr<CallExpr> asCall(ExprPtr expr) {
  if (auto *name = dynCast<NameRef>(expr.get()))
    return std::make_unique<CallExpr>(name->loc, name->name);
  if (dynCast<CallExpr>(expr.get()))
    return std::unique_ptr<CallExpr>(static_cast<CallExpr *>(expr.release()));
  return nullptr;
}

} // namespace

void Importer::readModelFunction(func::FuncOp fn) {
  func = fn;
  body = &fn.front();
  builder.setInsertionPoint(body->getTerminator());
  for (const nn::ArgInfo &arg : nn::describeArguments(fn)) {
    DictionaryAttr attrs = fn.getArgAttrDict(arg.index);
    argAttrs.push_back(attrs ? attrs : builder.getDictionaryAttr({}));
    Value value = fn.getArgument(arg.index);
    if (arg.role == nn::ArgRole::Param)
      params[arg.name] = {value, kFlagStart};
    if (arg.role == nn::ArgRole::Buffer) {
      buffers[arg.name] = {value, kFlagStart};
      bufferNames[value] = arg.name;
    }
  }
  Operation *ret = body->getTerminator();
  for (const nn::ResultInfo &r : nn::describeResults(fn)) {
    DictionaryAttr attrs = fn.getResultAttrDict(r.index);
    Value value = ret->getOperand(r.index);
    if (r.role == nn::ResultRole::Output || r.role == nn::ResultRole::Loss) {
      results.push_back(Result{r.name, value, Loc{}, r.role == nn::ResultRole::Loss});
      resultAttrsRead.push_back(attrs ? attrs : builder.getDictionaryAttr({}));
    } else {
      otherResults.emplace_back(value, attrs ? attrs : builder.getDictionaryAttr({}));
    }
  }
}

bool Importer::checkTrainingFlags(const TrainingRequest &request, Value &output,
                                  std::string &outputName) {
  std::string model = func.getSymName().str();
  auto flagError = [&](const char *flag) {
    filename = flag;
    return error(kFlagStart);
  };
  const Result *loss = nullptr;
  std::vector<std::string> outputs;
  for (const Result &r : results) {
    if (r.isLoss && !loss)
      loss = &r;
    if (!r.isLoss)
      outputs.push_back(r.name);
  }
  bool trained = nn::optimizerOf(func) != nullptr;
  for (unsigned i = 0, e = func.getNumResults(); i < e; ++i)
    trained |= func.getResultAttr(i, nn::NNDialect::OptimizerAttrHelper::getNameStr()) != nullptr;
  if (loss && !request.loss.empty()) {
    auto diag = flagError(kLossFlag);
    diag << "model '" << model << "' has a loss already ('" << loss->name
         << "'); --loss adds one to a model without";
    if (Operation *def = loss->value.getDefiningOp())
      diag.attachNote(def->getLoc()) << "the loss of model '" << model << "' is computed here";
  }
  if (!request.optimizer.empty() && trained)
    flagError(kTrainWithFlag) << "model '" << model << "' has an optimizer already; "
                              << "--train-with gives one to a model without";
  else if (!request.optimizer.empty() && !loss && request.loss.empty())
    flagError(kTrainWithFlag) << "model '" << model << "' has no loss to train; "
                              << "give one with --loss NAME";
  if (request.loss.empty() || failed)
    return !failed;

  if (!request.lossOutput.empty()) {
    outputName = request.lossOutput;
    if (!llvm::is_contained(outputs, outputName)) {
      auto diag = flagError(kLossOutputFlag);
      diag << "model '" << model << "' has no output '" << outputName << "'";
      std::string suggestion = closestName(outputName, outputs);
      if (!suggestion.empty())
        diag << "; did you mean '" << suggestion << "'?";
      else
        diag << " (its outputs: " << llvm::join(outputs, ", ") << ")";
      return false;
    }
  } else if (outputs.empty()) {
    flagError(kLossFlag) << "model '" << model << "' has no output for the loss to read";
    return false;
  } else {
    outputName = outputs.front();
  }
  for (const Result &r : results)
    if (!r.isLoss && r.name == outputName)
      output = r.value;

  // The target: a new input whose name no value of the model has.
  const char *targetFlag = request.targetInput.empty() ? kLossFlag : kTargetInputFlag;
  std::string target =
      request.targetInput.empty() ? std::string(kDefaultTargetInput) : request.targetInput;
  if (std::optional<std::string> why = netc::checkName(target)) {
    flagError(targetFlag) << "target input '" << printableName(target) << "' " << *why;
    return false;
  }
  std::set<std::string> taken{"loss"};
  for (const nn::ArgInfo &arg : nn::describeArguments(func))
    taken.insert(arg.name);
  for (const Result &r : results)
    taken.insert(r.name);
  if (taken.count(target)) {
    flagError(targetFlag) << "model '" << model << "' has a value named '" << target
                          << "' already; name the target input otherwise with "
                          << "--target-input NAME";
    return false;
  }
  if (outputName == "loss") {
    flagError(kLossFlag) << "model '" << model << "' has an output named 'loss', the name of "
                         << "the loss that --loss adds";
    return false;
  }
  return true;
}

std::unique_ptr<CallExpr> Importer::parseFlagCall(const char *flag, const std::string &text,
                                                  llvm::StringRef expected) {
  filename = flag;
  ExprParseResult parsed = parseExpression(text);
  for (const Diagnostic &d : parsed.errors)
    error(d.loc) << d.message;
  if (!parsed.expr)
    return nullptr;
  Loc loc = parsed.expr->loc;
  std::unique_ptr<CallExpr> call = asCall(std::move(parsed.expr));
  if (!call)
    error(loc) << flag << " expects " << expected;
  return call;
}

Value Importer::importFlagLoss(const TrainingRequest &request, Value output,
                               const std::string &outputName) {
  std::unique_ptr<CallExpr> call =
      parseFlagCall(kLossFlag, request.loss,
                    "a loss of the language, such as 'cross_entropy' or "
                    "'smooth_l1_loss(beta=0.5)'");
  if (!call)
    return nullptr;
  Loc loc = call->loc;

  // The target input goes after the model's inputs, as an `input` would.
  std::string target =
      request.targetInput.empty() ? std::string(kDefaultTargetInput) : request.targetInput;
  unsigned targetIndex = 0;
  for (const nn::ArgInfo &arg : nn::describeArguments(func))
    if (arg.role == nn::ArgRole::Input)
      targetIndex = arg.index + 1;
  RankedTensorType type = targetType(call->callee, cast<RankedTensorType>(output.getType()));
  Value targetArg = body->insertArgument(targetIndex, type, location(loc));
  argAttrs.insert(argAttrs.begin() + targetIndex,
                  builder.getDictionaryAttr(
                      nn::roleAttr(builder.getContext(), nn::ArgRole::Input, target)));

  // loss(output, target, the flag's own arguments...).
  bindings[outputName] = Val::ofTensor(loc, output);
  bindings[target] = Val::ofTensor(loc, targetArg);
  call->args.insert(call->args.begin(), std::make_unique<NameRef>(loc, target));
  call->args.insert(call->args.begin(), std::make_unique<NameRef>(loc, outputName));
  Val loss = eval(*call);
  if (loss.isPoison())
    return nullptr;
  if (loss.kind != Val::Kind::Tensor ||
      cast<RankedTensorType>(loss.tensor.getType()).getRank() != 0) {
    error(loc) << "--loss must give a scalar, but '" << call->callee << "' of output '"
               << outputName << "' gives " << describe(loss);
    return nullptr;
  }
  bindResult("loss", loss);
  results.push_back(Result{"loss", loss.tensor, loc, true});
  lossLoc = loc;
  return loss.tensor;
}

void Importer::importFlagOptimizer(const TrainingRequest &request) {
  std::unique_ptr<CallExpr> call = parseFlagCall(
      kTrainWithFlag, request.optimizer, "an optimizer call such as 'sgd(lr=0.01, momentum=0.9)'");
  if (!call)
    return;
  Loc loc = call->loc;
  TrainStmt train(loc, std::move(call));
  importTrain(train);
  ModelDecl model(loc, func.getSymName().str(), loc, {});
  finishTrains(model);
}

void Importer::rewriteWithTraining(Value loss) {
  auto ret = cast<func::ReturnOp>(body->getTerminator());
  SmallVector<Value> values;
  SmallVector<Attribute> attrs;
  for (size_t i = 0; i < resultAttrsRead.size(); ++i) {
    values.push_back(results[i].value);
    attrs.push_back(resultAttrsRead[i]);
  }
  if (loss) {
    values.push_back(loss);
    attrs.push_back(builder.getDictionaryAttr(
        nn::roleAttr(builder.getContext(), nn::ResultRole::Loss, "loss")));
  }
  for (const auto &[value, attr] : otherResults) {
    values.push_back(value);
    attrs.push_back(attr);
  }
  ret->setOperands(values);
  func.setFunctionType(
      builder.getFunctionType(body->getArgumentTypes(), ValueRange(values).getTypes()));
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(attrs);
  if (optimizer)
    func->setAttr(nn::NNDialect::OptimizerAttrHelper::getNameStr(), optimizer);
}

LogicalResult Importer::addTraining(func::FuncOp fn, const TrainingRequest &request) {
  readModelFunction(fn);
  Value output;
  std::string outputName;
  if (!checkTrainingFlags(request, output, outputName))
    return failure();
  Value loss;
  if (!request.loss.empty() && !(loss = importFlagLoss(request, output, outputName)))
    return failure();
  if (!request.optimizer.empty())
    importFlagOptimizer(request);
  if (failed)
    return failure();
  rewriteWithTraining(loss);
  return verify(fn);
}

LogicalResult addTraining(ModuleOp module, const TrainingRequest &request,
                          llvm::StringRef modelName) {
  if (request.loss.empty() && request.optimizer.empty())
    return success();
  // The model function: the one named so, or the only one that is not a train step.
  SmallVector<func::FuncOp> candidates;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!nn::trainStepOf(fn) && (modelName.empty() || fn.getSymName() == modelName))
      candidates.push_back(fn);
  if (candidates.size() != 1) {
    emitError(module.getLoc()) << (candidates.empty() ? "no model function" : "several model "
                                                                             "functions")
                               << " to train; choose one with --model=NAME";
    return failure();
  }
  Importer importer(*module.getContext(), kLossFlag, ImportOptions{});
  return importer.addTraining(candidates.front(), request);
}

} // namespace netc::frontend
