//===- Driver.cpp - the main of generated executables ---------------------===//
//
// Parses the flags of DESIGN.md ("Generated executables"), loads weights,
// inputs and training data through a Context, and runs the forward
// function, train steps or benchmarks. Every failure is one line on stderr
// ("NAME: error: FILE: tensor 'x' ...") and exit status 1; a bad command
// line exits with 2.
//
//===----------------------------------------------------------------------===//

#include "runtime/Driver.h"
#include "runtime/DriverImpl.h"
#include "runtime/Context.h"
#include "runtime/FileIO.h"
#include "runtime/GradStats.h"
#include "runtime/Progress.h"
#include "runtime/Safetensors.h"
#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"

#include <HalideRuntime.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <memory>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

namespace netc::runtime {

namespace detail {

Driver::Driver(const netc_model &model, const char *argv0) : m(model) {
  prog = argv0 ? argv0 : model.name;
  size_t slash = prog.rfind('/');
  if (slash != std::string::npos)
    prog = prog.substr(slash + 1);
}

void Driver::fail(const std::string &message, int status) {
  std::fflush(stdout);
  std::fprintf(stderr, "%s: error: %s\n", prog.c_str(), message.c_str());
  // Under mpirun a failing rank leaves without MPI_Finalize, which would
  // wait for peers that may be gone; mpirun then stops the others.
  if (par.world)
    std::_Exit(status);
  throw Exit{status};
}

/// The most --bench runs: each keeps its time for the median (80 MB).
constexpr uint64_t kMaxBenchRuns = 10'000'000;
/// The most --threads: Halide's thread pool runs at most 256 workers.
constexpr uint64_t kMaxThreads = 256;

/// Parses a whole decimal integer of at most `max`, or fails with a usage error.
template <typename Fail>
uint64_t parseCount(const std::string &flag, const char *text, uint64_t max, Fail fail) {
  char *end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (!*text || *end || (errno && errno != ERANGE) || text[0] == '-' || text[0] == '+' ||
      std::isspace(static_cast<unsigned char>(text[0])))
    fail(flag + " expects a non-negative integer, got '" + text + "'", 2);
  if (errno == ERANGE || v > max)
    fail(flag + " expects at most " + std::to_string(max) + ", got '" + text + "'", 2);
  return v;
}

void Driver::parse(int argc, char **argv) {
  auto usage = [this](const std::string &msg, int status) { fail(msg + " (try --help)", status); };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool hasValue = false;
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      hasValue = true;
    }
    auto next = [&]() -> std::string {
      if (hasValue)
        return value;
      if (i + 1 >= argc)
        usage(arg + " expects a value", 2);
      return argv[++i];
    };
    auto count = [&](uint64_t max) {
      std::string v = next();
      return parseCount(arg, v.c_str(), max, usage);
    };
    // An empty name (--inputs=) would otherwise read as "no file given".
    auto file = [&]() {
      std::string v = next();
      if (v.empty())
        usage(arg + " expects a file name, got ''", 2);
      return v;
    };
    if (arg == "--help" || arg == "-h") {
      printHelp();
      throw Exit{0};
    } else if (arg == "--weights") {
      opt.weights.push_back(file());
    } else if (arg == "--save-weights") {
      opt.saveWeights = file();
    } else if (arg == "--inputs") {
      opt.inputs.push_back(file());
    } else if (arg == "--outputs") {
      opt.outputs.push_back(file());
    } else if (arg == "--data") {
      opt.data.push_back(file());
    } else if (arg == "--log") {
      opt.log = file();
    } else if (arg == "--train-step") {
      opt.trainStep = next();
    } else if (arg == "--train" && !hasValue) {
      opt.train = true;
    } else if (arg == "--json" && !hasValue) {
      opt.json = true;
    } else if (arg == "--allow-nonfinite" && !hasValue) {
      opt.allowNonfinite = true;
    } else if (arg == "--steps") {
      opt.steps = count(UINT64_MAX);
      opt.stepsGiven = true;
    } else if (arg == "--bench") {
      opt.bench = static_cast<int64_t>(count(kMaxBenchRuns));
    } else if (arg == "--threads") {
      opt.threads = static_cast<int>(count(kMaxThreads));
    } else if (arg == "--seed") {
      opt.seed = count(UINT64_MAX);
      opt.seedGiven = true;
    } else if (parseTrainingFlag(arg, hasValue, next)) {
      // --epochs, --val, --lr, --schedule, --checkpoint, --plot, ...
    } else if (isGradStatsFlag(arg)) {
      std::string error;
      if (!setGradStatsFlag(opt.gradStats, arg, next(), error))
        usage(error, 2);
    } else {
      usage("unknown argument '" + std::string(argv[i]) + "'", 2);
    }
  }
  if (opt.train && opt.steps == 0)
    usage("--steps must be at least 1", 2);
  if (opt.stepsGiven && !opt.train)
    usage("--steps needs --train", 2);
  if (opt.allowNonfinite && !opt.train)
    usage("--allow-nonfinite needs --train", 2);
  if (!opt.data.empty() && !opt.train)
    usage("--data needs --train", 2);
  if (!opt.log.empty() && !opt.train)
    usage("--log needs --train", 2);
  if (!opt.trainStep.empty() && !opt.train)
    usage("--train-step needs --train", 2);
  if (opt.json && opt.bench < 0)
    usage("--json needs --bench N", 2);
  if (opt.bench == 0)
    usage("--bench needs at least 1 run", 2);
  checkTrainingFlags();
  // With --epochs the number of steps is known once the data is read.
  std::string gradStatsError = gradStatsMisuse(opt.gradStats, opt.train,
                                               opt.training.epochs ? UINT64_MAX : opt.steps);
  if (!gradStatsError.empty())
    usage(gradStatsError, 2);
}

