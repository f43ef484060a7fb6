//===- Arith.cpp - the arith ops of train steps ---------------------------===//
//
// Gradient rules build 0-d float constants, and the train step derives each
// dropout's seed from its %seed argument with i64 arithmetic. Integer ops
// wrap modulo 2^64 (or 2^32 for i32) as arith defines them; float ops work
// elementwise on operands of one shape.
//
// These are not nn ops: their kernels attach to the arith dialect's ops
// through the same interface, so the evaluator needs no special case.
//
//===----------------------------------------------------------------------===//

#include "interp/KernelContext.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectRegistry.h"

#include <functional>

using namespace mlir;

namespace netc::interp {
namespace {

/// arith.constant: a dense, float or integer attribute.
LogicalResult evalConstant(arith::ConstantOp op, KernelContext &ctx) {
  Tensor y = ctx.zerosLike(op.getResult());
  Attribute value = op.getValue();
  if (auto dense = dyn_cast<DenseElementsAttr>(value)) {
    if (y.isFloat()) {
      int64_t i = 0;
      for (APFloat v : dense.getValues<APFloat>())
        y.floats[i++] = v.convertToDouble();
    } else {
      int64_t i = 0;
      for (APInt v : dense.getValues<APInt>())
        y.ints[i++] = v.getSExtValue();
    }
  } else if (auto f = dyn_cast<FloatAttr>(value)) {
    y.floats[0] = f.getValueAsDouble();
  } else if (auto n = dyn_cast<IntegerAttr>(value)) {
    y.ints[0] = n.getValue().getSExtValue();
  } else {
    return op.emitError() << "the interpreter cannot evaluate the constant " << value;
  }
  ctx.set(op.getResult(), std::move(y));
  return success();
}

/// Integer arithmetic `Fn` modulo 2^64, truncated to i32 when the result is i32.
template <typename OpT, typename Fn> LogicalResult evalIntBinary(OpT op, KernelContext &ctx) {
  Fn fn;
  const Tensor &a = ctx.get(op->getOperand(0)), &b = ctx.get(op->getOperand(1));
  Tensor y = ctx.zerosLike(op->getResult(0));
  for (int64_t i = 0; i < y.numel(); ++i) {
    uint64_t v = fn(static_cast<uint64_t>(a.ints[i]), static_cast<uint64_t>(b.ints[i]));
    y.ints[i] = y.type == ElementType::I32 ? static_cast<int32_t>(v) : static_cast<int64_t>(v);
  }
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

/// Float arithmetic `Fn` on operands of one shape.
template <typename OpT, typename Fn> LogicalResult evalFloatBinary(OpT op, KernelContext &ctx) {
  Fn fn;
  const Tensor &a = ctx.get(op->getOperand(0)), &b = ctx.get(op->getOperand(1));
  Tensor y = ctx.zerosLike(op->getResult(0));
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = fn(a.floats[i], b.floats[i]);
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

/// Conversions between integers and floats.
template <typename OpT> LogicalResult evalConvert(OpT op, KernelContext &ctx) {
  Tensor y = ctx.get(op->getOperand(0)).convertedTo(ctx.zerosLike(op->getResult(0)).type);
  ctx.set(op->getResult(0), std::move(y));
  return success();
}

} // namespace

void registerArithKernels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, arith::ArithDialect *) {
    attachKernels<evalConstant, evalIntBinary<arith::AddIOp, std::plus<uint64_t>>,
                  evalIntBinary<arith::SubIOp, std::minus<uint64_t>>,
                  evalIntBinary<arith::MulIOp, std::multiplies<uint64_t>>,
                  evalIntBinary<arith::XOrIOp, std::bit_xor<uint64_t>>,
                  evalFloatBinary<arith::AddFOp, std::plus<double>>,
                  evalFloatBinary<arith::SubFOp, std::minus<double>>,
                  evalFloatBinary<arith::MulFOp, std::multiplies<double>>,
                  evalFloatBinary<arith::DivFOp, std::divides<double>>,
                  evalConvert<arith::SIToFPOp>, evalConvert<arith::FPToSIOp>,
                  evalConvert<arith::ExtFOp>, evalConvert<arith::TruncFOp>>(context);
  });
}

} // namespace netc::interp
