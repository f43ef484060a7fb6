//===- ArtifactModel.cpp - a model's functions as the runtime sees them ---===//
//
// Reads the role attributes of the forward function and the train step into
// an ArtifactModel. Nothing here depends on the order in which passes put
// arguments: every slot is looked up by its role and name.
//
//===----------------------------------------------------------------------===//

#include "codegen/ArtifactModel.h"

#include "ir/NNOps.h"
#include "ir/Queries.h"
#include "ir/Signature.h"
#include "llvm/Support/FormatVariadic.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"

#include <limits>

using namespace mlir;

namespace netc::codegen {

/// The runtime's dtype name of an element type, or nullopt.
std::optional<std::string> dtypeOf(Type element) {
  if (element.isF32())
    return "f32";
  if (element.isF64())
    return "f64";
  if (element.isSignlessInteger(32))
    return "i32";
  if (element.isSignlessInteger(64))
    return "i64";
  return std::nullopt;
}

namespace {

/// The name an nn.* attribute gives: its string, or `fallback` (a unit attribute).
std::string attrName(Attribute attr, const std::string &fallback) {
  if (auto s = dyn_cast_or_null<StringAttr>(attr))
    return s.str();
  return fallback;
}

/// The index of `name` in `list`, or -1.
int find(const std::vector<ArtifactTensor> &list, const std::string &name) {
  for (size_t i = 0; i < list.size(); ++i)
    if (list[i].name == name)
      return static_cast<int>(i);
  return -1;
}

/// A number of a dictionary attribute, float or integer.
std::optional<double> number(DictionaryAttr dict, StringRef key) {
  Attribute a = dict ? dict.get(key) : Attribute();
  if (auto f = dyn_cast_or_null<FloatAttr>(a))
    return f.getValueAsDouble();
  if (auto i = dyn_cast_or_null<IntegerAttr>(a))
    return static_cast<double>(i.getInt());
  return std::nullopt;
}

/// Whether a bce uses the argument: its seeded values must then be
/// probabilities, as the reference interpreter draws them.
bool usedByBce(BlockArgument arg) {
  for (Operation *user : arg.getUsers())
    if (isa<nn::BceOp, nn::BceBackwardOp>(user))
      return true;
  return false;
}

/// Reads one function's arguments and results into `model`.
class FunctionReader {
public:
  /// `stepIndex`: which train step `fn` is, in a model with several losses.
  FunctionReader(ArtifactModel &model, func::FuncOp fn, bool train,
                 std::vector<ArtifactSlot> *into = nullptr, int stepIndex = 0)
      : model(model), fn(fn), train(train), into(into), stepIndex(stepIndex) {}

  LogicalResult read() {
    std::vector<ArtifactSlot> &slots =
        into ? *into : (train ? model.trainSlots : model.forwardSlots);
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i) {
      FailureOr<ArtifactSlot> slot = argument(i);
      if (failed(slot))
        return failure();
      slots.push_back(*slot);
    }
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i) {
      FailureOr<ArtifactSlot> slot = result(i);
      if (failed(slot))
        return failure();
      slots.push_back(*slot);
    }
    return success();
  }

private:
  /// The tensor of type `type` called `name`, or an error at the function.
  FailureOr<ArtifactTensor> tensor(Type type, const std::string &name, const std::string &what) {
    auto ranked = dyn_cast<RankedTensorType>(type);
    std::optional<std::string> dtype = ranked ? dtypeOf(ranked.getElementType()) : std::nullopt;
    if (!dtype || !ranked.hasStaticShape())
      return fn.emitError() << what << " '" << name << "' has type " << type
                            << "; compiled models support static f32, f64, i32 and i64 tensors";
    return ArtifactTensor{name, *dtype, ranked.getShape().vec()};
  }

  /// `name` in `list`, added from `type` if new.
  FailureOr<int> findOrAdd(std::vector<ArtifactTensor> &list, Type type, const std::string &name,
                           const std::string &what) {
    int index = find(list, name);
    if (index >= 0)
      return index;
    FailureOr<ArtifactTensor> t = tensor(type, name, what);
    if (failed(t))
      return failure();
    list.push_back(*t);
    return static_cast<int>(list.size() - 1);
  }

