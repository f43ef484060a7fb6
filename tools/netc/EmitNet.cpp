//===- EmitNet.cpp - a model printed as .net source -----------------------===//
//
// The printer walks a model function once, in op order, so that compiling its
// output creates the same ops and the same arguments in the same order:
//
// - inputs are declared first (the frontend makes them the first arguments);
//   parameters and buffers are declared just before their first use, in
//   argument order, unless a layer call (conv2d, linear, batch_norm) creates
//   them: a layer form is printed only where its parameters are named
//   NAME.weight, ... with the language's own initialisers and come next in
//   argument order;
// - an op whose only use is the next op is written inside that op's call;
//   other values get a local name;
// - ops with no spelling of their own are written as `nn.OP(...)`, which the
//   frontend builds as it is (frontend/ImportGeneric.cpp).
//
//===----------------------------------------------------------------------===//

#include "EmitNet.h"
#include "EmitNetPrinter.h"
#include "EmitNetSpell.h"
#include "DefaultWeights.h"

#include "ir/NNOps.h"
#include "ir/Signature.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace netc::tool {

namespace {

/// The length of `text` with every number counted as one character, so
/// that pieces differing only in their numbers print alike.
size_t shapeLength(llvm::StringRef text) {
  size_t length = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if (!(llvm::isDigit(text[i]) && i > 0 && llvm::isDigit(text[i - 1])))
      ++length;
  return length;
}

/// What to call the value of `op`: the name the source bound it to, or `h`.
std::string nameHint(Operation *op) {
  auto loc = dyn_cast<NameLoc>(op->getLoc());
  if (!loc)
    return "h";
  llvm::StringRef name = loc.getName().getValue();
  llvm::StringRef mnemonic = op->getName().stripDialect();
  // Ops named after themselves or their layer (conv2d0, layer1.0.conv1) say nothing.
  if (name.starts_with(mnemonic) || name.contains('.') || name.contains('/') ||
      (!name.empty() && llvm::isDigit(name.back())))
    return "h";
  return name.str();
}

} // namespace

std::string ModelPrinter::freshName(llvm::StringRef hint) {
  std::string base = identifierFrom(hint), name = base;
  for (int i = 1; taken.contains(name); ++i)
    name = base + "_" + std::to_string(i);
  taken.insert(name);
  locals.insert(name);
  return name;
}

void ModelPrinter::declare(unsigned index) {
  const nn::ArgInfo &arg = args[index];
  if (arg.role != nn::ArgRole::Param && arg.role != nn::ArgRole::Buffer)
    return;
  Value v = fn.getArgument(index);
  if (blockPath) {
    failedOp = true; // A block's body declares nothing.
    return;
  }
  // A layer form whose parameters are needed earlier prints explicitly.
  if (Operation *owner = layers.ownerOf(index))
    layers.demote(owner);
  std::optional<std::string> type = spellType(v.getType());
  std::optional<std::string> init = spellInit(nn::paramInit(fn, index));
  if (!type || !init) {
    fn.emitError() << "cannot print " << (arg.role == nn::ArgRole::Param ? "parameter" : "buffer")
                   << " '" << arg.name << "' as .net: its type or initialiser has no spelling";
    failedOp = true;
    return;
  }
  std::string keyword = arg.role == nn::ArgRole::Param ? "param" : "state";
  // A dotted name is a reference of its own; a plain one must be free.
  if (isDottedName(arg.name) &&
      (arg.name.find('.') != std::string::npos || !locals.contains(arg.name))) {
    names[v] = arg.name;
    pending += "  " + keyword + " " + arg.name + ": " + *type + *init + "\n";
    return;
  }
  std::string local = freshName(arg.name.substr(arg.name.rfind('.') + 1));
  names[v] = local;
  pending += "  " + keyword + " " + local + ": " + *type + *init + " name=" + quote(arg.name) + "\n";
}

void ModelPrinter::declareUpTo(int64_t last) {
  for (; declared <= last; ++declared)
    declare(declared);
}

std::string ModelPrinter::operand(Value value) {
  if (auto it = names.find(value); it != names.end())
    return it->second;
  if (auto arg = dyn_cast<BlockArgument>(value)) {
    declareUpTo(arg.getArgNumber());
    if (names.count(value))
      return names.lookup(value);
    failedOp = true;
    return "?";
  }
  Operation *def = value.getDefiningOp();
  if (auto c = dyn_cast<arith::ConstantOp>(def))
    if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue()))
      if (std::optional<std::string> text = spellConstant(dense, false))
        return *text;
  if (auto it = inlined.find(def); it != inlined.end())
    return it->second;
  if (!blockPath)
    def->emitError() << "cannot print '" << def->getName() << "' as .net";
  failedOp = true;
  return "?";
}

