//===- LayerTuneTest.cpp - the cached choices of schedule variants --------===//
//
// A layer's choice is read by every later compile on this host: it must come
// back unchanged for its own key only; the first process to measure a shape
// decides it (a second writer finds the file there and keeps it); a garbled
// file reads as missing.
//
//===----------------------------------------------------------------------===//

#include "codegen/Schedules/LayerTune.h"

#include "../runtime/ScratchFolder.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace netc::codegen;

namespace {

class LayerTuneTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(folder.create("layer-tune")); }
  void TearDown() override { folder.remove(); }
  netc::test::ScratchFolder folder;
  const std::string key = "netc 1.0\nhost x86-64-linux\nop nn.conv2d_backward_filter (a) -> b";
};

TEST_F(LayerTuneTest, ChoiceReadsBackForItsKeyOnly) {
  std::string path = folder.path("c.txt");
  ASSERT_TRUE(writeLayerChoice(path, key, LayerChoice{1, {2.5, 1.25}}));
  std::optional<LayerChoice> back = readLayerChoice(path, key);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->variant, 1);
  EXPECT_EQ(back->ms, (std::vector<double>{2.5, 1.25}));
  // Another version, host or op: not this file's choice.
  EXPECT_FALSE(readLayerChoice(path, "netc 1.1" + key.substr(8)).has_value());
  EXPECT_FALSE(readLayerChoice(path, key + " x").has_value());
  EXPECT_FALSE(readLayerChoice(path, key.substr(0, key.size() - 1)).has_value());
  EXPECT_EQ(folder.files(), std::vector<std::string>{"c.txt"});
}

TEST_F(LayerTuneTest, FirstWriterWins) {
  std::string path = folder.path("c.txt");
  ASSERT_TRUE(writeLayerChoice(path, key, LayerChoice{0, {1.0, 3.0}}));
  EXPECT_FALSE(writeLayerChoice(path, key, LayerChoice{1, {3.0, 1.0}}));
  ASSERT_TRUE(readLayerChoice(path, key).has_value());
  EXPECT_EQ(readLayerChoice(path, key)->variant, 0);
  // No temporary file is left behind by the refused write.
  EXPECT_EQ(folder.files(), std::vector<std::string>{"c.txt"});
}

TEST_F(LayerTuneTest, GarbledFileReadsAsMissing) {
  EXPECT_FALSE(readLayerChoice(folder.path("absent.txt"), key).has_value());
  const std::string bodies[] = {
      "",
      "variant 0\nms 1 2\n",             // no key
      "\n" + key + "\nvariant\nms 1\n",  // no variant
      "\n" + key + "\nvariant 2\nms 1 2\n", // a variant no time was measured for
      "\n" + key + "\nvariant -1\nms 1 2\n",
      "\n" + key + "\nvariant 0\n",      // no times
      "\n" + key + "\nvariant x\nms 1 2\n",
  };
  for (const std::string &body : bodies) {
    std::ofstream(folder.path("bad.txt"), std::ios::trunc) << body;
    EXPECT_FALSE(readLayerChoice(folder.path("bad.txt"), key).has_value()) << body;
  }
  std::ofstream(folder.path("good.txt")) << "# comment\n" << key << "\nvariant 1\nms 1 2\n";
  EXPECT_TRUE(readLayerChoice(folder.path("good.txt"), key).has_value());
}

TEST_F(LayerTuneTest, UnwritableFolderFailsCleanly) {
  EXPECT_FALSE(writeLayerChoice(folder.path("missing/c.txt"), key, LayerChoice{0, {1.0}}));
  EXPECT_TRUE(folder.files().empty());
}

} // namespace
