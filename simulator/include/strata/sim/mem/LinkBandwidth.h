//===- LinkBandwidth.h - Bandwidth of a shared link or TSV bundle -*- C++ -*-===//
//
// Transfers on a link are reserved when their times are computed, which is not
// always in time order: each HBM channel controller decides a little ahead of
// simulated time, and channels are woken one after another. A single
// busy-until register would make a transfer reserved later but timed earlier
// queue behind one timed after it. The link therefore keeps a budget per time
// window (windowCycles x bytesPerCycle bytes): a transfer takes bytes from the
// window it starts in and spills into following windows when that one is
// full. Below saturation nothing waits; at saturation throughput is exactly
// the link rate, whatever the reservation order.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace strata::sim::mem {

class LinkBandwidth {
public:
  explicit LinkBandwidth(double bytesPerCycle, uint32_t windowCycles = 16,
                         uint32_t windows = 1024);

  /// Reserves `bytes` starting no earlier than `cycle`; returns the (possibly
  /// fractional) cycle at which the last byte has crossed.
  double reserve(double cycle, uint64_t bytes);

  /// Fluid busy-until reservation for bulk (analytic) transfers, which are
  /// reserved in time order: returns when `bytes` starting at `cycle` are done.
  double reserveBulk(double cycle, double bytes) {
    totalBytes_ += uint64_t(bytes);
    double start = std::max(cycle, bulkBusyUntil_);
    bulkBusyUntil_ = start + bytes / rate_;
    return bulkBusyUntil_;
  }

  double bytesPerCycle() const { return rate_; }
  uint64_t totalBytes() const { return totalBytes_; }

private:
  struct Window {
    int64_t index = -1;
    double used = 0; ///< bytes
  };
  double rate_;
  uint32_t windowCycles_;
  double capacity_;
  std::vector<Window> ring_;
  double bulkBusyUntil_ = 0;
  uint64_t totalBytes_ = 0;
};

} // namespace strata::sim::mem
