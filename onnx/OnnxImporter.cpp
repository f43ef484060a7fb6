//===- OnnxImporter.cpp - an ONNX graph as an nn function -----------------===//
//
// Graph inputs that are not initializers become `nn.input` arguments,
// initializers become `nn.param` (or, for BatchNormalization's statistics,
// `nn.buffer`) arguments when a node first uses them as tensors, and graph
// outputs `nn.output` results, all under their ONNX names. Nodes are
// converted in the graph's (topological) order: a node whose inputs are all
// known at import is folded when its op has a folder; otherwise its
// converter builds nn ops.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "ir/NNDialect.h"
#include "ir/Names.h"
#include "ir/Signature.h"
#include "runtime/Safetensors.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace netc::onnx {

OnnxImporter::OnnxImporter(MLIRContext &context, const std::string &path,
                           const OnnxImportOptions &options)
    : builder(&context), context(context), path(path), options(options),
      fileLocation(FileLineColLoc::get(&context, path, 0, 0)) {}

Location OnnxImporter::namedLoc(StringRef name) const {
  return NameLoc::get(StringAttr::get(&context, name), fileLocation);
}

//===--- The value map ---===//

Value OnnxImporter::lookupValue(const std::string &name) const {
  auto it = values.find(name);
  return it == values.end() ? Value() : it->second;
}

const HostTensor *OnnxImporter::lookupConstant(const std::string &name) {
  if (auto it = constants.find(name); it != constants.end())
    return &it->second;
  // An initializer is known at import; small ones are read when asked for
  // (a shape for Reshape, the bounds of Clip).
  if (auto it = initializers.find(name); it != initializers.end()) {
    std::optional<HostTensor> t = readTensor(*it->second, namedLoc(name),
                                             "initializer '" + name + "'");
    if (!t)
      return nullptr;
    return &constants.insert({name, std::move(*t)}).first->second;
  }
  return nullptr;
}

bool OnnxImporter::isInitializer(const std::string &name) const {
  return initializers.count(name) != 0;
}

bool OnnxImporter::isFoldable(const std::string &name) const {
  if (auto it = initializers.find(name); it != initializers.end())
    return !isFloatDType(it->second->data_type());
  return constants.count(name) != 0;
}

void OnnxImporter::bindValue(const std::string &name, Value value) {
  values[name] = value;
  constants.erase(name);
}

void OnnxImporter::bindConstant(const std::string &name, HostTensor value) {
  constants[name] = std::move(value);
  values.erase(name);
}

Value OnnxImporter::initializerArgument(const std::string &name, bool asBuffer, OnnxNode &user) {
  if (Value v = lookupValue(name)) {
    if (argumentIsBuffer.lookup(name) != asBuffer)
      user.error() << "uses initializer '" << name << "' as a "
                   << (asBuffer ? "buffer" : "parameter") << ", but an earlier node uses it as a "
                   << (asBuffer ? "parameter" : "buffer");
    return v;
  }
  const ::onnx::TensorProto &tensor = *initializers.lookup(name);
  Type element = tensor.data_type() == kFloat    ? Type(builder.getF32Type())
                 : tensor.data_type() == kDouble ? Type(builder.getF64Type())
                                                 : Type();
  if (!element) {
    // Integer initializers are constants of the IR (they fold where they feed shapes).
    if (const HostTensor *t = lookupConstant(name))
      if (Value v = materialize(builder, user.loc(), *t))
        return v;
    user.error() << "initializer '" << name << "' of " << dtypeName(tensor.data_type())
                 << " cannot be a tensor of the model";
    return {};
  }
  if (std::optional<std::string> why = checkName(name)) {
    user.error() << "initializer name '" << printableName(name) << "' " << *why;
    return {};
  }
  auto type = RankedTensorType::get(
      SmallVector<int64_t>(tensor.dims().begin(), tensor.dims().end()), element);
  Value arg = body->addArgument(type, namedLoc(name));
  // The values travel in the weights; the init is only a placeholder.
  DictionaryAttr init = builder.getDictionaryAttr(
      {builder.getNamedAttr("dist", builder.getStringAttr("constant")),
       builder.getNamedAttr("value", builder.getF64FloatAttr(0.0))});
  argAttrs.push_back(builder.getDictionaryAttr(
      {nn::roleAttr(&context, asBuffer ? nn::ArgRole::Buffer : nn::ArgRole::Param, name),
       builder.getNamedAttr(nn::NNDialect::InitAttrHelper::getNameStr(), init)}));
  values[name] = arg;
  argumentIsBuffer[name] = asBuffer;
  weightArgs.push_back({name, &tensor});
  return arg;
}

