//===- EmitNetBlocks.cpp - repeated pieces printed as blocks --------------===//

#include "EmitNetBlocks.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <map>

namespace netc::tool {

std::string blockPathOf(llvm::StringRef layerName) {
  llvm::SmallVector<llvm::StringRef> parts;
  layerName.split(parts, '.');
  auto isIndex = [](llvm::StringRef s) { return !s.empty() && llvm::all_of(s, llvm::isDigit); };
  // The layer's own name is the last part; the block's path ends before it.
  for (size_t i = 1; i + 1 < parts.size(); ++i)
    if (isIndex(parts[i]) && !isIndex(parts[i + 1]))
      return llvm::join(llvm::ArrayRef(parts).take_front(i + 1), ".");
  return "";
}

Skeleton skeletonOf(const std::string &text) {
  Skeleton s;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      size_t end = i + 1;
      while (end < text.size() && text[end] != '"')
        end += text[end] == '\\' ? 2 : 1;
      s.text += text.substr(i, end + 1 - i);
      i = end + 1;
      continue;
    }
    if (llvm::isAlpha(c) || c == '_') {
      size_t end = i;
      while (end < text.size() && (llvm::isAlnum(text[end]) || text[end] == '_'))
        ++end;
      s.text += text.substr(i, end - i);
      i = end;
      continue;
    }
    if (llvm::isDigit(c)) {
      size_t end = i;
      while (end < text.size() &&
             (llvm::isAlnum(text[end]) || text[end] == '.' ||
              ((text[end] == '-' || text[end] == '+') && (text[end - 1] == 'e'))))
        ++end;
      // The keyword this number is the value of, if any: `out=64`.
      std::string keyword;
      size_t eq = s.text.size();
      if (eq > 0 && s.text[eq - 1] == '=') {
        size_t start = eq - 1;
        while (start > 0 && (llvm::isAlnum(s.text[start - 1]) || s.text[start - 1] == '_'))
          --start;
        keyword = s.text.substr(start, eq - 1 - start);
      }
      std::string number = text.substr(i, end - i);
      // Integers and floats never stand for each other.
      s.text += number.find_first_of(".e") == std::string::npos ? "\x01" : "\x02";
      s.numbers.push_back(number);
      s.keywords.push_back(keyword);
      i = end;
      continue;
    }
    s.text += c;
    ++i;
  }
  return s;
}

BlockTemplate makeTemplate(const std::vector<Skeleton> &pieces,
                           const std::vector<std::string> &taken) {
  BlockTemplate t;
  t.values.resize(pieces.size());
  const Skeleton &first = pieces.front();
  // Numbers that differ become arguments; positions whose numbers agree in
  // every piece share one argument.
  std::map<std::vector<std::string>, std::string> argumentOf;
  std::vector<std::string> names = taken;
  size_t position = 0;
  for (char c : first.text) {
    if (c != '\x01' && c != '\x02') {
      t.body += c;
      continue;
    }
    std::vector<std::string> column;
    for (const Skeleton &p : pieces)
      column.push_back(p.numbers[position]);
    if (llvm::all_equal(column)) {
      t.body += column.front();
      ++position;
      continue;
    }
    auto [it, inserted] = argumentOf.try_emplace(column, "");
    if (inserted) {
      std::string base = first.keywords[position].empty() ? "n" : first.keywords[position];
      std::string name = base;
      for (int k = 2; llvm::is_contained(names, name); ++k)
        name = base + std::to_string(k);
      names.push_back(name);
      it->second = name;
      t.arguments.push_back(name);
      for (size_t p = 0; p < pieces.size(); ++p)
        t.values[p].push_back(column[p]);
    }
    t.body += it->second;
    ++position;
  }
  return t;
}

} // namespace netc::tool
