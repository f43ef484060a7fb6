//===- ReceptiveFieldSvg.cpp - --emit=rf-svg ------------------------------===//
//
// Draws, for each model, the receptive field of the centre output pixel of
// every layer on the plane of the image input, as the figures of Araujo,
// Norris and Sim (Distill, 2019) do: nested rectangles over the input's
// pixel grid, the padding outside the input hatched, and beside them one
// callout per rectangle with the layer's names, op and line, its size,
// effective stride and padding, the output pixel drawn and the input rows
// and columns it sees. When the fields are small against the input the
// figure zooms in on them and a thumbnail shows where the view lies.
//
// The geometry comes from the `nn.rf` attributes of nn-receptive-field. Along
// an axis a value of geometry (r, j, p) maps output pixel i to the input
// indices [i j - p, i j - p + r - 1]; the pixel drawn for each value is the
// one whose window is centred nearest the centre of the input, so the
// rectangles of a chain of layers nest. Values with the same window and
// alignment (a conv and the relu after it) share one rectangle.
//
//===----------------------------------------------------------------------===//

#include "ir/Names.h"
#include "ir/Signature.h"
#include "ir/Queries.h"
#include "reports/Reports.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace mlir;
namespace nn = netc::nn;

namespace {

/// One rectangle: the values that share a window, and that window.
struct Field {
  std::vector<std::string> names, ops;
  unsigned line = 0;
  bool aligned = true;
  /// [H, W] each: the geometry, the output pixel drawn and its window's
  /// first input index.
  int64_t size[2] = {1, 1}, stride[2] = {1, 1}, padding[2] = {0, 0};
  int64_t pixel[2] = {0, 0}, first[2] = {0, 0};
  /// 1-based number in program order.
  unsigned number = 0;

