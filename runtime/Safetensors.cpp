//===- Safetensors.cpp - reading and writing .safetensors files -----------===//

#include "runtime/Safetensors.h"
#include "runtime/FileIO.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

namespace netc::runtime {

namespace {

using Json = nlohmann::ordered_json;

/// safetensors caps its header at 100 MB; a larger size means a corrupt file.
constexpr uint64_t kMaxHeaderSize = 100'000'000;

const std::pair<const char *, size_t> kDTypes[] = {
    {"F64", 8}, {"F32", 4}, {"F16", 2},  {"BF16", 2},    {"I64", 8},
    {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U64", 8},     {"U32", 4},
    {"U16", 2}, {"U8", 1},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};

/// Reads a non-negative integer, rejecting floats, negatives and non-numbers.
bool readCount(const Json &j, uint64_t &out) {
  if (j.is_number_unsigned()) {
    out = j.get<uint64_t>();
    return true;
  }
  if (j.is_number_integer() && j.get<int64_t>() >= 0) {
    out = static_cast<uint64_t>(j.get<int64_t>());
    return true;
  }
  return false;
}

/// Nesting deeper than this is refused: a safetensors header nests 3 levels
/// ({"x": {"shape": [..]}}), and printing a deep value recurses.
constexpr int kMaxHeaderDepth = 32;

/// Thrown by the parser's callback when the header nests too deep.
struct TooDeep {};

/// nlohmann's message without its "[json.exception.KIND.N] " prefix.
std::string jsonReason(const std::exception &e) {
  std::string text = e.what();
  size_t close = text.find("] ");
  return text.rfind("[json.exception.", 0) == 0 && close != std::string::npos
             ? text.substr(close + 2)
             : text;
}

/// "FILE: tensor 'NAME': " as the start of an error about one tensor.
std::string at(const std::string &path, const std::string &name) {
  return path + ": tensor '" + printable(name) + "': ";
}

} // namespace

bool isWritableName(const std::string &text) {
  try {
    (void)Json(text).dump();
    return true;
  } catch (const Json::exception &) {
    return false;
  }
}

std::string printable(const std::string &name) {
  std::string out;
  for (unsigned char c : name) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
      continue;
    }
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", c);
    out += hex;
  }
  return out;
}

size_t safetensorsDTypeSize(const std::string &dtype) {
  for (const auto &[name, size] : kDTypes)
    if (dtype == name)
      return size;
  return 0;
}

int64_t SafetensorsEntry::numel() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

