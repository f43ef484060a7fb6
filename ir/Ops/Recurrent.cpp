//===- Recurrent.cpp - recurrences of the nn dialect ----------------------===//
//
// lstm_scan and gru_scan and their reverse recurrences: shape rules, VJPs
// and costs (ir/OpCost.h). A scan's gradient is its backward op (the reverse
// recurrence, one loop over time) followed by contractions over the whole
// sequence for the recurrent weight, so no op of the gradient grows with
// the sequence length either. Every result element depends on whole axes of
// the operands: a receptive field does not pass through (NN_Global).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

namespace {

/// The sizes of a scan: steps, batch and hidden width.
struct ScanDims {
  int64_t steps = 0, batch = 0, hidden = 0;
};

/// Checks a scan's input projection `xg` [T, B, gates * H] against its
/// states [B, H] and returns the sizes.
FailureOr<ScanDims> checkSequence(Operation *op, Value xg, int64_t gates, ValueRange states) {
  shape::Shape x = shapeOf(xg);
  if (x.size() != 3 || x[2] % gates != 0 || x[2] == 0)
    return op->emitError() << dslName(op) << " expects a projection [T, B, " << gates
                           << " * H], got " << shape::str(x);
  ScanDims d{x[0], x[1], x[2] / gates};
  for (Value s : states)
    if (shapeOf(s) != shape::Shape{d.batch, d.hidden})
      return op->emitError() << dslName(op) << " expects a state of shape "
                             << shape::str({d.batch, d.hidden}) << ", got "
                             << shape::str(shapeOf(s));
  return d;
}

/// Checks that `v` has `expected`'s shape; `what` names it.
LogicalResult expectShape(Operation *op, Value v, const shape::Shape &expected,
                          llvm::StringRef what) {
  if (shapeOf(v) == expected)
    return success();
  return op->emitError() << dslName(op) << " expects " << what << " of shape "
                         << shape::str(expected) << ", got " << shape::str(shapeOf(v));
}

/// Infers `[T, B, width * H]` after checking that every operand shares the
/// element type of the first.
LogicalResult pushScanResult(Operation *op, const ScanDims &d, int64_t width,
                             SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(op->getOperands());
  if (failed(sameElementType(op, operands)))
    return failure();
  types.push_back(RankedTensorType::get({d.steps, d.batch, width * d.hidden},
                                        elementTypeOf(op->getOperand(0))));
  return success();
}

/// `v[:, :, start * H : (start + count) * H]` of a [T, B, k * H] tensor.
Value slots(GradientBuilder &gb, Value v, int64_t hidden, int64_t start, int64_t count) {
  return gb.create<SliceOp>({v}, {gb.i64("dim", 2), gb.i64("start", start * hidden),
                                  gb.i64("size", count * hidden), gb.i64("step", 1)});
}

/// Slot `slot` of step 0 of a [T, B, k * H] tensor, as [B, H].
Value firstStep(GradientBuilder &gb, Value v, const ScanDims &d, int64_t slot) {
  Value step = gb.create<SliceOp>({slots(gb, v, d.hidden, slot, 1)},
                                  {gb.i64("dim", 0), gb.i64("start", 0), gb.i64("size", 1),
                                   gb.i64("step", 1)});
  return gb.reshape(step, {d.batch, d.hidden});
}

/// The state each step starts from, [T, B, H]: h0, then h_0 ... h_{T-2}
/// (slot 0 of the scan's result).
Value previousStates(GradientBuilder &gb, Value state, Value h0, const ScanDims &d) {
  Value first = gb.reshape(h0, {1, d.batch, d.hidden});
  if (d.steps == 1)
    return first;
  Value rest = gb.create<SliceOp>({slots(gb, state, d.hidden, 0, 1)},
                                  {gb.i64("dim", 0), gb.i64("start", 0),
                                   gb.i64("size", d.steps - 1), gb.i64("step", 1)});
  return gb.create<ConcatOp>({first, rest}, {gb.i64("dim", 0)});
}

/// The gradient of a transposed recurrent weight [H, k * H]: the sum over
/// steps and batch of h_{t-1} (x) d(gates_t), one contraction.
Value weightGrad(GradientBuilder &gb, Value previous, Value dGates, const ScanDims &d,
                 int64_t gates) {
  int64_t rows = d.steps * d.batch;
  Value h = gb.transposeLast(gb.reshape(previous, {rows, d.hidden}));
  return gb.create<MatmulOp>({h, gb.reshape(dGates, {rows, gates * d.hidden})});
}

/// The cost of a scan with `gates` gates per unit: the step's matrix-vector
/// product and `pointwise` FLOPs per unit forward; backward, the product
/// twice more (the state gradient and the weight gradient) and the pointwise
/// work twice.
OpCost scanCost(Operation *op, const ScanDims &d, int64_t gates, int64_t pointwise) {
  int64_t units = cost::mul(cost::mul(d.steps, d.batch), d.hidden);
  int64_t macs = cost::mul(units, gates * d.hidden);
  OpCost c;
  c.forwardFlops = cost::add(cost::mul(2, macs), cost::mul(units, pointwise));
  c.backwardFlops = cost::add(cost::mul(4, macs), cost::mul(units, 2 * pointwise));
  c.kept.push_back(op->getResult(0));
  return c;
}

} // namespace

