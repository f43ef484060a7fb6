//===- TrainHistory.h - what a training run measured ------------*- C++ -*-===//
//
// Plain C++17. The driver of generated executables records every step's
// loss and every epoch's means here; --log writes them as CSV rows and
// --plot draws them (runtime/TrainPlot.cpp), with the --grad-stats panels
// when those were measured.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_TRAINHISTORY_H
#define NETC_RUNTIME_TRAINHISTORY_H

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace netc::runtime {

struct GradStatsStep;

/// The means of one epoch. NaN marks a value that was not measured.
struct EpochRecord {
  /// From 1, counted across resumed runs.
  uint64_t epoch = 0;
  /// Train steps run at its end.
  uint64_t step = 0;
  /// The mean train loss over its batches (the first loss in models with several).
  double trainLoss = std::numeric_limits<double>::quiet_NaN();
  /// The mean of each metric (TrainHistory::metrics) over its train batches.
  std::vector<double> trainMetrics;
  /// Validation (--val, --val-split): the mean loss and metrics.
  bool hasVal = false;
  double valLoss = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> valMetrics;
  /// The learning rate at its last step, and its wall time in seconds.
  double lr = std::numeric_limits<double>::quiet_NaN();
  double seconds = 0;
};

/// One run: per-step losses and per-epoch records.
struct TrainHistory {
  std::string model;
  /// The metric outputs (accuracy, iou, dice), by output name.
  std::vector<std::string> metrics;
  /// (step, loss) of every train step (from 1, counted across resumed runs).
  std::vector<std::pair<uint64_t, double>> stepLoss;
  std::vector<EpochRecord> epochs;
};

/// The SVG of a run: the loss per step and per epoch (train and validation)
/// and each metric per epoch; below them, when `gradSteps` is not empty, the
/// --grad-stats panels (runtime/GradPlot.cpp).
std::string drawTraining(const TrainHistory &history,
                         const std::vector<GradStatsStep> &gradSteps);

} // namespace netc::runtime

#endif // NETC_RUNTIME_TRAINHISTORY_H
