//===- HostTune.cpp - what this host's multiply-add units measure ---------===//

#include "codegen/Schedules/HostTune.h"

#include "codegen/CacheDir.h"
#include "codegen/Codegen.h"
#include "codegen/HalideInfo.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NETC_MEASURES_AVX512 1
#endif

namespace netc::codegen {

namespace {

constexpr const char *kLanesKey = "f32-lanes";

#ifdef NETC_MEASURES_AVX512
// The benchmark is compiled for AVX-512 whatever netc is built for, and runs
// only where the CPU has it. Its 256-bit half may then use EVEX encodings,
// which execute as the same 256-bit multiply-adds.
#define NETC_AVX512 __attribute__((target("avx512f,fma")))

NETC_AVX512 inline __m256 splat(__m256, float x) { return _mm256_set1_ps(x); }
NETC_AVX512 inline __m512 splat(__m512, float x) { return _mm512_set1_ps(x); }
NETC_AVX512 inline __m256 fma(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }
NETC_AVX512 inline __m512 fma(__m512 a, __m512 b, __m512 c) { return _mm512_fmadd_ps(a, b, c); }
NETC_AVX512 inline float first(__m256 v) { return _mm256_cvtss_f32(v); }
NETC_AVX512 inline float first(__m512 v) { return _mm512_cvtss_f32(v); }

/// Independent multiply-add chains: more than latency (4 cycles) times
/// units (2) of them keep every unit busy, and with two constants they fit
/// the 16 registers of AVX2.
constexpr int kChains = 12;
constexpr long kIterations = 1 << 21;

/// Seconds for kIterations rounds of kChains multiply-adds of V.
template <class V> NETC_AVX512 double timeChains() {
  V acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = splat(V(), static_cast<float>(i));
  // Values converge to 1 without denormals or overflow.
  V a = splat(V(), 0.999999f), b = splat(V(), 1e-6f);
  auto start = std::chrono::steady_clock::now();
  for (long n = 0; n < kIterations; ++n)
    for (int i = 0; i < kChains; ++i)
      acc[i] = fma(acc[i], a, b);
  auto end = std::chrono::steady_clock::now();
  float sum = 0;
  for (int i = 0; i < kChains; ++i)
    sum += first(acc[i]);
  // Keeps the chains alive: their sum is never below 0.
  volatile float sink = sum;
  (void)sink;
  return std::chrono::duration<double>(end - start).count();
}
#undef NETC_AVX512
#endif

/// `text` with every character unsafe in a file name replaced by '_'.
std::string sanitised(const std::string &text) {
  std::string out;
  for (char c : text) {
    bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    if (!safe && !out.empty() && out.back() == '_')
      continue;
    out += safe ? c : '_';
  }
  return out;
}

/// The CPU's model name from /proc/cpuinfo, or "cpu" where there is none.
std::string cpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0)
      continue;
    size_t colon = line.find(':');
    if (colon != std::string::npos && colon + 2 <= line.size())
      return line.substr(colon + 2);
  }
  return "cpu";
}

/// The cache's tuning of this host, measured (and stored) when `remeasure`
/// or when the cache has none for this version.
HostTuning cachedTuning(bool remeasure) {
  std::string dir = cacheSubdir("tune");
  std::string path = dir.empty() ? "" : dir + "/" + hostTuneFileName();
  if (!remeasure && !path.empty())
    if (std::optional<HostTuning> stored = readTuneFile(path, NETC_VERSION))
      return *stored;
  HostTuning measured = measureHost();
  // A cache that cannot be written costs the next compilation a measurement.
  if (!path.empty())
    (void)writeTuneFile(path, NETC_VERSION, measured);
  return measured;
}

} // namespace

bool writeFileAtomically(const std::string &path, const std::string &text) {
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      return false;
    }
  }
  // Readers see the old file or the new one, never a half-written one.
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return false;
  }
  return true;
}

bool writeTuneFile(const std::string &path, const std::string &version, HostTuning tuning) {
  std::ostringstream out;
  out << "# netc's measurement of this host's multiply-add width (netc --tune)\n"
      << "version " << version << "\n"
      << "cpu " << cpuModelName() << "\n"
      << "host " << halideHostTarget() << "\n"
      << kLanesKey << " "
      << (tuning.f32Lanes > 0 ? std::to_string(tuning.f32Lanes) : std::string("none")) << "\n";
  return writeFileAtomically(path, out.str());
}

std::optional<HostTuning> readTuneFile(const std::string &path, const std::string &version) {
  std::ifstream in(path);
  if (!in)
    return std::nullopt;
  std::optional<std::string> fileVersion, lanes;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    size_t space = line.find(' ');
    if (space == std::string::npos)
      return std::nullopt;
    std::string key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "version")
      fileVersion = value;
    else if (key == kLanesKey)
      lanes = value;
  }
  if (!fileVersion || *fileVersion != version || !lanes)
    return std::nullopt;
  if (*lanes == "none")
    return HostTuning{0};
  // A power of two that a vector register holds.
  for (int n = 1; n <= 64; n *= 2)
    if (*lanes == std::to_string(n))
      return HostTuning{n};
  return std::nullopt;
}

std::string hostTuneFileName() {
  return sanitised(cpuModelName() + "-" + halideHostTarget()) + ".txt";
}

HostTuning measureHost() {
#ifdef NETC_MEASURES_AVX512
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("fma"))
    return HostTuning{0};
  // The first runs wake the wide units (some CPUs power them up on first
  // use) and raise the clock; the best of the runs after them is the one
  // least disturbed by other processes. The widths alternate so that both
  // see the same load.
  (void)timeChains<__m512>();
  (void)timeChains<__m256>();
  double best256 = 1e9, best512 = 1e9;
  for (int repeat = 0; repeat < 5; ++repeat) {
    best512 = std::min(best512, timeChains<__m512>());
    best256 = std::min(best256, timeChains<__m256>());
  }
  // Lanes a second at 512 bits over those at 256 bits: 2 at the full rate,
  // 1 where 512-bit multiply-adds run as two halves. Their geometric middle
  // separates the two; a noisy measurement between them keeps the wider.
  double ratio = 2.0 * best256 / best512;
  return HostTuning{ratio > 1.41 ? 16 : 8};
#else
  return HostTuning{0};
#endif
}

int fullRateF32Lanes(TuneMode mode, const std::string &target) {
  // "host" targets and their variants (host-avx2, ...) run here; any other
  // target runs on a CPU this host's measurement says nothing about.
  if (mode == TuneMode::Off || target.rfind("host", 0) != 0 || isGpuTarget(target))
    return 0;
  static std::mutex mutex;
  static std::optional<HostTuning> tuning;
  std::lock_guard<std::mutex> lock(mutex);
  if (!tuning)
    tuning = cachedTuning(mode == TuneMode::Full);
  return tuning->f32Lanes;
}

} // namespace netc::codegen