std::optional<std::string> ModelPrinter::genericCall(Operation *op) {
  std::string text = op->getName().getStringRef().str() + "(";
  bool first = true;
  for (Value v : op->getOperands()) {
    text += (first ? "" : ", ") + operand(v);
    first = false;
  }
  for (NamedAttribute attr : op->getAttrs()) {
    std::optional<std::string> value = spellAttribute(attr.getValue());
    if (!value)
      return std::nullopt;
    text += (first ? "" : ", ") + attr.getName().str() + "=" + *value;
    first = false;
  }
  return text + ")";
}

std::optional<std::string> ModelPrinter::expression(Operation *op) {
  llvm::StringRef name = op->getName().getStringRef();
  static const llvm::StringMap<const char *> binary = {
      {"nn.add", " + "}, {"nn.sub", " - "}, {"nn.mul", " * "}, {"nn.div", " / "}};
  if (auto it = binary.find(name); it != binary.end()) {
    auto side = [&](Value v) {
      // A 0-d constant beside a tensor is the number the source wrote.
      if (auto c = v.getDefiningOp<arith::ConstantOp>())
        if (auto dense = dyn_cast<DenseElementsAttr>(c.getValue()))
          if (std::optional<std::string> number = spellConstant(dense, true))
            return number->front() == '-' ? "(" + *number + ")" : *number;
      std::string text = operand(v);
      Operation *def = v.getDefiningOp();
      return def && inlined.count(def) && binary.count(def->getName().getStringRef())
                 ? "(" + text + ")"
                 : text;
    };
    std::string lhs = side(op->getOperand(0));
    return lhs + it->second + side(op->getOperand(1));
  }
  if (std::optional<std::string> call =
          spellLanguageCall(op, [&](Value v) { return operand(v); }))
    return call;
  if (name == "nn.gelu_tanh")
    return "gelu(" + operand(op->getOperand(0)) + ", approximate=\"tanh\")";
  if (name == "nn.randn" || name == "nn.rand")
    return std::string(name == "nn.randn" ? "randn_like(" : "rand_like(") +
           operand(op->getOperand(0)) + ")";
  if (const LayerForm *form = layers.formOf(op)) {
    std::string x = operand(op->getOperand(0));
    if (blockPath)
      return layers.spellInBlock(*form, x, *blockPath);
    declareUpTo(form->firstArg - 1);
    if (!layers.isDemoted(op) && declared == form->firstArg) {
      declared = form->lastArg + 1;
      for (int64_t i = form->firstArg; i <= form->lastArg; ++i)
        names[fn.getArgument(i)] = args[i].name;
      return layers.spell(*form, x);
    }
  }
  return genericCall(op);
}

void ModelPrinter::printResults(bool all) {
  Operation *ret = fn.front().getTerminator();
  for (; nextResult < results.size(); ++nextResult) {
    const nn::ResultInfo &r = results[nextResult];
    Value v = ret->getOperand(nextResult);
    if (r.role == nn::ResultRole::BufferUpdate) {
      if (layers.isImplicitUpdate(v))
        continue;
      if (!all)
        return;
      pending += "  " + r.name + " <- " + operand(v) + "\n";
      continue;
    }
    if (!all && !names.count(v))
      return;
    bool isLoss = r.role == nn::ResultRole::Loss;
    std::string label = isPlainIdentifier(r.name) ? r.name : quote(r.name);
    if (isPlainIdentifier(r.name))
      taken.insert(r.name), locals.insert(r.name);
    std::string head = isLoss ? (r.name == "loss" ? "  loss " : "  loss " + label + " = ")
                              : "  output " + label + " = ";
    pending += head + operand(v) + "\n";
  }
}

std::optional<std::string> ModelPrinter::resultStatement(Value result) {
  Operation *ret = fn.front().getTerminator();
  if (blockPath || nextResult >= results.size() || ret->getOperand(nextResult) != result)
    return std::nullopt;
  const nn::ResultInfo &r = results[nextResult];
  bool plain = isPlainIdentifier(r.name);
  if (r.role == nn::ResultRole::Loss && result.hasOneUse()) {
    names[result] = "?"; // Used by nothing else.
    return r.name == "loss" ? "  loss " : "  loss " + (plain ? r.name : quote(r.name)) + " = ";
  }
  if (r.role != nn::ResultRole::Output)
    return std::nullopt;
  if (!plain && result.hasOneUse()) {
    names[result] = "?";
    return "  output " + quote(r.name) + " = ";
  }
  if (!plain || taken.contains(r.name))
    return std::nullopt;
  // `output y = ...` binds y for the uses that follow.
  taken.insert(r.name);
  locals.insert(r.name);
  names[result] = r.name;
  return "  output " + r.name + " = ";
}

