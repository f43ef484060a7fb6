//===- ReceptiveFieldReport.cpp - --emit=rf and --emit=rf-json ------------===//
//
// Prints the `nn.rf` attributes that nn-receptive-field attached: as an
// aligned table for people, and as the JSON object of DESIGN.md's contract
// for tools. Names and lines come from the ops' locations, which the importer
// builds as NameLoc("dslname", FileLineColLoc(file, line, col)).
//
//===----------------------------------------------------------------------===//

#include "ir/Queries.h"
#include "ir/Signature.h"
#include "reports/Reports.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <numeric>
#include <optional>
#include <string>
#include <vector>

using namespace mlir;
namespace nn = netc::nn;
using json = nlohmann::ordered_json;

namespace {

/// One value of the report: where it comes from and its geometry.
struct Row {
  std::string name;
  unsigned line = 0;
  std::string op;
  std::vector<int64_t> shape;
  /// The image input the geometry is relative to; empty when none.
  std::string input;
  bool global = false;
  bool aligned = true;
  /// [H, W] each; for a global value the whole input: size and stride are
  /// the input's spatial dims and the padding is zero.
  int64_t size[2] = {0, 0}, stride[2] = {0, 0}, padding[2] = {0, 0};
  /// The unit of size, stride and padding per axis: 1 / den pixels.
  int64_t den[2] = {1, 1};
  /// Whether every element sees the same window (else the window bounds each one's field).
  bool uniform = true;
  /// The output name when the value is a model output.
  std::string output;
};


/// The static shape of a value, or nothing for a non-tensor.
std::vector<int64_t> shapeOf(Value v) {
  if (auto type = dyn_cast<RankedTensorType>(v.getType()))
    return std::vector<int64_t>(type.getShape().begin(), type.getShape().end());
  return {};
}

/// The argument of `fn` marked `nn.input = name`, if any.
std::optional<BlockArgument> inputNamed(func::FuncOp fn, StringRef name) {
  for (BlockArgument arg : fn.getArguments())
    if (auto attr = nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Input))
      if (attr.getValue() == name)
        return arg;
  return std::nullopt;
}

/// Whether an argument is an image input: float, rank 3 or 4, marked `nn.input`.
bool isImageInput(func::FuncOp fn, BlockArgument arg) {
  auto type = dyn_cast<RankedTensorType>(arg.getType());
  return nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Input) && type &&
         (type.getRank() == 3 || type.getRank() == 4) && isa<FloatType>(type.getElementType());
}

/// Fills a row's geometry from an `nn.rf` attribute; false when malformed.
bool readField(func::FuncOp fn, DictionaryAttr rf, Row &row) {
  auto input = rf.getAs<StringAttr>("input");
  auto aligned = rf.getAs<BoolAttr>("aligned");
  if (!input || !aligned)
    return false;
  row.input = input.getValue().str();
  row.aligned = aligned.getValue();
  if (auto global = rf.getAs<BoolAttr>("global"); global && global.getValue()) {
    std::optional<BlockArgument> arg = inputNamed(fn, row.input);
    if (!arg)
      return false;
    std::vector<int64_t> dims = shapeOf(*arg);
    if (dims.size() < 2)
      return false;
    row.global = true;
    for (int axis = 0; axis < 2; ++axis) {
      row.size[axis] = row.stride[axis] = dims[dims.size() - 2 + axis];
      row.padding[axis] = 0;
    }
    return true;
  }
  auto size = rf.getAs<DenseI64ArrayAttr>("size");
  auto stride = rf.getAs<DenseI64ArrayAttr>("stride");
  auto padding = rf.getAs<DenseI64ArrayAttr>("padding");
  if (!size || !stride || !padding || size.size() != 2 || stride.size() != 2 || padding.size() != 2)
    return false;
  for (int axis = 0; axis < 2; ++axis) {
    row.size[axis] = size[axis];
    row.stride[axis] = stride[axis];
    row.padding[axis] = padding[axis];
  }
  if (auto uniform = rf.getAs<BoolAttr>("uniform"))
    row.uniform = uniform.getValue();
  if (Attribute den = rf.get("den")) {
    auto pair = dyn_cast<DenseI64ArrayAttr>(den);
    if (!pair || pair.size() != 2 || pair[0] < 1 || pair[1] < 1)
      return false;
    row.den[0] = pair[0];
    row.den[1] = pair[1];
  }
  return true;
}

/// The rows of one model, and its outputs; an error at the op when an
/// `nn.rf` attribute is malformed.
struct ModelReport {
  std::string model;
  /// The image input of the report: the first, in argument order, that a
  /// row is relative to, else the first image input; empty when none.
  std::string input;
  std::vector<int64_t> inputShape;
  std::vector<Row> values;
  /// One per model output, in order; `input` is empty when the output does
  /// not depend on an image input.
  std::vector<Row> outputs;
};

