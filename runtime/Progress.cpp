//===- Progress.cpp - the progress line of a training run -----------------===//

#include "runtime/Progress.h"

#include <algorithm>
#include <string>
#include <unistd.h>

namespace netc::runtime {

std::string humanDuration(double seconds) {
  char text[48];
  if (seconds < 60)
    std::snprintf(text, sizeof text, "%.1f s", seconds);
  else if (seconds < 3600)
    std::snprintf(text, sizeof text, "%d min %02d s", int(seconds) / 60, int(seconds) % 60);
  else if (seconds < 1e9)
    std::snprintf(text, sizeof text, "%lld h %02d min", static_cast<long long>(seconds) / 3600,
                  static_cast<int>(static_cast<long long>(seconds) % 3600 / 60));
  else
    // Beyond 30 years (--steps near 2^64): converting to an integer would overflow.
    std::snprintf(text, sizeof text, "%.3g years", seconds / (365.25 * 86400));
  return text;
}

Progress::Progress(uint64_t total, std::FILE *out, bool pipedSteps)
    : total(total), out(out), terminal(isatty(fileno(out)) != 0), pipedSteps(pipedSteps),
      // ceil(total / 100) without total + 99, which wraps to 0 near 2^64 (and
      // step % 0 is SIGFPE).
      every(total > 100 ? total / 100 + (total % 100 != 0) : 1), start(Clock::now()),
      lastDraw(start) {}

void Progress::update(uint64_t step, double loss, const char *losses) {
  Clock::time_point now = Clock::now();
  bool last = step == total;
  if (terminal ? !last && drawn && now - lastDraw < std::chrono::milliseconds(50)
               : !pipedSteps || !printsStep(step))
    return;
  double elapsed = std::chrono::duration<double>(now - start).count();
  double rate = elapsed > 0 ? double(step) / elapsed : 0;
  std::string left = rate > 0 && step <= total ? humanDuration(double(total - step) / rate) : "?";
  char value[32];
  std::snprintf(value, sizeof value, "%.8g", loss);
  char line[512];
  int width =
      std::snprintf(line, sizeof line, "%sstep %llu/%llu  loss %s  %.1f steps/s  %s left",
                    prefix.c_str(), static_cast<unsigned long long>(step),
                    static_cast<unsigned long long>(total),
                    losses ? losses : value, rate, left.c_str());
  width = std::min(width, static_cast<int>(sizeof line) - 1);
  if (terminal) {
    // Spaces wipe the tail of a longer previous line.
    std::fprintf(out, "\r%s%*s", line, lastWidth > width ? lastWidth - width : 0, "");
    lastWidth = width;
  } else {
    std::fprintf(out, "%s\n", line);
  }
  std::fflush(out);
  drawn = true;
  lastDraw = now;
}

void Progress::line(const std::string &text) {
  if (terminal && drawn) {
    int width = static_cast<int>(text.size());
    std::fprintf(out, "\r%s%*s\n", text.c_str(), lastWidth > width ? lastWidth - width : 0, "");
  } else {
    std::fprintf(out, "%s\n", text.c_str());
  }
  std::fflush(out);
  drawn = false;
  lastWidth = 0;
}

double Progress::finish() {
  if (terminal && drawn)
    std::fprintf(out, "\n");
  std::fflush(out);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace netc::runtime
