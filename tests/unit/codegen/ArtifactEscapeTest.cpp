//===- ArtifactEscapeTest.cpp - names written into generated C/C++ --------===//
//
// Tensor names come from untrusted files (.mlir inputs may hold any bytes)
// and are written into generated C and C++: string literals must give the
// same bytes back, and comments must never end, split or splice.
//
//===----------------------------------------------------------------------===//

#include "codegen/ArtifactModel.h"

#include <gtest/gtest.h>

#include <string>

using namespace netc::codegen;

namespace {

const std::string kHostile[] = {
    "*/ int x; /*",   "a\nb",      "q\"uote",  "back\\slash", std::string("\xff\xfe\x80", 3),
    "tri??/\nint y;", "??=??(??<", "end\\",    "\\x41ff",     std::string("nul\0byte", 8),
    "/*nested*/",     "//line",    "\r\t\v\f", "\x7f",        "ok_name",
};

/// Decodes a C string literal as a compiler would (octal escapes of up to
/// three digits, simple escapes); fails the test on anything else.
std::string decodeLiteral(const std::string &literal) {
  EXPECT_GE(literal.size(), 2u);
  EXPECT_EQ(literal.front(), '"');
  EXPECT_EQ(literal.back(), '"');
  std::string out;
  for (size_t i = 1; i + 1 < literal.size(); ++i) {
    char c = literal[i];
    EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "raw byte " << int(c) << " in " << literal;
    EXPECT_NE(c, '"') << literal;
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = literal[++i];
    if (e >= '0' && e <= '7') {
      int value = 0, digits = 0;
      while (digits < 3 && literal[i] >= '0' && literal[i] <= '7')
        value = value * 8 + (literal[i++] - '0'), ++digits;
      --i;
      out += static_cast<char>(value);
    } else {
      EXPECT_TRUE(e == '"' || e == '\\' || e == '?') << "escape \\" << e << " in " << literal;
      out += e;
    }
  }
  return out;
}

TEST(ArtifactEscapeTest, StringLiteralsGiveBackEveryByte) {
  for (const std::string &name : kHostile) {
    std::string literal = cStringLiteral(name);
    EXPECT_EQ(decodeLiteral(literal), name) << literal;
    // No trigraph can form (decodeLiteral refuses \x, which is greedy).
    EXPECT_EQ(literal.find("??"), std::string::npos) << literal;
  }
  // An octal escape is always three digits, so a following digit stays a digit.
  EXPECT_EQ(cStringLiteral(std::string("\x01") + "7"), "\"\\0017\"");
  EXPECT_EQ(cStringLiteral("a\"b\\c?"), "\"a\\\"b\\\\c\\?\"");
}

TEST(ArtifactEscapeTest, CommentTextNeverEndsOrSplitsAComment) {
  for (const std::string &name : kHostile) {
    std::string text = commentText(name);
    for (char c : text)
      EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "raw byte " << int(c) << " in " << text;
    EXPECT_EQ(text.find("*/"), std::string::npos) << text;
    EXPECT_EQ(text.find("/*"), std::string::npos) << text;
    EXPECT_EQ(text.find("??"), std::string::npos) << text;
    // A backslash appears only as the start of \xNN (no line splice).
    for (size_t i = text.find('\\'); i != std::string::npos; i = text.find('\\', i + 1))
      EXPECT_EQ(text.compare(i, 2, "\\x"), 0) << text;
  }
  EXPECT_EQ(commentText("*/ int x; /*"), "*\\x2f int x; \\x2f*");
  EXPECT_EQ(commentText("a\nb"), "a\\x0ab");
  EXPECT_EQ(commentText("fc1.weight"), "fc1.weight");
}

TEST(ArtifactEscapeTest, ModelNamesAreIdentifiers) {
  EXPECT_TRUE(isCIdentifier("mlp2"));
  EXPECT_TRUE(isCIdentifier("_x9"));
  EXPECT_FALSE(isCIdentifier(""));
  EXPECT_FALSE(isCIdentifier("9lives"));
  EXPECT_FALSE(isCIdentifier("a b"));
  EXPECT_FALSE(isCIdentifier("a*/b"));
  EXPECT_FALSE(isCIdentifier("caf\xc3\xa9"));
}

} // namespace
