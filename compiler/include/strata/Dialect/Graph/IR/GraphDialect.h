//===- GraphDialect.h - The graph dialect -----------------------*- C++ -*-===//
#pragma once

#include "strata/Compiler/WeightStore.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Dialect.h"

#include <memory>

#include "strata/Dialect/Graph/IR/GraphOpsDialect.h.inc"
