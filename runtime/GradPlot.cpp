//===- GradPlot.cpp - --plot: gradient norms and loss drawn as SVG --------===//
//
// Two panels sharing the step axis: above, one line per layer with the L2
// norm of the layer's gradient (all its parameters together) on a log
// scale, coloured from the first layer (dark blue) to the last (orange), so
// that a vanishing gradient shows as a fan of lines decades apart; below,
// the loss of every step. Each layer's path carries its name and the values
// it draws (data-layer, data-steps, data-norms) for tools and tests.
//
//===----------------------------------------------------------------------===//

#include "runtime/GradStats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace netc::runtime {

namespace {

/// `text` escaped for XML character data and attribute values.
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

/// The layer of a parameter: its name up to the last '.', or the whole name.
std::string layerOf(const std::string &param) {
  size_t dot = param.rfind('.');
  return dot == std::string::npos || dot == 0 ? param : param.substr(0, dot);
}

/// The colour of layer `i` of `n`: tab10 up to ten layers, else a ramp from
/// dark blue through magenta to orange in layer order.
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

/// One layer's line: its steps and gradient norms.
struct Series {
  std::string layer;
  std::vector<uint64_t> steps;
  std::vector<double> norms;
};

/// The layers in order of first appearance, each with its norm per measured step.
std::vector<Series> layerSeries(const std::vector<GradStatsStep> &steps) {
  std::vector<Series> series;
  std::map<std::string, size_t> index;
  for (const GradStatsStep &s : steps) {
    std::map<size_t, double> squares;
    for (const GradStat &p : s.params) {
      auto [it, added] = index.emplace(layerOf(p.param), series.size());
      if (added)
        series.push_back({it->first, {}, {}});
      squares[it->second] += p.gradNorm * p.gradNorm;
    }
    for (auto [k, sq] : squares) {
      series[k].steps.push_back(s.step);
      series[k].norms.push_back(std::sqrt(sq));
    }
  }
  return series;
}

/// A plotting frame: the page rectangle and the data ranges it maps.
struct Frame {
  double x, y, w, h;
  double step0, step1, lo, hi;
  bool log;

