//===- Activation.td - piecewise activations of the nn dialect -*- tablegen -*-===//
//
// The activations of torch.nn.functional beyond the first ones: elu,
// softplus, clamp and hardtanh (relu6 is hardtanh(0, 6)), with their
// backward ops, and the composites hardswish and hardsigmoid. Each keeps its
// operand's type. Included from ir/NNOps.td; the methods are in
// Activation.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_ACTIVATION_TD
#define NETC_IR_OPS_ACTIVATION_TD

/// A differentiable elementwise op of one float tensor with attributes.
class NN_UnaryAttrOp<string mnemonic, dag attrs>
    : NN_Op<mnemonic, [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let arguments = !con((ins NN_FloatTensor:$input), attrs);
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

/// The gradient of a unary op with attributes: `grad` and the forward
/// operand `input`, of one shape.
class NN_UnaryBackwardOp<string mnemonic, dag attrs> : NN_Op<mnemonic, NN_BackwardTraits> {
  let arguments = !con((ins NN_FloatTensor:$grad, NN_FloatTensor:$input), attrs);
  let results = (outs NN_FloatTensor:$result);
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      return ::netc::nn::detail::inferSameShape(*this, {getGrad(), getInput()}, types);
    }
  }];
}

def NN_EluOp : NN_UnaryAttrOp<"elu", (ins DefaultValuedAttr<F64Attr, "1.0">:$alpha)> {
  let summary = "exponential linear unit (torch.nn.functional.elu)";
  let description = [{
    `x` where `x > 0`, else `alpha * (exp(x) - 1)`, in the order of
    PyTorch's kernel (which subtracts 1 from exp rather than calling expm1).

    Example:

    ```mlir
    %y = nn.elu %x {alpha = 1.000000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def NN_EluBackwardOp : NN_UnaryBackwardOp<"elu_backward", (ins F64Attr:$alpha)> {
  let summary = "gradient of elu";
  let description = [{
    `grad * alpha * exp(x)` where `x <= 0`, else `grad` (PyTorch's
    `elu_backward` on the forward operand; a NaN input passes `grad`).

    Example:

    ```mlir
    %gx = nn.elu_backward %g, %x {alpha = 1.0 : f64}
        : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def NN_SoftplusOp : NN_UnaryAttrOp<"softplus", (ins DefaultValuedAttr<F64Attr, "1.0">:$beta,
                                                   DefaultValuedAttr<F64Attr, "20.0">:$threshold)> {
  let summary = "softplus (torch.nn.functional.softplus)";
  let description = [{
    `x` where `beta * x > threshold`, else `log1p(exp(beta * x)) / beta`.

    Example:

    ```mlir
    %y = nn.softplus %x {beta = 1.0 : f64, threshold = 20.0 : f64}
        : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def NN_SoftplusBackwardOp
    : NN_UnaryBackwardOp<"softplus_backward", (ins F64Attr:$beta, F64Attr:$threshold)> {
  let summary = "gradient of softplus";
  let description = [{
    `grad` where `beta * x > threshold`, else `grad * z / (z + 1)` with
    `z = exp(beta * x)`, PyTorch's `softplus_backward`.

    Example:

    ```mlir
    %gx = nn.softplus_backward %g, %x {beta = 1.0 : f64, threshold = 20.0 : f64}
        : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def NN_ClampOp : NN_UnaryAttrOp<"clamp", (ins OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max)> {
  let summary = "clamp to optional bounds (torch.clamp)";
  let description = [{
    `min(max(x, min), max)`, each bound optional (at least one is given by the
    language); NaN stays NaN. The gradient passes where `min <= x <= max`,
    bounds included, and is 0 at NaN, as PyTorch's `clamp_backward`.

    Example:

    ```mlir
    %y = nn.clamp %x {min = 0.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def NN_HardtanhOp : NN_UnaryAttrOp<"hardtanh", (ins OptionalAttr<F64Attr>:$min,
                                                   OptionalAttr<F64Attr>:$max)> {
  let summary = "hard tanh (torch.nn.functional.hardtanh, relu6)";
  let description = [{
    `min(max(x, min), max)` like `nn.clamp`, but with PyTorch's
    `hardtanh_backward`: the gradient is 0 where `x <= min` or `x >= max`,
    bounds excluded, and passes at NaN. `relu6` is `hardtanh(0, 6)`. The
    language always gives both bounds; hardswish's decomposition gives only
    the upper one.

    Example:

    ```mlir
    %y = nn.hardtanh %x {min = 0.0 : f64, max = 6.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def NN_ClampBackwardOp
    : NN_UnaryBackwardOp<"clamp_backward", (ins OptionalAttr<F64Attr>:$min,
                                               OptionalAttr<F64Attr>:$max, BoolAttr:$inclusive)> {
  let summary = "gradient of clamp and hardtanh";
  let description = [{
    With `inclusive` (clamp): `grad` where `min <= x <= max` (an absent bound
    always holds), else 0, so 0 at NaN. Without it (hardtanh): 0 where
    `x <= min` or `x >= max`, else `grad`, so `grad` at NaN.

    Example:

    ```mlir
    %gx = nn.clamp_backward %g, %x {max = 6.0 : f64, min = 0.0 : f64, inclusive = false}
        : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

/// A composite elementwise op of one float tensor.
class NN_CompositeUnaryOp<string mnemonic>
    : NN_Op<mnemonic, [Pure, NN_Composite, NN_Elementwise, NN_CostOpInterface]> {
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let extraClassDefinition = [{
    ::mlir::LogicalResult $cppClass::inferResultTypes(
        ::llvm::SmallVectorImpl<::mlir::Type> &types) {
      types.push_back(getInput().getType());
      return ::mlir::success();
    }
  }];
}

def NN_HardswishOp : NN_CompositeUnaryOp<"hardswish"> {
  let summary = "hard swish (torch.nn.functional.hardswish)";
  let description = [{
    `x * min(max(x + 3, 0), 6) / 6`, in the order of PyTorch's kernel. A
    composite op: `nn-decompose` rewrites it into `nn.add`, `nn.clamp` (the
    lower bound, whose gradient includes it), `nn.hardtanh` (the upper bound,
    whose gradient excludes it), `nn.mul` and `nn.div`: the gradient is
    -0.5 at -3 and 1 at 3, as PyTorch's vectorised `hardswish_backward`
    (its scalar loop, taken for tensors of fewer elements than a vector,
    gives 1.5 at 3).

    Example:

    ```mlir
    %y = nn.hardswish %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

def NN_HardsigmoidOp : NN_CompositeUnaryOp<"hardsigmoid"> {
  let summary = "hard sigmoid (torch.nn.functional.hardsigmoid)";
  let description = [{
    `min(max(x + 3, 0), 6) / 6`. A composite op: `nn-decompose` rewrites it
    into `nn.add`, `nn.hardtanh` and `nn.div`, whose gradient is PyTorch's
    (0 at -3 and 3, whose hardtanh bounds are excluded).

    Example:

    ```mlir
    %y = nn.hardsigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
}

#endif // NETC_IR_OPS_ACTIVATION_TD
