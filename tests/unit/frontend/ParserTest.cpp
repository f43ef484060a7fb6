//===- ParserTest.cpp - Tests of the .net parser and AST ------------------===//

#include "ParserTestUtil.h"

using namespace netc::frontend;
using namespace netc::frontend::parser_test;

TEST(ParserTest, DslExamples) {
  // All four in one file, which also checks several models per file.
  EXPECT_EQ(summaryOf(std::string(CnnExample) + MlpirateExample + Mlp2Example +
                      FooExample),
            R"(2:1 model cnn@2:7
  3:3 input x@3:9: f32[1 3 1024 1024]
  4:3 x = relu(conv2d(x out=4 kernel=3 padding=1))
  5:3 x = maxpool2d(x 2)
  6:3 x = relu(conv2d(x out=16 kernel=5 stride=2 padding=2))
  7:3 x = maxpool2d(x 2)
  8:3 output y@8:10 = relu(conv2d(x out=32 kernel=7 dilation=2 padding=3))
11:1 const N@11:7 = 42
12:1 const H@12:7 = 128
13:1 model mlpirate@13:7
  14:3 input x@14:9: f32[64 N]
  15:3 input t@15:9: f32[64 1]
  16:3 h = sigmoid(linear(x out=H))
  17:3 repeat 24
    18:5 h = sigmoid(linear(h out=H))
  20:3 output y@20:10 = linear(h out=1)
  21:3 loss mse(y t)
  22:3 train sgd(lr=0.01f momentum=0.9f)
25:1 const lambda@25:7 = 0.001f
26:1 model mlp2@26:7
  27:3 input x@27:9: f32[32 10]
  28:3 input y@28:9: f32[32 1]
  29:3 h = tanh(linear(x out=16 name="fc1"))
  30:3 p = sigmoid(linear(h out=1 name="fc2"))
  31:3 output p
  32:3 loss (+ bce(p y) (* (/ lambda 2) (+ sqnorm(fc1.weight) sqnorm(fc2.weight))))
  33:3 train sgd(lr=0.1f)
36:1 model foo@36:7
  37:3 input X@37:9: f64[100 5]
  38:3 param W@38:9: f64[5 5] init=uniform(0 1)
  39:3 param b@39:9: f64[5] init=uniform(0 1)
  40:3 loss mean((+ matmul(X W) b))
)");
  // The parts of dotted names, and lookup of keyword arguments.
  ParseResult r = parseOk(Mlp2Example);
  const auto &loss = as<LossStmt>(modelAt(r, 1).body.at(5));
  const auto &sum = as<BinaryExpr>(as<BinaryExpr>(loss.value).rhs).rhs;
  const auto &weight =
      as<DottedRef>(as<CallExpr>(as<BinaryExpr>(sum).lhs).args.at(0));
  EXPECT_EQ(weight.base + " " + weight.member + " " + at(weight.loc) + " " +
                at(weight.memberLoc),
            "fc1 weight 9:41 9:45");
  const auto &linear = as<CallExpr>(
      as<CallExpr>(as<AssignStmt>(modelAt(r, 1).body.at(2)).value).args.at(0));
  EXPECT_EQ(linear.findKeyword("name"), &linear.keywords.at(1));
  EXPECT_EQ(linear.findKeyword("bias"), nullptr);
}

//===----------------------------------------------------------------------===//
// Grammar rules
//===----------------------------------------------------------------------===//

