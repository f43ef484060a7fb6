//===- TensorData.cpp - the values of ONNX tensors ------------------------===//
//
// A TensorProto holds its elements in raw_data (little-endian bytes), in the
// typed field of its data type, or in a file beside the model (data_location
// EXTERNAL with `location`, `offset` and `length` entries). External files
// are read relative to the model's folder, which their paths may not leave.
//
//===----------------------------------------------------------------------===//

#include "onnx/OnnxImporter.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace mlir;

namespace netc::onnx {

namespace {

/// The bytes one element of `dtype` takes in raw_data, or 0.
size_t elementBytes(int32_t dtype) {
  switch (dtype) {
  case kFloat: case kInt32: case kUint32: return 4;
  case kDouble: case kInt64: case kUint64: return 8;
  case kInt16: case kUint16: case kFloat16: case kBFloat16: return 2;
  case kInt8: case kUint8: case kBool: return 1;
  default: return 0;
  }
}

/// The element count of `tensor`'s dims (negative dims count as invalid).
std::optional<int64_t> elementCount(const ::onnx::TensorProto &tensor) {
  int64_t n = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || (d > 0 && n > (int64_t(1) << 40) / d))
      return std::nullopt;
    n *= d;
  }
  return n;
}

/// Decodes element `k` of `dtype` from little-endian `bytes`.
double decodeFloat(const char *bytes, int32_t dtype, int64_t k) {
  if (dtype == kFloat) {
    float v;
    std::memcpy(&v, bytes + 4 * k, 4);
    return v;
  }
  double v;
  std::memcpy(&v, bytes + 8 * k, 8);
  return v;
}

int64_t decodeInt(const char *bytes, int32_t dtype, int64_t k) {
  switch (dtype) {
  case kInt64: case kUint64: { int64_t v; std::memcpy(&v, bytes + 8 * k, 8); return v; }
  case kInt32: { int32_t v; std::memcpy(&v, bytes + 4 * k, 4); return v; }
  case kUint32: { uint32_t v; std::memcpy(&v, bytes + 4 * k, 4); return v; }
  case kInt16: { int16_t v; std::memcpy(&v, bytes + 2 * k, 2); return v; }
  case kUint16: { uint16_t v; std::memcpy(&v, bytes + 2 * k, 2); return v; }
  case kInt8: return static_cast<int8_t>(bytes[k]);
  default: return static_cast<uint8_t>(bytes[k]);
  }
}

} // namespace

std::optional<ArrayRef<char>> OnnxImporter::readExternal(const ::onnx::TensorProto &tensor,
                                                         Location loc, StringRef what) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset" || entry.key() == "length") {
      char *end = nullptr;
      long long v = std::strtoll(entry.value().c_str(), &end, 10);
      if (entry.value().empty() || *end || v < 0) {
        emitError(loc) << what << " has external data with a bad " << entry.key() << " '"
                       << entry.value() << "'";
        return std::nullopt;
      }
      (entry.key() == "offset" ? offset : length) = v;
    }
  }
  if (location.empty()) {
    emitError(loc) << what << " has external data without a location";
    return std::nullopt;
  }
  // The data file must lie in the model's folder or below it.
  llvm::SmallString<256> folder(path), file;
  llvm::sys::path::remove_filename(folder);
  if (folder.empty())
    folder = ".";
  llvm::SmallString<256> realFolder, realFile;
  file = folder;
  llvm::sys::path::append(file, location);
  bool escapes = llvm::sys::path::is_absolute(location);
  if (!escapes && !llvm::sys::fs::real_path(folder, realFolder) &&
      !llvm::sys::fs::real_path(file, realFile)) {
    llvm::StringRef inside(realFile);
    escapes = !inside.starts_with(realFolder.str().str() + "/");
  }
  if (escapes) {
    emitError(loc) << what << " has external data at '" << location
                   << "', outside the model's folder; external data must lie beside the model";
    return std::nullopt;
  }
  auto buffer = llvm::MemoryBuffer::getFileSlice(file, length < 0 ? 0 : length, offset);
  if (length < 0) {
    uint64_t size = 0;
    if (!llvm::sys::fs::file_size(file, size) && uint64_t(offset) <= size)
      buffer = llvm::MemoryBuffer::getFileSlice(file, size - offset, offset);
  }
  uint64_t fileSize = 0;
  if (!buffer || llvm::sys::fs::file_size(file, fileSize) ||
      uint64_t(offset) + (*buffer)->getBufferSize() > fileSize) {
    emitError(loc) << what << ": cannot read its external data from '" << file.str()
                   << "' (offset " << offset << ", length " << length << ")"
                   << (buffer ? ": the file is shorter" : ": " + buffer.getError().message());
    return std::nullopt;
  }
  std::vector<char> &bytes = tensorStorage[&tensor];
  bytes.assign((*buffer)->getBufferStart(), (*buffer)->getBufferEnd());
  return ArrayRef<char>(bytes);
}