  int64_t last(int axis) const { return first[axis] + size[axis] - 1; }
};

/// What one model's figure shows.
struct Figure {
  std::string model, input;
  std::vector<int64_t> inputShape;
  /// The input's spatial extent [H, W].
  int64_t extent[2] = {0, 0};
  std::vector<Field> fields;
  /// Values that see the whole input, and values relative to another input.
  std::vector<std::string> global, elsewhere;
};

/// "HxW" of two numbers.
std::string pairText(const int64_t v[2]) {
  return std::to_string(v[0]) + "x" + std::to_string(v[1]);
}

/// The names joined with ", ", at most three and then "...".
std::string joined(const std::vector<std::string> &names) {
  std::string text;
  for (auto [i, n] : llvm::enumerate(names)) {
    if (i == 3)
      return text + ", ...";
    text += (i ? ", " : "") + n;
  }
  return text;
}


/// The output pixel along one axis whose window (size r, stride j, padding
/// p) is centred nearest the centre of an input of `inputSize`, clamped to
/// the `outputSize` pixels (if known, > 0); ties go to the lower index. In
/// halves: the centre of pixel i's window is (2ij - 2p + r - 1) / 2, the
/// input's (n - 1) / 2.
int64_t centrePixel(int64_t r, int64_t j, int64_t p, int64_t inputSize, int64_t outputSize) {
  int64_t target = inputSize + 2 * p - r; // 2ij should be nearest this
  int64_t low = target >= 0 ? target / (2 * j) : -((-target + 2 * j - 1) / (2 * j));
  int64_t pixel =
      std::llabs(2 * (low + 1) * j - target) < std::llabs(2 * low * j - target) ? low + 1 : low;
  if (outputSize > 0)
    pixel = std::min(pixel, outputSize - 1);
  return std::max<int64_t>(pixel, 0);
}

/// The index of the function argument marked `nn.input = name`, or -1.
int inputIndex(func::FuncOp fn, StringRef name) {
  for (BlockArgument arg : fn.getArguments())
    if (auto attr = nn::argName(fn, arg.getArgNumber(), nn::ArgRole::Input))
      if (attr.getValue() == name)
        return arg.getArgNumber();
  return -1;
}

/// Collects the figure of one function; an error at the op when an `nn.rf`
/// attribute is malformed.
FailureOr<Figure> collect(func::FuncOp fn) {
  Figure figure;
  figure.model = fn.getSymName().str();
  // The figure's input: that of the first value with a receptive field.
  fn.walk([&](Operation *op) {
    if (auto rf = op->getAttrOfType<DictionaryAttr>("nn.rf"); rf && figure.input.empty())
      if (auto input = rf.getAs<StringAttr>("input"))
        figure.input = input.getValue().str();
  });
  int index = inputIndex(fn, figure.input);
  if (index < 0)
    return figure;
  auto type = dyn_cast<RankedTensorType>(fn.getArgument(index).getType());
  if (!type || type.getRank() < 2)
    return figure;
  figure.inputShape.assign(type.getShape().begin(), type.getShape().end());
  figure.extent[0] = type.getShape()[type.getRank() - 2];
  figure.extent[1] = type.getShape()[type.getRank() - 1];

  WalkResult walked = fn.walk([&](Operation *op) {
    auto rf = op->getAttrOfType<DictionaryAttr>("nn.rf");
    if (!rf || op->getNumResults() == 0)
      return WalkResult::advance();
    auto [name, line] = netc::nn::dslSource(op->getLoc());
    std::string opName = op->getName().stripDialect().str();
    if (name.empty())
      name = opName;
    auto input = rf.getAs<StringAttr>("input");
    auto aligned = rf.getAs<BoolAttr>("aligned");
    auto global = rf.getAs<BoolAttr>("global");
    if (input && input.getValue() != figure.input) {
      if (!llvm::is_contained(figure.elsewhere, name))
        figure.elsewhere.push_back(name);
      return WalkResult::advance();
    }
    if (input && global && global.getValue()) {
      if (!llvm::is_contained(figure.global, name))
        figure.global.push_back(name);
      return WalkResult::advance();
    }
    // A fractional geometry (after a transposed convolution or a resize)
    // has no pixel rectangle to draw; the table and the JSON report it.
    if (rf.get("den"))
      return WalkResult::advance();
    auto size = rf.getAs<DenseI64ArrayAttr>("size");
    auto stride = rf.getAs<DenseI64ArrayAttr>("stride");
    auto padding = rf.getAs<DenseI64ArrayAttr>("padding");
    if (!input || !aligned || !size || !stride || !padding || size.size() != 2 ||
        stride.size() != 2 || padding.size() != 2 || stride[0] < 1 || stride[1] < 1) {
      op->emitError() << "malformed 'nn.rf' attribute " << rf;
      return WalkResult::interrupt();
    }
    Field field;
    auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    for (int axis = 0; axis < 2; ++axis) {
      field.size[axis] = size[axis];
      field.stride[axis] = stride[axis];
      field.padding[axis] = padding[axis];
      int64_t outputSize =
          result && result.getRank() >= 2 ? result.getShape()[result.getRank() - 2 + axis] : 0;
      field.pixel[axis] =
          centrePixel(size[axis], stride[axis], padding[axis], figure.extent[axis], outputSize);
      field.first[axis] = field.pixel[axis] * stride[axis] - padding[axis];
    }
    // A value with the window of an earlier one joins its rectangle.
    auto same = llvm::find_if(figure.fields, [&](const Field &f) {
      return f.first[0] == field.first[0] && f.first[1] == field.first[1] &&
             f.size[0] == field.size[0] && f.size[1] == field.size[1] &&
             f.stride[0] == field.stride[0] && f.stride[1] == field.stride[1] &&
             f.aligned == aligned.getValue();
    });
    bool isNew = same == figure.fields.end();
    Field &target = isNew ? figure.fields.emplace_back(field) : *same;
    if (isNew) {
      target.line = line;
      target.number = figure.fields.size();
    }
    target.names.push_back(name);
    if (!llvm::is_contained(target.ops, opName))
      target.ops.push_back(opName);
    target.aligned = aligned.getValue();
    return WalkResult::advance();
  });
  if (walked.wasInterrupted())
    return failure();
  return figure;
}

/// Colours of the rectangles in program order (matplotlib's tab10), dark
/// enough for text on white.
const char *colour(unsigned number) {
  static const char *palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return palette[(number - 1) % 10];
}

/// A square-pixel view of part of the input plane placed on the page.
struct Panel {
  double x = 0, y = 0, scale = 1;
  /// The input indices shown: [first, last + 1) along H and W.
  double view[2][2] = {{0, 1}, {0, 1}};