TEST(ParserTest, Expressions) {
  EXPECT_EQ(exprOf("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(exprOf("a / b / c"), "(/ (/ a b) c)");
  EXPECT_EQ(exprOf("a + b * c"), "(+ a (* b c))");
  EXPECT_EQ(exprOf("a * b + c"), "(+ (* a b) c)");
  EXPECT_EQ(exprOf("a - b * c / d + e"), "(+ (- a (/ (* b c) d)) e)");
  EXPECT_EQ(exprOf("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(exprOf("(a + b) * c"), "(* (+ a b) c)");
  EXPECT_EQ(exprOf("a - -b"), "(- a (neg b))");
  EXPECT_EQ(exprOf("- -a"), "(neg (neg a))");
  EXPECT_EQ(exprOf("-(a + b)"), "(neg (+ a b))");
  EXPECT_EQ(exprOf("2 * -3"), "(* 2 (neg 3))");
  EXPECT_EQ(exprOf("((a))"), "a");
  // Primaries the examples of DSL.md do not show.
  EXPECT_EQ(exprOf("false"), "false");
  EXPECT_EQ(exprOf("[3, 5]"), "[3 5]");
  EXPECT_EQ(exprOf("[[1, 2], [H * 2, -1]]"), "[[1 2] [(* H 2) (neg 1)]]");
  EXPECT_EQ(exprOf("f()"), "f()");
  EXPECT_EQ(exprOf("f(a, g(b), c=1, b=[2, 3], a=\"x\")"),
            "f(a g(b) c=1 b=[2 3] a=\"x\")");
  // Trailing commas, as Python allows.
  EXPECT_EQ(exprOf("f(a, k=1,)"), "f(a k=1)");
  EXPECT_EQ(exprOf("[1, 2,]"), "[1 2]");
  // `init` and the dtype names are ordinary names outside a type.
  EXPECT_EQ(exprOf("init + f32(i64)"), "(+ init f32(i64))");
}

TEST(ParserTest, StatementsAndNestedRepeat) {
  EXPECT_EQ(summaryOf(R"(model m {
  const K = 3 * 2
  input a: i32[2]
  input b: i64[K, 2 * K]
  param w: f32[4]
  param v: f64[4] init=normal(0, 0.02)
  h = a
  output o = h
  output h + 1
  loss l = mean(h)
  train adam(0.001, beta1=0.8)
  repeat 2 {
    repeat N * 2 { x = f(x); y = x }
    z = 1
  }
})"),
            R"(1:1 model m@1:7
  2:3 const K@2:9 = (* 3 2)
  3:3 input a@3:9: i32[2]
  4:3 input b@4:9: i64[K (* 2 K)]
  5:3 param w@5:9: f32[4]
  6:3 param v@6:9: f64[4] init=normal(0 0.02f)
  7:3 h = a
  8:3 output o@8:10 = h
  9:3 output (+ h 1)
  10:3 loss l@10:8 = mean(h)
  11:3 train adam(0.001f beta1=0.8f)
  12:3 repeat 2
    13:5 repeat (* N 2)
      13:20 x = f(x)
      13:30 y = x
    14:5 z = 1
)");
}

TEST(ParserTest, SeparatorsBracesAndComments) {
  // ';' and newlines end statements; empty statements are allowed; '}'
  // needs no separator before it and a block none after it; '{' may go on
  // the next line.
  EXPECT_EQ(summaryOf("model m { input x: f32[1]; a = x;; b = a\n\n; repeat "
                      "2 { a = b } c = a; output c }"),
            "1:1 model m@1:7\n  1:11 input x@1:17: f32[1]\n  1:28 a = x\n"
            "  1:36 b = a\n  3:3 repeat 2\n    3:14 a = b\n  3:22 c = a\n"
            "  3:29 output c\n");
  EXPECT_EQ(summaryOf("const A = 1; model m { } model n\n{\n  repeat 3\n  {"
                      "\n    x = 1\n  }\n}\n"),
            "1:1 const A@1:7 = 1\n1:14 model m@1:20\n1:26 model n@1:32\n"
            "  3:3 repeat 3\n    5:5 x = 1\n");
  for (const char *source : {"", "# only a comment", "\n\n# a\n   \n"})
    EXPECT_EQ(summaryOf(source), "");
  EXPECT_EQ(summaryOf("# a\nmodel m { # b\n  x = 1 # c\n  # d\n}# e"),
            "2:1 model m@2:7\n  3:3 x = 1\n");
}

TEST(ParserTest, NewlinesInsideBracketsDoNotEndStatements) {
  EXPECT_EQ(summaryOf(R"(model m {
  input x: f32[
    1,
    3
  ]
  y = conv2d(
    x,        # the input
    out=4,
    kernel=[3,
            3],
  )
  z = (y
       + 1)
})"),
            "1:1 model m@1:7\n  2:3 input x@2:9: f32[1 3]\n"
            "  6:3 y = conv2d(x out=4 kernel=[3 3])\n  12:3 z = (+ y 1)\n");
  // Outside brackets a newline does end the statement.
  EXPECT_EQ(errorsOf("model m {\n  z = y\n    + 1\n}"),
            "3:5: expected a statement, found '+'\n");
}

TEST(ParserTest, DumpAST) {
  ParseResult r = parseOk(R"(const K = 2
model m {
  param w: f32[K] init=ones()
  output y = -w * 1.0 + ["a", true]
  repeat 1 { train sgd(lr=2) }
})");
  EXPECT_EQ(dumpAST(*r.file), R"(File
  ConstDecl <1:1> 'K'
    IntLit <1:11> 2
  ModelDecl <2:1> 'm'
    ParamDecl <3:3> 'w'
      TypeExpr <3:12> f32
        NameRef <3:16> 'K'
      CallExpr <3:24> 'ones'
    OutputStmt <4:3> 'y'
      BinaryExpr <4:23> '+'
        BinaryExpr <4:17> '*'
          UnaryExpr <4:14> '-'
            NameRef <4:15> 'w'
          FloatLit <4:19> 1.0
        ListExpr <4:25>
          StringLit <4:26> "a"
          BoolLit <4:31> true
    RepeatStmt <5:3>
      IntLit <5:10> 1
      TrainStmt <5:14>
        CallExpr <5:20> 'sgd'
          KeywordArg <5:24> 'lr'
            IntLit <5:27> 2
)");
}
