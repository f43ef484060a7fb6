//===- Names.cpp - the names of models, inputs, parameters and outputs ----===//

#include "ir/Names.h"

#include "llvm/Support/ConvertUTF.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

namespace netc {

namespace {

bool isNameCharacter(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '/' || c == '-';
}

/// The length of the valid UTF-8 sequence at `i` of `text`, or 0 when the
/// byte there does not start one.
size_t utf8Length(llvm::StringRef text, size_t i) {
  auto *begin = reinterpret_cast<const llvm::UTF8 *>(text.data()) + i;
  auto *end = reinterpret_cast<const llvm::UTF8 *>(text.data()) + text.size();
  unsigned length = llvm::getNumBytesForUTF8(*begin);
  if (length == 0 || begin + length > end || !llvm::isLegalUTF8Sequence(begin, begin + length))
    return 0;
  return length;
}

/// Copies `text` to `out`, each valid UTF-8 sequence through `escapeByte`
/// (for ASCII) or as it is, and each invalid byte as U+FFFD.
template <typename EscapeByte> std::string escapeWith(llvm::StringRef text, EscapeByte escapeByte) {
  std::string out;
  out.reserve(text.size() + 8);
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      escapeByte(c, out);
      ++i;
      continue;
    }
    size_t length = utf8Length(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(text.data() + i, length);
    i += length;
  }
  return out;
}

} // namespace

std::optional<std::string> checkName(llvm::StringRef name, size_t maxBytes) {
  if (name.empty())
    return std::string("is empty");
  if (name.size() > maxBytes)
    return "is " + std::to_string(name.size()) + " bytes long; the limit is " +
           std::to_string(maxBytes);
  for (size_t i = 0; i < name.size(); ++i)
    if (!isNameCharacter(static_cast<unsigned char>(name[i])))
      return "contains '" + printableName(name.substr(i, 1)) + "' at byte " + std::to_string(i) +
             "; names may contain only " + kNameCharacters;
  return std::nullopt;
}

std::string printableName(llvm::StringRef text) {
  constexpr size_t kShown = 64;
  std::string out;
  llvm::raw_string_ostream os(out);
  for (unsigned char c : text.take_front(kShown)) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'')
      os << c;
    else
      os << "\\x" << llvm::format_hex_no_prefix(c, 2);
  }
  if (text.size() > kShown)
    os << "...";
  return out;
}

std::string escapeXML(llvm::StringRef text) {
  return escapeWith(text, [](unsigned char c, std::string &out) {
    switch (c) {
    case '&':
      out += "&amp;";
      return;
    case '<':
      out += "&lt;";
      return;
    case '>':
      out += "&gt;";
      return;
    case '"':
      out += "&quot;";
      return;
    case '\'':
      out += "&apos;";
      return;
    default:
      break;
    }
    // XML 1.0 allows only tab, newline and carriage return below 0x20.
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
      out += "\xEF\xBF\xBD";
    else
      out += static_cast<char>(c);
  });
}

std::string escapeDot(llvm::StringRef text) {
  return escapeWith(text, [](unsigned char c, std::string &out) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c >= 0x20 && c != 0x7f) {
      out += static_cast<char>(c);
    }
  });
}

std::string quoteBackslashed(llvm::StringRef text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace netc
