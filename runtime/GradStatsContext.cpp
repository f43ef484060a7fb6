//===- GradStatsContext.cpp - --grad-stats in generated executables -------===//
//
// The train step of a compiled model already returns every parameter's
// gradient (its NETC_SLOT_GRAD results) and the Context keeps them, so
// measuring costs nothing on the steps that are not measured: at a measured
// step the parameters are copied before it and compared after it.
//
//===----------------------------------------------------------------------===//

#include "runtime/Context.h"
#include "runtime/GradStats.h"
#include "runtime/Tensors.h"

#include <cstring>

namespace netc::runtime {

ContextGradStats::ContextGradStats(Context &context, GradStatsOptions options, uint64_t lastStep)
    : ctx(context), recorder(std::move(options), lastStep, context.model().name) {
  const netc_model &m = ctx.model();
  std::vector<bool> hasGrad(m.num_params, false);
  for (int k = 0; k < m.num_train_slots; ++k)
    if (m.train_slots[k].kind == NETC_SLOT_GRAD)
      hasGrad[m.train_slots[k].index] = true;
  for (int i = 0; i < m.num_params; ++i)
    if (hasGrad[i])
      params.push_back(i);
  old.resize(params.size());
}

void ContextGradStats::before(uint64_t step) {
  if (!recorder.wants(step))
    return;
  const netc_model &m = ctx.model();
  for (size_t k = 0; k < params.size(); ++k) {
    const netc_tensor &t = m.params[params[k]];
    old[k].resize(static_cast<size_t>(numel(t)) * dtypeSize(t.dtype));
    std::memcpy(old[k].data(), ctx.param(params[k]), old[k].size());
  }
}

std::string ContextGradStats::after(uint64_t step, double loss) {
  recorder.addLoss(step, loss);
  if (!recorder.wants(step))
    return "";
  const netc_model &m = ctx.model();
  std::vector<GradStat> rows;
  for (size_t k = 0; k < params.size(); ++k) {
    const netc_tensor &t = m.params[params[k]];
    int64_t n = numel(t);
    GradStat row;
    row.param = t.name;
    row.gradNorm = l2Distance(ctx.grad(params[k]), nullptr, t.dtype, n);
    row.weightNorm = l2Distance(old[k].data(), nullptr, t.dtype, n);
    row.updateNorm = l2Distance(ctx.param(params[k]), old[k].data(), t.dtype, n);
    rows.push_back(std::move(row));
  }
  return recorder.record(step, loss, std::move(rows));
}

} // namespace netc::runtime
