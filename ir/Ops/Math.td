//===- Math.td - elementwise math, selection and casts of nn -*- tablegen -*-===//
//
// abs, pow, erf, sin, cos, the broadcasting maximum and minimum, where, and
// the two ops that change how values flow rather than what they are: detach
// (no gradient) and cast (another element type). Included from ir/NNOps.td;
// the methods are in Math.cpp beside this file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_OPS_MATH_TD
#define NETC_IR_OPS_MATH_TD

def NN_AbsOp : NN_UnaryOp<"abs", "|x|">;

def NN_SignOp : NN_Op<"sign", NN_BackwardTraits> {
  let summary = "sign of each element, for gradients (torch.sgn)";
  let description = [{
    1 where `x > 0`, -1 where `x < 0`, 0 at zeros and NaN: the factor of
    PyTorch's `abs` gradient, whose value at 0 and NaN is 0.

    Example:

    ```mlir
    %s = nn.sign %x : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
}

def NN_ErfOp : NN_UnaryOp<"erf", "erf(x)">;

def NN_SinOp : NN_UnaryOp<"sin", "sin(x)">;

def NN_CosOp : NN_UnaryOp<"cos", "cos(x)">;

def NN_PowOp : NN_Op<"pow", [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let summary = "power with a constant exponent (torch.pow(x, e))";
  let description = [{
    `x ^ exponent` elementwise, as PyTorch computes it: exponents 2, 3, 0.5,
    -0.5, -1 and -2 by products, square roots and divisions, any other by the
    C library's `pow`. A negative base with a non-integer exponent gives NaN.

    Example:

    ```mlir
    %y = nn.pow %x {exponent = 2.500000e+00 : f64} : (tensor<4xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$exponent);
  let results = (outs NN_FloatTensor:$result);
}

def NN_MaximumOp : NN_BinaryOp<"maximum", "torch.maximum(lhs, rhs)">;

def NN_MinimumOp : NN_BinaryOp<"minimum", "torch.minimum(lhs, rhs)">;

def NN_MinMaxBackwardOp : NN_Op<"minmax_backward", NN_BackwardTraits> {
  let summary = "gradient of maximum and minimum for one operand";
  let description = [{
    The gradient that `torch.maximum(self, other)` (with `maximum`, else
    `torch.minimum`) gives `self`, before it is summed back to self's shape:
    `grad / 2` where `self == other`, 0 where `other` wins, `grad` elsewhere
    (NaN on either side included). `self` and `other` broadcast to `grad`'s
    shape; the gradient of `other` is this op with the two swapped.

    Example:

    ```mlir
    %ga = nn.minmax_backward %g, %a, %b {maximum = true}
        : (tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$self, NN_FloatTensor:$other,
                       BoolAttr:$maximum);
  let results = (outs NN_FloatTensor:$result);
}

def NN_WhereOp : NN_Op<"where", [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let summary = "elementwise selection (torch.where)";
  let description = [{
    `lhs` where `condition` is nonzero (NaN counts as nonzero, as in
    PyTorch's conversion to bool), else `rhs`. The condition is a float or
    integer tensor; the three broadcast with NumPy rules and `lhs` and `rhs`
    share their float element type. The condition gets no gradient.

    Example:

    ```mlir
    %y = nn.where %c, %a, %b : (tensor<4xi64>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins TensorOf<[F32, F64, I32, I64]>:$condition, NN_FloatTensor:$lhs,
                       NN_FloatTensor:$rhs);
  let results = (outs NN_FloatTensor:$result);
}

def NN_DetachOp : NN_UnaryOp<"detach", "x"> {
  let summary = "the identity without a gradient (torch.Tensor.detach)";
  let description = [{
    The operand's value; autodiff stops here: nothing the result's gradient
    is reaches the operand, as with `x.detach()` in PyTorch.

    Example:

    ```mlir
    %y = nn.detach %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
    ```
  }];
}

def NN_CastOp : NN_Op<"cast", [Pure, NN_Differentiable, NN_Elementwise, NN_Costed]> {
  let summary = "element type conversion (torch.Tensor.to(dtype))";
  let description = [{
    Converts every element to `dtype` (f32, f64, i32 or i64): floats round to
    nearest, floats to integers truncate toward zero, as in PyTorch. The
    gradient of a float to float cast is cast back; no gradient passes a cast
    from or to an integer type.

    Example:

    ```mlir
    %y = nn.cast %x {dtype = f64} : (tensor<4xf32>) -> tensor<4xf64>
    ```
  }];
  let arguments = (ins TensorOf<[F32, F64, I32, I64]>:$input, TypeAttr:$dtype);
  let results = (outs TensorOf<[F32, F64, I32, I64]>:$result);
}

#endif // NETC_IR_OPS_MATH_TD
