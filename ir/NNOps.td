//===- NNOps.td - operations of the nn dialect --------------*- tablegen -*-===//
//
// Every op of the .net language with PyTorch 1.13 semantics, one file per
// family under ir/Ops/. Each op's record states its traits and interfaces:
// its result types (ShapeInferenceOpInterface, via ir/ShapeMath), its
// vector-Jacobian product or NN_NotDifferentiable, its receptive-field
// behaviour and its cost; the methods are in the family's .cpp file.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_NNOPS_TD
#define NETC_IR_NNOPS_TD

include "ir/NNDialect.td"
include "ir/NNInterfaces.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints and base classes
//===----------------------------------------------------------------------===//

def NN_FloatTensor : TensorOf<[F32, F64]>;
def NN_IndexTensor : TensorOf<[I32, I64]>;
/// Any element type netc knows: for ops that only move elements (reshape).
def NN_AnyTensor : TensorOf<[F32, F64, I32, I64]>;

/// Ops that build their own vector-Jacobian product.
defvar NN_Differentiable = DeclareOpInterfaceMethods<NN_GradientOpInterface>;

/// Ops that count their own cost under the conventions of ir/OpCost.h.
defvar NN_Costed = DeclareOpInterfaceMethods<NN_CostOpInterface, ["getCost"]>;

/// Ops whose receptive-field behaviour depends on their attributes and types.
defvar NN_FieldRule =
    DeclareOpInterfaceMethods<NN_ReceptiveFieldOpInterface, ["getReceptiveFieldRule"]>;

/// The ops only gradients use: pure, without a VJP of their own, global to a
/// receptive field, and one FLOP per result element.
defvar NN_BackwardTraits = [Pure, NN_NotDifferentiable, NN_Global, NN_CostOpInterface];

/// Every nn op infers its result types; most are pure.
class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic,
         !listconcat(traits, [DeclareOpInterfaceMethods<NN_ShapeInferenceOpInterface>])> {
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// The ops, by family
//===----------------------------------------------------------------------===//

include "ir/Ops/Elementwise.td"
include "ir/Ops/Window.td"
include "ir/Ops/Dense.td"
include "ir/Ops/Reduction.td"
include "ir/Ops/Loss.td"
include "ir/Ops/Shape.td"
include "ir/Ops/Tensor.td"
include "ir/Ops/Spatial.td"
include "ir/Ops/Stateful.td"
include "ir/Ops/Activation.td"
include "ir/Ops/Math.td"
include "ir/Ops/Recurrent.td"
include "ir/Ops/Random.td"

#endif // NETC_IR_NNOPS_TD
