//===- StatsModel.cpp - cost model behind --emit=stats --------------------===//
//
// The conventions, chosen to be simple and stated once (Stats.cpp prints
// them as the report's legend):
//
// Forward FLOPs, backward FLOPs and the activations kept for the backward
// pass are each op's own (CostOpInterface); ir/OpCost.h states their
// conventions. Parameters and constants are never counted as kept (they are
// stored anyway), and a tensor kept by several ops counts once, at the first.
//
// Peak memory. Every op result is its own buffer (no views, no in-place).
// Inference runs the ops that the `nn.output` results need (all ops when the
// model has none): parameters + the maximum over ops of the bytes live while
// the op runs, a value being live from its definition (inputs: from the
// start) to its last use (results: to the end). The training step holds
// parameters + gradients (the same size) + optimizer state (SGD with momentum
// > 0: one buffer per parameter; Adam: two) + every activation kept for the
// backward pass + the largest transient: the largest over ops of its result
// plus its non-parameter operands (in the backward pass, the gradient
// arriving and the gradients leaving).
//
//===----------------------------------------------------------------------===//

#include "reports/StatsModel.h"

#include "ir/NNOps.h"
#include "ir/OpCost.h"
#include "ir/Signature.h"
#include "ir/Names.h"
#include "ir/Queries.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>

using namespace mlir;

namespace netc::stats {

std::string shapeText(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return "?";
  if (tensor.getRank() == 0)
    return "scalar";
  std::string s;
  for (auto [i, d] : llvm::enumerate(tensor.getShape()))
    s += (i ? "x" : "") + (ShapedType::isDynamic(d) ? std::string("?") : std::to_string(d));
  return s;
}

namespace {

using netc::nn::cost::add;
using netc::nn::cost::elements;
using netc::nn::cost::mul;

/// Bytes of a statically shaped tensor value; 0 for anything else.
int64_t bytes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return mul(elements(v), static_cast<int64_t>((type.getElementTypeBitWidth() + 7) / 8));
}

/// Whether a value is a float tensor (the only kind that carries gradients).
bool isFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// Forward and backward FLOPs and kept tensors of one op; backward and kept
/// are meaningful only when the op's backward runs. An op without a cost of
/// its own counts one FLOP per result element.
netc::nn::OpCost costOf(Operation *op, const llvm::DenseSet<Value> &needsGrad) {
  auto needsGradient = [&](Value v) { return needsGrad.contains(v); };
  if (auto costed = dyn_cast<netc::nn::CostOpInterface>(op))
    return costed.getCost(needsGradient);
  return netc::nn::cost::perResultElement(op, 1);
}

/// Whether a value is an argument of `fn` marked `nn.param`.
bool isParam(func::FuncOp fn, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner()->isEntryBlock() &&
         nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Param);
}

/// Whether a value is a constant (stored in the program, not allocated).
bool isConstant(Value v) {
  Operation *def = v.getDefiningOp();
  return def && def->hasTrait<OpTrait::ConstantLike>();
}

/// The values a set of returned values depends on (the values themselves
/// included), walking the body backwards.
llvm::DenseSet<Value> backwardSlice(Block &body, ArrayRef<Value> roots) {
  llvm::DenseSet<Value> needed(roots.begin(), roots.end());
  for (Operation &op : llvm::reverse(body.getOperations()))
    if (llvm::any_of(op.getResults(), [&](Value r) { return needed.contains(r); }))
      for (Value operand : op.getOperands())
        needed.insert(operand);
  return needed;
}

