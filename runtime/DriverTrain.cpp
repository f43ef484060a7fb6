//===- DriverTrain.cpp - --train in generated executables -----------------===//
//
// Sets a training run up (the chosen train steps, a checkpoint to resume,
// the hyperparameters, the data, the --log and --plot files), runs its
// steps (each loss's train step in turn in a model with several losses)
// with the progress line, the --log rows and --grad-stats around them, and
// ends it. The epoch loop is DriverEpochs.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/DriverImpl.h"
#include "runtime/FileIO.h"
#include "runtime/Progress.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
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

SampleSet Driver::loadSamples(const std::vector<std::string> &files, const char *flag,
                              bool exact) {
  SampleSet set;
  std::vector<std::string> extras;
  std::string error;
  bool ok = set.load(files, m, extras, error, exact);
  if (!extras.empty()) {
    std::string names;
    for (const std::string &e : extras)
      names += (names.empty() ? "" : ", ") + e;
    std::fprintf(stderr, "%s: note: %s: skipping tensors that are no input of model '%s': %s\n",
                 prog.c_str(), flag, m.name, names.c_str());
  }
  if (!ok)
    fail(error);
  return set;
}

void Driver::loadData() {
  run.data = loadSamples(opt.data, "--data", false);
  // Every sample is checked up front, so a bad index never reaches compiled code.
  std::string error;
  if (!run.data.checkBounds(m, error))
    fail(error);
}

void Driver::setFirstBatch() {
  if (run.data.numInputs() > 0)
    run.data.batchInOrder(0, inputData.data());
}

double Driver::scalarOutput(int j) const {
  const void *p = ctx->output(j);
  return m.outputs[j].dtype == NETC_F64 ? *static_cast<const double *>(p)
                                        : *static_cast<const float *>(p);
}

std::vector<double> Driver::rates() const {
  std::vector<double> values;
  for (int h : run.lrHypers)
    values.push_back(ctx->hyper(h));
  return values;
}

std::string Driver::named(const std::vector<double> &values, const char *format) {
  std::string text;
  char number[64];
  for (size_t j = 0; j < run.chosen.size(); ++j) {
    std::snprintf(number, sizeof number, format, values[j]);
    text += (j ? " " : "") +
            (run.several ? printable(ctx->trainStepInfo(run.chosen[j]).name) + " " : "") + number;
  }
  return text;
}

void Driver::applyHypers() {
  const TrainingOptions &t = opt.training;
  for (int h = 0; h < ctx->numHypers(); ++h) {
    std::string name = ctx->model().hypers[h].name;
    if (name == "lr" || (name.size() > 3 && name.compare(name.size() - 3, 3, ".lr") == 0))
      run.lrHypers.push_back(h);
  }
  if ((!std::isnan(t.lr) || !t.schedule.empty()) && run.lrHypers.empty())
    fail(std::string(!std::isnan(t.lr) ? "--lr" : "--schedule") + ": model '" + m.name +
             "' has no hyperparameter 'lr'" +
             (ctx->numHypers() ? "" : " (it has no run-time hyperparameters)"),
         2);
  for (int h : run.lrHypers)
    if (!std::isnan(t.lr))
      ctx->setHyper(h, t.lr);
  for (const auto &[name, value] : t.hypers)
    if (!ctx->setHyper(name, value))
      fail("--hyper: " + ctx->lastError(), 2);
  // A schedule scales the rates set so far (the checkpoint holds them unscaled).
  run.lrBase = rates();
}

void Driver::openOutputs() {
  std::string error;
  if (!opt.log.empty()) {
    if (!run.logFile.open(opt.log, error))
      fail(error);
    run.log = run.logFile.stream();
  }
  if (!opt.training.plot.empty() && !run.plotFile.open(opt.training.plot, error))
    fail(error);
  if (opt.gradStats.enabled())
    run.gradStats = std::make_unique<ContextGradStats>(*ctx, opt.gradStats, run.steps);
  if (run.gradStats && !run.gradStats->open(error))
    fail(error);
}

