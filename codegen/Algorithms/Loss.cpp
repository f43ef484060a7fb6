//===- Loss.cpp - losses and their gradients ------------------------------===//
//
// Each loss is the mean of a term over the positions of its (broadcast)
// operands, reduced to a scalar as Reduction.cpp reduces. The terms follow
// PyTorch's formulas term for term, so that non-finite inputs give PyTorch's
// results; cross_entropy and its gradient go through the numerically stable
// softmax (subtract the maximum before exp). nll_loss counts its kept targets
// at run time (ignore_index); the metrics count thresholded masks and argmax
// hits.
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

//===----------------------------------------------------------------------===//
// nll_loss, kl_div and the metrics
//===----------------------------------------------------------------------===//

/// The sum of `value` over every position of `shape` (the value itself for a
/// 0-d shape), accumulated in f64 for f32 on the CPU as Reduction.cpp's sums.
Expr sumOver(FunctionLowering &fl, ArrayRef<int64_t> shape,
             const std::function<Expr(const std::vector<Expr> &)> &value, Halide::Type type) {
  if (shape.empty())
    return Halide::cast(type, value({}));
  Halide::Region region;
  for (int64_t extent : llvm::reverse(shape))
    region.push_back({0, static_cast<int>(extent)});
  RDom r(region);
  std::vector<Expr> p;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i)
    p.push_back(r[i]);
  bool wide = type == Halide::Float(32) &&
              (!fl.target().has_gpu_feature() || fl.target().has_feature(Halide::Target::CUDA));
  if (!wide)
    return sum(Halide::cast(type, value(p)));
  return Halide::cast(type, sum(Halide::cast(Halide::Float(64), value(p))));
}

/// Class-index targets against logits or log-probabilities: the class axis
/// (1, or 0 unbatched), the class count and the target positions.
struct ClassTargets {
  const LTensor &x, &t;
  int axis;
  int classes;
  std::vector<int64_t> positions;

  ClassTargets(const LTensor &x, const LTensor &t)
      : x(x), t(t), axis(x.rank() == 1 ? 0 : 1), classes(static_cast<int>(x.shape()[axis])),
        positions(t.shape().begin(), t.shape().end()) {}
  /// The indices of `x` at target position `p` and class `c`.
  std::vector<Expr> at(std::vector<Expr> p, Expr c) const {
    p.insert(p.begin() + axis, c);
    return p;
  }
  /// The target at `p` as a class index clamped into range (compiled code
  /// does not check targets; the interpreter does).
  Expr target(const std::vector<Expr> &p) const {
    return clamp(Halide::cast<int32_t>(t.at(p)), 0, classes - 1);
  }
};

/// The number of target positions.
double positionCount(const ClassTargets &ct) {
  double n = 1;
  for (int64_t d : ct.positions)
    n *= static_cast<double>(d);
  return n;
}

/// Whether the target at `p` counts: it is not `ignore`.
Expr kept(const ClassTargets &ct, std::optional<int64_t> ignore, const std::vector<Expr> &p) {
  if (!ignore)
    return Halide::cast<bool>(1);
  return Halide::cast<int64_t>(ct.t.at(p)) != Halide::Expr(*ignore);
}

/// The number of kept targets, in `type`.
Expr keptCount(FunctionLowering &fl, const ClassTargets &ct, std::optional<int64_t> ignore,
               Halide::Type type) {
  if (!ignore)
    return make_const(type, positionCount(ct));
  return sumOver(
      fl, ct.positions,
      [&](const std::vector<Expr> &p) { return select(kept(ct, ignore, p), 1, 0); }, type);
}

//===--- nll_loss ---===//

LogicalResult defineNllLoss(FunctionLowering &fl, nn::NllLossOp op) {
  ClassTargets ct(fl.get(op.getInput()), fl.get(op.getTarget()));
  Halide::Type ht = FunctionLowering::halideType(ct.x.type.getElementType());
  double eps = op.getLabelSmoothing().convertToDouble();
  std::optional<int64_t> ignore = op.getIgnoreIndex();
  // The smoothing term's sum over the classes at each target position.
  Func classSum = fl.newFunc(op, "_classsum");
  std::vector<Var> pv = fl.vars(static_cast<int>(ct.positions.size()));
  RDom rc(0, ct.classes, "cls");
  defineAt(classSum, pv, sum(ct.x.at(ct.at(exprs(pv), rc.x))));
  Expr total = sumOver(
      fl, ct.positions,
      [&](const std::vector<Expr> &p) {
        Expr term = -ct.x.at(ct.at(p, ct.target(p)));
        if (eps != 0.0) {
          std::vector<Expr> rev(p.rbegin(), p.rend());
          term =
              make_const(ht, 1.0 - eps) * term - make_const(ht, eps / ct.classes) * classSum(rev);
        }
        return select(kept(ct, ignore, p), term, make_const(ht, 0.0));
      },
      ht);
  Func f = fl.newFunc(op);
  f() = total / keptCount(fl, ct, ignore, ht);
  return fl.define(op, f, OpFamily::Reduction);
}

//===--- nll_loss_backward ---===//

