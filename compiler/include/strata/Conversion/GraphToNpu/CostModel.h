//===- CostModel.h - Tiling and partitioning decisions of the lowering -*- C++ -*-===//
//
// The numbers behind strata-graph-to-npu's choices, as plain functions of the
// arch config so they can be tested without IR:
//
//   - gemmCycles mirrors the tensor-core timing of docs/isa.md section 4.7
//     (tiles spread over the groups of a ganging mode, max(M', R) cycles per
//     tile, fill/drain once, bounded below by scratchpad bandwidth, plus the
//     epilogue);
//   - chooseGang takes the ganging with the fewest cycles, counting the
//     reconfiguration cost when it differs from the current one. Small-M
//     (decode) GEMMs come out on 16 independent arrays, large-M (prefill)
//     GEMMs on larger gangs, which re-read A less often;
//   - coresForWork keeps small weights on few cores: a core must get at least
//     kMinBytesPerCore of weight (or kMinColsPerCore output columns) before
//     another core is worth its barrier;
//   - splitRange cuts output columns into aligned per-core ranges.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/target/ArchConfig.h"
#include "strata/target/DType.h"
#include "strata/target/Isa.h"

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace strata::lowering {

/// Weight bytes below which another core is not worth its synchronisation.
inline constexpr int64_t kMinBytesPerCore = 64 * 1024;
/// Output columns a core gets at least (one 32-wide array tile).
inline constexpr int64_t kMinColsPerCore = 32;

struct GemmShape {
  int64_t m = 1, n = 1, k = 1;
  DType a = DType::F16, b = DType::F16, out = DType::F32;
  bool epilogue = false; ///< bias, activation or accumulation
  bool accumulate = false; ///< C is read back (scratchpad traffic)
};

/// Estimated tensor-core cycles of one GEMM under `gang` (all groups).
uint64_t gemmCycles(const ArchConfig &arch, isa::Gang gang, const GemmShape &shape);

/// The multiplier precision a GEMM with operands (a, b) runs at.
DType gemmPrecision(DType a, DType b);

/// The ganging with the fewest estimated cycles for `shape`, charging the
/// reconfiguration cycles when it differs from `current`.
isa::Gang chooseGang(const ArchConfig &arch, const GemmShape &shape,
                     std::optional<isa::Gang> current);

/// How many of `maxCores` cores share work of `bytes` bytes of weights and
/// `cols` output columns.
unsigned coresForWork(unsigned maxCores, int64_t bytes, int64_t cols);

/// Splits [0, n) into at most `parts` contiguous ranges whose boundaries are
/// multiples of `align` (the last range takes the remainder). Empty ranges
/// are dropped, so fewer than `parts` ranges may come back.
std::vector<std::pair<int64_t, int64_t>> splitRange(int64_t n, unsigned parts, int64_t align);

} // namespace strata::lowering
