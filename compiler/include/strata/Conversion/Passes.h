//===- Passes.h - Conversions between Strata dialects -----------*- C++ -*-===//
#pragma once

#include "strata/Dialect/Npu/IR/NpuDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace strata {

#define GEN_PASS_DECL
#include "strata/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "strata/Conversion/Passes.h.inc"

} // namespace strata
