//===- Stateful.cpp - train_select, increment and the collective ops -------===//
//
// The algorithms of the ops of train steps and buffers. Compiled forward
// functions are in their inference form, without train_select; a function
// that still has one is a forward form and reads `eval`, as the interpreter.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {
namespace {

Expr trainSelect(FunctionLowering &fl, nn::TrainSelectOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 1, v);
}

Expr increment(FunctionLowering &fl, nn::IncrementOp op, const std::vector<Var> &v) {
  Expr x = operandAt(fl, op, 0, v);
  // A step counter: it never comes near the type's limit.
  return x + make_const(x.type(), op.getAmount());
}

// The collective ops compiled into one pipeline are their single-process
// value; executables and libraries run them between parts instead
// (codegen/Split.h), where the runtime's communicator computes them.
Expr replicaMean(FunctionLowering &fl, nn::ReplicaMeanOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v);
}

Expr replicaCount(FunctionLowering &, nn::ReplicaCountOp op, const std::vector<Var> &) {
  return Halide::Internal::make_one(FunctionLowering::halideType(op.getElementType()));
}

} // namespace

void registerStatefulAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachAlgorithm<nn::TrainSelectOp,
                    definePure<OpFamily::Elementwise, nn::TrainSelectOp, trainSelect>>(*context);
    attachAlgorithm<nn::IncrementOp,
                    definePure<OpFamily::Elementwise, nn::IncrementOp, increment>>(*context);
    attachAlgorithm<nn::ReplicaMeanOp,
                    definePure<OpFamily::Elementwise, nn::ReplicaMeanOp, replicaMean>>(*context);
    attachAlgorithm<nn::ReplicaCountOp,
                    definePure<OpFamily::Elementwise, nn::ReplicaCountOp, replicaCount>>(*context);
  });
}

} // namespace netc::codegen
