//===- Random.td - seeded random tensors of nn -------------*- tablegen -*-===//
//
// rand and randn: tensors of the shape of their operand, drawn from a seed.
// Included from ir/NNOps.td; the methods are in Random.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_RANDOM_TD
#define NETC_IR_OPS_RANDOM_TD

/// A draw: a fresh tensor of the operand's shape and element type whose
/// values are a pure function of the seed and the element index. It reads
/// nothing of the operand but its type, so no gradient reaches it.
class NN_DrawOp<string mnemonic> : NN_Op<mnemonic,
    [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let arguments = (ins NN_FloatTensor:$input, I64:$seed);
  let results = (outs NN_FloatTensor:$result);
}

def NN_RandOp : NN_DrawOp<"rand"> {
  let summary = "uniform random values in [0, 1) (torch.rand_like)";
  let description = [{
    A tensor of `input`'s type whose element `i` (flat, row-major) is
    `(word(seed, i) >> (64 - m)) * 2^-m`, `m` = 24 for f32 and 53 for f64,
    with `word(seed, c) = mix64(seed + 0x9E3779B97F4A7C15 * (c + 1))` the
    counter rule of dropout (runtime/RandomDraw.h). Pure: the same seed
    draws the same tensor, so a train step gives every draw its own seed
    (nn-autodiff and the frontend derive them from the step's `nn.seed`).

    Example:

    ```mlir
    %u = nn.rand %x, %seed : (tensor<8xf32>, i64) -> tensor<8xf32>
    ```
  }];
}

def NN_RandnOp : NN_DrawOp<"randn"> {
  let summary = "standard normal random values (torch.randn_like)";
  let description = [{
    A tensor of `input`'s type whose element `i` is Box-Muller's
    `sqrt(-2 log u1) * cos(2 pi u2)` of the two 53-bit uniforms
    `u1 = ((word(seed, 2i) >> 11) + 1) * 2^-53` and
    `u2 = (word(seed, 2i + 1) >> 11) * 2^-53`, computed in double and
    rounded to the element type (runtime/RandomDraw.h). No gradient flows
    into `input`: the values depend on its shape only.

    Example:

    ```mlir
    %e = nn.randn %mu, %seed : (tensor<4x8xf32>, i64) -> tensor<4x8xf32>
    ```
  }];
}

#endif // NETC_IR_OPS_RANDOM_TD
