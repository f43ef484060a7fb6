//===- OutputPaths.cpp - where netc's outputs go --------------------------===//

#include "codegen/OutputPaths.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <atomic>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace netc::codegen {

std::string resolveOutputLink(llvm::StringRef output) {
  constexpr int kMaxLinks = 40;
  std::string current = output.str();
  for (int i = 0; i < kMaxLinks; ++i) {
    struct stat st;
    if (::lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      return current;
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : PATH_MAX) + 1, '\0');
    ssize_t n = ::readlink(current.c_str(), target.data(), target.size());
    if (n < 0 || static_cast<size_t>(n) >= target.size())
      return output.str();
    target.resize(static_cast<size_t>(n));
    // A relative target is relative to the folder of the link.
    if (path::is_relative(target)) {
      llvm::SmallString<256> joined(path::parent_path(current));
      path::append(joined, target);
      target = joined.str().str();
    }
    current = target;
  }
  return output.str();
}

namespace {

/// The folders to remove on a signal; each a strdup'ed path or null. Fixed
/// slots, so the handler needs no lock and allocates nothing to find them.
constexpr int kSlots = 16;
std::atomic<char *> slots[kSlots];

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
struct sigaction previousActions[sizeof(kSignals) / sizeof(kSignals[0])];

/// A directory entry as the getdents64 system call writes it.
struct KernelDirent {
  uint64_t inode;
  int64_t offset;
  unsigned short length;
  unsigned char type;
  char name[1];
};

/// Removes `dir` and its contents with system calls only, as far as a path
/// fits in PATH_MAX. It runs in a signal handler, which may have interrupted
/// malloc: opendir, readdir and snprintf may allocate or lock, so the entries
/// are read with getdents64 into a stack buffer and paths are joined by hand.
void removeTree(const char *dir) {
  int fd = ::open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    alignas(8) char buffer[4096];
    long bytes;
    while ((bytes = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
      for (long at = 0; at < bytes;) {
        const auto *entry = reinterpret_cast<const KernelDirent *>(buffer + at);
        at += entry->length;
        const char *name = entry->name;
        if (!std::strcmp(name, ".") || !std::strcmp(name, ".."))
          continue;
        char child[PATH_MAX];
        size_t dirLength = std::strlen(dir), nameLength = std::strlen(name);
        if (dirLength + 1 + nameLength >= sizeof child)
          continue;
        std::memcpy(child, dir, dirLength);
        child[dirLength] = '/';
        std::memcpy(child + dirLength + 1, name, nameLength + 1);
        struct stat st;
        if (::lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
          removeTree(child);
        else
          ::unlink(child);
      }
    }
    ::close(fd);
  }
  ::rmdir(dir);
}

/// Removes the registered folders, then gives the signal to the handler
/// that was there before (LLVM's, which removes its temporary files and
/// dies of the signal).
void onSignal(int sig) {
  for (std::atomic<char *> &slot : slots)
    if (char *dir = slot.exchange(nullptr))
      removeTree(dir);
  for (size_t i = 0; i < sizeof(kSignals) / sizeof(kSignals[0]); ++i)
    if (kSignals[i] == sig)
      ::sigaction(sig, &previousActions[i], nullptr);
  // Blocked until this handler returns, then delivered to the handler just
  // restored.
  ::raise(sig);
}

void installHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (size_t i = 0; i < sizeof(kSignals) / sizeof(kSignals[0]); ++i) {
      struct sigaction action {};
      action.sa_handler = onSignal;
      sigemptyset(&action.sa_mask);
      ::sigaction(kSignals[i], &action, &previousActions[i]);
    }
  });
}

} // namespace

bool removeDirectoryOnSignal(llvm::StringRef dir) {
  installHandlers();
  char *copy = ::strndup(dir.data(), dir.size());
  for (std::atomic<char *> &slot : slots) {
    char *expected = nullptr;
    if (slot.compare_exchange_strong(expected, copy))
      return true;
  }
  std::free(copy);
  return false;
}

void dontRemoveDirectoryOnSignal(llvm::StringRef dir) {
  for (std::atomic<char *> &slot : slots) {
    char *current = slot.load();
    if (current && dir == current && slot.compare_exchange_strong(current, nullptr)) {
      std::free(current);
      return;
    }
  }
}

} // namespace netc::codegen