/// Collects the report of one function.
FailureOr<ModelReport> collect(func::FuncOp fn) {
  ModelReport report;
  report.model = fn.getSymName().str();
  llvm::DenseMap<Operation *, size_t> rowOf;
  WalkResult walked = fn.walk([&](Operation *op) {
    auto rf = op->getAttrOfType<DictionaryAttr>("nn.rf");
    if (!rf || op->getNumResults() == 0)
      return WalkResult::advance();
    Row row;
    std::tie(row.name, row.line) = netc::nn::dslSource(op->getLoc());
    row.op = op->getName().stripDialect().str();
    row.shape = shapeOf(op->getResult(0));
    if (!readField(fn, rf, row)) {
      op->emitError() << "malformed 'nn.rf' attribute " << rf;
      return WalkResult::interrupt();
    }
    rowOf[op] = report.values.size();
    report.values.push_back(row);
    return WalkResult::advance();
  });
  if (walked.wasInterrupted())
    return failure();

  // The report's input: the first (in argument order) that a row refers to,
  // else the first image input.
  for (BlockArgument arg : fn.getArguments()) {
    auto name = nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Input);
    if (name &&
        llvm::any_of(report.values, [&](const Row &r) { return r.input == name.getValue(); })) {
      report.input = name.getValue().str();
      report.inputShape = shapeOf(arg);
      break;
    }
  }
  for (BlockArgument arg : fn.getArguments()) {
    if (!report.input.empty() || !isImageInput(fn, arg))
      continue;
    report.input = nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Input).str();
    report.inputShape = shapeOf(arg);
  }

  if (fn.isExternal())
    return report;
  Operation *terminator = fn.getBody().back().getTerminator();
  for (auto [i, result] : llvm::enumerate(terminator->getOperands())) {
    auto outputName = nn::resultName(fn, i, nn::ResultRole::Output);
    if (!outputName)
      continue;
    Row row;
    if (Operation *def = result.getDefiningOp(); def && rowOf.count(def)) {
      report.values[rowOf[def]].output = outputName.getValue().str();
      row = report.values[rowOf[def]];
    } else {
      std::tie(row.name, row.line) = netc::nn::dslSource(def ? def->getLoc() : result.getLoc());
      row.op = def ? def->getName().stripDialect().str() : "input";
      row.shape = shapeOf(result);
      auto arg = dyn_cast<BlockArgument>(result);
      if (arg && isImageInput(fn, arg)) {
        // The image itself: every pixel sees only itself.
        row.input = nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Input).str();
        row.size[0] = row.size[1] = row.stride[0] = row.stride[1] = 1;
      }
    }
    row.name = outputName.getValue().str();
    report.outputs.push_back(row);
  }
  return report;
}

/// A number of 1/den pixels: an integer, or a fraction "n/d" in lowest terms.
std::string scaledText(int64_t v, int64_t den) {
  int64_t g = std::gcd(v, den);
  if (g > 1) {
    v /= g;
    den /= g;
  }
  return den == 1 ? std::to_string(v) : std::to_string(v) + "/" + std::to_string(den);
}

/// Joins two numbers as "HxW", each in units of 1/den pixels.
std::string pairText(const int64_t v[2], const int64_t den[2]) {
  return scaledText(v[0], den[0]) + "x" + scaledText(v[1], den[1]);
}

/// A JSON pair of numbers in units of 1/den pixels: integers when whole,
/// else decimals.
json pairJSON(const int64_t v[2], const int64_t den[2]) {
  json pair = json::array();
  for (int axis = 0; axis < 2; ++axis) {
    if (v[axis] % den[axis] == 0)
      pair.push_back(v[axis] / den[axis]);
    else
      pair.push_back(static_cast<double>(v[axis]) / static_cast<double>(den[axis]));
  }
  return pair;
}

/// Joins a shape as "1x3x32x32", or "scalar" for rank 0.
std::string shapeText(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "x" : "") + std::to_string(d);
  return s;
}

