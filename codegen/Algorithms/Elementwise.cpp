//===- Elementwise.cpp - activations, arithmetic, dropout -----------------===//
//
// Ops computed one element at a time. Binary ops broadcast with NumPy's
// rules: an operand's axis of size 1 facing a larger axis reads index 0.
//
//===----------------------------------------------------------------------===//

#include "codegen/Algorithms/Common.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen {

Expr broadcastAt(const LTensor &t, const std::vector<Var> &outVars, ArrayRef<int64_t> outShape) {
  int offset = static_cast<int>(outVars.size()) - t.rank();
  std::vector<Expr> indices;
  for (int i = 0; i < t.rank(); ++i)
    indices.push_back(t.shape()[i] == 1 && outShape[i + offset] != 1 ? Expr(0)
                                                                      : Expr(outVars[i + offset]));
  return t.at(indices);
}

Expr flatIndex(const std::vector<Var> &vars, ArrayRef<int64_t> shape) {
  Expr index = Halide::cast<int64_t>(Expr(0));
  for (size_t i = 0; i < vars.size(); ++i)
    index = index * Expr(int64_t(shape[i])) + Halide::cast<int64_t>(vars[i]);
  return index;
}

Expr dropoutKeep(Expr seed, Expr index, double p) {
  // The counter-based mask of runtime/DropoutMask.h: a splitmix64 finaliser
  // of the seed and the element's flat index; the top 24 bits against p.
  Expr z = Halide::cast<uint64_t>(seed) +
           Expr(uint64_t(0x9E3779B97F4A7C15ull)) * (Halide::cast<uint64_t>(index) + Expr(uint64_t(1)));
  z = (z ^ (z >> 30)) * Expr(uint64_t(0xBF58476D1CE4E5B9ull));
  z = (z ^ (z >> 27)) * Expr(uint64_t(0x94D049BB133111EBull));
  z = z ^ (z >> 31);
  Expr bits = Halide::cast<uint32_t>(z >> 40);
  return bits >= Expr(static_cast<uint32_t>(p * 16777216.0));
}

std::optional<AlgorithmResult> lowerElementwise(FunctionLowering &fl, Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  std::vector<Var> v = fl.vars(type.getRank());
  mlir::Type element = type.getElementType();
  Halide::Type ht = FunctionLowering::halideType(element);
  auto in = [&](unsigned i) { return broadcastAt(fl.get(op->getOperand(i)), v, type.getShape()); };
  auto constant = [&](double c) { return make_const(ht, c); };

  std::optional<Expr> value;
  if (isa<nn::ReluOp>(op))
    value = reluOf(in(0));
  else if (isa<nn::SigmoidOp>(op))
    value = constant(1) / (constant(1) + exactExp(-in(0)));
  else if (isa<nn::TanhOp>(op))
    value = tanh(in(0));
  else if (isa<nn::ExpOp>(op))
    value = exactExp(in(0));
  else if (isa<nn::LogOp>(op))
    value = exactLog(in(0));
  else if (isa<nn::SqrtOp>(op))
    value = sqrt(in(0));
  else if (isa<nn::NegOp>(op))
    value = -in(0);
  else if (isa<nn::GeluOp>(op))
    value = geluOf(in(0));
  else if (isa<nn::SiluOp>(op))
    value = siluOf(in(0));
  else if (isa<nn::GeluBackwardOp>(op))
    value = geluBackwardOf(in(0), in(1));
  else if (auto l = dyn_cast<nn::LeakyReluOp>(op))
    value = select(in(0) > constant(0), in(0), constant(l.getSlope().convertToDouble()) * in(0));
  else if (isa<nn::AddOp>(op))
    value = in(0) + in(1);
  else if (isa<nn::SubOp>(op))
    value = in(0) - in(1);
  else if (isa<nn::MulOp>(op))
    value = in(0) * in(1);
  else if (isa<nn::DivOp>(op))
    value = in(0) / in(1);
  else if (auto b = dyn_cast<nn::LeakyReluBackwardOp>(op)) {
    // relu's gradient (slope 0) is PyTorch's threshold_backward, which passes
    // the gradient at a NaN input; leaky_relu's scales it by the slope.
    double slope = b.getSlope().convertToDouble();
    Expr pass = slope == 0.0 ? (in(1) > constant(0) || isNaNBits(in(1))) : in(1) > constant(0);
    value = select(pass, in(0), constant(slope) * in(0));
  }
  else if (isa<nn::BroadcastToOp>(op))
    value = in(0);
  else if (auto d = dyn_cast<nn::DropoutOp>(op)) {
    double p = d.getP().convertToDouble();
    if (!d.getSeed() || p == 0.0)
      value = in(0);
    else
      // x times the mask's scale or 0, as PyTorch multiplies: a dropped NaN
      // or inf gives NaN, not 0.
      value = in(0) * select(dropoutKeep(fl.scalar(d.getSeed()), flatIndex(v, type.getShape()), p),
                             constant(1.0 / (1.0 - p)), constant(0));
  }
  if (!value)
    return std::nullopt;
  Func f = fl.newFunc(op);
  defineAt(f, v, *value);
  return AlgorithmResult{f, OpFamily::Elementwise, {}};
}

} // namespace netc::codegen
