//===- StatsModel.cpp - cost model behind --emit=stats --------------------===//
//
// The conventions, chosen to be simple and stated once (Stats.cpp prints
// them as the report's legend):
//
// Forward FLOPs. A multiply-add counts 2 FLOPs. conv2d is
// 2 * N * O * OH * OW * (C / groups) * kH * kW, plus N * O * OH * OW for the
// bias; linear is 2 * rows * in * out (+ rows * out for the bias); matmul is
// 2 * (result elements) * (contracted size). Elementwise ops (relu, sigmoid,
// tanh, exp, log, sqrt, neg, leaky_relu, add, sub, mul, div, dropout) count 1
// FLOP per result element; transcendentals count 1 too. Pools count one op
// per window element: OH * OW * N * C * kH * kW. sum and mean count 1 per
// input element, sqnorm 2 (a multiply-add). softmax and log_softmax count 5
// per element (max, subtract, exp, sum, normalise); mse 3 per element of its
// larger operand (subtract, multiply-add); bce, bce_logits and cross_entropy
// 5 per element of their input. Data movement (pad2d, flatten, reshape,
// transpose, concat, embedding lookups) counts 0. Other ops: 1 per result
// element.
//
// Backward FLOPs. Reverse mode runs an op's backward only when its result
// reaches the loss and one of its operands depends on a parameter ("needs a
// gradient"). conv2d, linear and matmul compute, per operand that needs a
// gradient, the same multiply-adds as the forward (so about 2x forward when
// the weight and the input both need one), plus rows * out for a bias. The
// first layer's gradient with respect to the model input is NOT counted: an
// input is not a parameter. embedding's backward is a scatter-add, 1 FLOP per
// result element; data movement counts 0; every other op counts 2x its
// forward (the local derivative and the product with the incoming gradient).
//
// Activations kept for backward. An op whose backward runs keeps what its
// vector-Jacobian product reads: conv2d/linear keep their input when the
// weight needs a gradient (and the weight when the input needs one); matmul
// and mul keep each operand the other's gradient needs; div keeps its
// divisor (and its dividend when the divisor needs a gradient); relu,
// sigmoid, tanh, exp, sqrt, softmax and log_softmax keep their result; log,
// leaky_relu, maxpool2d (to find the argmax) and sqnorm keep their input;
// losses keep both operands; embedding keeps its indices. dropout keeps
// nothing: its mask is recomputed from the seed. Parameters and constants
// are never counted (they are stored anyway), and a tensor kept by several
// ops counts once, at the first.
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

#include "passes/StatsModel.h"

#include "ir/NNOps.h"
#include "ir/Names.h"
#include "ir/Queries.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

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

/// Saturating arithmetic: a model too large for int64 shows INT64_MAX rather
/// than a wrapped number.
int64_t mul(int64_t a, int64_t b) {
  int64_t r;
  return llvm::MulOverflow(a, b, r) ? INT64_MAX : r;
}
int64_t add(int64_t a, int64_t b) {
  int64_t r;
  return llvm::AddOverflow(a, b, r) ? INT64_MAX : r;
}

/// Elements of a static shape, saturating (MLIR's getNumElements wraps).
int64_t elements(RankedTensorType type) {
  int64_t n = 1;
  for (int64_t d : type.getShape())
    n = mul(n, d);
  return n;
}

/// Elements of a statically shaped tensor value; 0 for anything else.
int64_t elements(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? elements(type) : 0;
}

/// Bytes of a statically shaped tensor value; 0 for anything else.
int64_t bytes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return mul(elements(type), static_cast<int64_t>((type.getElementTypeBitWidth() + 7) / 8));
}

/// Whether a value is a float tensor (the only kind that carries gradients).
bool isFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && isa<FloatType>(type.getElementType());
}

/// The work of one op under the conventions above.
struct Cost {
  int64_t forward = 0, backward = 0;
  llvm::SmallVector<Value> kept;
};

/// Multiply-add ops: 2 * result elements * contracted size, per operand that
/// needs a gradient in the backward pass, plus the bias.
Cost contractionCost(int64_t out, int64_t k, Value a, Value b, Value bias,
                     const llvm::DenseSet<Value> &needsGrad) {
  Cost c;
  int64_t macs = mul(2, mul(out, k));
  c.forward = bias ? add(macs, out) : macs;
  if (needsGrad.contains(a)) {
    c.backward = add(c.backward, macs);
    c.kept.push_back(b);
  }
  if (needsGrad.contains(b)) {
    c.backward = add(c.backward, macs);
    c.kept.push_back(a);
  }
  if (bias && needsGrad.contains(bias))
    c.backward = add(c.backward, out);
  return c;
}

/// The window size kH * kW of a pool.
int64_t windowSize(ArrayRef<int64_t> kernel) {
  int64_t k = 1;
  for (int64_t d : kernel)
    k = mul(k, d);
  return k;
}

/// The larger element count of an op's operands.
int64_t largestOperand(Operation *op) {
  int64_t n = 0;
  for (Value v : op->getOperands())
    n = std::max(n, elements(v));
  return n;
}