void Driver::printHelp() {
  std::printf("usage: %s [flags]\n\nThe compiled model '%s' (netc).\n\n", prog.c_str(), m.name);
  auto list = [](const char *title, const netc_tensor *ts, int n) {
    if (n == 0)
      return;
    std::printf("%s:\n", title);
    for (int i = 0; i < n; ++i)
      std::printf("  %-24s %s\n", printable(ts[i].name).c_str(), typeString(ts[i]).c_str());
  };
  list("inputs", m.inputs, m.num_inputs);
  list("outputs", m.outputs, m.num_outputs);
  list("parameters", m.params, m.num_params);
  list("buffers", m.buffers, m.num_buffers);
  for (const netc_train_step &step : trainStepsOf(m))
    std::printf("loss: %s (%s)\n", printable(step.name).c_str(), dslDType(step.loss_dtype));
  for (int h = 0; h < m.num_hypers; ++h)
    std::printf("%s%s %g%s", h ? ", " : "hyperparameters (--lr, --hyper): ",
                printable(m.hypers[h].name).c_str(), m.hypers[h].value,
                h + 1 == m.num_hypers ? "\n" : "");
  if (m.default_weights_size)
    std::printf("default weights: embedded (%llu bytes), loaded before --weights\n",
                static_cast<unsigned long long>(m.default_weights_size));
  std::printf("\nflags:\n"
              "  --weights FILE        load the parameters from a tensor file\n"
              "                        (default: initialised from --seed)\n"
              "  --save-weights FILE   write the parameters (after training) to FILE\n"
              "  --inputs FILE         the inputs, by name (default: seeded random inputs)\n"
              "  --outputs FILE        write the outputs, by name\n"
              "  --train --steps N     run N train steps, showing step, loss and steps/s;\n"
              "                        a NaN or infinite loss stops training with an error\n"
              "                        and saves nothing (without --steps: 1 step)\n"
              "  --allow-nonfinite     with --train, go on training past a non-finite loss\n"
              "  --log FILE.csv        with --train, write a row per step (and per epoch):\n"
              "                        step,loss,seconds,lr,metrics (see docs/training.md)\n"
              "  --train-step NAME     with --train in a model with several losses, run only\n"
              "                        the train step of loss NAME (default: all, in order)\n"
              "  --data FILE           training samples: tensors named as the inputs, [N, ...]\n"
              "                        for an input [B, ...], or [BATCHES, B, ...]; with\n"
              "                        --steps, step i uses batch i mod count\n"
              "  --bench N [--json]    time N runs (at most 10000000) of forward (and train\n"
              "                        step) after a warm-up\n"
              "  --threads N           worker threads, at most 256 (0 or default: all cores)\n"
              "  --seed N              seed of parameters, inputs and dropout (default 0)\n"
              "  --grad-stats STEPS    with --train, print each parameter's gradient L2 norm\n"
              "                        and update/weight ratio at these steps (1,10,100)\n"
              "  --grad-stats-every N  the same at steps 1, N, 2N, ... and the last\n"
              "  --grad-stats-csv FILE write them as step,loss,param,grad_norm,weight_norm,\n"
              "                        update_norm,update_ratio rows to FILE\n"
              "  --plot FILE.svg       with --train, draw the loss and metric curves (SVG),\n"
              "                        and the gradient norm per layer with --grad-stats\n");
  printTrainingHelp();
  std::printf("\ntensor files, by extension: .safetensors (any other name too), .npz\n"
              "(np.savez, np.savez_compressed), .npy (one tensor: NAME=FILE.npy, else\n"
              "named after the file); ONNX .pb tensors are read by netc --run only.\n"
              "--weights, --inputs, --outputs and --data may be given several\n"
              "times: the files read merge (a name in two is an error); each file written\n"
              "gets every tensor.\n");
}

