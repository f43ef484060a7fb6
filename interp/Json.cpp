//===- Json.cpp - the tensor files of --dump and --load -------------------===//
//
// {"inputs": {NAME: TENSOR}, "params": {...}, "outputs": {...}, "loss": x}
// (after --train also "trained_params": {...} and "losses": [x, ...])
// with TENSOR = {"dtype": "f32", "shape": [2, 3], "data": [flat, row-major]}.
// Doubles are written with 17 significant digits, so values read back are
// bit-identical; NaN and infinities are the strings "nan", "inf", "-inf".
//
//===----------------------------------------------------------------------===//

#include "interp/Model.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <nlohmann/json.hpp>

using namespace mlir;
using json = nlohmann::ordered_json;

namespace netc::interp {

/// A float as JSON: a number, or the string "nan", "inf" or "-inf", which
/// JSON numbers cannot express.
static json floatToJSON(double v) {
  if (std::isfinite(v))
    return v;
  return std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
}

/// The inverse of floatToJSON.
static std::optional<double> floatFromJSON(const json &v) {
  if (v.is_number())
    return v.get<double>();
  if (v.is_string() && v == "nan")
    return NAN;
  if (v.is_string() && (v == "inf" || v == "-inf"))
    return v == "inf" ? INFINITY : -INFINITY;
  return std::nullopt;
}

static json tensorToJSON(const Tensor &t) {
  json data = json::array();
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (t.isFloat())
      data.push_back(floatToJSON(t.floats[i]));
    else
      data.push_back(t.ints[i]);
  }
  return {{"dtype", elementTypeName(t.type)}, {"shape", t.shape}, {"data", std::move(data)}};
}

LogicalResult writeTensorJSON(StringRef path, const TensorSet &set, Location loc) {
  json root = json::object();
  auto group = [](const std::map<std::string, Tensor> &tensors) {
    json g = json::object();
    for (const auto &[name, t] : tensors)
      g[name] = tensorToJSON(t);
    return g;
  };
  root["inputs"] = group(set.inputs);
  root["params"] = group(set.params);
  root["outputs"] = group(set.outputs);
  if (set.loss)
    root["loss"] = floatToJSON(*set.loss);
  if (!set.trainedParams.empty())
    root["trained_params"] = group(set.trainedParams);
  if (!set.losses.empty()) {
    root["losses"] = json::array();
    for (double loss : set.losses)
      root["losses"].push_back(floatToJSON(loss));
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return emitError(loc) << "cannot write '" << path << "': " << ec.message();
  // Names are checked by the nn dialect's verifier; bytes that are not
  // UTF-8 would still become U+FFFD here rather than abort.
  os << root.dump(1, ' ', false, json::error_handler_t::replace) << "\n";
  return success();
}

/// Parses one TENSOR object; `what` names it in errors.
static FailureOr<Tensor> tensorFromJSON(const json &j, const std::string &what, Location loc) {
  if (!j.is_object() || !j.contains("shape") || !j.contains("data") || !j["shape"].is_array() ||
      !j["data"].is_array())
    return emitError(loc) << what << " needs \"shape\" and \"data\" arrays";
  std::string dtype = j.value("dtype", "f32");
  static const std::pair<const char *, ElementType> types[] = {{"f32", ElementType::F32},
                                                               {"f64", ElementType::F64},
                                                               {"i32", ElementType::I32},
                                                               {"i64", ElementType::I64}};
  std::optional<ElementType> type;
  for (auto [typeName, t] : types)
    if (dtype == typeName)
      type = t;
  if (!type)
    return emitError(loc) << what << " has unknown dtype '" << dtype << "'";
  Shape shape;
  for (const json &d : j["shape"]) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0)
      return emitError(loc) << what << " has a bad shape entry " << d.dump();
    shape.push_back(d.get<int64_t>());
  }
  // Checked before allocating: the shape may claim any size.
  const json &data = j["data"];
  if (static_cast<int64_t>(data.size()) != numElements(shape))
    return emitError(loc) << what << " has " << data.size() << " values, its shape "
                          << shapeString(shape) << " needs " << numElements(shape);
  Tensor t = Tensor::zeros(shape, *type);
  for (int64_t i = 0; i < t.numel(); ++i) {
    const json &v = data[i];
    if (t.isFloat() && floatFromJSON(v))
      t.floats[i] = *floatFromJSON(v);
    else if (!t.isFloat() && v.is_number_integer())
      t.ints[i] = v.get<int64_t>();
    else
      return emitError(loc) << what << " has a bad value " << v.dump() << " at flat position " << i;
  }
  t.roundToType();
  return t;
}

FailureOr<TensorSet> readTensorJSON(StringRef path, Location loc) {
  // A JSON number takes at least two bytes: 2 GiB of text is more than the
  // interpreter's tensors can hold.
  constexpr uint64_t kMaxJSONBytes = 2ull << 30;
  llvm::sys::fs::file_status status;
  if (std::error_code ec = llvm::sys::fs::status(path, status))
    return emitError(loc) << "cannot read '" << path << "': " << ec.message();
  if (status.type() != llvm::sys::fs::file_type::regular_file)
    return emitError(loc) << "cannot read '" << path << "': not a regular file";
  if (status.getSize() > kMaxJSONBytes)
    return emitError(loc) << "cannot read '" << path << "': larger than the limit of "
                          << (kMaxJSONBytes >> 30) << " GiB";
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return emitError(loc) << "cannot read '" << path << "': " << buffer.getError().message();
  // Errors in the file's contents point at the file itself.
  loc = FileLineColLoc::get(loc.getContext(), path, 1, 1);
  json root = json::parse((*buffer)->getBuffer().begin(), (*buffer)->getBuffer().end(), nullptr,
                          /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object())
    return emitError(loc) << "not a JSON object";
  TensorSet set;
  for (auto [key, target] : {std::pair{"inputs", &set.inputs}, std::pair{"params", &set.params},
                             std::pair{"outputs", &set.outputs}}) {
    if (!root.contains(key))
      continue;
    if (!root[key].is_object())
      return emitError(loc) << "\"" << key << "\" is not an object";
    for (auto it = root[key].begin(); it != root[key].end(); ++it) {
      std::string what = "tensor '" + it.key() + "'";
      FailureOr<Tensor> t = tensorFromJSON(it.value(), what, loc);
      if (failed(t))
        return failure();
      (*target)[it.key()] = std::move(*t);
    }
  }
  if (root.contains("loss"))
    set.loss = floatFromJSON(root["loss"]);
  return set;
}

} // namespace netc::interp
