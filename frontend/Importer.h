//===- Importer.h - the .net to nn importer (internal) ----------*- C++ -*-===//
//
// The state of one import: the values names are bound to, the parameters
// created so far, and the builder of the model's function. Statements and
// expressions are in Import.cpp and ImportExpr.cpp, blocks, `if` and
// `repeat` in ImportBlocks.cpp, the ops of the language in ImportOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_IMPORTER_H
#define NETC_FRONTEND_IMPORTER_H

#include "frontend/AST.h"
#include "frontend/Import.h"
#include "frontend/Training.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace netc::frontend {

/// The highest rank of a tensor in a .net model: bounds the work of shape
/// arithmetic and of code generation, far above what layers need.
constexpr int64_t kMaxRank = 16;

/// A value during import: a compile-time constant (number, bool, string,
/// list) or a tensor SSA value. A List may hold tensors: the results of a
/// block with several, unpacked by `a, b = ...`. `Poison` stands for an expression whose error
/// has been reported already, so that one mistake gives one error.
struct Val {
  enum class Kind { Poison, Int, Float, Bool, String, List, Tensor };
  Kind kind = Kind::Poison;
  Loc loc;
  int64_t i = 0;
  double f = 0;
  bool b = false;
  std::string s;
  std::vector<Val> list;
  mlir::Value tensor;

  static Val poison(Loc loc) { return Val{Kind::Poison, loc}; }
  static Val ofInt(Loc loc, int64_t v) { Val r{Kind::Int, loc}; r.i = v; return r; }
  static Val ofFloat(Loc loc, double v) { Val r{Kind::Float, loc}; r.f = v; return r; }
  static Val ofBool(Loc loc, bool v) { Val r{Kind::Bool, loc}; r.b = v; return r; }
  static Val ofString(Loc loc, std::string v) { Val r{Kind::String, loc}; r.s = std::move(v); return r; }
  static Val ofTensor(Loc loc, mlir::Value v) { Val r{Kind::Tensor, loc}; r.tensor = v; return r; }

  bool isPoison() const { return kind == Kind::Poison; }
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  double asDouble() const { return kind == Kind::Int ? double(i) : f; }
};

/// Describes a value for diagnostics: `2.5`, `[3, 5]`, `"same"`, `f32[1, 3, 8, 8]`.
std::string describe(const Val &v);

/// The arguments of a call after binding positional and keyword arguments to
/// the parameter names of the callee.
struct CallArgs {
  const CallExpr *call = nullptr;
  std::map<std::string, Val> values;
  bool has(const std::string &name) const { return values.count(name) != 0; }
};

/// Imports one model of a parsed .net file.
class Importer {
public:
  Importer(mlir::MLIRContext &context, llvm::StringRef filename, const ImportOptions &options);

  /// Imports the model `modelName` (or the only one) of `file`; null on error.
  mlir::OwningOpRef<mlir::ModuleOp> importFile(const File &file, llvm::StringRef modelName);

  /// Reports an error at a source position; the import will fail.
  mlir::InFlightDiagnostic error(Loc loc);
  /// Reports a `name` that breaks the rule of ir/Names.h at `loc`, as
  /// "WHAT 'NAME' WHY"; true when the name is valid.
  bool checkName(Loc loc, llvm::StringRef name, llvm::StringRef what);
  /// The MLIR location of a source position. Inside a block call it is a
  /// CallSiteLoc (the position in the block, called from the call's own
  /// location), so errors show both the block's line and the call site.
  mlir::Location location(Loc loc) const;

  /// The full name of a parameter (or buffer) whose own name is
  /// \p localName: inside a call of a block named `P`, `P.localName`;
  /// calls nest (`layer1.0.conv1` for `conv1` in a call named `0` inside
  /// one named `layer1`); at model level, \p localName unchanged. Every
  /// trainable or carried tensor must be named through it, so that names
  /// equal PyTorch state_dict keys; newParam does so.
  std::string qualify(llvm::StringRef localName) const;

  //===--- Expressions (Import.cpp) ---===//
  Val eval(const Expr &expr);

  //===--- Calls of the language's ops (ImportOps.cpp) ---===//
  Val evalCall(const CallExpr &call);

  //===--- Blocks (ImportBlocks.cpp) ---===//
  /// Imports a call of `block`: binds its arguments, imports its body in a
  /// scope of its own and returns its result (a List for several).
  Val evalBlockCall(const BlockDecl &block, const CallExpr &call);

  //===--- Argument accessors: each reports a wrong kind and returns nullopt ---===//
  std::optional<int64_t> getInt(const CallArgs &args, const std::string &name,
                                std::optional<int64_t> fallback = std::nullopt);
  std::optional<double> getFloat(const CallArgs &args, const std::string &name,
                                 std::optional<double> fallback = std::nullopt);
  std::optional<bool> getBool(const CallArgs &args, const std::string &name, bool fallback);
  /// An integer or an [h, w] pair.
  std::optional<std::array<int64_t, 2>> getPair(const CallArgs &args, const std::string &name,
                                                std::optional<std::array<int64_t, 2>> fallback);
  /// A tensor argument; `what` describes it for errors.
  std::optional<mlir::Value> getTensor(const CallArgs &args, const std::string &name);