void Driver::loadInputs() {
  for (int i = 0; i < m.num_inputs; ++i) {
    inputs.push_back(std::make_unique<HostTensor>(m.inputs[i]));
    inputPtrs.push_back(inputs.back()->data());
    inputData.push_back(inputs.back()->data());
    ctx->fillInput(i, inputs.back()->data(), opt.seed);
  }
  if (opt.inputs.empty())
    return;
  SampleSet given = loadSamples(opt.inputs, "--inputs", true);
  std::string error;
  for (int i = 0; i < m.num_inputs; ++i) {
    std::memcpy(inputs[i]->data(), given.input(i).data, inputs[i]->bytes());
    if (!checkIndices(m.inputs[i], inputs[i]->data(), given.input(i).where, error))
      fail(error);
  }
}

void Driver::checkWritable(const std::string &path, const netc_tensor *list, int count) {
  bool json = tensorFormatOf(splitTensorFileSpec(path).path) == TensorFormat::Safetensors;
  for (int i = 0; !path.empty() && json && i < count; ++i)
    if (!isWritableName(list[i].name))
      fail("cannot write '" + path + "': tensor '" + printable(list[i].name) +
           "' is not valid UTF-8, which safetensors headers (JSON) require");
}

void Driver::runForward() {
  if (!ctx->forward(inputPtrs.data(), nullptr))
    fail(ctx->lastError());
}

struct Stats {
  double min, median, max;
};

Stats summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  return {ms.front(), median, ms.back()};
}