  /// Page x (axis 1) or y (axis 0) of the pixel boundary `v` along `axis`.
  double at(int axis, double v) const { return (axis ? x : y) + (v - view[axis][0]) * scale; }
  double width() const { return (view[1][1] - view[1][0]) * scale; }
  double height() const { return (view[0][1] - view[0][0]) * scale; }
};

/// Draws one figure at vertical offset `top`; returns its height.
class Painter {
public:
  Painter(const Figure &figure, llvm::raw_ostream &os) : f(figure), os(os) {}

  double draw(double top);

private:
  Panel fit(const std::vector<const Field *> &fields, double side, bool wholeInput) const;
  void drawPlane(const Panel &panel);
  void drawGrid(const Panel &panel);
  void drawFields(const Panel &panel, const std::vector<const Field *> &fields, bool badges);
  double drawCallouts(const Panel &panel);
  double drawOverview(const Panel &view, double x, double y);
  void text(double x, double y, StringRef content, StringRef style = "");

  const Figure &f;
  llvm::raw_ostream &os;
  static constexpr double kPanel = 420, kDetail = 300, kCallout = 56;
};

void Painter::text(double x, double y, StringRef content, StringRef style) {
  os << llvm::format("<text x=\"%.1f\" y=\"%.1f\"", x, y);
  if (!style.empty())
    os << " " << style;
  os << ">" << netc::escapeXML(content) << "</text>\n";
}

/// A panel of longest side `side` showing the windows of `fields` and the
/// input's centre with a margin; with `wholeInput`, the whole input (and any
/// padding the windows reach into) when that is not much larger.
Panel Painter::fit(const std::vector<const Field *> &fields, double side, bool wholeInput) const {
  Panel panel;
  bool cropped = false;
  for (int axis = 0; axis < 2; ++axis) {
    int64_t n = f.extent[axis];
    double lo = (n - 1) / 2.0, hi = (n + 1) / 2.0;
    for (const Field *field : fields) {
      lo = std::min<double>(lo, field->first[axis]);
      hi = std::max<double>(hi, field->last(axis) + 1);
    }
    double margin = std::max(2.0, std::ceil(0.15 * (hi - lo)));
    panel.view[axis][0] = lo - margin;
    panel.view[axis][1] = hi + margin;
    cropped |= hi - lo + 2 * margin < 0.6 * n;
  }
  if (wholeInput && !cropped)
    for (int axis = 0; axis < 2; ++axis) {
      panel.view[axis][0] = std::min(panel.view[axis][0], -1.0);
      panel.view[axis][1] = std::max<double>(panel.view[axis][1], f.extent[axis] + 1);
    }
  panel.scale =
      side / std::max(panel.view[0][1] - panel.view[0][0], panel.view[1][1] - panel.view[1][0]);
  return panel;
}

/// The padding (hatched), the input plane and its grid, the axes' ticks.
void Painter::drawPlane(const Panel &p) {
  os << llvm::format("<rect class=\"padding\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                     "height=\"%.1f\" fill=\"url(#hatch)\" stroke=\"#999\"/>\n",
                     p.x, p.y, p.width(), p.height());
  double x0 = std::max(p.at(1, 0), p.x), x1 = std::min(p.at(1, f.extent[1]), p.x + p.width());
  double y0 = std::max(p.at(0, 0), p.y), y1 = std::min(p.at(0, f.extent[0]), p.y + p.height());
  os << llvm::format("<rect class=\"input\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                     "height=\"%.1f\" fill=\"#f7f7f7\"/>\n",
                     x0, y0, x1 - x0, y1 - y0);
  drawGrid(p);
  // Ticks at round input indices, at least 45 px apart.
  int64_t step = 1;
  for (int64_t m : {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000})
    if ((step = m) * p.scale >= 45)
      break;
  for (int axis = 0; axis < 2; ++axis)
    for (int64_t v = (int64_t)std::ceil(p.view[axis][0] / step) * step; v <= p.view[axis][1];
         v += step) {
      // The first row's tick would collide with the first column's.
      if (v < 0 || v > f.extent[axis] || (axis == 0 && v == p.view[0][0]))
        continue;
      if (axis == 1)
        text(p.at(1, v), p.y - 6, std::to_string(v),
             "class=\"tick\" text-anchor=\"middle\" font-size=\"10\" fill=\"#666\"");
      else
        text(p.x - 6, p.at(0, v) + 3, std::to_string(v),
             "class=\"tick\" text-anchor=\"end\" font-size=\"10\" fill=\"#666\"");
    }
  os << llvm::format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                     "fill=\"none\" stroke=\"#333\"/>\n",
                     x0, y0, x1 - x0, y1 - y0);
}