std::optional<ArrayRef<char>> OnnxImporter::tensorBytes(const ::onnx::TensorProto &tensor,
                                                        Location loc, StringRef what) {
  std::optional<int64_t> count = elementCount(tensor);
  size_t width = elementBytes(tensor.data_type());
  if (!count || !width) {
    emitError(loc) << what << " has " << (count ? "data type " + dtypeName(tensor.data_type())
                                               : std::string("bad dims"))
                   << ", which the importer does not read";
    return std::nullopt;
  }
  std::optional<ArrayRef<char>> bytes;
  if (tensor.data_location() == ::onnx::TensorProto::EXTERNAL) {
    if (auto it = tensorStorage.find(&tensor); it != tensorStorage.end())
      bytes = ArrayRef<char>(it->second);
    else
      bytes = readExternal(tensor, loc, what);
    if (!bytes)
      return std::nullopt;
  } else if (tensor.has_raw_data()) {
    bytes = ArrayRef<char>(tensor.raw_data().data(), tensor.raw_data().size());
  } else {
    // Typed fields: widen or narrow into little-endian bytes of the data type.
    std::vector<char> &out = tensorStorage[&tensor];
    out.assign(static_cast<size_t>(*count) * width, 0);
    int64_t given = 0;
    auto put = [&](int64_t k, auto value) {
      if (k < *count)
        std::memcpy(out.data() + k * width, &value, width);
    };
    int32_t dt = tensor.data_type();
    if (dt == kFloat) {
      given = tensor.float_data_size();
      for (int64_t k = 0; k < given; ++k)
        put(k, tensor.float_data(k));
    } else if (dt == kDouble) {
      given = tensor.double_data_size();
      for (int64_t k = 0; k < given; ++k)
        put(k, tensor.double_data(k));
    } else if (dt == kInt64) {
      given = tensor.int64_data_size();
      for (int64_t k = 0; k < given; ++k)
        put(k, tensor.int64_data(k));
    } else if (dt == kUint32 || dt == kUint64) {
      given = tensor.uint64_data_size();
      for (int64_t k = 0; k < given; ++k)
        put(k, tensor.uint64_data(k));
    } else {
      given = tensor.int32_data_size();
      for (int64_t k = 0; k < given; ++k)
        put(k, int64_t(tensor.int32_data(k)));
    }
    if (given != *count) {
      emitError(loc) << what << " holds " << given << " values for " << *count << " elements";
      return std::nullopt;
    }
    bytes = ArrayRef<char>(out);
  }
  if (bytes->size() != static_cast<size_t>(*count) * width) {
    emitError(loc) << what << " holds " << bytes->size() << " bytes, but its "
                   << dtypeName(tensor.data_type()) << " shape needs " << *count * int64_t(width);
    return std::nullopt;
  }
  return bytes;
}

std::optional<HostTensor> OnnxImporter::readTensor(const ::onnx::TensorProto &tensor,
                                                   Location loc, StringRef what) {
  if (!isKnownDType(tensor.data_type())) {
    emitError(loc) << what << " has data type " << dtypeName(tensor.data_type())
                   << ", which the importer does not read";
    return std::nullopt;
  }
  std::optional<ArrayRef<char>> bytes = tensorBytes(tensor, loc, what);
  if (!bytes)
    return std::nullopt;
  HostTensor t = HostTensor::zeros(tensor.data_type(),
                                   std::vector<int64_t>(tensor.dims().begin(), tensor.dims().end()));
  for (int64_t k = 0; k < t.numel(); ++k) {
    if (t.isFloat())
      t.f[k] = decodeFloat(bytes->data(), t.dtype, k);
    else
      t.i[k] = decodeInt(bytes->data(), t.dtype, k);
  }
  return t;
}

} // namespace netc::onnx
