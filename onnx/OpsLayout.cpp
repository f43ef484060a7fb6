//===- OpsLayout.cpp - ONNX DepthToSpace, SpaceToDepth and Einsum ---------===//
//
// DepthToSpace and SpaceToDepth are a reshape to six axes, a permute and a
// reshape back, in the orders ONNX's definitions give. Einsum takes two
// operands whose subscripts are single letters, no ellipsis and no repeated
// letter in one operand: the letters in both operands and the output are
// batch axes, those in both operands only are contracted, the others belong
// to one side; the operands are permuted to [batch, free, contracted] and
// [batch, contracted, free], flattened, multiplied with nn.matmul and put
// back in the output's order. One operand without a summed letter is a permute.
//
//===----------------------------------------------------------------------===//

#include "onnx/OpsBuilder.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>

using namespace mlir;

namespace netc::onnx {

namespace {

LogicalResult convertDepthToSpace(OpsBuilder &b, bool toSpace) {
  Value x = b.in(0);
  int64_t s = b.attrInt("blocksize", 0);
  if (!x)
    return b.result();
  if (OpsBuilder::rank(x) != 4 || !OpsBuilder::isFloat(x))
    return b.fail("takes a float tensor [N, C, H, W]");
  ArrayRef<int64_t> d = OpsBuilder::dims(x);
  int64_t n = d[0], c = d[1], h = d[2], w = d[3];
  if (s < 1 || (toSpace && c % (s * s)) || (!toSpace && (h % s || w % s)))
    return b.fail("has blocksize " + std::to_string(s) + " that does not divide the input");
  Value y;
  if (!toSpace) {
    y = b.reshape(x, {n, c, h / s, s, w / s, s});
    y = b.reshape(b.permute(y, {0, 3, 5, 1, 2, 4}), {n, c * s * s, h / s, w / s});
  } else if (b.attrString("mode", "DCR") == "DCR") {
    y = b.reshape(x, {n, s, s, c / (s * s), h, w});
    y = b.reshape(b.permute(y, {0, 3, 4, 1, 5, 2}), {n, c / (s * s), h * s, w * s});
  } else if (b.attrString("mode", "DCR") == "CRD") {
    y = b.reshape(x, {n, c / (s * s), s, s, h, w});
    y = b.reshape(b.permute(y, {0, 1, 4, 2, 5, 3}), {n, c / (s * s), h * s, w * s});
  } else {
    return b.fail("unsupported mode: \"" + b.attrString("mode", "") + "\"");
  }
  b.out(0, y);
  return b.result();
}

/// One operand's subscripts and its value.
struct Term {
  std::string letters;
  Value value;
};

/// The operand permuted so that its letters come in the order `want`,
/// flattened into groups of the given sizes (letter counts).
Value arrange(OpsBuilder &b, const Term &t, ArrayRef<std::string> groups) {
  SmallVector<int64_t> order, shape;
  ArrayRef<int64_t> dims = OpsBuilder::dims(t.value);
  for (const std::string &g : groups) {
    int64_t size = 1;
    for (char c : g) {
      int64_t k = int64_t(t.letters.find(c));
      order.push_back(k);
      size *= dims[k];
    }
    shape.push_back(size);
  }
  return b.reshape(b.permute(t.value, order), shape);
}

LogicalResult convertEinsum(OpsBuilder &b) {
  std::string eq = b.attrString("equation", "");
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  size_t arrow = eq.find("->");
  if (arrow == std::string::npos || eq.find('.') != std::string::npos)
    return b.fail("unsupported equation: \"" + eq +
                  "\" (netc needs an explicit output and no "
                  "ellipsis)");
  std::string out = eq.substr(arrow + 2);
  SmallVector<Term> terms;
  for (StringRef part : llvm::split(StringRef(eq).take_front(arrow), ','))
    terms.push_back({part.str(), {}});
  if (terms.size() != b.numInputs() || terms.size() > 2)
    return b.fail("unsupported equation: \"" + eq + "\" (netc takes one or two operands)");
  for (auto [k, t] : llvm::enumerate(terms)) {
    t.value = b.in(unsigned(k));
    if (!t.value)
      return b.result();
    std::string sorted = t.letters;
    llvm::sort(sorted);
    if (int64_t(t.letters.size()) != OpsBuilder::rank(t.value) ||
        std::unique(sorted.begin(), sorted.end()) != sorted.end() || !OpsBuilder::isFloat(t.value))
      return b.fail("unsupported equation: \"" + eq +
                    "\" (each operand a float tensor with one "
                    "distinct letter per axis)");
  }
  auto in = [](const std::string &s, char c) { return s.find(c) != std::string::npos; };
  if (terms.size() == 1) {
    if (terms[0].letters.size() != out.size() ||
        llvm::any_of(out, [&](char c) { return !in(terms[0].letters, c); }))
      return b.fail("unsupported equation: \"" + eq + "\" (one operand: a permutation only)");
    b.out(0, arrange(b, terms[0], SmallVector<std::string>(llvm::map_range(out, [](char c) {
                       return std::string(1, c);
                     }))));
    return b.result();
  }
  const std::string &l = terms[0].letters, &r = terms[1].letters;
  std::string batch, contracted, left, right;
  for (char c : l)
    (in(r, c) ? (in(out, c) ? batch : contracted) : left) += c;
  for (char c : r)
    if (!in(l, c))
      right += c;
  for (char c : l + r)
    if (!in(out, c) && !(in(l, c) && in(r, c)))
      return b.fail("unsupported equation: \"" + eq +
                    "\" (a letter of one operand only is "
                    "summed)");
  for (char c : batch)
    if (OpsBuilder::dims(terms[0].value)[l.find(c)] != OpsBuilder::dims(terms[1].value)[r.find(c)])
      return b.fail("unsupported equation: \"" + eq + "\" (batch axes must match, not broadcast)");
  SmallVector<std::string> lg, rg;
  for (char c : batch)
    lg.push_back(std::string(1, c)), rg.push_back(std::string(1, c));
  lg.append({left, contracted});
  rg.append({contracted, right});
  Value product = b.binary("nn.matmul", arrange(b, terms[0], lg), arrange(b, terms[1], rg));
  if (!product)
    return b.result();
  // The result's axes in the order batch, left, right, then the output's.
  std::string have = batch + left + right;
  SmallVector<int64_t> shape, order;
  for (char c : have)
    shape.push_back(in(l, c) ? OpsBuilder::dims(terms[0].value)[l.find(c)]
                             : OpsBuilder::dims(terms[1].value)[r.find(c)]);
  for (char c : out)
    if (in(have, c))
      order.push_back(int64_t(have.find(c)));
  if (order.size() != have.size() || out.size() != have.size())
    return b.fail("unsupported equation: \"" + eq + "\" (an output letter of no operand)");
  b.out(0, b.permute(b.reshape(product, shape), order));
  return b.result();
}

} // namespace

void registerLayoutOps(OnnxOpRegistry &r) {
  addOp(r, "DepthToSpace", [](OpsBuilder &b) { return convertDepthToSpace(b, true); });
  addOp(r, "SpaceToDepth", [](OpsBuilder &b) { return convertDepthToSpace(b, false); });
  addOp(r, "Einsum", convertEinsum);
}

} // namespace netc::onnx
