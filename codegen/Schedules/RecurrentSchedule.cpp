//===- RecurrentSchedule.cpp - the hand schedule of recurrences -----------===//
//
// A recurrence (codegen/Algorithms/Recurrent.cpp) is one Func computed at
// the root: its pure definition (the initial slots) vectorized like any
// other, its update serial over (phase, step) and vectorized along the
// unit, the innermost RVar. Within one phase the lanes write one slot and
// read other slots or other steps only, which Halide cannot prove: the
// race check is waived for that loop alone. Batch rows are independent
// recurrences and run in parallel when the work pays for it. A gradient's
// nonlinearities (the handle `activations`) do not depend on the loop: they
// are computed for all steps at the root beforehand, in parallel over time.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/HandScheduler.h"

using namespace mlir;
using namespace Halide;

namespace netc::codegen::hand {

void HandScheduler::scheduleRecurrence(const LoweredFunc &lf) {
  Func f = lf.func;
  f.compute_root();
  std::vector<Var> args = f.args(); // u, b, t
  ArrayRef<int64_t> shape = lf.type.getShape(); // [T, B, slots * H]
  int initWidth = std::min<int64_t>(lanes(f), floorPow2(shape[2]));
  if (initWidth > 1)
    f.vectorize(args[0], initWidth, TailStrategy::ShiftInwards);

  Stage update = f.update(0);
  std::vector<Internal::ReductionVariable> rvars = update.get_schedule().rvars();
  RVar unit(rvars[0].var);
  const int64_t *hidden = Internal::as_const_int(rvars[0].extent);
  const int64_t *phases = Internal::as_const_int(rvars[1].extent);
  int width = hidden ? std::min<int64_t>(lanes(f), floorPow2(*hidden)) : 1;
  if (width > 1)
    update.allow_race_conditions().vectorize(unit, width, TailStrategy::GuardWithIf);
  // About `phases` multiply-adds per unit and step.
  int64_t work = lf.type.getNumElements() * (phases ? *phases : 1);
  parallelOuter(update, {args[1]}, {shape[1]}, work);
  if (lf.handles.activations && hidden)
    scheduleActivations(*lf.handles.activations, *hidden, shape);
}

void HandScheduler::scheduleActivations(Func act, int64_t hidden, ArrayRef<int64_t> shape) {
  act.compute_root();
  std::vector<Var> args = act.args(); // u, b, t
  int natural = std::max(1, target.natural_vector_size(act.output_types()[0]));
  int width = std::min<int64_t>(natural, floorPow2(hidden));
  if (width > 1)
    act.vectorize(args[0], width, TailStrategy::ShiftInwards);
  // A few transcendentals per unit, batch row and step.
  parallelOuter(act, {args[2], args[1]}, {shape[0], shape[1]}, 16 * hidden * shape[0] * shape[1]);
}

} // namespace netc::codegen::hand
