//===- DriverImpl.h - the driver of generated executables -----*- C++ -*-===//
//
// The class behind netc_driver_main (Driver.h), shared by Driver.cpp (flags,
// forward runs, benchmarks, outputs), DriverFlags.cpp (the training flags),
// DriverTrain.cpp (--train: setup, steps, log) and DriverEpochs.cpp
// (--epochs, validation, checkpoints).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_DRIVERIMPL_H
#define NETC_RUNTIME_DRIVERIMPL_H

#include "runtime/Checkpoint.h"
#include "runtime/Context.h"
#include "runtime/Dataset.h"
#include "runtime/FileIO.h"
#include "runtime/GradStats.h"
#include "runtime/Model.h"
#include "runtime/Mpi.h"
#include "runtime/Progress.h"
#include "runtime/Safetensors.h"
#include "runtime/Schedule.h"
#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"
#include "runtime/TrainHistory.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace netc::runtime::detail {

/// The flags of a training run beyond --train, --steps and --data
/// (runtime/DriverFlags.cpp).
struct TrainingOptions {
  /// --epochs E; 0 when not given.
  uint64_t epochs = 0;
  bool shuffle = true, keepLast = false;
  /// --val FILE (repeatable, merged) or --val-split F (0 when not given).
  std::vector<std::string> val;
  double valSplit = 0;
  /// --lr X (NaN when not given) and --hyper NAME=VALUE, in order.
  double lr = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<std::string, double>> hypers;
  /// --schedule, as given and parsed.
  std::string scheduleText;
  Schedule schedule;
  std::string checkpoint, resume, plot;
};

/// The command line of a generated executable.
struct Options {
  std::string saveWeights, log;
  /// Tensor files (runtime/TensorFile.h), each flag repeatable: the files of
  /// one flag merge (--inputs x=a.npy --inputs y=b.npy); every --outputs
  /// file gets the outputs.
  std::vector<std::string> weights, inputs, outputs, data;
  /// --train-step NAME: run only this train step of a model with several losses.
  std::string trainStep;
  bool train = false, json = false, stepsGiven = false, allowNonfinite = false, seedGiven = false;
  uint64_t steps = 1, seed = 0;
  int64_t bench = -1;
  int threads = 0;
  GradStatsOptions gradStats;
  TrainingOptions training;
};

/// What a training run keeps between its steps (runtime/DriverTrain.cpp).
struct TrainRun {
  /// The train steps run on every batch, and whether the model has several.
  std::vector<int> chosen;
  bool several = false;
  /// Where the run started (a checkpoint's position, or zeros). Steps are
  /// counted in batches (each runs every chosen train step) from 0:
  /// firstStep .. endStep - 1, `steps` of them (endStep is the T of a
  /// cosine schedule).
  TrainingPosition start;
  uint64_t firstStep = 0, steps = 0, endStep = 0;
  /// --epochs: steps per epoch; the samples trained on and validated.
  uint64_t perEpoch = 0;
  SampleSet data, val;
  /// Whether the run validates, and whether that gives losses (when the
  /// forward function computes them; the metrics it always gives).
  bool hasVal = false, valLoss = false;
  /// The "lr" and "*.lr" hyperparameters and their rates before a schedule.
  std::vector<int> lrHypers;
  std::vector<double> lrBase;
  /// The metric outputs (0-d float outputs), whether the chosen train steps
  /// write each, and the loss indices the forward function computes.
  std::vector<int> metrics;
  std::vector<bool> trainMetric;
  std::vector<int> forwardLosses;
  OutputFile logFile, plotFile;
  std::FILE *log = nullptr;
  std::unique_ptr<ContextGradStats> gradStats;
  std::unique_ptr<Progress> progress;
  TrainHistory history;
  std::chrono::steady_clock::time_point startTime;
  std::vector<double> firstLosses, losses, metricValues;
};

/// Data-parallel training under mpirun (runtime/DriverParallel.cpp).
struct ParallelRun {
  /// MPI_COMM_WORLD; null in a plain run.
  std::unique_ptr<MpiWorld> world;
  int rank = 0, size = 1;
  /// --mpi-timeout and --accumulate.
  double timeout = 300;
  uint64_t accumulate = 1;
  /// Loads shard `s` (of the global batch of size * accumulate shards) into
  /// the inputs; empty without --data.
  std::function<void(uint64_t)> load;
  /// Rank 0's seed: shard s draws its dropout masks from shardSeed(s).
  uint64_t baseSeed = 0;
  /// Per chosen train step, the parameters whose gradients it computes.
  std::vector<std::vector<int>> grads;
  /// Whether the fused buffer is f64 (DriverParallel.cpp: always), and the buffers.
  bool f64 = false;
  std::vector<float> fused32;
  std::vector<double> fused64;
  std::vector<uint8_t> bytes;
  /// The metrics of the last batch, averaged over the ranks.
  std::vector<double> metrics;
  /// --sync-bn, and the error of its last failed allreduce.
  bool syncBn = false;
  std::string collectiveError;
};

