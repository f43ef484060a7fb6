//===- Run.cpp - netc --run [--train] on the interpreter ------------------===//

#include "interp/Driver.h"
#include "interp/GradStats.h"
#include "interp/Interpreter.h"
#include "interp/Model.h"
#include "interp/WeightFiles.h"

#include "runtime/SplitMix64.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace mlir;

namespace netc::interp {

Evaluator evaluatorOr(const Evaluator &chosen) {
  if (chosen)
    return chosen;
  return [](func::FuncOp fn, ArrayRef<Tensor> args, bool forceF64) {
    return evaluate(fn, args, forceF64);
  };
}

int64_t stepSeed(uint64_t seed, uint64_t step) {
  return static_cast<int64_t>(runtime::mix64(runtime::mix64(seed) + step));
}

/// Prints "NAME: TYPE min .. mean .. max .." and the first 8 values.
static void printSummary(llvm::raw_ostream &os, StringRef kind, StringRef name, const Tensor &t) {
  os << kind << " " << name << ": " << t.typeString();
  int64_t n = t.numel();
  if (n > 0) {
    double min = t.get(0), max = t.get(0), sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      min = std::min(min, t.get(i));
      max = std::max(max, t.get(i));
      sum += t.get(i);
    }
    os << llvm::format("  min %.6g  mean %.6g  max %.6g", min, sum / double(n), max);
  }
  os << "\n  [";
  for (int64_t i = 0; i < std::min<int64_t>(n, 8); ++i)
    os << (i ? ", " : "") << llvm::format("%.6g", t.get(i));
  os << (n > 8 ? ", ...]\n" : "]\n");
}

/// Fills `set.outputs` and `set.loss` from the results of `fn`.
static void collectResults(func::FuncOp fn, ArrayRef<Tensor> results, TensorSet &set) {
  for (const ResultInfo &r : describeResults(fn)) {
    if (r.role == ResultRole::Output)
      set.outputs[r.name] = results[r.index];
    if (r.role == ResultRole::Loss)
      set.loss = results[r.index].get(0);
  }
}

/// Prints every output and the loss of `fn`'s results.
static void printResults(func::FuncOp fn, ArrayRef<Tensor> results, llvm::raw_ostream &os) {
  for (const ResultInfo &r : describeResults(fn)) {
    if (r.role == ResultRole::Output)
      printSummary(os, "output", r.name, results[r.index]);
    if (r.role == ResultRole::Loss)
      printSummary(os, "loss", r.name, results[r.index]);
  }
}

/// Fills `set.inputs` and `set.params` from the arguments of `fn`.
static void collectArguments(func::FuncOp fn, ArrayRef<Tensor> args, TensorSet &set) {
  for (const ArgInfo &a : describeArguments(fn)) {
    // The dropout seed travels with the inputs, so a replay can redraw masks.
    if (a.role == ArgRole::Input || a.role == ArgRole::Seed)
      set.inputs[a.name] = args[a.index];
    // Buffers are saved and loaded with the weights.
    if (a.role == ArgRole::Param || a.role == ArgRole::Buffer)
      set.params[a.name] = args[a.index];
  }
}

/// Where the train step's results go for the next step: the argument that
/// each nn.param_update, nn.state and nn.buffer_update result replaces,
/// matched by name, or in order when names do not match.
static FailureOr<SmallVector<std::pair<unsigned, unsigned>>> feedback(func::FuncOp step) {
  SmallVector<ArgInfo> args = describeArguments(step);
  SmallVector<std::pair<unsigned, unsigned>> pairs;
  for (auto [resultRole, argRole] : {std::pair{ResultRole::ParamUpdate, ArgRole::Param},
                                     std::pair{ResultRole::State, ArgRole::State},
                                     std::pair{ResultRole::BufferUpdate, ArgRole::Buffer}}) {
    SmallVector<ArgInfo> candidates;
    for (const ArgInfo &a : args)
      if (a.role == argRole)
        candidates.push_back(a);
    unsigned position = 0;
    for (const ResultInfo &r : describeResults(step)) {
      if (r.role != resultRole)
        continue;
      auto byName = llvm::find_if(candidates, [&](const ArgInfo &a) { return a.name == r.name; });
      if (byName == candidates.end() && position >= candidates.size())
        return step.emitError() << "result '" << r.name
                                << "' of the train step updates no argument";
      unsigned arg = byName != candidates.end() ? byName->index : candidates[position].index;
      if (step.getArgument(arg).getType() != step.getResultTypes()[r.index])
        return step.emitError() << "result '" << r.name << "' of the train step has another type "
                                << "than the argument it updates";
      pairs.push_back({r.index, arg});
      ++position;
    }
  }
  return pairs;
}

/// The elements of a value's static tensor type (saturating), or 0.
static int64_t elementsOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return numElements(Shape(type.getShape().begin(), type.getShape().end()));
}

/// An element count for a message; INT64_MAX stands for a saturated count.
static std::string countText(int64_t n) {
  return n == INT64_MAX ? std::string("more than 2^63") : std::to_string(n);
}

