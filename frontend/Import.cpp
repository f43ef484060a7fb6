//===- Import.cpp - .net statements and expressions into nn ---------------===//
//
// Walks the AST of one model like the Toy tutorial's MLIRGen: constants are
// folded, `repeat` is unrolled, names are bound in one flat scope (rebinding
// allowed), and every op is created with its source location and inferred
// type. Errors are reported where they occur and the walk goes on, so that
// one run lists every independent mistake; an expression whose error was
// reported evaluates to Poison and stays silent afterwards.
//
//===----------------------------------------------------------------------===//

#include "frontend/Import.h"
#include "frontend/Importer.h"
#include "frontend/Lexer.h"
#include "frontend/Parser.h"

#include "ir/NNOps.h"
#include "ir/Names.h"
#include "ir/NNDialect.h"
#include "ir/Signature.h"
#include "ir/ShapeMath.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <fmt/format.h>

using namespace mlir;

namespace netc::frontend {

// An identifier is a name: the lexer's limit is the names' limit.
static_assert(Lexer::MaxIdentifierBytes == netc::kMaxNameBytes);

Importer::Importer(MLIRContext &context, StringRef filename, const ImportOptions &options)
    : context(context), builder(&context), filename(filename.str()),
      overrides(options.constOverrides), weightsOut(options.weights),
      maxUnrolled(options.maxUnrolled), trainedLater(options.trainedLater) {}

InFlightDiagnostic Importer::error(Loc loc) {
  failed = true;
  return emitError(location(loc));
}

Location Importer::location(Loc loc) const {
  Location here = FileLineColLoc::get(&context, filename, loc.line, loc.col);
  return callerLoc ? CallSiteLoc::get(here, *callerLoc) : here;
}

std::string Importer::qualify(StringRef localName) const {
  return scopePrefix.empty() ? localName.str() : scopePrefix + "." + localName.str();
}

//===----------------------------------------------------------------------===//
// Model and statements
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> Importer::importFile(const File &file, StringRef modelName) {
  std::vector<const ModelDecl *> models;
  for (const StmtPtr &item : file.items)
    if (auto *model = dynCast<ModelDecl>(item.get()))
      models.push_back(model);

  const ModelDecl *chosen = nullptr;
  std::string available;
  for (const ModelDecl *m : models) {
    available += (available.empty() ? "'" : ", '") + m->name + "'";
    if (m->name == modelName)
      chosen = m;
  }
  // Two models of one name: --model could only ever pick one of them.
  for (size_t i = 0; i < models.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (models[j]->name == models[i]->name) {
        InFlightDiagnostic diag = error(models[i]->nameLoc);
        diag << "model '" << models[i]->name << "' is defined twice";
        diag.attachNote(location(models[j]->nameLoc))
            << "the first definition of '" << models[i]->name << "' is here";
        break;
      }
  if (failed)
    return nullptr;
  if (models.empty()) {
    error(Loc{1, 1}) << "'" << filename << "' defines no model";
    return nullptr;
  }
  if (modelName.empty() && models.size() > 1) {
    error(models[1]->loc) << "the file defines " << models.size() << " models (" << available
                          << "): choose one with --model=NAME";
    return nullptr;
  }
  if (modelName.empty())
    chosen = models.front();
  if (!chosen) {
    error(models.front()->loc) << "no model named '" << modelName << "' in '" << filename
                               << "' (it defines " << available << ")";
    return nullptr;
  }

  // File-level constants are visible in every model and block; only those
  // before the chosen model's end can matter, and all are checked.
  for (const StmtPtr &item : file.items)
    if (auto *c = dynCast<ConstDecl>(item.get()))
      importStmt(*c, /*inRepeat=*/false);
  fileConstants = constants;
  registerBlocks(file);

  OwningOpRef<ModuleOp> module = ModuleOp::create(location(chosen->loc));
  builder.setInsertionPointToEnd(module->getBody());
  func = builder.create<func::FuncOp>(
      NameLoc::get(builder.getStringAttr(chosen->name), location(chosen->loc)), chosen->name,
      builder.getFunctionType({}, {}));
  body = func.addEntryBlock();
  builder.setInsertionPointToEnd(body);
  importModel(*chosen);
  checkOverridesUsed(*chosen);
  if (failed)
    return nullptr;
  if (mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

void Importer::importModel(const ModelDecl &model) {
  // Inputs come first among the arguments, in declaration order, whatever
  // statements separate them; parameters follow as layers create them.
  // Model constants may size inputs, so they are evaluated in the same pass.
  auto isDeclaration = [](const StmtPtr &stmt) {
    return isa<InputDecl>(stmt.get()) || isa<ConstDecl>(stmt.get());
  };
  for (const StmtPtr &stmt : model.body) {
    if (auto *input = dynCast<InputDecl>(stmt.get()))
      importInput(*input);
    else if (isDeclaration(stmt))
      importStmt(*stmt, /*inRepeat=*/false);
  }
  for (const StmtPtr &stmt : model.body)
    if (!isDeclaration(stmt))
      importStmt(*stmt, /*inRepeat=*/false);

  if (trainLoc && !lossLoc)
    error(*trainLoc) << "'train' needs a 'loss' in model '" << model.name << "'";
  finishTrains(model);
  finishBuffers(model);
  finishWeights();
  if (results.empty() && !failed)
    error(model.loc) << "model '" << model.name << "' has no output and no loss";
  if (!failed)
    finishFunction(model);
}

void Importer::finishFunction(const ModelDecl &model) {
  SmallVector<Value> values;
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> resultAttrs;
  for (const Result &r : results) {
    values.push_back(r.value);
    types.push_back(r.value.getType());
    SmallVector<NamedAttribute, 2> attrs{nn::roleAttr(
        builder.getContext(), r.isLoss ? nn::ResultRole::Loss : nn::ResultRole::Output, r.name)};
    // Several losses: each carries the optimizer of its own train step.
    if (DictionaryAttr opt = r.isLoss ? lossOptimizers[r.name] : DictionaryAttr())
      attrs.push_back(builder.getNamedAttr(nn::NNDialect::OptimizerAttrHelper::getNameStr(), opt));
    resultAttrs.push_back(builder.getDictionaryAttr(attrs));
  }
  // Buffers change in train steps only: a model without `train` has none.
  for (const BufferUpdate &u :
       trainLoc || trainedLater ? bufferUpdates : std::vector<BufferUpdate>{}) {
    values.push_back(u.value);
    types.push_back(u.value.getType());
    resultAttrs.push_back(builder.getDictionaryAttr(
        nn::roleAttr(builder.getContext(), nn::ResultRole::BufferUpdate, u.name)));
  }
  builder.create<func::ReturnOp>(location(model.loc), values);
  placeDrawSeedLast();
  func.setFunctionType(builder.getFunctionType(body->getArgumentTypes(), types));
  // All at once: setting them one by one interns a new array of every
  // argument's attributes per argument, quadratic memory that is never freed.
  func.setAllArgAttrs(argAttrs);
  func.setAllResultAttrs(resultAttrs);
  if (optimizer)
    func->setAttr(nn::NNDialect::OptimizerAttrHelper::getNameStr(), optimizer);
}

void Importer::importInput(const InputDecl &input) {
  std::optional<RankedTensorType> type = evalType(input.type, "input '" + input.name + "'");
  if (!type)
    return;
  if (bindings.count(input.name)) {
    error(input.nameLoc) << "input '" << input.name << "' is declared twice";
    return;
  }
  const std::string &exported = input.exportName.empty() ? input.name : input.exportName;
  if (!input.exportName.empty() && !checkName(input.nameLoc, exported, "input name"))
    return;
  Value arg = body->addArgument(*type, location(input.nameLoc));
  argAttrs.push_back(builder.getDictionaryAttr(
      nn::roleAttr(builder.getContext(), nn::ArgRole::Input, exported)));
  bindings[input.name] = Val::ofTensor(input.nameLoc, arg);
}

void Importer::importStmt(const Stmt &stmt, bool inRepeat) {
  auto notInRepeat = [&](const char *what) {
    if (!inRepeat)
      return true;
    error(stmt.loc) << "'" << what << "' is not allowed inside 'repeat'";
    return false;
  };
  auto notInBlock = [&](const char *what) {
    if (callStack.empty())
      return true;
    error(stmt.loc) << "'" << what << "' is not allowed in block '" << callStack.back()->name
                    << "'; return the value and use it in the model";
    return false;
  };
  switch (stmt.kind) {
  case Stmt::Kind::Const:
    if (notInRepeat("const"))
      importConst(static_cast<const ConstDecl &>(stmt));
    return;
  case Stmt::Kind::Input:
    if (!callStack.empty())
      error(stmt.loc) << "'input' is not allowed in block '" << callStack.back()->name
                      << "'; pass the tensor as an argument";
    else if (inRepeat)
      error(stmt.loc) << "'input' is not allowed inside 'repeat'";
    else
      error(stmt.loc) << "'input' must be declared at the top level of the model";
    return;
  case Stmt::Kind::Param:
  case Stmt::Kind::State:
    if (notInRepeat(stmt.kind == Stmt::Kind::State ? "state" : "param"))
      importParam(static_cast<const ParamDecl &>(stmt));
    return;
  case Stmt::Kind::Update:
    importUpdate(static_cast<const AssignStmt &>(stmt));
    return;
  case Stmt::Kind::Assign: {
    auto &a = static_cast<const AssignStmt &>(stmt);
    if (constants.count(a.name)) {
      error(a.loc) << "cannot rebind constant '" << a.name << "'";
      return;
    }
    Val v = eval(*a.value);
    bindResult(a.name, v);
    bindings[a.name] = v;
    return;
  }
  case Stmt::Kind::Output:
  case Stmt::Kind::Loss:
    if (notInBlock(stmt.kind == Stmt::Kind::Loss ? "loss" : "output") &&
        notInRepeat(stmt.kind == Stmt::Kind::Loss ? "loss" : "output"))
      importOutputOrLoss(stmt);
    return;
  case Stmt::Kind::Weights:
    if (notInBlock("weights") && notInRepeat("weights"))
      importWeights(static_cast<const WeightsStmt &>(stmt));
    return;
  case Stmt::Kind::Train:
    if (notInBlock("train") && notInRepeat("train"))
      importTrain(static_cast<const TrainStmt &>(stmt));
    return;
  case Stmt::Kind::Repeat:
    importRepeat(static_cast<const RepeatStmt &>(stmt));
    return;
  case Stmt::Kind::If:
    importIf(static_cast<const IfStmt &>(stmt), inRepeat);
    return;
  case Stmt::Kind::MultiAssign:
    importMultiAssign(static_cast<const MultiAssignStmt &>(stmt));
    return;
  case Stmt::Kind::Return:
    error(stmt.loc) << "'return' is allowed only as the last statement of a block";
    return;
  case Stmt::Kind::Block:
    error(stmt.loc) << "a block must be declared at file level";
    return;
  case Stmt::Kind::Model:
    error(stmt.loc) << "a model cannot contain another model";
    return;
  }
}

/// `const NAME = expr`; a `-D NAME=VALUE` replaces the value of a file-level
/// or model-level one (its expression is still checked).
void Importer::importConst(const ConstDecl &c) {
  Val v = eval(*c.value);
  if (v.isPoison())
    return;
  if (!v.isNumber()) {
    error(c.value->loc) << "constant '" << c.name << "' must be a number, got " << describe(v);
    return;
  }
  if (constants.count(c.name) || bindings.count(c.name)) {
    error(c.nameLoc) << "'" << c.name << "' is already defined";
    return;
  }
  auto it = overrides.find(c.name);
  if (it != overrides.end() && callStack.empty()) {
    usedOverrides.insert(c.name);
    v = it->second.isInt ? Val::ofInt(c.value->loc, it->second.i)
                         : Val::ofFloat(c.value->loc, it->second.f);
  }
  constants[c.name] = v;
}

/// `output [NAME =] expr` and `loss [NAME =] expr` at model level.
void Importer::importOutputOrLoss(const Stmt &stmt) {
  bool isLoss = stmt.kind == Stmt::Kind::Loss;
  const Expr *valueExpr;
  std::string name;
  Loc nameLoc;
  if (isLoss) {
    auto &l = static_cast<const LossStmt &>(stmt);
    valueExpr = l.value.get();
    name = l.hasName() ? l.name : "loss";
    nameLoc = l.hasName() ? l.nameLoc : l.loc;
    if (!lossLoc)
      lossLoc = l.loc;
  } else {
    auto &o = static_cast<const OutputStmt &>(stmt);
    valueExpr = o.value.get();
    nameLoc = o.hasName() ? o.nameLoc : o.value->loc;
    if (o.hasName())
      name = o.name;
    else if (auto *ref = dynCast<NameRef>(o.value.get()))
      name = ref->name;
    else
      name = "output" + std::to_string(results.size());
  }
  Val v = eval(*valueExpr);
  if (v.isPoison()) {
    // Later uses of the name stay silent: the error is reported already.
    if (!isLoss || static_cast<const LossStmt &>(stmt).hasName())
      bindings[name] = v;
    return;
  }
  if (v.kind != Val::Kind::Tensor) {
    error(valueExpr->loc) << (isLoss ? "loss" : "output '" + name + "'")
                          << " must be a tensor, got " << describe(v);
    return;
  }
  auto type = cast<RankedTensorType>(v.tensor.getType());
  if (isLoss && type.getRank() != 0) {
    error(valueExpr->loc) << "loss must be a scalar, got " << describe(v)
                          << "; reduce it with mean() or sum()";
    return;
  }
  for (const Result &r : results)
    if (r.name == name) {
      error(nameLoc) << "output '" << name << "' is defined twice; the first is at line "
                     << r.loc.line;
      return;
    }
  bindResult(name, v);
  if (!isLoss || (isLoss && static_cast<const LossStmt &>(stmt).hasName()))
    bindings[name] = v;
  results.push_back(Result{name, v.tensor, nameLoc, isLoss});
  return;
}

/// Names the op that computes a bound value after the name it is bound to, so
/// that dumps and errors speak the user's words. Layers keep their parameter
/// prefix (conv2d0), and an op already named keeps its first name.
void Importer::bindResult(const std::string &name, const Val &value) {
  if (value.kind != Val::Kind::Tensor)
    return;
  Operation *op = value.tensor.getDefiningOp();
  auto loc = op ? dyn_cast<NameLoc>(op->getLoc()) : NameLoc();
  if (!loc || loc.getName().getValue() != op->getName().stripDialect())
    return;
  op->setLoc(NameLoc::get(builder.getStringAttr(qualify(name)), loc.getChildLoc()));
}

void Importer::importParam(const ParamDecl &param) {
  std::string keyword = param.isState() ? "state" : "param";
  std::optional<RankedTensorType> type = evalType(param.type, keyword + " '" + param.name + "'");
  DictionaryAttr init = importInit(param.init.get());
  if (!type || !init)
    return;
  if (bindings.count(param.name) || constants.count(param.name)) {
    error(param.nameLoc) << "'" << param.name << "' is already defined";
    return;
  }
  bool isFloat = isa<FloatType>(type->getElementType());
  if (!isFloat && !param.isState()) {
    error(param.type.loc) << "param '" << param.name << "' must be f32 or f64 to be trained";
    return;
  }
  // An integer buffer (a counter) starts at a constant, not at random.
  if (!isFloat && init.getAs<StringAttr>("dist").getValue() != "constant") {
    error(param.init->loc) << "state '" << param.name << "' is an integer tensor; its init "
                           << "must be zeros() or ones()";
    return;
  }
  // `param w: ... name="onnx::W"` exports the name and binds the identifier.
  const std::string &full = param.exportName.empty() ? param.name : param.exportName;
  Value v = param.isState() ? newBuffer(param.nameLoc, full, *type, init)
                            : newParam(param.nameLoc, full, *type, init);
  // `param a.b` is referred to by its dotted name, through the parameters.
  if (v && (param.name.find('.') == std::string::npos || !param.exportName.empty()))
    bindings[param.name] = Val::ofTensor(param.nameLoc, v);
}

bool Importer::checkName(Loc loc, StringRef name, StringRef what) {
  std::optional<std::string> why = netc::checkName(name);
  if (!why)
    return true;
  error(loc) << what << " '" << printableName(name) << "' " << *why;
  return false;
}

bool Importer::checkWeight(Loc loc, const std::string &name, RankedTensorType type,
                           StringRef what) {
  if (!checkName(loc, name, (what + " name").str()))
    return false;
  shape::Shape dims(type.getShape().begin(), type.getShape().end());
  if (shape::numElements(dims))
    return true;
  error(loc) << what << " '" << name << "' has more elements than fit in 64 bits ("
             << shape::str(dims) << ")";
  return false;
}

Value Importer::newParam(Loc loc, const std::string &localName, RankedTensorType type,
                         DictionaryAttr init) {
  std::string name = qualify(localName);
  if (!checkWeight(loc, name, type, "parameter"))
    return nullptr;
  if (auto buffer = buffers.find(name); buffer != buffers.end()) {
    error(loc) << "parameter name '" << name << "' is the name of a buffer; the buffer is at line "
               << buffer->second.second.line << ":" << buffer->second.second.col;
    return nullptr;
  }
  auto [it, inserted] = params.try_emplace(name, Value(), loc);
  if (!inserted) {
    error(loc) << "duplicate parameter name '" << name << "'; the first is at line "
               << it->second.second.line << ":" << it->second.second.col;
    return nullptr;
  }
  Value arg = body->addArgument(type, location(loc));
  it->second.first = arg;
  argAttrs.push_back(builder.getDictionaryAttr(
      {nn::roleAttr(builder.getContext(), nn::ArgRole::Param, name),
       builder.getNamedAttr(nn::NNDialect::InitAttrHelper::getNameStr(), init)}));
  return arg;
}

std::optional<RankedTensorType> Importer::evalType(const TypeExpr &type, const std::string &what) {
  SmallVector<int64_t> dims;
  bool ok = true;
  for (auto [index, dimExpr] : llvm::enumerate(type.dims)) {
    Val d = eval(*dimExpr);
    if (d.isPoison()) {
      ok = false;
      continue;
    }
    if (d.kind != Val::Kind::Int || d.i <= 0) {
      error(dimExpr->loc) << "dimension " << index << " of " << what
                          << " must be a constant positive integer, got " << describe(d);
      ok = false;
      continue;
    }
    dims.push_back(d.i);
  }
  if (!ok)
    return std::nullopt;
  if (static_cast<int64_t>(dims.size()) > kMaxRank) {
    error(type.loc) << what << " has rank " << dims.size() << "; the limit is " << kMaxRank;
    return std::nullopt;
  }
  if (!shape::numElements(shape::Shape(dims.begin(), dims.end()))) {
    error(type.loc) << what << " has more elements than fit in 64 bits ("
                    << shape::str(shape::Shape(dims.begin(), dims.end())) << ")";
    return std::nullopt;
  }
  Type element;
  switch (type.dtype) {
  case DType::F32:
    element = builder.getF32Type();
    break;
  case DType::F64:
    element = builder.getF64Type();
    break;
  case DType::I32:
    element = builder.getI32Type();
    break;
  case DType::I64:
    element = builder.getI64Type();
    break;
  }
  return RankedTensorType::get(dims, element);
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::optional<ConstOverride> parseConstOverride(const std::string &text) {
  // The lexer's own rules, so `-D` reads numbers exactly as the file would.
  Lexer lexer(text);
  std::vector<Token> tokens = lexer.lexAll();
  bool negative = !tokens.empty() && tokens[0].kind == TokenKind::Minus;
  size_t first = negative ? 1 : 0;
  if (!lexer.getErrors().empty() || tokens.size() != first + 2 ||
      (tokens[first].kind != TokenKind::Int && tokens[first].kind != TokenKind::Float))
    return std::nullopt;
  ConstOverride value;
  value.isInt = tokens[first].kind == TokenKind::Int;
  value.i = negative ? -tokens[first].intValue : tokens[first].intValue;
  value.f = negative ? -tokens[first].floatValue : tokens[first].floatValue;
  return value;
}

std::optional<std::string> addConstOverride(const std::string &define, ImportOptions &options) {
  size_t eq = define.find('=');
  std::string name = define.substr(0, eq);
  if (eq == std::string::npos || name.empty())
    return "-D " + define + ": expected -D NAME=VALUE";
  std::optional<ConstOverride> value = parseConstOverride(define.substr(eq + 1));
  if (!value)
    return "-D " + define + ": '" + define.substr(eq + 1) + "' is not an integer or a float";
  if (!options.constOverrides.emplace(name, *value).second)
    return "-D " + name + " is given twice; give it once";
  return std::nullopt;
}

/// Parses the main buffer, reporting syntax errors as diagnostics.
static ParseResult parseBuffer(llvm::SourceMgr &sourceMgr, MLIRContext &context,
                               std::string &filename) {
  const llvm::MemoryBuffer *buffer = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  filename = buffer->getBufferIdentifier().str();
  ParseResult parsed = parse(std::string_view(buffer->getBufferStart(), buffer->getBufferSize()));
  for (const Diagnostic &d : parsed.errors)
    emitError(FileLineColLoc::get(&context, filename, d.loc.line, d.loc.col)) << d.message;
  return parsed;
}

OwningOpRef<ModuleOp> importNetFile(llvm::SourceMgr &sourceMgr, MLIRContext &context,
                                    const ImportOptions &options) {
  context.loadDialect<nn::NNDialect, func::FuncDialect, arith::ArithDialect>();
  std::string filename;
  ParseResult parsed = parseBuffer(sourceMgr, context, filename);
  if (!parsed.errors.empty() || !parsed.file)
    return nullptr;
  Importer importer(context, filename, options);
  return importer.importFile(*parsed.file, options.modelName);
}

LogicalResult emitAST(llvm::SourceMgr &sourceMgr, MLIRContext &context, llvm::raw_ostream &os) {
  std::string filename;
  ParseResult parsed = parseBuffer(sourceMgr, context, filename);
  if (!parsed.errors.empty() || !parsed.file)
    return failure();
  os << dumpAST(*parsed.file);
  return success();
}

} // namespace netc::frontend
