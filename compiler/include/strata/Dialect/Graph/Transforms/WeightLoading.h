//===- WeightLoading.h - Filling the weight store from graph.weight -*- C++ -*-===//
//
// A graph.weight names an entry of the weight store. A model loader may have
// registered it already; a module read from text describes it with `file` /
// `seed` attributes instead. These functions make the entry exist (passes
// and emission call them; nothing is loaded before it is needed), and convert
// it to the encoding the weight's type declares.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Graph/IR/GraphOps.h"
#include "strata/Dialect/Graph/Transforms/WeightEncoding.h"

#include "mlir/Support/LogicalResult.h"

namespace strata::graph {

/// The weight's data as its source holds it: the store's entry for the
/// symbol if there is one, otherwise the bytes of `file` at `offset` in
/// `format`, or `seed` values (f32, uniform in [-init_scale, init_scale]),
/// transposed to the declared shape when `source_transposed` is set. The
/// entry is registered in `store` under the symbol's name.
///
/// Returns nullptr for a weight without data (timing-only), or failure after
/// an error on `weight` (unreadable file, shape mismatch, ...).
mlir::FailureOr<const WeightEntry *> materializeWeight(WeightOp weight, WeightStore &store);

/// The encoding the weight's element type and `#graph.quant` declare.
quant::TargetEncoding declaredEncoding(WeightOp weight);

/// materializeWeight, then the entry converted to declaredEncoding (and
/// replaced in the store) if it is in another encoding. This is the data a
/// binary carries for the weight.
mlir::FailureOr<const WeightEntry *> loadWeight(WeightOp weight, WeightStore &store);

} // namespace strata::graph