  FailureOr<ArtifactSlot> argument(unsigned i) {
    Type type = fn.getArgument(i).getType();
    nn::ArgRole role = nn::argRole(fn, i);
    auto nameOr = [&](const char *fallback) {
      return attrName(nn::argName(fn, i, role), fallback + std::to_string(i));
    };
    if (role == nn::ArgRole::Input) {
      std::string name = nameOr("input");
      FailureOr<int> index = findOrAdd(model.inputs, type, name, "input");
      if (failed(index))
        return failure();
      ArtifactTensor &t = model.inputs[*index];
      if (t.dtype[0] == 'f') {
        // Seeded float inputs: U(-1, 1), or U(0, 1) where bce needs probabilities.
        bool probabilities = usedByBce(fn.getArgument(i)) || (t.init == "uniform" && t.initA == 0);
        t.init = "uniform";
        t.initA = probabilities ? 0.0 : -1.0;
        t.initB = 1.0;
      } else {
        int64_t b = nn::indexBound(fn.getArgument(i));
        if (b > 0)
          t.bound = t.bound > 0 ? std::min(t.bound, b) : b;
      }
      return ArtifactSlot{"INPUT", *index};
    }
    if (role == nn::ArgRole::Param) {
      std::string name = nameOr("param");
      bool known = find(model.params, name) >= 0;
      FailureOr<int> index = findOrAdd(model.params, type, name, "parameter");
      if (failed(index))
        return failure();
      if (!known && failed(readInit(i, model.params[*index])))
        return failure();
      return ArtifactSlot{"PARAM", *index};
    }
    if (role == nn::ArgRole::Seed) {
      if (!type.isSignlessInteger(64))
        return fn.emitError() << "the seed argument has type " << type << ", expected i64";
      return ArtifactSlot{"SEED", 0};
    }
    if (role == nn::ArgRole::State || role == nn::ArgRole::Buffer) {
      bool state = role == nn::ArgRole::State;
      std::vector<ArtifactTensor> &list = state ? model.state : model.buffers;
      std::string name = nameOr(state ? "state" : "buffer");
      bool known = find(list, name) >= 0;
      FailureOr<int> index = findOrAdd(list, type, name, state ? "state" : "buffer");
      if (failed(index))
        return failure();
      // A buffer without nn.init starts at zero, as optimizer state does.
      if (!state && !known && nn::paramInit(fn, i) && failed(readInit(i, list[*index])))
        return failure();
      return ArtifactSlot{state ? "STATE" : "BUFFER", *index};
    }
    if (role == nn::ArgRole::Hyper)
      return hyper(i, type);
    return fn.emitError() << "argument #" << i << " of '" << fn.getSymName()
                          << "' has no nn.input, nn.param, nn.seed, nn.state, nn.buffer or "
                             "nn.hyper attribute";
  }

  /// A hyperparameter argument: a 0-d f64 tensor named once in the model.
  FailureOr<ArtifactSlot> hyper(unsigned i, Type type) {
    std::string name = attrName(nn::argName(fn, i, nn::ArgRole::Hyper), "");
    auto ranked = dyn_cast<RankedTensorType>(type);
    if (!ranked || ranked.getRank() != 0 || !ranked.getElementType().isF64())
      return fn.emitError() << "hyperparameter '" << name << "' has type " << type
                            << ", expected tensor<f64>";
    for (auto [k, h] : llvm::enumerate(model.hypers))
      if (h.name == name)
        return ArtifactSlot{"HYPER", static_cast<int>(k)};
    model.hypers.push_back({name, nn::hyperValue(fn, i).value_or(0.0), stepIndex});
    return ArtifactSlot{"HYPER", static_cast<int>(model.hypers.size() - 1)};
  }

  LogicalResult readInit(unsigned i, ArtifactTensor &t) {
    DictionaryAttr init = nn::paramInit(fn, i);
    auto dist = init ? init.getAs<StringAttr>("dist") : StringAttr();
    std::optional<double> a, b;
    if (dist && dist.getValue() == "uniform")
      a = number(init, "low"), b = number(init, "high");
    else if (dist && dist.getValue() == "normal")
      a = number(init, "mean"), b = number(init, "std");
    else if (dist && dist.getValue() == "constant")
      a = number(init, "value"), b = 0.0;
    // Integer buffers (step counters) start at a constant.
    bool integerOk = t.dtype[0] == 'f' || (dist && dist.getValue() == "constant");
    if (!a || !b || !integerOk)
      return fn.emitError() << (nn::argRole(fn, i) == nn::ArgRole::Buffer ? "buffer '"
                                                                           : "parameter '")
                            << t.name << "' has no valid nn.init";
    t.init = dist.str();
    t.initA = *a;
    t.initB = *b;
    return success();
  }

