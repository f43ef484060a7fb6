//===- Loss.td - losses of the nn dialect ------------------*- tablegen -*-===//
//
// The losses, all with mean reduction to a 0-d tensor, and the stable forms of
// their gradients.
// Included from ir/NNOps.td; the ops' methods are in Loss.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_LOSS_TD
#define NETC_IR_OPS_LOSS_TD

/// A loss: two operands, a scalar (0-d tensor) result, mean reduction.
class NN_LossOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable, NN_Global, NN_Costed]> {
  let summary = torchName # " with mean reduction";
  let results = (outs NN_FloatTensor:$result);
}

def NN_MseOp : NN_LossOp<"mse", "torch.nn.functional.mse_loss"> {
  let description = [{
    Mean of `(input - target)^2` over all elements; the operands broadcast.

    Example:

    ```mlir
    %l = nn.mse %y, %t : (tensor<64x1xf32>, tensor<64x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_BceOp : NN_LossOp<"bce", "torch.nn.functional.binary_cross_entropy"> {
  let description = [{
    Mean of `-(y log p + (1 - y) log(1 - p))` with each log clamped at -100,
    as PyTorch does; `input` holds probabilities, `target` has its shape.

    Example:

    ```mlir
    %l = nn.bce %p, %y : (tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_BceLogitsOp : NN_LossOp<"bce_logits",
    "torch.nn.functional.binary_cross_entropy_with_logits"> {
  let description = [{
    `bce(sigmoid(z), y)` computed stably from the logits `z` as
    `max(z, 0) - z y + log(1 + exp(-|z|))`; `target` has the input's shape.

    Example:

    ```mlir
    %l = nn.bce_logits %z, %y : (tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_CrossEntropyOp : NN_LossOp<"cross_entropy",
    "torch.nn.functional.cross_entropy"> {
  let description = [{
    Mean over the batch of `-log_softmax(logits)[target]` with class indices
    as targets: logits `[N, C]` with target `[N]`, `[N, C, d...]` with
    `[N, d...]`, or `[C]` with a 0-d target.

    Example:

    ```mlir
    %l = nn.cross_entropy %z, %t : (tensor<64x10xf32>, tensor<64xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_IndexTensor:$target);
}

def NN_BceBackwardOp : NN_Op<"bce_backward", NN_BackwardTraits> {
  let summary = "gradient of bce with respect to its input";
  let description = [{
    `grad * (input - target) / max(input * (1 - input), 1e-12) / numel`, the
    clamped form PyTorch uses; `grad` is the 0-d gradient of the loss.

    Example:

    ```mlir
    %gp = nn.bce_backward %g, %p, %y
        : (tensor<f32>, tensor<32x1xf32>, tensor<32x1xf32>) -> tensor<32x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input, NN_FloatTensor:$target);
  let results = (outs NN_FloatTensor:$result);
}

def NN_CrossEntropyBackwardOp : NN_Op<"cross_entropy_backward", NN_BackwardTraits> {
  let summary = "gradient of cross_entropy with respect to its logits";
  let description = [{
    `grad * (softmax(input) - one_hot(target)) / count` along the class axis
    (axis 1, or 0 for unbatched logits), `count` being the number of targets;
    `grad` is the 0-d gradient of the loss.

    Example:

    ```mlir
    %gz = nn.cross_entropy_backward %g, %z, %t
        : (tensor<f32>, tensor<64x10xf32>, tensor<64xi64>) -> tensor<64x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input, NN_IndexTensor:$target);
  let results = (outs NN_FloatTensor:$result);
}

//===----------------------------------------------------------------------===//
// nll_loss, kl_div, the composite losses and the metrics
//===----------------------------------------------------------------------===//

def NN_NllLossOp : NN_LossOp<"nll_loss", "torch.nn.functional.nll_loss"> {
  let description = [{
    The mean over the targets that are not `ignore_index` of
    `(1 - label_smoothing) * -input[target] + label_smoothing / C * -sum_c input[c]`,
    with class indices as targets: input `[N, C]` with target `[N]`,
    `[N, C, d...]` with `[N, d...]`, or `[C]` with a 0-d target. With
    `label_smoothing` 0 this is `nll_loss`; on `log_softmax(logits)` it is
    `cross_entropy` with `label_smoothing` and `ignore_index` as PyTorch 1.13
    computes them (both terms divided by the same count of targets kept).
    Without `ignore_index` every target counts; when every target is ignored
    the loss is 0/0, NaN, as in PyTorch.

    Example:

    ```mlir
    %l = nn.nll_loss %lp, %t {ignore_index = -100 : i64}
        : (tensor<64x10xf32>, tensor<64xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_IndexTensor:$target,
                       OptionalAttr<I64Attr>:$ignore_index,
                       DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
}

def NN_NllLossBackwardOp : NN_Op<"nll_loss_backward", NN_BackwardTraits> {
  let summary = "gradient of nll_loss with respect to its input";
  let description = [{
    At a kept target position, `-grad / count * ((1 - label_smoothing) *
    one_hot(target) + label_smoothing / C)` along the class axis; 0 along an
    ignored one. `count` is the number of kept targets, `grad` the 0-d
    gradient of the loss.

    Example:

    ```mlir
    %gx = nn.nll_loss_backward %g, %lp, %t
        : (tensor<f32>, tensor<64x10xf32>, tensor<64xi64>) -> tensor<64x10xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input, NN_IndexTensor:$target,
                       OptionalAttr<I64Attr>:$ignore_index,
                       DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs NN_FloatTensor:$result);
}

def NN_KlDivOp : NN_Op<"kl_div", [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let summary = "pointwise term of torch.nn.functional.kl_div (reduction=\"none\")";
  let description = [{
    Elementwise `xlogy(target, target) - target * input` (0 where the target
    is 0), or `exp(target) * (target - input)` with `log_target`; `input`
    holds log-probabilities. The operands broadcast. The language's reductions
    (`sum`, `mean`, `batchmean`) are `nn.sum` and `nn.div` of this.

    Example:

    ```mlir
    %k = nn.kl_div %lp, %q : (tensor<4x5xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target,
                       DefaultValuedAttr<BoolAttr, "false">:$log_target);
  let results = (outs NN_FloatTensor:$result);
}

/// A loss that nn-decompose rewrites into primitive ops.
class NN_CompositeLossOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, NN_Composite, NN_Global, NN_CostOpInterface]> {
  let summary = what;
  let results = (outs NN_FloatTensor:$result);
}

def NN_L1LossOp : NN_CompositeLossOp<"l1_loss",
    "torch.nn.functional.l1_loss with mean reduction"> {
  let description = [{
    Mean of `|input - target|` over the broadcast shape. A composite op:
    `nn-decompose` writes `|d|` as `relu(d) + relu(-d)`, whose gradient is
    PyTorch's `sign(d)` (0 at d = 0).

    Example:

    ```mlir
    %l = nn.l1_loss %y, %t : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_SmoothL1LossOp : NN_CompositeLossOp<"smooth_l1_loss",
    "torch.nn.functional.smooth_l1_loss with mean reduction"> {
  let description = [{
    Mean over the broadcast shape of `0.5 z^2 / beta` where `z = |input -
    target| < beta`, else `z - 0.5 beta`; `l1_loss` when `beta` is 0. A
    composite op: with `m = min(z, beta) = z - relu(z - beta)` the term is
    `0.5 m^2 / beta + (z - m)`, whose gradient is PyTorch's on both sides of
    `beta` (and at `z = beta`, where PyTorch takes the linear side).

    Example:

    ```mlir
    %l = nn.smooth_l1_loss %y, %t {beta = 5.000000e-01 : f64}
        : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target,
                       DefaultValuedAttr<F64Attr, "1.0">:$beta);
}

def NN_DiceLossOp : NN_CompositeLossOp<"dice_loss", "soft Dice loss over the whole batch"> {
  let description = [{
    `1 - (2 sum(p t) + eps) / (sum(p) + sum(t) + eps)`, every sum over all
    elements of the batch (not per sample or per channel); `p` holds
    probabilities and `t` the target mask, of one shape; `eps` (default 1)
    smooths empty masks. PyTorch has no such function; this is the formula.
    A composite op of `nn.sum`, `nn.mul`, `nn.add` and `nn.div`, so it is
    differentiable in both operands.

    Example:

    ```mlir
    %l = nn.dice_loss %p, %t {eps = 1.000000e+00 : f64}
        : (tensor<2x1x8x8xf32>, tensor<2x1x8x8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target,
                       DefaultValuedAttr<F64Attr, "1.0">:$eps);
}

/// A metric: a 0-d result that is reported, never differentiated (a loss
/// that depends on one is an error of nn-autodiff at the metric).
class NN_MetricOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, NN_NotDifferentiable, NN_Global, NN_Costed]> {
  let summary = what;
  let results = (outs NN_FloatTensor:$result);
}

def NN_IouOp : NN_MetricOp<"iou", "intersection over union of binary masks"> {
  let description = [{
    With `P = input > 0.5` (probabilities thresholded at 0.5) and
    `T = target > 0.5` (a {0, 1} mask), `|P and T| / |P or T|` over all
    elements, 1 when both masks are empty (0/0). The operands have one shape.

    Example:

    ```mlir
    %m = nn.iou %p, %t : (tensor<2x1x8x8xf32>, tensor<2x1x8x8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_DiceOp : NN_MetricOp<"dice", "Dice coefficient of binary masks"> {
  let description = [{
    With `P = input > 0.5` and `T = target > 0.5` as in `nn.iou`,
    `2 |P and T| / (|P| + |T|)` over all elements, 1 when both masks are
    empty (0/0). The operands have one shape.

    Example:

    ```mlir
    %m = nn.dice %p, %t : (tensor<2x1x8x8xf32>, tensor<2x1x8x8xf32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
}

def NN_AccuracyOp : NN_MetricOp<"accuracy", "classification accuracy"> {
  let description = [{
    The fraction of target positions where `argmax(input, dim=1)` (dim 0 for
    unbatched logits) equals the class index `target`; the argmax takes the
    first maximum, a NaN counting as the largest value, as `torch.argmax`.
    Shapes as `nn.cross_entropy`'s. The result has the logits' element type.

    Example:

    ```mlir
    %a = nn.accuracy %z, %t : (tensor<64x10xf32>, tensor<64xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_IndexTensor:$target);
}

#endif // NETC_IR_OPS_LOSS_TD