LogicalResult defineNllLossBackward(FunctionLowering &fl, nn::NllLossBackwardOp op) {
  ClassTargets ct(fl.get(op.getInput()), fl.get(op.getTarget()));
  auto type = cast<RankedTensorType>(op.getType());
  Halide::Type ht = FunctionLowering::halideType(type.getElementType());
  double eps = op.getLabelSmoothing().convertToDouble();
  std::optional<int64_t> ignore = op.getIgnoreIndex();
  // The count has a dummy axis so that the schedule computes it once, at the
  // root, as it does softmax statistics.
  Func count = fl.newFunc(op, "_count");
  Var unit("unit");
  count(unit) = keptCount(fl, ct, ignore, ht);
  std::vector<Var> v = fl.vars(type.getRank());
  std::vector<Expr> pos = exprs(v);
  pos.erase(pos.begin() + ct.axis);
  Expr hit = select(ct.target(pos) == Halide::cast<int32_t>(v[ct.axis]), make_const(ht, 1.0),
                    make_const(ht, 0.0));
  Expr weight = make_const(ht, 1.0 - eps) * hit + make_const(ht, eps / ct.classes);
  Expr g = fl.get(op.getGrad()).func();
  Func f = fl.newFunc(op);
  defineAt(f, v, select(kept(ct, ignore, pos), -g * weight / count(0), make_const(ht, 0.0)));
  AlgorithmHandles h;
  h.sum = count;
  return fl.define(op, f, OpFamily::Reduction, h);
}

//===--- kl_div ---===//

Expr klDiv(FunctionLowering &fl, nn::KlDivOp op, const std::vector<Var> &v) {
  Expr x = operandAt(fl, op, 0, v), t = operandAt(fl, op, 1, v);
  if (op.getLogTarget())
    return exactExp(t) * (t - x);
  // xlogy(t, t): 0 where t is 0, NaN where t is NaN.
  Expr zero = make_const(t.type(), 0.0);
  return select(t == zero, zero, t * exactLog(t)) - t * x;
}

//===--- iou, dice ---===//

/// The counts |P and T|, |P| and |T| of the thresholded masks of a metric's
/// operands, and the 0-d Func to define from them.
LogicalResult defineMaskMetric(FunctionLowering &fl, Operation *op, bool iou) {
  const LTensor &p = fl.get(op->getOperand(0)), &t = fl.get(op->getOperand(1));
  Halide::Type ht = FunctionLowering::halideType(p.type.getElementType());
  Expr half = make_const(ht, 0.5);
  auto count = [&](auto pick) {
    return sumOver(
        fl, p.shape(),
        [&](const std::vector<Expr> &i) {
          return select(pick(p.at(i) > half, t.at(i) > half), 1, 0);
        },
        ht);
  };
  Expr both = count([](Expr a, Expr b) { return a && b; });
  Expr sizes = count([](Expr a, Expr) { return a; }) + count([](Expr, Expr b) { return b; });
  Expr denominator = iou ? sizes - both : sizes;
  Expr numerator = iou ? both : make_const(ht, 2.0) * both;
  Func f = fl.newFunc(op);
  f() = select(denominator == make_const(ht, 0.0), make_const(ht, 1.0), numerator / denominator);
  return fl.define(op, f, OpFamily::Reduction);
}

LogicalResult defineIou(FunctionLowering &fl, nn::IouOp op) {
  return defineMaskMetric(fl, op, true);
}

LogicalResult defineDice(FunctionLowering &fl, nn::DiceOp op) {
  return defineMaskMetric(fl, op, false);
}

//===--- accuracy ---===//

LogicalResult defineAccuracy(FunctionLowering &fl, nn::AccuracyOp op) {
  ClassTargets ct(fl.get(op.getInput()), fl.get(op.getTarget()));
  Halide::Type ht = FunctionLowering::halideType(ct.x.type.getElementType());
  // The first maximum of the ordered keys: NaN above +inf, as torch.argmax.
  Func best = fl.newFunc(op, "_argmax");
  std::vector<Var> pv = fl.vars(static_cast<int>(ct.positions.size()));
  RDom rc(0, ct.classes, "cls");
  defineAt(best, pv, argmax(orderedKey(ct.x.at(ct.at(exprs(pv), rc.x))))[0]);
  Expr correct = sumOver(
      fl, ct.positions,
      [&](const std::vector<Expr> &p) {
        std::vector<Expr> rev(p.rbegin(), p.rend());
        return select(best(rev) == Halide::cast<int32_t>(ct.t.at(p)), 1, 0);
      },
      ht);
  Func f = fl.newFunc(op);
  f() = correct / make_const(ht, positionCount(ct));
  return fl.define(op, f, OpFamily::Reduction);
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
    attachAlgorithm<nn::NllLossOp, defineNllLoss>(*context);
    attachAlgorithm<nn::NllLossBackwardOp, defineNllLossBackward>(*context);
    attachAlgorithm<nn::KlDivOp, definePure<OpFamily::Elementwise, nn::KlDivOp, klDiv>>(*context);
    attachAlgorithm<nn::IouOp, defineIou>(*context);
    attachAlgorithm<nn::DiceOp, defineDice>(*context);
    attachAlgorithm<nn::AccuracyOp, defineAccuracy>(*context);
  });
}

} // namespace netc::codegen
