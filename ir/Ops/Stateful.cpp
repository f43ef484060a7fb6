//===- Stateful.cpp - ops of train steps and buffers ----------------------===//
//
// train_select, increment, batch_norm and the collective replica_mean and
// replica_count: shape rules, VJPs and costs (ir/OpCost.h). batch_norm is
// composite (passes/DecomposeNorm.cpp builds it).
//
//===----------------------------------------------------------------------===//

#include "ir/GradientBuilder.h"
#include "ir/OpCost.h"
#include "ir/OpShapes.h"

using namespace mlir;
using namespace netc::nn;
using namespace netc::nn::detail;
namespace shape = netc::shape;

//===--- train_select ---===//

LogicalResult TrainSelectOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  if (getTrain().getType() != getEval().getType())
    return emitError() << "train_select expects operands of one type, got "
                       << getTrain().getType() << " and " << getEval().getType();
  types.push_back(getTrain().getType());
  return success();
}

/// In a train step the op is its `train` operand: only that one has a gradient.
FailureOr<SmallVector<Value>> TrainSelectOp::buildVJP(OpBuilder &builder,
                                                      ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({resultGrads[0], Value()});
}

/// A copy of one operand.
OpCost TrainSelectOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 0);
}

//===--- increment ---===//

LogicalResult IncrementOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

OpCost IncrementOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

//===--- batch_norm (composite: nn-decompose) ---===//

/// Per pixel, as receptive fields are read: in inference each output pixel is
/// an affine function of its own input pixel. The batch statistics of a train
/// step depend on every pixel, but they are not what a field describes, as
/// for PyTorch's own receptive-field tools and the literature.
ReceptiveFieldRule BatchNormOp::getReceptiveFieldRule() { return ReceptiveFieldRule::passThrough(); }

LogicalResult BatchNormOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  SmallVector<Value> operands(getOperands());
  if (failed(sameElementType(*this, operands)))
    return failure();
  shape::Shape input = shapeOf(getInput());
  // torch.nn.BatchNorm1d takes [N, C] or [N, C, L], BatchNorm2d [N, C, H, W].
  if (input.size() < 2 || input.size() > 4)
    return emitError() << "batch_norm expects an input of rank 2, 3 or 4 ([N, C], [N, C, L] or "
                          "[N, C, H, W]), got "
                       << shape::str(input);
  shape::Shape channels{input[1]};
  for (Value v : {getRunningMean(), getRunningVar()})
    if (shapeOf(v) != channels)
      return emitError() << "batch_norm expects running statistics of shape "
                         << shape::str(channels) << " (the channels of " << shape::str(input)
                         << "), got " << shape::str(shapeOf(v));
  if (getAffine().size() != 0 && getAffine().size() != 2)
    return emitError() << "batch_norm expects no affine operands or two (weight, bias), got "
                       << getAffine().size();
  for (Value v : getAffine())
    if (shapeOf(v) != channels)
      return emitError() << "batch_norm expects weight and bias of shape " << shape::str(channels)
                         << ", got " << shape::str(shapeOf(v));
  if (!(getEps().convertToDouble() >= 0.0))
    return emitError() << "batch_norm expects eps >= 0";
  double momentum = getMomentum().convertToDouble();
  if (!(momentum >= 0.0 && momentum <= 1.0))
    return emitError() << "batch_norm expects momentum in [0, 1], got " << momentum;
  types.push_back(getInput().getType());
  types.push_back(getRunningMean().getType());
  types.push_back(getRunningVar().getType());
  return success();
}

//===--- replica_mean, replica_count (collective) ---===//

LogicalResult ReplicaMeanOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(getInput().getType());
  return success();
}

/// The mean over replicas of what flows back (ReplicaMeanOp's description).
FailureOr<SmallVector<Value>> ReplicaMeanOp::buildVJP(OpBuilder &builder, ValueRange resultGrads) {
  GradientBuilder gb(builder, *this);
  return gb.finish({gb.create<ReplicaMeanOp>({resultGrads[0]})});
}

/// One addition per element and replica; counted as one.
OpCost ReplicaMeanOp::getCost(function_ref<bool(Value)>) {
  return cost::perElement(cost::elements(getResult()), 1);
}

LogicalResult ReplicaCountOp::inferResultTypes(SmallVectorImpl<Type> &types) {
  types.push_back(RankedTensorType::get({}, getElementType()));
  return success();
}

OpCost ReplicaCountOp::getCost(function_ref<bool(Value)>) { return cost::perElement(1, 0); }
