//===- SvgPlot.h - the drawing helpers of --plot ----------------*- C++ -*-===//
//
// Plain C++17. The pieces both SVG drawings of the runtime share (the
// training curves of runtime/TrainPlot.cpp and the gradient panels of
// runtime/GradPlot.cpp): a panel mapping data to page coordinates, its axes
// with ticks and labels, lines through points, legend entries and escaping.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_SVGPLOT_H
#define NETC_RUNTIME_SVGPLOT_H

#include <cstdint>
#include <string>
#include <vector>

namespace netc::runtime::svg {

/// `text` escaped for XML character data and attribute values.
std::string escape(const std::string &text);

/// The colour of series `i` of `n`: tab10 up to ten series, else a ramp from
/// dark blue through magenta to orange.
std::string colour(size_t i, size_t n);

/// A plotting frame: the page rectangle and the data ranges it maps. With
/// `log`, lo and hi are decades (log10 of the values).
struct Frame {
  double x, y, w, h;
  double x0, x1, lo, hi;
  bool log;

  double px(double v) const { return x + (x1 > x0 ? (v - x0) / (x1 - x0) * w : w / 2); }
  double py(double v) const;
};

/// The frame, its title, grid, ticks and the labels of both axes.
std::string axes(const Frame &f, const std::string &title, const std::string &yLabel,
                 const std::string &xLabel = "step");

/// How a line is drawn.
struct Pen {
  std::string colour;
  double width = 1.6;
  /// Dots at the points when there are at most this many.
  size_t dotsUpTo = 60;
  /// Dash pattern ("" for solid).
  std::string dash;
};

/// A path through the points (a gap at each value that cannot be drawn),
/// with `attrs` on the path element.
std::string line(const Frame &f, const std::vector<uint64_t> &xs,
                 const std::vector<double> &values, const std::string &attrs, const Pen &pen);

/// The range [lo, hi] of the drawable values, widened when empty or a single
/// value; with `log`, whole decades.
void range(const std::vector<double> &values, bool log, double &lo, double &hi);

/// One legend entry at (x, y): a short stroke of `pen` and its label.
std::string legendEntry(double x, double y, const Pen &pen, const std::string &label);

/// The <svg> start tag of a `width` x `height` page, with its title and background.
std::string header(double width, double height, const std::string &title);

} // namespace netc::runtime::svg

#endif // NETC_RUNTIME_SVGPLOT_H
