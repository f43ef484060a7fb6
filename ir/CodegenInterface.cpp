//===- CodegenInterface.cpp - the Halide algorithm of an op ---------------===//

#include "ir/CodegenInterface.h"

namespace netc::nn {

#include "ir/CodegenInterface.cpp.inc"

} // namespace netc::nn
