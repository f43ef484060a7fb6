//===- Zip.cpp - the zip container of .npz files --------------------------===//
//
// Reading walks the central directory (found through the end record, or the
// zip64 end record when counts or offsets overflow 32 bits), never the local
// headers' sizes: a writer that streams (Python's zipfile writing with
// force_zip64) leaves them as placeholders. Deflated members are inflated by
// zlib, which is opened with dlopen the first time one is met: the runtime
// is linked into every generated library, whose users then need no -lz.
// Writing lays out stored members only, with a fixed timestamp so that equal
// tensors give equal files.
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"

#include <zlib.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace netc::runtime {

namespace {

uint64_t le(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

void putLE(std::vector<uint8_t> &out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50,
                   kEnd64Sig = 0x06064b50, kLocator64Sig = 0x07064b50;

/// zlib's inflate functions, from libz.so.1 when a deflated member is met.
struct Zlib {
  decltype(&inflateInit2_) init = nullptr;
  decltype(&inflate) run = nullptr;
  decltype(&inflateEnd) end = nullptr;
};

const Zlib *zlib() {
  static Zlib z;
  static std::once_flag once;
  std::call_once(once, [] {
    void *handle = dlopen("libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!handle)
      return;
    z.init = reinterpret_cast<decltype(&inflateInit2_)>(dlsym(handle, "inflateInit2_"));
    z.run = reinterpret_cast<decltype(&inflate)>(dlsym(handle, "inflate"));
    z.end = reinterpret_cast<decltype(&inflateEnd)>(dlsym(handle, "inflateEnd"));
  });
  return z.init && z.run && z.end ? &z : nullptr;
}

/// Inflates the raw deflate stream `in` into exactly `out.size()` bytes.
bool inflateRaw(const uint8_t *in, size_t inSize, std::vector<uint8_t> &out, std::string &why) {
  const Zlib *z = zlib();
  if (!z) {
    why = "it is deflated and zlib (libz.so.1) cannot be loaded";
    return false;
  }
  z_stream s;
  std::memset(&s, 0, sizeof s);
  if (z->init(&s, -MAX_WBITS, ZLIB_VERSION, static_cast<int>(sizeof s)) != Z_OK) {
    why = "zlib cannot start inflating";
    return false;
  }
  // zlib counts in 32 bits: feed and drain at most 1 GiB at a time.
  constexpr size_t kChunk = size_t(1) << 30;
  size_t inPos = 0, outPos = 0;
  int rc = Z_OK;
  for (;;) {
    if (s.avail_in == 0 && inPos < inSize) {
      s.next_in = const_cast<Bytef *>(in + inPos);
      s.avail_in = static_cast<uInt>(std::min(kChunk, inSize - inPos));
      inPos += s.avail_in;
    }
    if (s.avail_out == 0 && outPos < out.size()) {
      s.next_out = out.data() + outPos;
      s.avail_out = static_cast<uInt>(std::min(kChunk, out.size() - outPos));
      outPos += s.avail_out;
    }
    rc = z->run(&s, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      break;
    // No progress is possible once all input is in or all output space used.
    bool starved = (s.avail_in == 0 && inPos == inSize) || (s.avail_out == 0 && outPos == out.size());
    if (rc == Z_BUF_ERROR && starved)
      break;
  }
  bool whole = rc == Z_STREAM_END && s.total_out == out.size();
  z->end(&s);
  if (!whole)
    why = "its deflate stream is corrupt or does not give the size the directory says";
  return whole;
}

/// The zip64 extended sizes and offset of a central directory entry.
bool readZip64Extra(const uint8_t *extra, size_t size, uint64_t &usize, uint64_t &csize,
                    uint64_t &offset) {
  for (size_t p = 0; p + 4 <= size;) {
    uint64_t id = le(extra + p, 2), len = le(extra + p + 2, 2);
    if (p + 4 + len > size)
      return false;
    if (id == 1) {
      const uint8_t *f = extra + p + 4, *end = f + len;
      for (uint64_t *field : {&usize, &csize, &offset}) {
        if (*field != 0xffffffffu)
          continue;
        if (f + 8 > end)
          return false;
        *field = le(f, 8);
        f += 8;
      }
      return true;
    }
    p += 4 + len;
  }
  return true;
}

} // namespace

uint32_t crc32(uint32_t crc, const void *data, size_t size) {
  static uint32_t table[256];
  static std::once_flag once;
  std::call_once(once, [] {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table[i] = c;
    }
  });
  const uint8_t *p = static_cast<const uint8_t *>(data);
  crc = ~crc;
  for (size_t i = 0; i < size; ++i)
    crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

bool readZip(const uint8_t *bytes, size_t size, const std::string &path,
             std::vector<ZipMember> &members, std::string &error) {
  auto fail = [&](const std::string &why) {
    error = path + ": " + why;
    return false;
  };
  // The end record is the last 22 bytes, before a comment of at most 64 KiB.
  size_t end = size;
  for (size_t p = size >= 22 ? size - 22 : size; size >= 22; --p) {
    if (le(bytes + p, 4) == kEndSig) {
      end = p;
      break;
    }
    if (p == 0 || size - p > 22 + 65535)
      break;
  }
  if (end == size)
    return fail("not an .npz file (no zip end record; truncated?)");
  uint64_t count = le(bytes + end + 10, 2), dirSize = le(bytes + end + 12, 4),
           dirOffset = le(bytes + end + 16, 4);
  if ((count == 0xffff || dirSize == 0xffffffffu || dirOffset == 0xffffffffu) && end >= 20 &&
      le(bytes + end - 20, 4) == kLocator64Sig) {
    uint64_t at = le(bytes + end - 12, 8);
    if (at > size || size - at < 56 || le(bytes + at, 4) != kEnd64Sig)
      return fail("the zip64 end record is missing or truncated");
    count = le(bytes + at + 32, 8);
    dirSize = le(bytes + at + 40, 8);
    dirOffset = le(bytes + at + 48, 8);
  }
  if (dirOffset > size || dirSize > size - dirOffset)
    return fail("the zip directory lies outside the file (truncated?)");
  members.clear();
  size_t p = dirOffset;
  for (uint64_t i = 0; i < count; ++i) {
    if (p + 46 > dirOffset + dirSize || le(bytes + p, 4) != kCentralSig)
      return fail("the zip directory is corrupt");
    uint64_t flags = le(bytes + p + 8, 2), method = le(bytes + p + 10, 2);
    uint32_t crc = static_cast<uint32_t>(le(bytes + p + 16, 4));
    uint64_t csize = le(bytes + p + 20, 4), usize = le(bytes + p + 24, 4);
    uint64_t nameLen = le(bytes + p + 28, 2), extraLen = le(bytes + p + 30, 2),
             commentLen = le(bytes + p + 32, 2), local = le(bytes + p + 42, 4);
    if (p + 46 + nameLen + extraLen + commentLen > dirOffset + dirSize)
      return fail("the zip directory is corrupt");
    ZipMember m;
    m.name.assign(reinterpret_cast<const char *>(bytes + p + 46), nameLen);
    if (!readZip64Extra(bytes + p + 46 + nameLen, extraLen, usize, csize, local))
      return fail("member '" + m.name + "': its zip64 sizes are corrupt");
    p += 46 + nameLen + extraLen + commentLen;
    std::string at = "member '" + m.name + "': ";
    if (flags & 1)
      return fail(at + "it is encrypted");
    if (local > size || size - local < 30 || le(bytes + local, 4) != kLocalSig)
      return fail(at + "its local header is missing (truncated?)");
    uint64_t start = local + 30 + le(bytes + local + 26, 2) + le(bytes + local + 28, 2);
    if (start > size || csize > size - start)
      return fail(at + "its data lies outside the file (truncated?)");
    if (method == 0) {
      if (csize != usize)
        return fail(at + "it is stored but its two sizes differ");
      m.data = bytes + start;
    } else if (method == 8) {
      std::string why;
      m.inflated.resize(usize);
      if (!inflateRaw(bytes + start, csize, m.inflated, why))
        return fail(at + why);
      m.data = m.inflated.data();
    } else {
      return fail(at + "it is compressed by zip method " + std::to_string(method) +
                  ", which is not read (stored and deflated members are)");
    }
    m.size = usize;
    if (crc32(0, m.data, m.size) != crc)
      return fail(at + "its CRC-32 does not match (corrupt file)");
    members.push_back(std::move(m));
  }
  return true;
}

bool writeZip(const std::vector<ZipInput> &files, const std::string &path,
              std::vector<uint8_t> &out, std::string &error) {
  constexpr uint64_t kLimit = 0xfffffffeu;
  // Deterministic: 1980-01-01 00:00, the earliest DOS date.
  constexpr uint16_t kDate = (1 << 5) | 1, kTime = 0;
  std::vector<uint8_t> directory;
  out.clear();
  if (files.size() > 0xfffe) {
    error = path + ": more than 65534 tensors do not fit an .npz file written by netc";
    return false;
  }
  for (const ZipInput &f : files) {
    uint64_t size = 0;
    uint32_t crc = 0;
    for (auto [data, bytes] : f.pieces) {
      size += bytes;
      crc = crc32(crc, data, bytes);
    }
    uint64_t offset = out.size();
    if (size > kLimit || offset > kLimit) {
      error = path + ": tensor files of 4 GiB and more are not written as .npz (write "
                     ".safetensors)";
      return false;
    }
    bool utf8 = false;
    for (unsigned char c : f.name)
      utf8 |= c >= 0x80;
    // The fields local and central headers share, from "version needed" on.
    auto common = [&](std::vector<uint8_t> &to) {
      putLE(to, 20, 2);
      putLE(to, utf8 ? 0x800 : 0, 2);
      putLE(to, 0, 2);
      putLE(to, kTime, 2);
      putLE(to, kDate, 2);
      putLE(to, crc, 4);
      putLE(to, size, 4);
      putLE(to, size, 4);
      putLE(to, f.name.size(), 2);
      putLE(to, 0, 2);
    };
    putLE(out, kLocalSig, 4);
    common(out);
    out.insert(out.end(), f.name.begin(), f.name.end());
    for (auto [data, bytes] : f.pieces)
      out.insert(out.end(), static_cast<const uint8_t *>(data),
                 static_cast<const uint8_t *>(data) + bytes);
    putLE(directory, kCentralSig, 4);
    putLE(directory, 20, 2);
    common(directory);
    putLE(directory, 0, 2);  // comment length
    putLE(directory, 0, 2);  // disk
    putLE(directory, 0, 2);  // internal attributes
    putLE(directory, 0, 4);  // external attributes
    putLE(directory, offset, 4);
    directory.insert(directory.end(), f.name.begin(), f.name.end());
  }
  uint64_t dirOffset = out.size();
  if (dirOffset > kLimit) {
    error = path + ": tensor files of 4 GiB and more are not written as .npz (write "
                   ".safetensors)";
    return false;
  }
  out.insert(out.end(), directory.begin(), directory.end());
  putLE(out, kEndSig, 4);
  putLE(out, 0, 4);
  putLE(out, files.size(), 2);
  putLE(out, files.size(), 2);
  putLE(out, directory.size(), 4);
  putLE(out, dirOffset, 4);
  putLE(out, 0, 2);
  return true;
}

} // namespace netc::runtime
