//===- DriverImpl.h - the driver of generated executables -----*- C++ -*-===//
//
// The class behind netc_driver_main (Driver.h), shared by Driver.cpp (flags,
// forward runs, benchmarks, outputs) and DriverTrain.cpp (--train).
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_DRIVERIMPL_H
#define NETC_RUNTIME_DRIVERIMPL_H

#include "runtime/Context.h"
#include "runtime/GradStats.h"
#include "runtime/Model.h"
#include "runtime/Safetensors.h"
#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace netc::runtime::detail {

/// The command line of a generated executable.
struct Options {
  std::string saveWeights, log;
  /// Tensor files (runtime/TensorFile.h), each flag repeatable: the files of
  /// one flag merge (--inputs x=a.npy --inputs y=b.npy); every --outputs
  /// file gets the outputs.
  std::vector<std::string> weights, inputs, outputs, data;
  /// --train-step NAME: run only this train step of a model with several losses.
  std::string trainStep;
  bool train = false, json = false, stepsGiven = false, allowNonfinite = false;
  uint64_t steps = 1, seed = 0;
  int64_t bench = -1;
  int threads = 0;
  GradStatsOptions gradStats;
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
  void loadInputs();
  void loadData();
  void setBatch(uint64_t step);
  void checkWritable(const std::string &path, const netc_tensor *list, int count);
  void runForward();
  void train();
  /// The train steps --train runs on every batch, in order.
  std::vector<int> chosenSteps();
  /// Runs the chosen train steps on one batch; `losses` receives each loss.
  void trainBatch(uint64_t batch, const std::vector<int> &chosen, std::vector<double> &losses);
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
  TensorFile dataFile;
  std::vector<MatchedTensor> dataTensors;
};

} // namespace netc::runtime::detail

#endif // NETC_RUNTIME_DRIVERIMPL_H
