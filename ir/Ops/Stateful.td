//===- Stateful.td - ops of train steps and buffers --------*- tablegen -*-===//
//
// Ops that depend on whether a train step or the forward (inference) form
// runs, and the ops that compute the next value of a buffer: the selection
// between the two forms, the step counter, and batch normalisation, whose
// running statistics are buffers. Included from ir/NNOps.td; the ops'
// methods are in Stateful.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_STATEFUL_TD
#define NETC_IR_OPS_STATEFUL_TD

def NN_TrainSelectOp : NN_Op<"train_select", [Pure, NN_Differentiable, NN_Elementwise,
                                              NN_Costed]> {
  let summary = "the value of train steps or of the forward form";
  let description = [{
    `train` in a train step, `eval` in the forward and inference forms. The
    train step's construction (`nn-autodiff`) replaces the op by `train`
    before differentiating, and `nn-inference` replaces it by `eval`, as it
    makes dropout the identity; a forward function run as it is reads
    `eval`. The operands have one type. The gradient flows to `train` only.

    Example:

    ```mlir
    %y = nn.train_select %batch, %running : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$train, NN_FloatTensor:$eval);
  let results = (outs NN_FloatTensor:$result);
}

def NN_IncrementOp : NN_Op<"increment", [Pure, NN_NotDifferentiable, NN_Elementwise,
                                         NN_Costed]> {
  let summary = "an integer tensor plus a constant";
  let description = [{
    Adds `amount` to every element of an integer tensor, wrapping modulo
    2^bits: the step counters of buffers such as batch normalisation's
    `num_batches_tracked`. Not differentiable (integers carry no gradient).

    Example:

    ```mlir
    %n1 = nn.increment %n {amount = 1 : i64} : (tensor<i64>) -> tensor<i64>
    ```
  }];
  let arguments = (ins NN_IndexTensor:$input, DefaultValuedAttr<I64Attr, "1">:$amount);
  let results = (outs NN_IndexTensor:$result);
}

def NN_BatchNormOp : NN_Op<"batch_norm", [Pure, NN_Composite, NN_FieldRule, NN_CostOpInterface]> {
  let summary = "batch normalisation (torch.nn.BatchNorm1d/2d)";
  let description = [{
    Normalises `input` ([N, C], [N, C, L] or [N, C, H, W]) per channel (axis
    1). In train steps with the batch statistics: `(x - mean) / sqrt(var +
    eps)` with the mean and biased variance over every axis but 1; in the
    forward and inference forms with the running ones: `(x - running_mean) /
    sqrt(running_var + eps)`. Then `* weight + bias` when the two optional
    `affine` operands (of shape [C]) are present. The second and third
    results are the next running statistics, as torch updates them in train
    mode: `(1 - momentum) * running + momentum * batch`, with the unbiased
    variance (times n / (n - 1), n the elements per channel) for
    `running_var`. Model functions return them as `nn.buffer_update` results,
    which only train steps keep.

    A composite op: `nn-decompose` builds both forms from `nn.mean`,
    `nn.sub`, `nn.mul`, `nn.add`, `nn.sqrt` and `nn.div` and joins them with
    `nn.train_select`, so the train step differentiates the batch form (with
    the statistics' own gradients) and inference reads the running form.

    With `sync` (`netc --sync-bn`), the batch statistics are those of the
    global batch of data-parallel training: the per-channel mean and the
    variance about it are averaged over the replicas (`nn.replica_mean`),
    and the unbiased factor counts the elements of every replica
    (`nn.replica_count`), as torch.nn.SyncBatchNorm computes them. In one
    process the results are those of the plain form.

    Example:

    ```mlir
    %y, %rm, %rv = nn.batch_norm %x, %mean, %var, %w, %b {eps = 1.0e-05 : f64, momentum = 1.0e-01 : f64}
        : (tensor<4x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
        -> (tensor<4x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$running_mean,
                       NN_FloatTensor:$running_var, Variadic<NN_FloatTensor>:$affine,
                       DefaultValuedAttr<F64Attr, "1e-5">:$eps,
                       DefaultValuedAttr<F64Attr, "0.1">:$momentum,
                       DefaultValuedAttr<BoolAttr, "false">:$sync);
  let results = (outs NN_FloatTensor:$result, NN_FloatTensor:$new_running_mean,
                      NN_FloatTensor:$new_running_var);
  let extraClassDeclaration = [{
    /// The scale, or null without the affine operands.
    ::mlir::Value getWeight() { return getAffine().empty() ? nullptr : getAffine()[0]; }
    /// The shift, or null without the affine operands.
    ::mlir::Value getBias() { return getAffine().size() < 2 ? nullptr : getAffine()[1]; }
  }];
}

def NN_ReplicaMeanOp : NN_Op<"replica_mean", [Pure, NN_Collective, NN_Differentiable,
                                               NN_Elementwise, NN_Costed]> {
  let summary = "the mean of a tensor over the data-parallel replicas";
  let description = [{
    Element by element, the mean of `input` over the processes that train
    one model data-parallel (the ranks of `mpirun`), each of which computes
    its own `input`; every replica receives the same result. In one process
    it is `input`. Synchronized batch normalisation (`batch_norm` with
    `sync`) averages its statistics with it.

    Its gradient is the replica mean of the result's gradient: each replica
    differentiates its own loss and data-parallel training averages the
    parameters' gradients, so the mean over replicas of what flows back is
    the gradient of the mean loss.

    A collective op: executables and libraries end a compiled part before
    it and start one after it, and the runtime's communicator averages the
    tensor in between (codegen/Split.h); elsewhere it is the identity.

    Example:

    ```mlir
    %m = nn.replica_mean %batch_mean : (tensor<1x8x1x1xf32>) -> tensor<1x8x1x1xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

def NN_ReplicaCountOp : NN_Op<"replica_count", [Pure, NN_Collective, NN_NotDifferentiable,
                                                NN_Global, NN_Costed]> {
  let summary = "the number of data-parallel replicas";
  let description = [{
    A 0-d tensor of element type `element_type` holding the number of processes
    that train one model data-parallel: 1 in one process. Synchronized batch
    normalisation counts the elements of the global batch with it. A
    collective op, as `nn.replica_mean`. It reads nothing and has no
    gradient.

    Example:

    ```mlir
    %n = nn.replica_count {element_type = f32} : () -> tensor<f32>
    ```
  }];
  let arguments = (ins TypeAttrOf<AnyFloat>:$element_type);
  let results = (outs NN_FloatTensor:$result);
}

#endif // NETC_IR_OPS_STATEFUL_TD
