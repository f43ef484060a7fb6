//===- Npy.cpp - NumPy's .npy arrays --------------------------------------===//
//
// The .npy half of Npy.h: the header's dict literal, read by a small parser
// that accepts what NumPy writes (and what a person might write by hand:
// any spacing, any key order, a trailing comma), and the element
// conversions to little-endian C order. The zip container is in Zip.cpp.
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"

#include <cctype>
#include <cstring>

namespace netc::runtime {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;

/// NumPy's type characters and sizes beside their safetensors names.
struct DTypeName {
  char kind;
  size_t size;
  const char *name;
};
const DTypeName kDTypeNames[] = {
    {'f', 2, "F16"}, {'f', 4, "F32"}, {'f', 8, "F64"}, {'i', 1, "I8"},  {'i', 2, "I16"},
    {'i', 4, "I32"}, {'i', 8, "I64"}, {'u', 1, "U8"},  {'u', 2, "U16"}, {'u', 4, "U32"},
    {'u', 8, "U64"}, {'b', 1, "BOOL"}};

/// A cursor over the header's dict literal.
struct Cursor {
  const std::string &text;
  size_t pos = 0;

  void skipSpace() {
    while (pos < text.size() && std::strchr(" \t\r\n", text[pos]) && text[pos])
      ++pos;
  }
  bool eat(char c) {
    skipSpace();
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  /// A quoted string ('...' or "..."), without escapes (NumPy writes none).
  bool quoted(std::string &out) {
    skipSpace();
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos];
    size_t end = text.find(quote, pos + 1);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return true;
  }
  /// A word of letters (True, False).
  std::string word() {
    skipSpace();
    size_t start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos])))
      ++pos;
    return text.substr(start, pos - start);
  }
  /// A non-negative decimal integer, at most 2^48.
  bool count(int64_t &out) {
    skipSpace();
    size_t start = pos;
    out = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      out = out * 10 + (text[pos++] - '0');
      if (out > (int64_t(1) << 48))
        return false;
    }
    // Python 2 wrote longs as "3L".
    if (pos > start && pos < text.size() && text[pos] == 'L')
      ++pos;
    return pos > start;
  }
  /// A shape tuple: (), (5,), (2, 3).
  bool shape(std::vector<int64_t> &out) {
    out.clear();
    if (!eat('('))
      return false;
    while (!eat(')')) {
      int64_t d;
      if (!count(d))
        return false;
      out.push_back(d);
      if (!eat(',')) {
        if (!eat(')'))
          return false;
        break;
      }
    }
    return true;
  }
};

/// Reads the header dict into `descr`, `fortran` and `shape`.
bool parseDict(const std::string &header, std::string &descr, bool &fortran,
               std::vector<int64_t> &shape, std::string &why) {
  Cursor c{header};
  bool haveDescr = false, haveOrder = false, haveShape = false;
  if (!c.eat('{')) {
    why = "the header is not a dict";
    return false;
  }
  while (!c.eat('}')) {
    std::string key;
    if (!c.quoted(key) || !c.eat(':')) {
      why = "the header dict is malformed near byte " + std::to_string(c.pos);
      return false;
    }
    if (key == "descr") {
      if (!c.quoted(descr)) {
        why = "'descr' is not a string (structured arrays are not read)";
        return false;
      }
      haveDescr = true;
    } else if (key == "fortran_order") {
      std::string w = c.word();
      if (w != "True" && w != "False") {
        why = "'fortran_order' is not True or False";
        return false;
      }
      fortran = w == "True";
      haveOrder = true;
    } else if (key == "shape") {
      if (!c.shape(shape)) {
        why = "'shape' is not a tuple of sizes";
        return false;
      }
      haveShape = true;
    } else {
      why = "the header has an unexpected key '" + key + "'";
      return false;
    }
    if (!c.eat(',')) {
      if (!c.eat('}')) {
        why = "the header dict is malformed near byte " + std::to_string(c.pos);
        return false;
      }
      break;
    }
  }
  if (!haveDescr || !haveOrder || !haveShape) {
    why = std::string("the header lacks '") +
          (!haveDescr ? "descr" : !haveOrder ? "fortran_order" : "shape") + "'";
    return false;
  }
  return true;
}

/// The safetensors dtype and element size of a NumPy descr ("<f4"), and
/// whether its elements are big-endian.
bool dtypeOfDescr(const std::string &descr, std::string &dtype, size_t &size, bool &bigEndian) {
  std::string d = descr;
  bigEndian = false;
  if (!d.empty() && std::strchr("<>|=", d[0])) {
    bigEndian = d[0] == '>';
    d = d.substr(1);
  }
  if (d.size() < 2)
    return false;
  for (const DTypeName &n : kDTypeNames)
    if (d[0] == n.kind && d.substr(1) == std::to_string(n.size)) {
      dtype = n.name;
      size = n.size;
      return true;
    }
  return false;
}

/// Copies `n` elements of `size` bytes from `from` to `to`, reversing each.
void byteSwap(const uint8_t *from, uint8_t *to, int64_t n, size_t size) {
  for (int64_t i = 0; i < n; ++i)
    for (size_t b = 0; b < size; ++b)
      to[i * size + b] = from[i * size + size - 1 - b];
}