/// Forward and backward FLOPs and kept tensors of one op; backward and kept
/// are meaningful only when the op's backward runs.
Cost costOf(Operation *op, const llvm::DenseSet<Value> &needsGrad) {
  using namespace netc::nn;
  int64_t out = op->getNumResults() ? elements(op->getResult(0)) : 0;
  Value result = op->getNumResults() ? op->getResult(0) : Value();
  auto perElement = [](int64_t n, int64_t flops, llvm::SmallVector<Value> kept = {}) {
    Cost c;
    c.forward = mul(n, flops);
    c.backward = mul(2, c.forward);
    c.kept = std::move(kept);
    return c;
  };
  auto movement = [] { return Cost(); };
  return llvm::TypeSwitch<Operation *, Cost>(op)
      .Case([&](Conv2dOp conv) {
        auto w = cast<RankedTensorType>(conv.getWeight().getType());
        // C / groups * kH * kW, without forming the whole product.
        int64_t k = 1;
        for (int64_t d : w.getShape().drop_front())
          k = mul(k, d);
        return contractionCost(out, k, conv.getInput(), conv.getWeight(), conv.getBias(),
                               needsGrad);
      })
      .Case([&](LinearOp linear) {
        auto w = cast<RankedTensorType>(linear.getWeight().getType());
        int64_t k = w.getRank() == 2 ? w.getDimSize(1) : 0;
        return contractionCost(out, k, linear.getInput(), linear.getWeight(), linear.getBias(),
                               needsGrad);
      })
      .Case([&](MatmulOp matmul) {
        auto a = cast<RankedTensorType>(matmul.getLhs().getType());
        int64_t k = a.getRank() ? a.getShape().back() : 0;
        return contractionCost(out, k, matmul.getLhs(), matmul.getRhs(), Value(), needsGrad);
      })
      .Case([&](EmbeddingOp embedding) {
        Cost c;
        c.backward = out;
        c.kept.push_back(embedding.getIndices());
        return c;
      })
      .Case<ReluOp, SigmoidOp, TanhOp, ExpOp, SqrtOp>(
          [&](Operation *) { return perElement(out, 1, {result}); })
      .Case<LogOp, LeakyReluOp, GeluOp, SiluOp>(
          [&](Operation *) { return perElement(out, 1, {op->getOperand(0)}); })
      .Case<NegOp, AddOp, SubOp, DropoutOp>([&](Operation *) { return perElement(out, 1); })
      .Case([&](MulOp m) {
        llvm::SmallVector<Value> kept;
        if (needsGrad.contains(m.getLhs()))
          kept.push_back(m.getRhs());
        if (needsGrad.contains(m.getRhs()))
          kept.push_back(m.getLhs());
        return perElement(out, 1, kept);
      })
      .Case([&](DivOp d) {
        llvm::SmallVector<Value> kept = {d.getRhs()};
        if (needsGrad.contains(d.getRhs()))
          kept.push_back(d.getLhs());
        return perElement(out, 1, kept);
      })
      .Case<SoftmaxOp, LogSoftmaxOp>([&](Operation *) { return perElement(out, 5, {result}); })
      .Case([&](MaxPool2dOp pool) {
        return perElement(out, windowSize(pool.getKernel()), {pool.getInput()});
      })
      .Case([&](AvgPool2dOp pool) { return perElement(out, windowSize(pool.getKernel())); })
      .Case<SumOp, MeanOp>([&](Operation *) { return perElement(elements(op->getOperand(0)), 1); })
      .Case([&](SqNormOp s) { return perElement(elements(s.getInput()), 2, {s.getInput()}); })
      .Case([&](MseOp) {
        return perElement(largestOperand(op), 3, llvm::to_vector(op->getOperands()));
      })
      .Case<BceOp, BceLogitsOp, CrossEntropyOp>([&](Operation *) {
        return perElement(largestOperand(op), 5, llvm::to_vector(op->getOperands()));
      })
      .Case<Pad2dOp, FlattenOp, ReshapeOp, TransposeOp, ConcatOp>(
          [&](Operation *) { return movement(); })
      .Default([&](Operation *) { return perElement(out, 1); });
}

/// Whether a value is an argument of `fn` marked `nn.param`.
bool isParam(func::FuncOp fn, Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  return arg && arg.getOwner()->isEntryBlock() &&
         fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "nn.param");
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
/// one, Adam two, plain SGD none.
void readOptimizer(func::FuncOp fn, ModelStats &stats) {
  auto opt = fn->getAttrOfType<DictionaryAttr>("nn.optimizer");
  if (!opt)
    return;
  if (auto kind = opt.getAs<StringAttr>("kind"))
    stats.optimizer = kind.getValue().str();
  if (stats.optimizer == "adam") {
    stats.stateBuffers = 2;
  } else if (stats.optimizer == "sgd") {
    auto momentum = opt.getAs<FloatAttr>("momentum");
    stats.stateBuffers = momentum && momentum.getValueAsDouble() > 0 ? 1 : 0;
  }
}

/// Live bytes at each op of the inference slice; fills the inference peak.
void inferencePeak(func::FuncOp fn, Block &body, ModelStats &stats) {
  Operation *ret = body.getTerminator();
  llvm::SmallVector<Value> roots;
  for (auto [i, v] : llvm::enumerate(ret->getOperands()))
    if (!stats.hasOutputs || fn.getResultAttrOfType<StringAttr>(i, "nn.output"))
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
    if (fn.getResultAttrOfType<StringAttr>(i, "nn.loss"))
      loss = v;
    if (fn.getResultAttrOfType<StringAttr>(i, "nn.output"))
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

    Cost cost = costOf(&op, needsGrad);
    row.forwardFlops = cost.forward;
    bool anyNeedsGrad =
        llvm::any_of(op.getOperands(), [&](Value v) { return needsGrad.contains(v); });
    bool backwardRuns = anyNeedsGrad && llvm::any_of(op.getResults(), [&](Value r) {
                          return reachesLoss.contains(r);
                        });
    if (backwardRuns) {
      row.backwardFlops = cost.backward;
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
