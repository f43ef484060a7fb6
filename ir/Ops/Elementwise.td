//===- Elementwise.td - elementwise ops of the nn dialect --*- tablegen -*-===//
//
// Activations and arithmetic computed element by element: the unary ops keep
// their operand's type, the binary ones broadcast with NumPy's rules. A
// receptive field joins over their operands (NN_Elementwise).
// Included from ir/NNOps.td; the ops' methods are in Elementwise.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_ELEMENTWISE_TD
#define NETC_IR_OPS_ELEMENTWISE_TD

/// An elementwise op of one float tensor.
class NN_UnaryOp<string mnemonic, string torchName, list<Trait> traits = []>
    : NN_Op<mnemonic, !listconcat(traits, [Pure, NN_Differentiable, NN_Elementwise, NN_Costed])> {
  let summary = "elementwise " # mnemonic;
  let description = "Applies `" # torchName # "` to every element; the result has the "
                    # "operand's type.\n\nExample:\n\n```mlir\n%y = nn." # mnemonic
                    # " %x : (tensor<4x8xf32>) -> tensor<4x8xf32>\n```";
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  // The result has the operand's type.
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      types.push_back(getInput().getType());
      return ::mlir::success();
    }
  }];
}

/// An elementwise op of two float tensors with NumPy broadcasting.
class NN_BinaryOp<string mnemonic, string torchName>
    : NN_Op<mnemonic, [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let summary = "elementwise " # mnemonic # " with broadcasting";
  let description = "Computes `" # torchName # "` elementwise. The operands broadcast "
                    # "with NumPy rules (trailing dimensions match or are 1) and share "
                    # "their element type.\n\nExample:\n\n```mlir\n%z = nn." # mnemonic
                    # " %x, %y : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>\n```";
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
  // The operands broadcast (ir/OpShapes.h).
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::netc::nn::detail::inferBroadcast(*this, getLhs(), getRhs(), types);
    }
  }];
}

def NN_ReluOp : NN_UnaryOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}

def NN_SigmoidOp : NN_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;

def NN_TanhOp : NN_UnaryOp<"tanh", "tanh(x)">;

def NN_ExpOp : NN_UnaryOp<"exp", "exp(x)">;

def NN_LogOp : NN_UnaryOp<"log", "log(x)">;

def NN_SqrtOp : NN_UnaryOp<"sqrt", "sqrt(x)">;

def NN_NegOp : NN_UnaryOp<"neg", "-x">;

def NN_LeakyReluOp : NN_Op<"leaky_relu", [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let summary = "leaky rectifier (torch.nn.functional.leaky_relu)";
  let description = [{
    `x` where `x >= 0`, else `slope * x`; the slope defaults to 0.01.

    Example:

    ```mlir
    %y = nn.leaky_relu %x {slope = 2.000000e-01 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, DefaultValuedAttr<F64Attr, "0.01">:$slope);
  let results = (outs NN_FloatTensor:$result);
}

def NN_AddOp : NN_BinaryOp<"add", "lhs + rhs"> {
  let hasFolder = 1;
}

def NN_SubOp : NN_BinaryOp<"sub", "lhs - rhs"> {
  let hasFolder = 1;
}

def NN_MulOp : NN_BinaryOp<"mul", "lhs * rhs"> {
  let hasFolder = 1;
}

def NN_DivOp : NN_BinaryOp<"div", "lhs / rhs"> {
  let hasFolder = 1;
}

def NN_DropoutOp : NN_Op<"dropout", [NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let summary = "inverted dropout (torch.nn.functional.dropout)";
  let description = [{
    In training, zeroes each element with probability `p` and scales the kept
    ones by `1 / (1 - p)`; the mask is a pure function of the `seed` operand
    and the element index, so the backward pass can recompute the same mask.
    Without a seed (inference) it is the identity. `p` lies in `[0, 1)`.

    The mask rule, shared by every engine (runtime/DropoutMask.h): element
    `i` (flat, row-major) is kept iff
    `bits(seed, i) >= uint32(p * 2^24)` with
    `bits(seed, i) = mix64(seed + 0x9E3779B97F4A7C15 * (i + 1)) >> 40` (the
    top 24 bits, arithmetic modulo 2^64), where `mix64` is splitmix64's
    finaliser: `z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EB; z ^ (z >> 31)`.
    Not `Pure`: two dropouts of one value draw different masks and must not
    be merged by CSE.

    Example:

    ```mlir
    %y = nn.dropout %x, %seed {p = 1.000000e-01 : f64} : (tensor<8xf32>, i64) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, Optional<I64>:$seed, F64Attr:$p);
  let results = (outs NN_FloatTensor:$result);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NN_LeakyReluBackwardOp : NN_Op<"leaky_relu_backward", NN_BackwardTraits> {
  let summary = "gradient of relu and leaky_relu";
  let description = [{
    `grad` where `input > 0`, else `slope * grad` (PyTorch's convention at 0);
    with slope 0 this is the gradient of relu.

    Example:

    ```mlir
    %gx = nn.leaky_relu_backward %g, %x {slope = 0.0 : f64}
        : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "0.0">:$slope);
  let results = (outs NN_FloatTensor:$result);
}

def NN_GeluOp : NN_UnaryOp<"gelu", "x * Phi(x)"> {
  let summary = "Gaussian error linear unit (torch.nn.functional.gelu)";
  let description = [{
    The exact form, `0.5 * x * (1 + erf(x / sqrt(2)))`, elementwise; the
    result has the operand's type. As in PyTorch, `gelu(-inf)` is NaN
    (`-inf * 0`) and `gelu(inf)` is `inf`. The tanh approximation is the
    composite `nn.gelu_tanh`.

    Example:

    ```mlir
    %y = nn.gelu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

def NN_SiluOp : NN_UnaryOp<"silu", "x * sigmoid(x)"> {
  let summary = "sigmoid linear unit (torch.nn.functional.silu)";
  let description = [{
    `x / (1 + exp(-x))` elementwise, as PyTorch computes `x * sigmoid(x)`;
    the result has the operand's type.

    Example:

    ```mlir
    %y = nn.silu %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

def NN_GeluBackwardOp : NN_Op<"gelu_backward", NN_BackwardTraits> {
  let summary = "gradient of the exact gelu";
  let description = [{
    `grad * (Phi(x) + x * phi(x))` with `Phi(x) = 0.5 * (1 + erf(x / sqrt(2)))`
    and `phi(x) = exp(-x^2 / 2) / sqrt(2 pi)`, PyTorch's `gelu_backward`;
    `input` is the forward op's operand, of `grad`'s shape.

    Example:

    ```mlir
    %gx = nn.gelu_backward %g, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

def NN_GeluTanhOp : NN_Op<"gelu_tanh", [Pure, NN_Composite, NN_Elementwise, NN_CostOpInterface]> {
  let summary = "gelu's tanh approximation (gelu(x, approximate=\"tanh\"))";
  let description = [{
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))` elementwise.
    A composite op: `nn-decompose` rewrites it into `nn.mul`, `nn.add` and
    `nn.tanh` with constants, whose gradients give PyTorch's.

    Example:

    ```mlir
    %y = nn.gelu_tanh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

#endif // NETC_IR_OPS_ELEMENTWISE_TD
