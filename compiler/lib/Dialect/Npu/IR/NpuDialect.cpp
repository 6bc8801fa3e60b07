//===- NpuDialect.cpp - The npu dialect -----------------------------------===//
#include "strata/Dialect/Npu/IR/NpuDialect.h"
#include "strata/Dialect/Npu/IR/NpuOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace strata::npu;

#include "strata/Dialect/Npu/IR/NpuOpsDialect.cpp.inc"
#include "strata/Dialect/Npu/IR/NpuEnums.cpp.inc"
#include "strata/Dialect/Npu/IR/NpuInterfaces.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "strata/Dialect/Npu/IR/NpuAttrs.cpp.inc"
#define GET_TYPEDEF_CLASSES
#include "strata/Dialect/Npu/IR/NpuOpsTypes.cpp.inc"

void NpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "strata/Dialect/Npu/IR/NpuOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "strata/Dialect/Npu/IR/NpuAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "strata/Dialect/Npu/IR/NpuOpsTypes.cpp.inc"
      >();
}

namespace strata::npu {

isa::Dim toIsaDim(Attribute dim) {
  if (auto reg = llvm::dyn_cast_or_null<RegAttr>(dim))
    return isa::Dim::reg(static_cast<uint8_t>(reg.getIndex()));
  if (auto imm = llvm::dyn_cast_or_null<IntegerAttr>(dim))
    return isa::Dim::imm(static_cast<uint32_t>(imm.getInt()));
  return isa::Dim::imm(0);
}

Attribute immDim(MLIRContext *ctx, int64_t value) {
  return IntegerAttr::get(IntegerType::get(ctx, 64), value);
}

Attribute regDim(MLIRContext *ctx, unsigned reg) { return RegAttr::get(ctx, reg); }

std::optional<int64_t> staticDim(Attribute dim) {
  if (auto imm = llvm::dyn_cast_or_null<IntegerAttr>(dim))
    return imm.getInt();
  return std::nullopt;
}

std::optional<DType> toDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isInteger(8))
    return DType::I8;
  if (type.isInteger(4))
    return DType::I4;
  if (type.isInteger(32))
    return DType::I32;
  return std::nullopt;
}

Type toMlirType(MLIRContext *ctx, DType type) {
  Builder b(ctx);
  switch (type) {
  case DType::F32: return b.getF32Type();
  case DType::F16: return b.getF16Type();
  case DType::BF16: return b.getBF16Type();
  case DType::I8: return b.getIntegerType(8);
  case DType::I4: return b.getIntegerType(4);
  case DType::I32: return b.getIntegerType(32);
  }
  return b.getF32Type();
}

} // namespace strata::npu
