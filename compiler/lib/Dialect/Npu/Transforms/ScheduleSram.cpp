//===- ScheduleSram.cpp - SRAM footprint of a program order ---------------===//
#include "strata/Dialect/Npu/Transforms/ScheduleSram.h"

#include <algorithm>
#include <map>

namespace strata::npu::sched {
namespace {
int64_t alignUp(int64_t v, int64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }
} // namespace

int64_t firstFitHighWater(std::vector<LiveInterval> intervals) {
  std::stable_sort(intervals.begin(), intervals.end(),
                   [](const LiveInterval &a, const LiveInterval &b) { return a.first < b.first; });
  struct Placed {
    int64_t last, offset, size;
  };
  std::vector<Placed> active; // sorted by offset
  int64_t high = 0;
  for (const LiveInterval &iv : intervals) {
    active.erase(std::remove_if(active.begin(), active.end(),
                                [&](const Placed &p) { return p.last < iv.first; }),
                 active.end());
    int64_t candidate = 0;
    for (const Placed &p : active) {
      if (alignUp(candidate, iv.align) + iv.size <= p.offset)
        break;
      candidate = std::max(candidate, p.offset + p.size);
    }
    Placed placed{iv.last, alignUp(candidate, iv.align), iv.size};
    auto at = std::lower_bound(active.begin(), active.end(), placed,
                               [](const Placed &a, const Placed &b) { return a.offset < b.offset; });
    active.insert(at, placed);
    high = std::max(high, placed.offset + placed.size);
  }
  return high;
}

int64_t peakLiveBytes(const std::vector<LiveInterval> &intervals) {
  std::map<int64_t, int64_t> delta;
  for (const LiveInterval &iv : intervals) {
    delta[iv.first] += iv.size;
    delta[iv.last + 1] -= iv.size;
  }
  int64_t live = 0, peak = 0;
  for (auto &[pos, d] : delta) {
    live += d;
    peak = std::max(peak, live);
  }
  return peak;
}

} // namespace strata::npu::sched
