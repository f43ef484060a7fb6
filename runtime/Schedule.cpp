//===- Schedule.cpp - the learning rate of every train step ---------------===//

#include "runtime/Schedule.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace netc::runtime {

bool parsePositiveInteger(const std::string &text, uint64_t &value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  errno = 0;
  value = std::strtoull(text.c_str(), nullptr, 10);
  return errno != ERANGE && value > 0;
}

bool parseNumber(const std::string &text, double &value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])))
    return false;
  char *end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return *end == '\0' && errno != ERANGE && std::isfinite(value);
}

bool Schedule::parse(const std::string &text, std::string &error) {
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma - start);
    Part part{Part::Cosine};
    size_t colon = item.find(':');
    std::string head = item.substr(0, colon);
    std::string rest = colon == std::string::npos ? "" : item.substr(colon + 1);
    bool ok = false;
    if (item == "cosine") {
      ok = true;
    } else if (head == "warmup") {
      part.kind = Part::Warmup;
      ok = parsePositiveInteger(rest, part.n);
    } else if (head == "step") {
      part.kind = Part::Step;
      size_t second = rest.find(':');
      ok = second != std::string::npos && parsePositiveInteger(rest.substr(0, second), part.n) &&
           parseNumber(rest.substr(second + 1), part.gamma) && part.gamma > 0;
    }
    if (!ok) {
      error = "--schedule: '" + item +
              "' is not step:N:G (G > 0), cosine or warmup:N (N >= 1); parts are separated "
              "by commas (warmup:100,cosine)";
      return false;
    }
    parts.push_back(part);
    if (comma == std::string::npos)
      return true;
    start = comma + 1;
  }
}

double Schedule::factor(uint64_t step, uint64_t epoch, uint64_t total) const {
  constexpr double kPi = 3.14159265358979323846;
  double f = 1;
  for (const Part &p : parts) {
    switch (p.kind) {
    case Part::Step:
      f *= std::pow(p.gamma, static_cast<double>(epoch / p.n));
      break;
    case Part::Cosine:
      f *= total > 0 ? (1 + std::cos(kPi * double(step) / double(total))) / 2 : 1;
      break;
    case Part::Warmup:
      f *= step < p.n ? double(step + 1) / double(p.n) : 1;
      break;
    }
  }
  return f;
}

} // namespace netc::runtime
