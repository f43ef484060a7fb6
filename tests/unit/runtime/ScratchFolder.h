//===- ScratchFolder.h - a fresh folder for one test ------------*- C++ -*-===//
//
// The runtime's file tests each work in a folder of their own under
// GoogleTest's temporary directory, list what is left in it (a failed write
// must leave nothing), and remove it afterwards.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_TESTS_UNIT_RUNTIME_SCRATCHFOLDER_H
#define NETC_TESTS_UNIT_RUNTIME_SCRATCHFOLDER_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace netc::test {

/// A folder made by create() and removed, with what is left in it (files,
/// links and empty folders), by remove().
class ScratchFolder {
public:
  /// Makes a fresh folder named after `stem`; false if that fails.
  bool create(const std::string &stem) {
    std::string base = ::testing::TempDir() + stem + "-XXXXXX";
    if (!mkdtemp(base.data()))
      return false;
    dir = base;
    return true;
  }

  /// Removes every entry, then the folder.
  void remove() const {
    for (const std::string &f : files()) {
      std::string p = path(f);
      struct stat st {};
      if (lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        rmdir(p.c_str());
      else
        std::remove(p.c_str());
    }
    rmdir(dir.c_str());
  }

  /// The path of `name` in the folder.
  std::string path(const std::string &name) const { return dir + "/" + name; }

  /// The names in the folder, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> names;
    if (DIR *d = opendir(dir.c_str())) {
      while (dirent *e = readdir(d))
        if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, ".."))
          names.push_back(e->d_name);
      closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string dir;
};

} // namespace netc::test

#endif // NETC_TESTS_UNIT_RUNTIME_SCRATCHFOLDER_H
