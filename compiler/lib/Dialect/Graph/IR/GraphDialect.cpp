//===- GraphDialect.cpp - The graph dialect -------------------------------===//
#include "strata/Dialect/Graph/IR/GraphDialect.h"
#include "strata/Dialect/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace strata::graph;

#include "strata/Dialect/Graph/IR/GraphOpsDialect.cpp.inc"
#include "strata/Dialect/Graph/IR/GraphEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "strata/Dialect/Graph/IR/GraphAttrs.cpp.inc"

void GraphDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "strata/Dialect/Graph/IR/GraphOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "strata/Dialect/Graph/IR/GraphAttrs.cpp.inc"
      >();
}

strata::WeightStore &GraphDialect::getWeightStore() {
  if (!weightStore)
    weightStore = std::make_shared<strata::WeightStore>();
  return *weightStore;
}

void GraphDialect::setWeightStore(std::shared_ptr<strata::WeightStore> store) {
  weightStore = std::move(store);
}
