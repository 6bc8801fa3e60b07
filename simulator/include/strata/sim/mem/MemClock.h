//===- MemClock.h - Memory-clock cycles <-> nanoseconds ----------*- C++ -*-===//
//
// The HBM controllers count time in cycles of the memory clock; SystemC counts
// time in seconds. DVFS can change the clock period during a run, so the
// mapping is piecewise linear: a new period takes effect from the cycle at
// which it is set, and earlier cycles keep the times they had.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cmath>
#include <cstdint>

namespace strata::sim::mem {

class MemClock {
public:
  explicit MemClock(double mhz = 1000) : periodNs_(1000.0 / mhz) {}

  double periodNs() const { return periodNs_; }
  double mhz() const { return 1000.0 / periodNs_; }

  /// Time of the start of `cycle`.
  double ns(double cycle) const { return baseNs_ + (cycle - baseCycle_) * periodNs_; }

  /// The picosecond (SystemC's time unit) nearest the start of `cycle`,
  /// halves away from zero; 0 before time 0. Exactly std::llround of
  /// ns(cycle) x 1000 without its library call: for a positive value the
  /// truncation is the floor, and the fraction above it is exact.
  uint64_t ps(double cycle) const {
    const double ps = ns(cycle) * 1000.0;
    if (!(ps > 0))
      return 0;
    const uint64_t whole = uint64_t(ps);
    return whole + (ps - double(whole) >= 0.5 ? 1 : 0);
  }

  /// The first cycle that starts at or after `ns` (a tiny epsilon absorbs the
  /// picosecond rounding of sc_time).
  uint64_t cycleAtOrAfter(double ns) const {
    double c = baseCycle_ + (ns - baseNs_) / periodNs_;
    double r = std::ceil(c - 1e-6);
    return r < 0 ? 0 : uint64_t(r);
  }

  /// Changes the period from `atNs` on.
  void setMHz(double mhz, double atNs) {
    uint64_t c = cycleAtOrAfter(atNs);
    baseNs_ = ns(double(c));
    baseCycle_ = double(c);
    periodNs_ = 1000.0 / mhz;
  }

private:
  double periodNs_;
  double baseCycle_ = 0;
  double baseNs_ = 0;
};

/// The memory system's clock and how far its activity has reached; stat
/// formulas (bandwidth, utilisation, averages) divide by the elapsed time.
struct MemTimebase {
  MemClock clock;
  uint64_t endCycle = 0; ///< the run so far spans cycles [0, endCycle)
  double elapsedNs() const { return clock.ns(double(endCycle)); }
};

} // namespace strata::sim::mem