/// Reports `v` at `loc` if it is larger than one interpreter tensor may be.
static LogicalResult checkTensorSize(Value v, Location loc, const Twine &what) {
  int64_t n = elementsOf(v);
  if (n <= kMaxTensorElements)
    return success();
  return emitError(loc) << what << " of type " << v.getType() << " has " << countText(n)
                        << " elements; the interpreter holds at most " << kMaxTensorElements
                        << " elements per tensor";
}

LogicalResult checkInterpretable(ModuleOp module) {
  bool ok = true;
  for (auto fn : module.getOps<func::FuncOp>()) {
    int64_t total = 0;
    auto count = [&](Value v) {
      if (__builtin_add_overflow(total, elementsOf(v), &total))
        total = INT64_MAX;
    };
    bool fnOk = true;
    for (BlockArgument arg : fn.getArguments()) {
      fnOk &= succeeded(
          checkTensorSize(arg, arg.getLoc(), "argument " + Twine(arg.getArgNumber())));
      count(arg);
    }
    fn.walk([&](Operation *op) {
      for (Value result : op->getResults()) {
        fnOk &= succeeded(checkTensorSize(
            result, op->getLoc(), "the result of '" + op->getName().getStringRef() + "'"));
        count(result);
      }
    });
    if (fnOk && total > kMaxFunctionElements) {
      emitError(fn.getLoc()) << "the tensors of '" << fn.getSymName() << "' have "
                             << countText(total)
                             << " elements together; the interpreter holds at most "
                             << kMaxFunctionElements;
      fnOk = false;
    }
    ok &= fnOk;
  }
  return success(ok);
}

/// The model's default weights (unless --load gave the parameters), then
/// --weights, then --inputs: the values of `args` from files, where given.
static LogicalResult loadWeightsIfGiven(func::FuncOp fn, const RunOptions &options,
                                        bool loaded, SmallVectorImpl<Tensor> &args) {
  if (options.defaultWeights && !loaded &&
      failed(loadDefaultWeights(fn, *options.defaultWeights, args)))
    return failure();
  if (!options.weightsPath.empty() && failed(loadWeights(fn, options.weightsPath, args)))
    return failure();
  return loadInputs(fn, options.inputsPaths, args);
}

/// --save-weights: the parameters and buffers of `args` (after training).
static LogicalResult saveWeightsIfGiven(func::FuncOp fn, const RunOptions &options,
                                        ArrayRef<Tensor> args) {
  return options.saveWeightsPath.empty() ? success()
                                         : saveWeights(fn, options.saveWeightsPath, args);
}

/// The train steps --train runs, in order: the one `name` names, or every
/// train step of the model (one per loss in models with several losses).
static SmallVector<func::FuncOp> trainStepsOf(ModuleOp module, StringRef name) {
  func::FuncOp first = findTrainStep(module, name);
  if (!first)
    return {};
  StringAttr of = nn::trainStepOf(first);
  if (!of || first.getSymName() == name)
    return {first};
  SmallVector<func::FuncOp> steps;
  for (auto fn : module.getOps<func::FuncOp>())
    if (nn::trainStepOf(fn) == of)
      steps.push_back(fn);
  return steps;
}

