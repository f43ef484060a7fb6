//===- WeightFiles.cpp - tensor files of --run ----------------------------===//
//
// The function's arguments are described as netc_tensor records, the form a
// compiled model's descriptor gives the runtime, so that the runtime's
// matching (names, dtypes, shapes, batches) and its messages serve the
// interpreter unchanged.
//
//===----------------------------------------------------------------------===//

#include "interp/WeightFiles.h"

#include "interp/Interpreter.h"
#include "interp/Model.h"

#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"

#include <cstring>
#include <deque>

using namespace mlir;

namespace netc::interp {
namespace {

/// The arguments of some roles of a function as runtime tensor records.
struct ArgTensors {
  /// Storage of the records' names and shapes (a deque keeps them in place).
  std::deque<std::string> names;
  std::deque<Shape> shapes;
  std::vector<netc_tensor> descs;
  /// The argument index and element type of each record.
  std::vector<unsigned> argIndex;
  std::vector<ElementType> types;
};

netc_dtype dtypeOf(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return NETC_F32;
  case ElementType::F64:
    return NETC_F64;
  case ElementType::I32:
    return NETC_I32;
  case ElementType::I64:
    return NETC_I64;
  }
  return NETC_F32;
}

/// The arguments of `fn` whose role is `a` or `b`, in argument order.
ArgTensors describe(func::FuncOp fn, ArgRole a, ArgRole b) {
  ArgTensors out;
  for (const ArgInfo &arg : describeArguments(fn)) {
    if (arg.role != a && arg.role != b)
      continue;
    Type type = fn.getArgument(arg.index).getType();
    ElementType element = *elementTypeOf(type, /*forceF64=*/false);
    const std::string &name = out.names.emplace_back(arg.name);
    const Shape &shape = out.shapes.emplace_back(shapeOf(type));
    netc_tensor desc{};
    desc.name = name.c_str();
    desc.dtype = dtypeOf(element);
    desc.rank = static_cast<int32_t>(shape.size());
    desc.shape = shape.empty() ? nullptr : shape.data();
    out.descs.push_back(desc);
    out.argIndex.push_back(arg.index);
    out.types.push_back(element);
  }
  return out;
}

/// The `index`th tensor of `type` and `shape` stored from `bytes` on.
Tensor tensorAt(const uint8_t *bytes, ElementType type, const Shape &shape, int64_t index) {
  Tensor t = Tensor::zeros(shape, type);
  int64_t n = t.numel();
  size_t size = runtime::dtypeSize(dtypeOf(type));
  const uint8_t *p = bytes + index * n * size;
  for (int64_t i = 0; i < n; ++i, p += size) {
    float f;
    double d;
    int32_t i32;
    switch (type) {
    case ElementType::F32:
      std::memcpy(&f, p, sizeof f);
      t.floats[i] = f;
      break;
    case ElementType::F64:
      std::memcpy(&d, p, sizeof d);
      t.floats[i] = d;
      break;
    case ElementType::I32:
      std::memcpy(&i32, p, sizeof i32);
      t.ints[i] = i32;
      break;
    case ElementType::I64:
      std::memcpy(&t.ints[i], p, sizeof(int64_t));
      break;
    }
  }
  return t;
}

/// Stores element `k` of `t` at `p` as a `type` in memory.
void storeElement(const Tensor &t, int64_t k, ElementType type, uint8_t *p) {
  float f = static_cast<float>(t.get(k));
  double d = t.get(k);
  int32_t i32 = t.isFloat() ? 0 : static_cast<int32_t>(t.ints[k]);
  int64_t i64 = t.isFloat() ? 0 : t.ints[k];
  switch (type) {
  case ElementType::F32:
    std::memcpy(p, &f, sizeof f);
    break;
  case ElementType::F64:
    std::memcpy(p, &d, sizeof d);
    break;
  case ElementType::I32:
    std::memcpy(p, &i32, sizeof i32);
    break;
  case ElementType::I64:
    std::memcpy(p, &i64, sizeof i64);
    break;
  }
}

/// The model's name, as the executable of a train step's model says it.
std::string modelOf(func::FuncOp fn) {
  StringAttr forward = nn::trainStepOf(fn);
  return (forward ? forward.getValue() : fn.getSymName()).str();
}

/// Reads the files `specs` names and matches them with `tensors`; errors are
/// reported at `fn`.
LogicalResult readMatched(func::FuncOp fn, const std::vector<std::string> &specs,
                          const ArgTensors &tensors, const char *role, bool allowBatches,
                          runtime::TensorFile &file,
                          std::vector<runtime::MatchedTensor> &matched) {
  std::string error;
  std::string model = modelOf(fn);
  // Weights may come from a checkpoint of an executable: its optimizer state
  // and hyperparameters are passed over.
  bool weights = std::strcmp(role, "parameter") == 0;
  if (!file.readAll(specs, error) ||
      !runtime::matchTensors(file, tensors.descs.data(), static_cast<int>(tensors.descs.size()),
                             role, model.c_str(), allowBatches, matched, error,
                             /*allowMissing=*/false, /*skipCheckpointState=*/weights))
    return fn.emitError() << error;
  return success();
}

/// Puts the matched tensors of `file` into their arguments; unmatched ones
/// keep their values.
void placeMatched(const runtime::TensorFile &file, const ArgTensors &tensors,
                  const std::vector<runtime::MatchedTensor> &matched,
                  SmallVectorImpl<Tensor> &args) {
  for (size_t i = 0; i < tensors.descs.size(); ++i)
    if (matched[i].entry)
      args[tensors.argIndex[i]] =
          tensorAt(file.data(*matched[i].entry), tensors.types[i], tensors.shapes[i], 0);
}

/// The elements of `t` in `type`'s bytes, as a file stores them.
std::vector<uint8_t> bytesOf(const Tensor &t, ElementType type) {
  size_t size = runtime::dtypeSize(dtypeOf(type));
  std::vector<uint8_t> out(t.numel() * size);
  for (int64_t k = 0; k < t.numel(); ++k)
    storeElement(t, k, type, out.data() + k * size);
  return out;
}

} // namespace

