//===- NpuOps.h - Operations of the npu dialect -----------------*- C++ -*-===//
#pragma once

#include "strata/Dialect/Npu/IR/NpuAccess.h"
#include "strata/Dialect/Npu/IR/NpuDialect.h"
#include "strata/target/Isa.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"

#include <optional>

#include "strata/Dialect/Npu/IR/NpuEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "strata/Dialect/Npu/IR/NpuAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "strata/Dialect/Npu/IR/NpuOpsTypes.h.inc"

#include "strata/Dialect/Npu/IR/NpuInterfaces.h.inc"

#define GET_OP_CLASSES
#include "strata/Dialect/Npu/IR/NpuOps.h.inc"

namespace strata::npu {

/// An ISA size operand from a Dim attribute (IntegerAttr or #npu.reg).
isa::Dim toIsaDim(mlir::Attribute dim);
/// The attribute for an immediate size or a register.
mlir::Attribute immDim(mlir::MLIRContext *ctx, int64_t value);
mlir::Attribute regDim(mlir::MLIRContext *ctx, unsigned reg);
/// The immediate value of a Dim, or nullopt for a register.
std::optional<int64_t> staticDim(mlir::Attribute dim);

/// The DType of an MLIR element type (f32, f16, bf16, i8, i4, i32), or
/// nullopt for any other type.
std::optional<DType> toDType(mlir::Type type);
mlir::Type toMlirType(mlir::MLIRContext *ctx, DType type);

} // namespace strata::npu