/// Pixel boundaries every g input pixels, g a power of two at least 5 px apart.
void Painter::drawGrid(const Panel &p) {
  int64_t g = 1;
  while (g * p.scale < 5)
    g *= 2;
  os << "<g class=\"grid\" stroke=\"#e2e2e2\" stroke-width=\"0.6\">\n";
  for (int axis = 0; axis < 2; ++axis) {
    int other = 1 - axis;
    double from = p.at(other, std::max(0.0, p.view[other][0]));
    double to = p.at(other, std::min<double>(f.extent[other], p.view[other][1]));
    for (int64_t v = std::max<int64_t>(0, (int64_t)std::ceil(p.view[axis][0] / g) * g);
         v <= std::min<double>(f.extent[axis], p.view[axis][1]); v += g) {
      double c = p.at(axis, v);
      if (axis == 0)
        os << llvm::format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", from, c, to,
                           c);
      else
        os << llvm::format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", c, from, c,
                           to);
    }
  }
  os << "</g>\n";
}

/// The rectangles, largest first so that smaller ones stay visible, and the
/// input's centre; with `badges`, each rectangle's number in its corner.
void Painter::drawFields(const Panel &p, const std::vector<const Field *> &fields, bool badges) {
  std::vector<const Field *> order(fields);
  llvm::stable_sort(order, [](const Field *a, const Field *b) {
    return a->size[0] * a->size[1] > b->size[0] * b->size[1];
  });
  for (const Field *field : order) {
    double x = p.at(1, field->first[1]), y = p.at(0, field->first[0]);
    double w = field->size[1] * p.scale, h = field->size[0] * p.scale;
    const char *c = colour(field->number);
    os << llvm::format("<rect class=\"rf\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", x,
                       y, w, h)
       << " data-layer=\"" << field->number << "\" data-name=\""
       << netc::escapeXML(joined(field->names))
       << "\" data-rf=\"" << pairText(field->size) << "\" data-stride=\"" << pairText(field->stride)
       << "\" data-padding=\"" << pairText(field->padding) << "\" fill=\"" << c
       << "\" fill-opacity=\"0.13\" stroke=\"" << c << "\" stroke-width=\"2\""
       << (field->aligned ? "" : " stroke-dasharray=\"6 3\"") << ">"
       << "<title>" << netc::escapeXML(joined(field->names)) << ": rf " << pairText(field->size)
       << "</title></rect>\n";
    if (badges)
      text(x + w - 3, y + 11, std::to_string(field->number),
           ("class=\"badge\" text-anchor=\"end\" font-size=\"10\" font-weight=\"bold\" fill=\"" +
            llvm::Twine(c) + "\"")
               .str());
  }
  double cx = p.at(1, f.extent[1] / 2.0), cy = p.at(0, f.extent[0] / 2.0);
  os << llvm::format("<path class=\"centre\" d=\"M%.1f %.1fh6M%.1f %.1fv6\" stroke=\"#000\" "
                     "stroke-width=\"0.8\"/>\n",
                     cx - 3, cy, cx, cy - 3);
}

