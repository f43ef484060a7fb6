//===- ImportTensor.h - the tensor ops of the .net language -----*- C++ -*-===//
//
// slice, split, stack, squeeze, unsqueeze, permute, max/min, argmax/argmin,
// logsumexp, triu/tril and the constant tensors (zeros, ones, full, arange,
// eye), added to the op table of ImportOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef NETC_FRONTEND_IMPORTTENSOR_H
#define NETC_FRONTEND_IMPORTTENSOR_H

#include "frontend/ImportArgs.h"

#include <functional>
#include <string>

namespace netc::frontend {

/// How an op of the language is imported.
using TensorOpHandler = std::function<Val(Importer &, const CallArgs &)>;

/// Adds one op to the table: its name, signature and handler.
using AddTensorOp = std::function<void(const std::string &, Signature, TensorOpHandler)>;

/// Calls `add` with the name, signature and handler of each tensor op.
void addTensorOps(const AddTensorOp &add);

/// Calls `add` for each constant tensor op (ImportConstants.cpp).
void addConstantOps(const AddTensorOp &add);

} // namespace netc::frontend

#endif // NETC_FRONTEND_IMPORTTENSOR_H
