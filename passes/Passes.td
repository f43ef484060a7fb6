//===- Passes.td - passes over the nn dialect ---------------*- tablegen -*-===//

#ifndef NETC_PASSES_PASSES_TD
#define NETC_PASSES_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNInferShapes : Pass<"nn-infer-shapes", "mlir::func::FuncOp"> {
  let summary = "Fill in the static result shapes of nn ops";
  let description = [{
    Walks a function in program order and gives every nn op whose results are
    still unranked (`tensor<*xf32>`) the static type that PyTorch's shape
    rules derive from its operands and attributes, then updates the function
    signature to match what it returns. When no shape exists (channels that
    do not match, shapes that do not broadcast), the error names the op, its
    source location and the shapes involved, and the pass fails.

    Example:

    ```mlir
    %y = nn.relu %x : (tensor<2x3xf32>) -> tensor<*xf32>
    // becomes
    %y = nn.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let dependentDialects = ["::netc::nn::NNDialect"];
}

def NNReceptiveField : Pass<"nn-receptive-field", "mlir::func::FuncOp"> {
  let summary = "Compute the receptive field of every spatial value";
  let description = [{
    For every value that depends on the model's image input, computes per
    spatial axis (H and W, the two trailing axes) the receptive-field size r,
    the effective stride j and the effective padding p relative to that input,
    with the closed forms of Araujo, Norris and Sim, "Computing Receptive
    Fields of Convolutional Neural Networks" (Distill, 2019). An op with the
    receptive-field interface (`nn.conv2d`, `nn.maxpool2d`, `nn.avgpool2d`,
    `nn.pad2d`) of effective kernel k' = d(k - 1) + 1, stride s and top/left
    padding q (negative for a crop) gives r_out = r_in + (k' - 1) j_in,
    j_out = j_in s, p_out = p_in + q j_in. Output index i then sees input
    indices [i j - p, i j - p + r - 1]; p is how far the first window starts
    before input index 0.

    The image inputs are the float arguments of rank 3 or 4 marked `nn.input`;
    a value is measured against the first of them (in argument order) that it
    depends on. Activations, dropout, softmax over a non-spatial axis,
    reductions over non-spatial axes, flatten/reshape/transpose that keep the
    two trailing axes pass the geometry through (a transpose of H and W swaps
    it). Where paths join (`nn.add`, `nn.sub`, `nn.mul`, `nn.div` of two
    dependent values, `nn.concat` along a non-spatial axis) each axis takes
    the path with the largest receptive field; when the paths disagree on the
    effective stride or on the centre (r - 1) / 2 - p of their first window
    (compared exactly), the join is misaligned and the pass warns at the
    joining op. Values after `nn.flatten` or `nn.reshape` of the spatial axes,
    `nn.linear`, `nn.matmul`, a reduction or softmax over a spatial axis,
    `nn.sqnorm`, a loss, or a join with a global value or a value broadcast
    across the spatial axes are global: their receptive field is taken to be
    the whole input.

    Each op whose result depends on an image input gets an `nn.rf` dictionary
    attribute (values independent of every image input get none):

    ```mlir
    // A local value: sizes, strides and paddings as [H, W].
    nn.rf = {aligned = true, input = "x", padding = array<i64: 1, 1>,
             size = array<i64: 3, 3>, stride = array<i64: 1, 1>}
    // A global value.
    nn.rf = {aligned = true, global = true, input = "x"}
    ```

    `input` names the image input (its `nn.input`); `aligned` is false when a
    misaligned join lies on some path from the input to the value. The pass
    fails with an error at the op if a number overflows 64-bit integers.
  }];
}

def NNDecompose : Pass<"nn-decompose", "mlir::func::FuncOp"> {
  let summary = "Rewrite composite ops into primitive nn ops";
  let description = [{
    Every op with the `NN_Composite` trait (`nn.gelu_tanh`, `nn.layer_norm`)
    is defined by a formula over primitive nn ops; this pass replaces it by
    that formula, one rewrite pattern per op, at the composite op's location.
    Scalars of the formula are 0-d `arith.constant` tensors that broadcast.
    The optimize, inference and train pipelines run it right after import and
    shape inference, so autodiff, the interpreter and code generation see
    only primitives, and a composite op needs no gradient, kernel or Halide
    algorithm of its own; `--emit=nn` still shows the composite ops. The pass
    fails, at the op, if a composite op is left.

    Example:

    ```mlir
    %y = nn.gelu_tanh %x : (tensor<4xf32>) -> tensor<4xf32>
    // becomes nn.mul, nn.add and nn.tanh of %x and 0-d constants
    ```
  }];
}

def NNFuseDropout : Pass<"nn-fuse-dropout", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of dropouts into one";
  let description = [{
    A chain `dropout(p1) -> dropout(p2)` whose intermediate value has no other
    use becomes one `dropout(q)` with q = 1 - (1 - p1)(1 - p2), repeatedly for
    longer chains; dropouts with p = 0 vanish. The fused op's location is a
    `FusedLoc` of the locations it replaced, so errors and dumps still point
    at every source line. In the training step the fused dropout draws one
    mask: links fuse only when neither has a seed operand or both take the
    same seed value, which the fused op keeps. The keep probability is rounded
    to 15 significant digits, so decimal inputs give decimal results (0.1 and
    0.2 give 0.28).

    Example:

    ```mlir
    %1 = nn.dropout %0 {p = 1.000000e-01 : f64} : (tensor<8xf32>) -> tensor<8xf32>
    %2 = nn.dropout %1 {p = 2.000000e-01 : f64} : (tensor<8xf32>) -> tensor<8xf32>
    // becomes
    %2 = nn.dropout %0 {p = 2.800000e-01 : f64} : (tensor<8xf32>) -> tensor<8xf32>
    ```
  }];
}

def NNInference : Pass<"nn-inference", "mlir::func::FuncOp"> {
  let summary = "Lower a model to its inference form";
  let description = [{
    Dropout becomes the identity, `nn.train_select` its `eval` operand, and
    everything the outputs do not need is removed: the loss result
    (`nn.loss`), the next values of buffers (`nn.buffer_update`), the ops
    that only fed them, and the inputs used only by the loss (targets) stay
    as unused arguments; buffers stay as arguments and are read.

    With `keep-loss` the loss stays a result, computed in inference mode
    (no dropout, running statistics): the forward function of generated
    executables reports it, which validation reads.
  }];
  let options = [
    Option<"keepLoss", "keep-loss", "bool", /*default=*/"false",
           "Keep the loss result (computed in inference mode)">,
  ];
}

def NNAutodiff : Pass<"nn-autodiff", "mlir::ModuleOp"> {
  let summary = "Build the train step of every model with a loss";
  let description = [{
    For each function with a result marked `nn.loss`, adds a function
    `@<name>_train_step` with the attribute `nn.train_step_of = "<name>"`
    that runs the forward pass and the backward pass; the forward function
    is kept unchanged.

    Signature. The arguments are the forward's, with the same attributes,
    followed by `%seed: i64 {nn.seed}` (a forward function that draws random
    tensors has that argument already, last: the train step keeps it). The results are, in this order: the
    loss `{nn.loss = ...}`, every output `{nn.output = ...}` in result order,
    one gradient per parameter in argument order `{nn.grad = "<param>"}`, and
    with `grad-inputs` one gradient per float input in argument order
    `{nn.grad_input = "<input>"}`, then every buffer update of the forward
    function in result order `{nn.buffer_update = "<buffer>"}`. A gradient
    has its argument's type; a parameter (or input) the loss does not depend
    on gets a zero constant. Buffer updates are not differentiated: the
    loss's gradient never flows through them.

    Several losses. When loss results carry their own `nn.optimizer`
    dictionary with a `loss` key (the frontend's form of several `train`
    statements), each such loss gets its own train step
    `@<name>_train_step_<loss>`, in result order, with the loss alone among
    the losses and `nn.optimizer` set to that dictionary. An `nn.optimizer`
    with a `params` array of name prefixes (on the function or a loss)
    restricts the step's gradients to the parameters whose names start with
    one of them: the other parameters stay read-only arguments without
    `nn.grad` results.

    Train and inference forms. Before differentiating, every
    `nn.train_select` of the train step becomes its `train` operand (batch
    normalisation then uses batch statistics).

    Dropout. Every `nn.dropout` of the train step gets a seed operand: the
    k-th dropout in program order (k from 0) takes
    `%seed_k = arith.addi %seed, c_k` with `c_k` the i64 constant
    k * 0x632BE59BD9B4E019 (modulo 2^64), and the first takes `%seed`
    itself. Its gradient is `nn.dropout(grad, %seed_k) {p = same}`: the same
    mask and the same 1 / (1 - p) scale.

    Random draws. `nn.rand` and `nn.randn` keep the seeds the frontend
    derived from `%seed` (`arith.addi %seed, c` with c = 0xD1B54A32D192ED03
    + k * 0x632BE59BD9B4E019 for the k-th draw, ir/Seeds.h), a stream apart
    from every dropout's. Their VJP gives no gradient: a draw depends on its
    operand's shape only, and the backward pass goes on past it.

    Backward pass. The gradient of the loss is a 1.0 constant of the loss's
    type. Ops are visited in reverse program order and each op on the path
    from a parameter (or requested input) to the loss builds the gradients
    of its operands with its GradientOpInterface rule (PyTorch 1.13's
    formulas), emitted at the op's location after the forward ops. Only
    values that depend on a parameter (or requested input) and reach the
    loss get gradients; gradients of a value used several times are summed
    with `nn.add`; ops that reach neither the loss nor an output are
    dropped. Operands that are not differentiable (embedding indices,
    cross_entropy targets, seeds) are constants. An op on the loss path
    without a gradient rule is an error at its location; all such errors are
    reported and the pass fails.

    Example (forward `@m` with `loss = mean(x * w)`):

    ```mlir
    func.func @m_train_step(%x: tensor<4xf32> {nn.input = "x"},
                            %w: tensor<4xf32> {nn.param = "w"}, %seed: i64 {nn.seed})
        -> (tensor<f32> {nn.loss = "loss"}, tensor<4xf32> {nn.grad = "w"})
        attributes {nn.train_step_of = "m"}
    ```
  }];
  let options = [
    Option<"gradInputs", "grad-inputs", "bool", /*default=*/"false",
           "Also return the gradient of every float input (nn.grad_input)">,
  ];
  let dependentDialects = ["::netc::nn::NNDialect", "::mlir::arith::ArithDialect"];
}

def NNOptimizer : Pass<"nn-optimizer", "mlir::ModuleOp"> {
  let summary = "Append the optimizer update to every train step";
  let description = [{
    For each function marked `nn.train_step_of = "<name>"` whose forward
    function `@<name>` has an `nn.optimizer` attribute, appends the update of
    torch.optim (PyTorch 1.13, dampening 0) to the train step. Models without
    `nn.optimizer` are left alone. A train step with an `nn.optimizer` of
    its own (one of several losses) takes that one; it updates the
    parameters that have an `nn.grad` result, when its optimizer selects
    them with `params`, and its Adam step count is `{nn.state =
    "<loss>.step"}`. With p a parameter, g its gradient (the `nn.grad`
    result) and every hyperparameter a run-time argument (below), its scalar
    formulas computed in f64 and cast to p's element type where they meet
    p:

    - `sgd`: d = g + wd * p; when momentum != 0,
      buf' = momentum * buf + d (PyTorch's first step sets buf = d, which
      this gives with buf = 0) and d = nesterov ? d + momentum * buf' : buf';
      then p' = p - lr * d.
    - `adam` (weight decay added to the gradient, not AdamW):
      g = g + wd * p; m' = b1 * m + (1 - b1) * g;
      v' = b2 * v + (1 - b2) * g * g; t = step + 1;
      step_size = lr / (1 - b1^t);
      denom = sqrt(v') / sqrt(1 - b2^t) + eps; p' = p - step_size * m' / denom,
      with b^t computed as exp(t * log(b)) on 0-d f64 tensors. `adamw`
      first scales p by (1 - lr * wd).
    - `rmsprop`: torch.optim.RMSprop with alpha, eps, momentum and centering.

    New arguments follow `%seed`: the hyperparameters, 0-d f64 tensors
    `{nn.hyper = "lr", nn.value = <compiled value> : f64}` ("<loss>.lr" in a
    step of several losses): lr and weight_decay always (g + 0 * p is g),
    then momentum (SGD, when the compiled momentum != 0), beta1, beta2 and
    eps (Adam), alpha, eps and momentum (RMSprop, when momentum > 0); then
    the optimizer state. SGD with
    momentum != 0 has one `{nn.state = "<param>.momentum_buffer"}` per
    parameter; Adam has `{nn.state = "<param>.exp_avg"}` and
    `{nn.state = "<param>.exp_avg_sq"}` per parameter (in that order,
    parameter by parameter), then one 0-d `{nn.state = "step"}` of the first
    parameter's element type (parameters of mixed element types are an
    error). New results follow the gradients: the updated parameters
    `{nn.param_update = "<param>"}` in parameter order, then the updated
    state in the order of the state arguments, with the same `nn.state`
    names. State starts at zero (step = 0).

    A parameter the loss does not depend on (its gradient is a zero
    constant) has no gradient in PyTorch and is not updated: its update is
    the parameter itself and its state is returned unchanged.
  }];
  let dependentDialects = ["::netc::nn::NNDialect", "::mlir::arith::ArithDialect"];
}

#endif // NETC_PASSES_PASSES_TD