//===--- lstm_scan ---===//

LogicalResult LstmScanOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  FailureOr<ScanDims> d = checkSequence(*this, getXg(), 4, {getH0(), getC0()});
  if (failed(d) ||
      failed(expectShape(*this, getWeightT(), {d->hidden, 4 * d->hidden}, "weight_t")))
    return failure();
  return pushScanResult(*this, *d, 6, types);
}

FailureOr<SmallVector<Value>> LstmScanOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  ScanDims d = *checkSequence(*this, getXg(), 4, {});
  Value back = gb.create<LstmScanBackwardOp>(
      {resultGrads[0], getResult(), getH0(), getC0(), gb.transposeLast(getWeightT())});
  Value dGates = slots(gb, back, d.hidden, 0, 4);
  Value dw = weightGrad(gb, previousStates(gb, getResult(), getH0(), d), dGates, d, 4);
  return gb.finish({dGates, firstStep(gb, back, d, 4), firstStep(gb, back, d, 5), dw});
}

/// Four gates' products with h_{t-1}; three sigmoids, two tanh and the cell
/// update per unit.
OpCost LstmScanOp::getCost(function_ref<bool(Value)>) {
  return scanCost(*this, *checkSequence(*this, getXg(), 4, {}), 4, 10);
}

//===--- lstm_scan_backward ---===//

LogicalResult LstmScanBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape g = shapeOf(getGrad());
  if (g.size() != 3 || g[2] % 6 != 0 || g[2] == 0)
    return emitError() << "lstm_scan_backward expects grad [T, B, 6 * H], got " << shape::str(g);
  ScanDims d{g[0], g[1], g[2] / 6};
  if (failed(expectShape(*this, getState(), g, "state")) ||
      failed(expectShape(*this, getH0(), {d.batch, d.hidden}, "h0")) ||
      failed(expectShape(*this, getC0(), {d.batch, d.hidden}, "c0")) ||
      failed(expectShape(*this, getWeight(), {4 * d.hidden, d.hidden}, "weight")))
    return failure();
  return pushScanResult(*this, d, 6, types);
}

//===--- gru_scan ---===//

LogicalResult GruScanOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  FailureOr<ScanDims> d = checkSequence(*this, getXg(), 3, {getH0()});
  if (failed(d) ||
      failed(expectShape(*this, getWeightT(), {d->hidden, 3 * d->hidden}, "weight_t")) ||
      failed(expectShape(*this, getBiasHh(), {3 * d->hidden}, "bias_hh")))
    return failure();
  return pushScanResult(*this, *d, 4, types);
}

FailureOr<SmallVector<Value>> GruScanOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  ScanDims d = *checkSequence(*this, getXg(), 3, {});
  Value back = gb.create<GruScanBackwardOp>(
      {resultGrads[0], getResult(), getXg(), getH0(), gb.transposeLast(getWeightT())});
  Value dHidden = slots(gb, back, d.hidden, 3, 3);
  Value dw = weightGrad(gb, previousStates(gb, getResult(), getH0(), d), dHidden, d, 3);
  return gb.finish({slots(gb, back, d.hidden, 0, 3), firstStep(gb, back, d, 6), dw,
                    gb.sumTo(dHidden, getBiasHh())});
}

/// Three gates' products with h_{t-1}; two sigmoids, a tanh and the
/// interpolation per unit.
OpCost GruScanOp::getCost(function_ref<bool(Value)>) {
  return scanCost(*this, *checkSequence(*this, getXg(), 3, {}), 3, 10);
}

//===--- gru_scan_backward ---===//

LogicalResult GruScanBackwardOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  shape::Shape g = shapeOf(getGrad());
  if (g.size() != 3 || g[2] % 4 != 0 || g[2] == 0)
    return emitError() << "gru_scan_backward expects grad [T, B, 4 * H], got " << shape::str(g);
  ScanDims d{g[0], g[1], g[2] / 4};
  if (failed(expectShape(*this, getState(), g, "state")) ||
      failed(expectShape(*this, getXg(), {d.steps, d.batch, 3 * d.hidden}, "xg")) ||
      failed(expectShape(*this, getH0(), {d.batch, d.hidden}, "h0")) ||
      failed(expectShape(*this, getWeight(), {3 * d.hidden, d.hidden}, "weight")))
    return failure();
  return pushScanResult(*this, d, 7, types);
}
