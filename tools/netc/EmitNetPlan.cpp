//===- EmitNetPlan.cpp - a model's statements and its blocks --------------===//
//
// The model as a whole: inputs, then the ops in order (pieces that repeat as
// block calls, after their blocks' definitions), then the results and the
// `train` statements.
//
// A piece is a run of ops whose layers share a block path (EmitNetBlocks.h),
// with the parameterless ops between them and the elementwise ops that
// follow its last layer (a residual sum, an activation), trimmed until one
// value leaves it. Pieces whose bodies print alike up to their numbers make
// one block; a piece alike to none prints flat.
//
//===----------------------------------------------------------------------===//

#include "EmitNetBlocks.h"
#include "EmitNetPrinter.h"
#include "EmitNetSpell.h"

#include "ir/NNOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace netc::tool {

namespace {

/// Ops that may close a piece after its last layer.
bool isTail(Operation *op) {
  return isa<nn::AddOp, nn::SubOp, nn::MulOp, nn::DivOp, nn::ReluOp, nn::HardtanhOp, nn::SiluOp,
             nn::SigmoidOp, nn::TanhOp, nn::GeluOp, nn::DropoutOp, nn::LeakyReluOp>(op);
}

/// Whether `v` is a value the model's body takes from outside a piece
/// without passing it: a constant, or the seed of draws.
bool isAmbient(Value v) {
  if (Operation *def = v.getDefiningOp())
    return isa<arith::ArithDialect>(def->getDialect());
  return nn::argRole(v) == nn::ArgRole::Seed;
}

} // namespace

std::optional<Piece> ModelPrinter::makePiece(llvm::ArrayRef<Operation *> ops, size_t begin,
                                             size_t end, const std::string &path) {
  Piece piece;
  piece.begin = begin;
  piece.end = end;
  piece.path = path;
  llvm::DenseSet<Operation *> inside;
  for (size_t i = begin; i < end; ++i)
    inside.insert(ops[i]);
  Operation *ret = fn.front().getTerminator();
  for (size_t i = begin; i < end; ++i) {
    Operation *op = ops[i];
    if (isa<nn::RandnOp, nn::RandOp>(op))
      return std::nullopt;
    const LayerForm *form = layers.formOf(op);
    if (form)
      for (int64_t a = form->firstArg; a <= form->lastArg; ++a)
        for (Operation *user : fn.getArgument(a).getUsers())
          if (!inside.contains(user) && !layers.isAbsorbed(user))
            return std::nullopt; // A name the model refers to outside the block.
    if (form) {
      if (piece.firstArg < 0)
        piece.firstArg = form->firstArg;
      else if (form->firstArg != piece.lastArg + 1)
        return std::nullopt;
      piece.lastArg = form->lastArg;
    }
    for (Value v : op->getOperands()) {
      if (isAmbient(v) || (form && v != op->getOperand(0)))
        continue;
      if (isa<BlockArgument>(v) && nn::argRole(v) != nn::ArgRole::Input)
        return std::nullopt; // A parameter no layer of the piece creates.
      if (!inside.contains(v.getDefiningOp()) && !llvm::is_contained(piece.inputs, v))
        piece.inputs.push_back(v);
    }
    // One value leaves the piece: the last op's.
    for (Value r : op->getResults())
      for (Operation *user : r.getUsers()) {
        bool leaves = !inside.contains(user) && !layers.isAbsorbed(user) &&
                      !(user == ret && layers.isImplicitUpdate(r));
        if (leaves && (i + 1 != end || r != op->getResult(0)))
          return std::nullopt;
      }
  }
  if (piece.firstArg < 0 || piece.inputs.empty())
    return std::nullopt;
  return piece;
}

std::optional<std::string> ModelPrinter::pieceBody(llvm::ArrayRef<Operation *> ops,
                                                   const Piece &piece,
                                                   std::vector<std::string> &locals) {
  ModelPrinter body(fn, layers);
  body.blockPath = piece.path;
  std::string header;
  for (auto [i, v] : llvm::enumerate(piece.inputs)) {
    std::string name = i == 0 ? "x" : "x" + std::to_string(i + 1);
    body.names[v] = name;
    body.taken.insert(name);
    header += (i ? ", " : "") + name;
  }
  body.emitOps(ops.slice(piece.begin, piece.end - piece.begin));
  if (body.failedOp)
    return std::nullopt;
  for (const auto &entry : body.taken)
    locals.push_back(entry.getKey().str());
  return header + ")\n" + body.pending;
}

