//===- Stateful.cpp - train_select and increment --------------------------===//
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

} // namespace

void registerStatefulAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachAlgorithm<nn::TrainSelectOp,
                    definePure<OpFamily::Elementwise, nn::TrainSelectOp, trainSelect>>(*context);
    attachAlgorithm<nn::IncrementOp,
                    definePure<OpFamily::Elementwise, nn::IncrementOp, increment>>(*context);
  });
}

} // namespace netc::codegen
