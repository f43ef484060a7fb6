//===- CompileCacheEntry.cpp - one entry of netc's compile cache ---------===//

#include "CompileCacheEntry.h"

#include "codegen/OutputPaths.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Chrono.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <chrono>
#include <sys/time.h>

namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;

namespace netc::tool {

namespace {

const char *const kManifestHeader = "netc compile cache entry 1";

std::string child(llvm::StringRef dir, const llvm::Twine &name) {
  llvm::SmallString<256> p(dir);
  path::append(p, name);
  return p.str().str();
}

std::unique_ptr<llvm::MemoryBuffer> readBytes(const std::string &file) {
  auto buffer = llvm::MemoryBuffer::getFile(file, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  return buffer ? std::move(*buffer) : nullptr;
}

/// The integrity hash of an entry's file: fast, and enough to catch damage.
std::string fileHash(llvm::StringRef bytes) {
  llvm::XXH128_hash_t h = llvm::xxh3_128bits(llvm::arrayRefFromStringRef(bytes));
  return llvm::utohexstr(h.high64, true, 16) + llvm::utohexstr(h.low64, true, 16);
}

/// The SHA-256 of the file `file`'s bytes, or "" when it cannot be read.
std::string depHash(const std::string &file) {
  std::unique_ptr<llvm::MemoryBuffer> bytes = readBytes(file);
  if (!bytes)
    return "";
  CacheHasher hasher;
  hasher.add(bytes->getBuffer());
  return hasher.hex();
}

bool parseManifest(llvm::StringRef text, CacheManifest &manifest) {
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n', -1, /*KeepEmpty=*/false);
  if (lines.empty() || lines[0] != kManifestHeader)
    return false;
  for (llvm::StringRef line : llvm::ArrayRef(lines).drop_front()) {
    auto [kind, rest] = line.split(' ');
    if (kind == "dep") {
      auto [hash, file] = rest.split(' ');
      manifest.deps.emplace_back(file.str(), hash.str());
      continue;
    }
    llvm::SmallVector<llvm::StringRef> fields;
    rest.split(fields, ' ');
    CacheManifest::File f;
    if (kind != "file" || fields.size() != 3 || fields[0].getAsInteger(10, f.size) ||
        fields[2].getAsInteger(8, f.mode))
      return false;
    f.hash = fields[1].str();
    manifest.files.push_back(f);
  }
  return true;
}

} // namespace

void CacheHasher::add(llvm::StringRef bytes) {
  std::string size = std::to_string(bytes.size()) + ":";
  sha.update(size);
  sha.update(bytes);
}

std::string CacheHasher::hex() {
  std::array<uint8_t, 32> digest = sha.final();
  return llvm::toHex(digest, /*LowerCase=*/true);
}

bool readEntry(const std::string &dir, size_t count, CacheManifest &manifest,
               std::vector<std::unique_ptr<llvm::MemoryBuffer>> &files) {
  std::unique_ptr<llvm::MemoryBuffer> text = readBytes(child(dir, "manifest"));
  if (!text || !parseManifest(text->getBuffer(), manifest) || manifest.files.size() != count)
    return false;
  for (const auto &[file, hash] : manifest.deps)
    if (depHash(file) != hash)
      return false;
  for (size_t i = 0; i < count; ++i) {
    std::unique_ptr<llvm::MemoryBuffer> bytes = readBytes(child(dir, "out" + llvm::Twine(i)));
    if (!bytes || bytes->getBufferSize() != manifest.files[i].size ||
        fileHash(bytes->getBuffer()) != manifest.files[i].hash)
      return false;
    files.push_back(std::move(bytes));
  }
  return true;
}

bool writeNewFile(const std::string &model, llvm::StringRef bytes, unsigned mode,
                  std::string &created) {
  int fd = -1;
  llvm::SmallString<256> name;
  if (fs::createUniqueFile(model, fd, name, fs::OF_None, mode))
    return false;
  created = name.str().str();
  llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
  os << bytes;
  os.close();
  if (os.has_error()) {
    os.clear_error();
    fs::remove(created);
    return false;
  }
  return true;
}

bool writeEntry(const std::string &dir, const std::vector<std::string> &sources,
                const std::vector<std::string> &deps) {
  llvm::StringRef parent = path::parent_path(dir);
  llvm::SmallString<256> temp;
  if (fs::createUniqueDirectory(child(parent, ".tmp"), temp))
    return false;
  codegen::removeDirectoryOnSignal(temp);
  auto finish = [&](bool ok) {
    if (!ok)
      fs::remove_directories(temp);
    codegen::dontRemoveDirectoryOnSignal(temp);
    return ok;
  };
  std::string manifest = std::string(kManifestHeader) + "\n";
  for (const std::string &dep : deps) {
    std::string hash = depHash(dep);
    if (hash.empty() || dep.find('\n') != std::string::npos)
      return finish(false);
    manifest += "dep " + hash + " " + dep + "\n";
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    std::unique_ptr<llvm::MemoryBuffer> bytes = readBytes(sources[i]);
    fs::file_status status;
    std::string written;
    if (!bytes || fs::status(sources[i], status) ||
        !writeNewFile(child(temp, "out" + llvm::Twine(i)), bytes->getBuffer(), 0644, written))
      return finish(false);
    unsigned mode = status.permissions() & fs::all_perms;
    manifest += "file " + std::to_string(bytes->getBufferSize()) + " " +
                fileHash(bytes->getBuffer()) + " " + llvm::utostr(mode >> 6) +
                llvm::utostr((mode >> 3) & 7) + llvm::utostr(mode & 7) + "\n";
  }
  std::string written;
  if (!writeNewFile(child(temp, "manifest"), manifest, 0644, written))
    return finish(false);
  if (!fs::rename(temp, dir))
    return finish(true);
  // An entry is there already (damaged, or stored meanwhile by another run):
  // move it aside, then put this one in its place.
  llvm::SmallString<256> old;
  fs::createUniquePath(child(parent, ".old-%%%%%%"), old, /*MakeAbsolute=*/false);
  if (!fs::rename(dir, old))
    fs::remove_directories(old);
  return finish(!fs::rename(temp, dir));
}

void touchEntry(const std::string &dir) {
  std::string manifest = child(dir, "manifest");
  ::utimes(manifest.c_str(), nullptr);
}

void evictEntries(llvm::StringRef buildDir, unsigned maxEntries, uint64_t maxBytes) {
  struct Entry {
    std::string dir;
    llvm::sys::TimePoint<> used;
    uint64_t bytes = 0;
  };
  std::vector<Entry> entries;
  auto now = std::chrono::system_clock::now();
  std::error_code ec;
  for (fs::directory_iterator it(buildDir, ec), end; !ec && it != end; it.increment(ec)) {
    llvm::StringRef name = path::filename(it->path());
    fs::file_status status;
    if (fs::status(it->path(), status) || !fs::is_directory(status))
      continue;
    // A write that a crash interrupted leaves a private folder behind.
    if (name.starts_with(".")) {
      if (now - status.getLastModificationTime() > std::chrono::hours(1))
        fs::remove_directories(it->path());
      continue;
    }
    Entry entry{it->path(), {}, 0};
    fs::file_status manifest;
    if (!fs::status(child(entry.dir, "manifest"), manifest))
      entry.used = manifest.getLastModificationTime();
    std::error_code inner;
    for (fs::directory_iterator f(entry.dir, inner), e; !inner && f != e; f.increment(inner))
      if (fs::file_status s; !fs::status(f->path(), s))
        entry.bytes += s.getSize();
    entries.push_back(std::move(entry));
  }
  // Newest first: the entries past the limits are the least recently used.
  std::sort(entries.begin(), entries.end(),
            [](const Entry &a, const Entry &b) { return a.used > b.used; });
  uint64_t total = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    total += entries[i].bytes;
    if (i >= maxEntries || total > maxBytes)
      fs::remove_directories(entries[i].dir);
  }
}

} // namespace netc::tool
