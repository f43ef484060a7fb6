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

/// Compiles a pipeline whose buffers are constrained to 65536 x 65536
/// elements: more than Halide's 32-bit indexing allows, so its size checks
/// are false at compile time (what netc's own check now rejects earlier).
std::string compileTooLarge() {
  Halide::ImageParam in(Halide::Float(32), 2, "in");
  in.dim(0).set_bounds(0, 65536);
  in.dim(1).set_bounds(0, 65536).set_stride(65536);
  Halide::Var x("x"), y("y");
  Halide::Func out("out");
  out(x, y) = in(x, y) * 2.0f;
  out.output_buffer().dim(0).set_bounds(0, 65536);
  out.output_buffer().dim(1).set_bounds(0, 65536).set_stride(65536);
  try {
    out.compile_to_module({in}, "too_large", Halide::get_host_target());
  } catch (const Halide::CompileError &e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(HalideReporter, GuaranteedRuntimeFailureIsACompileError) {
  netc::codegen::installHalideReporter();
  EXPECT_NE(compileTooLarge().find("is guaranteed to fail"), std::string::npos);
}

TEST(HalideReporter, ValidPipelinesStillCompile) {
  netc::codegen::installHalideReporter();
  Halide::ImageParam in(Halide::Float(32), 1, "in");
  Halide::Var x("x");
  Halide::Func out("out");
  out(x) = in(x) + 1.0f;
  EXPECT_NO_THROW(out.compile_to_module({in}, "valid", Halide::get_host_target()));
}
