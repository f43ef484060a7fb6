//===- Schedules.h - how lowered pipelines run ------------------*- C++ -*-===//

#ifndef NETC_CODEGEN_SCHEDULES_SCHEDULES_H
#define NETC_CODEGEN_SCHEDULES_SCHEDULES_H

#include "codegen/Lowering.h"
#include "codegen/Schedules/LayerTune.h"

namespace netc::codegen {

/// The schedules `--schedule=` accepts.
llvm::ArrayRef<llvm::StringRef> scheduleNames();

/// Schedules every Func of `fl`'s pipeline: "hand" (per op family, chosen
/// from the target's vector width and cores), "naive" (everything
/// compute_root, nothing vectorized), or one of Halide 14's autoschedulers
/// ("adams2019", "mullapudi2016", "li2018") loaded from Debian's plugins.
/// Errors are emitted at the function. `fullRateF32Lanes` (fullRateF32Lanes()
/// in HostTune.h; 0 for the natural width) sizes the hand schedule's
/// multiply-add tiles; `variants` (LayerTune.h) picks the hand schedule's
/// variant of ops that have several.
mlir::LogicalResult applySchedule(FunctionLowering &fl, Halide::Pipeline &pipeline,
                                  llvm::StringRef name, int fullRateF32Lanes = 0,
                                  const ScheduleVariants *variants = nullptr);

} // namespace netc::codegen

#endif // NETC_CODEGEN_SCHEDULES_SCHEDULES_H