LogicalResult runModel(ModuleOp module, const RunOptions &options, llvm::raw_ostream &os) {
  std::optional<TensorSet> loaded;
  if (!options.loadPath.empty()) {
    FailureOr<TensorSet> set = readTensorJSON(options.loadPath, module.getLoc());
    if (failed(set))
      return failure();
    loaded = std::move(*set);
  }
  const TensorSet *source = loaded ? &*loaded : nullptr;
  TensorSet dump;

  if (!options.train) {
    func::FuncOp fn = findForward(module, options.model);
    if (!fn)
      return emitError(module.getLoc())
             << "--run found no model function"
             << (options.model.empty() ? "" : " '" + options.model + "'");
    auto args = makeArguments(fn, options.seed, source, stepSeed(options.seed, 0));
    if (failed(args) || failed(loadWeightsIfGiven(fn, options, source, *args)))
      return failure();
    auto results = evaluatorOr(options.evaluator)(fn, *args, /*forceF64=*/false);
    if (failed(results) || failed(saveWeightsIfGiven(fn, options, *args)))
      return failure();
    if (!options.outputsPaths.empty())
      return writeOutputs(fn, options.outputsPaths, *results);
    if (options.dumpPath.empty()) {
      printResults(fn, *results, os);
      return success();
    }
    collectArguments(fn, *args, dump);
    collectResults(fn, *results, dump);
    return writeTensorJSON(options.dumpPath, dump, module.getLoc());
  }

  SmallVector<func::FuncOp> steps = trainStepsOf(module, options.model);
  if (steps.empty())
    return emitError(module.getLoc()) << "--train needs a train step; does the model have a "
                                         "'loss' and a 'train' statement?";
  // Each step has its own arguments; parameters, buffers and optimizer state
  // pass between them by role and name (a model with several losses).
  SmallVector<SmallVector<Tensor>> args;
  SmallVector<SmallVector<std::pair<unsigned, unsigned>>> pairs;
  std::vector<TrainingData> data(steps.size());
  for (auto [k, step] : llvm::enumerate(steps)) {
    auto stepArgs = makeArguments(step, options.seed, source, stepSeed(options.seed, 0));
    auto stepPairs = feedback(step);
    if (failed(stepArgs) || failed(stepPairs) ||
        failed(loadWeightsIfGiven(step, options, source, *stepArgs)) ||
        (!options.dataPath.empty() && failed(data[k].read(step, options.dataPath))))
      return failure();
    data[k].select(0, *stepArgs);
    args.push_back(std::move(*stepArgs));
    pairs.push_back(std::move(*stepPairs));
  }
  collectArguments(steps.front(), args.front(), dump);
  std::map<std::pair<ArgRole, std::string>, Tensor> shared;
  auto carried = [](ArgRole role) {
    return role == ArgRole::Param || role == ArgRole::Buffer || role == ArgRole::State;
  };
  auto exchange = [&](size_t k, bool load) {
    for (const ArgInfo &a : describeArguments(steps[k])) {
      if (!carried(a.role))
        continue;
      auto it = shared.find({a.role, a.name});
      if (load && it != shared.end())
        args[k][a.index] = it->second;
      else if (!load)
        shared[{a.role, a.name}] = args[k][a.index];
    }
  };
  SmallVector<Tensor> results;
  // --grad-stats follows the first train step (the only one of most models).
  std::optional<runtime::GradStatsRecorder> gradStats;
  if (options.gradStats.enabled())
    gradStats.emplace(options.gradStats, options.steps, gradStatsModelName(steps.front()));
  std::string error;
  if (gradStats && !gradStats->open(error))
    return emitError(module.getLoc()) << error;
  uint64_t calls = 0;
  for (unsigned i = 0; i < options.steps; ++i) {
    std::string line, stats;
    for (size_t k = 0; k < steps.size(); ++k) {
      func::FuncOp step = steps[k];
      exchange(k, /*load=*/true);
      data[k].select(i, args[k]);
      for (const ArgInfo &a : describeArguments(step))
        if (a.role == ArgRole::Seed)
          args[k][a.index] = Tensor::integer(stepSeed(options.seed, calls), args[k][a.index].type);
      ++calls;
      auto stepResults = evaluatorOr(options.evaluator)(step, args[k], /*forceF64=*/false);
      if (failed(stepResults))
        return failure();
      results = std::move(*stepResults);
      double loss = NAN;
      for (const ResultInfo &r : describeResults(step))
        if (r.role == ResultRole::Loss) {
          loss = results[r.index].get(0);
          dump.losses.push_back(loss);
          line += (steps.size() > 1 ? " " + r.name : std::string()) +
                  llvm::formatv(" {0}", llvm::format("%.8g", loss)).str();
        }
      if (gradStats && k == 0)
        stats = recordGradStats(*gradStats, i + 1, step, args[k], results, loss);
      for (auto [result, arg] : pairs[k])
        args[k][arg] = results[result];
      exchange(k, /*load=*/false);
    }
    if (!line.empty())
      os << "step " << (i + 1) << " loss" << line << "\n";
    os << stats;
  }
  if (failed(saveWeightsIfGiven(steps.back(), options, args.back())))
    return failure();
  if (gradStats && !gradStats->finish(error))
    return emitError(module.getLoc()) << error;
  if (!options.outputsPaths.empty()) {
    // As an executable does: the forward function on the trained weights.
    func::FuncOp fn = findForward(module, options.model);
    if (!fn)
      return emitError(module.getLoc()) << "--outputs found no model function to run";
    auto fnArgs = makeArguments(fn, options.seed, source, stepSeed(options.seed, 0));
    if (failed(fnArgs) || failed(loadInputs(fn, options.inputsPaths, *fnArgs)))
      return failure();
    for (const ArgInfo &a : describeArguments(fn))
      if (auto it = shared.find({a.role, a.name}); carried(a.role) && it != shared.end())
        (*fnArgs)[a.index] = it->second;
    auto fnResults = evaluatorOr(options.evaluator)(fn, *fnArgs, /*forceF64=*/false);
    return failed(fnResults) ? failure() : writeOutputs(fn, options.outputsPaths, *fnResults);
  }
  if (options.dumpPath.empty()) {
    if (!results.empty())
      printResults(steps.back(), results, os);
    return success();
  }
  if (!results.empty())
    collectResults(steps.back(), results, dump);
  // The parameters after training sit beside the initial ones, so a test can
  // replay the whole run in PyTorch.
  TensorSet trained;
  exchange(0, /*load=*/true);
  collectArguments(steps.front(), args.front(), trained);
  dump.trainedParams = std::move(trained.params);
  return writeTensorJSON(options.dumpPath, dump, module.getLoc());
}

} // namespace netc::interp
