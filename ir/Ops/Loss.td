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

#endif // NETC_IR_OPS_LOSS_TD