  //===--- Building ops ---===//
  /// Creates an nn op, infers its result type and verifies it; reports errors
  /// at `loc` and returns Poison if any.
  Val buildOp(llvm::StringRef opName, Loc loc, mlir::ValueRange operands,
              llvm::ArrayRef<mlir::NamedAttribute> attrs, llvm::StringRef displayName = "");
  /// A 0-d constant tensor of `elementType` holding `value`.
  mlir::Value scalarConstant(Loc loc, double value, mlir::Type elementType);
  /// Checks the name and size of a new parameter or buffer (`what`); reports
  /// and returns false when wrong.
  bool checkWeight(Loc loc, const std::string &name, mlir::RankedTensorType type,
                   llvm::StringRef what);
  /// A new trainable parameter named qualify(name); reports a name clash
  /// and returns null.
  mlir::Value newParam(Loc loc, const std::string &name, mlir::RankedTensorType type,
                       mlir::DictionaryAttr init);
  /// A new buffer named qualify(name) (state carried with the weights, not trained), an argument
  /// with nn.buffer and nn.init; reports a clash with a parameter or buffer
  /// name and returns null.
  mlir::Value newBuffer(Loc loc, const std::string &name, mlir::RankedTensorType type,
                        mlir::DictionaryAttr init);
  /// Gives the buffer `buffer` (a value newBuffer returned) the value `next`
  /// after each train step: a result with nn.buffer_update in models with
  /// `train`, nothing in others. Reports a type that is not the buffer's and
  /// a second update of one buffer.
  void updateBuffer(Loc loc, mlir::Value buffer, mlir::Value next);
  /// Reports `message` at `loc` if the model turns out to have `train` (an
  /// op that cannot run in train steps, such as batch_norm of one sample).
  void errorIfTrained(Loc loc, std::string message) {
    trainOnlyErrors.emplace_back(loc, std::move(message));
  }
  /// The next index of an op name among the layers of the model (conv2d0, conv2d1, ...).
  int64_t nextLayerIndex(llvm::StringRef opName) { return layerCounts[opName.str()]++; }
  /// The seed of the model's next random draw, derived from its `nn.seed`
  /// argument, which the first draw creates (ImportRandom.cpp).
  mlir::Value nextDrawSeed(Loc loc);

  //===--- Training flags (ImportTraining.cpp) ---===//
  /// Adds `request`'s target input, loss and optimizer to the model function
  /// `fn`, built by the same code as `loss` and `train` statements.
  mlir::LogicalResult addTraining(mlir::func::FuncOp fn, const TrainingRequest &request);

  mlir::MLIRContext &context;
  mlir::OpBuilder builder;

private:
  //===--- Statements (Import.cpp) ---===//
  void importModel(const ModelDecl &model);
  void importStmt(const Stmt &stmt, bool inRepeat);
  void importConst(const ConstDecl &decl);
  void importOutputOrLoss(const Stmt &stmt);
  /// Checks the file's blocks (unique names, a final `return`) and makes
  /// them callable.
  void registerBlocks(const File &file);
  void importRepeat(const RepeatStmt &repeat);
  void importIf(const IfStmt &stmt, bool inRepeat);
  void importMultiAssign(const MultiAssignStmt &stmt);
  /// Reports `-D` names that no file-level or model-level constant has, at
  /// the chosen model.
  void checkOverridesUsed(const ModelDecl &model);
  /// A string literal with each `{NAME}` replaced by the integer constant NAME.
  Val interpolate(const StringLit &lit);
  /// Comparisons, `and` and `or`, on constants.
  Val evalLogic(const BinaryExpr &expr, const Val &lhs, const Val &rhs);
  /// The value bound to `name` (a binding or a constant), or null.
  const Val *find(const std::string &name) const;
  void importInput(const InputDecl &input);
  void importParam(const ParamDecl &param);
  //===--- Buffers (ImportState.cpp) ---===//
  void importUpdate(const AssignStmt &update);
  /// Checks the updates against `train` and appends their results.
  void finishBuffers(const ModelDecl &model);
  void bindResult(const std::string &name, const Val &value);
  void importTrain(const TrainStmt &train);
  //===--- The model's initial values (ImportWeights.cpp) ---===//
  void importWeights(const WeightsStmt &stmt);
  /// Checks the names and shapes of the `weights` file against the model's
  /// parameters and buffers, and hands its bytes on.
  void finishWeights();
  /// Checks the `train` statements against the losses and parameters (each
  /// loss trained once, known names, prefixes that select parameters, no
  /// parameter in two steps) and puts the optimizers on the function: one
  /// loss and one `train`: `nn.optimizer` on the function; several losses:
  /// each loss result's own `nn.optimizer` (ImportTrain.cpp).
  void finishTrains(const ModelDecl &model);
  struct TrainSpec;
  /// Reads `loss=` and `params=` of a `train` call into `spec`; false after
  /// an error.
  bool readSelection(const CallExpr &call, TrainSpec &spec);
  mlir::DictionaryAttr importInit(const CallExpr *init);
  std::optional<mlir::RankedTensorType> evalType(const TypeExpr &type, const std::string &what);
  Val evalBinary(const BinaryExpr &expr);
  Val lookup(const std::string &name, Loc loc);
  void finishFunction(const ModelDecl &model);
  /// Makes the seed of the model's draws, if it has one, its last argument.
  void placeDrawSeedLast();
  /// addTraining's parts: the roles of `fn`'s values read back into the
  /// import's state; the checks of the flags against them; the loss call and
  /// the target input it needs; the function rewritten with both.
  void readModelFunction(mlir::func::FuncOp fn);
  bool checkTrainingFlags(const TrainingRequest &request, mlir::Value &output,
                          std::string &outputName);
  mlir::Value importFlagLoss(const TrainingRequest &request, mlir::Value output,
                             const std::string &outputName);
  void importFlagOptimizer(const TrainingRequest &request);
  /// The text of `flag` parsed as a call (a bare name is a call without
  /// arguments); null after reporting its syntax errors, or that it is not
  /// a call (`flag expects EXPECTED`), located in the text.
  std::unique_ptr<CallExpr> parseFlagCall(const char *flag, const std::string &text,
                                          llvm::StringRef expected);
  void rewriteWithTraining(mlir::Value loss);

