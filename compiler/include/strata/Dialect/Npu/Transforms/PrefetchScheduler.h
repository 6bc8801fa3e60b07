//===- PrefetchScheduler.h - Hoisting loads under an SRAM budget -*- C++ -*-===//
//
// The list scheduler of strata-npu-schedule-prefetch, on a ScheduleDag.
//
// The compute, store and sequencer nodes keep their program order (the
// "mainline"); the HBM -> SRAM loads are placed into it. Each load, taken in
// the order the program needs them, goes to the earliest mainline position
// that
//
//   1. follows every node it depends on (a store or barrier producing an
//      activation, the register holding a runtime address, ...);
//   2. keeps the bytes of the SRAM buffers live at every position it is
//      hoisted over within the budget: a hoisted load makes its buffer live
//      from the new position on, so SRAM capacity is what bounds how far
//      ahead the load queue runs, across kernel and layer boundaries;
//   3. keeps at most `maxAhead` hoisted loads pending over any position, so
//      the in-order load queue never fills with loads the compute does not
//      need yet (a full queue stalls the sequencer, and with it compute);
//   4. is not above an earlier load: the load queue issues in order, so a
//      load moved above one the program needs sooner (an activation load
//      waiting for the store that produces it, say) would only delay it.
//      Loads therefore keep their relative order, and a weight load moves
//      up past the compute of earlier kernels, not past their loads.
//
// Because the mainline keeps its order and loads only move up to positions
// their dependencies allow, the result is a valid order of the DAG.
//
// Plain C++ (no MLIR).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/Dialect/Npu/Transforms/ScheduleDag.h"

#include <cstdint>
#include <limits>
#include <vector>

namespace strata::npu::sched {

struct PrefetchOptions {
  /// Bytes of SRAM buffers that may be live at any program position.
  int64_t sramBudget = std::numeric_limits<int64_t>::max();
  /// Hoisted loads pending over any program position.
  unsigned maxAhead = std::numeric_limits<unsigned>::max();
};

struct PrefetchResult {
  std::vector<uint32_t> order;
  uint32_t loads = 0;   ///< prefetchable loads
  uint32_t hoisted = 0; ///< loads placed earlier than in the original order
  /// Mainline positions the loads moved up, summed.
  uint64_t distance = 0;
  /// Live-byte peak of the SRAM profile after placement.
  int64_t peakLiveBytes = 0;
};

/// Places the loads of `dag` as described above. Unbounded options give an
/// as-soon-as-possible placement (what the bounds are measured against).
PrefetchResult schedulePrefetch(const ScheduleDag &dag, const PrefetchOptions &options);

/// A topological order of the DAG by Boost.Graph's depth-first search
/// (reverse finishing order): valid, but blind to time and SRAM. For the
/// test pass and the tests.
std::vector<uint32_t> topologicalOrder(const ScheduleDag &dag);

} // namespace strata::npu::sched
