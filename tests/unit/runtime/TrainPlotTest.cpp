//===- TrainPlotTest.cpp - the SVG of --plot for a training run -----------===//
//
// Reads the drawing back: every series is there with one point per value,
// larger values sit higher (smaller y) and later steps further right, the
// legend names the validation metrics, names are escaped, and the loss
// switches to a log scale when it spans decades.
//
//===----------------------------------------------------------------------===//

#include "runtime/GradStats.h"
#include "runtime/TrainHistory.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string>
#include <vector>

using namespace netc::runtime;

namespace {

/// The points of the path whose class is `cls` (and the first one only).
std::vector<std::pair<double, double>> pathPoints(const std::string &svg, const std::string &cls) {
  std::smatch m;
  std::regex re("<path class=\"" + cls + "\"[^>]* d=\"([^\"]*)\"");
  std::vector<std::pair<double, double>> points;
  if (!std::regex_search(svg, m, re))
    return points;
  std::regex point("[ML]([-0-9.]+) ([-0-9.]+)");
  std::string d = m[1];
  for (auto it = std::sregex_iterator(d.begin(), d.end(), point); it != std::sregex_iterator();
       ++it)
    points.push_back({std::stod((*it)[1]), std::stod((*it)[2])});
  return points;
}

/// Expects point i of `points` to be drawn for `values[i]` at increasing x:
/// a larger value is higher on the page.
void expectMonotone(const std::vector<std::pair<double, double>> &points,
                    const std::vector<double> &values) {
  ASSERT_EQ(points.size(), values.size());
  for (size_t i = 1; i < points.size(); ++i) {
    EXPECT_GT(points[i].first, points[i - 1].first) << i;
    for (size_t j = 0; j < i; ++j)
      if (values[i] != values[j])
        EXPECT_EQ(values[i] > values[j], points[i].second < points[j].second) << i << " " << j;
  }
}

/// A run of `epochs` epochs of 5 steps each; the loss falls from `loss0` by
/// `factor` per step, with a bump so that it is not monotone.
TrainHistory makeHistory(int epochs, double loss0, double factor, bool val) {
  TrainHistory h;
  h.model = "m<1>&co";
  h.metrics = {"accuracy", "i<u"};
  double loss = loss0;
  for (int e = 1; e <= epochs; ++e) {
    double sum = 0;
    for (int s = 1; s <= 5; ++s) {
      uint64_t step = uint64_t((e - 1) * 5 + s);
      double v = step == 7 ? loss * 1.5 : loss;
      h.stepLoss.push_back({step, v});
      sum += v;
      loss *= factor;
    }
    EpochRecord r;
    r.epoch = uint64_t(e);
    r.step = uint64_t(e * 5);
    r.trainLoss = sum / 5;
    r.trainMetrics = {0.5 + 0.1 * e, 0.2 + 0.05 * e * e};
    r.hasVal = val;
    if (val) {
      r.valLoss = r.trainLoss * (e == 2 ? 1.4 : 1.1);
      r.valMetrics = {0.45 + 0.1 * e - (e == 3 ? 0.2 : 0), 0.1 * e};
    }
    h.epochs.push_back(r);
  }
  return h;
}

std::vector<double> stepValues(const TrainHistory &h) {
  std::vector<double> v;
  for (auto [step, loss] : h.stepLoss)
    v.push_back(loss);
  return v;
}

TEST(TrainPlotTest, EverySeriesIsDrawnInOrder) {
  TrainHistory h = makeHistory(4, 2.0, 0.97, true);
  std::string svg = drawTraining(h, {});
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  expectMonotone(pathPoints(svg, "step-loss"), stepValues(h));
  std::vector<double> train, val, acc, valAcc, iou;
  for (const EpochRecord &e : h.epochs) {
    train.push_back(e.trainLoss), val.push_back(e.valLoss);
    acc.push_back(e.trainMetrics[0]), valAcc.push_back(e.valMetrics[0]);
    iou.push_back(e.trainMetrics[1]);
  }
  expectMonotone(pathPoints(svg, "epoch-loss train"), train);
  expectMonotone(pathPoints(svg, "epoch-loss val"), val);
  expectMonotone(pathPoints(svg, "metric train\" data-metric=\"accuracy"), acc);
  expectMonotone(pathPoints(svg, "metric val\" data-metric=\"accuracy"), valAcc);
  expectMonotone(pathPoints(svg, "metric train\" data-metric=\"i&lt;u"), iou);
  // Legend entries, axes and escaped names.
  for (const char *text : {">loss per step</text>", ">val_loss</text>", ">accuracy</text>",
                           ">val_accuracy</text>", ">val_i&lt;u</text>", ">epoch</text>",
                           ">step</text>", "m&lt;1&gt;&amp;co: loss"})
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  EXPECT_EQ(svg.find("m<1>"), std::string::npos);
  EXPECT_EQ(svg.find("i<u"), std::string::npos);
  EXPECT_EQ(svg.find("log scale"), std::string::npos);
  EXPECT_EQ(svg.find("class=\"layer\""), std::string::npos);
}

TEST(TrainPlotTest, WithoutValidationThereIsNoValidationSeries) {
  std::string svg = drawTraining(makeHistory(3, 1.0, 0.9, false), {});
  EXPECT_EQ(pathPoints(svg, "epoch-loss train").size(), 3u);
  EXPECT_EQ(svg.find("val_"), std::string::npos);
  EXPECT_EQ(svg.find("class=\"metric val"), std::string::npos);
}

TEST(TrainPlotTest, LossSpanningDecadesIsDrawnOnALogScale) {
  TrainHistory h = makeHistory(4, 10.0, 0.6, true);
  std::string svg = drawTraining(h, {});
  EXPECT_NE(svg.find("loss (log scale)"), std::string::npos);
  EXPECT_NE(svg.find(">1e-4</text>"), std::string::npos) << svg.substr(0, 3000);
  expectMonotone(pathPoints(svg, "step-loss"), stepValues(h));
  // Equal ratios are equal distances on a log scale.
  auto p = pathPoints(svg, "step-loss");
  EXPECT_NEAR(p[2].second - p[1].second, p[5].second - p[4].second, 0.15);
}

TEST(TrainPlotTest, GradientPanelsFollowTheCurves) {
  std::vector<GradStatsStep> steps(2);
  steps[0].step = 1, steps[1].step = 10;
  for (GradStatsStep &s : steps)
    s.params = {{"fc<1>.w", 0.5 * double(s.step), 1, 0.01}, {"fc2.w", 0.01, 1, 0.001}};
  std::string svg = drawTraining(makeHistory(2, 1.0, 0.9, true), steps);
  EXPECT_NE(svg.find("data-layer=\"fc&lt;1&gt;\""), std::string::npos);
  EXPECT_NE(svg.find("data-layer=\"fc2\""), std::string::npos);
  // Below the metric panels.
  EXPECT_GT(svg.find("class=\"layer\""), svg.find("data-metric=\"i&lt;u\""));
  // The page grows to hold them: the gradient panel starts below the last metric panel.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("height=\"([0-9]+)\"")));
  std::regex rectY("<rect x=\"[0-9.]+\" y=\"([0-9.]+)\" width=\"[0-9.]+\" height=\"([0-9.]+)\"");
  std::vector<double> tops;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), rectY); it != std::sregex_iterator();
       ++it)
    tops.push_back(std::stod((*it)[1]) + std::stod((*it)[2]));
  ASSERT_EQ(tops.size(), 4u); // loss, two metrics, gradient norms
  EXPECT_TRUE(std::is_sorted(tops.begin(), tops.end()));
  EXPECT_GT(std::stod(m[1]), tops.back());
}

TEST(TrainPlotTest, AnEmptyRunStillDrawsAValidPage) {
  TrainHistory h;
  h.model = "empty";
  std::string svg = drawTraining(h, {});
  EXPECT_NE(svg.find("empty: loss"), std::string::npos);
  EXPECT_TRUE(pathPoints(svg, "step-loss").empty());
  EXPECT_EQ(svg.find("nan"), std::string::npos);
}

} // namespace
