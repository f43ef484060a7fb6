//===- ReplayMain.cpp - a standalone driver for netc's fuzz targets -------===//
//
// Runs a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so that the
// normal g++ build (and the test suite) can run it in seconds:
//   1. every file given, or found directly in a folder given, once, in order;
//   2. then seeded random mutations of them (byte flips, random bytes,
//      erasures, duplications, dictionary tokens, splices of two files) until
//      --mutations are done or --seconds have passed.
// The sequence of inputs depends only on the files and --seed; time only
// decides where it stops. On a crash, an abort or an input running past
// --timeout, the input is written to --artifact and the process dies of the
// signal, so the caller sees the failure.
//
// Usage: netc-{frontend,passes}-replay [--seconds=S] [--seed=N] [--mutations=N]
//          [--first=N] [--timeout=S] [--dict=FILE] [--artifact=FILE] PATH...
// --first=N generates the mutations before #N without running them (nor the
// files), so that `--seed=S --first=K --mutations=K+1` replays mutation #K
// alone, as a crash report names it.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

/// The largest input a mutation may grow to, as libFuzzer's default -max_len
/// grows with the corpus: big enough for every seed.
constexpr size_t kMaxInputSize = 64 * 1024;

/// What the driver is told on its command line.
struct Options {
  double seconds = 10;
  uint64_t seed = 1;
  uint64_t mutations = UINT64_MAX;
  uint64_t first = 0;
  unsigned timeout = 20;
  std::string dict;
  std::string artifact = "netc-fuzz-crash.net";
  std::vector<std::string> paths;
};

// What the signal handler writes: the input being run and where to.
const char *currentData = nullptr;
size_t currentSize = 0;
const char *artifactPath = nullptr;
char currentLabel[160] = "";

/// Writes all of \p size bytes of \p data to \p fd; async-signal-safe.
void writeAll(int fd, const char *data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written <= 0)
      return;
    data += written;
    size -= static_cast<size_t>(written);
  }
}

/// Saves the input being run, says which one it was, and dies of \p sig.
/// Uses only async-signal-safe calls.
void onFatalSignal(int sig) {
  const char *what = sig == SIGALRM ? "replay: timeout on " : "replay: crash on ";
  writeAll(2, what, std::strlen(what));
  writeAll(2, currentLabel, std::strlen(currentLabel));
  int fd = ::open(artifactPath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    writeAll(fd, currentData, currentSize);
    ::close(fd);
    const char *saved = "; input saved to ";
    writeAll(2, saved, std::strlen(saved));
    writeAll(2, artifactPath, std::strlen(artifactPath));
  }
  writeAll(2, "\n", 1);
  // A timeout dies of SIGABRT, as a crash would.
  int deadly = sig == SIGALRM ? SIGABRT : sig;
  std::signal(deadly, SIG_DFL);
  std::raise(deadly);
  std::_Exit(128 + deadly);
}

/// Runs one input under the timeout, labelled for the crash report.
void runOne(const std::string &input, const std::string &label, unsigned timeout) {
  std::snprintf(currentLabel, sizeof currentLabel, "%s", label.c_str());
  currentData = input.data();
  currentSize = input.size();
  ::alarm(timeout);
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(input.data()), input.size());
  ::alarm(0);
}

/// Reads a libFuzzer dictionary: lines `name="value"` or `"value"`, with
/// \\, \" and \xNN escapes; comments and blank lines are skipped.
std::vector<std::string> readDictionary(const std::string &path) {
  std::vector<std::string> tokens;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "replay: cannot read the dictionary '" << path << "'\n";
    std::exit(2);
  }
  std::string line;
  while (std::getline(in, line)) {
    size_t open = line.find('"');
    size_t close = line.rfind('"');
    if (line.empty() || line[0] == '#' || open == std::string::npos || close <= open)
      continue;
    std::string token;
    for (size_t i = open + 1; i < close; ++i) {
      if (line[i] != '\\' || i + 1 >= close) {
        token += line[i];
      } else if (line[i + 1] == 'x' && i + 3 < close) {
        token += static_cast<char>(std::stoi(line.substr(i + 2, 2), nullptr, 16));
        i += 3;
      } else {
        token += line[++i];
      }
    }
    tokens.push_back(token);
  }
  return tokens;
}

/// Reads every file named, or found directly in a folder named, sorted by
/// path within each folder.
std::vector<std::pair<std::string, std::string>> readInputs(const std::vector<std::string> &paths) {
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const std::string &path : paths) {
    std::vector<std::string> files;
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
      for (const auto &entry : std::filesystem::directory_iterator(path, error))
        if (entry.is_regular_file())
          files.push_back(entry.path().string());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(path);
    }
    for (const std::string &file : files) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::cerr << "replay: cannot read '" << file << "'\n";
        std::exit(2);
      }
      std::ostringstream bytes;
      bytes << in.rdbuf();
      inputs.emplace_back(file, bytes.str());
    }
  }
  return inputs;
}

