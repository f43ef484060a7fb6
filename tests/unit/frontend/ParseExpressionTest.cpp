//===- ParseExpressionTest.cpp - an expression parsed alone ---------------===//
//
// parseExpression reads the values of command-line flags written in the
// language (--loss, --train-with): one expression, nothing after it.
//
//===----------------------------------------------------------------------===//

#include "ParserTestUtil.h"

using namespace netc::frontend;
using namespace netc::frontend::parser_test;

TEST(ParseExpressionTest, ParsesOneExpression) {
  ExprParseResult call = parseExpression("sgd(lr=0.01, momentum=0.9)");
  ASSERT_TRUE(call.expr) << format(call.errors);
  const auto &c = as<CallExpr>(call.expr);
  EXPECT_EQ(c.callee, "sgd");
  EXPECT_EQ(c.keywords.size(), 2u);
  EXPECT_EQ(at(c.keywords[1].value->loc), "1:23");

  ExprParseResult name = parseExpression("  cross_entropy ");
  ASSERT_TRUE(name.expr) << format(name.errors);
  EXPECT_EQ(as<NameRef>(name.expr).name, "cross_entropy");
  EXPECT_EQ(at(name.expr->loc), "1:3");
}

TEST(ParseExpressionTest, ReportsWhatFollowsOrIsMissing) {
  EXPECT_EQ(format(parseExpression("mse(").errors),
            "1:5: expected expression after '(', found end of file\n");
  EXPECT_EQ(format(parseExpression("mse x").errors),
            "1:5: expected the end of the expression, found 'x'\n");
  EXPECT_EQ(format(parseExpression("").errors), "1:1: expected an expression, found end of file\n");
  // A lexical error is reported once, by the lexer.
  ExprParseResult bad = parseExpression("sgd(lr=0.1$)");
  EXPECT_FALSE(bad.expr);
  EXPECT_EQ(bad.errors.size(), 1u) << format(bad.errors);
}