LogicalResult loadWeights(func::FuncOp fn, const std::string &path,
                          SmallVectorImpl<Tensor> &args) {
  ArgTensors weights = describe(fn, ArgRole::Param, ArgRole::Buffer);
  runtime::TensorFile file;
  std::vector<runtime::MatchedTensor> matched;
  if (failed(readMatched(fn, {path}, weights, "parameter", false, file, matched)))
    return failure();
  placeMatched(file, weights, matched, args);
  return success();
}

LogicalResult loadDefaultWeights(func::FuncOp fn, const ModelWeights &defaults,
                                 SmallVectorImpl<Tensor> &args) {
  if (defaults.empty())
    return success();
  ArgTensors weights = describe(fn, ArgRole::Param, ArgRole::Buffer);
  runtime::TensorFile file;
  std::vector<runtime::MatchedTensor> matched;
  std::string error, model = modelOf(fn);
  std::string origin = defaults.origin.empty() ? "the model's default weights" : defaults.origin;
  if (!file.parse(defaults.safetensors, runtime::TensorFormat::Safetensors, origin, "", error) ||
      !runtime::matchTensors(file, weights.descs.data(), static_cast<int>(weights.descs.size()),
                             "parameter", model.c_str(), false, matched, error,
                             /*allowMissing=*/true))
    return fn.emitError() << error;
  placeMatched(file, weights, matched, args);
  return success();
}

LogicalResult loadInputs(func::FuncOp fn, const std::vector<std::string> &specs,
                         SmallVectorImpl<Tensor> &args) {
  if (specs.empty())
    return success();
  ArgTensors inputs = describe(fn, ArgRole::Input, ArgRole::Input);
  runtime::TensorFile file;
  std::vector<runtime::MatchedTensor> matched;
  if (failed(readMatched(fn, specs, inputs, "input", false, file, matched)))
    return failure();
  placeMatched(file, inputs, matched, args);
  return success();
}

LogicalResult saveWeights(func::FuncOp fn, const std::string &path, ArrayRef<Tensor> args) {
  ArgTensors weights = describe(fn, ArgRole::Param, ArgRole::Buffer);
  // The elements in their own dtype, each tensor in its own byte vector.
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<runtime::SafetensorsTensorRef> refs;
  for (size_t i = 0; i < weights.descs.size(); ++i)
    bytes.push_back(bytesOf(args[weights.argIndex[i]], weights.types[i]));
  for (size_t i = 0; i < weights.descs.size(); ++i)
    refs.push_back({weights.names[i], runtime::safetensorsDType(weights.descs[i].dtype),
                    weights.shapes[i], bytes[i].data()});
  std::string error;
  if (!runtime::writeTensorFile(path, refs, {{"netc_model", modelOf(fn)}}, error))
    return fn.emitError() << error;
  return success();
}

LogicalResult writeOutputs(func::FuncOp fn, const std::vector<std::string> &specs,
                           ArrayRef<Tensor> results) {
  // Outputs by name, then the loss as a 0-d tensor, as an executable writes them.
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<runtime::SafetensorsTensorRef> refs;
  SmallVector<ResultInfo> infos;
  for (ResultRole role : {ResultRole::Output, ResultRole::Loss})
    for (const ResultInfo &r : describeResults(fn))
      if (r.role == role)
        infos.push_back(r);
  for (const ResultInfo &r : infos)
    bytes.push_back(bytesOf(results[r.index], results[r.index].type));
  for (auto [k, r] : llvm::enumerate(infos)) {
    const Tensor &t = results[r.index];
    bool clash = llvm::any_of(refs, [&](const auto &ref) { return ref.name == r.name; });
    if (!clash)
      refs.push_back({r.name, runtime::safetensorsDType(dtypeOf(t.type)), t.shape,
                      bytes[k].data()});
  }
  std::string error;
  for (const std::string &spec : specs)
    if (!runtime::writeTensorFile(spec, refs, {{"netc_model", modelOf(fn)}}, error))
      return fn.emitError() << error;
  return success();
}

/// The file, and the inputs it feeds with their batch counts.
struct TrainingData::Batches {
  runtime::TensorFile file;
  ArgTensors inputs;
  std::vector<runtime::MatchedTensor> matched;
};

TrainingData::TrainingData() = default;
TrainingData::~TrainingData() = default;

LogicalResult TrainingData::read(func::FuncOp step, const std::string &path) {
  auto data = std::make_unique<Batches>();
  data->inputs = describe(step, ArgRole::Input, ArgRole::Input);
  if (failed(readMatched(step, {path}, data->inputs, "input", true, data->file, data->matched)))
    return failure();
  batches = std::move(data);
  return success();
}

void TrainingData::select(uint64_t index, SmallVectorImpl<Tensor> &args) const {
  if (!batches)
    return;
  const ArgTensors &inputs = batches->inputs;
  for (size_t i = 0; i < inputs.descs.size(); ++i) {
    const runtime::MatchedTensor &m = batches->matched[i];
    int64_t b = static_cast<int64_t>(index % static_cast<uint64_t>(m.batches));
    args[inputs.argIndex[i]] =
        tensorAt(batches->file.data(*m.entry), inputs.types[i], inputs.shapes[i], b);
  }
}

} // namespace netc::interp