const SafetensorsEntry *SafetensorsFile::find(const std::string &name) const {
  for (const SafetensorsEntry &e : entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

bool SafetensorsFile::read(const std::string &path, std::string &error) {
  std::vector<uint8_t> contents;
  if (!readRegularFile(path, contents, error))
    return false;
  return parse(std::move(contents), path, error);
}

bool SafetensorsFile::parse(std::vector<uint8_t> contents, const std::string &path,
                            std::string &error) {
  filePath = path;
  entries.clear();
  meta.clear();
  bytes = std::move(contents);
  if (bytes.size() < 8) {
    error = path + ": not a safetensors file: " + std::to_string(bytes.size()) +
            " bytes, shorter than the 8-byte header size";
    return false;
  }
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = (headerSize << 8) | bytes[i];
  if (headerSize > kMaxHeaderSize) {
    error = path + ": header size " + std::to_string(headerSize) +
            " is absurd (the format allows at most 100 MB); not a safetensors file?";
    return false;
  }
  if (headerSize > bytes.size() - 8) {
    error = path + ": truncated: the header needs " + std::to_string(headerSize) +
            " bytes but only " + std::to_string(bytes.size() - 8) + " follow the header size";
    return false;
  }
  dataStart = 8 + headerSize;
  std::string header(reinterpret_cast<const char *>(bytes.data()) + 8, headerSize);
  return parseHeader(header, bytes.size() - dataStart, error);
}

namespace {

/// Validates the parsed header's entries into `entries` and `meta`.
bool parseEntries(const Json &root, size_t dataSize, const std::string &filePath,
                  std::vector<SafetensorsEntry> &entries, std::map<std::string, std::string> &meta,
                  std::string &error) {
  if (!root.is_object()) {
    error = filePath + ": the header is not a JSON object";
    return false;
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string &name = it.key();
    const Json &value = it.value();
    if (name == "__metadata__") {
      if (!value.is_object()) {
        error = filePath + ": __metadata__ is not an object of strings";
        return false;
      }
      for (auto m = value.begin(); m != value.end(); ++m) {
        if (!m.value().is_string()) {
          error = filePath + ": __metadata__ entry '" + m.key() + "' is not a string";
          return false;
        }
        meta[m.key()] = m.value().get<std::string>();
      }
      continue;
    }
    if (name.empty()) {
      error = filePath + ": a tensor has an empty name";
      return false;
    }
    if (!value.is_object()) {
      error = at(filePath, name) + "the entry is not an object";
      return false;
    }
    SafetensorsEntry entry;
    entry.name = name;
    auto dtype = value.find("dtype");
    if (dtype == value.end() || !dtype->is_string()) {
      error = at(filePath, name) + "missing dtype";
      return false;
    }
    entry.dtype = dtype->get<std::string>();
    size_t elementSize = safetensorsDTypeSize(entry.dtype);
    if (elementSize == 0) {
      error = at(filePath, name) + "unknown dtype '" + entry.dtype + "'";
      return false;
    }
    auto shape = value.find("shape");
    if (shape == value.end() || !shape->is_array()) {
      error = at(filePath, name) + "missing shape (a list of sizes)";
      return false;
    }
    uint64_t bytesNeeded = elementSize;
    for (const Json &d : *shape) {
      uint64_t extent;
      if (!readCount(d, extent) || extent > (uint64_t(1) << 48)) {
        error = at(filePath, name) + "shape " + shape->dump() + " is not a list of sizes";
        return false;
      }
      if (__builtin_mul_overflow(bytesNeeded, extent, &bytesNeeded)) {
        error = at(filePath, name) + "shape " + shape->dump() + " is too large";
        return false;
      }
      entry.shape.push_back(static_cast<int64_t>(extent));
    }
    auto offsets = value.find("data_offsets");
    uint64_t begin = 0, end = 0;
    if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
        !readCount((*offsets)[0], begin) || !readCount((*offsets)[1], end) || end < begin) {
      error = at(filePath, name) + "data_offsets must be [begin, end] with begin <= end";
      return false;
    }
    if (end > dataSize) {
      error = at(filePath, name) + "data_offsets [" + std::to_string(begin) + ", " +
              std::to_string(end) + "] lie outside the data area of " + std::to_string(dataSize) +
              " bytes (truncated file?)";
      return false;
    }
    if (end - begin != bytesNeeded) {
      error = at(filePath, name) + entry.dtype + " shape " + shape->dump() + " needs " +
              std::to_string(bytesNeeded) + " bytes but data_offsets [" + std::to_string(begin) +
              ", " + std::to_string(end) + "] hold " + std::to_string(end - begin);
      return false;
    }
    entry.begin = begin;
    entry.end = end;
    entries.push_back(std::move(entry));
  }
  // Overlap: sorted by start, each non-empty range must end before the next begins.
  std::vector<const SafetensorsEntry *> sorted;
  for (const SafetensorsEntry &e : entries)
    if (e.end > e.begin)
      sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto *a, const auto *b) { return a->begin < b->begin; });
  for (size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i]->begin < sorted[i - 1]->end) {
      error = at(filePath, sorted[i]->name) + "data overlaps that of tensor '" +
              sorted[i - 1]->name + "'";
      return false;
    }
  return true;
}

} // namespace

