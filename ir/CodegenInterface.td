//===- CodegenInterface.td - the Halide algorithm of an op -*- tablegen -*-===//
//
// The interface code generation reads an op's Halide algorithm through. ir/
// only declares it: codegen/Algorithms/ implements it as external models, so
// the dialect depends on no backend.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_CODEGENINTERFACE_TD
#define NETC_IR_CODEGENINTERFACE_TD

include "mlir/IR/OpBase.td"

def NN_HalideAlgorithmOpInterface : OpInterface<"HalideAlgorithmOpInterface"> {
  let cppNamespace = "::netc::nn";
  let description = [{
    Defines the Halide Funcs that compute an op's result from the Funcs of its
    operands, and records them in the function's lowering with the schedule
    kind and the named helper Funcs the schedules place. Algorithms only
    define Funcs over Vars and RDoms; schedules are chosen elsewhere.

    The nn dialect promises this interface for every op; codegen attaches the
    models (`netc::codegen::registerHalideAlgorithms`). A tool that compiles
    without registering them stops at the first op with MLIR's "promised but
    never implemented" error.
  }];
  let methods = [
    InterfaceMethod<
      "Defines the op's algorithm in `lowering`; on failure an error has been "
      "emitted at the op.",
      "::mlir::LogicalResult", "defineAlgorithm",
      (ins "::netc::codegen::FunctionLowering &":$lowering)>,
  ];
}

#endif // NETC_IR_CODEGENINTERFACE_TD