//===--- The graph ---===//

std::string OnnxImporter::functionName(const ::onnx::GraphProto &graph) const {
  std::string raw = options.modelName;
  if (raw.empty())
    raw = graph.name();
  if (raw.empty())
    raw = llvm::sys::path::stem(path).str();
  std::string name;
  for (char c : raw)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    name = "model_" + name;
  return name.substr(0, kMaxNameBytes);
}

LogicalResult OnnxImporter::importInputs(const ::onnx::GraphProto &graph) {
  bool ok = true;
  for (const ::onnx::ValueInfoProto &input : graph.input()) {
    const std::string &name = input.name();
    if (isInitializer(name))
      continue; // an initializer listed as an input (IR version < 4): a weight
    Location loc = namedLoc(name);
    auto fail = [&]() -> InFlightDiagnostic {
      ok = false;
      return emitError(loc) << "graph input '" << printableName(name) << "': ";
    };
    if (std::optional<std::string> why = checkName(name)) {
      fail() << "the name " << *why;
      continue;
    }
    if (!input.type().has_tensor_type()) {
      fail() << "only tensor inputs are supported";
      continue;
    }
    const auto &tensorType = input.type().tensor_type();
    Type element = elementTypeOf(builder, tensorType.elem_type());
    if (!element) {
      fail() << "unsupported data type " << dtypeName(tensorType.elem_type());
      continue;
    }
    if (!tensorType.has_shape()) {
      fail() << "has no shape; netc needs the rank and every dimension";
      continue;
    }
    SmallVector<int64_t> shape;
    for (const auto &[axis, dim] : llvm::enumerate(tensorType.shape().dim())) {
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        shape.push_back(dim.dim_value());
      } else if (dim.has_dim_param() && options.dims.count(dim.dim_param())) {
        shape.push_back(options.dims.at(dim.dim_param()));
      } else if (dim.has_dim_param()) {
        fail() << "dimension " << axis << " is the symbolic '" << dim.dim_param()
               << "'; give its size with --set-dim " << dim.dim_param() << "=N";
        break;
      } else {
        fail() << "dimension " << axis << " has no size; netc needs every dimension";
        break;
      }
    }
    if (shape.size() != static_cast<size_t>(tensorType.shape().dim_size()))
      continue;
    Value arg = body->addArgument(RankedTensorType::get(shape, element), loc);
    argAttrs.push_back(builder.getDictionaryAttr(nn::roleAttr(&context, nn::ArgRole::Input, name)));
    values[name] = arg;
  }
  return success(ok);
}

LogicalResult OnnxImporter::importNode(const ::onnx::NodeProto &proto, int64_t index) {
  OnnxNode node(*this, proto, index);
  if (!proto.domain().empty() && proto.domain() != "ai.onnx") {
    node.error() << "op domain '" << proto.domain()
                 << "' is not supported; netc reads the default domain only";
    return failure();
  }
  const OnnxOpRegistry &registry = onnxOpRegistry();
  bool known = true;
  for (size_t i = 0; i < node.numInputs(); ++i)
    known &= !node.hasInput(i) || isFoldable(proto.input(i));
  if (const OnnxConverter *fold = registry.lookupFold(proto.op_type()); fold && known)
    return success(succeeded((*fold)(node)) && !node.failed());
  const OnnxConverter *convert = registry.lookup(proto.op_type(), opset);
  if (!convert) {
    std::optional<int64_t> first = registry.firstOpset(proto.op_type());
    if (first)
      node.error() << "unsupported op at this opset: netc converts " << proto.op_type()
                   << " from opset " << *first;
    else
      node.error() << "unsupported op '" << proto.op_type() << "'";
    return failure();
  }
  return success(succeeded((*convert)(node)) && !node.failed());
}

