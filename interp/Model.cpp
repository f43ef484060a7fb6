//===- Model.cpp - roles, seeded arguments of model functions -------------===//

#include "interp/Model.h"
#include "interp/Interpreter.h"

#include "ir/NNOps.h"
#include "ir/Queries.h"
#include "runtime/Init.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

#include <limits>

using namespace mlir;

namespace netc::interp {

/// Whether `fn` is a train step: nn-autodiff marks it `nn.train_step_of`;
/// hand-written ones may only have nn.grad results.
static bool isTrainStep(func::FuncOp fn) {
  if (nn::trainStepOf(fn))
    return true;
  for (const ResultInfo &r : describeResults(fn))
    if (r.role == ResultRole::Grad)
      return true;
  return false;
}

func::FuncOp findForward(ModuleOp module, StringRef name) {
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal() && !isTrainStep(fn) && (name.empty() || fn.getSymName() == name))
      return fn;
  return nullptr;
}

func::FuncOp findTrainStep(ModuleOp module, StringRef name) {
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isExternal() || !isTrainStep(fn))
      continue;
    StringAttr of = nn::trainStepOf(fn);
    if (name.empty() || fn.getSymName() == name || (of && of.getValue() == name))
      return fn;
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Seeded arguments
//===----------------------------------------------------------------------===//


/// The range of the random values of float argument `arg`: [0, 1) when some
/// bce uses it (as probabilities or as targets, which PyTorch requires in
/// [0, 1]), else [-1, 1).
static std::pair<double, double> floatRange(BlockArgument arg) {
  for (Operation *user : arg.getUsers())
    if (isa<nn::BceOp, nn::BceBackwardOp>(user))
      return {0.0, 1.0};
  return {-1.0, 1.0};
}

/// Fills a float tensor of `type` with `fill(float *)` or `fill(double *)`,
/// so that f32 values are drawn exactly as compiled f32 code draws them.
template <typename Fill> static Tensor generateFloat(Shape shape, ElementType type, Fill fill) {
  Tensor t = Tensor::zeros(std::move(shape), type);
  if (type == ElementType::F32) {
    std::vector<float> data(t.numel());
    fill(data.data());
    t.floats.assign(data.begin(), data.end());
  } else {
    fill(t.floats.data());
  }
  return t;
}

/// The runtime initialiser of a parameter's nn.init dictionary.
static FailureOr<runtime::InitSpec> initSpec(func::FuncOp fn, unsigned index,
                                             const std::string &name) {
  DictionaryAttr init = nn::paramInit(fn, index);
  auto number = [&](StringRef key) {
    auto attr = init ? init.getAs<FloatAttr>(key) : FloatAttr();
    return attr ? std::optional<double>(attr.getValueAsDouble()) : std::nullopt;
  };
  auto dist = init ? init.getAs<StringAttr>("dist") : StringAttr();
  using Dist = runtime::InitSpec::Dist;
  if (dist && dist.getValue() == "uniform" && number("low") && number("high"))
    return runtime::InitSpec{Dist::Uniform, *number("low"), *number("high")};
  if (dist && dist.getValue() == "normal" && number("mean") && number("std"))
    return runtime::InitSpec{Dist::Normal, *number("mean"), *number("std")};
  if (dist && dist.getValue() == "constant" && number("value"))
    return runtime::InitSpec{Dist::Constant, *number("value"), 0};
  bool buffer = nn::argRole(fn, index) == ArgRole::Buffer;
  return fn.emitError() << (buffer ? "buffer '" : "parameter '") << name
                        << "' has no valid nn.init";
}

