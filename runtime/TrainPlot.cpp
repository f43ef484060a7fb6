//===- TrainPlot.cpp - --plot: the curves of a training run as SVG --------===//
//
// From the top: the loss against the step (every step's loss thin and pale,
// each epoch's mean train and validation loss drawn at the epoch's last
// step), on a log scale when it spans two decades or more; then one panel per
// metric against the epoch, train and validation; then, when --grad-stats
// measured them, the gradient norms per layer of runtime/GradPlot.cpp. Each
// path has a class naming what it draws (step-loss, epoch-loss, metric;
// train, val) and metric paths their metric (data-metric), for tools and
// tests.
//
//===----------------------------------------------------------------------===//

#include "runtime/GradStats.h"
#include "runtime/SvgPlot.h"
#include "runtime/TrainHistory.h"

#include <algorithm>
#include <cmath>

namespace netc::runtime {

namespace {

const svg::Pen kStepPen{"#9ecae1", 0.8, 0};
const svg::Pen kTrainPen{"#1f77b4"};
const svg::Pen kValPen{"#ff7f0e", 1.6, 60, "5 3"};
/// The left edge, width and legend column of every panel.
constexpr double kLeft = 84, kWidth = 546, kLegend = 650;

/// One series of epoch values: where each is drawn and the values.
struct Points {
  std::vector<uint64_t> xs;
  std::vector<double> values;
  void add(uint64_t x, double v) { xs.push_back(x), values.push_back(v); }
};

/// Whether positive `values` span two decades or more (then a log scale).
bool spansDecades(const std::vector<double> &values) {
  double lo = INFINITY, hi = 0;
  for (double v : values) {
    if (!std::isfinite(v))
      continue;
    if (v <= 0)
      return false;
    lo = std::min(lo, v), hi = std::max(hi, v);
  }
  return hi > 0 && hi / lo >= 100;
}

/// The loss panel at `top`; returns the SVG.
std::string lossPanel(const TrainHistory &h, double top) {
  Points steps, train, val;
  for (auto [step, loss] : h.stepLoss)
    steps.add(step, loss);
  bool anyVal = false;
  for (const EpochRecord &e : h.epochs) {
    train.add(e.step, e.trainLoss);
    if (e.hasVal)
      val.add(e.step, e.valLoss), anyVal = true;
  }
  std::vector<double> all = steps.values;
  all.insert(all.end(), train.values.begin(), train.values.end());
  all.insert(all.end(), val.values.begin(), val.values.end());
  std::vector<uint64_t> xs = steps.xs;
  xs.insert(xs.end(), train.xs.begin(), train.xs.end());
  uint64_t first = xs.empty() ? 1 : *std::min_element(xs.begin(), xs.end());
  uint64_t last = xs.empty() ? 1 : *std::max_element(xs.begin(), xs.end());
  bool log = spansDecades(all);
  svg::Frame f{kLeft, top, kWidth, 260, double(first), double(last), 0, 1, log};
  svg::range(all, log, f.lo, f.hi);

  std::string out = svg::axes(f, h.model + ": loss" + (log ? " (log scale)" : ""), "loss");
  out += svg::line(f, steps.xs, steps.values, "class=\"step-loss\"", kStepPen);
  out += svg::line(f, train.xs, train.values, "class=\"epoch-loss train\"", kTrainPen);
  out += svg::legendEntry(kLegend, top + 8, kStepPen, "loss per step");
  out += svg::legendEntry(kLegend, top + 24, kTrainPen, "loss per epoch");
  if (anyVal) {
    out += svg::line(f, val.xs, val.values, "class=\"epoch-loss val\"", kValPen);
    out += svg::legendEntry(kLegend, top + 40, kValPen, "val_loss");
  }
  return out;
}

/// The panel of metric `k` at `top`, against the epoch.
std::string metricPanel(const TrainHistory &h, size_t k, double top) {
  Points train, val;
  for (const EpochRecord &e : h.epochs) {
    if (k < e.trainMetrics.size())
      train.add(e.epoch, e.trainMetrics[k]);
    if (e.hasVal && k < e.valMetrics.size())
      val.add(e.epoch, e.valMetrics[k]);
  }
  double first = h.epochs.empty() ? 1 : double(h.epochs.front().epoch);
  double last = h.epochs.empty() ? 1 : double(h.epochs.back().epoch);
  svg::Frame f{kLeft, top, kWidth, 160, first, last, 0, 1, false};
  std::vector<double> all = train.values;
  all.insert(all.end(), val.values.begin(), val.values.end());
  svg::range(all, false, f.lo, f.hi);

  const std::string &name = h.metrics[k];
  std::string data = "data-metric=\"" + svg::escape(name) + "\"";
  std::string out = svg::axes(f, name, name, "epoch");
  out += svg::line(f, train.xs, train.values, "class=\"metric train\" " + data, kTrainPen);
  out += svg::legendEntry(kLegend, top + 8, kTrainPen, name);
  if (!val.xs.empty()) {
    out += svg::line(f, val.xs, val.values, "class=\"metric val\" " + data, kValPen);
    out += svg::legendEntry(kLegend, top + 24, kValPen, "val_" + name);
  }
  return out;
}

} // namespace

std::string drawTraining(const TrainHistory &history,
                         const std::vector<GradStatsStep> &gradSteps) {
  std::string body = lossPanel(history, 50);
  double y = 50 + 260 + 80;
  for (size_t k = 0; k < history.metrics.size(); ++k, y += 240)
    body += metricPanel(history, k, y);
  double height = y - 35;
  if (!gradSteps.empty())
    body += drawGradPanels(history.model, gradSteps, {}, y, false, height);
  return svg::header(860, height, history.model + ": training") + body + "</svg>\n";
}

} // namespace netc::runtime
