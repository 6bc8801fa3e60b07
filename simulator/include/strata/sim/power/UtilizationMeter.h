//===- UtilizationMeter.h - Busy time per unit per sampling window -*- C++ -*-===//
//
// Units report when they are busy; the meter turns that into the utilisation
// of each clock domain over a window. A domain is as busy as its busiest unit
// (a core whose tensor cores are saturated is compute-bound even if its vector
// unit idles). Nested begin/end pairs on one unit count once (union of the
// intervals), so a unit with several operations in flight is not over-counted.
//
// Usage (DvfsController wraps this with sc_time_stamp()):
//   uint32_t tc = meter.addUnit(coreDomainIndex);
//   meter.begin(tc, t0); ... meter.end(tc, t1);   // or meter.addBusy(tc, ns)
//   meter.sample(now, windowNs, utilisation);      // one value per domain
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <vector>

namespace strata::sim {

class UtilizationMeter {
public:
  explicit UtilizationMeter(uint32_t numDomains) : numDomains_(numDomains) {}

  /// A unit whose busy time counts towards `domain`; returns its id.
  uint32_t addUnit(uint32_t domain);
  uint32_t numUnits() const { return uint32_t(units_.size()); }

  void begin(uint32_t unit, double nowNs);
  void end(uint32_t unit, double nowNs);
  /// Busy time already elapsed, for units that account after the fact.
  void addBusy(uint32_t unit, double ns) { units_[unit].busyNs += ns; }
  /// True if any unit reported activity since the last sample or is busy now.
  bool active() const;

  /// Fills `out` (resized to the domain count) with each domain's
  /// utilisation in [0, 1] over the `windowNs` ending at `nowNs`, then starts
  /// a new window.
  void sample(double nowNs, double windowNs, std::vector<double> &out);

private:
  struct Unit {
    uint32_t domain = 0;
    uint32_t depth = 0;     ///< begin() calls not yet ended
    double since = 0;       ///< start of the current busy interval (depth > 0)
    double busyNs = 0;      ///< busy time in the current window, closed intervals
    bool touched = false;   ///< reported anything in this window
  };
  uint32_t numDomains_;
  std::vector<Unit> units_;
};

} // namespace strata::sim
