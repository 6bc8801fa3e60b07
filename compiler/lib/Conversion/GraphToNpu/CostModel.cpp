//===- CostModel.cpp - Tiling and partitioning decisions of the lowering --===//
#include "strata/Conversion/GraphToNpu/CostModel.h"

#include <algorithm>
#include <cmath>

namespace strata::lowering {
namespace {

uint64_t ceilDiv(uint64_t a, uint64_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

struct Geometry {
  uint64_t groups, rows, cols;
};

Geometry geometry(const TensorCoreConfig &tc, isa::Gang gang) {
  uint64_t side = 1;
  if (gang == isa::Gang::Quad)
    side = 2;
  else if (gang == isa::Gang::Single)
    side = std::max<uint64_t>(1, static_cast<uint64_t>(std::sqrt(double(tc.count))));
  uint64_t arrays = side * side;
  return {std::max<uint64_t>(1, tc.count / arrays), tc.rows * side, tc.cols * side};
}

} // namespace

DType gemmPrecision(DType a, DType b) {
  if ((a == DType::I8 && b == DType::I4) || (a == DType::I4 && b == DType::I8))
    return DType::I8;
  return a;
}

uint64_t gemmCycles(const ArchConfig &arch, isa::Gang gang, const GemmShape &s) {
  const TensorCoreConfig &tc = arch.core.tensorCores;
  const Geometry g = geometry(tc, gang);
  const DType prec = gemmPrecision(s.a, s.b);
  const uint64_t pes = uint64_t(tc.rows) * tc.cols;
  const uint64_t macs = std::max<uint64_t>(1, tc.macsPerCycle[unsigned(prec)]);
  uint64_t tileK, rowCycles;
  if (macs >= pes) {
    tileK = g.rows * (macs / pes);
    rowCycles = s.m;
  } else {
    tileK = g.rows;
    rowCycles = ceilDiv(uint64_t(s.m) * pes, macs);
  }
  const uint64_t kTiles = std::max<uint64_t>(1, ceilDiv(s.k, tileK));
  const uint64_t nTiles = std::max<uint64_t>(1, ceilDiv(s.n, g.cols));
  const uint64_t perGroup = ceilDiv(kTiles * nTiles, g.groups);
  const uint64_t compute =
      perGroup * std::max<uint64_t>(rowCycles, g.rows) + g.rows + g.cols + tc.pipelineCycles;
  const uint64_t mn = uint64_t(s.m) * s.n;
  uint64_t sram = dtypeBytes(s.a, uint64_t(s.m) * s.k) * nTiles +
                  dtypeBytes(s.b, uint64_t(s.k) * s.n) + 2 * (kTiles - 1) * mn * 4 +
                  dtypeBytes(s.out, mn) * (s.accumulate ? 2 : 1);
  const uint64_t bw = std::max<uint64_t>(1, uint64_t(arch.core.sram.banks) *
                                                arch.core.sram.bankWidthBytes);
  const uint64_t array = std::max(compute, ceilDiv(sram, bw));
  if (!s.epilogue)
    return array;
  // The epilogue overlaps the array but for the last wave of column tiles
  // (the simulator's GemmCost::latency, docs/simulator.md 3.1).
  const uint64_t perCycle = std::max(1u, tc.epilogueElemsPerCycle);
  const uint64_t epilogue = ceilDiv(mn, perCycle);
  const uint64_t step = std::max<uint64_t>(rowCycles, g.rows);
  uint64_t lastCols = s.n, start = compute - std::min(compute, rowCycles);
  if (nTiles >= g.groups) {
    const uint64_t waves = ceilDiv(nTiles, g.groups);
    lastCols = s.n - std::min<uint64_t>(s.n, (waves - 1) * g.groups * g.cols);
    start = (kTiles - 1) * step;
  }
  const uint64_t last = ceilDiv(uint64_t(s.m) * lastCols, perCycle);
  return std::max(array + last - std::min(last, rowCycles), start + epilogue);
}

isa::Gang chooseGang(const ArchConfig &arch, const GemmShape &shape,
                     std::optional<isa::Gang> current) {
  const TensorCoreConfig &tc = arch.core.tensorCores;
  isa::Gang best = isa::Gang::Independent;
  uint64_t bestCycles = UINT64_MAX;
  for (isa::Gang g : {isa::Gang::Independent, isa::Gang::Quad, isa::Gang::Single}) {
    if (g == isa::Gang::Quad && tc.count % 4 != 0)
      continue;
    uint64_t cycles = gemmCycles(arch, g, shape);
    if (current && *current != g)
      cycles += tc.reconfigCycles;
    // Ties keep the current configuration, then the smaller gang.
    if (cycles < bestCycles || (cycles == bestCycles && current && *current == g)) {
      best = g;
      bestCycles = cycles;
    }
  }
  return best;
}

unsigned coresForWork(unsigned maxCores, int64_t bytes, int64_t cols) {
  int64_t byBytes = std::max<int64_t>(1, bytes / kMinBytesPerCore);
  int64_t byCols = std::max<int64_t>(1, cols / kMinColsPerCore);
  int64_t n = std::min<int64_t>({byBytes, byCols, static_cast<int64_t>(std::max(1u, maxCores))});
  return static_cast<unsigned>(std::max<int64_t>(1, n));
}

std::vector<std::pair<int64_t, int64_t>> splitRange(int64_t n, unsigned parts, int64_t align) {
  std::vector<std::pair<int64_t, int64_t>> out;
  if (n <= 0)
    return out;
  parts = std::max(1u, parts);
  align = std::max<int64_t>(1, align);
  int64_t units = (n + align - 1) / align;
  int64_t begin = 0;
  for (unsigned p = 0; p < parts && begin < n; ++p) {
    // Spread whole units as evenly as possible; early parts take the extra.
    int64_t share = units / parts + (static_cast<int64_t>(p) < units % parts ? 1 : 0);
    int64_t end = std::min(n, begin + share * align);
    if (p + 1 == parts)
      end = n;
    if (end > begin)
      out.push_back({begin, end});
    begin = end;
  }
  return out;
}

} // namespace strata::lowering
