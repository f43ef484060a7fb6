//===- InterpInterface.cpp - the interpreter's kernel interface -----------===//

#include "ir/InterpInterface.h"

namespace netc::nn {

#include "ir/InterpInterface.cpp.inc"

} // namespace netc::nn
