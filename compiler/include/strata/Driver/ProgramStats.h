//===- ProgramStats.h - Static figures of an npu module ---------*- C++ -*-===//
#pragma once

#include "mlir/IR/BuiltinOps.h"

#include <cstdint>
#include <map>
#include <string>

namespace strata {

/// Per entry point, summed over cores.
struct EntryStats {
  uint64_t instructions = 0; ///< instruction ops (loop bodies once per trip)
  uint64_t dma = 0;          ///< DMA instructions
  uint64_t gemms = 0;
  uint64_t vector = 0;
  uint64_t sync = 0;         ///< semaphores and barriers
  uint64_t hbmLoadBytes = 0, hbmStoreBytes = 0; ///< DMA bytes between HBM and SRAM
  /// Register-sized DMAs (KV cache) counted at the size of their window.
  uint64_t dynamicHbmBytes = 0;
  uint64_t macs = 0; ///< static GEMM multiply-accumulates
};

/// Counts the instructions and HBM traffic of every entry of an npu module.
std::map<std::string, EntryStats> analyzeProgram(mlir::ModuleOp module);

} // namespace strata
