//===- Progress.h - the progress line of a training run ---------*- C++ -*-===//
//
// Plain C++17. Shows step, loss, steps per second and the time left. On a
// terminal one line is redrawn in place with '\r' (at most every 50 ms and at
// the last step); otherwise (a file, a pipe, a test) plain lines are printed,
// one every ceil(total / 100) steps and one for the last, so logs stay short
// and deterministic in their step numbers. Epoch runs print their step
// lines on a terminal only, and a line per epoch everywhere (line()).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_PROGRESS_H
#define NETC_RUNTIME_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

namespace netc::runtime {

/// "12.3 s", "4 min 05 s", "2 h 03 min": a time as a person reads it.
std::string humanDuration(double seconds);

/// The progress display of `total` train steps written to `out`.
class Progress {
public:
  /// With `pipedSteps` false, steps print nothing when `out` is no terminal.
  Progress(uint64_t total, std::FILE *out, bool pipedSteps = true);
  /// Whether update(step, ...) prints a line when not on a terminal (every
  /// ceil(total / 100) steps, the first and the last).
  bool printsStep(uint64_t step) const { return step == total || step == 1 || step % every == 0; }
  /// Reports that step `step` (from 1) finished with `loss`; `losses`, when
  /// given, is shown instead ("d 1.386 g 0.693", models with several losses).
  void update(uint64_t step, double loss, const char *losses = nullptr);
  /// Ends the display (the newline after a redrawn line) and returns the
  /// seconds since construction.
  double finish();
  /// Prints `text` as a line of its own, over the redrawn line on a terminal.
  void line(const std::string &text);
  /// Text shown before the step on the redrawn line ("epoch 2/10  ").
  void setPrefix(std::string text) { prefix = std::move(text); }

private:
  using Clock = std::chrono::steady_clock;
  uint64_t total;
  std::FILE *out;
  bool terminal, pipedSteps;
  uint64_t every;
  std::string prefix;
  Clock::time_point start, lastDraw;
  bool drawn = false;
  int lastWidth = 0;
};

} // namespace netc::runtime

#endif // NETC_RUNTIME_PROGRESS_H
