//===- TensorFile.cpp - named tensors from any tensor file ----------------===//

#include "runtime/TensorFile.h"
#include "runtime/FileIO.h"
#include "runtime/Npy.h"
#include "runtime/OnnxTensor.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace netc::runtime {

namespace {

bool endsWith(const std::string &text, const char *suffix) {
  size_t n = std::strlen(suffix);
  return text.size() >= n && text.compare(text.size() - n, n, suffix) == 0;
}

/// The file name of `path` without its folder and extension.
std::string stem(const std::string &path) {
  size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

bool isIntegerDType(const std::string &dtype) {
  for (const char *d : {"BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64"})
    if (dtype == d)
      return true;
  return false;
}

/// Element `i` of integer data of `dtype`; false when a U64 passes INT64_MAX.
bool integerAt(const uint8_t *p, const std::string &dtype, size_t size, int64_t &v) {
  uint64_t u = 0;
  std::memcpy(&u, p, size);
  bool isSigned = dtype[0] == 'I';
  if (isSigned && size < 8 && (u >> (8 * size - 1)) & 1)
    u |= ~uint64_t(0) << (8 * size);
  v = static_cast<int64_t>(u);
  return isSigned || size < 8 || v >= 0;
}

} // namespace

TensorFormat tensorFormatOf(const std::string &path) {
  if (endsWith(path, ".npz"))
    return TensorFormat::Npz;
  if (endsWith(path, ".npy"))
    return TensorFormat::Npy;
  if (endsWith(path, ".pb"))
    return TensorFormat::OnnxTensor;
  return TensorFormat::Safetensors;
}

TensorFileSpec splitTensorFileSpec(const std::string &text) {
  size_t eq = text.find('=');
  if (eq != std::string::npos && eq > 0 &&
      (endsWith(text, ".npy") || endsWith(text, ".pb")))
    return {text.substr(0, eq), text.substr(eq + 1)};
  return {"", text};
}

bool TensorFile::read(const std::string &spec, std::string &error) {
  TensorFileSpec s = splitTensorFileSpec(spec);
  std::vector<uint8_t> contents;
  if (!readRegularFile(s.path, contents, error))
    return false;
  return parse(std::move(contents), tensorFormatOf(s.path), s.path, s.name, error);
}

bool TensorFile::readAll(const std::vector<std::string> &specs, std::string &error) {
  for (const std::string &spec : specs)
    if (!read(spec, error))
      return false;
  return true;
}

bool TensorFile::parse(std::vector<uint8_t> contents, TensorFormat format,
                       const std::string &path, const std::string &name, std::string &error) {
  if (!name.empty() && format != TensorFormat::Npy && format != TensorFormat::OnnxTensor) {
    error = path + ": NAME=FILE names the tensor of a one-tensor file (.npy, .pb) only";
    return false;
  }
  files.push_back(path);
  auto addArray = [&](NpyArray array, const std::string &arrayName) {
    TensorEntry entry;
    entry.name = arrayName;
    entry.dtype = array.dtype;
    entry.shape = array.shape;
    entry.end = array.bytes;
    entry.path = path;
    if (!array.converted.empty())
      blobs.push_back(std::move(array.converted));
    entry.bytes = array.data;
    return add(std::move(entry), error);
  };
  switch (format) {
  case TensorFormat::Safetensors: {
    SafetensorsFile &file = safetensors.emplace_back();
    if (!file.parse(std::move(contents), path, error))
      return false;
    for (const SafetensorsEntry &e : file.tensors()) {
      TensorEntry entry;
      static_cast<SafetensorsEntry &>(entry) = e;
      entry.bytes = file.data(e);
      entry.path = path;
      if (!add(std::move(entry), error))
        return false;
    }
    return true;
  }
  case TensorFormat::Npy: {
    const std::vector<uint8_t> &bytes = blobs.emplace_back(std::move(contents));
    std::string arrayName = name.empty() ? stem(path) : name;
    NpyArray array;
    return parseNpy(bytes.data(), bytes.size(), path, array, error) &&
           addArray(std::move(array), arrayName);
  }
  case TensorFormat::Npz: {
    const std::vector<uint8_t> &bytes = blobs.emplace_back(std::move(contents));
    std::vector<ZipMember> members;
    if (!readZip(bytes.data(), bytes.size(), path, members, error))
      return false;
    for (ZipMember &m : members) {
      // np.savez names each member after its array, plus ".npy".
      std::string arrayName = endsWith(m.name, ".npy") ? m.name.substr(0, m.name.size() - 4)
                                                        : m.name;
      if (!m.inflated.empty())
        blobs.push_back(std::move(m.inflated));
      NpyArray array;
      if (!parseNpy(m.data, m.size, path + ": array '" + printable(arrayName) + "'", array,
                    error) ||
          !addArray(std::move(array), arrayName))
        return false;
    }
    return true;
  }
  case TensorFormat::OnnxTensor: {
    OnnxTensor t;
    if (!parseOnnxTensor(contents.data(), contents.size(), path, t, error))
      return false;
    TensorEntry entry;
    entry.name = !name.empty() ? name : !t.name.empty() ? t.name : stem(path);
    entry.dtype = t.dtype;
    entry.shape = t.shape;
    entry.end = t.data.size();
    entry.path = path;
    entry.bytes = blobs.emplace_back(std::move(t.data)).data();
    return add(std::move(entry), error);
  }
  }
  return false;
}

bool TensorFile::add(TensorEntry entry, std::string &error) {
  if (const TensorEntry *other = find(entry.name)) {
    error = entry.path + ": tensor '" + printable(entry.name) + "' is given twice" +
            (other->path == entry.path ? " in this file" : " (also in " + other->path + ")");
    return false;
  }
  entries.push_back(std::move(entry));
  return true;
}

const TensorEntry *TensorFile::find(const std::string &name) const {
  for (const TensorEntry &e : entries)
    if (e.name == name)
      return &e;
  return nullptr;
}

std::string TensorFile::path() const {
  std::string all;
  for (const std::string &f : files)
    all += (all.empty() ? "" : ", ") + f;
  return all;
}

bool TensorFile::convertIntegers(const TensorEntry &constEntry, const std::string &dtype,
                                 std::string &error) {
  // The entry is one of ours (entries is not const); only its data changes.
  TensorEntry &entry = const_cast<TensorEntry &>(constEntry);
  size_t from = safetensorsDTypeSize(entry.dtype), to = safetensorsDTypeSize(dtype);
  if (!isIntegerDType(entry.dtype) || (dtype != "I32" && dtype != "I64"))
    return true;
  int64_t n = entry.numel();
  std::vector<uint8_t> &out = blobs.emplace_back(static_cast<size_t>(n) * to);
  for (int64_t i = 0; i < n; ++i) {
    int64_t v;
    bool fits = integerAt(entry.bytes + i * from, entry.dtype, from, v) &&
                (to == 8 || (v >= INT32_MIN && v <= INT32_MAX));
    if (!fits) {
      error = entry.path + ": tensor '" + printable(entry.name) + "' element " +
              std::to_string(i) + " does not fit " + dtype + " (converting from " + entry.dtype +
              ")";
      return false;
    }
    std::memcpy(out.data() + i * to, &v, to);
  }
  entry.dtype = dtype;
  entry.bytes = out.data();
  entry.begin = 0;
  entry.end = out.size();
  return true;
}

namespace {

/// The .npy header of `t`, and the number of bytes of its elements.
bool headerOf(const SafetensorsTensorRef &t, const std::string &path, std::string &header,
              size_t &bytes, std::string &error) {
  size_t n = safetensorsDTypeSize(t.dtype);
  for (int64_t d : t.shape)
    n *= static_cast<size_t>(d);
  bytes = n;
  if (npyHeader(t.dtype, t.shape, header, error))
    return true;
  error = path + ": tensor '" + printable(t.name) + "': " + error;
  return false;
}

/// Writes the one tensor of `tensors` that `name` picks (or the only one) as .npy.
bool writeNpy(const std::string &path, const std::string &name,
              const std::vector<SafetensorsTensorRef> &tensors, std::string &error) {
  const SafetensorsTensorRef *chosen = nullptr;
  std::string names;
  for (const SafetensorsTensorRef &t : tensors) {
    names += (names.empty() ? "" : ", ") + printable(t.name);
    if (name.empty() ? tensors.size() == 1 : t.name == name)
      chosen = &t;
  }
  if (!chosen) {
    error = "cannot write '" + path + "': " +
            (name.empty() ? "a .npy file holds one tensor and there are " +
                                std::to_string(tensors.size()) + " (" + names +
                                "); name one with NAME=" + path + " or write .npz"
                          : "there is no tensor '" + printable(name) + "' (" + names + ")");
    return false;
  }
  std::string header;
  size_t bytes;
  if (!headerOf(*chosen, path, header, bytes, error))
    return false;
  OutputFile out;
  if (!out.open(path, error))
    return false;
  if (std::fwrite(header.data(), 1, header.size(), out.stream()) != header.size() ||
      (bytes && std::fwrite(chosen->data, 1, bytes, out.stream()) != bytes)) {
    out.discard();
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  return out.commit(error);
}

/// Writes every tensor of `tensors` as a member NAME.npy of an .npz archive.
bool writeNpz(const std::string &path, const std::vector<SafetensorsTensorRef> &tensors,
              std::string &error) {
  std::vector<std::string> headers(tensors.size());
  std::vector<ZipInput> files;
  for (size_t i = 0; i < tensors.size(); ++i) {
    size_t bytes;
    if (!headerOf(tensors[i], path, headers[i], bytes, error))
      return false;
    files.push_back({tensors[i].name + ".npy",
                     {{headers[i].data(), headers[i].size()}, {tensors[i].data, bytes}}});
  }
  std::vector<uint8_t> archive;
  return writeZip(files, path, archive, error) &&
         writeFileAtomically(path, archive.data(), archive.size(), error);
}

} // namespace

bool writeTensorFile(const std::string &spec, const std::vector<SafetensorsTensorRef> &tensors,
                     const std::map<std::string, std::string> &metadata, std::string &error) {
  TensorFileSpec s = splitTensorFileSpec(spec);
  TensorFormat format = tensorFormatOf(s.path);
  if (!s.name.empty() && format != TensorFormat::Npy) {
    error = "cannot write '" + s.path + "': NAME=FILE names the tensor of a .npy file only";
    return false;
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (tensors[i].name == tensors[j].name) {
        error = "cannot write '" + s.path + "': tensor '" + printable(tensors[i].name) +
                "' is given twice";
        return false;
      }
  switch (format) {
  case TensorFormat::Safetensors:
    return writeSafetensors(s.path, tensors, metadata, error);
  case TensorFormat::Npz:
    return writeNpz(s.path, tensors, error);
  case TensorFormat::Npy:
    return writeNpy(s.path, s.name, tensors, error);
  case TensorFormat::OnnxTensor:
    break;
  }
  error = "cannot write '" + s.path + "': .pb tensor files are read only (write .npy or .npz)";
  return false;
}

} // namespace netc::runtime
