//===- TensorFileTest.cpp - .npy, .npz and .pb tensor files ---------------===//
//
// The parsers on bytes built here by hand (so that each case says exactly
// what the file holds): .npy headers and element orders, the zip container
// (stored, deflated, unsupported methods, CRC), ONNX TensorProto in its
// wire format; then TensorFile's merging, naming and integer conversion, and
// the writers' round trips.
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"
#include "onnx/OnnxTensorFile.h"
#include "runtime/OnnxTensor.h"
#include "runtime/TensorFile.h"
#include "runtime/Tensors.h"
#include "ScratchFolder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

using namespace netc::runtime;

namespace {

/// A .npy file of `dict` (the header text) and `data`, version 1.
std::string npy(const std::string &dict, const std::string &data) {
  std::string header = dict + "\n";
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

std::vector<uint8_t> bytes(const std::string &s) { return {s.begin(), s.end()}; }

/// Parses `file` as .npy; returns the error ("" on success).
std::string npyError(const std::string &file, NpyArray &out) {
  std::string error;
  std::vector<uint8_t> b = bytes(file);
  return parseNpy(b.data(), b.size(), "t.npy", out, error) ? "" : error;
}

TEST(NpyTest, HeaderAndOrders) {
  NpyArray a;
  float f[6] = {1, 2, 3, 4, 5, 6};
  std::string data(reinterpret_cast<const char *>(f), sizeof f);
  std::vector<uint8_t> b =
      bytes(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data));
  std::string error;
  ASSERT_TRUE(parseNpy(b.data(), b.size(), "t.npy", a, error)) << error;
  EXPECT_EQ(a.dtype, "F32");
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(std::memcmp(a.data, f, sizeof f), 0);
  EXPECT_TRUE(a.converted.empty()) << "C-order little-endian data is used in place";

  // Fortran order: the elements of [[1, 2, 3], [4, 5, 6]] column by column.
  float fortran[6] = {1, 4, 2, 5, 3, 6};
  std::string fdata(reinterpret_cast<const char *>(fortran), sizeof fortran);
  ASSERT_EQ(npyError(npy("{'shape': (2,3), 'fortran_order': True, 'descr': '<f4'}", fdata), a), "");
  EXPECT_EQ(std::memcmp(a.data, f, sizeof f), 0);

  // Big-endian i4: 1 and -2.
  std::string be("\x00\x00\x00\x01\xff\xff\xff\xfe", 8);
  ASSERT_EQ(npyError(npy("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be), a), "");
  int32_t v[2];
  std::memcpy(v, a.data, 8);
  EXPECT_EQ(v[0], 1);
  EXPECT_EQ(v[1], -2);

  // A 0-d bool.
  ASSERT_EQ(npyError(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (), }", "\x01"), a),
            "");
  EXPECT_EQ(a.dtype, "BOOL");
  EXPECT_TRUE(a.shape.empty());
}

TEST(NpyTest, Errors) {
  NpyArray a;
  std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  EXPECT_NE(npyError("PK\x03\x04 not numpy", a).find("not a .npy file"), std::string::npos);
  EXPECT_NE(npyError(npy(ok, std::string(7, '\0')), a).find("truncated: the array"),
            std::string::npos);
  EXPECT_NE(npyError(npy(ok, std::string(9, '\0')), a).find("needs 8 bytes of data but 9"),
            std::string::npos);
  EXPECT_NE(npyError(npy("{'descr': '<f4', 'shape': (2,), }", std::string(8, '\0')), a)
                .find("lacks 'fortran_order'"),
            std::string::npos);
  EXPECT_NE(npyError(npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",
                         std::string(8, '\0')),
                     a)
                .find("dtype '<c8' is not read"),
            std::string::npos);
  EXPECT_NE(npyError(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", ""), a)
                .find("'shape' is not a tuple"),
            std::string::npos);
  std::string header = npy(ok, std::string(8, '\0'));
  EXPECT_NE(npyError(header.substr(0, 20), a).find("truncated: the .npy header needs"),
            std::string::npos);
}

TEST(NpyTest, WrittenHeaderIsAligned) {
  std::string header, error;
  ASSERT_TRUE(npyHeader("I64", {3}, header, error)) << error;
  EXPECT_EQ(header.size() % 64, 0u);
  EXPECT_NE(header.find("'descr': '<i8'"), std::string::npos);
  EXPECT_NE(header.find("'shape': (3,)"), std::string::npos);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_FALSE(npyHeader("F8_E4M3", {1}, header, error));
}

//===----------------------------------------------------------------------===//
// The zip container
//===----------------------------------------------------------------------===//

TEST(ZipTest, Crc32) { EXPECT_EQ(crc32(0, "123456789", 9), 0xCBF43926u); }

/// A zip archive with one member `name` holding `content`, written by
/// writeZip, with its method field set to `method` and its data replaced by
/// `stored` (the compressed form) when given.
std::vector<uint8_t> zipWith(const std::string &name, const std::string &content, int method,
                             const std::string &stored) {
  std::vector<uint8_t> out;
  std::string error;
  EXPECT_TRUE(writeZip({{name, {{stored.data(), stored.size()}}}}, "t.npz", out, error));
  // Patch the method (local header offset 8, central offset 10) and the sizes
  // and CRC so that they describe `content` compressed as `stored`.
  size_t central = 30 + name.size() + stored.size();
  uint32_t crc = crc32(0, content.data(), content.size());
  auto put = [&](size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      out[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  for (size_t h : {size_t(0), central + 2}) {
    put(h + 8, method, 2);
    put(h + 14, crc, 4);
    put(h + 18, stored.size(), 4);
    put(h + 22, content.size(), 4);
  }
  return out;
}

std::string zipError(const std::vector<uint8_t> &archive, std::vector<ZipMember> &members) {
  std::string error;
  return readZip(archive.data(), archive.size(), "t.npz", members, error) ? "" : error;
}

TEST(ZipTest, StoredDeflatedAndUnsupported) {
  std::vector<ZipMember> members;
  std::vector<uint8_t> stored = zipWith("a.npy", "hello", 0, "hello");
  ASSERT_EQ(zipError(stored, members), "");
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].name, "a.npy");
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(members[0].data), members[0].size),
            "hello");
  // A deflate stream of one final stored block: BFINAL=1, BTYPE=00, LEN, NLEN.
  std::string deflated = std::string("\x01\x05\x00\xfa\xff", 5) + "hello";
  ASSERT_EQ(zipError(zipWith("a.npy", "hello", 8, deflated), members), "");
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(members[0].data), members[0].size),
            "hello");
  EXPECT_NE(zipError(zipWith("a.npy", "hello", 12, "BZh9"), members)
                .find("member 'a.npy': it is compressed by zip method 12, which is not read"),
            std::string::npos);
  EXPECT_NE(zipError(zipWith("a.npy", "hellO", 0, "hello"), members).find("CRC-32"),
            std::string::npos);
  stored.resize(stored.size() - 5);
  EXPECT_NE(zipError(stored, members).find("no zip end record"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

void varint(std::string &out, uint64_t v) {
  do {
    out += static_cast<char>((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
    v >>= 7;
  } while (v);
}

std::string field(int number, int wire) {
  std::string s;
  varint(s, static_cast<uint64_t>(number) << 3 | wire);
  return s;
}

std::string lengthDelimited(int number, const std::string &payload) {
  std::string s = field(number, 2);
  varint(s, payload.size());
  return s + payload;
}

TEST(OnnxTensorTest, WithoutAParserSaysHowToConvert) {
  setOnnxTensorParser(nullptr);
  OnnxTensor t;
  std::string error;
  std::vector<uint8_t> b = bytes(field(2, 0) + "\x01");
  EXPECT_FALSE(parseOnnxTensor(b.data(), b.size(), "t.pb", t, error));
  EXPECT_NE(error.find("read by `netc --run`"), std::string::npos) << error;
}

TEST(OnnxTensorTest, RawAndTypedData) {
  netc::onnx::installTensorProtoReader();
  float f[6] = {1, 2, 3, 4, 5, 6};
  std::string proto = field(1, 0) + "\x02" + field(1, 0) + "\x03" + field(2, 0) + "\x01" +
                      lengthDelimited(8, "w") +
                      lengthDelimited(9, std::string(reinterpret_cast<const char *>(f), 24));
  OnnxTensor t;
  std::string error;
  std::vector<uint8_t> b = bytes(proto);
  ASSERT_TRUE(parseOnnxTensor(b.data(), b.size(), "w.pb", t, error)) << error;
  EXPECT_EQ(t.name, "w");
  EXPECT_EQ(t.dtype, "F32");
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 3}));
  ASSERT_EQ(t.data.size(), 24u);
  EXPECT_EQ(std::memcmp(t.data.data(), f, 24), 0);

  // int64_data packed: 7 and -1 (a ten-byte varint); dims packed too.
  std::string packed;
  varint(packed, 7);
  varint(packed, ~uint64_t(0));
  std::string dims;
  varint(dims, 2);
  b = bytes(lengthDelimited(1, dims) + field(2, 0) + "\x07" + lengthDelimited(7, packed));
  OnnxTensor i;
  ASSERT_TRUE(parseOnnxTensor(b.data(), b.size(), "i.pb", i, error)) << error;
  int64_t v[2];
  std::memcpy(v, i.data.data(), 16);
  EXPECT_EQ(v[0], 7);
  EXPECT_EQ(v[1], -1);
}

TEST(OnnxTensorTest, Errors) {
  netc::onnx::installTensorProtoReader();
  OnnxTensor t;
  std::string error;
  std::vector<uint8_t> b = bytes(field(1, 0) + "\x04" + field(2, 0) + "\x01" +
                                 lengthDelimited(9, std::string(8, '\0')));
  EXPECT_FALSE(parseOnnxTensor(b.data(), b.size(), "t.pb", t, error));
  EXPECT_NE(error.find("raw_data holds 8 bytes, F32 dims need 16"), std::string::npos) << error;
  b = bytes(field(2, 0) + "\x08" + lengthDelimited(6, "abc"));
  EXPECT_FALSE(parseOnnxTensor(b.data(), b.size(), "t.pb", t, error));
  EXPECT_NE(error.find("data_type 8 is not read"), std::string::npos) << error;
  b = bytes(lengthDelimited(9, "\x01\x02"));
  b.resize(b.size() - 1);
  EXPECT_FALSE(parseOnnxTensor(b.data(), b.size(), "t.pb", t, error));
  EXPECT_NE(error.find("does not parse"), std::string::npos) << error;
}

//===----------------------------------------------------------------------===//
// TensorFile: files merged, named and matched; the writers
//===----------------------------------------------------------------------===//

class TensorFileTest : public ::testing::Test, protected netc::test::ScratchFolder {
protected:
  void SetUp() override { ASSERT_TRUE(create("netc-tensorfile")); }
  void TearDown() override { remove(); }

  void write(const std::string &name, const std::string &contents) {
    std::ofstream(path(name), std::ios::binary) << contents;
  }
};

const int64_t kShapeX[] = {2};
const netc_tensor kInputs[] = {
    {"x", NETC_F32, 1, kShapeX, NETC_INIT_UNIFORM, -1, 1, 0},
    {"i", NETC_I32, 1, kShapeX, NETC_INIT_CONSTANT, 0, 0, 0},
};

TEST_F(TensorFileTest, WriteAndReadBack) {
  float x[2] = {1.5f, -2};
  int64_t i[2] = {3, 4};
  std::vector<SafetensorsTensorRef> refs = {{"x", "F32", {2}, x}, {"i", "I64", {2}, i}};
  std::string error;
  ASSERT_TRUE(writeTensorFile(path("t.npz"), refs, {}, error)) << error;
  ASSERT_TRUE(writeTensorFile("i=" + path("i.npy"), refs, {}, error)) << error;
  EXPECT_FALSE(writeTensorFile(path("both.npy"), refs, {}, error));
  EXPECT_NE(error.find("a .npy file holds one tensor and there are 2 (x, i)"), std::string::npos)
      << error;
  EXPECT_FALSE(writeTensorFile(path("t.pb"), refs, {}, error));
  EXPECT_EQ(files(), (std::vector<std::string>{"i.npy", "t.npz"}));

  TensorFile file;
  ASSERT_TRUE(file.read(path("t.npz"), error)) << error;
  ASSERT_EQ(file.tensors().size(), 2u);
  EXPECT_EQ(std::memcmp(file.data(*file.find("x")), x, sizeof x), 0);
  // The i64 integers become the model's i32 on matching.
  std::vector<MatchedTensor> matched;
  ASSERT_TRUE(matchTensors(file, kInputs, 2, "input", "m", false, matched, error)) << error;
  int32_t converted[2];
  std::memcpy(converted, file.data(*matched[1].entry), sizeof converted);
  EXPECT_EQ(converted[0], 3);
  EXPECT_EQ(converted[1], 4);

  // A name in two files is an error naming both.
  TensorFile twice;
  EXPECT_FALSE(twice.readAll({path("t.npz"), "i=" + path("i.npy")}, error));
  EXPECT_NE(error.find("tensor 'i' is given twice (also in " + path("t.npz") + ")"),
            std::string::npos)
      << error;
}

TEST_F(TensorFileTest, NamesAndConversions) {
  std::string error;
  int64_t big[2] = {1, int64_t(1) << 40};
  ASSERT_TRUE(writeTensorFile(path("i.npy"), {{"i", "I64", {2}, big}}, {}, error)) << error;
  float x[2] = {0, 0};
  ASSERT_TRUE(writeTensorFile(path("x.npy"), {{"x", "F32", {2}, x}}, {}, error)) << error;
  TensorFile file;
  // Named after the files: x.npy holds x, i.npy holds i.
  ASSERT_TRUE(file.readAll({path("x.npy"), path("i.npy")}, error)) << error;
  EXPECT_EQ(file.path(), path("x.npy") + ", " + path("i.npy"));
  std::vector<MatchedTensor> matched;
  EXPECT_FALSE(matchTensors(file, kInputs, 2, "input", "m", false, matched, error));
  EXPECT_NE(error.find(path("i.npy") + ": tensor 'i' element 1 does not fit I32"),
            std::string::npos)
      << error;

  // NAME= only for one-tensor files; without a tensor, allowMissing keeps going.
  TensorFile other;
  EXPECT_FALSE(other.parse({}, TensorFormat::Npz, "t.npz", "x", error));
  EXPECT_NE(error.find("t.npz: NAME=FILE names the tensor of a one-tensor file"),
            std::string::npos)
      << error;
  TensorFile partial;
  ASSERT_TRUE(partial.read("x=" + path("x.npy"), error)) << error;
  EXPECT_TRUE(matchTensors(partial, kInputs, 2, "input", "m", false, matched, error, true))
      << error;
  EXPECT_EQ(matched[1].entry, nullptr);
  EXPECT_FALSE(matchTensors(partial, kInputs, 2, "input", "m", false, matched, error));
  EXPECT_NE(error.find("tensor 'i' is missing"), std::string::npos) << error;
}

TEST_F(TensorFileTest, TruncatedNpzMember) {
  std::string error;
  float x[4] = {1, 2, 3, 4};
  ASSERT_TRUE(writeTensorFile(path("t.npz"), {{"x", "F32", {4}, x}}, {}, error)) << error;
  std::ifstream in(path("t.npz"), std::ios::binary);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write("cut.npz", contents.substr(0, contents.size() / 2));
  TensorFile file;
  EXPECT_FALSE(file.read(path("cut.npz"), error));
  EXPECT_NE(error.find(path("cut.npz") + ": not an .npz file"), std::string::npos) << error;
}

} // namespace
