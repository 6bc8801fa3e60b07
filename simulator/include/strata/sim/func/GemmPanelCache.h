//===- GemmPanelCache.h - The functional Gemm's cache of packed B -*- C++ -*-===//
//
// The functional Gemm keeps, per thread, the kernel-ready packing of B
// operands it has seen twice, and reuses one only while B's bytes in SRAM
// are exactly those it was packed from (every byte compared), so results
// never depend on the cache. (Float products of a single row tile read B
// in place and do not use it.) Its memory is bounded by a budget (64 MiB by
// default) with least-recently-used eviction. These functions act on the
// calling thread's cache: for tests, benchmarks and reports.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <cstdint>

namespace strata::sim::func {

struct GemmPanelCacheStats {
  uint64_t hits = 0;      ///< Gemms whose B panels were reused
  uint64_t misses = 0;    ///< Gemms that packed B (not cached, or changed bytes)
  uint64_t fills = 0;     ///< misses that stored their packing for reuse
  uint64_t evictions = 0; ///< entries dropped for the budget or a key's ways
  uint64_t bytes = 0;     ///< memory held now, as charged against the budget
  uint64_t entries = 0;   ///< entries held now
};

GemmPanelCacheStats gemmPanelCacheStats();
/// Sets the budget in bytes (0 turns caching off), evicting down to it.
void setGemmPanelCacheBudget(size_t bytes);
size_t gemmPanelCacheBudget();
/// Drops every entry and zeroes the statistics.
void clearGemmPanelCache();

} // namespace strata::sim::func
