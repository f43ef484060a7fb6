//===- OnnxTensor.cpp - ONNX TensorProto files (.pb) ----------------------===//
//
// The protobuf wire format: each field is a varint key (field number << 3 |
// wire type) followed by a varint (type 0), 8 bytes (1), a length and that
// many bytes (2), or 4 bytes (5). Repeated numbers come packed (one
// length-delimited field) or one per key; both are read.
//
//===----------------------------------------------------------------------===//

#include "runtime/OnnxTensor.h"
#include "runtime/Safetensors.h"

#include <cstring>

namespace netc::runtime {

namespace {

/// TensorProto's field numbers.
enum Field {
  kDims = 1,
  kDataType = 2,
  kSegment = 3,
  kFloatData = 4,
  kInt32Data = 5,
  kStringData = 6,
  kInt64Data = 7,
  kName = 8,
  kRawData = 9,
  kDoubleData = 10,
  kUint64Data = 11,
  kExternalData = 13,
  kDataLocation = 14,
};

/// TensorProto.DataType values and their safetensors names.
const char *dtypeOfOnnx(uint64_t type) {
  switch (type) {
  case 1:
    return "F32";
  case 2:
    return "U8";
  case 3:
    return "I8";
  case 4:
    return "U16";
  case 5:
    return "I16";
  case 6:
    return "I32";
  case 7:
    return "I64";
  case 9:
    return "BOOL";
  case 10:
    return "F16";
  case 11:
    return "F64";
  case 12:
    return "U32";
  case 13:
    return "U64";
  case 16:
    return "BF16";
  }
  return nullptr;
}

/// A reader of protobuf wire data.
struct Wire {
  const uint8_t *p, *end;

  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
      uint8_t b = *p++;
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
  bool fixed(void *out, size_t n) {
    if (static_cast<size_t>(end - p) < n)
      return false;
    std::memcpy(out, p, n);
    p += n;
    return true;
  }
  bool bytes(const uint8_t *&data, uint64_t &size) {
    if (!varint(size) || size > static_cast<uint64_t>(end - p))
      return false;
    data = p;
    p += size;
    return true;
  }
};

/// The numbers of a repeated field: `wire` is this occurrence's wire type and
/// `w` stands after its key. Varints are appended to `ints`, fixed-width
/// values of `width` bytes to `raw`.
bool readRepeated(Wire &w, uint64_t wire, size_t width, std::vector<uint64_t> &ints,
                  std::vector<uint8_t> &raw) {
  auto one = [&](Wire &from, uint64_t type) {
    if (type == 0) {
      uint64_t v;
      if (!from.varint(v))
        return false;
      ints.push_back(v);
      return true;
    }
    uint8_t buffer[8];
    if ((type == 5 && width != 4) || (type == 1 && width != 8) || !from.fixed(buffer, width))
      return false;
    raw.insert(raw.end(), buffer, buffer + width);
    return true;
  };
  if (wire != 2)
    return one(w, wire);
  const uint8_t *data;
  uint64_t size;
  if (!w.bytes(data, size))
    return false;
  Wire packed{data, data + size};
  uint64_t type = width == 0 ? 0 : width == 4 ? 5 : 1;
  while (packed.p < packed.end)
    if (!one(packed, type))
      return false;
  return true;
}

/// Skips a field of wire type `wire`.
bool skip(Wire &w, uint64_t wire) {
  uint64_t v;
  const uint8_t *data;
  switch (wire) {
  case 0:
    return w.varint(v);
  case 1:
    return w.fixed(&v, 8);
  case 2:
    return w.bytes(data, v);
  case 5:
    return w.fixed(&v, 4);
  }
  return false;
}

} // namespace

bool parseOnnxTensor(const uint8_t *bytes, size_t size, const std::string &path, OnnxTensor &out,
                     std::string &error) {
  Wire w{bytes, bytes + size};
  uint64_t dataType = 0;
  bool haveRaw = false;
  const uint8_t *raw = nullptr;
  uint64_t rawSize = 0;
  std::vector<uint64_t> dims, ints;
  std::vector<uint8_t> fixed, unusedRaw;
  size_t fixedWidth = 0;
  auto fail = [&](const std::string &why) {
    error = path + (out.name.empty() ? "" : ": tensor '" + printable(out.name) + "'") + ": " + why;
    return false;
  };
  while (w.p < w.end) {
    uint64_t key;
    if (!w.varint(key))
      return fail("not an ONNX TensorProto (corrupt protobuf data)");
    uint64_t field = key >> 3, wire = key & 7;
    bool ok = true;
    const uint8_t *text;
    uint64_t textSize;
    switch (field) {
    case kDims:
      ok = readRepeated(w, wire, 0, dims, unusedRaw);
      break;
    case kDataType:
      ok = wire == 0 && w.varint(dataType);
      break;
    case kFloatData:
    case kDoubleData:
      fixedWidth = field == kFloatData ? 4 : 8;
      ok = readRepeated(w, wire, fixedWidth, ints, fixed);
      break;
    case kInt32Data:
    case kInt64Data:
    case kUint64Data:
      ok = readRepeated(w, wire, 0, ints, unusedRaw);
      break;
    case kName:
      ok = wire == 2 && w.bytes(text, textSize);
      if (ok)
        out.name.assign(reinterpret_cast<const char *>(text), textSize);
      break;
    case kRawData:
      ok = wire == 2 && w.bytes(raw, rawSize);
      haveRaw = ok;
      break;
    case kSegment:
      return fail("segmented tensors are not read");
    case kStringData:
      return fail("string tensors are not read");
    case kExternalData:
    case kDataLocation:
      return fail("tensors with external data are not read");
    default:
      ok = skip(w, wire);
    }
    if (!ok)
      return fail("not an ONNX TensorProto (corrupt protobuf data in field " +
                  std::to_string(field) + ")");
  }
  const char *dtype = dtypeOfOnnx(dataType);
  if (!dtype)
    return fail("data_type " + std::to_string(dataType) + " is not read");
  out.dtype = dtype;
  size_t width = safetensorsDTypeSize(out.dtype);
  uint64_t count = 1;
  for (uint64_t d : dims) {
    if (d > (uint64_t(1) << 48) || __builtin_mul_overflow(count, d, &count))
      return fail("dims are too large");
    out.shape.push_back(static_cast<int64_t>(d));
  }
  uint64_t needed;
  if (__builtin_mul_overflow(count, width, &needed))
    return fail("dims are too large");
  if (haveRaw) {
    if (rawSize != needed)
      return fail("raw_data holds " + std::to_string(rawSize) + " bytes, " + out.dtype +
                  " dims need " + std::to_string(needed));
    out.data.assign(raw, raw + rawSize);
    return true;
  }
  uint64_t given = fixedWidth ? fixed.size() / fixedWidth : ints.size();
  if (given != count)
    return fail("holds " + std::to_string(given) + " elements, its dims need " +
                std::to_string(count));
  if (fixedWidth) {
    if (fixedWidth != width)
      return fail("its typed data does not match data_type " + out.dtype);
    out.data = std::move(fixed);
    return true;
  }
  // int32_data and friends hold every integer type (and float16 bits) as
  // varints: keep the low `width` bytes of each.
  out.data.resize(needed);
  for (uint64_t i = 0; i < count; ++i)
    for (size_t b = 0; b < width; ++b)
      out.data[i * width + b] = static_cast<uint8_t>(ints[i] >> (8 * b));
  return true;
}

} // namespace netc::runtime
