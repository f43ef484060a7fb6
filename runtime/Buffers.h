//===- Buffers.h - Halide buffer descriptors of model tensors ---*- C++ -*-===//
//
// Plain C++17 over HalideRuntime.h (types only, no library): the
// halide_buffer_t a compiled entry point expects for a tensor described by a
// netc_tensor, dense and row-major. Shared by the Context and chains.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_RUNTIME_BUFFERS_H
#define NETC_RUNTIME_BUFFERS_H

#include "runtime/Model.h"

#include <HalideRuntime.h>

#include <vector>

namespace netc::runtime {

/// The Halide element type of a dtype.
halide_type_t halideType(netc_dtype dtype);

/// Describes tensor `t` in `b` (no storage yet: b.host stays as it was);
/// `dims` holds the dimensions `b` points to and must outlive it.
void describeBuffer(const netc_tensor &t, halide_buffer_t &b,
                    std::vector<halide_dimension_t> &dims);

} // namespace netc::runtime

#endif // NETC_RUNTIME_BUFFERS_H
