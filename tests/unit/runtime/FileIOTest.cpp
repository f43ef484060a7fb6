//===- FileIOTest.cpp - bounded reads, atomic writes, symlinks ------------===//
//
// readRegularFile refuses directories, FIFOs, devices and files over the
// limit; OutputFile leaves nothing behind on failure or discard, in both of
// its modes (O_TMPFILE and a named temporary), and writes through symlinks.
//
//===----------------------------------------------------------------------===//

#include "runtime/FileIO.h"
#include "runtime/Safetensors.h"
#include "ScratchFolder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace netc::runtime;

namespace {

/// A fresh folder per test, removed afterwards; runs each test in both
/// modes of OutputFile (the parameter: whether O_TMPFILE may be used).
class FileIOTest : public ::testing::TestWithParam<bool>, protected netc::test::ScratchFolder {
protected:
  void SetUp() override {
    ASSERT_TRUE(create("netc-fileio"));
    OutputFile::allowUnnamed(GetParam());
  }
  void TearDown() override {
    OutputFile::allowUnnamed(true);
    remove();
  }

  std::string contents(const std::string &p) const {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  std::string readError(const std::string &p, uint64_t max = kMaxReadFileBytes) {
    std::vector<uint8_t> bytes;
    std::string error;
    EXPECT_FALSE(readRegularFile(p, bytes, error, max));
    EXPECT_TRUE(bytes.empty());
    EXPECT_NE(error.find("'" + p + "'"), std::string::npos) << error;
    return error;
  }

};

TEST_P(FileIOTest, ReadsARegularFile) {
  std::ofstream(path("a")) << "hello";
  std::vector<uint8_t> bytes;
  std::string error;
  ASSERT_TRUE(readRegularFile(path("a"), bytes, error)) << error;
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()), "hello");
}

TEST_P(FileIOTest, RefusesDirectoriesFifosDevicesAndLargeFiles) {
  EXPECT_NE(readError(dir).find("it is a directory"), std::string::npos);
  ASSERT_EQ(mkfifo(path("fifo").c_str(), 0600), 0);
  // Without O_NONBLOCK this would wait forever for a writer.
  EXPECT_NE(readError(path("fifo")).find("not a regular file"), std::string::npos);
  EXPECT_NE(readError("/dev/zero").find("not a regular file"), std::string::npos);
  EXPECT_NE(readError("/dev/null").find("not a regular file"), std::string::npos);
  std::ofstream(path("big")) << "0123456789";
  EXPECT_NE(readError(path("big"), 9).find("10 bytes, more than the limit of 9 bytes"),
            std::string::npos);
  EXPECT_NE(readError(path("missing")).find("No such file"), std::string::npos);
}

TEST_P(FileIOTest, SafetensorsReaderUsesTheChecks) {
  SafetensorsFile file;
  std::string error;
  EXPECT_FALSE(file.read("/dev/zero", error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  EXPECT_FALSE(file.read(dir, error));
  EXPECT_NE(error.find("directory"), std::string::npos) << error;
}

TEST_P(FileIOTest, WritesAtomicallyAndLeavesNoTemporary) {
  std::string error;
  ASSERT_TRUE(writeFileAtomically(path("out"), "abc", 3, error)) << error;
  EXPECT_EQ(contents(path("out")), "abc");
  EXPECT_EQ(files(), std::vector<std::string>{"out"});
  struct stat st {};
  ASSERT_EQ(stat(path("out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // A discarded file leaves the old one untouched and no temporary.
  {
    OutputFile f;
    ASSERT_TRUE(f.open(path("out"), error)) << error;
    std::fputs("partial", f.stream());
  }
  EXPECT_EQ(contents(path("out")), "abc");
  EXPECT_EQ(files(), std::vector<std::string>{"out"});
}

TEST_P(FileIOTest, WritesThroughSymlinks) {
  std::ofstream(path("target")) << "old";
  ASSERT_EQ(symlink("target", path("link").c_str()), 0);
  ASSERT_EQ(symlink("link", path("link2").c_str()), 0);
  std::string error;
  ASSERT_TRUE(writeFileAtomically(path("link2"), "new", 3, error)) << error;
  struct stat st {};
  ASSERT_EQ(lstat(path("link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_EQ(lstat(path("link2").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(contents(path("target")), "new");
  EXPECT_EQ(resolveOutputPath(path("link2")), path("target"));
  // A dangling link creates its target.
  ASSERT_EQ(symlink("fresh", path("dangling").c_str()), 0);
  ASSERT_TRUE(writeFileAtomically(path("dangling"), "x", 1, error)) << error;
  EXPECT_EQ(contents(path("fresh")), "x");
  EXPECT_EQ(files(), (std::vector<std::string>{"dangling", "fresh", "link", "link2", "target"}));
}

TEST_P(FileIOTest, RefusesToReplaceADirectoryOrDevice) {
  ASSERT_EQ(mkdir(path("d").c_str(), 0755), 0);
  std::string error;
  EXPECT_FALSE(writeFileAtomically(path("d"), "x", 1, error));
  EXPECT_NE(error.find("cannot write '" + path("d") + "': it is a directory"), std::string::npos)
      << error;
  EXPECT_EQ(files(), std::vector<std::string>{"d"});
  EXPECT_FALSE(writeFileAtomically(path("nofolder/x"), "x", 1, error));
  EXPECT_NE(error.find("cannot write"), std::string::npos) << error;
}

TEST_P(FileIOTest, ASignalRemovesTheTemporaryAndStillKills) {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    // A signal this process ignores (a shell's background job ignores
    // SIGINT) stays ignored: output files leave it alone, and it kills nothing.
    struct sigaction current {};
    ASSERT_EQ(sigaction(sig, nullptr, &current), 0);
    if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN)
      continue;
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      OutputFile f;
      std::string error;
      if (!f.open(path("out"), error))
        _exit(3);
      std::fputs("partial", f.stream());
      std::fflush(f.stream());
      raise(sig);
      _exit(4);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFSIGNALED(status)) << "status " << status;
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_TRUE(files().empty()) << files().front();
  }
}

TEST_P(FileIOTest, NonUtf8NamesAreAnErrorNotAnAbort) {
  float v = 1;
  std::string error;
  std::string bad = std::string("w\xff\xfe") + "\n";
  EXPECT_FALSE(writeSafetensors(path("w.safetensors"), {{bad, "F32", {}, &v}}, {}, error));
  EXPECT_NE(error.find("tensor 'w\\xff\\xfe\\x0a' is not valid UTF-8"), std::string::npos) << error;
  EXPECT_TRUE(files().empty());
}

INSTANTIATE_TEST_SUITE_P(Modes, FileIOTest, ::testing::Values(true, false),
                         [](const auto &info) { return info.param ? "Unnamed" : "Named"; });

} // namespace