FailureOr<SmallVector<Tensor>> makeArguments(func::FuncOp fn, uint64_t seed,
                                             const TensorSet *loaded, int64_t dropoutSeed) {
  SmallVector<Tensor> values;
  uint64_t inputCount = 0, paramCount = 0, bufferCount = 0;
  for (const ArgInfo &arg : describeArguments(fn)) {
    Type type = fn.getArgument(arg.index).getType();
    Shape shape = shapeOf(type);
    FailureOr<ElementType> elementType = elementTypeOf(type, false);
    if (failed(elementType))
      return fn.emitError() << "argument '" << arg.name << "' has unsupported type " << type;
    const std::map<std::string, Tensor> *source =
        !loaded                                                   ? nullptr
        : arg.role == ArgRole::Input || arg.role == ArgRole::Seed ? &loaded->inputs
        : arg.role == ArgRole::Param || arg.role == ArgRole::Buffer ? &loaded->params
                                                                  : nullptr;
    uint64_t stream = 0;
    if (arg.role == ArgRole::Input)
      stream = runtime::inputStream(inputCount++);
    else if (arg.role == ArgRole::Param)
      stream = runtime::paramStream(paramCount++);
    else if (arg.role == ArgRole::Buffer)
      stream = runtime::bufferStream(bufferCount++);
    if (source && source->count(arg.name)) {
      const Tensor &t = source->at(arg.name);
      if (t.shape != shape || t.isFloat() != isFloatType(*elementType))
        return emitError(fn.getArgument(arg.index).getLoc())
               << "loaded tensor '" << arg.name << "' is " << t.typeString()
               << ", the model expects " << elementTypeName(*elementType) << shapeString(shape);
      values.push_back(t.convertedTo(*elementType));
      continue;
    }
    switch (arg.role) {
    case ArgRole::Input:
      if (isFloatType(*elementType)) {
        auto [low, high] = floatRange(fn.getArgument(arg.index));
        values.push_back(generateFloat(shape, *elementType, [&](auto *data) {
          runtime::fillUniform(data, numElements(shape), low, high, seed, stream);
        }));
      } else {
        Tensor t = Tensor::zeros(shape, *elementType);
        // Indices no use bounds are drawn from [0, 10).
        int64_t bound = nn::indexBound(fn.getArgument(arg.index));
        runtime::fillIndices(t.ints.data(), t.ints.size(), bound > 0 ? bound : 10, seed, stream);
        values.push_back(std::move(t));
      }
      break;
    case ArgRole::Param: {
      FailureOr<runtime::InitSpec> spec = initSpec(fn, arg.index, arg.name);
      if (failed(spec) || !isFloatType(*elementType))
        return fn.emitError() << "cannot initialise parameter '" << arg.name << "'";
      values.push_back(generateFloat(shape, *elementType, [&](auto *data) {
        runtime::fill(data, numElements(shape), *spec, seed, stream);
      }));
      break;
    }
    case ArgRole::Seed:
      values.push_back(Tensor::integer(dropoutSeed, *elementType));
      break;
    case ArgRole::Buffer: {
      // Buffers start from their nn.init (running_var at 1), else at zero.
      if (!nn::paramInit(fn, arg.index)) {
        values.push_back(Tensor::zeros(shape, *elementType));
        break;
      }
      FailureOr<runtime::InitSpec> spec = initSpec(fn, arg.index, arg.name);
      if (failed(spec))
        return failure();
      if (isFloatType(*elementType)) {
        values.push_back(generateFloat(shape, *elementType, [&](auto *data) {
          runtime::fill(data, numElements(shape), *spec, seed, stream);
        }));
      } else {
        Tensor t = Tensor::zeros(shape, *elementType);
        runtime::fill(t.ints.data(), t.ints.size(), *spec, seed, stream);
        values.push_back(std::move(t));
      }
      break;
    }
    case ArgRole::Hyper:
      // A hyperparameter takes the value the model was compiled with.
      values.push_back(
          Tensor::scalar(nn::hyperValue(fn, arg.index).value_or(0.0), *elementType));
      break;
    case ArgRole::State:
    case ArgRole::Other:
      values.push_back(Tensor::zeros(shape, *elementType));
      break;
    }
  }
  return values;
}

} // namespace netc::interp
