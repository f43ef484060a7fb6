//===- GradStats.cpp - --grad-stats of netc --run --train -----------------===//
//
// The train step returns each parameter's gradient (nn.grad) and new value
// (nn.param_update) beside the loss, so the norms need no extra work from
// the interpreter: they are computed here, in double, from tensors the run
// holds anyway, and only at the measured steps.
//
//===----------------------------------------------------------------------===//

#include "interp/GradStats.h"
#include "ir/Signature.h"

#include <cmath>
#include <map>

using namespace mlir;

namespace netc::interp {

namespace {

/// sqrt(sum (a - b)^2) over the elements; `b` null: the norm of `a`.
double distance(const Tensor &a, const Tensor *b) {
  double sum = 0;
  for (int64_t i = 0, n = a.numel(); i < n; ++i) {
    double d = a.get(i) - (b ? b->get(i) : 0.0);
    sum += d * d;
  }
  return std::sqrt(sum);
}

} // namespace

std::string gradStatsModelName(func::FuncOp fn) {
  if (StringAttr forward = nn::trainStepOf(fn))
    return forward.getValue().str();
  return fn.getSymName().str();
}

std::string recordGradStats(runtime::GradStatsRecorder &recorder, uint64_t step, func::FuncOp fn,
                            ArrayRef<Tensor> args, ArrayRef<Tensor> results, double loss) {
  recorder.addLoss(step, loss);
  if (!recorder.wants(step))
    return "";
  std::map<std::string, unsigned> params, updates;
  for (const nn::ArgInfo &a : nn::describeArguments(fn))
    if (a.role == nn::ArgRole::Param)
      params[a.name] = a.index;
  SmallVector<nn::ResultInfo> described = nn::describeResults(fn);
  for (const nn::ResultInfo &r : described)
    if (r.role == nn::ResultRole::ParamUpdate)
      updates[r.name] = r.index;
  std::vector<runtime::GradStat> rows;
  for (const nn::ResultInfo &r : described) {
    if (r.role != nn::ResultRole::Grad)
      continue;
    runtime::GradStat row;
    row.param = r.name;
    row.gradNorm = distance(results[r.index], nullptr);
    auto param = params.find(r.name);
    if (param != params.end()) {
      const Tensor &old = args[param->second];
      row.weightNorm = distance(old, nullptr);
      auto update = updates.find(r.name);
      if (update != updates.end())
        row.updateNorm = distance(results[update->second], &old);
    }
    rows.push_back(std::move(row));
  }
  return recorder.record(step, loss, std::move(rows));
}

} // namespace netc::interp
