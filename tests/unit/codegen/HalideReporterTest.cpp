//===- HalideReporterTest.cpp - Halide's "guaranteed to fail" is an error ===//
//
// Halide only warns when it proves that a pipeline will fail an assertion at
// runtime; netc installs a reporter that turns that warning into an error, so
// that such a pipeline never becomes an artifact that can only fail. netc
// rejects the tensors known to cause it before Halide runs (checkIndexable),
// so the reporter is tested here on a pipeline built by hand.
//
//===----------------------------------------------------------------------===//

#include "codegen/Codegen.h"

#include <Halide.h>
#include <gtest/gtest.h>

namespace {

/// Compiles a pipeline whose output (constrained to 8 elements) reads an
/// input constrained to 4: the bounds check is false at compile time.
std::string compileOutOfBounds() {
  Halide::ImageParam in(Halide::Float(32), 1, "in");
  in.dim(0).set_bounds(0, 4);
  Halide::Var x("x");
  Halide::Func out("out");
  out(x) = in(x) * 2.0f;
  out.output_buffer().dim(0).set_bounds(0, 8);
  try {
    out.compile_to_module({in}, "out_of_bounds", Halide::get_host_target());
  } catch (const Halide::CompileError &e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(HalideReporter, GuaranteedRuntimeFailureIsACompileError) {
  netc::codegen::installHalideReporter();
  EXPECT_NE(compileOutOfBounds().find("is guaranteed to fail"), std::string::npos);
}

TEST(HalideReporter, ValidPipelinesStillCompile) {
  netc::codegen::installHalideReporter();
  Halide::ImageParam in(Halide::Float(32), 1, "in");
  Halide::Var x("x");
  Halide::Func out("out");
  out(x) = in(x) + 1.0f;
  EXPECT_NO_THROW(out.compile_to_module({in}, "valid", Halide::get_host_target()));
}
