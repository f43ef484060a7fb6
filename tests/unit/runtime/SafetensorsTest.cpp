//===- SafetensorsTest.cpp - safetensors I/O and tensor matching ----------===//
//
// Round trips, every validation error of the reader (each message names the
// file and, where one is at fault, the tensor), atomic writes, and the
// matching of a file against a model's tensors.
//
//===----------------------------------------------------------------------===//

#include "runtime/Safetensors.h"
#include "runtime/Tensors.h"
#include "ScratchFolder.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace netc::runtime;

namespace {

/// A fresh folder per test, removed afterwards.
class SafetensorsTest : public ::testing::Test, protected netc::test::ScratchFolder {
protected:
  void SetUp() override { ASSERT_TRUE(create("netc-safetensors")); }
  void TearDown() override { remove(); }

  /// Writes an 8-byte size, `header` and `data`; `size` overrides the size.
  std::string raw(const std::string &name, const std::string &header, size_t dataBytes = 0,
                  int64_t size = -1) {
    std::string p = path(name);
    std::ofstream out(p, std::ios::binary);
    uint64_t n = size < 0 ? header.size() : static_cast<uint64_t>(size);
    for (int i = 0; i < 8; ++i)
      out.put(static_cast<char>(n >> (8 * i)));
    out << header << std::string(dataBytes, '\0');
    return p;
  }

  /// Reads `p` expecting failure; returns the message.
  std::string readError(const std::string &p) {
    SafetensorsFile file;
    std::string error;
    EXPECT_FALSE(file.read(p, error));
    EXPECT_NE(error.find(p), std::string::npos) << error;
    return error;
  }

};

TEST_F(SafetensorsTest, RoundTrip) {
  float a[6] = {1, 2, 3, 4, 5, 6};
  int64_t b[4] = {-1, 0, 1, int64_t(1) << 40};
  double c = 3.25;
  std::string error;
  ASSERT_TRUE(writeSafetensors(path("t.safetensors"),
                               {{"a.weight", "F32", {2, 3}, a},
                                {"b", "I64", {4}, b},
                                {"c", "F64", {}, &c},
                                {"empty", "F32", {0, 5}, nullptr}},
                               {{"model", "m"}}, error))
      << error;
  SafetensorsFile file;
  ASSERT_TRUE(file.read(path("t.safetensors"), error)) << error;
  ASSERT_EQ(file.tensors().size(), 4u);
  EXPECT_EQ(file.tensors()[0].name, "a.weight");
  EXPECT_EQ(file.tensors()[3].name, "empty");
  EXPECT_EQ(file.metadata().at("model"), "m");
  const SafetensorsEntry *ea = file.find("a.weight");
  ASSERT_NE(ea, nullptr);
  EXPECT_EQ(ea->dtype, "F32");
  EXPECT_EQ(ea->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(file.data(*ea), a, sizeof a), 0);
  EXPECT_EQ(std::memcmp(file.data(*file.find("b")), b, sizeof b), 0);
  const SafetensorsEntry *ec = file.find("c");
  EXPECT_TRUE(ec->shape.empty());
  EXPECT_EQ(ec->numel(), 1);
  EXPECT_EQ(std::memcmp(file.data(*ec), &c, sizeof c), 0);
  EXPECT_EQ(file.find("empty")->numel(), 0);
  EXPECT_EQ(file.find("nope"), nullptr);
}

TEST_F(SafetensorsTest, DataAreaIsAligned) {
  float a = 1;
  std::string error;
  ASSERT_TRUE(writeSafetensors(path("t.safetensors"), {{"x", "F32", {}, &a}}, {}, error));
  std::ifstream in(path("t.safetensors"), std::ios::binary);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= uint64_t(static_cast<uint8_t>(in.get())) << (8 * i);
  EXPECT_EQ(n % 8, 0u);
}

TEST_F(SafetensorsTest, FileErrors) {
  EXPECT_NE(readError(path("missing.safetensors")).find("cannot open"), std::string::npos);
  std::ofstream(path("short")) << "abc";
  EXPECT_NE(readError(path("short")).find("shorter than the 8-byte header size"),
            std::string::npos);
  EXPECT_NE(readError(raw("absurd", "{}", 0, int64_t(1) << 40)).find("is absurd"),
            std::string::npos);
  EXPECT_NE(readError(raw("past-eof", "{}", 0, 100)).find("truncated"), std::string::npos);
  EXPECT_NE(readError(raw("not-json", "{\"x\": ")).find("not valid JSON"), std::string::npos);
  EXPECT_NE(readError(raw("array", "[]")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(readError(raw("meta", R"({"__metadata__": {"a": 1}})")).find("__metadata__"),
            std::string::npos);
}

TEST_F(SafetensorsTest, HostileHeadersAreErrorsNotCrashes) {
  // nlohmann throws out_of_range (not parse_error) for a number beyond double.
  EXPECT_NE(
      readError(raw("huge-offset",
                    R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 1e400]}})", 4))
          .find("the header is not valid: number overflow parsing '1e400'"),
      std::string::npos);
  // Deep nesting is refused before any value is printed (which recurses).
  std::string deep = R"({"x": {"dtype": "F32", "shape": )" + std::string(100000, '[') +
                     std::string(100000, ']') + "}}";
  EXPECT_NE(readError(raw("deep", deep)).find("nests deeper than 32 levels"), std::string::npos);
  std::string deepArray = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_NE(readError(raw("deep-array", deepArray)).find("nests deeper"), std::string::npos);
  // A float offset within double's range is not a size.
  EXPECT_NE(readError(raw("float-offset",
                          R"({"x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4.0]}})", 4))
                .find("data_offsets must be"),
            std::string::npos);
  // Names in messages are printable: a newline cannot split the error line.
  std::string error = readError(raw("newline", "{\"a\\nb\": 1}"));
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_NE(error.find("tensor 'a\\x0ab'"), std::string::npos) << error;
}