/// The optimizer's state buffers per parameter: SGD with momentum > 0 keeps
/// one, Adam and AdamW two, RMSprop one more each for momentum and centering,
/// plain SGD none.
void readOptimizer(func::FuncOp fn, ModelStats &stats) {
  auto opt = nn::optimizerOf(fn);
  // Several losses carry an optimizer each; the first stands for them.
  for (unsigned i = 0, e = fn.getNumResults(); i < e && !opt; ++i)
    opt = fn.getResultAttrOfType<DictionaryAttr>(i,
                                                 nn::NNDialect::OptimizerAttrHelper::getNameStr());
  if (!opt)
    return;
  if (auto kind = opt.getAs<StringAttr>("kind"))
    stats.optimizer = kind.getValue().str();
  auto positive = [&](StringRef key) {
    auto attr = opt.getAs<FloatAttr>(key);
    return attr && attr.getValueAsDouble() > 0;
  };
  if (stats.optimizer == "adam" || stats.optimizer == "adamw") {
    stats.stateBuffers = 2;
  } else if (stats.optimizer == "rmsprop") {
    auto centered = opt.getAs<BoolAttr>("centered");
    stats.stateBuffers = 1 + (positive("momentum") ? 1 : 0) + (centered && centered.getValue());
  } else if (stats.optimizer == "sgd") {
    stats.stateBuffers = positive("momentum") ? 1 : 0;
  }
}

/// Live bytes at each op of the inference slice; fills the inference peak.
void inferencePeak(func::FuncOp fn, Block &body, ModelStats &stats) {
  Operation *ret = body.getTerminator();
  llvm::SmallVector<Value> roots;
  for (auto [i, v] : llvm::enumerate(ret->getOperands()))
    if (!stats.hasOutputs || nn::resultName(fn, i, nn::ResultRole::Output))
      roots.push_back(v);
  llvm::DenseSet<Value> needed = backwardSlice(body, roots);

  // Each buffer's lifetime in row indices: [start, end].
  struct Interval {
    int64_t bytes;
    int start, end;
  };
  llvm::DenseMap<Value, Interval> life;
  int last = static_cast<int>(stats.ops.size()) - 1;
  for (BlockArgument arg : body.getArguments())
    if (needed.contains(arg) && !isParam(fn, arg))
      life[arg] = {bytes(arg), 0, 0};
  auto inSlice = [&](const OpStats &row) {
    return llvm::any_of(row.op->getResults(), [&](Value r) { return needed.contains(r); });
  };
  for (auto [i, row] : llvm::enumerate(stats.ops)) {
    if (!inSlice(row))
      continue;
    for (Value operand : row.op->getOperands())
      if (auto it = life.find(operand); it != life.end())
        it->second.end = static_cast<int>(i);
    for (Value r : row.op->getResults())
      if (needed.contains(r))
        life[r] = {bytes(r), static_cast<int>(i), static_cast<int>(i)};
  }
  for (Value v : ret->getOperands())
    if (auto it = life.find(v); it != life.end())
      it->second.end = last;

  for (auto [i, row] : llvm::enumerate(stats.ops)) {
    if (!inSlice(row))
      continue;
    int64_t live = 0;
    for (auto &entry : life)
      if (entry.second.start <= static_cast<int>(i) && static_cast<int>(i) <= entry.second.end)
        live = add(live, entry.second.bytes);
    if (stats.inferencePeakOp < 0 || live > stats.inferenceActivationBytes) {
      stats.inferenceActivationBytes = live;
      stats.inferencePeakOp = static_cast<int>(i);
    }
  }
  // A model whose outputs are its inputs runs no op; its inputs are the peak.
  if (stats.inferencePeakOp < 0)
    for (auto &entry : life)
      stats.inferenceActivationBytes = add(stats.inferenceActivationBytes, entry.second.bytes);
  stats.inferencePeakBytes = add(stats.paramBytes, stats.inferenceActivationBytes);
}

} // namespace