void Driver::writeLogHeader() {
  if (!run.log)
    return;
  std::vector<std::string> losses;
  for (int k : run.chosen)
    losses.push_back(run.several ? printable(ctx->trainStepInfo(k).name) : "loss");
  std::string header = opt.training.epochs ? "kind,epoch,step" : "step";
  for (const std::string &name : losses)
    header += "," + name;
  header += ",seconds";
  for (int h : run.lrHypers)
    header += "," + printable(m.hypers[h].name);
  for (size_t j = 0; j < run.metrics.size(); ++j)
    if (run.trainMetric[j])
      header += "," + printable(m.outputs[run.metrics[j]].name);
  if (run.hasVal) {
    for (size_t j = 0; j < losses.size() && run.valLoss; ++j)
      header += ",val_" + losses[j];
    for (int j : run.metrics)
      header += ",val_" + printable(m.outputs[j].name);
  }
  std::fprintf(run.log, "%s\n", header.c_str());
}

void Driver::logRow(const std::string &lead, uint64_t step, const std::vector<double> &losses,
                    const std::vector<double> &metrics, const std::vector<double> &valLosses,
                    const std::vector<double> &valMetrics) {
  std::FILE *log = run.log;
  auto field = [log](double v) {
    if (std::isnan(v))
      std::fputc(',', log);
    else
      std::fprintf(log, ",%.9g", v);
  };
  std::fprintf(log, "%s%llu", lead.c_str(), static_cast<unsigned long long>(step));
  for (double v : losses)
    field(v);
  std::fprintf(log, ",%.6f",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - run.startTime)
                   .count());
  for (double v : rates())
    field(v);
  for (size_t j = 0; j < run.metrics.size(); ++j)
    if (run.trainMetric[j])
      field(metrics[j]);
  if (run.hasVal) {
    for (size_t j = 0; j < run.chosen.size() && run.valLoss; ++j)
      field(valLosses.empty() ? NAN : valLosses[j]);
    for (size_t j = 0; j < run.metrics.size(); ++j)
      field(valMetrics.empty() ? NAN : valMetrics[j]);
  }
  std::fputc('\n', log);
}

void Driver::runStep(uint64_t step, uint64_t epoch) {
  uint64_t local = step - run.firstStep + 1;
  if (!opt.training.schedule.empty()) {
    double factor = opt.training.schedule.factor(step, epoch, run.endStep);
    for (size_t h = 0; h < run.lrHypers.size(); ++h)
      ctx->setHyper(run.lrHypers[h], run.lrBase[h] * factor);
  }
  if (run.gradStats)
    run.gradStats->before(local);
  for (size_t j = 0; j < run.chosen.size(); ++j) {
    double &loss = run.losses[j];
    if (!trainOn(j, loss))
      fail(ctx->lastError());
    if (!std::isfinite(loss) && !opt.allowNonfinite) {
      std::string which =
          run.several ? " (loss " + printable(ctx->trainStepInfo(run.chosen[j]).name) + ")" : "";
      fail("train step " + std::to_string(step + 1) + which + ": the loss is " +
           (std::isnan(loss) ? "nan"
            : loss > 0       ? "inf"
                             : "-inf") +
           "; training stopped and nothing was saved (--allow-nonfinite trains on)");
    }
  }
  for (size_t j = 0; j < run.metrics.size(); ++j)
    run.metricValues[j] = trainMetric(j);
  if (local == 1)
    run.firstLosses = run.losses;
  run.history.stepLoss.push_back({step + 1, run.losses[0]});
  run.progress->update(local, run.losses[0],
                       run.several ? named(run.losses, "%.8g").c_str() : nullptr);
  if (run.gradStats)
    printGradStats(run.gradStats->after(local, run.losses[0]));
  if (run.log)
    logRow(opt.training.epochs ? "step," + std::to_string(epoch + 1) + "," : "", step + 1,
           run.losses, run.metricValues, {}, {});
}

void Driver::runSteps() {
  for (uint64_t i = 0; i < run.steps; ++i) {
    uint64_t step = run.firstStep + i;
    // Global batch `step` is a batch per rank (and per --accumulate).
    if (run.data.numInputs() > 0) {
      par.load = [&, step](uint64_t shard) {
        run.data.batchInOrder(step * shards() + shard, inputData.data());
      };
      par.load(static_cast<uint64_t>(par.rank) * par.accumulate);
    }
    runStep(step, step);
  }
  if (!opt.training.checkpoint.empty())
    saveCheckpointNow(run.start.epoch);
}

