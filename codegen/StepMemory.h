//===- StepMemory.h - the memory of an executable's train step --*- C++ -*-===//
//
// What a generated executable holds while it runs `--train`, worked out from
// the module it is compiled from and the runtime's own layout rules, so that
// --emit=stats can predict the peak resident memory of a training run:
//
// - the Context (runtime/Context.cpp): parameters, their gradients, a second
//   buffer for every parameter, optimizer state and model buffer the step
//   rewrites (the two alternate), the outputs and scratch results, the loss;
//   the driver's inputs;
// - the chain temporaries of the train step (codegen/Split.h), placed by
//   liveness with the runtime's planner (runtime/Arena.h), the same function
//   the executable runs;
// - the buffers Halide allocates inside the largest part for the values that
//   stay inside it (compute_root Funcs, padded copies), estimated;
// - the program itself: its code, the C and C++ runtimes and threads, an
//   estimate measured on this project's executables.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_CODEGEN_STEPMEMORY_H
#define NETC_CODEGEN_STEPMEMORY_H

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <string>

namespace netc::codegen {

/// The parts of a train step's memory, in bytes.
struct StepMemory {
  /// The program, with the code of `pipelines` Halide pipelines.
  int64_t program = 0;
  int pipelines = 0;
  int64_t params = 0;
  int64_t grads = 0;
  int64_t state = 0;
  /// Model buffers (nn.buffer, batch norm's running statistics).
  int64_t buffers = 0;
  /// The second buffer of every parameter, state and buffer the step writes.
  int64_t updated = 0;
  /// Inputs, outputs, scratch results and losses.
  int64_t io = 0;
  /// The chain temporaries' arena: `temps` temporaries over `parts` parts.
  int64_t arena = 0;
  int temps = 0, parts = 1;
  /// The most bytes Halide allocates inside one part (or the whole step).
  int64_t within = 0;

  int64_t total() const {
    return program + params + grads + state + buffers + updated + io + arena + within;
  }
};

/// The train step's memory of the model in `module`, a module prepared as
/// for an executable (the train pipeline, then prepareForCodegen). Splits and
/// renames the module's functions (it is a copy made for this); failure,
/// with a diagnostic, when the module is no compilable model with a train
/// step.
mlir::FailureOr<StepMemory> predictStepMemory(mlir::ModuleOp module);

} // namespace netc::codegen

#endif // NETC_CODEGEN_STEPMEMORY_H
