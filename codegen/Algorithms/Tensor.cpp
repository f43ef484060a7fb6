//===- Tensor.cpp - permute, max/min, argmax/argmin, triu/tril ------------===//
//
// The Halide algorithms of the tensor ops: permute and strided-slice
// gradients move elements; max, min and their indices find the first
// extremum along one axis by an argmax over orderedKey (so that NaN wins and
// ties go to the first index, as PyTorch); triu and tril mask the two
// trailing axes.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

namespace {

/// A signed axis attribute counted from the front of a tensor of `rank`.
int axisOf(uint64_t attr, int64_t rank) {
  int64_t dim = static_cast<int64_t>(attr);
  return static_cast<int>(dim < 0 ? dim + rank : dim);
}

//===--- permute ---===//

Expr permute(FunctionLowering &fl, nn::PermuteOp op, const std::vector<Var> &v) {
  const LTensor &x = fl.get(op.getInput());
  std::vector<Expr> idx(v.size());
  for (auto [i, d] : llvm::enumerate(op.getDims()))
    idx[axisOf(d, x.rank())] = v[i];
  return x.at(idx);
}

//===--- max, min, argmax, argmin ---===//

/// The input indices along `dim` at the result Vars `v` (with `dim` kept when
/// `keepdim`), `along` taking the place of the reduced axis.
std::vector<Expr> alongIndex(const std::vector<Var> &v, int dim, bool keepdim, Expr along,
                             int rank) {
  std::vector<Expr> idx;
  int next = 0;
  for (int i = 0; i < rank; ++i) {
    if (i == dim) {
      idx.push_back(along);
      if (keepdim)
        ++next;
    } else {
      idx.push_back(v[next++]);
    }
  }
  return idx;
}

/// The index (int32) of the first maximum (minimum when `isMin`) of `x`
/// along `dim` at the result Vars `v`; a NaN counts as the extremum.
Expr firstExtremum(const LTensor &x, int dim, bool keepdim, bool isMin,
                   const std::vector<Var> &v) {
  RDom r(0, static_cast<int>(x.shape()[dim]), Internal::unique_name("r"));
  Expr value = x.at(alongIndex(v, dim, keepdim, r.x, x.rank()));
  Expr key = orderedKey(value);
  // Bitwise not reverses the order of the keys without overflow; NaN keeps
  // the key above every other.
  if (isMin)
    key = select(isNaNBits(value), key, ~key);
  return argmax(r, key)[0];
}

/// max and min: the input at its first extremum.
template <typename OpT, bool IsMin>
LogicalResult defineExtremum(FunctionLowering &fl, OpT op) {
  const LTensor &x = fl.get(op.getInput());
  int dim = axisOf(op.getDim(), x.rank());
  auto type = cast<RankedTensorType>(op.getType());
  std::vector<Var> v = fl.vars(type.getRank());
  // Clamped: Halide cannot bound an argmax on its own.
  Expr at = clamp(firstExtremum(x, dim, op.getKeepdim(), IsMin, v), 0,
                  static_cast<int>(x.shape()[dim]) - 1);
  Func f = fl.newFunc(op);
  defineAt(f, v, x.at(alongIndex(v, dim, op.getKeepdim(), at, x.rank())));
  return fl.define(op, f, OpFamily::Reduction);
}

/// argmax and argmin: the index of the first extremum, as i64.
template <typename OpT, bool IsMin>
LogicalResult defineArgExtremum(FunctionLowering &fl, OpT op) {
  const LTensor &x = fl.get(op.getInput());
  int dim = axisOf(op.getDim(), x.rank());
  auto type = cast<RankedTensorType>(op.getType());
  std::vector<Var> v = fl.vars(type.getRank());
  Func f = fl.newFunc(op);
  defineAt(f, v, Halide::cast<int64_t>(firstExtremum(x, dim, op.getKeepdim(), IsMin, v)));
  return fl.define(op, f, OpFamily::Reduction);
}

//===--- extremum_backward ---===//

LogicalResult defineExtremumBackward(FunctionLowering &fl, nn::ExtremumBackwardOp op) {
  const LTensor &x = fl.get(op.getInput()), &g = fl.get(op.getGrad());
  int dim = axisOf(op.getDim(), x.rank());
  Halide::Type ht = FunctionLowering::halideType(x.type.getElementType());
  // The first extremum of each line, once per line.
  std::vector<Var> lv = fl.vars(x.rank());
  Func arg = fl.newFunc(op, "_arg");
  defineAt(arg, lv, firstExtremum(x, dim, /*keepdim=*/true, op.getIsMin(), lv));
  std::vector<Var> v = fl.vars(x.rank());
  std::vector<Expr> line = replaced(v, dim, Expr(0));
  Func f = fl.newFunc(op);
  defineAt(f, v,
           select(v[dim] == arg(std::vector<Expr>(line.rbegin(), line.rend())), g.at(line),
                  make_const(ht, 0)));
  return fl.define(op, f, OpFamily::Reduction);
}

//===--- triu and tril ---===//

/// The input where the column minus the row is at least (triu) or at most
/// (tril) `diagonal`, zero elsewhere.
template <typename OpT, bool Upper>
Expr triangle(FunctionLowering &fl, OpT op, const std::vector<Var> &v) {
  const LTensor &x = fl.get(op.getInput());
  int rank = x.rank();
  Expr offset = v[rank - 1] - v[rank - 2];
  int diagonal = static_cast<int>(static_cast<int64_t>(op.getDiagonal()));
  Expr keep = Upper ? offset >= diagonal : offset <= diagonal;
  return select(keep, x.at(exprs(v)), make_const(x.func.output_types()[0], 0));
}

//===--- slice_backward ---===//

Expr sliceBackward(FunctionLowering &fl, nn::SliceBackwardOp op, const std::vector<Var> &v) {
  const LTensor &g = fl.get(op.getGrad());
  int dim = axisOf(op.getDim(), g.rank());
  int start = static_cast<int>(op.getStart()), step = static_cast<int>(op.getStep());
  int count = static_cast<int>(g.shape()[dim]);
  Expr offset = v[dim] - start;
  Expr k = offset / step;
  Expr hit = offset >= 0 && offset % step == 0 && k < count;
  // The read is clamped: Halide bounds both sides of a select.
  Expr value = g.at(replaced(v, dim, clamp(k, 0, count - 1)));
  return select(hit, value, make_const(value.type(), 0));
}

/// Attaches `Value` to `Op` as an algorithm of schedule kind `Family`.
template <typename Op, PureValue<Op> Value, OpFamily Family>
void attach(MLIRContext &context) {
  attachAlgorithm<Op, definePure<Family, Op, Value>>(context);
}

} // namespace

void registerTensorAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attach<nn::PermuteOp, permute, OpFamily::Shape>(*context);
    attachAlgorithm<nn::MaxOp, defineExtremum<nn::MaxOp, false>>(*context);
    attachAlgorithm<nn::MinOp, defineExtremum<nn::MinOp, true>>(*context);
    attachAlgorithm<nn::ArgMaxOp, defineArgExtremum<nn::ArgMaxOp, false>>(*context);
    attachAlgorithm<nn::ArgMinOp, defineArgExtremum<nn::ArgMinOp, true>>(*context);
    attachAlgorithm<nn::ExtremumBackwardOp, defineExtremumBackward>(*context);
    attach<nn::TriuOp, triangle<nn::TriuOp, true>, OpFamily::Elementwise>(*context);
    attach<nn::TrilOp, triangle<nn::TrilOp, false>, OpFamily::Elementwise>(*context);
    attach<nn::SliceBackwardOp, sliceBackward, OpFamily::Shape>(*context);
  });
}

} // namespace netc::codegen