/// One callout per rectangle beside the panel, topmost rectangle first,
/// joined to the rectangle's top-right corner; returns the column's bottom.
double Painter::drawCallouts(const Panel &p) {
  std::vector<const Field *> order;
  for (const Field &field : f.fields)
    order.push_back(&field);
  llvm::stable_sort(order, [](const Field *a, const Field *b) {
    return a->first[0] < b->first[0] || (a->first[0] == b->first[0] && a->last(1) > b->last(1));
  });
  double right = p.x + p.width(), x = right + 60, y = p.y + 12;
  for (const Field *field : order) {
    const char *c = colour(field->number);
    double cornerX = p.at(1, field->last(1) + 1), cornerY = p.at(0, field->first[0]);
    os << llvm::format("<polyline class=\"leader\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
                       "fill=\"none\" stroke=\"%s\" stroke-width=\"1\"/>\n",
                       cornerX, cornerY, right + 12, cornerY, x - 8, y - 4, c);
    os << llvm::format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", cornerX,
                       cornerY, c);
    std::string title = std::to_string(field->number) + "  " + joined(field->names) + "  (";
    for (auto [i, op] : llvm::enumerate(field->ops))
      title += (i ? ", " : "") + op;
    title += field->line ? "; line " + std::to_string(field->line) + ")" : ")";
    os << "<g class=\"callout\" data-layer=\"" << field->number << "\">\n";
    text(x, y, title,
         ("font-size=\"12.5\" font-weight=\"bold\" fill=\"" + llvm::Twine(c) + "\"").str());
    text(x, y + 16,
         "rf " + pairText(field->size) + ", stride " + pairText(field->stride) + ", padding " +
             pairText(field->padding) + (field->aligned ? "" : " (misaligned)"),
         "class=\"numbers\" font-size=\"12\"");
    text(x, y + 31,
         "pixel (" + std::to_string(field->pixel[0]) + ", " + std::to_string(field->pixel[1]) +
             ") sees rows " + std::to_string(field->first[0]) + ".." +
             std::to_string(field->last(0)) + ", columns " + std::to_string(field->first[1]) +
             ".." + std::to_string(field->last(1)),
         "class=\"window\" font-size=\"11\" fill=\"#555\"");
    os << "</g>\n";
    y += kCallout;
  }
  return y;
}

/// The whole input with the box of `view` and the largest field; returns
/// its bottom.
double Painter::drawOverview(const Panel &view, double x, double y) {
  double s = 130.0 / std::max(f.extent[0], f.extent[1]);
  text(x, y + 12, "the view in the whole input", "font-size=\"11\" fill=\"#444\"");
  y += 20;
  os << "<g class=\"overview\">\n";
  os << llvm::format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                     "fill=\"#f7f7f7\" stroke=\"#333\"/>\n",
                     x, y, f.extent[1] * s, f.extent[0] * s);
  const Field *largest = nullptr;
  for (const Field &field : f.fields)
    if (!largest || field.size[0] * field.size[1] > largest->size[0] * largest->size[1])
      largest = &field;
  os << llvm::format("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                     "fill=\"%s\" fill-opacity=\"0.3\" stroke=\"%s\"/>\n",
                     x + largest->first[1] * s, y + largest->first[0] * s, largest->size[1] * s,
                     largest->size[0] * s, colour(largest->number), colour(largest->number));
  os << llvm::format("<rect class=\"view\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                     "height=\"%.1f\" fill=\"none\" stroke=\"#000\" stroke-dasharray=\"3 2\"/>\n",
                     x + view.view[1][0] * s, y + view.view[0][0] * s,
                     (view.view[1][1] - view.view[1][0]) * s,
                     (view.view[0][1] - view.view[0][0]) * s);
  os << "</g>\n";
  return y + f.extent[0] * s;
}

