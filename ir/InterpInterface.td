//===- InterpInterface.td - the interpreter's kernel interface -*- tablegen -*-===//
//
// The reference interpreter evaluates an op through this interface. The
// dialect only promises it: interp/ attaches one kernel per op as an external
// model, so ir/ never depends on the interpreter.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_IR_INTERPINTERFACE_TD
#define NETC_IR_INTERPINTERFACE_TD

include "mlir/IR/OpBase.td"

def NN_InterpKernelOpInterface : OpInterface<"InterpKernelOpInterface"> {
  let cppNamespace = "::netc::nn";
  let description = [{
    Evaluates an op in the reference interpreter: reads the tensors of its
    operands from the kernel context, computes in double as the op's
    definition says, and records the tensors of its results there. User
    errors found on the values (an embedding index out of range, a
    probability outside [0, 1]) are emitted at the op and the method fails.

    Every nn op is promised this interface by the dialect;
    `netc::interp::registerInterpKernels` fulfils the promise. Composite ops
    are decomposed before any backend runs and get no kernel.
  }];
  let methods = [
    InterfaceMethod<
      "Computes the op's results from its operands held in `context`.",
      "::mlir::LogicalResult", "interpret",
      (ins "::netc::interp::KernelContext &":$context)>,
  ];
}

#endif // NETC_IR_INTERPINTERFACE_TD
