//===- NpuToBinary.h - Emission of npu modules as NPU binaries --*- C++ -*-===//
//
// The last step of the compiler, a translation rather than a pass: an npu
// module (allocated and synchronised) becomes a bin::Binary. Regions get
// their HBM addresses (NpuMemoryPlan.h), every instruction op its encoding
// (NpuInstr.h), loops become branches, each core's program ends in `halt`
// and is checked with isa::validateProgram against the module's arch.
// Constant data is not copied: segments point at the weight-store entries,
// whose backings the binary keeps alive. Without data (timing-only) the
// segments only reserve their bytes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Compiler/WeightStore.h"
#include "strata/target/Binary.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <string>

namespace strata {

struct EmitOptions {
  std::string toolVersion;
  std::string passPipeline;
  std::string modelName;
  /// Where constant data comes from; null: the graph dialect's store of the
  /// module's context (if the dialect is loaded), else no data.
  const WeightStore *store = nullptr;
  /// Leave constant data out (a timing-only binary) even when it exists.
  bool timingOnly = false;
};

/// Builds the binary of `module`; errors are emitted as diagnostics.
mlir::FailureOr<bin::Binary> emitBinary(mlir::ModuleOp module, const EmitOptions &options = {});

/// Registers the translations `--npu-to-binary` and `--npu-to-asm`.
void registerNpuTranslations();

} // namespace strata