/// One line of JSON. Names from an .mlir file's locations are not checked
/// by the verifier: bytes that are not UTF-8 become U+FFFD instead of
/// aborting, and nlohmann escapes quotes and control characters.
std::string dumped(const json &j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

/// One entry of the JSON contract.
json entryJSON(const Row &row) {
  json e;
  e["name"] = row.name;
  e["line"] = row.line;
  e["op"] = row.op;
  e["shape"] = row.shape;
  if (row.input.empty()) {
    // An output that does not depend on an image input has no receptive field.
    e["rf"] = nullptr;
    e["stride"] = nullptr;
    e["padding"] = nullptr;
  } else {
    e["rf"] = pairJSON(row.size, row.den);
    e["stride"] = pairJSON(row.stride, row.den);
    e["padding"] = pairJSON(row.padding, row.den);
  }
  e["aligned"] = row.aligned;
  if (!row.uniform)
    e["uniform"] = false;
  if (row.global)
    e["global"] = true;
  return e;
}

/// The JSON object of one model, laid out with one entry a line so that it
/// reads like the table and diffs well.
std::string modelJSON(const ModelReport &report) {
  auto entries = [](const std::vector<Row> &rows) {
    if (rows.empty())
      return std::string("[]");
    std::string text = "[\n";
    for (auto [i, row] : llvm::enumerate(rows))
      text += "    " + dumped(entryJSON(row)) + (i + 1 < rows.size() ? ",\n" : "\n");
    return text + "  ]";
  };
  json input = report.input.empty() ? json(nullptr) : json(report.input);
  return "{\n  \"model\": " + dumped(json(report.model)) + ",\n  \"input\": " + dumped(input) +
         ",\n  \"values\": " + entries(report.values) +
         ",\n  \"outputs\": " + entries(report.outputs) + "\n}";
}

/// The models of a module, in order.
std::vector<func::FuncOp> modelsOf(ModuleOp module) {
  std::vector<func::FuncOp> fns;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal())
      fns.push_back(fn);
  return fns;
}

/// Prints the table of one model.
void printTable(const ModelReport &report, llvm::raw_ostream &os) {
  os << "receptive fields of model '" << report.model << "'";
  if (report.input.empty()) {
    os << ": no image input (a float input of rank 3 or 4)\n";
    return;
  }
  os << " relative to input '" << report.input << "' (" << shapeText(report.inputShape) << ")\n";
  std::vector<std::vector<std::string>> cells = {
      {"line", "name", "op", "shape", "rf", "stride", "padding", "notes"}};
  for (const Row &row : report.values) {
    std::vector<std::string> notes;
    if (row.global)
      notes.push_back("global");
    if (!row.aligned)
      notes.push_back("misaligned");
    if (!row.uniform)
      notes.push_back("not uniform: rf bounds every field");
    if (row.input != report.input)
      notes.push_back("relative to '" + row.input + "'");
    if (!row.output.empty())
      notes.push_back("output '" + row.output + "'");
    std::string noteText;
    for (const std::string &n : notes)
      noteText += (noteText.empty() ? "" : ", ") + n;
    cells.push_back({row.line ? std::to_string(row.line) : "-", row.name.empty() ? "-" : row.name,
                     row.op, shapeText(row.shape), pairText(row.size, row.den),
                     row.global ? "-" : pairText(row.stride, row.den),
                     row.global ? "-" : pairText(row.padding, row.den), noteText});
  }
  std::vector<size_t> width(cells.front().size(), 0);
  for (const auto &line : cells)
    for (auto [i, cell] : llvm::enumerate(line))
      width[i] = std::max(width[i], cell.size());
  for (const auto &line : cells) {
    std::string text;
    for (auto [i, cell] : llvm::enumerate(line)) {
      // The line number is right-aligned, every other column left-aligned.
      std::string pad(width[i] - cell.size(), ' ');
      text += (i ? "  " : "") + (i == 0 ? pad + cell : cell + pad);
    }
    os << llvm::StringRef(text).rtrim() << "\n";
  }
}

} // namespace

namespace netc {

mlir::LogicalResult printReceptiveFieldTable(mlir::ModuleOp module, llvm::raw_ostream &os) {
  for (auto [i, fn] : llvm::enumerate(modelsOf(module))) {
    FailureOr<ModelReport> report = collect(fn);
    if (failed(report))
      return failure();
    if (i)
      os << "\n";
    printTable(*report, os);
  }
  return success();
}

mlir::LogicalResult printReceptiveFieldJSON(mlir::ModuleOp module, llvm::raw_ostream &os) {
  std::vector<func::FuncOp> fns = modelsOf(module);
  if (fns.empty())
    return module.emitError("--emit=rf-json needs a model, the module has no function");
  std::vector<std::string> objects;
  for (func::FuncOp fn : fns) {
    FailureOr<ModelReport> report = collect(fn);
    if (failed(report))
      return failure();
    objects.push_back(modelJSON(*report));
  }
  // One model gives DESIGN.md's single object; an .mlir module of several, an array of them.
  if (objects.size() == 1) {
    os << objects.front() << "\n";
    return success();
  }
  os << "[\n";
  for (auto [i, text] : llvm::enumerate(objects))
    os << text << (i + 1 < objects.size() ? ",\n" : "\n");
  os << "]\n";
  return success();
}

} // namespace netc
