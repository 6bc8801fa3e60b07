//===- NpuResidency.h - SRAM buffers that outlive one program ---*- C++ -*-===//
//
// Most npu.alloc buffers live within one program and get their offsets from
// strata-npu-allocate-sram. Two kinds keep their bytes from one call of an
// entry point to the next and are placed before that pass, at the top of
// every core's SRAM:
//
//   - the resident KV cache (strata-graph-to-npu): a decode step's K and V
//     rows of small models stay in SRAM, so each step reads only the rows
//     the SRAM does not hold yet (the entry's `kv_valid` parameter);
//   - resident weights (strata-npu-pin-weights), below it.
//
// A placed alloc carries kPinnedAttr and its offset; the module records each
// reservation (`sram_bytes` per core) in kResidentKvAttr and
// kPinnedWeightsAttr, which every later pass that plans SRAM subtracts.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/ADT/StringRef.h"

namespace strata::npu {

/// Unit attribute of an npu.alloc whose offset is fixed before allocation.
inline constexpr llvm::StringLiteral kPinnedAttr = "npu.pinned";
/// Module attribute {sram_bytes, buffers} of the resident KV cache.
inline constexpr llvm::StringLiteral kResidentKvAttr = "npu.resident_kv";
/// Module attribute {sram_bytes, buffers, loads_removed} of resident weights.
inline constexpr llvm::StringLiteral kPinnedWeightsAttr = "npu.pinned_weights";
/// The decode entry's parameter: leading KV rows its SRAM copy holds.
inline constexpr llvm::StringLiteral kKvValidParam = "kv_valid";

} // namespace strata::npu
