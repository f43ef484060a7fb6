//===- OpsArith.cpp - arithmetic, Gemm and MatMul -------------------------===//
//
// Add, Sub, Mul and Div of float tensors with NumPy broadcasting (integer
// ones on constants fold, Fold.cpp), Gemm (nn.linear where it is one:
// alpha = beta = 1, B transposed, a bias of [N]; otherwise a matmul with
// scaling) and MatMul.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "ir/NNOps.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace netc::onnx {

namespace {

/// A float op of two tensors with broadcasting.
OnnxConverter binary(StringRef opName) {
  return [opName](OnnxNode &node) {
    Value lhs = node.input(0), rhs = node.input(1);
    if (!lhs || !rhs)
      return failure();
    for (Value v : {lhs, rhs})
      if (!isa<FloatType>(cast<RankedTensorType>(v.getType()).getElementType()))
        return node.emitUnsupported("data type",
                                    "integer tensors computed at run time (" +
                                        std::string(opName) + " of " +
                                        (v == lhs ? "input 0" : "input 1") + ")");
    Value y = node.build(opName, {lhs, rhs});
    node.setOutput(0, y);
    return success(y != nullptr);
  };
}

/// `x` times a scalar, unless the scalar is 1.
Value scaled(OnnxNode &node, Value x, double factor) {
  if (!x || factor == 1.0)
    return x;
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  return node.build<nn::MulOp>(ValueRange{x, node.scalar(factor, element)});
}

LogicalResult convertGemm(OnnxNode &node) {
  double alpha = node.attrFloat("alpha", 1.0), beta = node.attrFloat("beta", 1.0);
  bool transA = node.attrInt("transA", 0) != 0, transB = node.attrInt("transB", 0) != 0;
  Value a = node.input(0), b = node.input(1);
  Value c = node.hasInput(2) ? node.input(2) : Value();
  if (!a || !b || node.failed() || (node.hasInput(2) && !c))
    return failure();
  for (Value v : {a, b})
    if (cast<RankedTensorType>(v.getType()).getRank() != 2)
      return node.error() << "expects matrices A and B, got " << v.getType();
  auto cType = c ? cast<RankedTensorType>(c.getType()) : RankedTensorType();
  int64_t n = cast<RankedTensorType>(b.getType()).getDimSize(transB ? 0 : 1);
  bool vectorBias = !c || (cType.getRank() == 1 && cType.getDimSize(0) == n);
  Value y;
  if (alpha == 1.0 && (beta == 1.0 || !c) && !transA && transB && vectorBias) {
    SmallVector<Value> operands{a, b};
    if (c)
      operands.push_back(c);
    y = node.build<nn::LinearOp>(operands);
  } else {
    auto transpose = [&](Value v) {
      return node.build<nn::TransposeOp>(v, {node.i64Attr("dim0", 0), node.i64Attr("dim1", 1)});
    };
    Value lhs = transA ? transpose(a) : a, rhs = transB ? transpose(b) : b;
    y = scaled(node, node.build<nn::MatmulOp>(ValueRange{lhs, rhs}), alpha);
    if (c && beta != 0.0)
      y = node.build<nn::AddOp>(ValueRange{y, scaled(node, c, beta)});
  }
  node.setOutput(0, y);
  return success(y != nullptr);
}

} // namespace

void registerArithOps(OnnxOpRegistry &r) {
  r.add("Add", 1, binary(nn::AddOp::getOperationName()));
  r.add("Sub", 1, binary(nn::SubOp::getOperationName()));
  r.add("Mul", 1, binary(nn::MulOp::getOperationName()));
  r.add("Div", 1, binary(nn::DivOp::getOperationName()));
  r.add("MatMul", 1, binary(nn::MatmulOp::getOperationName()));
  r.add("Gemm", 1, convertGemm);
}

} // namespace netc::onnx
