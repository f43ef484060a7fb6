//===- Progress.h - the progress line of a training run ---------*- C++ -*-===//
//
// Plain C++17. Shows step, loss, steps per second and the time left. On a
// terminal one line is redrawn in place with '\r' (at most every 50 ms and at
// the last step); otherwise (a file, a pipe, a test) plain lines are printed,
// one every ceil(total / 100) steps and one for the last, so logs stay short
// and deterministic in their step numbers.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_PROGRESS_H
#define NETC_RUNTIME_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace netc::runtime {

/// The progress display of `total` train steps written to `out`.
class Progress {
public:
  Progress(uint64_t total, std::FILE *out);
  /// Whether update(step, ...) prints a line when not on a terminal (every
  /// ceil(total / 100) steps, the first and the last).
  bool printsStep(uint64_t step) const { return step == total || step == 1 || step % every == 0; }
  /// Reports that step `step` (from 1) finished with `loss`; `losses`, when
  /// given, is shown instead ("d 1.386 g 0.693", models with several losses).
  void update(uint64_t step, double loss, const char *losses = nullptr);
  /// Ends the display (the newline after a redrawn line) and returns the
  /// seconds since construction.
  double finish();

private:
  using Clock = std::chrono::steady_clock;
  uint64_t total;
  std::FILE *out;
  bool terminal;
  uint64_t every;
  Clock::time_point start, lastDraw;
  bool drawn = false;
  int lastWidth = 0;
};

} // namespace netc::runtime

#endif // NETC_RUNTIME_PROGRESS_H
