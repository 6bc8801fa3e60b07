//===- NpuInstr.h - npu ops as ISA instructions -----------------*- C++ -*-===//
//
// The 1:1 mapping from an npu instruction op to the isa::Instr it encodes.
// Verifiers run it with every buffer and symbol at address 0 and hand the
// result to isa::validateInstr, so the IR rejects what the ISA validator
// would; emission runs it with the allocated addresses.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/Isa.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <cstdint>
#include <string>

namespace strata::npu {

/// Where buffers and symbols live.
struct AddressMap {
  /// Byte offset of an SRAM buffer (an npu.alloc result).
  llvm::function_ref<uint64_t(mlir::Value)> sramBase;
  /// HBM byte address of a symbol.
  llvm::function_ref<uint64_t(mlir::StringAttr)> hbmBase;
};

/// The instruction of `op` (any instruction op except npu.loop). Fails with
/// a message in `error` when a field does not fit its encoding.
mlir::FailureOr<isa::Instr> buildInstr(mlir::Operation *op, const AddressMap &map,
                                       std::string &error);

/// Checks `op` the way isa::validateInstr checks its instruction, with every
/// buffer and symbol at address 0; emits the validator's message as an op
/// error.
mlir::LogicalResult verifyAsInstr(mlir::Operation *op);

} // namespace strata::npu