void Driver::bench() {
  using Clock = std::chrono::steady_clock;
  auto measure = [&](auto &&body) {
    body(); // warm-up: first-touch allocations, thread pool start
    std::vector<double> ms;
    for (int64_t i = 0; i < opt.bench; ++i) {
      Clock::time_point t0 = Clock::now();
      body();
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    return summarize(ms);
  };
  bool hasForward = m.forward != nullptr;
  Stats fwd{};
  if (hasForward)
    fwd = measure([&] { runForward(); });
  Stats step{};
  if (ctx->hasTrainStep())
    step = measure([&] {
      for (int k = 0; k < ctx->numTrainSteps(); ++k)
        if (!ctx->trainStep(k, inputPtrs.data(), nullptr))
          fail(ctx->lastError());
    });
  if (opt.json) {
    auto object = [](const Stats &s) {
      char text[160];
      std::snprintf(text, sizeof text, "{\"min\": %.6g, \"median\": %.6g, \"max\": %.6g}", s.min,
                    s.median, s.max);
      return std::string(text);
    };
    std::printf("{\"forward_ms\": %s, \"train_step_ms\": %s}\n",
                hasForward ? object(fwd).c_str() : "null",
                ctx->hasTrainStep() ? object(step).c_str() : "null");
    return;
  }
  auto row = [&](const char *what, const Stats &s) {
    std::printf("%-11s min %.3f ms  median %.3f ms  max %.3f ms  (%lld runs)\n", what, s.min,
                s.median, s.max, static_cast<long long>(opt.bench));
  };
  if (hasForward)
    row("forward", fwd);
  if (ctx->hasTrainStep())
    row("train step", step);
}

void Driver::writeOutputs() {
  std::vector<SafetensorsTensorRef> refs;
  for (int j = 0; j < m.num_outputs; ++j) {
    const netc_tensor &t = m.outputs[j];
    refs.push_back({t.name, safetensorsDType(t.dtype),
                    std::vector<int64_t>(t.shape, t.shape + t.rank), ctx->output(j)});
  }
  // A forward function that computes the loss writes it too, as a 0-d tensor
  // (not the loss of the last train step, which preceded its update).
  // Several losses: each by its name.
  std::vector<int> forwardLosses;
  for (int k = 0; k < m.num_forward_slots; ++k)
    if (m.forward_slots[k].kind == NETC_SLOT_LOSS)
      forwardLosses.push_back(m.forward_slots[k].index);
  std::vector<double> lossF64(forwardLosses.size());
  std::vector<float> lossF32(forwardLosses.size());
  for (size_t j = 0; j < forwardLosses.size(); ++j) {
    int k = forwardLosses[j];
    const char *name = k < ctx->numTrainSteps() ? ctx->trainStepInfo(k).name : m.loss_name;
    netc_dtype dtype = k < ctx->numTrainSteps() ? ctx->trainStepInfo(k).loss_dtype : m.loss_dtype;
    lossF64[j] = ctx->loss(k);
    lossF32[j] = static_cast<float>(lossF64[j]);
    bool clash = false;
    for (const SafetensorsTensorRef &r : refs)
      clash |= name && r.name == name;
    if (name && !std::isnan(lossF64[j]) && !clash)
      refs.push_back({name,
                      safetensorsDType(dtype),
                      {},
                      dtype == NETC_F64 ? static_cast<const void *>(&lossF64[j]) : &lossF32[j]});
  }
  std::string error;
  for (const std::string &spec : opt.outputs)
    if (!writeTensorFile(spec, refs, {{"netc_model", m.name}}, error))
      fail(error);
}

void Driver::printOutputs() {
  if (m.num_outputs == 0)
    std::printf("model '%s' has no outputs%s\n", m.name,
                ctx->hasTrainStep() ? "; it has a loss: train it with --train --steps N" : "");
  for (int j = 0; j < m.num_outputs; ++j) {
    const netc_tensor &t = m.outputs[j];
    HostTensor view(t);
    std::memcpy(view.data(), ctx->output(j), view.bytes());
    int64_t n = numel(t);
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    for (int64_t i = 0; i < n; ++i) {
      double v = view.get(i);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    std::printf("output %s: %s min %.6g mean %.6g max %.6g\n ", printable(t.name).c_str(),
                typeString(t).c_str(), lo, n ? sum / double(n) : 0.0, hi);
    for (int64_t i = 0; i < std::min<int64_t>(n, 8); ++i)
      std::printf(" %.6g", view.get(i));
    std::printf(n > 8 ? " ...\n" : "\n");
  }
  for (int k = 0; k < ctx->numTrainSteps(); ++k)
    if (!std::isnan(ctx->loss(k)))
      std::printf("loss %s: %.8g\n", printable(ctx->trainStepInfo(k).name).c_str(), ctx->loss(k));
}

int Driver::main(int argc, char **argv) {
  try {
    parse(argc, argv);
    openParallel();
    if (opt.threads > 0)
      halide_set_num_threads(opt.threads);
    ctx = std::make_unique<Context>(m, opt.seed);
    if (!opt.weights.empty() && !ctx->loadWeights(opt.weights))
      fail(ctx->lastError());
    loadInputs();
    // Names a safetensors file cannot hold fail now, not after a long run.
    checkWritable(opt.saveWeights, m.params, m.num_params);
    checkWritable(opt.saveWeights, m.buffers, m.num_buffers);
    for (const std::string &spec : opt.outputs)
      checkWritable(spec, m.outputs, m.num_outputs);
    if (opt.train)
      train();
    if (opt.bench > 0)
      bench();
    if (!opt.outputs.empty() || (!opt.train && opt.bench < 0)) {
      runForward();
      if (!opt.outputs.empty())
        writeOutputs();
      else
        printOutputs();
    }
    if (!opt.saveWeights.empty() && !ctx->saveWeights(opt.saveWeights))
      fail(ctx->lastError());
  } catch (const Exit &e) {
    return e.status;
  } catch (const std::bad_alloc &) {
    std::fprintf(stderr, "%s: error: out of memory\n", prog.c_str());
    return 1;
  } catch (const std::runtime_error &e) {
    // The model's embedded default weights do not fit it (Context::reset).
    std::fprintf(stderr, "%s: error: %s\n", prog.c_str(), e.what());
    return 1;
  }
  std::fflush(stdout);
  return 0;
}

} // namespace detail

} // namespace netc::runtime

extern "C" int netc_driver_main(int argc, char **argv, const netc_model *model) {
#ifdef __GLIBC__
  // The pipelines allocate their intermediate buffers on every call. glibc
  // serves blocks above 128 KiB with fresh mmap'd pages and gives freed heap
  // tops back to the system: every call would then fault in (and the kernel
  // zero) every page of every buffer again, a third of a LeNet train step.
  // The executable is this process: keep such blocks in the heap (up to
  // glibc's 32 MiB ceiling) and the heap's memory across calls.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  netc::runtime::detail::Driver driver(*model, argc > 0 ? argv[0] : nullptr);
  return driver.main(argc, argv);
}
