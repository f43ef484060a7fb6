//===- SvgPlot.cpp - the drawing helpers of --plot ------------------------===//
//
// Coordinates are written with one decimal: enough for a screen and for
// tests, which read them back to check that larger values sit higher.
//
//===----------------------------------------------------------------------===//

#include "runtime/SvgPlot.h"
#include "runtime/GradStats.h"

#include <algorithm>
#include <cmath>

namespace netc::runtime::svg {

std::string escape(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string colour(size_t i, size_t n) {
  static const char *tab10[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  if (n <= 10)
    return tab10[i];
  static const double ramp[4][3] = {{13, 8, 135}, {126, 3, 168}, {204, 71, 120}, {248, 149, 64}};
  double t = double(i) / double(n - 1) * 3;
  int k = std::min(2, static_cast<int>(t));
  double f = t - k;
  int rgb[3];
  for (int c = 0; c < 3; ++c)
    rgb[c] = static_cast<int>(std::lround(ramp[k][c] + f * (ramp[k + 1][c] - ramp[k][c])));
  return formatString("#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

double Frame::py(double v) const {
  double a = log ? std::log10(v) : v;
  return y + h - (hi > lo ? (a - lo) / (hi - lo) * h : h / 2);
}

/// Round ticks over [lo, hi]: 1, 2 or 5 times a power of ten, about `count` of them.
static std::vector<double> ticks(double lo, double hi, int count) {
  double span = hi > lo ? hi - lo : 1, raw = span / count;
  double unit = std::pow(10, std::floor(std::log10(raw)));
  double step = unit * (raw / unit >= 5 ? 5 : raw / unit >= 2 ? 2 : 1);
  std::vector<double> out;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return out;
}

std::string axes(const Frame &f, const std::string &title, const std::string &yLabel,
                 const std::string &xLabel) {
  std::string out = formatString("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                 "fill=\"#fcfcfc\" stroke=\"#333\"/>\n",
                                 f.x, f.y, f.w, f.h);
  out += formatString("<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" font-weight=\"bold\">", f.x,
                      f.y - 10) +
         escape(title) + "</text>\n";
  out += "<g class=\"grid\" stroke=\"#e2e2e2\" stroke-width=\"0.6\" font-size=\"10\" "
         "fill=\"#555\">\n";
  std::vector<double> values;
  if (f.log) // every decade, or every k-th where there are many
    for (double t = f.lo, k = std::ceil((f.hi - f.lo) / 8); t <= f.hi; t += k)
      values.push_back(t);
  else
    values = ticks(f.lo, f.hi, 4);
  for (double t : values) {
    double y = f.y + f.h - (f.hi > f.lo ? (t - f.lo) / (f.hi - f.lo) * f.h : f.h / 2);
    out += formatString("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", f.x, y,
                        f.x + f.w, y);
    out += formatString(
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" stroke=\"none\">%s</text>\n", f.x - 5,
        y + 3, f.log ? formatString("1e%d", int(t)).c_str() : formatString("%g", t).c_str());
  }
  for (double t : ticks(f.x0, f.x1, 8)) {
    if (std::fabs(t - std::round(t)) > 1e-6)
      continue;
    t = std::round(t);
    double x = f.px(t);
    out += formatString("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, f.y, x,
                        f.y + f.h);
    out += formatString(
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" stroke=\"none\">%g</text>\n", x,
        f.y + f.h + 13, t);
  }
  out += "</g>\n";
  out += formatString("<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#333\" "
                      "transform=\"rotate(-90 %.1f %.1f)\" text-anchor=\"middle\">",
                      f.x - 56, f.y + f.h / 2, f.x - 56, f.y + f.h / 2) +
         escape(yLabel) + "</text>\n";
  out += formatString("<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#333\" "
                      "text-anchor=\"middle\">",
                      f.x + f.w / 2, f.y + f.h + 28) +
         escape(xLabel) + "</text>\n";
  return out;
}

/// The stroke attributes of `pen`.
static std::string strokeOf(const Pen &pen) {
  return formatString("stroke=\"%s\" stroke-width=\"%.1f\"", pen.colour.c_str(), pen.width) +
         (pen.dash.empty() ? "" : " stroke-dasharray=\"" + pen.dash + "\"");
}

std::string line(const Frame &f, const std::vector<uint64_t> &xs,
                 const std::vector<double> &values, const std::string &attrs, const Pen &pen) {
  std::string d, dots;
  bool down = false;
  for (size_t i = 0; i < xs.size(); ++i) {
    bool drawable = std::isfinite(values[i]) && (!f.log || values[i] > 0);
    if (!drawable) {
      down = false;
      continue;
    }
    double x = f.px(double(xs[i])), y = f.py(values[i]);
    d += formatString("%s%.1f %.1f", down ? " L" : (d.empty() ? "M" : " M"), x, y);
    down = true;
    if (xs.size() <= pen.dotsUpTo)
      dots += formatString("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\"/>", x, y,
                           pen.colour.c_str());
  }
  return "<path " + attrs + " d=\"" + d + "\" fill=\"none\" " + strokeOf(pen) + "/>\n" +
         (dots.empty() ? "" : dots + "\n");
}

void range(const std::vector<double> &values, bool log, double &lo, double &hi) {
  lo = INFINITY, hi = -INFINITY;
  for (double v : values)
    if (std::isfinite(v) && (!log || v > 0)) {
      lo = std::min(lo, log ? std::log10(v) : v);
      hi = std::max(hi, log ? std::log10(v) : v);
    }
  if (lo > hi)
    lo = 0, hi = 1;
  if (log)
    lo = std::floor(lo), hi = std::max(std::ceil(hi), lo + 1);
  else if (hi - lo < 1e-12)
    lo -= 0.5, hi += 0.5;
}

std::string legendEntry(double x, double y, const Pen &pen, const std::string &label) {
  Pen wide = pen;
  wide.width = std::max(pen.width, 2.5);
  return formatString("<g class=\"legend\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                      "y2=\"%.1f\" ",
                      x, y, x + 22, y) +
         strokeOf(wide) + formatString("/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">", x + 28,
                                       y + 4) +
         escape(label) + "</text></g>\n";
}

std::string header(double width, double height, const std::string &title) {
  return formatString("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
                      "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                      "font-family=\"Helvetica, Arial, sans-serif\">\n",
                      width, height, width, height) +
         "<title>" + escape(title) + "</title>\n" +
         "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
}

} // namespace netc::runtime::svg
