//===- Queries.h - facts about nn values that several stages need -*- C++ -*-===//

#ifndef NETC_IR_QUERIES_H
#define NETC_IR_QUERIES_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <string>
#include <utility>

namespace netc::nn {

/// The DSL name (the first NameLoc) and source line (the first
/// FileLineColLoc) of a location; an empty name and line 0 where it has none.
std::pair<std::string, unsigned> dslSource(mlir::Location loc);

/// The exclusive upper bound of the values of an integer tensor, from how it
/// is used: the smallest embedding table or class count (cross_entropy,
/// nll_loss, accuracy) among its users; 0 when no use bounds it.
int64_t indexBound(mlir::Value indices);

} // namespace netc::nn

#endif // NETC_IR_QUERIES_H
