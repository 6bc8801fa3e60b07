//===- NpuDialect.h - The npu dialect ---------------------------*- C++ -*-===//
#pragma once

#include "mlir/IR/Dialect.h"

#include "strata/Dialect/Npu/IR/NpuOpsDialect.h.inc"
