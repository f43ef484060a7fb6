//===- NamesTest.cpp - the rule for names and the escapers of text outputs ===//

#include "ir/Names.h"

#include <gtest/gtest.h>

using namespace netc;

TEST(Names, AcceptsTheDocumentedCharacters) {
  EXPECT_FALSE(checkName("conv2d0.weight"));
  EXPECT_FALSE(checkName("layer1.0/conv:a-b_C"));
  EXPECT_FALSE(checkName(std::string(kMaxNameBytes, 'a')));
}

TEST(Names, RejectsEmptyLongAndForeignCharacters) {
  EXPECT_EQ(*checkName(""), "is empty");
  EXPECT_EQ(*checkName(std::string(kMaxNameBytes + 1, 'a')), "is 257 bytes long; the limit is 256");
  EXPECT_FALSE(checkName(std::string(kMaxNameBytes + 1, 'a'), kMaxDerivedNameBytes));
  for (const char *hostile :
       {"a*/b", "a\nb", "a\"b", "a\xff", "<script>", "a b", "a\\b", "a'b", "x;y", "\xc3\xa9"})
    EXPECT_TRUE(checkName(hostile)) << hostile;
  EXPECT_EQ(*checkName("ab*/"),
            "contains '*' at byte 2; names may contain only A-Z a-z 0-9 _ . : / -");
}

TEST(Names, PrintableNameEscapesEveryUnsafeByte) {
  EXPECT_EQ(printableName("a\nb\xff'\\c"), "a\\x0ab\\xff\\x27\\x5cc");
  EXPECT_EQ(printableName(std::string(70, 'x')), std::string(64, 'x') + "...");
}

TEST(Names, EscapeXML) {
  EXPECT_EQ(escapeXML("<script>&\"'"), "&lt;script&gt;&amp;&quot;&apos;");
  // Control bytes XML forbids and invalid UTF-8 become U+FFFD; valid UTF-8 stays.
  EXPECT_EQ(escapeXML("a\x01"
                      "b\xff\xc3\xa9\n"),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xc3\xa9\n");
}

TEST(Names, EscapeDot) {
  EXPECT_EQ(escapeDot("a\"b\\c\nd\re"), "a\\\"b\\\\c\\nde");
  EXPECT_EQ(escapeDot("\xff"
                      "x"),
            "\xEF\xBF\xBD"
            "x");
  // A quote never survives unescaped, so the string cannot end early.
  EXPECT_EQ(escapeDot("\"];evil[\""), "\\\"];evil[\\\"");
}
