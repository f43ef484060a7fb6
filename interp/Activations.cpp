//===- Activations.cpp - kernels of gelu, silu and gelu's gradient --------===//
//
// The interpreter's reference kernels, in double with PyTorch's formulas;
// Elementwise.cpp's dispatch calls them. Plain IEEE arithmetic gives
// PyTorch's results at NaN and the infinities without special cases.
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include "ir/NNOps.h"

#include <cmath>

using namespace mlir;

namespace netc::interp {

namespace {
/// The standard normal distribution function.
double normalCdf(double x) { return 0.5 * (1.0 + std::erf(x * M_SQRT1_2)); }
} // namespace

double geluOf(double x) { return x * normalCdf(x); }

double siluOf(double x) { return x / (1.0 + std::exp(-x)); }

LogicalResult evalGeluBackward(Operation *gelu, Evaluator &ev) {
  auto op = cast<nn::GeluBackwardOp>(gelu);
  const Tensor &grad = ev.get(op.getGrad()), &x = ev.get(op.getInput());
  Tensor gx = ev.zerosLike(op.getResult());
  // gelu'(x) = Phi(x) + x * phi(x); at +-inf that is NaN (inf * 0), as in PyTorch.
  const double invSqrt2Pi = 0.39894228040143267794;
  for (int64_t i = 0; i < gx.numel(); ++i) {
    double v = x.floats[i];
    double pdf = std::exp(-0.5 * v * v) * invSqrt2Pi;
    gx.floats[i] = grad.floats[i] * (normalCdf(v) + v * pdf);
  }
  ev.set(op.getResult(), std::move(gx));
  return success();
}

} // namespace netc::interp
