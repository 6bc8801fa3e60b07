//===- LabelCost.h - What the code under one label cost ---------*- C++ -*-===//
//
// Binaries may label ranges of each core's program (bin::CodeLabel, e.g.
// "blk.3.attn_q"). The simulator charges every retired tile instruction to
// its label; labels of the same name on several cores are one entry.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace strata::sim {

struct LabelCost {
  std::string name;
  /// DMA, tc.config, gemm and vector instructions retired (synchronisation
  /// and scalar instructions do no work of their own and are not counted).
  uint64_t instructions = 0;
  /// Busy time summed over cores, weighted as in RunResult::units (tensor:
  /// by the share of groups in use; dma: per engine).
  double tensorBusyNs = 0, vectorBusyNs = 0, dmaBusyNs = 0;
  double macs = 0;
  double vectorElementOps = 0;
  double hbmReadBytes = 0, hbmWriteBytes = 0;
  double sramBytes = 0; ///< scratchpad bytes read and written
  /// Dynamic energy of the core-side events (MACs, vector, SRAM, DMA) at the
  /// voltage in force; HBM, NoC and leakage are chip-wide and not in here.
  double coreEnergyJ = 0;
  /// First start and last completion of its instructions.
  double firstStartNs = std::numeric_limits<double>::infinity();
  double lastEndNs = 0;
};

} // namespace strata::sim