  /// A result nobody reads: a scratch buffer of its own.
  FailureOr<ArtifactSlot> scratch(unsigned i, const std::string &name) {
    FailureOr<ArtifactTensor> t = tensor(fn.getResultTypes()[i], name, "result");
    if (failed(t))
      return failure();
    model.scratch.push_back(*t);
    return ArtifactSlot{"SCRATCH", static_cast<int>(model.scratch.size() - 1)};
  }

  FailureOr<ArtifactSlot> result(unsigned i) {
    Type type = fn.getResultTypes()[i];
    std::string fallback = "result" + std::to_string(i);
    nn::ResultRole role = nn::resultRole(fn, i);
    Attribute a = nn::resultName(fn, i, role);
    if (role == nn::ResultRole::Loss) {
      auto ranked = dyn_cast<RankedTensorType>(type);
      std::optional<std::string> dtype = ranked ? dtypeOf(ranked.getElementType()) : std::nullopt;
      if (!ranked || ranked.getRank() != 0 || !dtype || (*dtype)[0] != 'f')
        return fn.emitError() << "the loss has type " << type << ", expected a float scalar";
      std::string name = attrName(a, "loss");
      // Several losses: LOSS slot k is the loss of train step k.
      for (auto [k, step] : llvm::enumerate(model.steps))
        if (step.name == name) {
          step.lossDType = *dtype;
          return ArtifactSlot{"LOSS", static_cast<int>(k)};
        }
      model.lossName = name;
      model.lossDType = *dtype;
      return ArtifactSlot{"LOSS", 0};
    }
    if (role == nn::ResultRole::Output) {
      std::string name = attrName(a, fallback);
      if (train) {
        int index = find(model.outputs, name);
        return index >= 0 ? FailureOr<ArtifactSlot>(ArtifactSlot{"OUTPUT", index})
                          : scratch(i, name);
      }
      FailureOr<int> index = findOrAdd(model.outputs, type, name, "output");
      if (failed(index))
        return failure();
      return ArtifactSlot{"OUTPUT", *index};
    }
    if (role == nn::ResultRole::Grad || role == nn::ResultRole::ParamUpdate) {
      std::string name = attrName(a, fallback);
      int index = find(model.params, name);
      if (index < 0)
        return fn.emitError() << "result #" << i << " (" << nn::roleAttrName(role) << ") names '"
                              << name << "', which is not a parameter";
      return ArtifactSlot{role == nn::ResultRole::Grad ? "GRAD" : "PARAM_UPDATE", index};
    }
    if (role == nn::ResultRole::State) {
      std::string name = attrName(a, fallback);
      int index = find(model.state, name);
      return index >= 0 ? FailureOr<ArtifactSlot>(ArtifactSlot{"STATE_UPDATE", index})
                        : scratch(i, name);
    }
    if (role == nn::ResultRole::BufferUpdate) {
      std::string name = attrName(a, fallback);
      int index = find(model.buffers, name);
      if (index < 0)
        return fn.emitError() << "result #" << i << " (" << nn::roleAttrName(role) << ") names '"
                              << name << "', which is not a buffer";
      return ArtifactSlot{"BUFFER_UPDATE", index};
    }
    // Input gradients and anything else a later pass adds are computed and ignored.
    return scratch(i, fallback);
  }

  ArtifactModel &model;
  func::FuncOp fn;
  bool train;
  std::vector<ArtifactSlot> *into;
  int stepIndex;
};

/// "sgd(lr=0.1, momentum=0.9)" from an nn.optimizer dictionary.
std::string describeOptimizer(DictionaryAttr dict) {
  if (!dict)
    return "";
  std::string text = attrName(dict.get("kind"), "optimizer") + "(";
  bool first = true;
  for (NamedAttribute entry : dict) {
    if (entry.getName() == "kind")
      continue;
    std::string value;
    if (auto f = dyn_cast<FloatAttr>(entry.getValue())) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", f.getValueAsDouble());
      value = buf;
    } else if (auto b = dyn_cast<BoolAttr>(entry.getValue())) {
      value = b.getValue() ? "true" : "false";
    } else if (auto i = dyn_cast<IntegerAttr>(entry.getValue())) {
      value = std::to_string(i.getInt());
    } else {
      continue;
    }
    text += (first ? "" : ", ") + entry.getName().str() + "=" + value;
    first = false;
  }
  return text + ")";
}

} // namespace

