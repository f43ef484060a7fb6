//===- Arith.cpp - the arith ops of train steps in the interpreter --------===//
//
// Gradient rules build 0-d float constants, and the train step derives each
// dropout's seed from its %seed argument with i64 arithmetic. Integer ops
// wrap modulo 2^64 (or 2^32 for i32) as arith defines them; float ops work
// elementwise on operands of one shape.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/TypeSwitch.h"

#include <functional>

using namespace mlir;

namespace netc::interp {
namespace {

LogicalResult evalConstant(arith::ConstantOp op, Evaluator &ev) {
  Tensor y = ev.zerosLike(op.getResult());
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
  ev.set(op.getResult(), std::move(y));
  return success();
}

/// Integer arithmetic modulo 2^64, truncated to i32 when the result is i32.
LogicalResult intBinary(Operation *op, Evaluator &ev,
                        const std::function<uint64_t(uint64_t, uint64_t)> &fn) {
  const Tensor &a = ev.get(op->getOperand(0)), &b = ev.get(op->getOperand(1));
  Tensor y = ev.zerosLike(op->getResult(0));
  for (int64_t i = 0; i < y.numel(); ++i) {
    uint64_t v = fn(static_cast<uint64_t>(a.ints[i]), static_cast<uint64_t>(b.ints[i]));
    y.ints[i] = y.type == ElementType::I32 ? static_cast<int32_t>(v) : static_cast<int64_t>(v);
  }
  ev.set(op->getResult(0), std::move(y));
  return success();
}

/// Float arithmetic on operands of one shape.
LogicalResult floatBinary(Operation *op, Evaluator &ev,
                          const std::function<double(double, double)> &fn) {
  const Tensor &a = ev.get(op->getOperand(0)), &b = ev.get(op->getOperand(1));
  Tensor y = ev.zerosLike(op->getResult(0));
  for (int64_t i = 0; i < y.numel(); ++i)
    y.floats[i] = fn(a.floats[i], b.floats[i]);
  ev.set(op->getResult(0), std::move(y));
  return success();
}

/// Conversions between integers and floats.
LogicalResult convert(Operation *op, Evaluator &ev) {
  Tensor y = ev.get(op->getOperand(0)).convertedTo(ev.zerosLike(op->getResult(0)).type);
  ev.set(op->getResult(0), std::move(y));
  return success();
}

} // namespace

std::optional<LogicalResult> evalArithOp(Operation *op, Evaluator &ev) {
  using R = std::optional<LogicalResult>;
  return llvm::TypeSwitch<Operation *, R>(op)
      .Case([&](arith::ConstantOp o) { return evalConstant(o, ev); })
      .Case([&](arith::AddIOp) { return intBinary(op, ev, std::plus<uint64_t>()); })
      .Case([&](arith::SubIOp) { return intBinary(op, ev, std::minus<uint64_t>()); })
      .Case([&](arith::MulIOp) { return intBinary(op, ev, std::multiplies<uint64_t>()); })
      .Case([&](arith::XOrIOp) { return intBinary(op, ev, std::bit_xor<uint64_t>()); })
      .Case([&](arith::AddFOp) { return floatBinary(op, ev, std::plus<double>()); })
      .Case([&](arith::SubFOp) { return floatBinary(op, ev, std::minus<double>()); })
      .Case([&](arith::MulFOp) { return floatBinary(op, ev, std::multiplies<double>()); })
      .Case([&](arith::DivFOp) { return floatBinary(op, ev, std::divides<double>()); })
      .Case<arith::SIToFPOp, arith::FPToSIOp, arith::ExtFOp, arith::TruncFOp>(
          [&](Operation *) { return convert(op, ev); })
      .Default([](Operation *) { return R(); });
}

} // namespace netc::interp