/// Thrown to end the run with an exit status after printing a message.
struct Exit {
  int status;
};

class Driver {
public:
  Driver(const netc_model &model, const char *argv0);
  int main(int argc, char **argv);

private:
  [[noreturn]] void fail(const std::string &message, int status = 1);
  void parse(int argc, char **argv);
  void printHelp();
  /// The training flags (DriverFlags.cpp): parses `arg` (its value from
  /// `next`) and returns whether it was one; then checks their combinations
  /// and prints their help.
  bool parseTrainingFlag(const std::string &arg, bool hasValue,
                         const std::function<std::string()> &next);
  void checkTrainingFlags();
  void printTrainingHelp();
  /// Data-parallel training (DriverParallel.cpp): its flags and help; MPI
  /// opened when started by mpirun; rank 0's state shared at the start of
  /// training; train step `chosen[j]` on this rank's shard with the
  /// gradients averaged over the ranks; the value of metric `k` after it.
  bool parseParallelFlag(const std::string &arg, bool hasValue,
                         const std::function<std::string()> &next);
  void printParallelHelp();
  void openParallel();
  void startParallel();
  bool parallel() const { return par.size > 1; }
  bool trainOn(size_t j, double &loss);
  double trainMetric(size_t k) const;
  uint64_t shardSeed(uint64_t shard) const;
  /// Shards of one global batch: ranks times --accumulate.
  uint64_t shards() const { return static_cast<uint64_t>(par.size) * par.accumulate; }
  /// Copies rank 0's buffers (and, with `everything`, parameters and
  /// optimizer state) into every rank.
  void broadcastFromRoot(bool everything, const std::string &what);
  /// Reads tensor files of samples (--data, --val), with a note naming the
  /// tensors that are no input.
  SampleSet loadSamples(const std::vector<std::string> &files, const char *flag, bool exact);
  void loadInputs();
  void loadData();
  /// The first batch of the data in file order, left in the inputs after training.
  void setFirstBatch();
  void checkWritable(const std::string &path, const netc_tensor *list, int count);
  void runForward();
  void train();
  /// The train steps --train runs on every batch, in order.
  std::vector<int> chosenSteps();
  /// Runs the chosen train steps on the batch in the inputs as global step
  /// `step` (from 0) of epoch `epoch` (from 0; the step without --epochs):
  /// sets the scheduled rates, records the losses and metrics, logs the row.
  void runStep(uint64_t step, uint64_t epoch);
  /// Setup of a run (DriverTrain.cpp).
  void startRun();
  void openOutputs();
  void applyHypers();
  void writeLogHeader();
  void finishRun(double seconds);
  /// --steps: step i uses batch i mod count of each --data tensor.
  void runSteps();
  /// --epochs (DriverEpochs.cpp): the epoch loop, validation and checkpoints.
  void prepareEpochs();
  void runEpochs();
  /// Runs the forward function over the validation batches; fills the
  /// record's means and returns the mean of each chosen loss (NaN for one
  /// the forward function does not compute).
  std::vector<double> validate(EpochRecord &record);
  /// Prints the epoch's line, logs its row and records it for the plot.
  void finishEpoch(EpochRecord &record, const std::vector<double> &losses,
                   const std::vector<double> &valLosses, uint64_t epochsLeft);
  void saveCheckpointNow(uint64_t epoch);
  /// Writes a --log row: `lead` ("epoch,3," or ""), the step (from 1), the
  /// losses, the seconds so far, the rates, the train metrics and, when
  /// validating, `valLosses` and `valMetrics` (empty: blank fields).
  void logRow(const std::string &lead, uint64_t step, const std::vector<double> &losses,
              const std::vector<double> &metrics, const std::vector<double> &valLosses,
              const std::vector<double> &valMetrics);
  /// The losses or values as " d 1.386 g 0.693" (several) or " 1.386" (one).
  std::string named(const std::vector<double> &values, const char *format);
  /// The current rates of the "lr" hyperparameters.
  std::vector<double> rates() const;
  /// The value of 0-d float output `j`.
  double scalarOutput(int j) const;
  void bench();
  void printGradStats(const std::string &table);
  void writeOutputs();
  void printOutputs();

  const netc_model &m;
  std::string prog;
  Options opt;
  std::unique_ptr<Context> ctx;
  std::vector<std::unique_ptr<HostTensor>> inputs;
  std::vector<const void *> inputPtrs;
  std::vector<void *> inputData;
  TrainRun run;
  ParallelRun par;
};

} // namespace netc::runtime::detail

#endif // NETC_RUNTIME_DRIVERIMPL_H
