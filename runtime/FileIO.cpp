//===- FileIO.cpp - reading inputs and writing outputs safely -------------===//

#include "runtime/FileIO.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

namespace netc::runtime {

namespace {

// Temporary names to remove when a signal kills the process. The handler may
// run at any moment on any thread, so the table is static and lock-free:
// a slot is free (0), being filled (1) or holds a name to remove (2).
constexpr int kSlots = 32;
struct TempSlot {
  std::atomic<int> state{0};
  char path[PATH_MAX];
};
TempSlot tempSlots[kSlots];
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
std::once_flag handlersInstalled;
std::atomic<bool> unnamedAllowed{true};

/// Removes the registered temporaries, then dies of `sig` as the default
/// action would. Async-signal-safe calls only.
void removeTemporaries(int sig) {
  for (TempSlot &slot : tempSlots)
    if (slot.state.load(std::memory_order_acquire) == 2)
      ::unlink(slot.path);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  raise(sig);
}

/// Installs removeTemporaries for the signals that still have their default
/// action: a program embedding a model keeps the handlers it chose.
void installHandlers() {
  for (int sig : kSignals) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
        old.sa_handler != SIG_DFL)
      continue;
    struct sigaction sa {};
    sa.sa_handler = removeTemporaries;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
}

/// Records `path` for removal by the signal handler; returns its slot, or -1
/// when the table is full or the path too long (it is then left behind only
/// if the process is killed in between).
int registerTemporary(const std::string &path) {
  std::call_once(handlersInstalled, installHandlers);
  if (path.size() >= PATH_MAX)
    return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (tempSlots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(tempSlots[i].path, path.c_str(), path.size() + 1);
      tempSlots[i].state.store(2, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void unregisterTemporary(int &slot) {
  if (slot >= 0)
    tempSlots[slot].state.store(0, std::memory_order_release);
  slot = -1;
}

/// Blocks the termination signals on this thread for its lifetime, so that
/// creating or renaming a temporary and registering it happen as one step.
class SignalBlock {
public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kSignals)
      sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &saved);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &saved, nullptr); }

private:
  sigset_t saved;
};

std::string folderOf(const std::string &path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string cannot(const char *what, const std::string &path, const std::string &why) {
  return std::string("cannot ") + what + " '" + path + "': " + why;
}

/// A name for a temporary beside `target` that no file has yet (checked
/// again by linkat, which never replaces a file).
std::string uniqueTempName(const std::string &target, int attempt) {
  static std::atomic<uint64_t> counter{0};
  uint64_t mix =
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      (static_cast<uint64_t>(getpid()) << 32) ^ counter.fetch_add(1) ^
      static_cast<uint64_t>(attempt) * 0x9e3779b97f4a7c15ull;
  const char *digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string suffix;
  for (int i = 0; i < 6; ++i, mix /= 36)
    suffix += digits[mix % 36];
  return target + ".tmp." + suffix;
}

} // namespace

bool readRegularFile(const std::string &path, std::vector<uint8_t> &bytes, std::string &error,
                     uint64_t maxBytes) {
  bytes.clear();
  // O_NONBLOCK: opening a FIFO without a writer must not wait for one.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    error = cannot("open", path, std::strerror(errno));
    return false;
  }
  struct stat st {};
  bool ok = false;
  if (fstat(fd, &st) != 0)
    error = cannot("read", path, std::strerror(errno));
  else if (S_ISDIR(st.st_mode))
    error = cannot("read", path, "it is a directory, not a file");
  else if (!S_ISREG(st.st_mode))
    error = cannot("read", path, "not a regular file (a FIFO, socket or device)");
  else if (static_cast<uint64_t>(st.st_size) > maxBytes)
    error = cannot("read", path,
                   std::to_string(st.st_size) + " bytes, more than the limit of " +
                       std::to_string(maxBytes) + " bytes");
  else
    ok = true;
  if (ok) {
    // Exactly the size stat reported: a file that grows meanwhile is not
    // followed, one that shrinks is an error.
    bytes.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (ok && done < bytes.size()) {
      ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        error = cannot("read", path,
                       n == 0 ? "the file shrank while being read" : std::strerror(errno));
        ok = false;
      } else {
        done += static_cast<size_t>(n);
      }
    }
  }
  ::close(fd);
  if (!ok)
    bytes.clear();
  return ok;
}

