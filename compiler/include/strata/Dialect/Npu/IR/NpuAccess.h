//===- NpuAccess.h - Memory accesses of npu instructions --------*- C++ -*-===//
//
// What an instruction reads and writes, as byte ranges of SRAM buffers and
// HBM symbols. The dependency analyses (semaphore insertion, the prefetch
// scheduler) and the SRAM allocator's liveness work from these, so the IR can
// be reordered without hidden ordering assumptions.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"

#include <cstdint>

namespace strata::npu {

struct MemAccess {
  enum class Space : uint8_t {
    Sram,    ///< `buffer` (an npu.alloc result) + offset
    Hbm,     ///< HBM symbol `symbol` + offset
    Barrier, ///< the core's barrier sequence: barriers keep their relative order
  };
  Space space = Space::Sram;
  mlir::Value buffer;
  mlir::StringAttr symbol;
  /// Bytes from the start of the buffer or symbol.
  int64_t offset = 0;
  /// Length in bytes; kToEnd when only a lower bound is known (register
  /// sizes): the access may reach the end of the buffer or symbol.
  int64_t size = 0;
  bool write = false;

  static constexpr int64_t kToEnd = -1;

  static MemAccess sram(mlir::Value buffer, int64_t offset, int64_t size, bool write) {
    MemAccess a;
    a.space = Space::Sram;
    a.buffer = buffer;
    a.offset = offset;
    a.size = size;
    a.write = write;
    return a;
  }
  static MemAccess hbm(mlir::StringAttr symbol, int64_t offset, int64_t size, bool write) {
    MemAccess a;
    a.space = Space::Hbm;
    a.symbol = symbol;
    a.offset = offset;
    a.size = size;
    a.write = write;
    return a;
  }
};

} // namespace strata::npu