TEST_F(SafetensorsTest, EntryErrorsNameTheTensor) {
  struct Case {
    const char *header;
    size_t data;
    const char *message;
  } cases[] = {
      {R"({"w": {"shape": [2], "data_offsets": [0, 8]}})", 8, "tensor 'w': missing dtype"},
      {R"({"w": {"dtype": "Q8", "shape": [2], "data_offsets": [0, 8]}})", 8,
       "tensor 'w': unknown dtype 'Q8'"},
      {R"({"w": {"dtype": "F32", "data_offsets": [0, 8]}})", 8, "tensor 'w': missing shape"},
      {R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", 8,
       "tensor 'w': shape [-2] is not a list of sizes"},
      {R"({"w": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}})", 8,
       "is not a list of sizes"},
      {R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}})", 8,
       "tensor 'w': data_offsets must be [begin, end]"},
      {R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0]}})", 8,
       "tensor 'w': data_offsets must be [begin, end]"},
      {R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8,
       "tensor 'w': F32 shape [3] needs 12 bytes but data_offsets [0, 8] hold 8"},
      {R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}})", 4,
       "tensor 'w': data_offsets [0, 8] lie outside the data area of 4 bytes"},
      {R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
           "v": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
       12, "tensor 'v': data overlaps that of tensor 'w'"},
      {R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
           "w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})",
       16, "tensor 'w': the name appears twice in the header"},
      {R"({"w": 3})", 0, "tensor 'w': the entry is not an object"},
  };
  int i = 0;
  for (const Case &c : cases) {
    std::string error = readError(raw("case" + std::to_string(i++), c.header, c.data));
    EXPECT_NE(error.find(c.message), std::string::npos) << error;
  }
}

TEST_F(SafetensorsTest, EmptyTensorsMayShareOffsets) {
  std::string error;
  SafetensorsFile file;
  EXPECT_TRUE(file.read(raw("ok", R"({"a": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]},
    "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})",
                            4),
                        error))
      << error;
}

TEST_F(SafetensorsTest, FailedWritesLeaveNothing) {
  float a = 1;
  std::string error;
  EXPECT_FALSE(writeSafetensors(path("d.safetensors"), {{"x", "F32", {}, &a}, {"x", "F32", {}, &a}},
                                {}, error));
  EXPECT_NE(error.find("'x'"), std::string::npos) << error;
  EXPECT_FALSE(writeSafetensors(path("u.safetensors"), {{"x", "Z9", {}, &a}}, {}, error));
  EXPECT_NE(error.find("unknown dtype 'Z9'"), std::string::npos) << error;
  EXPECT_FALSE(
      writeSafetensors(path("no/such/dir.safetensors"), {{"x", "F32", {}, &a}}, {}, error));
  EXPECT_NE(error.find("no/such/dir.safetensors"), std::string::npos) << error;
  EXPECT_TRUE(files().empty());
  // A successful write replaces the old file and leaves no temporary beside it.
  ASSERT_TRUE(writeSafetensors(path("w.safetensors"), {{"x", "F32", {}, &a}}, {}, error));
  a = 2;
  ASSERT_TRUE(writeSafetensors(path("w.safetensors"), {{"y", "F32", {}, &a}}, {}, error));
  EXPECT_EQ(files(), std::vector<std::string>{"w.safetensors"});
  SafetensorsFile file;
  ASSERT_TRUE(file.read(path("w.safetensors"), error));
  EXPECT_NE(file.find("y"), nullptr);
}

