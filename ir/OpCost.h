//===- OpCost.h - the conventions of the ops' costs -------------*- C++ -*-===//
//
// What each op's CostOpInterface::getCost counts, stated once (the statistics
// report prints them as its legend):
//
// Forward FLOPs. A multiply-add counts 2 FLOPs. conv2d is
// 2 * N * O * OH * OW * (C / groups) * kH * kW, plus N * O * OH * OW for the
// bias; linear is 2 * rows * in * out (+ rows * out for the bias); matmul is
// 2 * (result elements) * (contracted size). Elementwise ops (relu, sigmoid,
// tanh, exp, log, sqrt, neg, leaky_relu, add, sub, mul, div, dropout) count 1
// FLOP per result element; transcendentals count 1 too. Pools count one op
// per window element: OH * OW * N * C * kH * kW. sum and mean count 1 per
// input element, sqnorm 2 (a multiply-add). softmax and log_softmax count 5
// per element (max, subtract, exp, sum, normalise); mse 3 per element of its
// larger operand (subtract, multiply-add); bce, bce_logits and cross_entropy
// 5 per element of their input. Data movement (pad2d, flatten, reshape,
// transpose, concat, embedding lookups) counts 0. Other ops: 1 per result
// element.
//
// Backward FLOPs. Reverse mode runs an op's backward only when its result
// reaches the loss and one of its operands depends on a parameter ("needs a
// gradient"). conv2d, linear and matmul compute, per operand that needs a
// gradient, the same multiply-adds as the forward (so about 2x forward when
// the weight and the input both need one), plus rows * out for a bias. The
// first layer's gradient with respect to the model input is NOT counted: an
// input is not a parameter. embedding's backward is a scatter-add, 1 FLOP per
// result element; data movement counts 0; every other op counts 2x its
// forward (the local derivative and the product with the incoming gradient).
//
// Activations kept for backward. An op whose backward runs keeps what its
// vector-Jacobian product reads: conv2d/linear keep their input when the
// weight needs a gradient (and the weight when the input needs one); matmul
// and mul keep each operand the other's gradient needs; div keeps its
// divisor (and its dividend when the divisor needs a gradient); relu,
// sigmoid, tanh, exp, sqrt, softmax and log_softmax keep their result; log,
// leaky_relu, maxpool2d (to find the argmax) and sqnorm keep their input;
// losses keep both operands; embedding keeps its indices. dropout keeps
// nothing: its mask is recomputed from the seed.
//
// Counts saturate at INT64_MAX: a model too large for int64 shows the maximum
// rather than a wrapped number.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPCOST_H
#define NETC_IR_OPCOST_H

#include "ir/NNInterfaces.h"

namespace netc::nn::cost {

/// Saturating multiplication and addition.
int64_t mul(int64_t a, int64_t b);
int64_t add(int64_t a, int64_t b);

/// Elements of a statically shaped tensor value, saturating; 0 for anything else.
int64_t elements(mlir::Value v);

/// `flops` per element over `n` elements forward, twice that backward.
OpCost perElement(int64_t n, int64_t flops, llvm::SmallVector<mlir::Value> kept = {});

/// A multiply-add op of `out` result elements, each contracting `k` products,
/// with operands `a` and `b` and an optional `bias`: the macs again backward
/// per operand that needs a gradient (keeping the other), plus the bias.
OpCost contraction(int64_t out, int64_t k, mlir::Value a, mlir::Value b, mlir::Value bias,
                   llvm::function_ref<bool(mlir::Value)> needsGradient);

/// The product of a pool's kernel sizes, saturating.
int64_t windowSize(llvm::ArrayRef<int64_t> kernel);

/// The largest element count among an op's operands.
int64_t largestOperand(mlir::Operation *op);

} // namespace netc::nn::cost

#endif // NETC_IR_OPCOST_H
