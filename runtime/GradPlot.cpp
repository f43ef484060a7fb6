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
#include "runtime/SvgPlot.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace netc::runtime {

namespace {

/// The layer of a parameter: its name up to the last '.', or the whole name.
std::string layerOf(const std::string &param) {
  size_t dot = param.rfind('.');
  return dot == std::string::npos || dot == 0 ? param : param.substr(0, dot);
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

} // namespace

std::string drawGradPanels(const std::string &model, const std::vector<GradStatsStep> &steps,
                           const std::vector<std::pair<uint64_t, double>> &losses, double top,
                           bool withLoss, double &bottom) {
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

  svg::Frame norm{84, top, 546, 300, double(first), double(last), 0, 1, true};
  svg::range(norms, true, norm.lo, norm.hi);
  svg::Frame lossFrame{84, top + 370, 546, 160, double(first), double(last), 0, 1, false};
  svg::range(lossValues, false, lossFrame.lo, lossFrame.hi);
  double legendBottom = norm.y + 16.0 * double(series.size()) + 10;
  bottom = std::max((withLoss ? lossFrame.y + lossFrame.h : norm.y + norm.h) + 45, legendBottom);

  std::string out = svg::axes(norm, model + ": gradient L2 norm per layer (log scale)",
                              "||gradient||");
  out += "<g class=\"layers\">\n";
  for (size_t i = 0; i < series.size(); ++i) {
    const Series &s = series[i];
    std::string stepsText, normsText;
    for (size_t k = 0; k < s.steps.size(); ++k) {
      stepsText += (k ? " " : "") + std::to_string(s.steps[k]);
      normsText += formatString(k ? " %.6g" : "%.6g", s.norms[k]);
    }
    svg::Pen pen{svg::colour(i, series.size())};
    out += svg::line(norm, s.steps, s.norms,
                     "class=\"layer\" data-layer=\"" + svg::escape(s.layer) +
                         "\" data-steps=\"" + stepsText + "\" data-norms=\"" + normsText + "\"",
                     pen);
    out += svg::legendEntry(650, norm.y + 8 + 16.0 * double(i), pen, s.layer);
  }
  out += "</g>\n";
  if (withLoss) {
    out += svg::axes(lossFrame, "loss", "loss");
    out += svg::line(lossFrame, lossSteps, lossValues, "class=\"loss\"", svg::Pen{"#222"});
  }
  return out;
}

std::string drawGradStats(const std::string &model, const std::vector<GradStatsStep> &steps,
                          const std::vector<std::pair<uint64_t, double>> &losses) {
  double height = 0;
  std::string panels = drawGradPanels(model, steps, losses, 50, true, height);
  return svg::header(860, height, model + ": gradient norms per layer and loss") + panels +
         "</svg>\n";
}

} // namespace netc::runtime