/// Applies one to four random edits to \p input; \p other is a second input
/// to splice with. Only raw draws of the generator are used (no standard
/// distributions), so a seed gives the same inputs with any C++ library.
std::string mutate(std::string input, const std::string &other,
                   const std::vector<std::string> &dict, std::mt19937_64 &rng) {
  auto below = [&](size_t n) { return n == 0 ? size_t(0) : static_cast<size_t>(rng() % n); };
  unsigned edits = 1 + static_cast<unsigned>(rng() % 4);
  for (unsigned e = 0; e < edits; ++e) {
    size_t pos = below(input.size() + 1);
    switch (rng() % 6) {
    case 0: // flip one bit
      if (!input.empty())
        input[below(input.size())] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 1: // insert a random byte, often a digit or punctuation
      input.insert(pos, 1, static_cast<char>(rng() % 2 ? "0123456789()[]{},=+-*/:. \n"[below(26)]
                                                       : static_cast<char>(rng())));
      break;
    case 2: // erase up to 16 bytes
      input.erase(pos, below(17));
      break;
    case 3: // duplicate up to 64 bytes
      input.insert(pos, input.substr(pos, below(65)));
      break;
    case 4: // insert a dictionary token
      if (!dict.empty())
        input.insert(pos, dict[below(dict.size())]);
      break;
    default: // splice: this input's head, the other's tail
      input = input.substr(0, pos) + other.substr(below(other.size() + 1));
      break;
    }
  }
  if (input.size() > kMaxInputSize)
    input.resize(kMaxInputSize);
  return input;
}

/// Parses the command line; exits with status 2 on a bad one.
Options parseOptions(int argc, char **argv) {
  Options options;
  auto fail = [&](const std::string &arg) {
    std::cerr << "replay: bad argument '" << arg << "'\n"
              << "usage: " << argv[0]
              << " [--seconds=S] [--seed=N] [--mutations=N] [--first=N] [--timeout=S]"
                 " [--dict=FILE] [--artifact=FILE] PATH...\n";
    std::exit(2);
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *flag) -> const char * {
      size_t n = std::strlen(flag);
      return arg.compare(0, n, flag) == 0 ? argv[i] + n : nullptr;
    };
    try {
      if (const char *v = value("--seconds="))
        options.seconds = std::stod(v);
      else if (const char *v = value("--seed="))
        options.seed = std::stoull(v);
      else if (const char *v = value("--mutations="))
        options.mutations = std::stoull(v);
      else if (const char *v = value("--first="))
        options.first = std::stoull(v);
      else if (const char *v = value("--timeout="))
        options.timeout = static_cast<unsigned>(std::stoul(v));
      else if (const char *v = value("--dict="))
        options.dict = v;
      else if (const char *v = value("--artifact="))
        options.artifact = v;
      else if (arg.compare(0, 2, "--") == 0)
        fail(arg);
      else
        options.paths.push_back(arg);
    } catch (const std::exception &) {
      fail(arg);
    }
  }
  if (options.paths.empty() || options.timeout == 0 || !(options.seconds >= 0))
    fail(options.paths.empty() ? "(no PATH)" : "--timeout or --seconds");
  return options;
}

} // namespace

/// Replays the files, then their mutations; prints one summary line.
int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);
  artifactPath = options.artifact.c_str();
  for (int sig : {SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGBUS, SIGALRM})
    std::signal(sig, onFatalSignal);

  auto start = std::chrono::steady_clock::now();
  std::vector<std::pair<std::string, std::string>> inputs = readInputs(options.paths);
  if (inputs.empty()) {
    std::cerr << "replay: no input files\n";
    return 2;
  }
  if (options.first == 0)
    for (const auto &[file, bytes] : inputs)
      runOne(bytes, "file " + file, options.timeout);

  std::vector<std::string> dict;
  if (!options.dict.empty())
    dict = readDictionary(options.dict);
  std::mt19937_64 rng(options.seed);
  uint64_t done = 0;
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  for (; done < options.mutations && elapsed() < options.seconds; ++done) {
    const std::string &base = inputs[rng() % inputs.size()].second;
    const std::string &other = inputs[rng() % inputs.size()].second;
    std::string input = mutate(base, other, dict, rng);
    if (done < options.first)
      continue;
    runOne(input,
           "mutation #" + std::to_string(done) + " of --seed=" + std::to_string(options.seed),
           options.timeout);
  }
  std::cout << "replay: " << inputs.size() << " files and " << done << " mutations (seed "
            << options.seed << ") in " << static_cast<int>(elapsed()) << " s: no crash\n";
  return 0;
}