  double px(double step) const {
    return x + (step1 > step0 ? (step - step0) / (step1 - step0) * w : w / 2);
  }
  double py(double v) const {
    double a = log ? std::log10(v) : v;
    return y + h - (hi > lo ? (a - lo) / (hi - lo) * h : h / 2);
  }
};

/// Round ticks over [lo, hi]: 1, 2 or 5 times a power of ten, about `count` of them.
std::vector<double> ticks(double lo, double hi, int count) {
  double span = hi > lo ? hi - lo : 1, raw = span / count;
  double unit = std::pow(10, std::floor(std::log10(raw)));
  double step = unit * (raw / unit >= 5 ? 5 : raw / unit >= 2 ? 2 : 1);
  std::vector<double> out;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push_back(std::fabs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/// The frame, its grid and its axes' labels; `yLabel` of the value axis.
std::string axes(const Frame &f, const std::string &title, const std::string &yLabel) {
  std::string svg = formatString("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                 "fill=\"#fcfcfc\" stroke=\"#333\"/>\n",
                                 f.x, f.y, f.w, f.h);
  svg += formatString("<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" font-weight=\"bold\">", f.x,
                      f.y - 10) +
         escape(title) + "</text>\n";
  svg += "<g class=\"grid\" stroke=\"#e2e2e2\" stroke-width=\"0.6\" font-size=\"10\" "
         "fill=\"#555\">\n";
  std::vector<double> values;
  if (f.log) // every decade, or every k-th where there are many
    for (double t = f.lo, k = std::ceil((f.hi - f.lo) / 8); t <= f.hi; t += k)
      values.push_back(t);
  else
    values = ticks(f.lo, f.hi, 4);
  for (double t : values) {
    double y = f.y + f.h - (f.hi > f.lo ? (t - f.lo) / (f.hi - f.lo) * f.h : f.h / 2);
    svg += formatString("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", f.x, y,
                        f.x + f.w, y);
    svg += formatString(
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" stroke=\"none\">%s</text>\n", f.x - 5,
        y + 3, f.log ? formatString("1e%d", int(t)).c_str() : formatString("%g", t).c_str());
  }
  for (double t : ticks(double(f.step0), double(f.step1), 8)) {
    if (std::fabs(t - std::round(t)) > 1e-6)
      continue;
    t = std::round(t);
    double x = f.px(t);
    svg += formatString("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, f.y, x,
                        f.y + f.h);
    svg += formatString(
        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" stroke=\"none\">%g</text>\n", x,
        f.y + f.h + 13, t);
  }
  svg += "</g>\n";
  svg += formatString("<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#333\" "
                      "transform=\"rotate(-90 %.1f %.1f)\" text-anchor=\"middle\">",
                      f.x - 56, f.y + f.h / 2, f.x - 56, f.y + f.h / 2) +
         escape(yLabel) + "</text>\n";
  svg += formatString("<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#333\" "
                      "text-anchor=\"middle\">step</text>\n",
                      f.x + f.w / 2, f.y + f.h + 28);
  return svg;
}

/// A path through the points (a gap at each value that cannot be drawn)
/// and a dot at each point when there are few.
std::string line(const Frame &f, const std::vector<uint64_t> &steps,
                 const std::vector<double> &values, const std::string &attrs,
                 const std::string &stroke) {
  std::string d, dots;
  bool pen = false;
  for (size_t i = 0; i < steps.size(); ++i) {
    bool drawable = std::isfinite(values[i]) && (!f.log || values[i] > 0);
    if (!drawable) {
      pen = false;
      continue;
    }
    double x = f.px(double(steps[i])), y = f.py(values[i]);
    d += formatString("%s%.1f %.1f", pen ? " L" : (d.empty() ? "M" : " M"), x, y);
    pen = true;
    if (steps.size() <= 60)
      dots += formatString("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\"/>", x, y,
                           stroke.c_str());
  }
  return "<path " + attrs + " d=\"" + d + "\" fill=\"none\" stroke=\"" + stroke +
         "\" stroke-width=\"1.6\"/>\n" + (dots.empty() ? "" : dots + "\n");
}

/// The range [lo, hi] of the drawable values, widened when empty or a single value.
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

} // namespace

std::string drawGradStats(const std::string &model, const std::vector<GradStatsStep> &steps,
                          const std::vector<std::pair<uint64_t, double>> &losses) {
  std::vector<Series> series = layerSeries(steps);
  uint64_t first = steps.empty() ? 1 : steps.front().step, last = first;
  std::vector<double> norms, lossValues;
  std::vector<uint64_t> lossSteps;
  for (const Series &s : series)
    norms.insert(norms.end(), s.norms.begin(), s.norms.end());
  for (auto [step, loss] : losses) {
    lossSteps.push_back(step);
    lossValues.push_back(loss);
    first = std::min(first, step);
    last = std::max(last, step);
  }
  for (const GradStatsStep &s : steps)
    last = std::max(last, s.step);

  Frame top{84, 50, 546, 300, double(first), double(last), 0, 1, true};
  range(norms, true, top.lo, top.hi);
  Frame bottom{84, 420, 546, 160, double(first), double(last), 0, 1, false};
  range(lossValues, false, bottom.lo, bottom.hi);
  double legendBottom = top.y + 16.0 * double(series.size()) + 10;
  double height = std::max(bottom.y + bottom.h + 45, legendBottom);

  std::string svg = formatString("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" "
                                 "height=\"%.0f\" viewBox=\"0 0 860 %.0f\" "
                                 "font-family=\"Helvetica, Arial, sans-serif\">\n",
                                 height, height);
  svg += "<title>" + escape(model) + ": gradient norms per layer and loss</title>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += axes(top, model + ": gradient L2 norm per layer (log scale)", "||gradient||");
  svg += "<g class=\"layers\">\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const Series &s = series[i];
    std::string stepsText, normsText;
    for (size_t k = 0; k < s.steps.size(); ++k) {
      stepsText += (k ? " " : "") + std::to_string(s.steps[k]);
      normsText += formatString(k ? " %.6g" : "%.6g", s.norms[k]);
    }
    std::string c = colour(i, series.size());
    svg += line(top, s.steps, s.norms,
                "class=\"layer\" data-layer=\"" + escape(s.layer) + "\" data-steps=\"" + stepsText +
                    "\" data-norms=\"" + normsText + "\"",
                c);
    double ly = top.y + 8 + 16.0 * double(i);
    svg += formatString("<g class=\"legend\"><line x1=\"650\" y1=\"%.1f\" x2=\"672\" y2=\"%.1f\" "
                        "stroke=\"%s\" stroke-width=\"2.5\"/><text x=\"678\" y=\"%.1f\" "
                        "font-size=\"11\">",
                        ly, ly, c.c_str(), ly + 4) +
           escape(s.layer) + "</text></g>\n";
  }
  svg += "</g>\n";
  svg += axes(bottom, "loss", "loss");
  svg += line(bottom, lossSteps, lossValues, "class=\"loss\"", "#222");
  return svg + "</svg>\n";
}

} // namespace netc::runtime
