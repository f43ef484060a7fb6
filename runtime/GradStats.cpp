//===- GradStats.cpp - the flags, table and CSV of --grad-stats -----------===//

#include "runtime/GradStats.h"
#include "runtime/FileIO.h"
#include "runtime/Model.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace netc::runtime {

namespace {

/// Parses a whole decimal integer from 1 to UINT64_MAX; false otherwise.
bool parseStep(const std::string &text, uint64_t &value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  errno = 0;
  value = std::strtoull(text.c_str(), nullptr, 10);
  return errno != ERANGE && value > 0;
}

/// `name` as one CSV field: quoted when it holds a comma, quote or line break.
std::string csvField(const std::string &name) {
  if (name.find_first_of(",\"\r\n") == std::string::npos)
    return name;
  std::string quoted = "\"";
  for (char c : name)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

} // namespace

std::string formatString(const char *fmt, ...) {
  va_list args, copy;
  va_start(args, fmt);
  va_copy(copy, args);
  int n = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string text(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0)
    std::vsnprintf(text.data(), text.size() + 1, fmt, args);
  va_end(args);
  return text;
}

bool GradStatsOptions::selects(uint64_t step, uint64_t lastStep) const {
  if (every > 0 && (step == 1 || step % every == 0 || step == lastStep))
    return true;
  return std::binary_search(steps.begin(), steps.end(), step);
}

bool isGradStatsFlag(const std::string &flag) {
  return flag == "--grad-stats" || flag == "--grad-stats-every" || flag == "--grad-stats-csv" ||
         flag == "--plot";
}

bool setGradStatsFlag(GradStatsOptions &options, const std::string &flag, const std::string &value,
                      std::string &error) {
  if (flag == "--grad-stats-csv" || flag == "--plot") {
    if (value.empty()) {
      error = flag + " expects a file name, got ''";
      return false;
    }
    (flag == "--plot" ? options.plot : options.csv) = value;
    return true;
  }
  if (flag == "--grad-stats-every") {
    if (!parseStep(value, options.every)) {
      error = flag + " expects a number of steps of at least 1, got '" + value + "'";
      return false;
    }
    return true;
  }
  // --grad-stats=1,10,100
  std::vector<uint64_t> steps;
  size_t start = 0;
  while (true) {
    size_t comma = value.find(',', start);
    std::string item = value.substr(start, comma - start);
    uint64_t step = 0;
    if (!parseStep(item, step)) {
      error =
          flag + " expects step numbers from 1 separated by commas (1,10,100), got '" + value + "'";
      return false;
    }
    steps.push_back(step);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  steps.insert(steps.end(), options.steps.begin(), options.steps.end());
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  options.steps = std::move(steps);
  return true;
}

std::string gradStatsMisuse(const GradStatsOptions &options, bool train, uint64_t steps) {
  bool files = !options.csv.empty() || !options.plot.empty();
  const char *given = !options.steps.empty() ? "--grad-stats"
                      : options.every > 0    ? "--grad-stats-every"
                      : !options.csv.empty() ? "--grad-stats-csv"
                                             : "--plot";
  if ((options.enabled() || files) && !train)
    return std::string(given) + " needs --train";
  if (files && !options.enabled())
    return std::string(options.plot.empty() ? "--grad-stats-csv" : "--plot") +
           " needs --grad-stats=STEPS or --grad-stats-every=N to say which steps to measure";
  if (!options.steps.empty() && options.steps.back() > steps)
    return "--grad-stats asks for step " + std::to_string(options.steps.back()) +
           " but the run has " + std::to_string(steps) + " step" + (steps == 1 ? "" : "s");
  if (!options.csv.empty() && options.csv == options.plot)
    return "--grad-stats-csv and --plot name the same file '" + options.csv + "'";
  return "";
}

double GradStat::ratio() const {
  if (updateNorm == 0)
    return 0;
  return weightNorm == 0 ? INFINITY : updateNorm / weightNorm;
}

double l2Distance(const void *a, const void *b, int dtype, int64_t n) {
  double sum = 0;
  auto accumulate = [&](auto *x, auto *y) {
    for (int64_t i = 0; i < n; ++i) {
      double d = double(x[i]) - (y ? double(y[i]) : 0.0);
      sum += d * d;
    }
  };
  switch (dtype) {
  case NETC_F32:
    accumulate(static_cast<const float *>(a), static_cast<const float *>(b));
    break;
  case NETC_F64:
    accumulate(static_cast<const double *>(a), static_cast<const double *>(b));
    break;
  case NETC_I32:
    accumulate(static_cast<const int32_t *>(a), static_cast<const int32_t *>(b));
    break;
  default:
    accumulate(static_cast<const int64_t *>(a), static_cast<const int64_t *>(b));
    break;
  }
  return std::sqrt(sum);
}

GradStatsRecorder::GradStatsRecorder(GradStatsOptions options, uint64_t lastStep, std::string model)
    : opt(std::move(options)), lastStep(lastStep), model(std::move(model)) {}

GradStatsRecorder::~GradStatsRecorder() = default;

bool GradStatsRecorder::open(std::string &error) {
  for (auto [path, file] : {std::pair{&opt.csv, &csvFile}, std::pair{&opt.plot, &plotFile}}) {
    if (path->empty())
      continue;
    *file = std::make_unique<OutputFile>();
    if (!(*file)->open(*path, error))
      return false;
  }
  return true;
}

void GradStatsRecorder::addLoss(uint64_t step, double loss) {
  // The plot draws at most a few thousand points: later steps are thinned.
  size_t stride = std::max<uint64_t>(1, lastStep / 4000);
  if ((step - 1) % stride == 0 || step == lastStep)
    losses.push_back({step, loss});
}

std::string GradStatsRecorder::record(uint64_t step, double loss, std::vector<GradStat> params) {
  size_t width = 9;
  for (const GradStat &p : params)
    width = std::max(width, p.param.size());
  int w = static_cast<int>(width);
  std::string text = formatString("grad-stats step %llu: loss %.8g\n",
                                  static_cast<unsigned long long>(step), loss);
  text += formatString("  %-*s  %11s  %11s  %13s\n", w, "parameter", "grad_norm", "weight_norm",
                       "update/weight");
  for (const GradStat &p : params)
    text += formatString("  %-*s  %11.4e  %11.4e  %13.4e\n", w, p.param.c_str(), p.gradNorm,
                         p.weightNorm, p.ratio());
  measured.push_back({step, loss, std::move(params)});
  return text;
}

/// Writes `text` to `file` (if started) and renames it into place.
static bool commitText(OutputFile *file, const std::string &text, std::string &error) {
  if (!file)
    return true;
  if (std::fwrite(text.data(), 1, text.size(), file->stream()) != text.size()) {
    error = "cannot write the --grad-stats file";
    file->discard();
    return false;
  }
  return file->commit(error);
}

bool GradStatsRecorder::finish(std::string &error) {
  if (csvFile) {
    std::string csv = "step,loss,param,grad_norm,weight_norm,update_norm,update_ratio\n";
    for (const GradStatsStep &s : measured)
      for (const GradStat &p : s.params)
        csv += formatString("%llu,%.9g,", static_cast<unsigned long long>(s.step), s.loss) +
               csvField(p.param) +
               formatString(",%.9g,%.9g,%.9g,%.9g\n", p.gradNorm, p.weightNorm, p.updateNorm,
                            p.ratio());
    if (!commitText(csvFile.get(), csv, error))
      return false;
  }
  return !plotFile || commitText(plotFile.get(), drawGradStats(model, measured, losses), error);
}

} // namespace netc::runtime