bool SafetensorsFile::parseHeader(const std::string &header, size_t dataSize, std::string &error) {
  // nlohmann keeps the last of two equal keys; the callback sees every key.
  std::set<std::string> seen;
  std::string duplicate;
  auto callback = [&](int depth, Json::parse_event_t event, Json &parsed) {
    if (depth >= kMaxHeaderDepth &&
        (event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start))
      throw TooDeep();
    if (depth == 1 && event == Json::parse_event_t::key) {
      std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second && duplicate.empty())
        duplicate = key;
    }
    return true;
  };
  Json root;
  try {
    root = Json::parse(header, callback);
  } catch (const Json::parse_error &e) {
    error = filePath + ": the header is not valid JSON (error at byte " + std::to_string(e.byte) +
            " of the header)";
    return false;
  } catch (const TooDeep &) {
    error = filePath + ": the header nests deeper than " + std::to_string(kMaxHeaderDepth) +
            " levels; not a safetensors file?";
    return false;
  } catch (const Json::exception &e) {
    // A number beyond double's range (1e400) is out_of_range, not a parse_error.
    error = filePath + ": the header is not valid: " + jsonReason(e);
    return false;
  }
  if (!duplicate.empty()) {
    error = at(filePath, duplicate) + "the name appears twice in the header";
    return false;
  }
  try {
    return parseEntries(root, dataSize, filePath, entries, meta, error);
  } catch (const Json::exception &e) {
    error = filePath + ": the header is not valid: " + jsonReason(e);
    return false;
  }
}

bool serializeSafetensors(const std::string &path,
                          const std::vector<SafetensorsTensorRef> &tensors,
                          const std::map<std::string, std::string> &metadata,
                          std::vector<uint8_t> &out, std::string &error) {
  Json header = Json::object();
  if (!metadata.empty()) {
    Json meta = Json::object();
    for (const auto &[key, value] : metadata)
      meta[key] = value;
    header["__metadata__"] = meta;
  }
  std::vector<size_t> sizes;
  size_t offset = 0;
  for (const SafetensorsTensorRef &t : tensors) {
    size_t elementSize = safetensorsDTypeSize(t.dtype);
    if (elementSize == 0 || t.name.empty() || t.name == "__metadata__" || header.contains(t.name)) {
      error =
          "cannot write '" + path + "': tensor '" + printable(t.name) + "' " +
          (elementSize == 0 ? "has unknown dtype '" + t.dtype + "'" : "has a bad or repeated name");
      return false;
    }
    size_t bytes = elementSize;
    for (int64_t d : t.shape)
      bytes *= static_cast<size_t>(d);
    header[t.name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    sizes.push_back(bytes);
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception &) {
    // JSON strings are UTF-8 (type_error 316 otherwise): name the culprit.
    std::string culprit;
    for (const SafetensorsTensorRef &t : tensors)
      if (culprit.empty() && !isWritableName(t.name))
        culprit = "tensor '" + printable(t.name) + "'";
    for (const auto &[key, value] : metadata)
      if (culprit.empty() && (!isWritableName(key) || !isWritableName(value)))
        culprit = "metadata '" + printable(key) + "'";
    error = "cannot write '" + path + "': " + (culprit.empty() ? "a name" : culprit) +
            " is not valid UTF-8, which safetensors headers (JSON) require";
    return false;
  }
  // Pad with spaces so the data area starts 8-byte aligned, as the reference writer does.
  text.append((8 - text.size() % 8) % 8, ' ');
  out.assign(8 + text.size() + offset, 0);
  uint64_t n = text.size();
  for (int i = 0; i < 8; ++i)
    out[i] = static_cast<uint8_t>(n >> (8 * i));
  std::memcpy(out.data() + 8, text.data(), text.size());
  size_t at = 8 + text.size();
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (sizes[i])
      std::memcpy(out.data() + at, tensors[i].data, sizes[i]);
    at += sizes[i];
  }
  return true;
}

bool writeSafetensors(const std::string &path, const std::vector<SafetensorsTensorRef> &tensors,
                      const std::map<std::string, std::string> &metadata, std::string &error) {
  std::vector<uint8_t> out;
  return serializeSafetensors(path, tensors, metadata, out, error) &&
         writeFileAtomically(path, out.data(), out.size(), error);
}

} // namespace netc::runtime