  std::string filename;
  bool failed = false;
  /// Constants of the file and of the model (of the file only, and the loop
  /// indices, in a block call); other bound names (a block call's arguments).
  llvm::StringMap<Val> constants;
  llvm::StringMap<Val> bindings;
  /// The file-level constants, the scope a block's body starts from.
  llvm::StringMap<Val> fileConstants;
  /// `-D` values, and the names of those used.
  std::map<std::string, ConstOverride> overrides;
  std::set<std::string> usedOverrides;

  /// The blocks of the file by name.
  llvm::StringMap<const BlockDecl *> blocks;
  /// The block calls being imported, innermost last, for recursion.
  std::vector<const BlockDecl *> callStack;
  /// The qualified name of the innermost block call ("" at model level),
  /// and the location of that call (itself a CallSiteLoc when nested).
  std::string scopePrefix;
  std::optional<mlir::Location> callerLoc;
  std::map<std::string, int64_t> layerCounts;
  /// Parameters by name, with where they were defined, for clashes and `fc1.weight`.
  llvm::StringMap<std::pair<mlir::Value, Loc>> params;
  /// Buffers likewise, and the name of each buffer argument.
  llvm::StringMap<std::pair<mlir::Value, Loc>> buffers;
  llvm::DenseMap<mlir::Value, std::string> bufferNames;
  /// The next value of each updated buffer; `explicitLoc` is the `<-` that
  /// gave it, if one did (an op's implicit update has none).
  struct BufferUpdate {
    std::string name;
    mlir::Value value;
    Loc loc;
    std::optional<Loc> explicitLoc;
  };
  std::vector<BufferUpdate> bufferUpdates;
  std::vector<std::pair<Loc, std::string>> trainOnlyErrors;

  mlir::func::FuncOp func;
  mlir::Block *body = nullptr;
  std::vector<mlir::DictionaryAttr> argAttrs;
  /// The seed argument of the model's draws, and how many draws it has.
  mlir::Value drawSeed;
  uint64_t drawCount = 0;
  struct Result {
    std::string name;
    mlir::Value value;
    Loc loc;
    bool isLoss;
  };
  std::vector<Result> results;
  std::optional<Loc> lossLoc, trainLoc;
  mlir::DictionaryAttr optimizer;
  /// One `train` statement: its optimizer (hyper-parameters only), the loss
  /// it names with `loss=` (empty: not given) and its `params=` prefixes.
  struct TrainSpec {
    Loc loc;
    mlir::DictionaryAttr optimizer;
    std::string loss;
    Loc lossLoc;
    std::optional<std::vector<std::pair<std::string, Loc>>> prefixes;
  };
  std::vector<TrainSpec> trains;
  /// The optimizer of each loss result in models with several losses.
  std::map<std::string, mlir::DictionaryAttr> lossOptimizers;
  /// The `weights` statement's file, read, and where its values go.
  std::vector<uint8_t> weightsBytes;
  std::string weightsPath;
  Loc weightsLoc;
  ModelWeights *weightsOut = nullptr;
  /// The weight of the statements unrolled so far (see ImportOptions), and
  /// its bound.
  int64_t unrolled = 0;
  int64_t maxUnrolled;
  /// ImportOptions::trainedLater: buffer updates are kept without `train`.
  bool trainedLater = false;
  /// addTraining: the results of the function that are neither outputs nor
  /// losses (buffer updates), kept after them with their attributes.
  std::vector<std::pair<mlir::Value, mlir::DictionaryAttr>> otherResults;
  /// addTraining: the attributes of the outputs and losses it found.
  std::vector<mlir::DictionaryAttr> resultAttrsRead;
};

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORTER_H
