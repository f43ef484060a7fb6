//===- Dot.cpp - --emit=dot -----------------------------------------------===//
//
// Writes each model as a Graphviz digraph: inputs as sources, parameters as
// small grey notes, one box per op labelled with its DSL name, op and line,
// outputs and the loss as sinks, and every edge labelled with the shape and
// element type of the tensor it carries ("1x4x512x512 f32"). Constants show
// their value when they are scalar splats. Node ids are generated (in0, p2,
// op3, ...), so DSL names never need to be valid dot identifiers; labels are
// quoted and escaped.
//
//===----------------------------------------------------------------------===//

#include "ir/Names.h"
#include "ir/Signature.h"
#include "ir/Queries.h"
#include "reports/Reports.h"
#include "reports/StatsModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

using namespace mlir;
namespace nn = netc::nn;

namespace {

/// Escapes a string for a double-quoted dot ID; "\n" in the input is kept as
/// dot's line break escape, so callers build multi-line labels with "\\n".
/// Everything else goes through escapeDot: quotes, backslashes, control
/// bytes and invalid UTF-8 of a name (a location name of an .mlir file is
/// not checked by the verifier) cannot end the string or break the file.
std::string quoted(StringRef text) {
  llvm::SmallVector<StringRef> lines;
  text.split(lines, "\\n");
  std::string out = "\"";
  for (size_t i = 0; i < lines.size(); ++i)
    out += (i ? "\\n" : "") + netc::escapeDot(lines[i]);
  return out + "\"";
}

/// "1x4x512x512 f32", or "scalar f32" for rank 0.
std::string edgeLabel(Type type) {
  std::string text = netc::stats::shapeText(type);
  if (auto tensor = dyn_cast<RankedTensorType>(type)) {
    llvm::raw_string_ostream os(text);
    os << " " << tensor.getElementType();
  }
  return text;
}

/// The label of a constant: its value when it is a scalar or a splat.
std::string constantLabel(Operation *op) {
  std::string text = "constant";
  auto value = op->getAttrOfType<DenseElementsAttr>("value");
  if (value && value.isSplat() && isa<FloatType>(value.getElementType())) {
    llvm::raw_string_ostream os(text);
    os << "\\n" << llvm::format("%g", value.getSplatValue<APFloat>().convertToDouble());
  }
  return text;
}

/// Writes one model as a digraph.
void printModel(func::FuncOp fn, llvm::raw_ostream &os) {
  os << "digraph " << quoted(fn.getSymName()) << " {\n"
     << "  rankdir=TB;\n"
     << "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", "
        "fontsize=11];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  llvm::DenseMap<Value, std::string> nodeOf;

  Block &body = fn.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    unsigned i = arg.getArgNumber();
    if (auto param = nn::argName(fn, i, nn::ArgRole::Param)) {
      std::string id = "p" + std::to_string(i);
      os << "  " << id << " [label=" << quoted(param.getValue())
         << ", shape=note, fillcolor=\"#eeeeee\", fontsize=8, height=0.2];\n";
      nodeOf[arg] = id;
      continue;
    }
    auto input = nn::argName(fn, i, nn::ArgRole::Input);
    std::string id = "in" + std::to_string(i);
    std::string name = input ? input.getValue().str() : "arg" + std::to_string(i);
    os << "  " << id << " [label=" << quoted("input " + name)
       << ", shape=invhouse, fillcolor=\"#d8ecff\"];\n";
    nodeOf[arg] = id;
  }

  unsigned count = 0;
  for (Operation &op : body.without_terminator()) {
    std::string id = "op" + std::to_string(count++);
    std::string label;
    if (op.hasTrait<OpTrait::ConstantLike>()) {
      os << "  " << id << " [label=" << quoted(constantLabel(&op))
         << ", shape=plaintext, style=\"\", fontsize=8];\n";
    } else {
      auto [name, line] = netc::nn::dslSource(op.getLoc());
      StringRef opName = op.getDialect() && op.getDialect()->getNamespace() == "nn"
                             ? op.getName().stripDialect()
                             : op.getName().getStringRef();
      // Ops the user did not name carry their op name; show it once.
      label = (name.empty() || name == opName ? std::string() : name + "\\n") + opName.str();
      if (line)
        label += " (line " + std::to_string(line) + ")";
      os << "  " << id << " [label=" << quoted(label) << "];\n";
    }
    for (Value operand : op.getOperands())
      if (auto it = nodeOf.find(operand); it != nodeOf.end())
        os << "  " << it->second << " -> " << id
           << " [label=" << quoted(edgeLabel(operand.getType())) << "];\n";
    for (Value result : op.getResults())
      nodeOf[result] = id;
  }

  Operation *ret = body.getTerminator();
  for (auto [i, result] : llvm::enumerate(ret->getOperands())) {
    std::string id = "out" + std::to_string(i);
    std::string label, style;
    if (auto loss = nn::resultName(fn, i, nn::ResultRole::Loss)) {
      label = loss.getValue() == "loss" ? "loss" : "loss " + loss.getValue().str();
      style = "shape=doubleoctagon, fillcolor=\"#ffd8d8\"";
    } else {
      auto output = nn::resultName(fn, i, nn::ResultRole::Output);
      label = "output " + (output ? output.getValue().str() : std::to_string(i));
      style = "shape=house, fillcolor=\"#d8ffd8\"";
    }
    os << "  " << id << " [label=" << quoted(label) << ", " << style << "];\n";
    if (auto it = nodeOf.find(result); it != nodeOf.end())
      os << "  " << it->second << " -> " << id << " [label=" << quoted(edgeLabel(result.getType()))
         << "];\n";
  }
  os << "}\n";
}

} // namespace

namespace netc {

mlir::LogicalResult printDot(mlir::ModuleOp module, llvm::raw_ostream &os) {
  bool any = false;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isExternal())
      continue;
    printModel(fn, os);
    any = true;
  }
  if (!any)
    return module.emitError("no model to draw");
  return success();
}

} // namespace netc