FailureOr<ArtifactModel> describeModel(ModuleOp module) {
  SmallVector<func::FuncOp> forwards, steps;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal())
      (nn::trainStepOf(fn) ? steps : forwards).push_back(fn);
  if (forwards.size() != 1) {
    InFlightDiagnostic diag = module.emitError();
    if (forwards.empty()) {
      diag << "there is no model to compile";
      return failure();
    }
    diag << "a library or executable holds one model, but the file defines " << forwards.size()
         << " (";
    llvm::interleaveComma(forwards, diag, [&](func::FuncOp f) { diag << f.getSymName(); });
    diag << "); choose one with --model=NAME";
    return failure();
  }
  func::FuncOp forward = forwards.front(), train;
  SmallVector<func::FuncOp> trains;
  for (func::FuncOp step : steps)
    if (StringAttr of = nn::trainStepOf(step); of && of.getValue() == forward.getSymName()) {
      train = step;
      trains.push_back(step);
    }

  ArtifactModel model;
  // Several losses: each step is named after the loss its optimizer names.
  for (func::FuncOp step : trains) {
    DictionaryAttr optimizer = nn::optimizerOf(step);
    auto loss = optimizer ? optimizer.getAs<StringAttr>("loss") : StringAttr();
    if (!loss)
      continue;
    if (!isCIdentifier(loss.str()))
      return step.emitError() << "loss name '" << loss.getValue()
                              << "' is not a C identifier; the C API names its train step "
                                 "functions after the losses";
    model.steps.push_back(
        ArtifactModel::Step{loss.str(), "f32", describeOptimizer(optimizer), "", {}});
  }
  if (!model.steps.empty() && model.steps.size() != trains.size())
    return forward.emitError() << "model '" << forward.getSymName()
                               << "' mixes train steps with and without a named loss";
  model.name = forward.getSymName().str();
  // The generated C and C++ write the name unquoted (functions, macros, the
  // include guard): only an identifier is safe there.
  if (!isCIdentifier(model.name)) {
    std::string shown;
    for (unsigned char c : model.name)
      shown += c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c))
                                     : llvm::formatv("\\x{0:x-2}", unsigned(c)).str();
    forward.emitError() << "model name '" << shown
                        << "' is not a C identifier ([A-Za-z_][A-Za-z0-9_]*); libraries and "
                           "executables name their functions after the model";
    return failure();
  }
  // NAME_set_num_threads of a model named 'halide' would be Halide's own
  // halide_set_num_threads and call itself; 'netc' is the generated C++'s namespace.
  if (model.name == "halide" || model.name == "netc") {
    forward.emitError() << "model name '" << model.name
                        << "' is reserved (the C API would clash with "
                        << (model.name == "halide" ? "Halide's runtime" : "netc's runtime")
                        << "); rename the model";
    return failure();
  }
  if (failed(FunctionReader(model, forward, false).read()))
    return failure();
  if (!model.steps.empty()) {
    model.hasTrain = true;
    for (auto [k, step] : llvm::enumerate(model.steps)) {
      func::FuncOp fn = trains[k];
      if (failed(FunctionReader(model, fn, true, &step.slots, static_cast<int>(k)).read()))
        return failure();
      step.kernel = model.name + "_halide_train_step_" + step.name;
      SymbolTable::setSymbolName(fn, step.kernel);
    }
    model.trainSlots = model.steps.front().slots;
    model.trainKernel = model.steps.front().kernel;
    model.lossName = model.steps.front().name;
    model.lossDType = model.steps.front().lossDType;
    model.optimizer = model.steps.front().optimizer;
    train = nullptr;
  } else if (train) {
    model.hasTrain = true;
    if (failed(FunctionReader(model, train, true).read()))
      return failure();
    model.optimizer = describeOptimizer(nn::optimizerOf(train));
  }
  // Codegen names entry points after the functions (NAME_forward for a model,
  // the symbol itself for a train step); the C API takes those names.
  SymbolTable::setSymbolName(forward, model.name + "_halide");
  // Codegen skips a forward function without results (a model with only a loss).
  if (forward.getNumResults() > 0)
    model.forwardKernel = model.name + "_halide_forward";
  if (train) {
    SymbolTable::setSymbolName(train, model.name + "_halide_train_step");
    model.trainKernel = model.name + "_halide_train_step";
  }
  return model;
}

} // namespace netc::codegen