std::string resolveOutputPath(const std::string &path) {
  std::string current = path;
  // As the kernel does, give up after 40 links (a loop then fails at rename).
  for (int depth = 0; depth < 40; ++depth) {
    struct stat st {};
    if (lstat(current.c_str(), &st) != 0 || !S_ISLNK(st.st_mode))
      return current;
    std::vector<char> buffer(PATH_MAX + 1);
    ssize_t n = readlink(current.c_str(), buffer.data(), buffer.size() - 1);
    if (n <= 0)
      return current;
    std::string link(buffer.data(), static_cast<size_t>(n));
    if (link[0] != '/' && current.find('/') != std::string::npos)
      link = folderOf(current) + "/" + link;
    current = link;
  }
  return current;
}

void OutputFile::allowUnnamed(bool allow) { unnamedAllowed = allow; }

OutputFile::~OutputFile() { discard(); }

bool OutputFile::open(const std::string &destination, std::string &error) {
  discard();
  path = destination;
  target = resolveOutputPath(destination);
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    error = cannot("write", path, S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
    return false;
  }
  int fd = -1;
  // An unnamed file needs /proc to be given a name at the end (linkat).
  if (unnamedAllowed && ::access("/proc/self/fd", X_OK) == 0)
    fd = ::open(folderOf(target).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    SignalBlock block;
    tempName = target + ".tmp.XXXXXX";
    fd = mkostemp(tempName.data(), O_CLOEXEC);
    if (fd < 0) {
      error = cannot("write", path, std::strerror(errno));
      tempName.clear();
      return false;
    }
    slot = registerTemporary(tempName);
  }
  file = fdopen(fd, "wb");
  if (!file) {
    error = cannot("write", path, std::strerror(errno));
    ::close(fd);
    discard();
    return false;
  }
  return true;
}

bool OutputFile::commit(std::string &error) {
  if (!file) {
    error = cannot("write", path, "the file is not open");
    return false;
  }
  int fd = fileno(file);
  // mkstemp creates 0600; a weights file or a log is an ordinary file.
  if (std::fflush(file) != 0 || std::ferror(file) || fchmod(fd, 0644) != 0) {
    error = cannot("write", path, std::strerror(errno ? errno : EIO));
    discard();
    return false;
  }
  int status = 0, savedErrno = 0;
  if (tempName.empty()) {
    // Unnamed: give it a temporary name, then rename that over the target.
    std::string proc = "/proc/self/fd/" + std::to_string(fd);
    SignalBlock block;
    status = -1;
    savedErrno = EEXIST;
    for (int attempt = 0; attempt < 100 && status != 0 && savedErrno == EEXIST; ++attempt) {
      tempName = uniqueTempName(target, attempt);
      slot = registerTemporary(tempName);
      status = linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tempName.c_str(), AT_SYMLINK_FOLLOW);
      savedErrno = status ? errno : 0;
      if (status != 0) {
        unregisterTemporary(slot);
        tempName.clear();
      }
    }
    if (status == 0 && std::rename(tempName.c_str(), target.c_str()) != 0) {
      savedErrno = errno;
      status = -1;
      ::unlink(tempName.c_str());
    }
    unregisterTemporary(slot);
    tempName.clear();
    std::fclose(file);
    file = nullptr;
  } else {
    status = std::fclose(file);
    file = nullptr;
    SignalBlock block;
    if (status == 0 && std::rename(tempName.c_str(), target.c_str()) == 0)
      tempName.clear();
    else
      savedErrno = errno;
    unregisterTemporary(slot);
  }
  if (status != 0 || !tempName.empty()) {
    error = cannot("write", path, std::strerror(savedErrno ? savedErrno : EIO));
    discard();
    return false;
  }
  return true;
}

void OutputFile::discard() {
  if (file)
    std::fclose(file);
  file = nullptr;
  if (!tempName.empty()) {
    SignalBlock block;
    ::unlink(tempName.c_str());
    unregisterTemporary(slot);
  }
  tempName.clear();
}

bool writeFileAtomically(const std::string &path, const void *data, size_t size,
                         std::string &error) {
  OutputFile out;
  if (!out.open(path, error))
    return false;
  if (size && std::fwrite(data, 1, size, out.stream()) != size) {
    error = cannot("write", path, std::strerror(errno ? errno : EIO));
    return false;
  }
  return out.commit(error);
}

} // namespace netc::runtime
