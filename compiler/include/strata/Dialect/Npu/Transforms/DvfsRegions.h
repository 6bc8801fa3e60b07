//===- DvfsRegions.h - Where a core can run at a lower clock ----*- C++ -*-===//
//
// The decisions of strata-npu-insert-dvfs-hints, on a ScheduleDag in a given
// order with its timing estimate:
//
//   1. kernels: runs of consecutive nodes with the same region (code label);
//   2. each kernel's level: the lowest core operating point at which its
//      compute, stretched by the lower clock, stays `margin` times below its
//      DMA time (bytes over the core's bandwidth share) and the DMA keeps its
//      bandwidth; else the nominal point;
//   3. runs of kernels with one level, where a run estimated shorter than
//      `minRegionCycles` takes the level of its longer neighbour (a clock
//      transition stalls the core, so each must buy a long stretch);
//   4. a switch before the first compute node of every run whose level
//      differs from the one before, and back to the initial level at the end.
//
// Plain C++ (no MLIR).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Npu/Transforms/ScheduleDag.h"
#include "strata/Dialect/Npu/Transforms/ScheduleTiming.h"

#include <cstdint>
#include <vector>

namespace strata::npu::sched {

struct DvfsPoint {
  double freqMHz = 0;
  /// The core's DMA bandwidth share at this clock (bytes per second); a
  /// point that lowers it (one request per core cycle) slows the DMAs too.
  double dmaBytesPerSecond = 0;
};

struct DvfsPlanOptions {
  std::vector<DvfsPoint> points; ///< ascending frequency (the core domain's)
  unsigned nominal = 0;          ///< the point compute-bound code runs at
  unsigned initial = 0;          ///< the point at the start and end of the program
  double margin = 1.25;
  double minRegionCycles = 20000; ///< in cycles of the estimate (nominal clock)
};

struct DvfsSwitch {
  uint32_t beforeNode = 0; ///< node id the hint precedes
  unsigned level = 0;
};

struct DvfsPlan {
  std::vector<DvfsSwitch> switches;
  /// Level to restore after the last compute node (nullopt-like: < 0 none).
  int restoreLevel = -1;
  unsigned lowRegions = 0;  ///< runs below the nominal point
  double lowCycles = 0;     ///< their estimated duration
  double totalCycles = 0;   ///< the program's estimated duration
};

DvfsPlan planDvfs(const ScheduleDag &dag, const std::vector<uint32_t> &order,
                  const Timeline &timeline, const TimingModel &model,
                  const DvfsPlanOptions &options);

} // namespace strata::npu::sched
