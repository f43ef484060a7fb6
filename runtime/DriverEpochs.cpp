//===- DriverEpochs.cpp - --epochs in generated executables ---------------===//
//
// The epoch loop of a training run: each epoch passes over the --data
// samples in an order drawn from (seed, epoch) in batches of the model's
// batch, then runs the forward function over the validation samples, prints
// a line with the epoch's means, writes its --log row and its checkpoint.
//
//===----------------------------------------------------------------------===//

#include "runtime/DriverImpl.h"
#include "runtime/Progress.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace netc::runtime::detail {

namespace {

/// "%.4g" of `v`: the numbers of an epoch line.
std::string short4(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

void Driver::prepareEpochs() {
  const TrainingOptions &t = opt.training;
  std::string error;
  if (run.data.numInputs() == 0)
    fail(std::string("model '") + m.name + "' has no inputs: --epochs has no samples to pass over",
         2);
  if (!run.data.checkSameCount("--data", error))
    fail(error);
  uint64_t n = run.data.size(), batch = run.data.input(0).batch;
  if (t.valSplit > 0) {
    uint64_t held = static_cast<uint64_t>(t.valSplit * double(n));
    std::string what = "--val-split " + short4(t.valSplit) + ": of the " + std::to_string(n) +
                       " samples of " + run.data.input(0).where + ", ";
    if (held < batch)
      fail(what + std::to_string(held) + " are held out, fewer than one batch (" +
           std::to_string(batch) + ")");
    if (n - held < batch)
      fail(what + std::to_string(n - held) + " are left to train on, fewer than one batch (" +
           std::to_string(batch) + ")");
    run.val = run.data.slice(n - held, n);
    run.data = run.data.slice(0, n - held);
    run.hasVal = true;
  } else if (!t.val.empty()) {
    run.val = loadSamples(t.val, "--val", false);
    if (!run.val.checkSameCount("--val", error) || !run.val.checkBounds(m, error))
      fail(error);
    run.hasVal = true;
  }
  // Under mpirun a step takes a global batch of N * B samples.
  uint64_t trainN = run.data.size(), global = batch * shards();
  if (trainN < global)
    fail(std::to_string(trainN) + " training samples are fewer than one global batch (" +
         std::to_string(shards()) + " shards of " + std::to_string(batch) + ")");
  run.perEpoch = trainN / global + (t.keepLast && trainN % global ? 1 : 0);
  if (run.perEpoch > UINT64_MAX / t.epochs)
    fail("--epochs " + std::to_string(t.epochs) + " of " + std::to_string(run.perEpoch) +
             " steps each is more steps than can be counted",
         2);
  run.steps = run.perEpoch * t.epochs;
  if (run.hasVal && run.val.size() % batch)
    std::fprintf(stderr,
                 "%s: note: validation runs in whole batches of %llu: the last %llu of its %llu "
                 "samples are left out\n",
                 prog.c_str(), static_cast<unsigned long long>(batch),
                 static_cast<unsigned long long>(run.val.size() % batch),
                 static_cast<unsigned long long>(run.val.size()));
}

void Driver::runEpochs() {
  const TrainingOptions &t = opt.training;
  uint64_t batch = run.data.input(0).batch;
  uint64_t last = run.start.epoch + t.epochs;
  for (uint64_t e = 0; e < t.epochs; ++e) {
    uint64_t epoch = run.start.epoch + e;
    auto epochStart = std::chrono::steady_clock::now();
    run.progress->setPrefix("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(last) +
                            "  ");
    std::vector<uint64_t> order =
        shuffledOrder(run.start.seed, epoch + 1, run.data.size(), t.shuffle);
    std::vector<double> losses(run.chosen.size()), metrics(run.metrics.size());
    for (uint64_t j = 0; j < run.perEpoch; ++j) {
      par.load = [&, j](uint64_t shard) {
        run.data.gather(order, (j * shards() + shard) * batch, inputData.data());
      };
      par.load(static_cast<uint64_t>(par.rank) * par.accumulate);
      runStep(run.firstStep + e * run.perEpoch + j, epoch);
      for (size_t k = 0; k < losses.size(); ++k)
        losses[k] += run.losses[k];
      for (size_t k = 0; k < metrics.size(); ++k)
        metrics[k] += run.metricValues[k];
    }
    for (double &v : losses)
      v /= double(run.perEpoch);
    for (double &v : metrics)
      v /= double(run.perEpoch);
    EpochRecord record;
    record.epoch = epoch + 1;
    record.step = run.firstStep + (e + 1) * run.perEpoch;
    record.trainLoss = losses[0];
    record.trainMetrics = metrics;
    // Rank 0 alone validates (and reports).
    std::vector<double> valLosses =
        run.hasVal && par.rank == 0 ? validate(record) : std::vector<double>();
    record.seconds = secondsSince(epochStart);
    finishEpoch(record, losses, valLosses, e + 1 < t.epochs ? last - epoch - 1 : 0);
    if (!t.checkpoint.empty())
      saveCheckpointNow(epoch + 1);
  }
}

std::vector<double> Driver::validate(EpochRecord &record) {
  uint64_t batches = run.val.size() / run.val.input(0).batch;
  std::vector<double> losses(run.chosen.size()), metrics(run.metrics.size());
  for (uint64_t b = 0; b < batches; ++b) {
    run.val.batchInOrder(b, inputData.data());
    runForward();
    for (size_t j = 0; j < run.chosen.size(); ++j)
      losses[j] += ctx->loss(run.chosen[j]);
    for (size_t j = 0; j < run.metrics.size(); ++j)
      metrics[j] += scalarOutput(run.metrics[j]);
  }
  // A loss the forward function does not compute stays NaN (a blank field).
  for (size_t j = 0; j < losses.size(); ++j) {
    bool computed = false;
    for (int k : run.forwardLosses)
      computed |= k == run.chosen[j];
    losses[j] = computed ? losses[j] / double(batches) : NAN;
  }
  for (double &v : metrics)
    v /= double(batches);
  record.hasVal = true;
  record.valLoss = losses[0];
  record.valMetrics = metrics;
  return losses;
}

void Driver::finishEpoch(EpochRecord &record, const std::vector<double> &losses,
                         const std::vector<double> &valLosses, uint64_t epochsLeft) {
  std::vector<double> lr = rates();
  record.lr = lr.empty() ? NAN : lr[0];
  run.history.epochs.push_back(record);
  std::string line = "epoch " + std::to_string(record.epoch) + "/" +
                     std::to_string(run.start.epoch + opt.training.epochs) + "  loss " +
                     named(losses, "%.4g");
  for (size_t j = 0; j < run.metrics.size(); ++j)
    if (run.trainMetric[j])
      line += "  " + printable(m.outputs[run.metrics[j]].name) + " " +
              short4(record.trainMetrics[j]);
  if (record.hasVal) {
    if (!std::isnan(record.valLoss))
      line += "  val_loss " + named(valLosses, "%.4g");
    for (size_t j = 0; j < run.metrics.size(); ++j)
      line += "  val_" + printable(m.outputs[run.metrics[j]].name) + " " +
              short4(record.valMetrics[j]);
  }
  for (size_t h = 0; h < lr.size(); ++h) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", lr[h]);
    line += "  " + printable(m.hypers[run.lrHypers[h]].name) + " " + rate;
  }
  line += "  " + humanDuration(record.seconds);
  // The time left, from the mean epoch so far.
  double elapsed = secondsSince(run.startTime);
  uint64_t done = record.epoch - run.start.epoch;
  if (epochsLeft)
    line += "  ETA " + humanDuration(elapsed / double(done) * double(epochsLeft));
  run.progress->line(line);
  if (run.log)
    logRow("epoch," + std::to_string(record.epoch) + ",", record.step, losses,
           record.trainMetrics, valLosses, record.valMetrics);
}

void Driver::saveCheckpointNow(uint64_t epochs) {
  // The checkpoint holds the rates before the schedule, which a resumed run
  // scales again from the step it resumes at.
  if (!opt.training.schedule.empty())
    for (size_t h = 0; h < run.lrHypers.size(); ++h)
      ctx->setHyper(run.lrHypers[h], run.lrBase[h]);
  TrainingPosition pos{run.start.seed, ctx->steps(), epochs};
  std::string error;
  if (!saveCheckpoint(*ctx, opt.training.checkpoint, pos, error))
    fail(error);
}

} // namespace netc::runtime::detail
