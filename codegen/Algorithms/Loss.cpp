//===- Loss.cpp - losses and their gradients ------------------------------===//
//
// Each loss is the mean of a term over the positions of its (broadcast)
// operands, reduced to a scalar as Reduction.cpp reduces. The terms follow
// PyTorch's formulas term for term, so that non-finite inputs give PyTorch's
// results; cross_entropy and its gradient go through the numerically stable
// softmax (subtract the maximum before exp).
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"
#include "ir/ShapeMath.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

namespace {

/// The term of a loss at the positions `p` of its operands' broadcast shape.
using Term = std::function<Expr(const std::vector<Expr> &)>;

/// A loss over two operands: their Funcs, their broadcast shape and the
/// constants the terms use.
struct LossOperands {
  const LTensor &a, &b;
  std::vector<int64_t> shape;
  Expr one, zero;
};

LossOperands lossOperands(FunctionLowering &fl, Operation *op) {
  const LTensor &a = fl.get(op->getOperand(0)), &b = fl.get(op->getOperand(1));
  auto shape = netc::shape::broadcast(std::vector<int64_t>(a.shape().begin(), a.shape().end()),
                                      std::vector<int64_t>(b.shape().begin(), b.shape().end()))
                   .shape();
  Halide::Type ht = FunctionLowering::halideType(a.type.getElementType());
  return LossOperands{a, b, shape, make_const(ht, 1.0), make_const(ht, 0.0)};
}

/// The mean of `term` over the operands' positions.
LogicalResult meanLoss(FunctionLowering &fl, Operation *op, const LossOperands &l,
                       const Term &term) {
  return scalarReduction(fl, op, term, l.shape, /*mean=*/true);
}

/// Indices of a broadcast operand at the positions `p` of the broadcast shape.
std::vector<Expr> broadcastIndex(const LTensor &t, const std::vector<Expr> &p,
                                 ArrayRef<int64_t> shape) {
  int offset = static_cast<int>(shape.size()) - t.rank();
  std::vector<Expr> idx;
  for (int i = 0; i < t.rank(); ++i)
    idx.push_back(t.shape()[i] == 1 && shape[i + offset] != 1 ? Expr(0) : p[i + offset]);
  return idx;
}

//===--- mse ---===//

LogicalResult defineMse(FunctionLowering &fl, nn::MseOp op) {
  LossOperands l = lossOperands(fl, op);
  return meanLoss(fl, op, l, [&](const std::vector<Expr> &p) {
    Expr d = l.a.at(broadcastIndex(l.a, p, l.shape)) - l.b.at(broadcastIndex(l.b, p, l.shape));
    return d * d;
  });
}

//===--- bce ---===//

LogicalResult defineBce(FunctionLowering &fl, nn::BceOp op) {
  LossOperands l = lossOperands(fl, op);
  // PyTorch clamps each log at -100 so that p = 0 or 1 stays finite; a NaN
  // passes the clamp. (PyTorch rejects p outside [0, 1], NaN included;
  // compiled code gives NaN there.) strict_float: LLVM's reassociation would
  // turn y = inf's inf - inf into -inf.
  return meanLoss(fl, op, l, [&](const std::vector<Expr> &p) {
    Expr x = l.a.at(p), y = l.b.at(p), floor = make_const(x.type(), -100.0);
    return strict_float(-(y * nanMax(exactLog(x), floor) +
                          (l.one - y) * nanMax(exactLog(l.one - x), floor)));
  });
}

//===--- bce_logits ---===//

LogicalResult defineBceLogits(FunctionLowering &fl, nn::BceLogitsOp op) {
  LossOperands l = lossOperands(fl, op);
  // PyTorch 1.13's form, term for term, so that infinite logits give its
  // results (inf, or NaN where (1 - y) * z is 0 * inf):
  // (1 - y) z + m + log(exp(-m) + exp(-z - m)) with m = max(-z, 0).
  return meanLoss(fl, op, l, [&](const std::vector<Expr> &p) {
    Expr z = l.a.at(p), y = l.b.at(p);
    Expr m = nanMax(-z, l.zero);
    return strict_float((l.one - y) * z + m + exactLog(exactExp(-m) + exactExp(-z - m)));
  });
}

//===--- cross_entropy ---===//

LogicalResult defineCrossEntropy(FunctionLowering &fl, nn::CrossEntropyOp ce) {
  const LTensor &z = fl.get(ce.getInput()), &t = fl.get(ce.getTarget());
  int classAxis = z.rank() == 1 ? 0 : 1;
  auto [m, s] = softmaxStats(fl, ce, z, classAxis);
  Func ls = logOf(fl, ce, s);
  // Loss per target position: -log_softmax(z)[target] = (max - z[target]) +
  // log(sum), in PyTorch's order (an infinite or NaN logit gives NaN, as
  // there: max - z is inf - inf, or the sum is NaN).
  std::vector<int64_t> positions(t.shape().begin(), t.shape().end());
  return scalarReduction(
      fl, ce,
      [&, m = m](const std::vector<Expr> &p) {
        std::vector<Expr> zIdx = p;
        Expr cls = clamp(Halide::cast<int32_t>(t.at(p)), 0, static_cast<int>(z.shape()[classAxis]) - 1);
        zIdx.insert(zIdx.begin() + classAxis, cls);
        std::vector<Expr> rev(p.rbegin(), p.rend());
        return strict_float((m(rev) - z.at(zIdx)) + ls(rev));
      },
      positions, /*mean=*/true);
}

//===--- bce_backward ---===//

LogicalResult defineBceBackward(FunctionLowering &fl, nn::BceBackwardOp op) {
  const LTensor &grad = fl.get(op.getGrad()), &in = fl.get(op.getInput()),
                &target = fl.get(op.getTarget());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  Expr g = grad.func();
  Func f = fl.newFunc(op);
  int64_t count = type.getNumElements();
  Expr p = in.at(exprs(v)), y = target.at(exprs(v));
  Expr denom = nanMax(p * (make_const(ht, 1) - p), make_const(ht, 1e-12));
  defineAt(f, v, g * (p - y) / denom / make_const(ht, static_cast<double>(count)));
  return fl.define(op, f, OpFamily::Elementwise);
}

//===--- cross_entropy_backward ---===//

LogicalResult defineCrossEntropyBackward(FunctionLowering &fl, nn::CrossEntropyBackwardOp op) {
  const LTensor &grad = fl.get(op.getGrad()), &in = fl.get(op.getInput()),
                &target = fl.get(op.getTarget());
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  std::vector<Var> v = fl.vars(type.getRank());
  Expr g = grad.func();
  Func f = fl.newFunc(op);
  // softmax along the class axis minus the one-hot target.
  int classAxis = type.getRank() == 1 ? 0 : 1;
  int64_t count = type.getNumElements() / type.getShape()[classAxis];
  std::vector<Var> pos;
  for (int i = 0; i < type.getRank(); ++i)
    if (i != classAxis)
      pos.push_back(v[i]);
  RDom r(0, static_cast<int>(type.getShape()[classAxis]), "cls");
  Func m = fl.newFunc(op, "_max"), s = fl.newFunc(op, "_sum");
  defineAt(m, pos, maximum(in.at(replaced(v, classAxis, r.x))));
  std::vector<Expr> posRev(pos.rbegin(), pos.rend());
  defineAt(s, pos, sum(exactExp(in.at(replaced(v, classAxis, r.x)) - m(posRev))));
  Expr softmax = exactExp(in.at(exprs(v)) - m(posRev)) / s(posRev);
  Expr hit = select(Halide::cast<int64_t>(target.at(exprs(pos))) == Halide::cast<int64_t>(v[classAxis]),
                    make_const(ht, 1), make_const(ht, 0));
  defineAt(f, v, g * (softmax - hit) / make_const(ht, static_cast<double>(count)));
  AlgorithmHandles h;
  h.max = m;
  h.sum = s;
  return fl.define(op, f, OpFamily::Reduction, h);
}

} // namespace

void registerLossAlgorithms(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, nn::NNDialect *) {
    attachAlgorithm<nn::MseOp, defineMse>(*context);
    attachAlgorithm<nn::BceOp, defineBce>(*context);
    attachAlgorithm<nn::BceLogitsOp, defineBceLogits>(*context);
    attachAlgorithm<nn::CrossEntropyOp, defineCrossEntropy>(*context);
    attachAlgorithm<nn::BceBackwardOp, defineBceBackward>(*context);
    attachAlgorithm<nn::CrossEntropyBackwardOp, defineCrossEntropyBackward>(*context);
  });
}

} // namespace netc::codegen