/// Reorders `from` (Fortran order: the first index varies fastest) into C order.
void fortranToC(const uint8_t *from, uint8_t *to, const std::vector<int64_t> &shape,
                size_t size) {
  size_t rank = shape.size();
  std::vector<int64_t> stride(rank, 1), index(rank, 0);
  for (size_t k = rank; k-- > 1;)
    stride[k - 1] = stride[k] * shape[k];
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  for (int64_t i = 0; i < n; ++i) {
    int64_t offset = 0;
    for (size_t k = 0; k < rank; ++k)
      offset += index[k] * stride[k];
    std::memcpy(to + offset * size, from + i * size, size);
    for (size_t k = 0; k < rank && ++index[k] == shape[k]; ++k)
      index[k] = 0;
  }
}

uint32_t readLE(const uint8_t *p, int bytes) {
  uint32_t v = 0;
  for (int i = bytes - 1; i >= 0; --i)
    v = (v << 8) | p[i];
  return v;
}

} // namespace

bool parseNpy(const uint8_t *bytes, size_t size, const std::string &where, NpyArray &out,
              std::string &error) {
  if (size < 10 || std::memcmp(bytes, kMagic, kMagicSize) != 0) {
    error = where + ": not a .npy file (it does not start with \\x93NUMPY)";
    return false;
  }
  int major = bytes[6];
  if (major < 1 || major > 3) {
    error = where + ": .npy format version " + std::to_string(major) + " is not read (1 to 3 are)";
    return false;
  }
  size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix) {
    error = where + ": truncated in the .npy header";
    return false;
  }
  size_t headerSize = readLE(bytes + 8, major == 1 ? 2 : 4);
  if (headerSize > size - prefix) {
    error = where + ": truncated: the .npy header needs " + std::to_string(headerSize) +
            " bytes but only " + std::to_string(size - prefix) + " follow";
    return false;
  }
  std::string header(reinterpret_cast<const char *>(bytes) + prefix, headerSize);
  std::string descr, why;
  bool fortran = false, bigEndian = false;
  size_t elementSize = 0;
  if (!parseDict(header, descr, fortran, out.shape, why)) {
    error = where + ": bad .npy header: " + why;
    return false;
  }
  if (!dtypeOfDescr(descr, out.dtype, elementSize, bigEndian)) {
    error = where + ": dtype '" + descr +
            "' is not read (float16/32/64, int8/16/32/64, uint8/16/32/64 and bool are)";
    return false;
  }
  uint64_t needed = elementSize;
  for (int64_t d : out.shape)
    if (__builtin_mul_overflow(needed, static_cast<uint64_t>(d), &needed)) {
      error = where + ": shape is too large";
      return false;
    }
  size_t available = size - prefix - headerSize;
  if (needed != available) {
    error = where + (needed > available ? ": truncated: " : ": ") + "the array (" + descr +
            ", " + std::to_string(out.shape.size()) + "-d) needs " + std::to_string(needed) +
            " bytes of data but " + std::to_string(available) + " follow the header";
    return false;
  }
  const uint8_t *data = bytes + prefix + headerSize;
  out.bytes = needed;
  out.data = data;
  bool swap = bigEndian && elementSize > 1;
  bool reorder = fortran && out.shape.size() > 1;
  if (!swap && !reorder)
    return true;
  out.converted.resize(needed);
  if (swap && reorder) {
    std::vector<uint8_t> swapped(needed);
    byteSwap(data, swapped.data(), static_cast<int64_t>(needed / elementSize), elementSize);
    fortranToC(swapped.data(), out.converted.data(), out.shape, elementSize);
  } else if (swap) {
    byteSwap(data, out.converted.data(), static_cast<int64_t>(needed / elementSize), elementSize);
  } else {
    fortranToC(data, out.converted.data(), out.shape, elementSize);
  }
  out.data = out.converted.data();
  return true;
}

bool npyHeader(const std::string &dtype, const std::vector<int64_t> &shape, std::string &header,
               std::string &error) {
  const DTypeName *found = nullptr;
  for (const DTypeName &n : kDTypeNames)
    if (dtype == n.name)
      found = &n;
  if (!found) {
    error = "dtype " + dtype + " has no .npy name here";
    return false;
  }
  std::string descr = std::string(found->size == 1 ? "|" : "<") + found->kind +
                      std::to_string(found->size);
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(shape[i]);
  dict += shape.size() == 1 ? ",), }" : "), }";
  // Padded with spaces and ended by a newline so that the data starts at a
  // multiple of 64 bytes; version 2 only when version 1's 16-bit length cannot say it.
  size_t prefix = dict.size() + 1 + 10 > 65535 ? 12 : 10;
  size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  size_t length = total - prefix;
  dict.append(length - dict.size() - 1, ' ');
  dict += '\n';
  header.assign(kMagic, kMagicSize);
  header += static_cast<char>(prefix == 10 ? 1 : 2);
  header += '\0';
  for (size_t i = 0; i < prefix - 8; ++i)
    header += static_cast<char>((length >> (8 * i)) & 0xff);
  header += dict;
  return true;
}

} // namespace netc::runtime
