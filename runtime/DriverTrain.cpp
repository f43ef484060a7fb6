//===- DriverTrain.cpp - --train in generated executables -----------------===//
//
// Runs the chosen train steps on every batch (each loss's step in turn in a
// model with several losses), with the progress line, the --log CSV and
// --grad-stats around them.
//
//===----------------------------------------------------------------------===//

#include "runtime/DriverImpl.h"
#include "runtime/FileIO.h"
#include "runtime/Progress.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <unistd.h>

namespace netc::runtime::detail {

std::vector<int> Driver::chosenSteps() {
  std::vector<int> chosen;
  for (int k = 0; k < ctx->numTrainSteps(); ++k)
    if (opt.trainStep.empty() || opt.trainStep == ctx->trainStepInfo(k).name)
      chosen.push_back(k);
  if (chosen.empty()) {
    std::string names;
    for (int k = 0; k < ctx->numTrainSteps(); ++k)
      names += std::string(k ? ", " : "") + printable(ctx->trainStepInfo(k).name);
    fail("--train-step: model '" + std::string(m.name) + "' has no train step '" +
         printable(opt.trainStep) + "' (its train steps: " + names + ")");
  }
  return chosen;
}

void Driver::trainBatch(uint64_t batch, const std::vector<int> &chosen,
                        std::vector<double> &losses) {
  setBatch(batch);
  bool several = ctx->numTrainSteps() > 1;
  for (size_t j = 0; j < chosen.size(); ++j) {
    double &loss = losses[j];
    if (!ctx->trainStep(chosen[j], inputPtrs.data(), &loss))
      fail(ctx->lastError());
    if (!std::isfinite(loss) && !opt.allowNonfinite) {
      std::string which =
          several ? " (loss " + printable(ctx->trainStepInfo(chosen[j]).name) + ")" : "";
      fail("train step " + std::to_string(batch + 1) + which + ": the loss is " +
           (std::isnan(loss) ? "nan"
            : loss > 0       ? "inf"
                             : "-inf") +
           "; training stopped and nothing was saved (--allow-nonfinite trains on)");
    }
  }
}

void Driver::train() {
  if (!ctx->hasTrainStep())
    fail(std::string("model '") + m.name + "' has no loss, so it cannot be trained");
  std::vector<int> chosen = chosenSteps();
  bool updates = false;
  for (int k : chosen) {
    const netc_train_step &step = ctx->trainStepInfo(k);
    for (int j = 0; j < step.num_slots; ++j)
      updates |= step.slots[j].kind == NETC_SLOT_PARAM_UPDATE;
  }
  if (!updates)
    std::fprintf(stderr,
                 "%s: warning: model '%s' has no optimizer (no 'train' statement): "
                 "train steps compute the loss and gradients but change no parameter\n",
                 prog.c_str(), m.name);
  if (!opt.data.empty())
    loadData();
  else if (!opt.stepsGiven)
    std::fprintf(stderr,
                 "%s: note: --train without --steps or --data runs 1 train step on seeded "
                 "random inputs\n",
                 prog.c_str());
  // Models with several losses show each by name ("d 1.386 g 0.693").
  bool several = ctx->numTrainSteps() > 1;
  auto named = [&](const std::vector<double> &values, const char *format) {
    std::string text;
    char number[64];
    for (size_t j = 0; j < chosen.size(); ++j) {
      std::snprintf(number, sizeof number, format, values[j]);
      text += (j ? " " : "") + printable(ctx->trainStepInfo(chosen[j]).name) + " " + number;
    }
    return text;
  };
  // The log is written beside its final name (or under none, O_TMPFILE) and
  // renamed when training ends, so an interrupted or failed run leaves no
  // half-written CSV and no temporary (runtime/FileIO.h).
  OutputFile logFile;
  std::FILE *log = nullptr;
  std::string error;
  if (!opt.log.empty()) {
    if (!logFile.open(opt.log, error))
      fail(error);
    log = logFile.stream();
    std::string columns = "loss";
    if (several) {
      columns.clear();
      for (size_t j = 0; j < chosen.size(); ++j)
        columns += (j ? "," : "") + printable(ctx->trainStepInfo(chosen[j]).name);
    }
    std::fprintf(log, "step,%s,seconds\n", columns.c_str());
  }
  std::unique_ptr<ContextGradStats> gradStats;
  if (opt.gradStats.enabled())
    gradStats = std::make_unique<ContextGradStats>(*ctx, opt.gradStats, opt.steps);
  if (gradStats && !gradStats->open(error))
    fail(error);
  auto start = std::chrono::steady_clock::now();
  Progress progress(opt.steps, opt.json ? stderr : stdout);
  std::vector<double> first(chosen.size()), losses(chosen.size());
  for (uint64_t i = 0; i < opt.steps; ++i) {
    if (gradStats)
      gradStats->before(i + 1);
    trainBatch(i, chosen, losses);
    if (i == 0)
      first = losses;
    progress.update(i + 1, losses[0], several ? named(losses, "%.8g").c_str() : nullptr);
    if (gradStats)
      printGradStats(gradStats->after(i + 1, losses[0]));
    if (log) {
      std::fprintf(log, "%llu", static_cast<unsigned long long>(i + 1));
      for (double loss : losses)
        std::fprintf(log, ",%.9g", loss);
      std::fprintf(log, ",%.6f\n",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  }
  double seconds = progress.finish();
  if (log && !logFile.commit(error))
    fail(error);
  if (gradStats && !gradStats->finish(error))
    fail(error);
  std::string change;
  char text[96];
  for (size_t j = 0; j < chosen.size(); ++j) {
    std::snprintf(text, sizeof text, "%.8g -> %.8g", first[j], losses[j]);
    change += (j ? ", " : "") +
              (several ? printable(ctx->trainStepInfo(chosen[j]).name) + " " : std::string()) +
              text;
  }
  std::fprintf(opt.json ? stderr : stdout, "trained %llu steps in %.3f s (%.1f steps/s), loss %s\n",
               static_cast<unsigned long long>(opt.steps), seconds,
               seconds > 0 ? double(opt.steps) / seconds : 0.0, change.c_str());
  setBatch(0);
}

/// A --grad-stats table on the progress line's stream, below the line on a terminal.
void Driver::printGradStats(const std::string &table) {
  std::FILE *out = opt.json ? stderr : stdout;
  if (table.empty())
    return;
  if (isatty(fileno(out)))
    std::fputc('\n', out);
  std::fputs(table.c_str(), out);
}

/// min, median and max of `ms`.

} // namespace netc::runtime::detail
