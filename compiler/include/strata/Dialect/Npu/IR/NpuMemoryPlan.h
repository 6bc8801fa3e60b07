//===- NpuMemoryPlan.h - HBM symbols and their addresses --------*- C++ -*-===//
//
// The HBM memory plan of an npu module: regions (npu.region) hold symbols
// (npu.constant, npu.io, npu.hbm_buffer) at byte offsets. Regions get
// addresses in module order, each aligned to kRegionAlignment, unless they
// pin one with `at`. Emission and the analyses that need absolute addresses
// share this one placement.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <optional>
#include <string>

namespace strata::npu {

inline constexpr uint64_t kRegionAlignment = 4096;

struct HbmSymbolInfo {
  mlir::StringAttr region; ///< null for a region itself
  int64_t offset = 0;      ///< within the region
  int64_t size = 0;
};

/// Region, offset and size of an HBM symbol op; nullopt for other ops.
std::optional<HbmSymbolInfo> hbmSymbolInfo(mlir::Operation *op);

/// Absolute HBM addresses of every region and symbol of a module.
struct HbmLayout {
  llvm::StringMap<uint64_t> address; ///< symbol name -> HBM byte address
  llvm::StringMap<uint64_t> size;    ///< symbol name -> bytes
  uint64_t end = 0;                  ///< first byte after the last region
};

/// Places the regions and resolves every symbol. Fails (after emitting an
/// error on the offending op) when a symbol lies outside its region, names
/// an unknown region, or pinned regions overlap.
mlir::FailureOr<HbmLayout> computeHbmLayout(mlir::ModuleOp module);

} // namespace strata::npu
