//===- Recurrent.td - recurrences of the nn dialect --------*- tablegen -*-===//
//
// The recurrences of LSTM and GRU layers. The input projection of every time
// step is one contraction built from linear ops by the frontend; these ops
// run only the step-to-step recurrence, as one loop over time whatever the
// sequence length, and return one tensor holding what their gradients need.
// Included from ir/NNOps.td; the ops' methods are in Recurrent.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_RECURRENT_TD
#define NETC_IR_OPS_RECURRENT_TD

def NN_LstmScanOp : NN_Op<"lstm_scan", [Pure, NN_Differentiable, NN_Global, NN_Costed]> {
  let summary = "the recurrence of one LSTM layer over a time-major sequence";
  let description = [{
    `xg` `[T, B, 4H]` holds each step's input projection plus both biases,
    in torch's gate order i, f, g, o; `h0` and `c0` are `[B, H]`; `weight_t`
    is `[H, 4H]`, the transpose of torch's `weight_hh`. Step t computes
    `gates = xg[t] + h_{t-1} @ weight_t`, `c_t = sigmoid(f) * c_{t-1} +
    sigmoid(i) * tanh(g)` and `h_t = sigmoid(o) * tanh(c_t)`. The result
    `[T, B, 6H]` holds per step `h_t | c_t | gates` (the gate
    pre-activations, which the gradient reads).

    Example:

    ```mlir
    %s = nn.lstm_scan %xg, %h0, %c0, %wt
        : (tensor<8x2x64xf32>, tensor<2x16xf32>, tensor<2x16xf32>, tensor<16x64xf32>)
        -> tensor<8x2x96xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$xg, NN_FloatTensor:$h0, NN_FloatTensor:$c0,
                       NN_FloatTensor:$weight_t);
  let results = (outs NN_FloatTensor:$result);
}

def NN_LstmScanBackwardOp : NN_Op<"lstm_scan_backward", NN_BackwardTraits> {
  let summary = "the reverse recurrence of lstm_scan";
  let description = [{
    `grad` and `state` are `[T, B, 6H]` (the gradient of lstm_scan's result
    and that result), `h0`, `c0` `[B, H]`, `weight` `[4H, H]` (torch's
    `weight_hh`). The result `[T, B, 6H]` holds per step the gradient of
    the gate pre-activations (4H), then of h_{t-1} and of c_{t-1}.

    Example:

    ```mlir
    %d = nn.lstm_scan_backward %g, %s, %h0, %c0, %w
        : (tensor<8x2x96xf32>, tensor<8x2x96xf32>, tensor<2x16xf32>, tensor<2x16xf32>,
           tensor<64x16xf32>) -> tensor<8x2x96xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$state, NN_FloatTensor:$h0,
                       NN_FloatTensor:$c0, NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$result);
}

def NN_GruScanOp : NN_Op<"gru_scan", [Pure, NN_Differentiable, NN_Global, NN_Costed]> {
  let summary = "the recurrence of one GRU layer over a time-major sequence";
  let description = [{
    `xg` `[T, B, 3H]` holds each step's input projection plus `bias_ih`, in
    torch's gate order r, z, n; `h0` is `[B, H]`, `weight_t` `[H, 3H]` the
    transpose of torch's `weight_hh` and `bias_hh` `[3H]`. Step t computes
    `a = h_{t-1} @ weight_t + bias_hh`, `r = sigmoid(xg_r + a_r)`,
    `z = sigmoid(xg_z + a_z)`, `n = tanh(xg_n + r * a_n)` and
    `h_t = (1 - z) * n + z * h_{t-1}`. The result `[T, B, 4H]` holds per
    step `h_t | a`.

    Example:

    ```mlir
    %s = nn.gru_scan %xg, %h0, %wt, %bhh
        : (tensor<8x2x48xf32>, tensor<2x16xf32>, tensor<16x48xf32>, tensor<48xf32>)
        -> tensor<8x2x64xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$xg, NN_FloatTensor:$h0, NN_FloatTensor:$weight_t,
                       NN_FloatTensor:$bias_hh);
  let results = (outs NN_FloatTensor:$result);
}

def NN_GruScanBackwardOp : NN_Op<"gru_scan_backward", NN_BackwardTraits> {
  let summary = "the reverse recurrence of gru_scan";
  let description = [{
    `grad` and `state` are `[T, B, 4H]` (the gradient of gru_scan's result
    and that result), `xg` `[T, B, 3H]`, `h0` `[B, H]`, `weight` `[3H, H]`
    (torch's `weight_hh`). The result `[T, B, 7H]` holds per step the
    gradient of `xg` (3H), of the hidden projection `a` (3H) and of h_{t-1}.

    Example:

    ```mlir
    %d = nn.gru_scan_backward %g, %s, %xg, %h0, %w
        : (tensor<8x2x64xf32>, tensor<8x2x64xf32>, tensor<8x2x48xf32>, tensor<2x16xf32>,
           tensor<48x16xf32>) -> tensor<8x2x112xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$state, NN_FloatTensor:$xg,
                       NN_FloatTensor:$h0, NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$result);
}

#endif // NETC_IR_OPS_RECURRENT_TD