void Driver::train() {
  if (!ctx->hasTrainStep())
    fail(std::string("model '") + m.name + "' has no loss, so it cannot be trained");
  run.chosen = chosenSteps();
  run.several = ctx->numTrainSteps() > 1;
  bool updates = false;
  for (int k : run.chosen) {
    const netc_train_step &step = ctx->trainStepInfo(k);
    for (int j = 0; j < step.num_slots; ++j)
      updates |= step.slots[j].kind == NETC_SLOT_PARAM_UPDATE;
  }
  if (!updates)
    std::fprintf(stderr,
                 "%s: warning: model '%s' has no optimizer (no 'train' statement): "
                 "train steps compute the loss and gradients but change no parameter\n",
                 prog.c_str(), m.name);
  startRun();
  startParallel();
  if (opt.training.epochs)
    runEpochs();
  else
    runSteps();
  finishRun(run.progress->finish());
}

void Driver::startRun() {
  std::string error;
  run.start.seed = opt.seed;
  if (!opt.training.resume.empty() &&
      !loadCheckpoint(*ctx, opt.training.resume, run.start, error))
    fail(error);
  run.firstStep = run.start.step / run.chosen.size();
  applyHypers();
  if (!opt.data.empty())
    loadData();
  else if (!opt.stepsGiven)
    std::fprintf(stderr,
                 "%s: note: --train without --steps or --data runs 1 train step on seeded "
                 "random inputs\n",
                 prog.c_str());
  // The metric outputs: 0-d floats (accuracy, iou, dice).
  for (int j = 0; j < m.num_outputs; ++j)
    if (m.outputs[j].rank == 0 && isFloat(m.outputs[j].dtype)) {
      run.metrics.push_back(j);
      run.history.metrics.push_back(m.outputs[j].name);
      bool written = false;
      for (int k : run.chosen) {
        const netc_train_step &step = ctx->trainStepInfo(k);
        for (int s = 0; s < step.num_slots; ++s)
          written |= step.slots[s].kind == NETC_SLOT_OUTPUT && step.slots[s].index == j;
      }
      run.trainMetric.push_back(written);
    }
  for (int s = 0; m.forward && s < m.num_forward_slots; ++s)
    if (m.forward_slots[s].kind == NETC_SLOT_LOSS)
      run.forwardLosses.push_back(m.forward_slots[s].index);
  run.history.model = m.name;
  if (opt.training.epochs)
    prepareEpochs();
  else
    run.steps = opt.steps;
  run.valLoss = run.hasVal && !run.forwardLosses.empty();
  if (run.hasVal && !run.valLoss && run.metrics.empty())
    std::fprintf(stderr,
                 "%s: note: model '%s' has no metric output (a 0-d output such as "
                 "accuracy): validation has nothing to report\n",
                 prog.c_str(), m.name);
  run.endStep = run.firstStep + run.steps;
  std::string misuse = gradStatsMisuse(opt.gradStats, true, run.steps);
  if (!misuse.empty())
    fail(misuse + " (try --help)", 2);
  openOutputs();
  writeLogHeader();
  run.losses.assign(run.chosen.size(), NAN);
  run.firstLosses = run.losses;
  run.metricValues.assign(run.metrics.size(), NAN);
  // Epoch runs print a line per epoch; step lines only on a terminal.
  run.progress = std::make_unique<Progress>(run.steps, opt.json ? stderr : stdout,
                                            opt.training.epochs == 0);
  run.startTime = std::chrono::steady_clock::now();
}

void Driver::finishRun(double seconds) {
  std::string error;
  if (run.log && !run.logFile.commit(error))
    fail(error);
  if (run.gradStats && !run.gradStats->finish(error))
    fail(error);
  if (!opt.training.plot.empty()) {
    std::string svg = drawTraining(run.history, run.gradStats ? run.gradStats->steps()
                                                              : std::vector<GradStatsStep>());
    if (std::fwrite(svg.data(), 1, svg.size(), run.plotFile.stream()) != svg.size() ||
        !run.plotFile.commit(error))
      fail(error.empty() ? "cannot write '" + opt.training.plot + "'" : error);
  }
  std::string change;
  char text[96];
  for (size_t j = 0; j < run.chosen.size(); ++j) {
    std::snprintf(text, sizeof text, "%.8g -> %.8g", run.firstLosses[j], run.losses[j]);
    change += (j ? ", " : "") +
              (run.several ? printable(ctx->trainStepInfo(run.chosen[j]).name) + " "
                           : std::string()) +
              text;
  }
  std::fprintf(opt.json ? stderr : stdout, "trained %llu steps in %.3f s (%.1f steps/s), loss %s\n",
               static_cast<unsigned long long>(run.steps), seconds,
               seconds > 0 ? double(run.steps) / seconds : 0.0, change.c_str());
  setFirstBatch();
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

} // namespace netc::runtime::detail
