//===- NNInterfaces.td - interfaces of nn ops ---------------*- tablegen -*-===//
//
// Op interfaces that passes query instead of switching on op kinds: shape
// inference, receptive-field geometry and the vector-Jacobian product.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NNINTERFACES_TD
#define NETC_IR_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_ShapeInferenceOpInterface : OpInterface<"ShapeInferenceOpInterface"> {
  let cppNamespace = "::netc::nn";
  let description = [{
    Computes an op's result types from its operand types and attributes with
    PyTorch's shape rules. When no result shape exists (channels that do not
    match, shapes that do not broadcast, a negative kernel), the method emits
    an error at the op's location naming the values involved and fails.

    The interface's verifier checks every ranked result against the inferred
    type, so a hand-written IR file with a wrong shape is rejected. Unranked
    results are accepted: `nn-infer-shapes` refines them.
  }];
  let methods = [
    InterfaceMethod<
      "Infers the result types; on failure an error has been emitted at the op.",
      "::mlir::LogicalResult", "inferResultTypes",
      (ins "::llvm::SmallVectorImpl<::mlir::Type> &":$resultTypes)>,
  ];
  let verify = [{ return ::netc::nn::detail::verifyInferredShapes($_op); }];
}

def NN_ReceptiveFieldOpInterface : OpInterface<"ReceptiveFieldOpInterface"> {
  let cppNamespace = "::netc::nn";
  let description = [{
    Ops that slide a window over the two trailing spatial axes (convolution,
    pooling, padding) describe that window per axis: the effective kernel
    size d(k - 1) + 1, the stride, and the padding before the first element
    (top for H, left for W; negative when the op crops). The receptive-field
    analysis composes these with the closed forms of Araujo, Norris and Sim
    (Distill, 2019). Ops without this interface either pass the geometry
    through unchanged (elementwise ops, activations) or make a value global.
  }];
  let methods = [
    InterfaceMethod<"Returns the window geometry of the H and W axes.",
      "::netc::nn::SpatialWindow", "getSpatialWindow", (ins)>,
  ];
}

def NN_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let cppNamespace = "::netc::nn";
  let description = [{
    Each differentiable op builds its own vector-Jacobian product: given the
    gradients of its results (null where a result does not reach the loss),
    it creates `nn` ops computing the gradient of each operand, returning a
    null value for operands that are not differentiable (integer indices,
    class targets, seeds). `nn-autodiff` walks the graph backwards and asks
    every op on the loss path for its VJP.
  }];
  let methods = [
    InterfaceMethod<
      "Builds the gradients of the operands from the gradients of the results.",
      "::mlir::FailureOr<::llvm::SmallVector<::mlir::Value>>", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$resultGrads)>,
  ];
}

//===----------------------------------------------------------------------===//
// Traits
//===----------------------------------------------------------------------===//

/// An op without a vector-Jacobian product: the gradient ops themselves and
/// anything no loss may depend on. `nn-autodiff` reports a loss that depends
/// on one at the op.
def NN_NotDifferentiable : NativeOpTrait<"NotDifferentiable"> {
  let cppNamespace = "::netc::nn::traits";
}

/// An op defined by a formula over other nn ops. `nn-decompose` rewrites it
/// into those ops before any backend sees it, so it needs no VJP, no
/// algorithm and no kernel of its own.
def NN_Composite : NativeOpTrait<"Composite"> {
  let cppNamespace = "::netc::nn::traits";
}

#endif // NETC_IR_NNINTERFACES_TD