double Painter::draw(double top) {
  std::string shape;
  for (auto [i, d] : llvm::enumerate(f.inputShape))
    shape += (i ? "x" : "") + std::to_string(d);
  os << "<g class=\"model\" data-model=\"" << netc::escapeXML(f.model) << "\">\n";
  if (f.input.empty() || f.fields.empty()) {
    text(20, top + 24,
         "model '" + f.model + "': no receptive field to draw (" +
             (f.input.empty() ? "no image input" : "every value is global") + ")",
         "font-size=\"14\"");
    os << "</g>\n";
    return 40;
  }
  text(20, top + 24,
       "Receptive fields of model '" + f.model + "' on input '" + f.input + "' (" + shape + ")",
       "class=\"title\" font-size=\"16\" font-weight=\"bold\"");
  text(20, top + 42,
       "the centre output pixel of each layer and the input pixels it sees; hatched: padding; "
       "+: the input's centre",
       "font-size=\"11.5\" fill=\"#555\"");

  std::vector<const Field *> all, small;
  int64_t largest = 0;
  for (const Field &field : f.fields) {
    all.push_back(&field);
    largest = std::max({largest, field.size[0], field.size[1]});
  }
  Panel main = fit(all, kPanel, /*wholeInput=*/true);
  main.x = 70;
  main.y = top + 80;
  os << "<g class=\"panel\" data-view=\"main\">\n";
  drawPlane(main);
  drawFields(main, all, /*badges=*/false);
  os << "</g>\n";
  double bottom = std::max(drawCallouts(main), main.y + main.height());

  // Fields under a quarter of the largest, drawn smaller than 24 px, get a
  // detail view of their own below the main one.
  bool needsDetail = false;
  for (const Field *field : all)
    if (std::max(field->size[0], field->size[1]) * 4 <= largest) {
      small.push_back(field);
      needsDetail |= std::min(field->size[0], field->size[1]) * main.scale < 24;
    }
  double below = main.y + main.height() + 30, next = 70;
  if (needsDetail) {
    Panel detail = fit(small, kDetail, /*wholeInput=*/false);
    detail.x = next;
    detail.y = below + 26;
    text(detail.x, below + 4, "detail: the smaller fields", "font-size=\"11\" fill=\"#444\"");
    os << "<g class=\"panel\" data-view=\"detail\">\n";
    drawPlane(detail);
    drawFields(detail, small, /*badges=*/true);
    os << "</g>\n";
    bottom = std::max(bottom, detail.y + detail.height());
    next += detail.width() + 60;
  }
  if (main.view[0][1] - main.view[0][0] < f.extent[0] ||
      main.view[1][1] - main.view[1][0] < f.extent[1])
    bottom = std::max(bottom, drawOverview(main, next, below - 8));
  double noteY = bottom + 28;
  if (!f.global.empty()) {
    text(20, noteY, "global, seeing the whole input: " + joined(f.global),
         "class=\"note\" font-size=\"11.5\" fill=\"#555\"");
    noteY += 16;
  }
  if (!f.elsewhere.empty()) {
    text(20, noteY, "relative to another input, not drawn: " + joined(f.elsewhere),
         "class=\"note\" font-size=\"11.5\" fill=\"#555\"");
    noteY += 16;
  }
  os << "</g>\n";
  return noteY - top;
}

} // namespace

namespace netc {

mlir::LogicalResult printReceptiveFieldSvg(mlir::ModuleOp module, llvm::raw_ostream &os) {
  std::vector<Figure> figures;
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (fn.isExternal())
      continue;
    FailureOr<Figure> figure = collect(fn);
    if (failed(figure))
      return failure();
    figures.push_back(std::move(*figure));
  }
  if (figures.empty())
    return module.emitError("--emit=rf-svg needs a model, the module has no function");
  // Drawn first into a buffer: the document's height is known only afterwards.
  std::string body;
  llvm::raw_string_ostream bodyOS(body);
  double height = 0, width = 960;
  for (const Figure &figure : figures)
    height += Painter(figure, bodyOS).draw(height) + 10;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
     << llvm::format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                     "viewBox=\"0 0 %.0f %.0f\" font-family=\"Helvetica, Arial, sans-serif\">\n",
                     width, height, width, height)
     << "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
        "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\"/>"
        "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d4d4d4\" stroke-width=\"2\"/>"
        "</pattern></defs>\n"
     << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n"
     << body << "</svg>\n";
  return success();
}

} // namespace netc
