//===- Shape.cpp - reshapes, transposes, concatenation, slices ------------===//
//
// Ops that only move elements. A reshape maps each result position to its
// row-major flat index and back to the input's position.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

/// The input position of a row-major reinterpretation: result Vars `v` of
/// shape `out` read the input of shape `in`.
static std::vector<Expr> reshapedIndex(const std::vector<Var> &v, ArrayRef<int64_t> out,
                                       ArrayRef<int64_t> in) {
  int64_t count = 1;
  for (int64_t d : in)
    count *= d;
  // 32-bit index arithmetic where it cannot overflow: it vectorizes better.
  bool narrow = count < (int64_t(1) << 31);
  Expr flat = narrow ? Expr(0) : Halide::cast<int64_t>(Expr(0));
  for (size_t i = 0; i < v.size(); ++i)
    flat = narrow ? flat * static_cast<int>(out[i]) + v[i]
                  : flat * Expr(int64_t(out[i])) + Halide::cast<int64_t>(v[i]);
  std::vector<Expr> idx(in.size());
  for (int i = static_cast<int>(in.size()) - 1; i >= 0; --i) {
    Expr dim = narrow ? Expr(static_cast<int>(in[i])) : Expr(int64_t(in[i]));
    idx[i] = Halide::cast<int32_t>(flat % dim);
    flat = flat / dim;
  }
  return idx;
}

namespace {

/// A signed dimension attribute (I64Attr getters return uint64_t) counted
/// from the front of a tensor of `rank`.
int64_t axis(uint64_t attr, int64_t rank) {
  int64_t dim = static_cast<int64_t>(attr);
  return dim < 0 ? dim + rank : dim;
}

/// The result's rank.
int64_t resultRank(Operation *op) {
  return cast<RankedTensorType>(op->getResult(0).getType()).getRank();
}

/// The input reread in row-major order: flatten and reshape.
Expr reshaped(FunctionLowering &fl, Operation *op, const std::vector<Var> &v) {
  const LTensor &x = fl.get(op->getOperand(0));
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  return x.at(reshapedIndex(v, type.getShape(), x.shape()));
}

//===--- flatten ---===//

Expr flatten(FunctionLowering &fl, nn::FlattenOp op, const std::vector<Var> &v) {
  return reshaped(fl, op, v);
}

//===--- reshape ---===//

Expr reshape(FunctionLowering &fl, nn::ReshapeOp op, const std::vector<Var> &v) {
  return reshaped(fl, op, v);
}

//===--- transpose ---===//

Expr transpose(FunctionLowering &fl, nn::TransposeOp op, const std::vector<Var> &v) {
  const LTensor &x = fl.get(op.getInput());
  int64_t rank = resultRank(op);
  std::vector<Expr> idx = exprs(v);
  std::swap(idx[axis(op.getDim0(), rank)], idx[axis(op.getDim1(), rank)]);
  return x.at(idx);
}

//===--- slice ---===//

Expr slice(FunctionLowering &fl, nn::SliceOp op, const std::vector<Var> &v) {
  const LTensor &x = fl.get(op.getInput());
  int64_t dim = axis(op.getDim(), resultRank(op));
  return x.at(replaced(v, dim,
                       v[dim] * static_cast<int>(op.getStep()) + static_cast<int>(op.getStart())));
}

//===--- concat ---===//

Expr concat(FunctionLowering &fl, nn::ConcatOp op, const std::vector<Var> &v) {
  int64_t dim = axis(op.getDim(), resultRank(op));
  // Later inputs first, so that each select tests one boundary.
  std::vector<std::pair<int64_t, const LTensor *>> parts;
  int64_t start = 0;
  for (Value in : op.getInputs()) {
    parts.push_back({start, &fl.get(in)});
    start += cast<RankedTensorType>(in.getType()).getShape()[dim];
  }
  // Every part is read at a clamped index: Halide infers the bounds of both
  // sides of a select, and no part may be asked for rows it lacks.
  auto read = [&](size_t i) {
    return parts[i].second->at(replaced(
        v, dim,
        clamp(v[dim] - static_cast<int>(parts[i].first), 0,
              static_cast<int>(parts[i].second->shape()[dim]) - 1)));
  };
  Expr value = read(parts.size() - 1);
  for (int i = static_cast<int>(parts.size()) - 2; i >= 0; --i)
    value = select(v[dim] < static_cast<int>(parts[i + 1].first), read(i), value);
  return value;
}

//===--- broadcast_to ---===//

Expr broadcastTo(FunctionLowering &fl, nn::BroadcastToOp op, const std::vector<Var> &v) {
  return operandAt(fl, op, 0, v);
}

/// Attaches `Value` to `Op` as an algorithm of schedule kind `Family`.
template <typename Op, PureValue<Op> Value, OpFamily Family = OpFamily::Shape>
void attach(MLIRContext &context) {
  attachAlgorithm<Op, definePure<Family, Op, Value>>(context);
}

} // namespace

void registerShapeAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attach<nn::FlattenOp, flatten>(*context);
    attach<nn::ReshapeOp, reshape>(*context);
    attach<nn::TransposeOp, transpose>(*context);
    attach<nn::SliceOp, slice>(*context);
    attach<nn::ConcatOp, concat>(*context);
    // A broadcast reads one element per result element: it fuses into its
    // consumers like an elementwise op.
    attach<nn::BroadcastToOp, broadcastTo, OpFamily::Elementwise>(*context);
  });
}

} // namespace netc::codegen
