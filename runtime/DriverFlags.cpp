//===- DriverFlags.cpp - the training flags of generated executables ------===//
//
// --epochs, shuffling, validation, the learning rate and its schedule,
// checkpoints and the plot (docs/training.md): their parsing, the checks of
// their combinations (a bad command line exits with 2) and their --help.
//
//===----------------------------------------------------------------------===//

#include "runtime/DriverImpl.h"

#include <cmath>
#include <cstdio>

namespace netc::runtime::detail {

bool Driver::parseTrainingFlag(const std::string &arg, bool hasValue,
                               const std::function<std::string()> &next) {
  auto usage = [this](const std::string &msg) { fail(msg + " (try --help)", 2); };
  TrainingOptions &t = opt.training;
  auto file = [&]() {
    std::string v = next();
    if (v.empty())
      usage(arg + " expects a file name, got ''");
    return v;
  };
  auto number = [&](const std::string &text, const std::string &what) {
    double v = 0;
    if (!parseNumber(text, v))
      usage(what + " expects a finite number, got '" + text + "'");
    return v;
  };
  if (arg == "--epochs") {
    std::string v = next();
    if (!parsePositiveInteger(v, t.epochs))
      usage("--epochs expects a number of epochs of at least 1, got '" + v + "'");
  } else if (arg == "--no-shuffle" && !hasValue) {
    t.shuffle = false;
  } else if (arg == "--keep-last" && !hasValue) {
    t.keepLast = true;
  } else if (arg == "--val") {
    t.val.push_back(file());
  } else if (arg == "--val-split") {
    std::string v = next();
    t.valSplit = number(v, arg);
    if (!(t.valSplit > 0 && t.valSplit < 1))
      usage("--val-split expects a fraction between 0 and 1 (exclusive), got '" + v + "'");
  } else if (arg == "--lr") {
    std::string v = next();
    t.lr = number(v, arg);
    if (t.lr < 0)
      usage("--lr expects a learning rate of at least 0, got '" + v + "'");
  } else if (arg == "--hyper") {
    std::string v = next();
    size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0)
      usage("--hyper expects NAME=VALUE (beta1=0.9), got '" + v + "'");
    t.hypers.push_back({v.substr(0, eq), number(v.substr(eq + 1), "--hyper " + v.substr(0, eq))});
  } else if (arg == "--schedule") {
    t.scheduleText = next();
    std::string error;
    if (!t.schedule.parse(t.scheduleText, error))
      usage(error);
  } else if (arg == "--checkpoint") {
    t.checkpoint = file();
  } else if (arg == "--resume") {
    t.resume = file();
  } else if (arg == "--plot") {
    t.plot = file();
  } else {
    return parseParallelFlag(arg, hasValue, next);
  }
  return true;
}

void Driver::checkTrainingFlags() {
  auto usage = [this](const std::string &msg) { fail(msg + " (try --help)", 2); };
  const TrainingOptions &t = opt.training;
  // The first flag given that needs --train, in the order of --help.
  std::pair<bool, const char *> needTrain[] = {
      {t.epochs > 0, "--epochs"},       {!t.val.empty(), "--val"},
      {t.valSplit > 0, "--val-split"},  {!t.shuffle, "--no-shuffle"},
      {t.keepLast, "--keep-last"},      {!std::isnan(t.lr), "--lr"},
      {!t.hypers.empty(), "--hyper"},   {!t.schedule.empty(), "--schedule"},
      {!t.checkpoint.empty(), "--checkpoint"}, {!t.resume.empty(), "--resume"},
      {!t.plot.empty(), "--plot"}};
  for (auto [given, flag] : needTrain)
    if (given && !opt.train)
      usage(std::string(flag) + " needs --train");
  if (t.epochs > 0 && opt.stepsGiven)
    usage("--steps and --epochs do not go together: an epoch is one pass over --data");
  if (t.epochs > 0 && opt.data.empty())
    usage("--epochs needs --data (the samples an epoch passes over)");
  std::pair<bool, const char *> needEpochs[] = {{!t.val.empty(), "--val"},
                                                {t.valSplit > 0, "--val-split"},
                                                {!t.shuffle, "--no-shuffle"},
                                                {t.keepLast, "--keep-last"}};
  for (auto [given, flag] : needEpochs)
    if (given && t.epochs == 0)
      usage(std::string(flag) + " needs --epochs");
  if (!t.val.empty() && t.valSplit > 0)
    usage("--val and --val-split do not go together");
  if (!t.resume.empty() && !opt.weights.empty())
    usage("--resume and --weights do not go together: the checkpoint holds the weights");
  if (!t.resume.empty() && opt.seedGiven)
    usage("--resume and --seed do not go together: the checkpoint holds the seed");
  std::pair<const std::string *, const char *> files[] = {
      {&opt.log, "--log"}, {&opt.gradStats.csv, "--grad-stats-csv"},
      {&opt.saveWeights, "--save-weights"}, {&t.checkpoint, "--checkpoint"}};
  for (auto [other, flag] : files)
    if (!t.plot.empty() && t.plot == *other)
      usage(std::string(flag) + " and --plot name the same file '" + t.plot + "'");
}

void Driver::printTrainingHelp() {
  std::printf(
      "\ntraining (docs/training.md):\n"
      "  --epochs E            with --data, E passes over its samples in batches of the\n"
      "                        model's batch, each in an order drawn from --seed\n"
      "  --no-shuffle          keep the file's order in every epoch\n"
      "  --keep-last           complete the last partial batch of an epoch with its\n"
      "                        first samples (default: drop it)\n"
      "  --val FILE            after every epoch, the mean of every metric (a 0-d\n"
      "                        output such as accuracy) of the forward function on FILE\n"
      "  --val-split F         the same on the last fraction F of the --data samples,\n"
      "                        held out of training\n"
      "  --lr X                set every learning rate (lr, NAME.lr)\n"
      "  --hyper NAME=VALUE    set a hyperparameter: momentum, beta1, beta2, ...\n"
      "  --schedule S          scale the learning rate: step:N:G (times G every N epochs,\n"
      "                        or N steps without --epochs), cosine (to 0 at the end),\n"
      "                        warmup:N (up from lr/N over N steps); combine with ','\n"
      "  --checkpoint FILE     save the whole training state after every epoch and at\n"
      "                        the end\n"
      "  --resume FILE         continue from a checkpoint for --epochs (or --steps) more\n");
  printParallelHelp();
}

} // namespace netc::runtime::detail
