//===- InitAllDialects.h - Every dialect Strata tools load ------*- C++ -*-===//
#pragma once

#include "strata/Dialect/Graph/IR/GraphDialect.h"
#include "strata/Dialect/Npu/IR/NpuDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"

namespace strata {

inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, npu::NpuDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect>();
}

} // namespace strata
