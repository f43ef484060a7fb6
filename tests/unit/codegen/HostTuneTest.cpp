//===- HostTuneTest.cpp - the cached measurement of the host --------------===//
//
// The tune file is read by every later compilation on this host: what one
// version wrote must come back unchanged, and a file another version wrote,
// or one cut short or garbled, must read as missing (then netc measures
// again) rather than as a width.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/ConvTune.h"
#include "codegen/Schedules/HostTune.h"

#include "../runtime/ScratchFolder.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace netc::codegen;

namespace {

class HostTuneTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(folder.create("host-tune")); }
  void TearDown() override { folder.remove(); }

  /// The text of the file `name` in the folder.
  std::string read(const std::string &name) const {
    std::ifstream in(folder.path(name));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  /// Writes `text` as the file `name` in the folder.
  void write(const std::string &name, const std::string &text) const {
    std::ofstream(folder.path(name)) << text;
  }

  netc::test::ScratchFolder folder;
};

TEST_F(HostTuneTest, WrittenTuningReadsBack) {
  std::string path = folder.path("host.txt");
  for (int lanes : {16, 8, 0}) {
    ASSERT_TRUE(writeTuneFile(path, "1.2.3", HostTuning{lanes}));
    std::optional<HostTuning> back = readTuneFile(path, "1.2.3");
    ASSERT_TRUE(back.has_value()) << read("host.txt");
    EXPECT_EQ(back->f32Lanes, lanes);
  }
  // The file says what it is, and the temporary file is gone.
  EXPECT_NE(read("host.txt").find("version 1.2.3\n"), std::string::npos);
  EXPECT_NE(read("host.txt").find("f32-lanes none\n"), std::string::npos);
  EXPECT_EQ(folder.files(), std::vector<std::string>{"host.txt"});
}

TEST_F(HostTuneTest, AnotherVersionsFileIsIgnored) {
  std::string path = folder.path("host.txt");
  ASSERT_TRUE(writeTuneFile(path, "1.2.3", HostTuning{8}));
  EXPECT_FALSE(readTuneFile(path, "1.2.4").has_value());
  EXPECT_FALSE(readTuneFile(path, "1.2").has_value());
  // Rewritten by the new version, it reads back for that version only.
  ASSERT_TRUE(writeTuneFile(path, "1.2.4", HostTuning{16}));
  ASSERT_TRUE(readTuneFile(path, "1.2.4").has_value());
  EXPECT_EQ(readTuneFile(path, "1.2.4")->f32Lanes, 16);
  EXPECT_FALSE(readTuneFile(path, "1.2.3").has_value());
}

TEST_F(HostTuneTest, CorruptOrMissingFileIsIgnored) {
  EXPECT_FALSE(readTuneFile(folder.path("absent.txt"), "1.0").has_value());
  const char *corrupt[] = {
      "",                                  // empty
      "version 1.0\n",                     // cut short before the width
      "f32-lanes 16\n",                    // no version
      "version 1.0\nf32-lanes banana\n",   // not a number
      "version 1.0\nf32-lanes 12\n",       // not a power of two
      "version 1.0\nf32-lanes 1024\n",     // wider than any register
      "version 1.0\nf32-lanes -8\n",       // negative
      "version 1.0\nf32-lanes\n",          // no value
      "version 1.0\ngarbage\nf32-lanes 8", // a line that is no "key value"
      "\177ELF\1\2\3",                     // another kind of file
  };
  for (const char *text : corrupt) {
    write("bad.txt", text);
    EXPECT_FALSE(readTuneFile(folder.path("bad.txt"), "1.0").has_value()) << text;
  }
  // The same lines in order are a valid file: the cases above fail for
  // what is wrong with them, not for their form.
  write("good.txt", "# comment\nversion 1.0\nf32-lanes 8\n");
  ASSERT_TRUE(readTuneFile(folder.path("good.txt"), "1.0").has_value());
  EXPECT_EQ(readTuneFile(folder.path("good.txt"), "1.0")->f32Lanes, 8);
}

TEST_F(HostTuneTest, UnwritableFolderFailsCleanly) {
  EXPECT_FALSE(writeTuneFile(folder.path("missing/host.txt"), "1.0", HostTuning{16}));
  EXPECT_TRUE(folder.files().empty());
}

TEST(HostTune, FileNameIsSafe) {
  std::string name = hostTuneFileName();
  ASSERT_GT(name.size(), 4u);
  EXPECT_EQ(name.substr(name.size() - 4), ".txt");
  for (char c : name)
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')
        << name;
}

TEST(HostTune, OffAndOtherTargetsUseTheNaturalWidth) {
  // Neither measures nor reads the cache: the answer does not depend on the host.
  EXPECT_EQ(fullRateF32Lanes(TuneMode::Off, "host"), 0);
  EXPECT_EQ(fullRateF32Lanes(TuneMode::Full, "x86-64-linux-avx512"), 0);
  EXPECT_EQ(fullRateF32Lanes(TuneMode::Cached, "arm-64-linux"), 0);
  EXPECT_EQ(fullRateF32Lanes(TuneMode::Cached, "host-cuda"), 0);
}

TEST(HostTune, MeasurementIsAWidth) {
  int lanes = measureHost().f32Lanes;
  EXPECT_TRUE(lanes == 0 || lanes == 8 || lanes == 16) << lanes;
#if defined(__x86_64__) && defined(__GNUC__)
  EXPECT_EQ(lanes != 0, __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma"));
#endif
}

// The convolution choices (ConvTune.h): every layer's choice comes back, and
// a file of another version, or without a version, reads as missing.
TEST_F(HostTuneTest, ConvChoicesReadBack) {
  std::string path = folder.path("conv.txt");
  ConvChoices choices{{"conv2d,tensor<1x64x56x56xf32>,pad_1_1_1_1", 4},
                      {"conv2d,tensor<1x512x7x7xf32>,pad_1_1_1_1", 0},
                      {"conv2d_backward_input,tensor<2x8x9x9xf32>,pad_0_0_0_0", 2}};
  ASSERT_TRUE(writeConvTuneFile(path, "1.2.3", choices));
  std::optional<ConvChoices> back = readConvTuneFile(path, "1.2.3");
  ASSERT_TRUE(back.has_value()) << read("conv.txt");
  EXPECT_EQ(*back, choices);
  EXPECT_NE(read("conv.txt").find("pad_1_1_1_1 winograd4\n"), std::string::npos);
  EXPECT_FALSE(readConvTuneFile(path, "1.2.4").has_value());
  write("conv.txt", "conv2d,x winograd2\n");
  EXPECT_FALSE(readConvTuneFile(path, "1.2.3").has_value());
  EXPECT_FALSE(readConvTuneFile(folder.path("missing.txt"), "1.2.3").has_value());
  // An unknown choice is left out (the layer is timed again).
  write("conv.txt", "version 1.2.3\nconv2d,x fft\nconv2d,y direct\n");
  EXPECT_EQ(*readConvTuneFile(path, "1.2.3"), (ConvChoices{{"conv2d,y", 0}}));
}

} // namespace