void ModelPrinter::planBlocks(llvm::ArrayRef<Operation *> ops, llvm::raw_ostream &os) {
  size_t n = ops.size();
  std::vector<std::string> paths(n);
  std::vector<bool> hasParams(n);
  for (size_t i = 0; i < n; ++i) {
    if (const LayerForm *form = layers.formOf(ops[i])) {
      paths[i] = blockPathOf(form->prefix);
      hasParams[i] = true;
    }
    for (Value v : ops[i]->getOperands())
      hasParams[i] = hasParams[i] || (isa<BlockArgument>(v) && nn::argRole(v) != nn::ArgRole::Input);
  }
  std::vector<Piece> found;
  for (size_t i = 0; i < n;) {
    if (!hasParams[i] || paths[i].empty()) {
      ++i;
      continue;
    }
    size_t lastLayer = i, j = i + 1;
    for (; j < n && (!hasParams[j] || paths[j] == paths[i]); ++j)
      if (hasParams[j])
        lastLayer = j;
    size_t maxEnd = lastLayer + 1;
    while (maxEnd < j && isTail(ops[maxEnd]))
      ++maxEnd;
    size_t next = lastLayer + 1;
    for (size_t end = maxEnd; end > lastLayer; --end)
      if (std::optional<Piece> piece = makePiece(ops, i, end, paths[i])) {
        found.push_back(*piece);
        next = end;
        break;
      }
    i = next;
  }
  // Group the pieces by their text up to numbers; counts are restored after
  // the trial printing.
  std::map<std::string, int64_t> counts = layers.counts();
  std::map<std::string, std::vector<size_t>> groups;
  std::vector<Skeleton> skeletons;
  std::vector<std::vector<std::string>> locals(found.size());
  std::vector<bool> printable(found.size());
  for (size_t k = 0; k < found.size(); ++k) {
    std::optional<std::string> body = pieceBody(ops, found[k], locals[k]);
    skeletons.push_back(skeletonOf(body.value_or("")));
    printable[k] = body.has_value();
    if (body)
      groups[skeletons.back().text].push_back(k);
  }
  layers.setCounts(counts);
  llvm::StringSet<> blockNames;
  for (auto &[text, members] : groups) {
    if (members.size() < 2)
      continue;
    std::vector<Skeleton> alike;
    for (size_t k : members)
      alike.push_back(skeletons[k]);
    BlockTemplate t = makeTemplate(alike, locals[members.front()]);
    // Named after the paths' first part without its digits: `layer`, `features`.
    std::string stem = identifierFrom(llvm::StringRef(found[members.front()].path)
                                          .split('.')
                                          .first.rtrim("0123456789"));
    std::string name = stem;
    for (int k = 2; blockNames.contains(name) || taken.contains(name); ++k)
      name = stem + "_" + std::to_string(k);
    blockNames.insert(name);
    taken.insert(name);
    size_t close = t.body.find(")\n");
    std::string params = t.body.substr(0, close);
    for (const std::string &a : t.arguments)
      params += ", " + a;
    os << "block " << name << "(" << params << ") {\n" << t.body.substr(close + 2) << "}\n\n";
    for (auto [m, k] : llvm::enumerate(members)) {
      found[k].block = name;
      found[k].values = t.values[m];
      pieces[found[k].begin] = found[k];
    }
  }
}

LogicalResult ModelPrinter::print(llvm::raw_ostream &os, const std::string &weightsFile) {
  std::string head;
  head += "model " + fn.getSymName().str() + " {\n";
  if (!weightsFile.empty())
    head += "  weights " + quote(weightsFile) + "\n";
  // Inputs first, as the frontend orders the arguments.
  for (const nn::ArgInfo &arg : args) {
    if (arg.role != nn::ArgRole::Input)
      break;
    Value v = fn.getArgument(arg.index);
    std::optional<std::string> type = spellType(v.getType());
    if (!type)
      return fn.emitError() << "cannot print input '" << arg.name << "' of a 0-d type as .net";
    std::string local = isPlainIdentifier(arg.name) ? arg.name : freshName(arg.name);
    taken.insert(local);
    locals.insert(local);
    names[v] = local;
    head += "  input " + local + ": " + *type +
            (local == arg.name ? "" : " name=" + quote(arg.name)) + "\n";
    declared = arg.index + 1;
  }
  for (const nn::ArgInfo &arg : args)
    if (arg.role != nn::ArgRole::Input)
      taken.insert(arg.name);

  llvm::SmallVector<Operation *> ops;
  for (Operation &op : fn.front().without_terminator())
    if (!isa<arith::ArithDialect>(op.getDialect()) && !layers.isAbsorbed(&op))
      ops.push_back(&op);
  planBlocks(ops, os);
  os << head;
  emitOps(ops);
  if (failedOp)
    return failure();
  printResults(true);
  declareUpTo(static_cast<int64_t>(args.size()) - 1);
  os << pending << layers.trainStatements(results) << "}\n";
  return failure(failedOp);
}

} // namespace netc::tool
