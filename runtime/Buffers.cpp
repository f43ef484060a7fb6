//===- Buffers.cpp - Halide buffer descriptors of model tensors -----------===//

#include "runtime/Buffers.h"

namespace netc::runtime {

halide_type_t halideType(netc_dtype dtype) {
  switch (dtype) {
  case NETC_F32:
    return halide_type_t(halide_type_float, 32);
  case NETC_F64:
    return halide_type_t(halide_type_float, 64);
  case NETC_I32:
    return halide_type_t(halide_type_int, 32);
  case NETC_I64:
    return halide_type_t(halide_type_int, 64);
  }
  return halide_type_t();
}

void describeBuffer(const netc_tensor &t, halide_buffer_t &b,
                    std::vector<halide_dimension_t> &dims) {
  // Halide's dimension 0 is the innermost: the tensor's last dimension.
  dims.clear();
  int64_t stride = 1;
  for (int d = 0; d < t.rank; ++d) {
    int64_t extent = t.shape[t.rank - 1 - d];
    dims.push_back(
        halide_dimension_t(0, static_cast<int32_t>(extent), static_cast<int32_t>(stride)));
    stride *= extent;
  }
  b.type = halideType(t.dtype);
  b.dimensions = t.rank;
  b.dim = dims.empty() ? nullptr : dims.data();
}

} // namespace netc::runtime