LogicalResult OnnxImporter::finish(const ::onnx::GraphProto &graph, ModelWeights &weights) {
  SmallVector<Value> results;
  SmallVector<Attribute> resultAttrs;
  bool ok = true;
  for (const ::onnx::ValueInfoProto &output : graph.output()) {
    const std::string &name = output.name();
    Location loc = namedLoc(name);
    Value v = lookupValue(name);
    if (!v)
      if (const HostTensor *t = lookupConstant(name))
        v = materialize(builder, loc, *t);
    if (!v) {
      emitError(loc) << "graph output '" << printableName(name) << "' is not computed by the graph";
      ok = false;
      continue;
    }
    if (std::optional<std::string> why = checkName(name)) {
      emitError(loc) << "graph output '" << printableName(name) << "': the name " << *why;
      ok = false;
      continue;
    }
    results.push_back(v);
    resultAttrs.push_back(
        builder.getDictionaryAttr(nn::roleAttr(&context, nn::ResultRole::Output, name)));
  }
  if (graph.output_size() == 0) {
    emitError(fileLocation) << "the graph has no outputs";
    ok = false;
  }
  if (!ok)
    return failure();
  builder.create<func::ReturnOp>(fileLocation, results);
  func.setFunctionType(builder.getFunctionType(body->getArgumentTypes(), ValueRange(results).getTypes()));
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(resultAttrs);

  // The weights: every initializer that became an argument, by its ONNX name.
  std::vector<runtime::SafetensorsTensorRef> tensors;
  for (const Weight &w : weightArgs) {
    std::optional<ArrayRef<char>> bytes =
        tensorBytes(*w.tensor, namedLoc(w.name), "initializer '" + w.name + "'");
    if (!bytes)
      return failure();
    tensors.push_back({w.name, w.tensor->data_type() == kFloat ? "F32" : "F64",
                       std::vector<int64_t>(w.tensor->dims().begin(), w.tensor->dims().end()),
                       bytes->data()});
  }
  weights.origin = llvm::sys::path::filename(path).str();
  weights.safetensors.clear();
  std::string error;
  if (!tensors.empty() &&
      !runtime::serializeSafetensors(weights.origin, tensors, {}, weights.safetensors, error)) {
    emitError(fileLocation) << error;
    return failure();
  }
  return success();
}

OwningOpRef<ModuleOp> OnnxImporter::import(const ::onnx::ModelProto &model, ModelWeights &weights) {
  const ::onnx::GraphProto &graph = model.graph();
  for (const ::onnx::TensorProto &init : graph.initializer())
    initializers[init.name()] = &init;
  if (graph.sparse_initializer_size()) {
    emitError(fileLocation) << "sparse initializers are not supported";
    return nullptr;
  }

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLocation);
  builder.setInsertionPointToEnd(module->getBody());
  std::string name = functionName(graph);
  func = builder.create<func::FuncOp>(namedLoc(name), name, builder.getFunctionType({}, {}));
  body = func.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  if (failed(importInputs(graph)))
    return nullptr;
  // The first node that fails stops the import: later nodes would only
  // report its outputs as missing.
  for (int64_t index = 0; index < graph.node_size(); ++index)
    if (failed(importNode(graph.node(index), index)))
      return nullptr;
  if (failed(finish(graph, weights)))
    return nullptr;
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

} // namespace netc::onnx
