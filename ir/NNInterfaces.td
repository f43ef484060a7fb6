//===- NNInterfaces.td - interfaces of nn ops ---------------*- tablegen -*-===//
//
// Op interfaces that passes query instead of switching on op kinds: shape
// inference, receptive-field behaviour, cost and the vector-Jacobian product,
// and the traits that give their defaults.
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
    States how the receptive field of a value (its geometry along the two
    trailing spatial axes, relative to an image input) passes through the op,
    as a `ReceptiveFieldRule` computed from the op's attributes and types:

    - `PassThrough`: the result sees what operand 0 sees (a softmax or a
      reduction along a non-spatial axis, a flatten that keeps H and W).
    - `Join`: elementwise over all operands; per axis the largest field wins
      and paths that disagree on stride or centre are reported.
    - `Window`: the op slides a window over H and W, described per axis by
      the effective kernel size d(k - 1) + 1, the stride and the padding
      before the first element (negative when the op crops). The analysis
      composes it with the closed forms of Araujo, Norris and Sim (Distill,
      2019).
    - `SwapSpatial`: operand 0's field with H and W exchanged.
    - `Global`: every result element may depend on every input position.

    The default comes from the op's traits (`NN_Elementwise` joins,
    `NN_Global` is global); ops whose behaviour depends on their attributes
    implement the method. An op without this interface is global.
  }];
  let methods = [
    InterfaceMethod<"Returns how a receptive field passes from the operands to the results.",
      "::netc::nn::ReceptiveFieldRule", "getReceptiveFieldRule", (ins), [{}],
      [{ return ::netc::nn::detail::receptiveFieldRuleOfTraits($_op); }]>,
  ];
}

def NN_CostOpInterface : OpInterface<"CostOpInterface"> {
  let cppNamespace = "::netc::nn";
  let description = [{
    The work of one op for `--emit=stats`, under the conventions of
    `ir/OpCost.h`: its forward FLOPs, the FLOPs of its backward pass, and the
    tensors its vector-Jacobian product reads (kept from the forward pass).
    The backward numbers depend on which operands need a gradient; they are
    meaningful only when the op's backward runs. The default counts one FLOP
    per result element, twice that backward, and keeps nothing.
  }];
  let methods = [
    InterfaceMethod<
      "Returns the op's cost; `needsGradient` tells which operands need a gradient.",
      "::netc::nn::OpCost", "getCost",
      (ins "::llvm::function_ref<bool(::mlir::Value)>":$needsGradient), [{}],
      [{ return ::netc::nn::cost::perResultElement($_op, 1); }]>,
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

/// An op whose value involves every data-parallel replica of a train step:
/// executables and libraries run it between two compiled parts, as a call
/// into the runtime's communicator (codegen/Split.h); compiled alone, and in
/// the interpreter, it is its value in a single process.
def NN_Collective : NativeOpTrait<"Collective"> {
  let cppNamespace = "::netc::nn::traits";
}

/// An op defined by a formula over other nn ops. `nn-decompose` rewrites it
/// into those ops before any backend sees it, so it needs no VJP, no
/// algorithm and no kernel of its own.
def NN_Composite : NativeOpTrait<"Composite"> {
  let cppNamespace = "::netc::nn::traits";
}

/// An op computed element by element from operands that broadcast together:
/// a receptive field joins over its operands.
def NN_ElementwiseTrait : NativeOpTrait<"Elementwise"> {
  let cppNamespace = "::netc::nn::traits";
}
def NN_Elementwise : TraitList<[NN_ElementwiseTrait, NN_ReceptiveFieldOpInterface]>;

/// An op whose every result element may depend on every operand position
/// (linear maps, full reductions, losses, the backward ops).
def NN_GlobalTrait : NativeOpTrait<"Global"> {
  let cppNamespace = "::netc::nn::traits";
}
def NN_Global : TraitList<[NN_GlobalTrait, NN_ReceptiveFieldOpInterface]>;

#endif // NETC_IR_NNINTERFACES_TD