//===----------------------------------------------------------------------===//
// Matching a file against a model's tensors
//===----------------------------------------------------------------------===//

const int64_t kShapeX[] = {2, 3};
const int64_t kShapeI[] = {4};
const netc_tensor kInputs[] = {
    {"x", NETC_F32, 2, kShapeX, NETC_INIT_UNIFORM, -1, 1, 0},
    {"i", NETC_I64, 1, kShapeI, NETC_INIT_CONSTANT, 0, 0, 5},
};

class MatchTest : public SafetensorsTest {
protected:
  /// Writes `tensors`, reads them back and matches them with kInputs.
  bool match(const std::vector<SafetensorsTensorRef> &tensors, bool batches,
             std::vector<MatchedTensor> &out, std::string &error) {
    std::string p = path("m.safetensors");
    EXPECT_TRUE(writeSafetensors(p, tensors, {}, error)) << error;
    EXPECT_TRUE(file.read(p, error)) << error;
    return matchTensors(file, kInputs, 2, "input", "m", batches, out, error);
  }
  SafetensorsFile file;
  float x[12] = {};
  int64_t i[8] = {0, 1, 2, 4, 0, 1, 5, 3};
};

TEST_F(MatchTest, ExactAndBatched) {
  std::vector<MatchedTensor> out;
  std::string error;
  ASSERT_TRUE(match({{"i", "I64", {4}, i}, {"x", "F32", {2, 3}, x}}, false, out, error)) << error;
  EXPECT_EQ(out[0].entry->name, "x");
  EXPECT_EQ(out[1].batches, 1);
  ASSERT_TRUE(match({{"x", "F32", {2, 2, 3}, x}, {"i", "I64", {2, 4}, i}}, true, out, error))
      << error;
  EXPECT_EQ(out[0].batches, 2);
  EXPECT_FALSE(match({{"x", "F32", {2, 2, 3}, x}, {"i", "I64", {4}, i}}, false, out, error));
  EXPECT_NE(error.find("tensor 'x' has shape [2, 2, 3], model 'm' expects [2, 3] (f32[2, 3])"),
            std::string::npos)
      << error;
}

TEST_F(MatchTest, Errors) {
  std::vector<MatchedTensor> out;
  std::string error;
  EXPECT_FALSE(match({{"x", "F64", {2, 3}, i}, {"i", "I64", {4}, i}}, false, out, error));
  EXPECT_NE(error.find("tensor 'x' has dtype F64, model 'm' expects F32"), std::string::npos)
      << error;
  EXPECT_FALSE(match({{"x", "F32", {2, 3}, x}, {"j", "I64", {4}, i}}, false, out, error));
  EXPECT_NE(error.find("tensor 'j' is not an input of model 'm' (inputs: x, i)"), std::string::npos)
      << error;
  EXPECT_FALSE(match({{"x", "F32", {2, 3}, x}}, false, out, error));
  EXPECT_NE(error.find("tensor 'i' is missing (input of model 'm', i64[4])"), std::string::npos)
      << error;
  EXPECT_FALSE(match({{"x", "F32", {3, 2}, x}, {"i", "I64", {4}, i}}, true, out, error));
  EXPECT_NE(error.find("expects [2, 3] or [BATCHES, 2, 3]"), std::string::npos) << error;
}

TEST(CheckIndicesTest, Bounds) {
  std::string error;
  int64_t good[4] = {0, 1, 4, 2}, bad[4] = {0, 5, 1, 1}, negative[4] = {0, 0, -1, 0};
  EXPECT_TRUE(checkIndices(kInputs[1], good, "w", error));
  EXPECT_FALSE(checkIndices(kInputs[1], bad, "F: tensor 'i'", error));
  EXPECT_EQ(error, "F: tensor 'i' element 1 is 5, outside [0, 5)");
  EXPECT_FALSE(checkIndices(kInputs[1], negative, "w", error));
  // Float tensors and integer tensors without a known bound are not checked.
  EXPECT_TRUE(checkIndices(kInputs[0], bad, "w", error));
}

} // namespace
