//===- EmitNetSpell.cpp - spelling IR values as .net text -----------------===//

#include "ir/Names.h"
#include "EmitNetSpell.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <cstdio>

using namespace mlir;

namespace netc::tool {

std::optional<std::string> spellFloat(double value, bool asF32) {
  if (!std::isfinite(value))
    return std::nullopt;
  char buffer[64];
  // The fewest digits that read back to the same value (of an f32 when the
  // value is one: 5e-4, not 0.0005000000237487257).
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    double back = std::strtod(buffer, nullptr);
    if (asF32 ? static_cast<float>(back) == static_cast<float>(value) : back == value)
      break;
  }
  std::string text = buffer;
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

std::string spellInts(llvm::ArrayRef<int64_t> values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i)
    text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

std::string dtypeName(Type element) {
  if (element.isF32())
    return "f32";
  if (element.isF64())
    return "f64";
  if (element.isInteger(32))
    return "i32";
  if (element.isInteger(64))
    return "i64";
  return "";
}

std::optional<std::string> spellType(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || ranked.getRank() == 0 || dtypeName(ranked.getElementType()).empty())
    return std::nullopt;
  std::string dims = spellInts(ranked.getShape());
  return dtypeName(ranked.getElementType()) + dims;
}

std::string quote(llvm::StringRef text) { return quoteBackslashed(text); }

std::optional<std::string> spellAttribute(Attribute attr) {
  if (auto b = dyn_cast<BoolAttr>(attr))
    return std::string(b.getValue() ? "true" : "false");
  if (auto i = dyn_cast<IntegerAttr>(attr))
    return std::to_string(i.getInt());
  if (auto f = dyn_cast<FloatAttr>(attr))
    return spellFloat(f.getValueAsDouble());
  if (auto s = dyn_cast<StringAttr>(attr))
    return quote(s.getValue());
  if (auto t = dyn_cast<TypeAttr>(attr)) {
    std::string name = dtypeName(t.getValue());
    return name.empty() ? std::nullopt : std::optional<std::string>(quote(name));
  }
  if (auto a = dyn_cast<DenseI64ArrayAttr>(attr)) {
    if (a.empty())
      return std::nullopt;
    return spellInts(a.asArrayRef());
  }
  if (auto a = dyn_cast<DenseF64ArrayAttr>(attr)) {
    if (a.empty())
      return std::nullopt;
    std::string text = "[";
    for (size_t i = 0; i < a.size(); ++i) {
      std::optional<std::string> f = spellFloat(a[i]);
      if (!f)
        return std::nullopt;
      text += (i ? ", " : "") + *f;
    }
    return text + "]";
  }
  return std::nullopt;
}

namespace {

/// One element of a constant: a number, or "inf", "-inf", "nan".
std::string spellElement(double value, bool isFloat, bool isF32) {
  if (!isFloat)
    return std::to_string(static_cast<int64_t>(value));
  if (std::isnan(value))
    return "\"nan\"";
  if (std::isinf(value))
    return value > 0 ? "\"inf\"" : "\"-inf\"";
  return *spellFloat(value, isF32);
}

} // namespace

std::optional<std::string> spellConstant(DenseElementsAttr value, bool asNumber) {
  auto type = cast<RankedTensorType>(value.getType());
  Type element = type.getElementType();
  std::string dtype = dtypeName(element);
  if (dtype.empty())
    return std::nullopt;
  bool isFloat = isa<FloatType>(element);
  std::vector<double> numbers;
  if (value.isSplat())
    numbers.push_back(isFloat ? value.getSplatValue<APFloat>().convertToDouble()
                              : double(value.getSplatValue<APInt>().getSExtValue()));
  else if (isFloat)
    for (const APFloat &f : value.getValues<APFloat>())
      numbers.push_back(f.convertToDouble());
  else
    for (const APInt &i : value.getValues<APInt>())
      numbers.push_back(double(i.getSExtValue()));
  if (asNumber && type.getRank() == 0 && isFloat)
    if (std::optional<std::string> f = spellFloat(numbers.front(), element.isF32()))
      return f;
  std::string text = "constant(";
  if (numbers.size() == 1) {
    text += spellElement(numbers.front(), isFloat, element.isF32());
  } else {
    text += "[";
    for (size_t i = 0; i < numbers.size(); ++i)
      text += (i ? ", " : "") + spellElement(numbers[i], isFloat, element.isF32());
    text += "]";
  }
  if (type.getRank() > 0 && !(type.getRank() == 1 && numbers.size() > 1))
    text += ", shape=" + spellInts(type.getShape());
  if (dtype != "f32")
    text += ", dtype=" + quote(dtype);
  return text + ")";
}

bool isPlainIdentifier(llvm::StringRef name) {
  static const char *const keywords[] = {"model", "block",  "input", "param", "output",
                                         "loss",  "train",  "repeat", "const", "if",
                                         "else",  "return", "in",    "state", "true",
                                         "false", "and",    "or",    "not",   "name",
                                         "init",  "weights"};
  if (name.empty() || !(llvm::isAlpha(name[0]) || name[0] == '_'))
    return false;
  for (char c : name)
    if (!(llvm::isAlnum(c) || c == '_'))
      return false;
  for (const char *k : keywords)
    if (name == k)
      return false;
  return true;
}

bool isDottedName(llvm::StringRef name) {
  llvm::SmallVector<llvm::StringRef> parts;
  name.split(parts, '.');
  if (!isPlainIdentifier(parts.front()))
    return false;
  for (llvm::StringRef part : llvm::ArrayRef(parts).drop_front()) {
    bool digits = !part.empty() && llvm::all_of(part, llvm::isDigit);
    if (!digits && !isPlainIdentifier(part) && !(part == "weight" || part == "bias"))
      return false;
  }
  return true;
}

std::string identifierFrom(llvm::StringRef hint) {
  std::string text;
  for (char c : hint.rsplit('/').second.empty() ? hint : hint.rsplit('/').second)
    text += llvm::isAlnum(c) ? char(llvm::toLower(c)) : '_';
  while (!text.empty() && text.back() == '_')
    text.pop_back();
  if (text.empty() || text.size() > 24 || llvm::isDigit(text[0]))
    return "t";
  return isPlainIdentifier(text) ? text : text + "_";
}

std::optional<std::string> spellInit(DictionaryAttr init) {
  if (!init)
    return std::nullopt;
  auto dist = init.getAs<StringAttr>("dist");
  auto number = [&](const char *key) -> std::optional<std::string> {
    auto f = init.getAs<FloatAttr>(key);
    return f ? spellFloat(f.getValueAsDouble()) : std::nullopt;
  };
  if (!dist)
    return std::nullopt;
  if (dist.getValue() == "constant") {
    auto v = init.getAs<FloatAttr>("value");
    if (v && v.getValueAsDouble() == 0.0 && !std::signbit(v.getValueAsDouble()))
      return std::string();
    if (v && v.getValueAsDouble() == 1.0)
      return std::string(" init=ones()");
    return std::nullopt;
  }
  const char *a = dist.getValue() == "uniform" ? "low" : "mean";
  const char *b = dist.getValue() == "uniform" ? "high" : "std";
  if (dist.getValue() != "uniform" && dist.getValue() != "normal")
    return std::nullopt;
  std::optional<std::string> x = number(a), y = number(b);
  if (!x || !y)
    return std::nullopt;
  return " init=" + dist.getValue().str() + "(" + *x + ", " + *y + ")";
}

} // namespace netc::tool