void ModelPrinter::emitOps(llvm::ArrayRef<Operation *> ops) {
  for (size_t i = 0; i < ops.size(); ++i) {
    std::optional<std::string> text;
    if (auto it = pieces.find(i); it != pieces.end())
      if ((text = emitCall(it->second)))
        i = it->second.end - 1;
    Operation *op = ops[i];
    if (!text)
      text = expression(op);
    if (!text) {
      if (!blockPath)
        op->emitError() << "cannot print '" << op->getName()
                        << "' as .net: an attribute has no spelling";
      failedOp = true;
      return;
    }
    if (blockPath && i + 1 == ops.size()) {
      pending += "  return " + *text + "\n";
      return;
    }
    Value result = op->getResult(0);
    Operation *next = i + 1 < ops.size() ? ops[i + 1] : nullptr;
    bool usedOnce = result.hasOneUse() && next && result.getUses().begin()->getOwner() == next &&
                    !llvm::is_contained(next->getOperands().drop_front(), result);
    // One call inside another at most, two inside a one-operand op: relu(bn(conv(x))).
    size_t depth = next && next->getNumOperands() == 1 ? 2 : 1;
    if (usedOnce && shapeLength(*text) < 80 && size_t(llvm::count(*text, '(')) <= depth &&
        (op->getNumResults() == 1 || layers.formOf(op)) && !pieces.count(i + 1)) {
      inlined[op] = *text;
      continue;
    }
    if (op->getNumResults() > 1 && !layers.formOf(op)) {
      // `a, b, c = nn.batch_norm(...)`: every result gets a name.
      std::string lhs;
      for (Value r : op->getResults()) {
        names[r] = freshName(op->getName().stripDialect());
        lhs += (lhs.empty() ? "" : ", ") + names[r];
      }
      pending += "  " + lhs + " = " + *text + "\n";
    } else if (std::optional<std::string> head = resultStatement(result)) {
      // The first result still to print is this value: the statement is the result's own.
      pending += *head + *text + "\n";
      ++nextResult;
    } else {
      std::string local = freshName(nameHint(op));
      names[result] = local;
      pending += "  " + local + " = " + *text + "\n";
    }
    if (!blockPath)
      printResults(false);
  }
}

std::optional<std::string> ModelPrinter::emitCall(const Piece &piece) {
  declareUpTo(piece.firstArg - 1);
  if (declared != piece.firstArg)
    return std::nullopt;
  std::string text = piece.block + "(";
  for (auto [i, v] : llvm::enumerate(piece.inputs))
    text += (i ? ", " : "") + operand(v);
  for (const std::string &value : piece.values)
    text += ", " + value;
  text += ", name=" + quote(piece.path) + ")";
  // The layers of the call count as the frontend counts them.
  for (int64_t a = piece.firstArg; a <= piece.lastArg; ++a) {
    names[fn.getArgument(a)] = args[a].name;
    if (a == 0 || layers.ownerOf(a) != layers.ownerOf(a - 1))
      layers.spellInBlock(*layers.formOf(layers.ownerOf(a)), "", piece.path);
  }
  declared = piece.lastArg + 1;
  return text;
}
LogicalResult emitNet(ModuleOp module, llvm::raw_ostream &os, const std::string &weightsFile) {
  bool first = true;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (nn::trainStepOf(fn))
      continue;
    if (!first)
      os << "\n";
    first = false;
    LayerForms layers(fn);
    if (failed(ModelPrinter(fn, layers).print(os, weightsFile)))
      return failure();
  }
  return success();
}

LogicalResult emitNetWithWeights(ModuleOp module, const std::string &output,
                                 llvm::raw_ostream &os) {
  const ModelWeights &weights = tool::modelWeights;
  if (weights.empty())
    return emitNet(module, os);
  if (output == "-") {
    // Printed to the terminal: name the file the values came from, if one.
    if (llvm::StringRef(weights.origin).ends_with(".safetensors"))
      return emitNet(module, os, weights.origin);
    os << "# The initial values come from " << weights.origin
       << "; -o FILE.net writes them beside it.\n";
    return emitNet(module, os);
  }
  llvm::SmallString<256> path(output);
  llvm::sys::path::replace_extension(path, "safetensors");
  std::string text;
  llvm::raw_string_ostream source(text);
  if (failed(emitNet(module, source, llvm::sys::path::filename(path).str())))
    return failure();
  if (llvm::Error err = llvm::writeToOutput(path, [&](llvm::raw_ostream &out) {
        out.write(reinterpret_cast<const char *>(weights.safetensors.data()),
                  weights.safetensors.size());
        return llvm::Error::success();
      }))
    return module.emitError() << "cannot write '" << path << "': "
                              << llvm::toString(std::move(err));
  os << text;
  return success();
}

} // namespace netc::tool
