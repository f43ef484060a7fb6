//===- Schedule.h - the learning rate of every train step -------*- C++ -*-===//
//
// Plain C++17. `--schedule` of generated executables: a comma-separated list
// of parts whose factors multiply the learning rate set by the model or by
// --lr (its base):
//
//   step:N:G   G^floor(e / N), e the epoch (from 0) of the step; in runs
//              without --epochs, e is the step (from 0)
//   cosine     (1 + cos(pi * s / T)) / 2, s the step (from 0) and T the
//              run's last step: from the base down towards 0
//   warmup:N   (s + 1) / N for the first N steps (from base / N up to the
//              base), then 1
//
// Steps and epochs count across resumed runs, so a resumed run goes on
// with the same rates.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_SCHEDULE_H
#define NETC_RUNTIME_SCHEDULE_H

#include <cstdint>
#include <string>
#include <vector>

namespace netc::runtime {

/// A parsed --schedule.
class Schedule {
public:
  /// Parses `text`; false with a message naming the bad part.
  bool parse(const std::string &text, std::string &error);
  /// Whether any part was given.
  bool empty() const { return parts.empty(); }
  /// The factor of the base rate at step `step` (from 0), in epoch `epoch`
  /// (from 0; the step again in runs without epochs), of a run whose steps
  /// end before `total`.
  double factor(uint64_t step, uint64_t epoch, uint64_t total) const;

private:
  struct Part {
    enum Kind { Step, Cosine, Warmup } kind;
    uint64_t n = 0;
    double gamma = 1;
  };
  std::vector<Part> parts;
};

/// Parses a finite decimal number (`--lr 0.01`, `--hyper beta1=0.9`).
bool parseNumber(const std::string &text, double &value);
/// Parses a whole decimal integer from 1 to UINT64_MAX (`--epochs 10`).
bool parsePositiveInteger(const std::string &text, uint64_t &value);

} // namespace netc::runtime

#endif // NETC_RUNTIME_SCHEDULE_H
