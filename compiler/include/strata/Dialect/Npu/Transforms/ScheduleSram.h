//===- ScheduleSram.h - SRAM footprint of a program order -------*- C++ -*-===//
//
// What a reordering does to the scratchpad. strata-npu-allocate-sram runs
// after the scheduler and places each buffer by interval first fit over its
// live range in program order; the scheduler must leave a program it can
// place. firstFitHighWater reproduces that placement (same order, same
// rule) so the scheduler can check an order before committing to it: live
// bytes alone do not bound the high-water mark once first fit fragments the
// scratchpad.
//
// Plain C++ (no MLIR).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <vector>

namespace strata::npu::sched {

/// A buffer live from program position `first` to `last` (inclusive).
struct LiveInterval {
  int64_t first = 0, last = 0;
  int64_t size = 0, align = 1;
};

/// The end of the highest buffer when `intervals` are placed in order of
/// first use (ties keep their order), each at the lowest offset aligned to
/// its alignment that no buffer with an overlapping live range occupies.
int64_t firstFitHighWater(std::vector<LiveInterval> intervals);

/// The largest sum of sizes of buffers live at one position.
int64_t peakLiveBytes(const std::vector<LiveInterval> &intervals);

} // namespace strata::npu::sched
