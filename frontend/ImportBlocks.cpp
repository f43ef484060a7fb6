//===- ImportBlocks.cpp - blocks, `if`, `repeat` and unpacking into nn ----===//
//
// A block call is inlined: its body is imported in a scope of its own (its
// arguments, the file's constants, op numbering from 0) whose parameters are
// named `CALL.` + their own name, and whose locations are CallSiteLocs of the
// position in the block called from the call site. `repeat` unrolls, binding
// its index as a constant; `if` imports the branch its constant condition
// chooses.
//
//===----------------------------------------------------------------------===//

#include "frontend/ImportArgs.h"

#include "llvm/ADT/STLExtras.h"

#include <utility>

using namespace mlir;

namespace netc::frontend {

//===----------------------------------------------------------------------===//
// The weight of unrolled code
//===----------------------------------------------------------------------===//

/// The nodes of \p expr, itself included: a bound on the ops evaluating it builds.
static int64_t weight(const Expr *expr) {
  if (!expr)
    return 0;
  int64_t n = 1;
  switch (expr->kind) {
  case Expr::Kind::List:
    for (const ExprPtr &e : static_cast<const ListExpr *>(expr)->elements)
      n += weight(e.get());
    break;
  case Expr::Kind::Unary:
    n += weight(static_cast<const UnaryExpr *>(expr)->operand.get());
    break;
  case Expr::Kind::Binary: {
    auto *b = static_cast<const BinaryExpr *>(expr);
    n += weight(b->lhs.get()) + weight(b->rhs.get());
    break;
  }
  case Expr::Kind::Call: {
    auto *c = static_cast<const CallExpr *>(expr);
    for (const ExprPtr &e : c->args)
      n += weight(e.get());
    for (const KeywordArg &k : c->keywords)
      n += weight(k.value.get());
    break;
  }
  default:
    break;
  }
  return n;
}

static int64_t weight(const Stmt &stmt);

static int64_t weight(const std::vector<StmtPtr> &body) {
  int64_t n = 0;
  for (const StmtPtr &stmt : body)
    n += weight(*stmt);
  return n;
}

/// What one unrolled copy of \p stmt costs: one plus its expressions. A
/// nested `repeat` counts its body once here, and a block call its call
/// only; their own unrolling is charged when it runs.
static int64_t weight(const Stmt &stmt) {
  int64_t n = 1;
  if (auto *a = dynCast<AssignStmt>(&stmt))
    n += weight(a->value.get());
  if (auto *a = dynCast<MultiAssignStmt>(&stmt))
    n += weight(a->value.get());
  if (auto *r = dynCast<ReturnStmt>(&stmt))
    for (const ExprPtr &value : r->values)
      n += weight(value.get());
  if (auto *r = dynCast<RepeatStmt>(&stmt))
    n += weight(r->count.get()) + weight(r->body);
  if (auto *i = dynCast<IfStmt>(&stmt))
    n += weight(i->cond.get()) + weight(i->then) + weight(i->otherwise);
  return n;
}

//===----------------------------------------------------------------------===//
// repeat, if, a, b = ...
//===----------------------------------------------------------------------===//

void Importer::importRepeat(const RepeatStmt &r) {
  Val count = eval(*r.count);
  if (count.isPoison())
    return;
  if (count.kind != Val::Kind::Int || count.i < 0) {
    error(r.count->loc) << "repeat count must be a constant non-negative integer, got "
                        << describe(count);
    return;
  }
  bool indexed = !r.indexName.empty();
  if (indexed && find(r.indexName)) {
    error(r.indexLoc) << "loop index '" << r.indexName << "' is already defined";
    return;
  }
  // Statements weigh by their expressions: a single statement can build
  // hundreds of ops, so a count of statements alone would not bound the work.
  int64_t size = weight(r.body);
  if (count.i > 0 && size > 0 && count.i > (maxUnrolled - unrolled) / size) {
    error(r.count->loc) << "repeat " << count.i << " unrolls to more than " << maxUnrolled
                        << " expressions";
    return;
  }
  unrolled += count.i * size;
  for (int64_t iteration = 0; iteration < count.i; ++iteration) {
    if (indexed)
      constants[r.indexName] = Val::ofInt(r.indexLoc, iteration);
    bool hadFailed = failed;
    failed = false;
    for (const StmtPtr &inner : r.body)
      importStmt(*inner, /*inRepeat=*/true);
    bool iterationFailed = failed;
    failed = hadFailed || iterationFailed;
    // The same mistake would be reported once per iteration: stop at the first.
    if (iterationFailed)
      break;
  }
  if (indexed)
    constants.erase(r.indexName);
}

void Importer::importIf(const IfStmt &stmt, bool inRepeat) {
  Val cond = eval(*stmt.cond);
  if (cond.isPoison())
    return;
  if (cond.kind != Val::Kind::Bool) {
    error(stmt.cond->loc) << "'if' needs a condition known at compile time (true or false), got "
                          << describe(cond);
    return;
  }
  for (const StmtPtr &inner : cond.b ? stmt.then : stmt.otherwise)
    importStmt(*inner, inRepeat);
}

void Importer::importMultiAssign(const MultiAssignStmt &stmt) {
  Val v = eval(*stmt.value);
  size_t n = stmt.names.size();
  std::vector<Val> values(n, Val::poison(stmt.loc));
  std::string names;
  for (const std::string &name : stmt.names)
    names += (names.empty() ? "'" : ", '") + name + "'";
  if (!v.isPoison() && v.kind != Val::Kind::List)
    error(stmt.value->loc) << "cannot unpack " << describe(v) << " into " << n << " names ("
                           << names << "): it is one value";
  else if (!v.isPoison() && v.list.size() != n)
    error(stmt.loc) << n << " names (" << names << ") but the value has " << v.list.size()
                    << ": " << describe(v);
  else if (!v.isPoison())
    values = v.list;
  for (size_t i = 0; i < n; ++i) {
    const std::string &name = stmt.names[i];
    if (constants.count(name)) {
      error(stmt.nameLocs[i]) << "cannot rebind constant '" << name << "'";
      continue;
    }
    bindResult(name, values[i]);
    bindings[name] = values[i];
  }
}

//===----------------------------------------------------------------------===//
// Blocks
//===----------------------------------------------------------------------===//

void Importer::registerBlocks(const File &file) {
  for (const StmtPtr &item : file.items) {
    auto *block = dynCast<BlockDecl>(item.get());
    if (!block)
      continue;
    if (isLanguageOp(block->name)) {
      error(block->nameLoc) << "block '" << block->name << "' has the name of an op";
      continue;
    }
    auto [it, inserted] = blocks.try_emplace(block->name, block);
    if (!inserted) {
      InFlightDiagnostic diag = error(block->nameLoc);
      diag << "block '" << block->name << "' is defined twice";
      diag.attachNote(location(it->second->nameLoc))
          << "the first definition of '" << block->name << "' is here";
      continue;
    }
    if (block->body.empty() || !isa<ReturnStmt>(block->body.back().get()))
      error(block->nameLoc) << "block '" << block->name << "' must end with 'return'";
  }
}

/// The qualified name of a call of `block`: its `name=` or BLOCK + index;
/// empty for `name=""`, a call that adds no prefix.
static std::optional<std::string> callName(Importer &im, const BlockDecl &block,
                                           const CallArgs &args, int64_t index) {
  auto it = args.values.find("name");
  if (it == args.values.end())
    return im.qualify(block.name + std::to_string(index));
  const Val &name = it->second;
  if (name.kind != Val::Kind::String) {
    im.error(name.loc) << "block '" << block.name << "' expects 'name' to be a string, got "
                       << describe(name);
    return std::nullopt;
  }
  if (name.s.empty())
    return std::string();
  if (!im.checkName(name.loc, name.s, "block '" + block.name + "' name"))
    return std::nullopt;
  return im.qualify(name.s);
}

Val Importer::evalBlockCall(const BlockDecl &block, const CallExpr &call) {
  if (llvm::is_contained(callStack, &block)) {
    std::string chain;
    for (const BlockDecl *caller : callStack)
      chain += caller->name + " -> ";
    error(call.loc) << "block '" << block.name << "' calls itself (" << chain << block.name
                    << "); blocks cannot be recursive";
    return Val::poison(call.loc);
  }
  Signature sig;
  for (const BlockParam &param : block.params) {
    sig.params.push_back(param.name);
    if (!param.defaultValue && sig.numRequired + 1 == sig.params.size())
      ++sig.numRequired;
  }
  sig.params.push_back("name");
  std::optional<CallArgs> args = bindArgs(*this, call, sig);
  int64_t index = nextLayerIndex(block.name);
  std::optional<std::string> prefix = args ? callName(*this, block, *args, index) : std::nullopt;
  // A block without its final `return` was reported where it is declared.
  if (!prefix || block.body.empty() || !isa<ReturnStmt>(block.body.back().get())) {
    failed = true;
    return Val::poison(call.loc);
  }
  int64_t size = weight(block.body);
  if (size > maxUnrolled - unrolled) {
    error(call.loc) << "calling block '" << block.name << "' unrolls to more than "
                    << maxUnrolled << " expressions";
    return Val::poison(call.loc);
  }
  unrolled += size;

  // The block's scope: its arguments and the file's constants; ops are
  // numbered from 0 in each call, except in a call with name="", whose ops
  // and parameters are named as if written at the call site.
  bool transparent = prefix->empty();
  Location callLoc = location(call.loc);
  llvm::StringMap<Val> outerBindings = std::exchange(bindings, {});
  llvm::StringMap<Val> outerConstants = std::exchange(constants, fileConstants);
  std::map<std::string, int64_t> outerCounts =
      transparent ? std::map<std::string, int64_t>() : std::exchange(layerCounts, {});
  std::string outerPrefix = scopePrefix;
  if (!transparent)
    scopePrefix = *prefix;
  std::optional<Location> outerCaller = std::exchange(callerLoc, callLoc);
  callStack.push_back(&block);

  bool ok = true;
  for (const BlockParam &param : block.params) {
    auto it = args->values.find(param.name);
    Val v = it != args->values.end() ? it->second : eval(*param.defaultValue);
    ok &= !v.isPoison();
    bindings[param.name] = v;
  }
  Val result = Val::poison(call.loc);
  if (ok) {
    for (size_t i = 0; i + 1 < block.body.size(); ++i)
      importStmt(*block.body[i], /*inRepeat=*/false);
    auto &ret = static_cast<const ReturnStmt &>(*block.body.back());
    result = Val{Val::Kind::List, call.loc};
    for (const ExprPtr &value : ret.values) {
      result.list.push_back(eval(*value));
      result.list.back().loc = call.loc;
      ok &= !result.list.back().isPoison();
    }
    if (!ok)
      result = Val::poison(call.loc);
    else if (result.list.size() == 1)
      result = result.list.front();
  }

  callStack.pop_back();
  bindings = std::move(outerBindings);
  constants = std::move(outerConstants);
  if (!transparent)
    layerCounts = std::move(outerCounts);
  scopePrefix = std::move(outerPrefix);
  callerLoc = outerCaller;
  return result;
}

void Importer::checkOverridesUsed(const ModelDecl &model) {
  std::vector<std::string> known;
  for (const auto &entry : constants)
    known.push_back(entry.getKey().str());
  for (const auto &[name, value] : overrides) {
    if (usedOverrides.count(name))
      continue;
    // Reported at the model: the command line has no location of its own.
    InFlightDiagnostic diag = error(model.loc);
    diag << "-D " << name << "=...: neither the file nor model '" << model.name
         << "' declares a constant '" << name << "'";
    std::string suggestion = closestName(name, known);
    if (!suggestion.empty())
      diag << "; did you mean '" << suggestion << "'?";
  }
}

} // namespace netc::frontend