FailureOr<ModelStats> computeStats(func::FuncOp fn) {
  ModelStats stats;
  stats.model = fn.getSymName().str();
  if (fn.isExternal())
    return stats;
  Block &body = fn.getBody().front();
  Operation *ret = body.getTerminator();

  // Parameters, and which values need a gradient.
  llvm::DenseSet<Value> needsGrad;
  for (BlockArgument arg : body.getArguments()) {
    if (!isParam(fn, arg))
      continue;
    stats.params = add(stats.params, elements(arg));
    stats.paramBytes = add(stats.paramBytes, bytes(arg));
    needsGrad.insert(arg);
  }
  Value loss;
  for (auto [i, v] : llvm::enumerate(ret->getOperands())) {
    if (nn::resultName(fn, i, nn::ResultRole::Loss))
      loss = v;
    if (nn::resultName(fn, i, nn::ResultRole::Output))
      stats.hasOutputs = true;
  }
  stats.hasLoss = static_cast<bool>(loss);
  llvm::DenseSet<Value> reachesLoss;
  if (loss)
    reachesLoss = backwardSlice(body, {loss});

  llvm::DenseSet<Value> paramsSeen, kept;
  for (Operation &op : body.without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    for (Value r : op.getResults()) {
      auto type = dyn_cast<RankedTensorType>(r.getType());
      if (type && !type.hasStaticShape())
        return op.emitError("statistics need static shapes, got ") << type;
    }
    OpStats row;
    row.op = &op;
    std::tie(row.name, row.line) = netc::nn::dslSource(op.getLoc());
    // The stats are plain text: a location name of a .mlir input (not verified)
    // holding a newline or a control byte would break the table's lines.
    if (checkName(row.name))
      row.name = printableName(row.name);
    row.opName = op.getDialect() && op.getDialect()->getNamespace() == "nn"
                     ? op.getName().stripDialect().str()
                     : op.getName().getStringRef().str();
    row.shape = op.getNumResults() ? shapeText(op.getResult(0).getType()) : "-";
    for (Value operand : op.getOperands())
      if (isParam(fn, operand) && paramsSeen.insert(operand).second)
        row.params = add(row.params, elements(operand));

    netc::nn::OpCost cost = costOf(&op, needsGrad);
    row.forwardFlops = cost.forwardFlops;
    bool anyNeedsGrad =
        llvm::any_of(op.getOperands(), [&](Value v) { return needsGrad.contains(v); });
    bool backwardRuns = anyNeedsGrad && llvm::any_of(op.getResults(), [&](Value r) {
                          return reachesLoss.contains(r);
                        });
    if (backwardRuns) {
      row.backwardFlops = cost.backwardFlops;
      for (Value v : cost.kept)
        if (!isParam(fn, v) && !isConstant(v) && kept.insert(v).second)
          row.keptBytes = add(row.keptBytes, bytes(v));
    }
    if (anyNeedsGrad)
      for (Value r : op.getResults())
        if (isFloatTensor(r))
          needsGrad.insert(r);

    row.transientBytes = op.getNumResults() ? bytes(op.getResult(0)) : 0;
    for (Value operand : op.getOperands())
      if (!isParam(fn, operand) && !isConstant(operand))
        row.transientBytes = add(row.transientBytes, bytes(operand));

    stats.forwardFlops = add(stats.forwardFlops, row.forwardFlops);
    stats.backwardFlops = add(stats.backwardFlops, row.backwardFlops);
    stats.keptBytes = add(stats.keptBytes, row.keptBytes);
    if (stats.transientOp < 0 || row.transientBytes > stats.transientBytes) {
      stats.transientBytes = row.transientBytes;
      stats.transientOp = static_cast<int>(stats.ops.size());
    }
    stats.ops.push_back(std::move(row));
  }

  inferencePeak(fn, body, stats);
  readOptimizer(fn, stats);
  stats.optimizerStateBytes = mul(stats.stateBuffers, stats.paramBytes);
  stats.trainingPeakBytes = add(add(mul(2, stats.paramBytes), stats.optimizerStateBytes),
                                add(stats.keptBytes, stats.transientBytes));
  return stats;
}

} // namespace netc::stats
