//===- GradStats.h - per-parameter gradient statistics of training -*- C++ -*-===//
//
// Plain C++17, shared by generated executables (runtime/Driver.cpp) and by
// `netc --run --train` (interp/Run.cpp): the flags --grad-stats,
// --grad-stats-every, --grad-stats-csv and --plot, and the recorder that
// prints, at the selected train steps, each parameter's gradient L2 norm and
// its update/weight ratio ||w_new - w_old|| / ||w_old||, then writes them to a
// CSV file and draws them (runtime/GradPlot.cpp). Both front ends compute the
// norms from their own tensors and hand them over as GradStat rows, so the
// two print the same table for the same run.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_GRADSTATS_H
#define NETC_RUNTIME_GRADSTATS_H

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace netc::runtime {

/// Which train steps (numbered from 1) are measured, and where the results go.
struct GradStatsOptions {
  /// --grad-stats=1,10,100: these steps, ascending and distinct.
  std::vector<uint64_t> steps;
  /// --grad-stats-every=N: steps 1, N, 2N, ... and the last one; 0 when not given.
  uint64_t every = 0;
  /// --grad-stats-csv=FILE and --plot=FILE.svg; empty when not given.
  std::string csv, plot;

  /// Whether some step is selected.
  bool enabled() const { return !steps.empty() || every > 0; }
  /// Whether step `step` of a run of `lastStep` steps is measured.
  bool selects(uint64_t step, uint64_t lastStep) const;
};

/// Whether `flag` ("--grad-stats", ...) is one of the flags above.
bool isGradStatsFlag(const std::string &flag);

/// Sets the option of `flag` from `value`; false with a message naming the
/// flag and the value when the value is malformed.
bool setGradStatsFlag(GradStatsOptions &options, const std::string &flag, const std::string &value,
                      std::string &error);

/// The first inconsistency of the flags with a run of `steps` train steps
/// (`train` false: no training at all), or "" when there is none.
std::string gradStatsMisuse(const GradStatsOptions &options, bool train, uint64_t steps);

/// The statistics of one parameter at one step.
struct GradStat {
  std::string param;
  /// ||g||, ||w_old|| and ||w_new - w_old||, all L2 over every element.
  double gradNorm = 0, weightNorm = 0, updateNorm = 0;

  /// ||w_new - w_old|| / ||w_old||: inf for an update of a zero tensor, 0 for none.
  double ratio() const;
};

class OutputFile;

/// One measured step: its loss and the rows of its parameters.
struct GradStatsStep {
  uint64_t step = 0;
  double loss = 0;
  std::vector<GradStat> params;
};

/// Collects the statistics of one training run.
class GradStatsRecorder {
public:
  /// A run of `lastStep` train steps of the model `model`.
  GradStatsRecorder(GradStatsOptions options, uint64_t lastStep, std::string model);
  ~GradStatsRecorder();

  /// Starts the CSV file and the plot that were asked for, so that an
  /// unwritable path fails before training rather than after it.
  bool open(std::string &error);
  /// Whether step `step` (from 1) is measured.
  bool wants(uint64_t step) const { return opt.selects(step, lastStep); }
  /// The loss of every step, for the plot's loss curve.
  void addLoss(uint64_t step, double loss);
  /// Keeps the rows of measured step `step` and returns them as a table to print.
  std::string record(uint64_t step, double loss, std::vector<GradStat> params);
  /// Writes the CSV file and the plot opened by open() and renames them into place.
  bool finish(std::string &error);

  /// The measured steps so far, in order.
  const std::vector<GradStatsStep> &steps() const { return measured; }

private:
  GradStatsOptions opt;
  uint64_t lastStep;
  std::string model;
  std::vector<GradStatsStep> measured;
  std::vector<std::pair<uint64_t, double>> losses;
  std::unique_ptr<OutputFile> csvFile, plotFile;
};

class Context;

/// --grad-stats over the train steps of a compiled model's Context: keeps a
/// copy of the parameters before a measured step (and only then, so runs
/// that measure nothing copy nothing) and reads the gradients the train step
/// returns (its GRAD results, which the Context keeps) after it.
class ContextGradStats {
public:
  ContextGradStats(Context &context, GradStatsOptions options, uint64_t lastStep);

  /// Before train step `step` (from 1).
  void before(uint64_t step);
  /// After it, with its loss: the table to print at a measured step, else "".
  std::string after(uint64_t step, double loss);
  /// Starts and, after the last step, writes the CSV file and the plot.
  bool open(std::string &error) { return recorder.open(error); }
  bool finish(std::string &error) { return recorder.finish(error); }
  /// The measured steps so far, for the plot of the executable's --plot.
  const std::vector<GradStatsStep> &steps() const { return recorder.steps(); }

private:
  Context &ctx;
  GradStatsRecorder recorder;
  /// The parameters with a gradient result, and their values before the step.
  std::vector<int> params;
  std::vector<std::vector<unsigned char>> old;
};

/// The SVG drawing of a run: per layer (the parameters that share a name
/// before the last '.'), the L2 norm of the layer's gradient against the step
/// on a log scale, and the loss of every step below it.
std::string drawGradStats(const std::string &model, const std::vector<GradStatsStep> &steps,
                          const std::vector<std::pair<uint64_t, double>> &losses);

/// The panels of drawGradStats from page height `top` down: the gradient
/// norms, and the loss below them when `withLoss`; `bottom` receives the page
/// height they need.
std::string drawGradPanels(const std::string &model, const std::vector<GradStatsStep> &steps,
                           const std::vector<std::pair<uint64_t, double>> &losses, double top,
                           bool withLoss, double &bottom);

/// printf into a std::string.
std::string formatString(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/// sqrt(sum of squares) over the elements of `a` - `b` (`b` null: of `a`),
/// `n` elements of dtype `dtype` (a netc_dtype) each.
double l2Distance(const void *a, const void *b, int dtype, int64_t n);

} // namespace netc::runtime

#endif // NETC_RUNTIME_GRADSTATS_H
