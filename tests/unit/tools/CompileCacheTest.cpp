//===- CompileCacheTest.cpp - the compile cache's key and entries ---------===//

#include "tools/netc/CompileCache.h"
#include "tools/netc/CompileCacheEntry.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace netc::tool;
namespace fs = llvm::sys::fs;

namespace {

TEST(CompileCacheTest, KeyArgumentsDropOnlyTheOutput) {
  const char *argv[] = {"netc", "m.net", "-o",    "a",
                        "-D",   "B=2",   "--o=b", "--no-compile-cache",
                        "-o=c", "--o",   "d",     "--schedule=naive"};
  std::vector<std::string> expected = {"m.net", "-D", "B=2", "--schedule=naive"};
  EXPECT_EQ(keyArguments(argv), expected);
}

TEST(CompileCacheTest, HashPartsKeepTheirBoundaries) {
  std::string ab = hashParts({"ab", "c"});
  EXPECT_EQ(ab.size(), 64u);
  EXPECT_EQ(ab, hashParts({"ab", "c"}));
  EXPECT_NE(ab, hashParts({"a", "bc"}));
  EXPECT_NE(ab, hashParts({"abc"}));
  EXPECT_NE(ab, hashParts({"ab", "d"}));
}

TEST(CompileCacheTest, OutputFilesOfEachKind) {
  using Files = std::vector<std::string>;
  EXPECT_EQ(cachedOutputFiles(Emit::Exe, "out/m"), Files{"out/m"});
  EXPECT_EQ(cachedOutputFiles(Emit::So, "libm.so"), Files{"libm.so"});
  EXPECT_EQ(cachedOutputFiles(Emit::Lib, "out/libm.a"), (Files{"out/libm.a", "out/m.h"}));
  EXPECT_EQ(cachedOutputFiles(Emit::Obj, "out/m.o"), (Files{"out/m.o", "out/m.h"}));
  EXPECT_TRUE(cachedOutputFiles(Emit::Lib, "out/lib.a").empty());
  EXPECT_TRUE(cachedOutputFiles(Emit::Exe, "-").empty());
  EXPECT_TRUE(cachedOutputFiles(Emit::NN, "m.mlir").empty());
}

/// Writes `text` to `file`.
void write(const std::string &file, llvm::StringRef text) {
  std::error_code ec;
  llvm::raw_fd_ostream os(file, ec);
  ASSERT_FALSE(ec);
  os << text;
}

TEST(CompileCacheTest, EntriesRoundTripAndDamageReadsAsAbsent) {
  llvm::SmallString<128> root;
  ASSERT_FALSE(fs::createUniqueDirectory("netc-cache-test", root));
  auto file = [&](llvm::StringRef name) { return (root + "/" + name).str(); };
  write(file("artifact"), "compiled bytes");
  write(file("header"), "#define H");
  write(file("weights"), "w1");
  std::string entry = file("entry");
  ASSERT_TRUE(writeEntry(entry, {file("artifact"), file("header")}, {file("weights")}));

  CacheManifest manifest;
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> files;
  ASSERT_TRUE(readEntry(entry, 2, manifest, files));
  EXPECT_EQ(files[0]->getBuffer(), "compiled bytes");
  EXPECT_EQ(files[1]->getBuffer(), "#define H");
  EXPECT_FALSE(readEntry(entry, 1, manifest, files)) << "a count the kind does not write";

  // A changed dependency, then a damaged file, read as no entry.
  write(file("weights"), "w2");
  EXPECT_FALSE(readEntry(entry, 2, manifest, files));
  write(file("weights"), "w1");
  write(entry + "/out1", "#define X");
  EXPECT_FALSE(readEntry(entry, 2, manifest, files));
  // Writing again replaces the damaged entry.
  ASSERT_TRUE(writeEntry(entry, {file("artifact"), file("header")}, {file("weights")}));
  manifest = {};
  files.clear();
  EXPECT_TRUE(readEntry(entry, 2, manifest, files));
  fs::remove_directories(root);
}

TEST(CompileCacheTest, EvictionKeepsTheMostRecentlyUsed) {
  llvm::SmallString<128> root;
  ASSERT_FALSE(fs::createUniqueDirectory("netc-cache-test", root));
  std::string source = (root + "/artifact").str();
  write(source, "bytes");
  for (const char *name : {"a", "b", "c"})
    ASSERT_TRUE(writeEntry((root + "/" + name).str(), {source}, {}));
  touchEntry((root + "/a").str());
  evictEntries(root, 2, uint64_t(1) << 30);
  EXPECT_TRUE(fs::exists(root + "/a"));
  EXPECT_EQ(fs::exists(root + "/b") + fs::exists(root + "/c"), 1);
  fs::remove_directories(root);
}

} // namespace
